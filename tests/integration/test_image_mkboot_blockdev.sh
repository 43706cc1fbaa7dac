#!/usr/bin/env bash
# vmlab image mkboot onto block devices, as run in a dom0 whose disks are
# LVs: loop devices stand in for the LVs (both are block devices whose size
# comes from the kernel, not from stat). A boot volume written onto a blank
# device for a root volume on another device (e2fsck -fn clean, the files
# and grub.cfg readable through the device, the root device unchanged), the
# same in place on a partitioned device (undo file in the current folder,
# not /dev), and the refusals on devices: not blank, too small, not ext, in
# use, read-only: exit 2 or 1 as for files, the devices unchanged.
. "$(dirname "$0")/../lib.sh"

PATH=$PATH:/sbin:/usr/sbin
for t in losetup sfdisk mke2fs e2fsck grub-mkimage sha256sum blockdev; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done
grubdir=/usr/lib/grub/i386-pc
[ -f $grubdir/boot.img ] || skip "GRUB for BIOS ($grubdir) is not installed (grub-pc-bin)"
[ "$(id -u)" = 0 ] || skip "loop devices need root"

loops=()
# attach FILE [-r]: a loop device for FILE (its name on stdout).
attach() {
  local d
  d=$(losetup -f --show "$@" 2>"$T/losetup.err") || skip "no loop device: $(head -1 "$T/losetup.err")"
  echo "$d"
}
detach_all() {
  local d
  for d in "${loops[@]}"; do losetup -d "$d" 2>/dev/null; done
  rm -rf "$T"
}
trap detach_all EXIT
sum() { sha256sum <"$1"; }
unchanged() { [ "$(sum "$1")" = "$2" ] || fail "$1 changed"; }

cd "$T" || exit 1
head -c 3500000 /dev/urandom >vmlinuz-6.1.0-99-amd64
head -c 500000 /dev/urandom >initrd.img-6.1.0-99-amd64
kern=$T/vmlinuz-6.1.0-99-amd64 initrd=$T/initrd.img-6.1.0-99-amd64
uuid=0b0e2d5a-1111-4222-8333-444455556666

truncate -s 32M root.img blank.img
truncate -s 4M small.img
mke2fs -q -F -t ext4 -L pvroot -U $uuid root.img || fail "mke2fs root"
head -c 8M /dev/urandom >notext.img
root=$(attach root.img); loops+=("$root")
boot=$(attach blank.img); loops+=("$boot")
small=$(attach small.img); loops+=("$small")
notext=$(attach notext.img); loops+=("$notext")
[ -b "$root" ] && [ -b "$boot" ] || fail "losetup gave no block devices"
rootsum=$(sum "$root")

# ---- a blank device becomes the boot volume --------------------------------
expect 0 "$VMLAB" image mkboot "$boot" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/out" "^$boot: existing blank volume, 33554432 bytes: MBR, partition 1 \(ext2 /boot\)"
contains "$T/out" "root=UUID=$uuid$"
contains "$T/out" "^$boot: 33554432 bytes written and read back$"
unchanged "$root" "$rootsum"
e2fsck -fn "$boot?offset=1048576" >fsck 2>&1 || { fail "e2fsck -fn of the boot device's partition"; tail -5 fsck >&2; }
expect 0 "$VMLAB" image inspect "$boot"
contains "$T/out" '^1 +1048576 +32505856 +0x83 +\* +ext2 +boot '
"$VMLAB" image cat "$boot:1:/vmlinuz-6.1.0-99-amd64" >k && same k "$kern"
"$VMLAB" image cat "$boot:1:/initrd.img-6.1.0-99-amd64" >i && same i "$initrd"
"$VMLAB" image cat "$boot:1:/grub/grub.cfg" >cfg || fail "no /grub/grub.cfg on $boot"
contains cfg "^	linux /vmlinuz-6.1.0-99-amd64 root=UUID=$uuid ro console=ttyS0,115200$"
cmp -s <(dd if="$boot" bs=1 skip=512 count=500 status=none) <(head -c 500 $grubdir/diskboot.img) ||
  fail "sector 1 of $boot does not start with GRUB's diskboot.img"
[ "$(od -An -tx1 -j510 -N2 "$boot" | tr -d ' ')" = 55aa ] || fail "no MBR signature on $boot"
# the device's bytes are the backing file's (nothing left in a cache only)
cmp -s "$boot" blank.img || fail "$boot and its backing file differ after mkboot"

