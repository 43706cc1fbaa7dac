#!/usr/bin/env bash
# PCI passthrough of the testbed's NIC, end to end, on testbed pt and a net of
# its own: bad input first (--iommu without --net: exit 2, nothing started),
# then up --iommu --net; Xen has VT-d (hvm_directio in virt_caps, "I/O
# virtualisation enabled" in xl dmesg); a PV guest up with --pci holds
# 0000:00:05.0 (xl pci-list), sees the e1000e (8086:10d3) with MSI-X
# interrupts and its address on it, and dom0 pings that address over the
# shared net (the packets counted on that NIC); a second --pci guest is
# refused with the holder's name; then the same with an HVM guest (about 5
# minutes to boot under TCG); PVH --pci is refused (exit 2). Prints the boot
# times. Always tears down.
# Environment: VMLAB_TESTBED_TEST_HOME as in test_testbed.sh,
# VMLAB_TESTBED_TEST_LIMIT (seconds, default 2700).
. "$(dirname "$0")/../lib.sh"

bed=pt
tb_named_start 2560 2700 "$bed"
qemu-system-x86_64 -device help 2>/dev/null >"$T/devices" || true
grep -q 'name "intel-iommu"' "$T/devices" || skip "this QEMU has no intel-iommu device"
grep -q 'name "e1000e"' "$T/devices" || skip "this QEMU has no e1000e device"
net=ptn$$
bdf=0000:00:05.0

# gexec NAME CMD...: runs CMD in guest NAME of testbed pt (output in $T/out).
gexec() { local g=$1; shift; expect 0 "$VMLAB" testbed guest exec "$g" --testbed "$bed" --timeout 120 -- "$@"; }

# counter NAME IF WHAT: the guest's rx_packets or tx_packets of interface IF.
counter() {
	gexec "$1" cat "/sys/class/net/$2/statistics/$3" >/dev/null && tr -dc 0-9 <"$T/out"
}

# check_guest NAME TYPE TIMEOUT: guest NAME of TYPE comes up with --pci
# within TIMEOUT seconds and shows the NIC everywhere it should; then down.
check_guest() {
	local g=$1 type=$2 timeout=$3 t0=$SECONDS ptmac ptip ifname rx0 tx0 rx1 tx1 other
	step "$type guest $g up with --pci"
	if ! expect 0 "$VMLAB" testbed guest up "$type" --testbed "$bed" --name "$g" --pci --timeout "$timeout"; then
		cat "$T/err" >&2
		return 1
	fi
	echo "$type guest with the NIC up in $((SECONDS - t0)) s"
	contains "$T/err" "guest $g holds the passthrough NIC $bdf"
	ptmac=$(sed -n 's/.* holds the passthrough NIC .* (mac \([0-9a-f:]*\), address .*/\1/p' "$T/err")
	ptip=$(sed -n 's/.* holds the passthrough NIC .*, address \([0-9.]*\)\/16).*/\1/p' "$T/err")
	[ -n "$ptmac" ] && [ -n "$ptip" ] || { fail "guest up named no MAC or address: $(cat "$T/err")"; return 1; }

	step "$g: a second --pci guest is refused; the device is listed, seen and bound"
	other=pv
	[ "$type" = pv ] && other=hvm
	expect 2 "$VMLAB" testbed guest up "$other" --testbed "$bed" --name "$g-2" --pci &&
		contains "$T/err" "guest $g holds the passthrough NIC $bdf"
	expect 0 "$VMLAB" testbed exec --name "$bed" -- xl pci-list "$g" && cat "$T/out"
	contains "$T/out" "^Vdev Device"
	contains "$T/out" "^[0-9a-f]{2}\.[0-7] $bdf\$"
	gexec "$g" sh -c 'for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(cat "$d/vendor") $(cat "$d/device")"; done' &&
		cat "$T/out"
	contains "$T/out" " 0x8086 0x10d3\$"
	gexec "$g" sh -c \
		'for f in /sys/class/net/*/address; do [ "$(cat "$f")" = "$1" ] && basename "${f%/address}"; done; exit 0' \
		sh "$ptmac"
	ifname=$(head -1 "$T/out")
	[ -n "$ifname" ] || { fail "$g: no interface with MAC $ptmac"; gexec "$g" dmesg; tail -20 "$T/out" >&2; return 1; }
	echo "$g: the passed-through NIC is $ifname ($ptmac)"
	gexec "$g" cat /proc/interrupts && grep -i msi "$T/out"
	contains "$T/out" "msi-x.*$ifname-rx-0"
	contains "$T/out" "msi-x.*$ifname-tx-0"
	gexec "$g" ip addr show dev "$ifname"
	contains "$T/out" "inet $ptip/16 "

	step "$g: dom0 pings $ptip over the shared net, through the NIC"
	rx0=$(counter "$g" "$ifname" rx_packets)
	tx0=$(counter "$g" "$ifname" tx_packets)
	"$VMLAB" testbed exec --name "$bed" -- ping -c 1 -W 5 "$ptip" >/dev/null 2>&1 || true
	expect 0 "$VMLAB" testbed exec --name "$bed" -- ping -c 4 -W 5 "$ptip" && cat "$T/out"
	contains "$T/out" " 0% packet loss"
	rx1=$(counter "$g" "$ifname" rx_packets)
	tx1=$(counter "$g" "$ifname" tx_packets)
	echo "$g: $ifname rx_packets $rx0 -> $rx1, tx_packets $tx0 -> $tx1"
	[ -n "$rx0" ] && [ -n "$rx1" ] && [ $((rx1 - rx0)) -ge 4 ] || fail "$g: $ifname received $rx0 -> $rx1 packets"
	[ -n "$tx0" ] && [ -n "$tx1" ] && [ $((tx1 - tx0)) -ge 4 ] || fail "$g: $ifname sent $tx0 -> $tx1 packets"

	step "$g down; the NIC stays assignable"
	expect 0 "$VMLAB" testbed guest down "$g" --testbed "$bed"
	expect 0 "$VMLAB" testbed exec --name "$bed" -- xl pci-assignable-list
	contains "$T/out" "^$bdf"
}

