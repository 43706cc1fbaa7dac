#!/usr/bin/env bash
# vmlab image mkboot with GRUB's real tools: a new boot volume for a root
# volume without a partition table, and the same in place on a partitioned
# disk; e2fsck -fn clean, GRUB's boot code in sector 0 and its core in the
# gap, grub.cfg on the serial console, the root volume untouched; QEMU's
# BIOS then shows GRUB's menu from it. Bad input (too small, not ext, in use,
# not blank, gap used, files there) exits 2 and changes nothing.
. "$(dirname "$0")/../lib.sh"

PATH=$PATH:/sbin:/usr/sbin
for t in sfdisk mke2fs e2fsck grub-mkimage sha256sum; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done
grubdir=/usr/lib/grub/i386-pc
[ -f $grubdir/boot.img ] && [ -f $grubdir/diskboot.img ] || skip "GRUB for BIOS ($grubdir) is not installed (grub-pc-bin)"

# unchanged FILE SUM: FILE's sha256 is still SUM.
unchanged() { [ "$(sha256sum <"$1")" = "$2" ] || fail "$1 changed"; }
sum() { sha256sum <"$1"; }

head -c 3500000 /dev/urandom >"$T/vmlinuz-6.1.0-99-amd64"
head -c 500000 /dev/urandom >"$T/initrd.img-6.1.0-99-amd64"
kern=$T/vmlinuz-6.1.0-99-amd64 initrd=$T/initrd.img-6.1.0-99-amd64
root=$T/pvroot.img
truncate -s 32M "$root"
mke2fs -q -F -t ext4 -L pvroot -U 0b0e2d5a-1111-4222-8333-444455556666 "$root" || fail "mke2fs root"
rootsum=$(sum "$root")

# ---- a new boot volume -----------------------------------------------------
boot=$T/boot.img
expect 0 "$VMLAB" image mkboot "$boot" --root "$root" --kernel "$kern" --initrd "$initrd" --size 16M
contains "$T/out" "boot.img: new volume, 16777216 bytes"
contains "$T/out" "root=UUID=0b0e2d5a-1111-4222-8333-444455556666"
unchanged "$root" "$rootsum"
[ "$(stat -c %s "$boot")" = 16777216 ] || fail "boot volume is not 16 MiB"
e2fsck -fn "$boot?offset=1048576" >"$T/fsck" 2>&1 || { fail "e2fsck -fn of the boot partition"; tail -5 "$T/fsck" >&2; }
# its data extents alone, copied onto a used volume (random bytes), make the
# same clean file system: what run.sh's copy onto a reused LV does
if command -v xfs_io >/dev/null; then
  head -c 16M /dev/urandom >"$T/used-lv.img"
  xfs_io -r -c "seek -a -r 0" "$boot" | awk '$1 == "DATA" { d = $2 } $1 == "HOLE" && d != "" { print d, $2 - d; d = "" }' |
    while read -r off len; do
      dd if="$boot" of="$T/used-lv.img" bs=4096 skip=$((off / 4096)) seek=$((off / 4096)) count=$((len / 4096)) conv=notrunc status=none
    done
  e2fsck -fn "$T/used-lv.img?offset=1048576" >"$T/fsck" 2>&1 ||
    { fail "the boot volume's data extents on a used volume: e2fsck -fn"; tail -5 "$T/fsck" >&2; }