# ---- refused on devices, nothing changed ------------------------------------
bootsum=$(sum "$boot")
expect 2 "$VMLAB" image mkboot "$boot" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/err" "boot volume $boot: holds a partition table already; mkboot writes only a new or blank volume; nothing changed"
unchanged "$boot" "$bootsum"
smallsum=$(sum "$small")
expect 2 "$VMLAB" image mkboot "$small" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/err" "boot volume $small: too small: 4194304 bytes hold less than the MBR gap"
unchanged "$small" "$smallsum"
truncate -s 64M blank2.img
boot2=$(attach blank2.img); loops+=("$boot2")
blanksum=$(sum "$boot2")
expect 2 "$VMLAB" image mkboot "$boot2" --root "$notext" --kernel "$kern" --initrd "$initrd"
contains "$T/err" "root volume $notext: not an ext2/3/4 file system \(no known signature\); nothing changed"
printf '[{"domid": 5, "config": {"c_info": {"type": "pv", "name": "pv1"}, "disks": [{"pdev_path": "%s", "vdev": "xvda"}]}}]\n' "$root" >busy.json
expect 2 "$VMLAB" image mkboot "$boot2" --root "$root" --kernel "$kern" --initrd "$initrd" --xl-list-json busy.json
contains "$T/err" "$root is a disk of the running Xen domain pv1 \(domain 5, disk xvda\).*nothing changed"
printf '[{"domid": 6, "config": {"c_info": {"type": "hvm", "name": "h1"}, "disks": [{"pdev_path": "%s", "vdev": "hda"}]}}]\n' "$boot2" >busy2.json
expect 2 "$VMLAB" image mkboot "$boot2" --root "$root" --kernel "$kern" --initrd "$initrd" --xl-list-json busy2.json
contains "$T/err" "$boot2 is a disk of the running Xen domain h1"
unchanged "$boot2" "$blanksum"
unchanged "$root" "$rootsum"
# a file attached to a loop device is refused: the device may be in use
expect 2 "$VMLAB" image mkboot blank2.img --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/err" "blank2.img is attached to $boot2"
unchanged blank2.img "$blanksum"
# a read-only device (losetup -r, like lvchange -pr): refused before any write
truncate -s 16M ro.img
ro=$(attach -r ro.img); loops+=("$ro")
[ "$(blockdev --getro "$ro")" = 1 ] || fail "$ro is not read-only"
expect 2 "$VMLAB" image mkboot "$ro" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/err" "$ro: a read-only block device \(blockdev --getro says 1\); nothing changed"
[ -z "$(tr -d '\0' <ro.img | head -c 1)" ] || fail "the read-only device's file got bytes"

# ---- in place on a partitioned device ----------------------------------------
mkdir -p rootfs/etc rootfs/boot
printf '/dev/sda1 / ext4 errors=remount-ro 0 1\n' >rootfs/etc/fstab
truncate -s 48M disk.img
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q --no-reread --no-tell-kernel disk.img || fail sfdisk
mke2fs -q -F -t ext4 -L root -E offset=1048576 -d rootfs disk.img 47M || fail "mke2fs disk"
disk=$(attach disk.img); loops+=("$disk")
expect 0 "$VMLAB" image mkboot "$disk" --in-place --kernel "$kern" --initrd "$initrd" --root-arg /dev/sda1
contains "$T/out" 'prefix \(hd0,msdos1\)/boot/grub'
undo=$(basename "$disk").p1.e2undo
contains "$T/out" "undo file $undo "
[ -f "$T/$undo" ] || fail "no undo file $undo in the current folder"
e2fsck -fn "$disk?offset=1048576" >fsck 2>&1 || { fail "e2fsck -fn of $disk after mkboot --in-place"; tail -5 fsck >&2; }
"$VMLAB" image cat "$disk:/boot/vmlinuz-6.1.0-99-amd64" >k2 && same k2 "$kern"
"$VMLAB" image cat "$disk:/etc/fstab" | grep -q sda1 || fail "the guest's files on $disk are gone"
cmp -s <(dd if="$disk" bs=1 skip=512 count=500 status=none) <(head -c 500 $grubdir/diskboot.img) ||
  fail "no GRUB core in the gap of $disk"
disksum=$(sum "$disk")
expect 2 "$VMLAB" image mkboot "$disk" --in-place --kernel "$kern" --initrd "$initrd"
contains "$T/err" "$disk:1:/boot/vmlinuz-6.1.0-99-amd64: exists already; nothing changed"
unchanged "$disk" "$disksum"
finish
