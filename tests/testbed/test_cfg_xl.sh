#!/usr/bin/env bash
# vmlab cfg check and convert against the real xl of Xen 4.17 in the testbed:
# every converted config passes `xl -N create` (xl's own parse, dry run); for
# the rules xl enforces while parsing, xl and vmlab cfg check agree on which
# configs are bad; and the errors vmlab reports beyond xl's parse (libxl or
# qemu fail later, or xl drops the value) are shown to pass xl's parse.
# Always tears the testbed down.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test).
. "$(dirname "$0")/../lib.sh"

tb_test_start
tb_build_up

# xl_dry FILE: xl's verdict on FILE in dom0; output in $T/xl.
n=0
xl_dry() {
	n=$((n + 1))
	"$VMLAB" testbed cp "$1" "dom0:/tmp/cfg$n.cfg" >/dev/null 2>&1 || { fail "cp $1"; return 2; }
	local st=0
	"$VMLAB" testbed exec -- xl -N create "/tmp/cfg$n.cfg" >"$T/xl" 2>&1 || st=$?
	return $st
}

step "converted configs pass xl -N create"
truncate -s 64M "$T/disk.img"
printf 'label: dos\n,16MiB,S\n,,L\n' | sfdisk -q "$T/disk.img" 2>/dev/null || true
cat >"$T/hvm.cfg" <<CFG
type = "hvm"
name = "t1"
memory = 256
disk = [ 'phy:/dev/vg0/t1,hda,w', '/x.iso,,hdc,cdrom' ]
vif = [ 'bridge=xenbr0,model=e1000' ]
serial = "pty"
vnc = 0
boot = "dc"
CFG
expect 0 "$VMLAB" cfg convert "$T/hvm.cfg" --to pv --kernel /boot/vmlinuz --ramdisk /boot/initrd -o "$T/pv.cfg"
expect 0 "$VMLAB" cfg convert "$T/pv.cfg" --to pvh -o "$T/pvh.cfg"
expect 0 "$VMLAB" cfg convert "$T/pv.cfg" --to hvm -o "$T/hvm2.cfg"
for f in hvm pv pvh hvm2; do
	want=${f%2}
	if xl_dry "$T/$f.cfg"; then
		grep -q "\"type\": \"$want\"" "$T/xl" || fail "xl -N create $f.cfg: no type $want: $(head -5 "$T/xl")"
	else
		fail "xl rejects $f.cfg: $(tail -3 "$T/xl")"
	fi
done

step "xl and vmlab cfg check agree on the rules xl checks while parsing"
P='name="g"
kernel="/boot/vmlinuz"'
cases=(
	"ok|$P"
	"ok|$P
type=\"p\""
	"ok|name=\"g\"
type=\"h\""
	"ok|name=\"g\"
type=\"\""
	"bad|$P
type=\"xen\""
	"bad|$P
type=\"pv\"
builder=\"hvm\""
	"bad|kernel=\"/boot/vmlinuz\""
	"bad|name=\"g\""
	"bad|name=\"g\"
firmware=\"seabios\""
	"ok|name=\"g\"
firmware=\"pvgrub64\""
	"bad|$P
firmware=\"pvgrub64\""
	"bad|$P
vcpus=4
maxvcpus=2"
	"bad|$P
on_reboot=\"reboot\""
	"ok|$P
on_crash=\"coredump-restart\""
	"bad|$P
timer_mode=\"no_delay_for_missed_ticks\""
	"bad|$P
cpus=\"0-1,^all\""
	"bad|$P
cpus=\"3-1\""
	"ok|$P
vcpus=2
cpus=[ \"0\", \"1\" ]
cpus_soft=\"0-1,^1\""
	"bad|$P
disk=[ '/dev/vg0/x,xvda,w' ]"
	"ok|$P
disk=[ 'phy:/dev/vg0/x,xvda,w', 'vdev=xvdb,target=/a,b' ]"
	"bad|$P
disk=[ 'phy:/dev/vg0/x,xvda,w,extra' ]"
	"bad|$P
pci=[ '03:00.8' ]"
	"ok|$P
pci=[ '0000:03:00.0,permissive=1' ]"
	"bad|name=\"g\"
type=\"pvh\""
	"bad|$P
vif=[ 'bridge=xenbr0,mtu=big' ]"
	"ok|$P
vif=[ 'bridge=xenbr0,colour=red' ]"
	"strict|$P
memory=\"abc\""
	"strict|$P
disk='phy:/dev/vg0/x,xvda,w'"
	"strict|$P
memory=512
maxmem=256"
	"strict|$P
cpu_weight=0"
	"strict|$P
cap=500"
	"strict|name=\"g\"
type=\"hvm\"
disk=[ '/dev/vg0/x,,hda,r' ]"
)
i=0
for c in "${cases[@]}"; do
	i=$((i + 1))
	want=${c%%|*}
	printf '%s\n' "${c#*|}" >"$T/case$i.cfg"
	vst=0; "$VMLAB" cfg check "$T/case$i.cfg" >"$T/vout" 2>&1 || vst=$?
	xst=0; xl_dry "$T/case$i.cfg" || xst=$?
	[ "$want" = ok ] && { [ "$vst" = 0 ] || fail "case $i: vmlab rejects a good config: $(cat "$T/vout")"; }
	[ "$want" = ok ] && { [ "$xst" = 0 ] || fail "case $i: xl rejects a config thought good: $(tail -2 "$T/xl")"; }
	[ "$want" = bad ] && { [ "$vst" = 2 ] || fail "case $i: vmlab accepts a bad config"; }
	[ "$want" = bad ] && { [ "$xst" != 0 ] || fail "case $i: xl accepts a config thought bad"; }
	# strict: xl's parse lets these through (libxl or the device model fails
	# later, or xl silently drops the value); vmlab reports them at once
	[ "$want" = strict ] && { [ "$vst" = 2 ] || fail "case $i: vmlab accepts a config it should flag"; }
	[ "$want" = strict ] && { [ "$xst" = 0 ] || fail "case $i: xl's parse rejects it already: $(tail -2 "$T/xl")"; }
done
step "down"
expect 0 "$VMLAB" testbed down
step "done"
finish