fi
expect 0 "$VMLAB" image inspect "$boot"
contains "$T/out" '^1 +1048576 +15728640 +0x83 +\* +ext2 +boot '
contains "$T/out" '^  .*boot.img:1: ext2, block size [0-9]+, 15728640 bytes, [0-9]+ free$'
"$VMLAB" image cat "$boot:1:/vmlinuz-6.1.0-99-amd64" >"$T/k" && same "$T/k" "$kern"
"$VMLAB" image cat "$boot:1:/initrd.img-6.1.0-99-amd64" >"$T/i" && same "$T/i" "$initrd"
"$VMLAB" image cat "$boot:1:/grub/grub.cfg" >"$T/cfg" || fail "no /grub/grub.cfg"
contains "$T/cfg" '^serial --unit=0 --speed=115200$'
contains "$T/cfg" '^terminal_output serial console$'
contains "$T/cfg" '^	linux /vmlinuz-6.1.0-99-amd64 root=UUID=0b0e2d5a-1111-4222-8333-444455556666 ro console=ttyS0,115200$'
contains "$T/cfg" '^	initrd /initrd.img-6.1.0-99-amd64$'
# sector 0: boot.img's code with the core's sector (1) at 0x5c and the
# partition table kept; sector 1: the core image, whose first sector is
# diskboot.img with its block list pointing at sector 2
cmp -s <(dd if="$boot" bs=1 skip=104 count=336 status=none) <(dd if=$grubdir/boot.img bs=1 skip=104 count=336 status=none) ||
  fail "sector 0 does not hold GRUB's boot code"
[ "$(od -An -tx1 -j92 -N8 "$boot" | tr -d ' ')" = 0100000000000000 ] || fail "boot.img does not point at sector 1"
[ "$(od -An -tx1 -j510 -N2 "$boot" | tr -d ' ')" = 55aa ] || fail "the MBR signature is gone"
cmp -s <(dd if="$boot" bs=1 skip=512 count=500 status=none) <(head -c 500 $grubdir/diskboot.img) ||
  fail "sector 1 does not start with GRUB's diskboot.img"
[ "$(od -An -tx1 -j1012 -N8 "$boot" | tr -d ' ')" = 0200000000000000 ] || fail "the core's block list does not start at sector 2"

if command -v qemu-system-x86_64 >/dev/null; then
  # SeaBIOS boots the volume: GRUB's menu on the serial port, then the
  # entry's kernel (random bytes here, so GRUB refuses it after loading).
  : >"$T/serial"
  qemu-system-x86_64 -m 128 -display none -monitor none -no-reboot \
    -drive file="$boot",format=raw,if=ide -drive file="$root",format=raw,if=ide,snapshot=on \
    -serial file:"$T/serial" >/dev/null 2>&1 &
  qemu=$!
  for _ in $(seq 180); do
    grep -aq 'Loading /vmlinuz-6.1.0-99-amd64' "$T/serial" && break
    kill -0 $qemu 2>/dev/null || break
    sleep 0.5
  done
  kill $qemu 2>/dev/null; wait $qemu 2>/dev/null
  contains "$T/serial" 'GNU GRUB +version'
  contains "$T/serial" 'Loading /vmlinuz-6.1.0-99-amd64'
  unchanged "$root" "$rootsum"
else
  echo "note: SKIP of the QEMU boot: qemu-system-x86_64 is not installed"
fi

# without an initrd: no initrd line
expect 0 "$VMLAB" image mkboot "$T/noinitrd.img" --root "$root" --kernel "$kern"
"$VMLAB" image cat "$T/noinitrd.img:1:/grub/grub.cfg" >"$T/cfg0" || fail "no grub.cfg without --initrd"
grep -q initrd "$T/cfg0" && fail "an initrd line without --initrd"
# the script cfg convert --to hvm prints is this command
printf 'name = "pv1"\ntype = "pv"\nkernel = "%s"\nroot = "/dev/xvda ro"\nmemory = 256\ndisk = [ "%s,raw,xvda,w" ]\n' "$kern" "$root" >"$T/pv1.cfg"
expect 0 "$VMLAB" cfg convert "$T/pv1.cfg" --to hvm --boot-volume "$T/conv-boot.img" --script "$T/mk.sh" -o "$T/pv1-hvm.cfg"
PATH=$(dirname "$VMLAB"):$PATH sh "$T/mk.sh" >"$T/mk.out" 2>&1 || { fail "the script of cfg convert --to hvm failed"; cat "$T/mk.out" >&2; }
expect 0 "$VMLAB" image cat "$T/conv-boot.img:1:/grub/grub.cfg"
contains "$T/out" "root=UUID=0b0e2d5a-1111-4222-8333-444455556666 ro console=ttyS0,115200"
unchanged "$root" "$rootsum"

