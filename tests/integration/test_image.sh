#!/usr/bin/env bash
# vmlab image on real partitioned images built with sfdisk and mke2fs:
# inspect, cat, ls, fix-console, fix-root; e2fsck -fn clean after each edit;
# e2undo restores the original bytes; bad input exits 2 and changes nothing.
. "$(dirname "$0")/../lib.sh"

for t in sfdisk mke2fs e2fsck e2undo mkswap sha256sum; do
  command -v "$t" >/dev/null || PATH=$PATH:/sbin:/usr/sbin
  command -v "$t" >/dev/null || skip "$t is not installed"
done

# Image 1: MBR; 1 ext4 root (sysvinit), 2 swap, 3 extended holding 5 ext2.
mkdir -p "$T/root/etc/default" "$T/root/boot" "$T/boot2"
cat >"$T/root/etc/inittab" <<'END'
id:2:initdefault:
si::sysinit:/etc/init.d/rcS
1:2345:respawn:/sbin/getty 38400 tty1
2:23:respawn:/sbin/getty 38400 tty2
3:23:respawn:/sbin/getty 38400 tty3
4:23:respawn:/sbin/getty 38400 tty4
5:23:respawn:/sbin/getty 38400 tty5
6:23:respawn:/sbin/getty 38400 tty6
END
printf '# /etc/fstab\n/dev/sda1\t/\text4\terrors=remount-ro\t0\t1\n/dev/sda2 none swap sw 0 0\n/dev/sda5 /data ext2 defaults 0 2\nproc /proc proc defaults 0 0\n' >"$T/root/etc/fstab"
printf 'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200"\n' >"$T/root/etc/default/grub"
: >"$T/root/boot/vmlinuz-6.1.0-27-amd64"
echo data >"$T/boot2/README"
chmod 0600 "$T/root/etc/fstab"
img=$T/disk.img
truncate -s 64M "$img"
printf 'label: dos\nstart=2048, size=30720, type=83, bootable\nstart=32768, size=8192, type=82\nstart=40960, type=5\nstart=43008, size=20480, type=83\n' |
  sfdisk -q --no-reread --no-tell-kernel "$img" || fail "sfdisk"
mke2fs -q -F -t ext4 -L root -E offset=$((2048 * 512)) -d "$T/root" "$img" 15M || fail "mke2fs root"
mke2fs -q -F -t ext2 -L data -E offset=$((43008 * 512)) -d "$T/boot2" "$img" 10M || fail "mke2fs data"
truncate -s 4M "$T/swap" && mkswap -q -L swp "$T/swap" >/dev/null && \
  dd if="$T/swap" of="$img" bs=512 seek=32768 conv=notrunc status=none || fail "mkswap"
fsck_clean() { # OFFSET
  e2fsck -fn "$img?offset=$1" >"$T/fsck" 2>&1 || { fail "e2fsck -fn at offset $1:"; tail -5 "$T/fsck" >&2; }
}
fsck_clean $((2048 * 512))
cp "$img" "$T/orig.img"

expect 0 "$VMLAB" image inspect "$img"
contains "$T/out" 'MBR partition table'
contains "$T/out" '^1 +1048576 +15728640 +0x83 +\* +ext4 +root +[0-9a-f-]{36}$'
contains "$T/out" '^2 .* 0x82 .* swap +swp '
contains "$T/out" '^5 +22020096 .* ext2 +data '
contains "$T/out" 'guest set-up \(.*disk.img:1, ext4\)'
contains "$T/out" 'inittab gettys: +tty1 tty2 tty3 tty4 tty5 tty6$'
contains "$T/out" 'fstab root: +/dev/sda1'
contains "$T/out" 'grub consoles: +console=tty0 console=ttyS0,115200$'
contains "$T/out" 'kernels in /boot: +6.1.0-27-amd64$'
contains "$T/out" 'systemd gettys enabled: +\(no systemd\)'

expect 0 "$VMLAB" image cat "$img:/etc/inittab" && same "$T/out" "$T/root/etc/inittab"
expect 0 "$VMLAB" image cat "$img:5:/README" && contains "$T/out" '^data$'
expect 0 "$VMLAB" image ls "$img:1:/etc"
contains "$T/out" '^-rw------- +1 +[0-9]+ +[0-9]+ +[0-9]+ [0-9-]+ [0-9:]+ fstab$'
contains "$T/out" '^drwxr-xr-x .* default$'
expect 0 "$VMLAB" image ls "$img:/etc/inittab" && contains "$T/out" '^-rw-r--r-- .* 264 .* /etc/inittab$'

