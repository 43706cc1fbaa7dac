#!/usr/bin/env bash
# vmlab cfg check and vmlab cfg convert on real files: partitioned images
# made by sfdisk, conversions in every direction, dry runs and bad input.
. "$(dirname "$0")/../lib.sh"
command -v sfdisk >/dev/null || skip "sfdisk not installed"
ORACLE=$(dirname "$VMLAB")/tests/oracle/xlu_oracle
SPEC_ORACLE=$(dirname "$VMLAB")/tests/oracle/xlu_spec_oracle

# what libxlutil itself reads (the file, then each disk and pci spec through
# xlu_disk_parse and xlu_pci_parse_spec_string), when the oracles were built
oracle_ok() {
  if [ -x "$ORACLE" ]; then
    "$ORACLE" "$1" disk >"$T/oracle" && contains "$T/oracle" '^parse ok$'
  fi
  if [ -x "$SPEC_ORACLE" ]; then
    "$SPEC_ORACLE" "$1" >"$T/spec-oracle" || fail "libxlutil rejects a spec of $1: $(cat "$T/spec-oracle")"
  fi
}

# dom0's /boot: the newest kernel with an initrd is 6.1.0-18 (6.5 has none)
mkdir -p "$T/boot"
for f in vmlinuz-6.1.0-9-amd64 initrd.img-6.1.0-9-amd64 vmlinuz-6.1.0-18-amd64 \
         initrd.img-6.1.0-18-amd64 vmlinuz-6.5.0-1-amd64; do : >"$T/boot/$f"; done

# a 64 MiB sparse disk: swap first, the Linux root second
truncate -s 64M "$T/disk.img"
printf 'label: dos\n,16MiB,S\n,,L\n' | sfdisk -q "$T/disk.img" || fail "sfdisk"
cat >"$T/hvm.cfg" <<CFG
# the installed guest
type = "hvm"
name = "t1"
memory = 256
disk = [ 'phy:$T/disk.img,hda,w', '/x.iso,,hdc,cdrom' ]
vif = [ 'bridge=xenbr0,model=e1000' ]
serial = "pty"   # console mode
vnc = 0
boot = "dc"
CFG
cp "$T/hvm.cfg" "$T/hvm.orig"

expect 0 "$VMLAB" cfg check "$T/hvm.cfg" && [ ! -s "$T/out" ] || fail "clean config reported: $(cat "$T/out")"

# HVM -> PV: root on partition 2, read from the partition table
expect 0 "$VMLAB" cfg convert "$T/hvm.cfg" --to pv --boot-dir "$T/boot" -o "$T/pv.cfg"
contains "$T/out" '^disk: hda -> xvda: pv guests see only PV block devices'
contains "$T/out" '^disk: hdc \(CD-ROM /x.iso\) dropped'
contains "$T/out" '^root: "/dev/xvda2 ro": partition 2 is the first Linux partition'
contains "$T/out" '^serial: removed'
contains "$T/pv.cfg" "^type = 'pv'$"
contains "$T/pv.cfg" "^name = 't1-pv'$"
contains "$T/pv.cfg" "^root = '/dev/xvda2 ro'$"
contains "$T/pv.cfg" "^extra = 'console=hvc0'$"
contains "$T/pv.cfg" "^kernel = '$T/boot/vmlinuz-6.1.0-18-amd64'$"
contains "$T/pv.cfg" "^ramdisk = '$T/boot/initrd.img-6.1.0-18-amd64'$"
contains "$T/pv.cfg" "^disk = \[ 'phy:$T/disk.img,xvda,w' \]$"
contains "$T/pv.cfg" "^vif = \[ 'bridge=xenbr0' \]$"
contains "$T/pv.cfg" '^# the installed guest$'
contains "$T/pv.cfg" '^memory = 256$'
grep -qE '^(serial|vnc|boot) ' "$T/pv.cfg" && fail "HVM-only keys left in pv.cfg"
same "$T/hvm.cfg" "$T/hvm.orig"
expect 0 "$VMLAB" cfg check "$T/pv.cfg"
oracle_ok "$T/pv.cfg"

# GPT with an EFI partition first; no table at all; --root-partition wins
truncate -s 64M "$T/gpt.img"
printf 'label: gpt\n,8MiB,U\n,,L\n' | sfdisk -q "$T/gpt.img" || fail "sfdisk gpt"
sed "s|$T/disk.img|$T/gpt.img|" "$T/hvm.cfg" >"$T/gpt.cfg"
expect 0 "$VMLAB" cfg convert "$T/gpt.cfg" --to pv --boot-dir "$T/boot" --dry-run
contains "$T/out" "^root: \"/dev/xvda2 ro\": partition 2 is the first Linux partition in .*GPT"
truncate -s 8M "$T/fs.img"
sed "s|$T/disk.img|$T/fs.img|" "$T/hvm.cfg" >"$T/fs.cfg"
expect 0 "$VMLAB" cfg convert "$T/fs.cfg" --to pv --boot-dir "$T/boot" --dry-run
contains "$T/out" '^root: "/dev/xvda ro": .* has no partition table'
expect 0 "$VMLAB" cfg convert "$T/hvm.cfg" --to pv --kernel /k --ramdisk /r --root-partition 3 \
  --name web --dry-run