step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }

step "bad input: exit 2, nothing started"
before=$(pgrep -c qemu-system || true)
expect 2 "$VMLAB" testbed up --name "$bed" --iommu &&
	contains "$T/err" "--iommu needs --net NET: the passthrough NIC joins that net"
expect 2 "$VMLAB" testbed guest up pvh --testbed "$bed" --pci &&
	contains "$T/err" "passthrough not yet supported for x86 PVH guests"
[ ! -e "$(tb_state_of "$bed")" ] || fail "a refused up left $(tb_state_of "$bed")"
[ "$(pgrep -c qemu-system || true)" = "$before" ] || fail "a refused up started QEMU"

step "up $bed --iommu on net $net"
t0=$SECONDS
if ! expect 0 "$VMLAB" testbed up --name "$bed" --net "$net" --iommu; then
	cat "$T/err" >&2
	tail -30 "$VMLAB_HOME/testbed/beds/$bed/console.log" >&2
	exit 1
fi
cat "$T/out"
echo "testbed with an IOMMU up in $((SECONDS - t0)) s"
contains "$T/out" "iommu \(intel-iommu\), passthrough NIC $bdf"
expect 2 "$VMLAB" testbed up --name "$bed" --net "$net" && contains "$T/err" "testbed $bed is in use: .*, iommu,"
expect 0 "$VMLAB" testbed status --name "$bed" && head -1 "$T/out"
contains "$T/out" "^testbed $bed: up \(xen, .*net $net .*iommu, passthrough NIC $bdf, "

step "Xen has VT-d"
expect 0 "$VMLAB" testbed exec --name "$bed" -- xl info && grep virt_caps "$T/out"
contains "$T/out" "^virt_caps +: .*hvm_directio"
expect 0 "$VMLAB" testbed exec --name "$bed" -- xl dmesg && grep -iE 'VT-d|I/O virt|remapping' "$T/out" | head -12
contains "$T/out" "I/O virtualisation enabled"
grep -q "DMAR:\[DMA" "$T/out" && fail "DMAR faults in xl dmesg"

check_guest ptpv pv 300
check_guest pthvm hvm 900

step "PVH with --pci: refused"
expect 2 "$VMLAB" testbed guest up pvh --testbed "$bed" --pci &&
	contains "$T/err" "passthrough not yet supported for x86 PVH guests"

step "down"
pid=$(tb_pid_of "$bed")
expect 0 "$VMLAB" testbed down --name "$bed" && cat "$T/out"
tb_qemu_runs "$pid" && fail "QEMU $pid still runs after down"
step "done"
finish