# dry runs print the change and change nothing
expect 0 "$VMLAB" image fix-console "$img" --dry-run
contains "$T/out" '/etc/inittab:4: - 2:23:respawn:/sbin/getty 38400 tty2'
contains "$T/out" '/etc/inittab:4: \+ 2:23:respawn:/sbin/getty 38400 hvc0'
expect 0 "$VMLAB" image fix-root "$img" --dry-run
same "$img" "$T/orig.img"
[ -e "$img.p1.e2undo" ] && fail "a dry run left an undo file"

# fix-console: the handout's edit, recorded in an undo file
expect 0 "$VMLAB" image fix-console "$img"
contains "$T/out" "undo file $img.p1.e2undo"
contains "$T/out" "revert with: e2undo -o 1048576 $img.p1.e2undo $img"
[ -s "$img.p1.e2undo" ] || fail "no undo file"
fsck_clean $((2048 * 512))
expect 0 "$VMLAB" image cat "$img:/etc/inittab"
sed 's/38400 tty2$/38400 hvc0/' "$T/root/etc/inittab" >"$T/want"
same "$T/out" "$T/want"
cp "$img" "$T/after1.img"
expect 0 "$VMLAB" image fix-console "$img" && contains "$T/out" 'already runs on hvc0'
contains "$T/out" 'nothing to change'
same "$img" "$T/after1.img"

# fix-root: /dev/sdaN -> UUID= of partition N, owner and mode kept
expect 0 "$VMLAB" image fix-root "$img"
contains "$T/out" "undo file $img.p1.2.e2undo"
fsck_clean $((2048 * 512))
uuid1=$("$VMLAB" image inspect "$img" | awk '$1 == 1 {print $NF}')
uuid2=$("$VMLAB" image inspect "$img" | awk '$1 == 2 {print $NF}')
uuid5=$("$VMLAB" image inspect "$img" | awk '$1 == 5 {print $NF}')
expect 0 "$VMLAB" image cat "$img:/etc/fstab"
printf '# /etc/fstab\nUUID=%s\t/\text4\terrors=remount-ro\t0\t1\nUUID=%s none swap sw 0 0\nUUID=%s /data ext2 defaults 0 2\nproc /proc proc defaults 0 0\n' \
  "$uuid1" "$uuid2" "$uuid5" >"$T/want"
same "$T/out" "$T/want"
expect 0 "$VMLAB" image ls "$img:/etc/fstab" && contains "$T/out" '^-rw------- '

# e2undo, newest first, gives back the original bytes
e2undo -o 1048576 "$img.p1.2.e2undo" "$img" >/dev/null 2>&1 || fail "e2undo fix-root"
same "$img" "$T/after1.img"
e2undo -o 1048576 "$img.p1.e2undo" "$img" >/dev/null 2>&1 || fail "e2undo fix-console"
same "$img" "$T/orig.img"
rm -f "$img".*.e2undo