contains "$T/out" '^root: "/dev/xvda3 ro": --root-partition 3'
contains "$T/out" "^name = 'web'$"
contains "$T/out" "^kernel = '/k'$"

# HVM with direct kernel boot (the testbed's): kernel kept, ttyS0 -> hvc0
cat >"$T/direct.cfg" <<'CFG'
type = "hvm"
name = "hvm1"
kernel = "/boot/vmlinuz-6.1.0-56-amd64"
ramdisk = "/root/initramfs.gz"
extra = "console=ttyS0 quiet"
nographic = 1
serial = "file:/var/log/hvm1-serial.log"
disk = [ '/var/lib/vmlab/hvm1.img,raw,xvda,rw' ]
CFG
expect 0 "$VMLAB" cfg convert "$T/direct.cfg" --to pvh --dry-run
contains "$T/out" '^kernel: "/boot/vmlinuz-6.1.0-56-amd64" kept'
contains "$T/out" "^extra = 'quiet console=hvc0'$"
contains "$T/out" "^type = 'pvh'$"
contains "$T/out" '^ramdisk = "/root/initramfs.gz"$'
# every disk spec style survives the renaming as libxlutil reads it
cat >"$T/styles.cfg" <<'CFG'
type = "hvm"
name = "styles"
disk = [ 'format=raw, vdev=hda, access=rw, target=/dev/vg/a',
         'raw:/dev/vg/b,hdb:disk,w', '/dev/vg/c,qcow2,sdc,r', 'vdev=hdd,target=/dev/vg/d,e' ]
pci = [ '0000:03:00.0,permissive=1' ]
CFG
expect 0 "$VMLAB" cfg check "$T/styles.cfg"
oracle_ok "$T/styles.cfg"
expect 0 "$VMLAB" cfg convert "$T/styles.cfg" --to pv --kernel /k -o "$T/styles-pv.cfg"
contains "$T/styles-pv.cfg" "'format=raw, vdev=xvda, access=rw, target=/dev/vg/a'"
contains "$T/styles-pv.cfg" "'raw:/dev/vg/b,xvdb:disk,w'"
contains "$T/styles-pv.cfg" "'/dev/vg/c,qcow2,xvdc,r'"
contains "$T/styles-pv.cfg" "'vdev=xvdd,target=/dev/vg/d,e'"
oracle_ok "$T/styles-pv.cfg"
if [ -x "$SPEC_ORACLE" ]; then
  "$SPEC_ORACLE" "$T/styles-pv.cfg" >"$T/so" || true
  [ "$(grep -c '^disk ok' "$T/so")" = 4 ] || fail "libxlutil: $(cat "$T/so")"
  contains "$T/so" '^pci ok'
fi

# dry run: prints the config, writes nothing
expect 0 "$VMLAB" cfg convert "$T/hvm.cfg" --to pv --boot-dir "$T/boot" --dry-run -o "$T/dry.cfg"
contains "$T/out" 'dry run, not written'
contains "$T/out" "^type = 'pv'$"
[ -e "$T/dry.cfg" ] && fail "--dry-run wrote $T/dry.cfg"

# PV <-> PVH
expect 0 "$VMLAB" cfg convert "$T/pv.cfg" --to pvh -o "$T/pvh.cfg"
contains "$T/out" '^type: pv -> pvh'
contains "$T/pvh.cfg" "^type = 'pvh'$"
contains "$T/pvh.cfg" "^name = 't1-pvh'$"
contains "$T/pvh.cfg" "^root = '/dev/xvda2 ro'$"
expect 0 "$VMLAB" cfg check "$T/pvh.cfg"
oracle_ok "$T/pvh.cfg"
expect 0 "$VMLAB" cfg convert "$T/pvh.cfg" --to pv -o "$T/pv2.cfg"
contains "$T/pv2.cfg" "^type = 'pv'$"
contains "$T/pv2.cfg" "^name = 't1-pv'$"

# PV -> HVM: the two-volume layout and the commands that make the boot volume
cat >"$T/lv.cfg" <<'CFG'
name = "pv1"
type = "pv"
kernel = "/boot/vmlinuz-6.1.0-18-amd64"
ramdisk = "/boot/initrd.img-6.1.0-18-amd64"
root = "/dev/xvda ro"
extra = "console=hvc0"
memory = 512
disk = [ 'phy:/dev/vg0/pv1,xvda,w', 'phy:/dev/vg0/data,xvdb,w' ]
CFG
expect 0 "$VMLAB" cfg convert "$T/lv.cfg" --to hvm -o "$T/lv-hvm.cfg"
contains "$T/out" '^vmlab image mkboot /dev/vg0/pv1-boot --root /dev/vg0/pv1 --size 64M --kernel /boot/vmlinuz-6.1.0-18-amd64 --initrd /boot/initrd.img-6.1.0-18-amd64$'
contains "$T/out" '^disk: xvda -> xvdb: the PV volume'
contains "$T/out" '^disk: xvdb -> xvdc'
contains "$T/lv-hvm.cfg" "^type = 'hvm'$"
contains "$T/lv-hvm.cfg" "^disk = \[ 'format=raw,vdev=xvda,access=rw,target=/dev/vg0/pv1-boot', 'phy:/dev/vg0/pv1,xvdb,w', 'phy:/dev/vg0/data,xvdc,w' \]$"
contains "$T/lv-hvm.cfg" "^serial = 'pty'$"
grep -qE '^(kernel|ramdisk|root|extra) ' "$T/lv-hvm.cfg" && fail "PV boot keys left in HVM config"
expect 0 "$VMLAB" cfg check "$T/lv-hvm.cfg"
oracle_ok "$T/lv-hvm.cfg"
# a file boot volume, the script written to a file that sh can parse
expect 0 "$VMLAB" cfg convert "$T/lv.cfg" --to hvm --boot-volume "$T/my boot.img" \
  --script "$T/mkboot.sh" -o "$T/f-hvm.cfg"
