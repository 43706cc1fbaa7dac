#!/usr/bin/env bash
# vmlab testbed failure cases that need no boot: nothing up, not built,
# missing package, no free disk, bad usage, a QEMU that cannot start.
. "$(dirname "$0")/../lib.sh"
export VMLAB_HOME=$T/home
mkdir -p "$VMLAB_HOME"

expect 0 "$VMLAB" testbed down && contains "$T/out" "not up"
expect 1 "$VMLAB" testbed status && contains "$T/out" "testbed: down"
expect 1 "$VMLAB" testbed exec -- true && contains "$T/err" "not up"
expect 1 "$VMLAB" testbed guest exec pv1 -- true && contains "$T/err" "not up"
expect 1 "$VMLAB" testbed up && contains "$T/err" "not built.*vmlab testbed build"

expect 2 "$VMLAB" testbed
expect 2 "$VMLAB" testbed frob && contains "$T/err" "unknown subcommand"
expect 2 "$VMLAB" testbed guest up xen && contains "$T/err" "not pv, pvh or hvm"
expect 2 "$VMLAB" testbed guest up pv --memory lots && contains "$T/err" "--memory"
expect 2 "$VMLAB" testbed guest up pvh --memory 96 && contains "$T/err" "--memory"
expect 2 "$VMLAB" testbed guest up pv --name 'a b' && contains "$T/err" "name"
expect 2 "$VMLAB" testbed guest up pv --tsc-mode fast && contains "$T/err" "--tsc-mode 'fast': expected native"
expect 2 "$VMLAB" testbed exec && contains "$T/err" "no command"
expect 2 "$VMLAB" testbed cp a b && contains "$T/err" "dom0:PATH"
expect 2 "$VMLAB" testbed up --frob
expect 2 "$VMLAB" testbed up --iommu && contains "$T/err" "--iommu needs --net NET: the passthrough NIC joins that net"
expect 2 "$VMLAB" testbed up --iommu --net lab --bare && contains "$T/err" "--bare testbed runs no Xen"
expect 2 "$VMLAB" testbed guest up pvh --pci && contains "$T/err" "passthrough not yet supported for x86 PVH guests"
expect 1 "$VMLAB" testbed guest up pv --pci && contains "$T/err" "not up"
VMLAB_DATADIR=$T/nowhere expect 2 "$VMLAB" testbed build && contains "$T/err" "VMLAB_DATADIR"

if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null && command -v cpio >/dev/null; then
	# No free disk: the build asks for more than any disk has, changes nothing.
	VMLAB_TESTBED_NEED_MB=999999999 expect 1 "$VMLAB" testbed build && contains "$T/err" "MB free, a build needs"
	[ -e "$VMLAB_HOME/testbed/debs" ] && fail "a refused build left files"
	# A package apt does not know: named in the error, before any download.
	printf 'busybox-static\nvmlab-no-such-package\n' >"$T/pkgs"
	VMLAB_TESTBED_PACKAGES=$T/pkgs expect 1 "$VMLAB" testbed build &&
		contains "$T/err" "package 'vmlab-no-such-package' .* unknown to apt"
else
	echo "note: apt-get/dpkg-deb/cpio missing, build failure cases not run"
fi

# A QEMU that cannot start: a clear error, no state left behind.
if command -v qemu-system-x86_64 >/dev/null; then
	d=$VMLAB_HOME/testbed
	mkdir -p "$d"
	echo "not a kernel" >"$d/xen.elf"
	cp "$d/xen.elf" "$d/vmlinuz"; cp "$d/xen.elf" "$d/dom0-initrd.cpio"; cp "$d/xen.elf" "$d/id_ed25519"
	cp "$VMLAB" "$d/vmlab.bin"  # the images carry this vmlab: up boots them as they are
	if expect 1 "$VMLAB" testbed up --timeout 20; then
		contains "$T/err" "QEMU"
	fi
	[ -e "$d/state" ] && fail "a failed up left $d/state"
	expect 1 "$VMLAB" testbed status
fi
finish