# Bad input: exit 2, message naming the thing, image unchanged.
sum=$(sha256sum "$img" | cut -d' ' -f1)
expect 2 "$VMLAB" image cat "$img:2:/etc/fstab" && contains "$T/err" 'disk.img:2: not an ext2/3/4 file system \(found swap\)'
expect 2 "$VMLAB" image cat "$img:9:/etc/fstab" && contains "$T/err" 'no partition 9 \(partitions: 1 2 3 5\)'
expect 2 "$VMLAB" image fix-root "$img:9" && contains "$T/err" 'no partition 9'
expect 2 "$VMLAB" image fix-console "$img:2" && contains "$T/err" 'not an ext2/3/4'
expect 2 "$VMLAB" image cat "$img/etc/fstab" && contains "$T/err" "$img/etc/fstab: expected IMG\[:PART\]:/PATH"
expect 2 "$VMLAB" image cat "$img:0:/etc/fstab" && contains "$T/err" ':0:/etc/fstab: partition number must be 1..128'
expect 2 "$VMLAB" image cat "$img:/etc/nope" && contains "$T/err" 'disk.img:1:/etc/nope: no such file'
expect 2 "$VMLAB" image cat "$img:/etc" && contains "$T/err" 'is a folder'
expect 2 "$VMLAB" image inspect "$T/missing.img" && contains "$T/err" 'missing.img'
# test_empty_image_is_an_error: a 0-byte file is not an empty disk
: >"$T/empty.img"
expect 2 "$VMLAB" image inspect "$T/empty.img" && contains "$T/err" 'empty.img: empty \(0 bytes\): not a disk image'
expect 2 "$VMLAB" image fix-console "$T/empty.img" && contains "$T/err" 'empty.img: empty'
[ -s "$T/empty.img" ] && fail "a refused edit wrote to empty.img"
# read-only image: refused even for root (the mode bits are honoured)
chmod 0444 "$img"
expect 2 "$VMLAB" image fix-console "$img" && contains "$T/err" 'read-only \(mode 0444\).*nothing changed'
chmod 0644 "$img"
# used by a running Xen domain (recorded `xl list -l` output)
printf '[ { "domid": 4, "config": { "c_info": { "type": "hvm", "name": "guest4" }, "disks": [ { "pdev_path": "%s", "vdev": "hda" } ] } } ]\n' "$img" >"$T/xl.json"
expect 2 "$VMLAB" image fix-root "$img" --xl-list-json "$T/xl.json"
contains "$T/err" 'running Xen domain guest4 \(domain 4, disk hda\)'
[ "$(sha256sum "$img" | cut -d' ' -f1)" = "$sum" ] || fail "a refused edit changed the image"
ls "$T"/disk.img.*e2undo >/dev/null 2>&1 && fail "a refused edit left an undo file"
# attached to a loop device (when this machine lets us make one)
if loop=$(losetup --show -f -r "$img" 2>/dev/null); then
  expect 2 "$VMLAB" image fix-root "$img" && contains "$T/err" "attached to $loop"
  losetup -d "$loop"
  # the image as a block device: edits work there too (undo file in the
  # current folder), and a mounted one is refused
  if loop=$(losetup --show -f "$img" 2>/dev/null); then
    (cd "$T" && "$VMLAB" image fix-console "$loop" >"$T/out" 2>"$T/err") || fail "fix-console on $loop: $(cat "$T/err")"
    contains "$T/out" "undo file $(basename "$loop").p1.e2undo"
    (cd "$T" && e2undo -o 1048576 "$(basename "$loop").p1.e2undo" "$loop" >/dev/null 2>&1) || fail "e2undo on $loop"
    rm -f "$T/$(basename "$loop").p1.e2undo"
    losetup -d "$loop"
    same "$img" "$T/orig.img"
  fi
  mke2fs -q -F -t ext4 -d "$T/root" "$T/m.img" 8M >/dev/null 2>&1
  if loop=$(losetup --show -f "$T/m.img" 2>/dev/null) && mkdir -p "$T/mnt" && mount -o ro "$loop" "$T/mnt" 2>/dev/null; then
    expect 2 "$VMLAB" image fix-console "$loop" && contains "$T/err" "$loop is mounted on $T/mnt"
    umount "$T/mnt"
  else
    echo "note: cannot mount here; the mounted-image refusal is not exercised"
  fi
  [ -n "${loop:-}" ] && losetup -d "$loop" 2>/dev/null
else
  echo "note: no loop device here; the attached-image refusal is not exercised"
fi
# not an ext file system at all, and a disk without a table
truncate -s 1M "$T/zero.img"
expect 2 "$VMLAB" image cat "$T/zero.img:/etc/fstab" && contains "$T/err" 'zero.img: not an ext2/3/4 file system \(no known signature\)'
mke2fs -q -F -t ext4 -d "$T/root" "$T/whole.img" 8M >/dev/null 2>&1
expect 0 "$VMLAB" image cat "$T/whole.img:/etc/fstab" && same "$T/out" "$T/root/etc/fstab"
expect 2 "$VMLAB" image cat "$T/whole.img:1:/etc/fstab" && contains "$T/err" 'no partition table'

# a file system larger than its partition would spill into the next one
cp "$T/orig.img" "$T/over.img"
mke2fs -q -F -t ext4 -E offset=$((2048 * 512)) -d "$T/root" "$T/over.img" 17M >/dev/null 2>&1 || fail "mke2fs over"
sum=$(sha256sum "$T/over.img" | cut -d' ' -f1)
expect 2 "$VMLAB" image fix-console "$T/over.img:1" && contains "$T/err" 'over.img:1: the file system \(17825792 bytes\) is larger than its partition \(15728640 bytes\)'
[ "$(sha256sum "$T/over.img" | cut -d' ' -f1)" = "$sum" ] || fail "a refused edit changed over.img"