# ---- refused: exit 2, nothing changed --------------------------------------
expect 2 "$VMLAB" image mkboot "$T/b2.img" --root "$root" --kernel "$kern" --initrd "$initrd" --size 4M
contains "$T/err" 'b2.img: too small: 4194304 bytes hold less than the MBR gap \(1048576\) \+ kernel \(3500000\) \+ initrd \(500000\); nothing changed'
[ ! -e "$T/b2.img" ] || fail "a refused boot volume was created"
# big enough for the bytes, not for the file system that holds them
expect 2 "$VMLAB" image mkboot "$T/b3.img" --root "$root" --kernel "$kern" --initrd "$initrd" --size 5200k
contains "$T/err" 'b3.img:1: too small: kernel \+ initrd \+ grub.cfg need [0-9]+ bytes, the file system \(block size [0-9]+\) has [0-9]+ free; nothing changed'
[ -z "$(ls "$T" | grep -E '^b3.img')" ] || fail "a refused boot volume left files: $(ls "$T" | grep b3)"
head -c 4M /dev/urandom >"$T/notext.img"
expect 2 "$VMLAB" image mkboot "$T/b4.img" --root "$T/notext.img" --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'root volume .*notext.img: not an ext2/3/4 file system \(no known signature\); nothing changed'
[ ! -e "$T/b4.img" ] || fail "a boot volume was created for a root that is not ext"
# in use by a running domain (recorded `xl list -l`): the root, or the boot volume
printf '[{"domid": 3, "config": {"c_info": {"type": "pv", "name": "pv1"}, "disks": [{"pdev_path": "%s", "vdev": "xvda"}]}}]\n' "$root" >"$T/busy.json"
expect 2 "$VMLAB" image mkboot "$T/b5.img" --root "$root" --kernel "$kern" --initrd "$initrd" --xl-list-json "$T/busy.json"
contains "$T/err" 'pvroot.img is a disk of the running Xen domain pv1 \(domain 3, disk xvda\).*nothing changed'
[ ! -e "$T/b5.img" ] || fail "a boot volume was created for a root in use"
truncate -s 16M "$T/blank.img"
printf '[{"domid": 3, "config": {"c_info": {"type": "hvm", "name": "h1"}, "disks": [{"pdev_path": "%s", "vdev": "hda"}]}}]\n' "$T/blank.img" >"$T/busy2.json"
expect 2 "$VMLAB" image mkboot "$T/blank.img" --root "$root" --kernel "$kern" --initrd "$initrd" --xl-list-json "$T/busy2.json"
contains "$T/err" 'blank.img is a disk of the running Xen domain h1'
# an existing blank volume is used at its size; one that is not blank is refused
expect 0 "$VMLAB" image mkboot "$T/blank.img" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/out" 'blank.img: existing blank volume, 16777216 bytes'
contains "$T/out" 'blank.img: 16777216 bytes written and read back'
bootsum=$(sum "$boot")
expect 2 "$VMLAB" image mkboot "$boot" --root "$root" --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'boot.img: holds a partition table already; mkboot writes only a new or blank volume; nothing changed'
unchanged "$boot" "$bootsum"
expect 2 "$VMLAB" image mkboot "$T/b6.img" --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'give exactly one of --root'
expect 2 "$VMLAB" image mkboot "$T/b6.img" --root "$root" --kernel "$kern" --initrd "$initrd" --append "quiet; reboot"
expect 2 "$VMLAB" image mkboot "$T/b6.img" --root "$root" --kernel "$T/none" --initrd "$initrd"
contains "$T/err" "kernel $T/none: No such file"
cp "$kern" "$T/vmlinuz'x"
expect 2 "$VMLAB" image mkboot "$T/b6.img" --root "$root" --kernel "$T/vmlinuz'x"
contains "$T/err" 'file names may hold only letters, digits and \. _ \+ -'
[ ! -e "$T/b6.img" ] || fail "a refused boot volume was created"