contains "$T/mkboot.sh" "^vmlab image mkboot '$T/my boot.img' --root /dev/vg0/pv1 --size 64M --kernel "
sh -n "$T/mkboot.sh" || fail "generated script does not parse"
oracle_ok "$T/f-hvm.cfg"

# bad input: exit 2, nothing written
printf 'name = "x"\nmemory = = 5\n' >"$T/bad.cfg"
expect 2 "$VMLAB" cfg convert "$T/bad.cfg" --to pv -o "$T/bad-out.cfg"
contains "$T/err" 'bad.cfg:2:'
[ -e "$T/bad-out.cfg" ] && fail "wrote output for malformed input"
printf 'name = "x"\ntype = "hvm"\nmemory = 512\nmaxmem = 256\n' >"$T/bad2.cfg"
expect 2 "$VMLAB" cfg convert "$T/bad2.cfg" --to pv --kernel /k -o "$T/bad-out.cfg"
contains "$T/err" 'bad2.cfg:4:10: error: maxmem \(256 MB\) < memory \(512 MB\)'
[ -e "$T/bad-out.cfg" ] && fail "wrote output for a config with errors"
expect 2 "$VMLAB" cfg convert "$T/pv.cfg" --to pv -o "$T/bad-out.cfg"
contains "$T/err" 'already a pv guest'
expect 2 "$VMLAB" cfg convert "$T/hvm.cfg" --to pv --boot-dir "$T/nonexistent" -o "$T/bad-out.cfg"
contains "$T/err" 'give --kernel'
[ -e "$T/bad-out.cfg" ] && fail "wrote output without a kernel"
expect 2 "$VMLAB" cfg convert "$T/hvm.cfg" --to xen
expect 2 "$VMLAB" cfg convert "$T/hvm.cfg"

# cfg check: places, exit status, JSON
printf 'name = "x"\nkernel = "/k"\nvcpus = 2\ncap = 300\ndisk = [ "/dev/a,,hda" ]\n' >"$T/c.cfg"
expect 2 "$VMLAB" cfg check "$T/c.cfg" "$T/pv.cfg"
contains "$T/out" "^$T/c.cfg:4:7: error: cap 300 out of range 0..200"
contains "$T/out" "^$T/c.cfg:5:10: warning: disk 0: pv guests see only PV block devices"
printf 'name = "x"\nkernel = "/k"\nvga = "stdvga"\n' >"$T/w.cfg"
expect 0 "$VMLAB" cfg check "$T/w.cfg" && contains "$T/out" 'w.cfg:3:7: warning: vga is an HVM-only'
expect 0 "$VMLAB" cfg check --json "$T/w.cfg"
contains "$T/out" '"errors":0,"warnings":1'
expect 2 "$VMLAB" cfg check "$T/bad.cfg" && contains "$T/out" 'bad.cfg:2:'
expect 2 "$VMLAB" cfg check --json "$T/w.cfg" "$T/bad.cfg"
contains "$T/out" '"errors":1,"warnings":0,"diagnostics":\[\{"severity":"error","line":2,"col":[0-9]+,"message":"config parsing error'
expect 2 "$VMLAB" cfg check
# test_convert_without_disk_named: a guest with no disk= converts to nothing
# and says which disk it lacks (exit 2, nothing written).
printf 'name = "nd"\ntype = "hvm"\nmemory = 512\nvcpus = 1\n' >"$T/nd-hvm.cfg"
: >"$T/nd-k"; : >"$T/nd-r"
expect 2 "$VMLAB" cfg convert "$T/nd-hvm.cfg" --to pv --kernel "$T/nd-k" --ramdisk "$T/nd-r"
contains "$T/err" 'disk: no disk to boot from'
[ -e "$T/nd-hvm-pv.cfg" ] && fail "a config without disk was converted"
printf 'name = "nd"\ntype = "pv"\nmemory = 512\nvcpus = 1\nkernel = "/k"\n' >"$T/nd-pv.cfg"
expect 2 "$VMLAB" cfg convert "$T/nd-pv.cfg" --to hvm
contains "$T/err" 'disk: no disk holds the root file system'
finish