# a journal that needs recovery (the guest was not shut down cleanly)
if command -v debugfs >/dev/null; then
  cp "$T/orig.img" "$T/dirty.img"
  debugfs -w -R "feature needs_recovery" "$T/dirty.img?offset=1048576" >/dev/null 2>&1 || fail "debugfs"
  sum=$(sha256sum "$T/dirty.img" | cut -d' ' -f1)
  expect 2 "$VMLAB" image fix-root "$T/dirty.img" && contains "$T/err" 'journal needs recovery.*nothing changed'
  [ "$(sha256sum "$T/dirty.img" | cut -d' ' -f1)" = "$sum" ] || fail "refused edit of a dirty file system changed it"
  ls "$T"/dirty.img.*e2undo >/dev/null 2>&1 && fail "refused edit of a dirty file system left an undo file"
fi

# Image 2: GPT, systemd guest: fix-console enables serial-getty@hvc0.service.
mkdir -p "$T/sd/etc/systemd/system/getty.target.wants" "$T/sd/lib/systemd/system"
: >"$T/sd/lib/systemd/system/serial-getty@.service"
ln -s /lib/systemd/system/getty@.service "$T/sd/etc/systemd/system/getty.target.wants/getty@tty1.service"
printf 'UUID=0000 / ext4 defaults 0 1\n' >"$T/sd/etc/fstab"
img2=$T/gpt.img
truncate -s 32M "$img2"
printf 'label: gpt\nstart=2048, size=4096, type=21686148-6449-6E6F-744E-656564454649\nstart=6144, size=40960, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n' |
  sfdisk -q --no-reread --no-tell-kernel "$img2" || fail "sfdisk gpt"
mke2fs -q -F -t ext4 -E offset=$((6144 * 512)) -d "$T/sd" "$img2" 20M || fail "mke2fs gpt"
cp "$img2" "$T/orig2.img"
expect 0 "$VMLAB" image inspect "$img2" && contains "$T/out" 'GPT partition table'
contains "$T/out" 'systemd gettys enabled: +getty@tty1.service$'
contains "$T/out" 'inittab gettys: +\(no /etc/inittab\)'
expect 0 "$VMLAB" image fix-console "$img2"
contains "$T/out" 'getty.target.wants/serial-getty@hvc0.service: \+ symbolic link -> /lib/systemd/system/serial-getty@.service'
e2fsck -fn "$img2?offset=$((6144 * 512))" >"$T/fsck" 2>&1 || { fail "e2fsck after symlink"; tail -5 "$T/fsck" >&2; }
expect 0 "$VMLAB" image ls "$img2:2:/etc/systemd/system/getty.target.wants"
contains "$T/out" '^lrwxrwxrwx .* serial-getty@hvc0.service -> /lib/systemd/system/serial-getty@.service$'
expect 0 "$VMLAB" image fix-root "$img2" && contains "$T/out" 'no entry to rewrite'
e2undo -o $((6144 * 512)) "$img2.p2.e2undo" "$img2" >/dev/null 2>&1 || fail "e2undo gpt"
same "$img2" "$T/orig2.img"

# ext2 and ext3 disks without a partition table, a file spanning blocks
mkdir -p "$T/big/etc"
cp "$T/root/etc/inittab" "$T/big/etc/inittab"
for i in $(seq 1 400); do echo "# padding line $i, so the file spans several blocks" >>"$T/big/etc/inittab"; done
sed 's/38400 tty2$/38400 hvc0/' "$T/big/etc/inittab" >"$T/big.want"
for k in ext2 ext3; do
  mke2fs -q -F -t $k -d "$T/big" "$T/$k.img" 8M >/dev/null 2>&1 || { fail "mke2fs $k"; continue; }
  cp "$T/$k.img" "$T/$k.orig"
  expect 0 "$VMLAB" image fix-console "$T/$k.img" && contains "$T/out" "undo file $T/$k.img.e2undo"
  e2fsck -fn "$T/$k.img" >"$T/fsck" 2>&1 || { fail "e2fsck -fn $k"; tail -5 "$T/fsck" >&2; }
  expect 0 "$VMLAB" image cat "$T/$k.img:/etc/inittab" && same "$T/out" "$T/big.want"
  e2undo "$T/$k.img.e2undo" "$T/$k.img" >/dev/null 2>&1 || fail "e2undo $k"
  same "$T/$k.img" "$T/$k.orig"
done

