#!/usr/bin/env bash
# vmlab image inspect names the file system types, labels and UUIDs that
# blkid(8) reports for real ext2, ext3, ext4, swap, vfat (FAT16, FAT32), xfs and btrfs
# file systems, on whole disks and inside MBR partitions.
. "$(dirname "$0")/../lib.sh"
PATH=$PATH:/sbin:/usr/sbin
command -v blkid >/dev/null || skip "blkid is not installed"

# check IMG ROW_SELECTOR: inspect's row (awk pattern on PART) against blkid on FILE
check() { # IMG PART FILE
  local img=$1 part=$2 file=$3 want got
  want=$(blkid -o export "$file" | awk -F= '$1=="TYPE"{t=$2} $1=="LABEL"{l=$2} $1=="UUID"{u=$2} END{print t, (l==""?"-":l), u}')
  expect 0 "$VMLAB" image inspect "$img" || return
  got=$(awk -v p="$part" '$1==p && NF>=8 {print $6, $7, $8}' "$T/out")
  [ "$got" = "$want" ] || fail "$img partition $part: inspect says '$got', blkid says '$want'"
}
n=0
mk() { # NAME TOOL ARGS... (the image file is the last argument)
  local name=$1 tool=$2; shift 2
  command -v "$tool" >/dev/null || { echo "note: $tool missing, $name not checked"; return 1; }
  "$tool" "$@" >/dev/null 2>&1 || { fail "$tool $*"; return 1; }
  n=$((n + 1))
}
truncate -s 16M "$T/ext4.img"; mk ext4 mke2fs -q -F -t ext4 -L rootfs "$T/ext4.img" && check "$T/ext4.img" - "$T/ext4.img"
for k in ext2 ext3; do
  truncate -s 16M "$T/$k.img"; mk $k mke2fs -q -F -t $k -L "my$k" "$T/$k.img" && check "$T/$k.img" - "$T/$k.img"
done
truncate -s 8M "$T/swap.img"; mk swap mkswap -L swp "$T/swap.img" && check "$T/swap.img" - "$T/swap.img"
mk vfat16 mkfs.vfat -F 16 -n FAT16 -C "$T/fat16.img" 32768 && check "$T/fat16.img" - "$T/fat16.img"
truncate -s 64M "$T/fat32.img"; mk vfat32 mkfs.vfat -F 32 -n FAT32 "$T/fat32.img" && check "$T/fat32.img" - "$T/fat32.img"
truncate -s 300M "$T/xfs.img"; mk xfs mkfs.xfs -q -L data "$T/xfs.img" && check "$T/xfs.img" - "$T/xfs.img"
truncate -s 128M "$T/btrfs.img"; mk btrfs mkfs.btrfs -q -L pool "$T/btrfs.img" && check "$T/btrfs.img" - "$T/btrfs.img"
# inside partitions: FAT32 as partition 1, ext4 as logical partition 5
if command -v sfdisk >/dev/null && [ -s "$T/fat32.img" ]; then
  truncate -s 100M "$T/disk.img"
  printf 'label: dos\nstart=2048, size=131072, type=c\nstart=133120, type=5\nstart=135168, size=32768, type=83\n' |
    sfdisk -q --no-reread --no-tell-kernel "$T/disk.img" || fail sfdisk
  dd if="$T/fat32.img" of="$T/disk.img" bs=512 seek=2048 conv=notrunc,sparse status=none
  dd if="$T/ext4.img" of="$T/disk.img" bs=512 seek=135168 conv=notrunc,sparse status=none
  check "$T/disk.img" 1 "$T/fat32.img"
  check "$T/disk.img" 5 "$T/ext4.img"
fi
# a qcow2 file is named as such, with the way to a raw image
if command -v qemu-img >/dev/null; then
  qemu-img create -q -f qcow2 "$T/q.qcow2" 16M
  expect 2 "$VMLAB" image cat "$T/q.qcow2:/etc/fstab" && contains "$T/err" 'q.qcow2: a qcow2 image, vmlab reads raw ones: qemu-img convert -O raw'
fi
[ "$n" -gt 0 ] || skip "no mkfs tool installed"
finish