# ---- in place: the disk's own /boot and MBR gap ----------------------------
disk=$T/disk.img
mkdir -p "$T/rootfs/etc" "$T/rootfs/boot"
printf '/dev/sda1 / ext4 errors=remount-ro 0 1\n' >"$T/rootfs/etc/fstab"
truncate -s 48M "$disk"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q --no-reread --no-tell-kernel "$disk" || fail sfdisk
mke2fs -q -F -t ext4 -L root -E offset=1048576 -d "$T/rootfs" "$disk" 47M || fail "mke2fs disk"
cp "$disk" "$T/disk.orig"
expect 0 "$VMLAB" image mkboot "$disk" --in-place --kernel "$kern" --initrd "$initrd" --root-arg /dev/sda1 --append xen_emul_unplug=nics
contains "$T/out" 'prefix \(hd0,msdos1\)/boot/grub'
contains "$T/out" 'undo file .*disk.img.p1.e2undo'
e2fsck -fn "$disk?offset=1048576" >"$T/fsck" 2>&1 || { fail "e2fsck -fn after mkboot --in-place"; tail -5 "$T/fsck" >&2; }
"$VMLAB" image cat "$disk:/boot/grub/grub.cfg" >"$T/cfg2" || fail "no /boot/grub/grub.cfg"
contains "$T/cfg2" '^	linux /boot/vmlinuz-6.1.0-99-amd64 root=/dev/sda1 ro console=ttyS0,115200 xen_emul_unplug=nics$'
"$VMLAB" image cat "$disk:/boot/vmlinuz-6.1.0-99-amd64" >"$T/k2" && same "$T/k2" "$kern"
"$VMLAB" image cat "$disk:/etc/fstab" | grep -q sda1 || fail "the guest's files are gone"
cmp -s <(dd if="$disk" bs=1 skip=512 count=500 status=none) <(head -c 500 $grubdir/diskboot.img) || fail "no GRUB core in the gap"
expect 0 "$VMLAB" image inspect "$disk"
contains "$T/out" 'kernels in /boot: +6.1.0-99-amd64'
disksum=$(sum "$disk")
expect 2 "$VMLAB" image mkboot "$disk" --in-place --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'disk.img:1:/boot/vmlinuz-6.1.0-99-amd64: exists already; nothing changed'
unchanged "$disk" "$disksum"
# a gap that holds data, a disk without a table, a disk in use: refused
cp "$T/disk.orig" "$T/gap.img"
printf 'other loader' | dd of="$T/gap.img" bs=512 seek=7 conv=notrunc status=none
gapsum=$(sum "$T/gap.img")
expect 2 "$VMLAB" image mkboot "$T/gap.img" --in-place --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'gap.img: bytes 512\.\.[0-9]+ \(after the MBR\) hold data'
unchanged "$T/gap.img" "$gapsum"
expect 2 "$VMLAB" image mkboot "$root" --in-place --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'no partition table \(give --root for a new boot volume\)'
unchanged "$root" "$rootsum"
cp "$T/disk.orig" "$T/used.img"
printf '[{"domid": 4, "config": {"c_info": {"type": "hvm", "name": "h2"}, "disks": [{"pdev_path": "%s", "vdev": "hda"}]}}]\n' "$T/used.img" >"$T/busy3.json"
usedsum=$(sum "$T/used.img")
expect 2 "$VMLAB" image mkboot "$T/used.img" --in-place --kernel "$kern" --initrd "$initrd" --xl-list-json "$T/busy3.json"
contains "$T/err" 'used.img is a disk of the running Xen domain h2'
unchanged "$T/used.img" "$usedsum"
# too small in place: a root file system with less room than kernel + initrd
small=$T/small.img
truncate -s 5M "$small"
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q --no-reread --no-tell-kernel "$small" || fail sfdisk
mke2fs -q -F -t ext2 -E offset=1048576 -d "$T/rootfs" "$small" 4M || fail "mke2fs small"
smallsum=$(sum "$small")
expect 2 "$VMLAB" image mkboot "$small" --in-place --kernel "$kern" --initrd "$initrd"
contains "$T/err" 'small.img:1: too small: kernel \+ initrd \+ grub.cfg need'
unchanged "$small" "$smallsum"
finish