# test_killed_edit_rolls_back: an edit killed at any of its write points
# (VMLAB_TEST_KILL_AT_WRITE=N raises SIGKILL at the N-th) leaves the image
# either as before (with IMG.vmlab-edit, which the next vmlab image command
# rolls back, saying so) or as after with an undo file e2undo accepts;
# e2fsck -fn is clean and the file whole after every one.
mkdir -p "$T/k/etc"
cp "$T/root/etc/inittab" "$T/k/etc/inittab"
printf '/dev/sda1 / ext4 defaults 0 1\n' >"$T/k/etc/fstab"
kimg=$T/kill.img
truncate -s 24M "$kimg"
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q --no-reread --no-tell-kernel "$kimg" || fail "sfdisk kill.img"
mke2fs -q -F -t ext4 -E offset=1048576 -d "$T/k" "$kimg" 16M || fail "mke2fs kill.img"
cp "$kimg" "$T/kill.orig"
for sub in fix-console:/etc/inittab fix-root:/etc/fstab; do
  cmd=${sub%%:*} file=${sub#*:}
  "$VMLAB" image cat "$kimg:$file" >"$T/k.old" || fail "cat $file"
  cp "$kimg" "$T/k.tmp" && "$VMLAB" image "$cmd" "$T/k.tmp" >/dev/null || fail "$cmd without a kill"
  "$VMLAB" image cat "$T/k.tmp:$file" >"$T/k.new"
  rm -f "$T"/k.tmp*
  cmp -s "$T/k.old" "$T/k.new" && fail "$cmd changes nothing in $file"
  done_at=0 kills=0
  for n in $(seq 1 40); do
    cp "$T/kill.orig" "$kimg"
    rm -f "$kimg".*
    rc=0
    (VMLAB_TEST_KILL_AT_WRITE=$n "$VMLAB" image "$cmd" "$kimg" >/dev/null 2>&1) 2>/dev/null || rc=$?
    if [ $rc = 0 ]; then done_at=$n; break; fi
    [ $rc = 137 ] || { fail "$cmd killed at write $n: exit $rc, wanted 137 (SIGKILL)"; continue; }
    kills=$((kills + 1))
    had_log=0; [ -e "$kimg.vmlab-edit" ] && had_log=1
    expect 0 "$VMLAB" image cat "$kimg:$file" || continue
    [ $had_log = 1 ] && contains "$T/err" "kill.img: an edit was interrupted; rolled back from .*kill.img.vmlab-edit"
    [ -e "$kimg.vmlab-edit" ] && fail "$cmd killed at write $n: the edit record is still there"
    e2fsck -fn "$kimg?offset=1048576" >"$T/fsck" 2>&1 || { fail "$cmd killed at write $n: e2fsck -fn:"; tail -5 "$T/fsck" >&2; }
    if cmp -s "$T/out" "$T/k.old"; then
      same "$kimg" "$T/kill.orig"
      [ -e "$kimg.p1.e2undo" ] && fail "$cmd killed at write $n: rolled back but left an undo file"
      # the re-run is not refused
      expect 0 "$VMLAB" image "$cmd" "$kimg" && contains "$T/out" "undo file $kimg.p1.e2undo"
    elif cmp -s "$T/out" "$T/k.new"; then
      :
    else
      fail "$cmd killed at write $n: $file is neither the old nor the new one"
    fi
    # whatever undo file is there, the printed e2undo command restores the original
    if [ -e "$kimg.p1.e2undo" ]; then
      e2undo -o 1048576 "$kimg.p1.e2undo" "$kimg" >"$T/e2undo" 2>&1 || { fail "$cmd killed at write $n: e2undo refuses:"; cat "$T/e2undo" >&2; }
      same "$kimg" "$T/kill.orig"
    fi
  done
  [ $done_at -gt 0 ] || fail "$cmd still killed at write 40"
  [ $kills -ge 4 ] || fail "$cmd: only $kills write points"
  echo "$cmd: killed at each of $kills write points, recovered every time"
done
# a damaged edit record: exit 2 naming its byte offset, nothing changed
cp "$T/kill.orig" "$kimg"
printf 'VMLABED1 torn' >"$kimg.vmlab-edit"
expect 2 "$VMLAB" image cat "$kimg:/etc/inittab" && contains "$T/err" 'kill.img.vmlab-edit: byte [0-9]+: .*nothing changed'
same "$kimg" "$T/kill.orig"
[ -e "$kimg.vmlab-edit" ] || fail "a damaged edit record was removed"
rm -f "$kimg.vmlab-edit"
finish
