#!/usr/bin/env bash
# Handout task 1 end to end on the vmlab testbed: one minimal Debian 12 disk
# (partition table, / on partition 1, console mode, GRUB for BIOS with the
# kernel in /boot from `vmlab image mkboot --in-place`) on a 500 MB LV that
# boots as an HVM guest through SeaBIOS and its own GRUB and, after `vmlab
# cfg convert --to pv`, `vmlab image fix-console` and `vmlab image fix-root`,
# as a PV guest with dom0's kernel; then `vmlab up` refusing the HVM config
# while the PV guest uses the disk. Then the other way around: a PV guest's
# disk (no partition table) booted as HVM with a boot volume from `vmlab
# image mkboot --root`, and as PV again, each refused while the other runs.
# Usage: examples/task1/run.sh [--no-hvm] [--no-pv-hvm | --only-pv-hvm] [--rebuild-image]
# --no-hvm skips the HVM boot of the task-1 disk (about 4 minutes under TCG),
# --no-pv-hvm the PV -> HVM part (about 10 minutes), --only-pv-hvm runs just
# that part (steps 0-2 without the task-1 LV, then 7); --with-hvm is the default.
# Run as root on Debian 12 (debootstrap and mke2fs -d need root to keep file
# owners). Caches under $VMLAB_HOME/task1 (default ~/.cache/vmlab/task1).
# Always leaves the testbed as it found it (down if this script started it).
# Exit status: 0 every step passed, 1 a step failed, 2 bad usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
with_hvm=1 with_pvhvm=1 task1=1 rebuild=0
for a in "$@"; do
	case $a in
	--with-hvm) with_hvm=1 ;;
	--no-hvm) with_hvm=0 ;;
	--no-pv-hvm) with_pvhvm=0 ;;
	--only-pv-hvm) task1=0 with_hvm=0 with_pvhvm=1 ;;
	--rebuild-image) rebuild=1 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$a' (see --help)" >&2; exit 2 ;;
	esac
done

export VMLAB_HOME=${VMLAB_HOME:-$HOME/.cache/vmlab}
VMLAB=${VMLAB:-$repo/build/vmlab}
work=$VMLAB_HOME/task1
tb=$VMLAB_HOME/testbed
suite=bookworm
mirror=${TASK1_MIRROR:-http://deb.debian.org/debian}
lv=/dev/vg0/task1
pvlv=/dev/vg0/task1pv bootlv=/dev/vg0/task1boot pv_mb=400
size_mb=500
guest_ip=10.0.0.50
password=task1
cfgdir=/etc/xen/task1

t_start=$SECONDS t_step=$SECONDS
heading() {
	t_step=$SECONDS
	printf '\n=== %s\n' "$*"
}
took() { printf -- '--- %s: %d s\n' "$*" $((SECONDS - t_step)); }
note() { printf '    %s\n' "$*"; }
die() {
	echo "run.sh: FAILED: $*" >&2
	exit 1
}
vm() { "$VMLAB" "$@"; }
dom0() { "$VMLAB" testbed exec -- "$@"; }
# dom0_sh SCRIPT: runs one sh script line in dom0.
dom0_sh() { "$VMLAB" testbed exec -- sh -c "$1"; }
# ms: milliseconds since the epoch, for sub-second step timings.
ms() { date +%s%3N; }
# pack_image IMG MAP GZ: the data extents of the sparse file IMG (its holes
# read as zeros: put_image zeroes the target first) as "OFFSET LENGTH" lines
# into MAP, their bytes into GZ.
pack_image() {
	xfs_io -r -c "seek -a -r 0" "$1" | awk '
		$1 == "DATA" { d = $2 } $1 == "HOLE" && d != "" { print d, $2 - d; d = "" }' >"$2"
	while read -r off len; do
		dd if="$1" bs=4096 skip=$((off / 4096)) count=$((len / 4096)) status=none
	done <"$2" | gzip -1 >"$3"
}
# put_image GZ MAP DEV: copies a pack_image pack to dom0 and writes it to DEV,
# zeroed first: the pack leaves out the image's holes (zero blocks, also
# inside files, made holes by dd conv=sparse), and a reused LV holds the bytes
# of what was there before.
put_image() {
	vm testbed cp "$1" dom0:/tmp/task1.pack.gz
	vm testbed cp "$2" dom0:/tmp/task1.pack.map
	dom0_sh "dd if=/dev/zero of=$3 bs=1M 2>/dev/null; set -e; gunzip -c /tmp/task1.pack.gz >/tmp/task1.pack; rm /tmp/task1.pack.gz; pos=0; \
		while read -r off len; do \
			dd if=/tmp/task1.pack of=$3 bs=4096 skip=\$((pos / 4096)) seek=\$((off / 4096)) \
				count=\$((len / 4096)) conv=notrunc 2>/dev/null; \
			pos=\$((pos + len)); \
		done </tmp/task1.pack.map; sync; rm -f /tmp/task1.pack /tmp/task1.pack.map"
}
# The HVM kernel's command line beyond root= and console=ttyS0 (grub.cfg):
# xen_emul_unplug=nics keeps the emulated IDE disks (/dev/sda as after an HVM
# install), the NIC is a PV one.
hvm_append="xen_emul_unplug=nics random.trust_cpu=on cryptomgr.notests"

[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (debootstrap, file owners in the image)" >&2; exit 2; }

# ---- 0. Tools, vmlab, the testbed images --------------------------------
heading "0. tools, vmlab and the testbed images"
"$repo/scripts/install-deps"
if [ ! -x "$VMLAB" ]; then
	(cd "$repo" && scripts/build build) >/dev/null
fi
note "vmlab: $VMLAB ($("$VMLAB" --version))"
"$VMLAB" testbed build
kver=$(sed -n 's/^KERNEL=//p' "$tb/build.env")
pkgroot=$tb/pkgroot
[ -n "$kver" ] && [ -d "$pkgroot/lib/modules/$kver" ] || die "testbed build left no kernel in $tb"
took "testbed build (kernel $kver)"

# ---- 1. The guest disk image, built on the host without mounting ----------
heading "1. a minimal Debian 12 disk image with a partition table (${size_mb} MB)"
mkdir -p "$work"
[ $rebuild = 1 ] && rm -rf "$work/rootfs" "$work/disk.img" "$work/pack.gz" "$work/pack.map" "$work/image.stamp"
if [ ! -f "$work/rootfs/.complete" ]; then
	note "debootstrap --variant=minbase $suite from $mirror (a few minutes, once)"
	rm -rf "$work/rootfs.tmp"
	debootstrap --variant=minbase \
		--include=sysvinit-core,openssh-server,ifupdown,iproute2,kmod,netbase,procps \
		"$suite" "$work/rootfs.tmp" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		die "debootstrap failed (log: $work/debootstrap.log)"
	touch "$work/rootfs.tmp/.complete"
	mv "$work/rootfs.tmp" "$work/rootfs"
	took "debootstrap"
else
	note "root file system cached in $work/rootfs"
fi
r=$work/rootfs
# Minimal: no package lists, documentation, manual pages or translations
# (half of the image; dpkg leaves them out of later installs too).
rm -rf "$r/var/cache/apt/"*.bin "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*_* \
	"$r/usr/share/man/"* "$r/usr/share/locale/"* "$r/usr/share/info/"*
find "$r/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
cat >"$r/etc/dpkg/dpkg.cfg.d/01-task1-minimal" <<'EOF'
path-exclude=/usr/share/man/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
EOF

# modules_of NAME...: kernel modules with their dependencies, dependencies
# first, as paths relative to lib/modules/KVER (built-in ones are skipped).
modules_of() {
	local dep=$pkgroot/lib/modules/$kver/modules.dep seen="" out=""
	add() {
		local line d
		line=$(grep -E "/$1\.ko:" "$dep") || return 0
		case " $seen " in *" ${line%%:*} "*) return 0 ;; esac
		for d in ${line#*:}; do add "$(basename "$d" .ko)"; done
		seen="$seen ${line%%:*}"
		out="$out ${line%%:*}"
	}
	for m in "$@"; do add "$m"; done
	echo $out
}
# What / needs: the PV disk and NIC, the emulated IDE disk of an HVM guest,
# ext4.
boot_mods=$(modules_of crc32c_generic crct10dif_generic crc64_rocksoft_generic ext4 xen-blkfront ata_piix sd_mod)
guest_mods=$(modules_of $boot_mods xen-netfront)

# The guest's set-up, as an HVM install in console mode would leave it.
mkdir -p "$r/lib/modules/$kver"
for m in $guest_mods; do
	mkdir -p "$r/lib/modules/$kver/$(dirname "$m")"
	cp "$pkgroot/lib/modules/$kver/$m" "$r/lib/modules/$kver/$m"
done
cp "$pkgroot/lib/modules/$kver/modules.order" "$pkgroot/lib/modules/$kver/modules.builtin"* "$r/lib/modules/$kver/"
chroot "$r" /sbin/depmod "$kver"  # the guest's own kmod
printf 'xen-netfront\n' >"$r/etc/modules"
echo task1 >"$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\ttask1\n' >"$r/etc/hosts"
printf '# <file system> <mount point> <type> <options> <dump> <pass>\n/dev/sda1 / ext4 errors=remount-ro 0 1\n' >"$r/etc/fstab"
cat >"$r/etc/network/interfaces" <<EOF
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
	address $guest_ip/24
	gateway 10.0.0.1
EOF
# Console mode for HVM: a getty on the emulated serial port ttyS0, next to
# Debian's gettys on tty1..tty6 (the handout later moves tty2's to hvc0).
sed -i -e 's|^#\?T0:.*|T0:23:respawn:/sbin/getty -L ttyS0 115200 vt100|' "$r/etc/inittab"
grep -q '^T0:' "$r/etc/inittab" || echo 'T0:23:respawn:/sbin/getty -L ttyS0 115200 vt100' >>"$r/etc/inittab"
grep -q '^2:23:respawn:/sbin/getty 38400 tty2' "$r/etc/inittab" || die "$r/etc/inittab has no tty2 getty line"
hash=$(openssl passwd -6 -salt task1salt "$password")
sed -i "s|^root:[^:]*:|root:$hash:|" "$r/etc/shadow"
mkdir -p "$r/root/.ssh" && chmod 700 "$r/root/.ssh"
install -m 600 "$tb/id_ed25519.pub" "$r/root/.ssh/authorized_keys"

# The boot initramfs for direct kernel boot with dom0's kernel: busybox loads
# the disk and ext4 modules and hands over to the disk's /sbin/init.
ib=$work/initrd
rm -rf "$ib" && mkdir -p "$ib"/{bin,dev,proc,sys,root,lib/modules}
cp "$pkgroot/bin/busybox" "$ib/bin/busybox"
for a in sh mount umount insmod sleep cat switch_root findfs echo mkdir; do ln -s busybox "$ib/bin/$a"; done
for m in $boot_mods; do
	cp "$pkgroot/lib/modules/$kver/$m" "$ib/lib/modules/"
	basename "$m" >>"$ib/modules"
done
cat >"$ib/init" <<'EOF'
#!/bin/sh
# Mounts root= (a device, UUID= or LABEL=) read-only and starts its /sbin/init.
PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
root= init=/sbin/init
for w in $(cat /proc/cmdline); do
	case $w in
	root=*) root=${w#root=} ;;
	init=*) init=${w#init=} ;;
	esac
done
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done </modules
i=0
while [ $i -lt 300 ]; do
	case $root in
	UUID=*|LABEL=*) dev=$(findfs "$root" 2>/dev/null) ;;
	*) dev=$root ;;
	esac
	[ -n "$dev" ] && [ -b "$dev" ] && break
	sleep 0.1
	i=$((i + 1))
done
echo "initrd: root=$root is $dev"
mount -t ext4 -o ro "$dev" /root || { echo "initrd: cannot mount root=$root"; exec sh; }
umount /proc /sys
mount --move /dev /root/dev
exec switch_root /root "$init"
EOF
chmod 755 "$ib/init"
(cd "$ib" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9 >"$work/initrd.gz")

# The disk: partition 1 (from 1 MiB to the end) is an ext4 file system that
# mke2fs -d fills from the folder; dd puts it at the partition's offset.
# mke2fs writes every block the file system will read (inode tables and
# journal zeroed explicitly, nodiscard), so the partition image's data
# extents are all a copy needs: the rest is free space, never read. pack.gz
# holds the MBR and those extents; pack.map their "OFFSET LENGTH" on the disk.
stamp=$( (cd "$r" && find . -newer "$work/rootfs/.complete" -type f -exec sha256sum {} + | sort; echo "$size_mb") |
	sha256sum | cut -c1-16)
stamp=$stamp-$kver-mkboot-$(sha256sum <"$work/initrd.gz" | cut -c1-8)
if [ "$(cat "$work/image.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$work/pack.gz" ]; then
	t0=$(ms)
	rm -f "$work/disk.img" "$work/part.img" "$work/pack.gz" "$work/pack.map"
	truncate -s ${size_mb}M "$work/disk.img"
	printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.img"
	truncate -s $((size_mb - 1))M "$work/part.img"
	mke2fs -q -F -t ext4 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 -L task1-root -d "$r" "$work/part.img"
	e2fsck -fn "$work/part.img" >"$work/e2fsck.log" 2>&1 || die "e2fsck -fn: $(tail -3 "$work/e2fsck.log")"
	dd if="$work/part.img" of="$work/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
	rm -f "$work/part.img"
	# An HVM installation disk boots its own kernel: GRUB for BIOS in the MBR
	# gap, the kernel, the initramfs and grub.cfg (serial console) in /boot,
	# written through libext2fs; nothing is mounted.
	vm image mkboot "$work/disk.img" --in-place --kernel "$pkgroot/boot/vmlinuz-$kver" \
		--initrd "$work/initrd.gz" --append "$hvm_append" | sed 's/^/    /' || die "vmlab image mkboot --in-place failed"
	rm -f "$work/disk.img.p1.e2undo"
	e2fsck -fn "$work/disk.img?offset=1048576" >"$work/e2fsck.log" 2>&1 || die "e2fsck -fn after mkboot: $(tail -3 "$work/e2fsck.log")"
	pack_image "$work/disk.img" "$work/pack.map" "$work/pack.gz"
	echo "$stamp" >"$work/image.stamp"
	note "image built in $(( ($(ms) - t0) / 1000 )) s: $work/disk.img ($(du -m "$work/disk.img" | cut -f1) MB used of $size_mb)"
else
	note "image cached: $work/disk.img"
fi
packed_mb=$(awk '{ n += $2 } END { printf "%d", n / 1048576 }' "$work/pack.map")
note "to copy: $packed_mb MB in $(wc -l <"$work/pack.map") extents ($(du -m "$work/pack.gz" | cut -f1) MB compressed)"
vm image inspect "$work/disk.img" | sed 's/^/    /'
took "disk image"

# ---- 2. The testbed, the LV, the image on it ------------------------------
heading "2. testbed up, a ${size_mb} MB LV in vg0, the image on it"
# Shuts guest $1 down and waits until Xen no longer lists it: `xl shutdown -w`
# returns once the guest has shut down, while the domain still holds its
# disks until it is destroyed. Destroys it after 120 s.
stop_guest() {
	dom0_sh "xl shutdown -w $1 >/dev/null 2>&1 || xl destroy $1 >/dev/null 2>&1; i=0; while xl domid $1 >/dev/null 2>&1; do \
		i=\$((i + 1)); [ \$i = 240 ] && { echo '    $1 still listed after 120 s: xl destroy' >&2; xl destroy $1; }; \
		[ \$i -gt 300 ] && exit 1; sleep 0.5; done" || die "$1 is still listed after xl destroy"
}
started=0
cleanup() {
	local st=$?
	trap - EXIT
	if [ $st != 0 ] && "$VMLAB" testbed status >/dev/null 2>&1; then
		# what the guests' consoles showed, for the failure's cause
		mkdir -p "$work/console-logs"
		for f in task1-hvm-serial.log task1-hvm2-serial.log guest-task1-pv.log guest-task1-pv2.log; do
			"$VMLAB" testbed cp dom0:/var/log/xen/console/$f "$work/console-logs/$f" >/dev/null 2>&1 || true
		done
		echo "(the guests' console logs are in $work/console-logs)"
	fi
	if [ $started = 1 ]; then
		echo
		echo "=== teardown: guests and testbed"
		"$VMLAB" testbed exec -- sh -c 'for d in task1-pv task1-hvm task1-pv2 task1-hvm2; do xl destroy $d 2>/dev/null; done; true' \
			>/dev/null 2>&1 || true
		"$VMLAB" testbed down || true
	elif "$VMLAB" testbed status >/dev/null 2>&1; then
		"$VMLAB" testbed exec -- sh -c 'for d in task1-pv task1-hvm task1-pv2 task1-hvm2; do xl destroy $d 2>/dev/null; done; true' \
			>/dev/null 2>&1 || true
	fi
	printf '\n=== total: %d s, %s\n' $((SECONDS - t_start)) "$([ $st = 0 ] && echo "all steps passed" || echo "FAILED (status $st)")"
	exit $st
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if "$VMLAB" testbed status >/dev/null 2>&1; then
	note "the testbed is up already: using it (and leaving it up)"
else
	started=1
	"$VMLAB" testbed up
fi
took "testbed up"
t_step=$SECONDS
dom0_sh "xl list | grep -qw 'task1-[a-z0-9]*' && { echo 'a task1 guest runs already' >&2; exit 1; }; mkdir -p $cfgdir" ||
	die "a task1 guest runs already"
vm testbed cp "$work/initrd.gz" dom0:$cfgdir/initrd.gz
vm testbed cp "$here/console-login.sh" dom0:$cfgdir/console-login.sh
# The uncompressed kernel when the testbed has one (xl loads it without
# decompressing, which is slow in an emulated dom0).
pvkernel=/var/lib/vmlab/vmlinuz
dom0 test -f /var/lib/vmlab/vmlinux && pvkernel=/var/lib/vmlab/vmlinux
if [ $task1 = 1 ]; then
dom0_sh "\
	lvs vg0/task1 >/dev/null 2>&1 && lvremove -qfy vg0/task1 >/dev/null 2>&1; \
	lvcreate -qy -L ${size_mb}M -n task1 vg0 2>&1 | grep -v 'NOT backed up'; lvs --units m vg0/task1" ||
	die "could not create $lv"
put_image "$work/pack.gz" "$work/pack.map" $lv || die "could not write the image to $lv"
dom0 vmlab image inspect $lv | sed 's/^/    /'
took "LV created and image written ($packed_mb MB of data, $(du -m "$work/pack.gz" | cut -f1) MB compressed over ssh)"
fi

# ---- 3. HVM --------------------------------------------------------------
cat >"$work/hvm.cfg" <<EOF
# Task 1: the minimal Debian guest as HVM, in console mode: no VNC or SDL,
# the guest's console on the emulated serial port (xl console -t serial).
# SeaBIOS boots the disk's GRUB, which boots the disk's kernel (/boot); the
# emulated IDE disk (hda, seen as /dev/sda by the guest) and a PV NIC.
# tsc_mode: the testbed's emulated CPU has no invariant TSC, and Xen would
# trap every RDTSC (Linux runs one on each return to user mode).
type = "hvm"
name = "task1-hvm"
memory = 256
vcpus = 1
disk = [ 'phy:$lv,hda,w' ]
boot = "c"
vif = [ 'bridge=xenbr0,type=vif,mac=00:16:3e:00:01:32' ]
serial = "pty"
nographic = 1
vnc = 0
sdl = 0
tsc_mode = "native"
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
vm cfg check "$work/hvm.cfg" | sed 's/^/    /'
vm testbed cp "$work/hvm.cfg" dom0:$cfgdir/hvm.cfg

# wait_log FILE PATTERN SECONDS: in dom0, waits until FILE matches PATTERN.
# wait_log LOG PATTERN SECONDS [DOMAIN [SILENT]]: waits until LOG in dom0 has
# PATTERN; status 1 after SECONDS, 2 as soon as DOMAIN is no longer listed, 3
# when LOG has not grown for SILENT seconds.
wait_log() {
	dom0_sh "i=0; n=0; q=0; while ! grep -q '$2' $1 2>/dev/null; do i=\$((i + 1)); [ \$i -gt $3 ] && exit 1; \
		[ -n '${4:-}' ] && ! xl domid '${4:-}' >/dev/null 2>&1 && ! grep -q '$2' $1 2>/dev/null && exit 2; \
		if [ -n '${5:-}' ]; then m=\$(wc -c <$1 2>/dev/null || echo 0); \
			if [ \"\$m\" = \"\$n\" ]; then q=\$((q + 1)); [ \$q -gt ${5:-0} ] && exit 3; else n=\$m; q=0; fi; fi; \
		sleep 1; done"
}
# ssh_guest CMD...: runs CMD in the guest over ssh, through dom0.
ssh_guest() {
	local port key=$tb/id_ed25519 o
	port=$(sed -n 's/^port=//p' "$tb/state")
	o=(-i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=30)
	ssh "${o[@]}" -o "ProxyCommand=ssh $(printf '%q ' "${o[@]}") -p $port -W %h:%p root@127.0.0.1" \
		"root@$guest_ip" "$@"
}
# serial_log DOMAIN LOG: copies the HVM domain's serial pty (qemu-system-xen
# made it for serial="pty"; xl console -t serial attaches to it) into LOG in
# dom0, in the background (its pid in /run/task1-serial.pid).
serial_log() {
	dom0_sh "id=\$(xl domid $1); i=0; \
		while ! tty=\$(xenstore-read /local/domain/\$id/serial/0/tty 2>/dev/null); do sleep 1; i=\$((i+1)); [ \$i -gt 30 ] && exit 1; done; \
		stty -F \$tty raw -echo; cat \$tty >$2 2>/dev/null </dev/null & echo \$! >/run/task1-serial.pid; echo \"    serial console: \$tty, logged in $2\""
}
# wait_ssh WHAT: waits (60 s at most) until the guest answers over ssh.
wait_ssh() {
	local i=0
	until ssh_guest true 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 30 ] || die "ssh to $1 does not answer"
		sleep 2
	done
}
# console_login DOMAIN console|serial/0 LOG: logs in as root on the domain's
# console pty (the one xl console attaches to) with console-login.sh in dom0;
# LOG is the dom0 file holding the console output.
console_login() {
	dom0 sh $cfgdir/console-login.sh "$1" "$2" "$3" "$password" | sed 's/^/    console| /'
	[ "${PIPESTATUS[0]}" = 0 ]
}

if [ $with_hvm = 1 ]; then
	heading "3. boot it as HVM from its own disk (SeaBIOS, GRUB, the disk's kernel; emulated IDE and serial port)"
	log=/var/log/xen/console/task1-hvm-serial.log
	# An emulated HVM boot now and then triple-faults early in the kernel
	# (xl dmesg: "Triple fault - invoking HVM shutdown action 1", reboot,
	# destroyed by on_reboot) or hangs: booted again then, said so, up to
	# three boots in all.
	for attempt in 1 2 3; do
		t0=$(ms)
		dom0_sh "rm -f $log; vmlab up $cfgdir/hvm.cfg" || die "vmlab up hvm.cfg failed"
		note "xl create returned after $(( ($(ms) - t0) / 1000 )) s"
		# serial="pty": the console is a pty qemu-system-xen made; read it into a log.
		serial_log task1-hvm "$log" || die "task1-hvm has no serial pty"
		# a boot whose console stays silent for 600 s has hung (seen once after
		# GRUB's "Loading /boot/vmlinuz", the vCPU spinning): like a reset
		wait_log "$log" 'task1 login:' 3600 task1-hvm 600 && break
		st=$?
		dom0_sh "tail -c 1500 $log; echo; tail -4 /var/log/xen/xl-task1-hvm.log; kill \$(cat /run/task1-serial.pid) 2>/dev/null; true" |
			sed 's/^/    | /' || true
		why=$(case $st in 2) echo "its domain ended" ;; 3) echo "its console was silent for 600 s" ;; *) echo "within 3600 s" ;; esac)
		{ [ $st = 2 ] || [ $st = 3 ]; } && [ $attempt -lt 3 ] || die "the HVM guest reached no login prompt ($why)"
		note "the HVM guest reached no login prompt ($why; above); booting it once more"
		stop_guest task1-hvm
	done
	t_login=$(( ($(ms) - t0) / 1000 ))
	note "login prompt on ttyS0 after $t_login s$([ $attempt -gt 1 ] && echo " (boot $attempt)"):"
	dom0_sh "tr -d '\r' <$log | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -a -o -E 'GNU GRUB +version [^ ]+|Loading /boot/[^ ]+|Linux version [^ ]+|initrd: .*|task1 login:' | head -6" |
		sed 's/^/    console| /'
	dom0_sh "grep -a -q 'GNU GRUB' $log && grep -a -q 'Loading /boot/vmlinuz' $log" ||
		die "the HVM guest's serial console shows no GRUB menu booting /boot/vmlinuz"
	console_login task1-hvm serial/0 "$log" || die "console login on the HVM guest failed"
	ssh_guest 'uname -a; cat /proc/cmdline; grep " / " /proc/mounts' | sed 's/^/    ssh| /' ||
		note "(ssh to the HVM guest did not answer)"
	t0=$(ms)
	stop_guest task1-hvm
	dom0_sh "kill \$(cat /run/task1-serial.pid) 2>/dev/null; true"
	note "HVM guest stopped and gone in $(( ($(ms) - t0) / 1000 )) s"
	took "HVM"
else
	heading "3. HVM boot skipped (--no-hvm); config: $work/hvm.cfg"
fi

# ---- 4. PV ---------------------------------------------------------------
if [ $task1 = 1 ]; then
heading "4. the PV config, the console and root fixes, boot as PV"
dom0 vmlab cfg convert $cfgdir/hvm.cfg --to pv -o $cfgdir/pv.cfg \
	--kernel $pvkernel --ramdisk $cfgdir/initrd.gz | sed 's/^/    /' ||
	die "vmlab cfg convert failed"
# The HVM guest's kernel words (random.trust_cpu=on, cryptomgr.notests: a
# faster boot under emulation) now come from the disk's grub.cfg; the PV
# guest gets them on its command line.
dom0 vmlab cfg set $cfgdir/pv.cfg 'extra="console=hvc0 random.trust_cpu=on cryptomgr.notests"' ||
	die "vmlab cfg set pv.cfg extra"
vm testbed cp dom0:$cfgdir/pv.cfg "$work/pv.cfg"
sed 's/^/    pv.cfg| /' "$work/pv.cfg"
dom0 vmlab image fix-console $lv --console hvc0 | sed 's/^/    /' || die "fix-console failed"
dom0 vmlab image fix-root $lv | sed 's/^/    /' || die "fix-root failed"
dom0 vmlab image cat "$lv:/etc/inittab" | grep -E ':respawn:/sbin/getty' | sed 's/^/    inittab| /'
dom0 vmlab image cat "$lv:/etc/fstab" | grep -v '^#' | sed 's/^/    fstab| /'
took "convert and fixes"

t_step=$SECONDS
log=/var/log/xen/console/guest-task1-pv.log
t0=$(ms)
dom0_sh "rm -f $log; vmlab up $cfgdir/pv.cfg" || die "vmlab up pv.cfg failed"
note "xl create returned after $(( ($(ms) - t0) / 1000 )) s"
wait_log "$log" 'task1 login:' 900 task1-pv || { dom0_sh "tail -20 $log" || true; die "the PV guest reached no login prompt on hvc0"; }
note "login prompt on hvc0 after $(( ($(ms) - t0) / 1000 )) s:"
dom0_sh "tr -d '\r' <$log | grep -a -E 'initrd:|task1 login:' | head -3" | sed 's/^/    console| /'
console_login task1-pv console "$log" || die "console login on the PV guest failed"
wait_ssh "the PV guest ($guest_ip)"
note "ssh answers after $(( ($(ms) - t0) / 1000 )) s:"
ssh_guest 'uname -a; cat /proc/cmdline; grep " / " /proc/mounts' | sed 's/^/    ssh| /'
ssh_guest 'grep -q "root=/dev/xvda1" /proc/cmdline' || die "the PV guest's kernel command line has no root=/dev/xvda1"
took "PV boot"

# ---- 5. vmlab up refuses the HVM config while the PV guest runs ----------
heading "5. vmlab up hvm.cfg while the PV guest runs"
set +e
dom0 vmlab up $cfgdir/hvm.cfg >"$work/refusal.out" 2>&1
st=$?
set -e
sed 's/^/    /' "$work/refusal.out"
note "exit status $st"
[ $st = 1 ] && grep -q task1-pv "$work/refusal.out" && grep -q "$lv" "$work/refusal.out" ||
	die "vmlab up did not refuse hvm.cfg as expected"
dom0_sh "xl list | grep -w task1-hvm" >/dev/null 2>&1 && die "task1-hvm runs although vmlab up refused it"
took "refusal"

# ---- 6. Stop -------------------------------------------------------------
heading "6. stop the PV guest"
stop_guest task1-pv
took "PV guest shut down"
fi

# ---- 7. The other way around: a PV guest's disk booted as HVM -------------
if [ $with_pvhvm = 1 ]; then
	heading "7. PV -> HVM: a PV disk without a partition table, a new boot volume, HVM boot, then PV again"
	# The PV guest's disk: the same Debian, one ext4 file system on the whole
	# disk (no partition table), / by UUID, a getty on hvc0 (and on ttyS0).
	pvuuid=5e1ec7ed-7a51-4b00-8d15-000000000001
	cp "$r/etc/fstab" "$work/fstab.hvm" && cp "$r/etc/inittab" "$work/inittab.hvm"
	printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$pvuuid" >"$r/etc/fstab"
	sed -i 's|^2:23:respawn:/sbin/getty 38400 tty2|2:23:respawn:/sbin/getty 38400 hvc0|' "$r/etc/inittab"
	rm -f "$work/pvroot.img" "$work/boot.img"
	truncate -s ${pv_mb}M "$work/pvroot.img"
	st=0
	mke2fs -q -F -t ext4 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 -L task1-pv -U $pvuuid \
		-d "$r" "$work/pvroot.img" || st=$?
	cp "$work/fstab.hvm" "$r/etc/fstab" && cp "$work/inittab.hvm" "$r/etc/inittab"
	[ $st = 0 ] || die "mke2fs of the PV disk failed"
	# The boot volume, made on the host from the PV disk's file (the same
	# bytes as its LV; GRUB's tools are not in the testbed's dom0).
	vm image mkboot "$work/boot.img" --root "$work/pvroot.img" --size 64M \
		--kernel "$pkgroot/boot/vmlinuz-$kver" --initrd "$work/initrd.gz" --append "$hvm_append" |
		sed 's/^/    /' || die "vmlab image mkboot failed"
	vm image inspect "$work/boot.img" | sed -n '1,3p' | sed 's/^/    /'
	pack_image "$work/pvroot.img" "$work/pvroot.map" "$work/pvroot.gz"
	pack_image "$work/boot.img" "$work/boot.map" "$work/boot.gz"
	dom0_sh "for v in task1pv task1boot; do lvs vg0/\$v >/dev/null 2>&1 && lvremove -qfy vg0/\$v >/dev/null 2>&1; done; \
		lvcreate -qy -L ${pv_mb}M -n task1pv vg0 2>&1 | grep -v 'NOT backed up'; \
		lvcreate -qy -L 64M -n task1boot vg0 2>&1 | grep -v 'NOT backed up'; true"
	put_image "$work/pvroot.gz" "$work/pvroot.map" $pvlv || die "could not write $pvlv"
	put_image "$work/boot.gz" "$work/boot.map" $bootlv || die "could not write $bootlv"
	dom0 vmlab image inspect $pvlv | sed -n '1,3p' | sed 's/^/    /'
	# hvm2.cfg: task 1's HVM config with the PV guest's disk as hdb under
	# HVM and hda the boot volume vmlab image mkboot made (MBR, /boot, GRUB
	# for BIOS), whose kernel mounts / by the PV disk's UUID.
	cp "$work/hvm.cfg" "$work/hvm2.cfg"
	vm cfg set "$work/hvm2.cfg" 'name="task1-hvm2"' "disk=[ 'phy:$bootlv,hda,w', 'phy:$pvlv,hdb,w' ]" \
		"vif=[ 'bridge=xenbr0,type=vif,mac=00:16:3e:00:01:33' ]" || die "vmlab cfg set hvm2.cfg"
	cat >"$work/pv2.cfg" <<CFG
# Task 1, the other way around: the PV guest itself, dom0's kernel, / on the
# whole disk.
type = "pv"
name = "task1-pv2"
memory = 256
vcpus = 1
kernel = "$pvkernel"
ramdisk = "$cfgdir/initrd.gz"
root = "/dev/xvda ro"
extra = "console=hvc0 random.trust_cpu=on cryptomgr.notests"
disk = [ 'phy:$pvlv,xvda,w' ]
vif = [ 'bridge=xenbr0,mac=00:16:3e:00:01:34' ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
	vm cfg check "$work/hvm2.cfg" >/dev/null && vm cfg check "$work/pv2.cfg" >/dev/null || die "cfg check of hvm2.cfg/pv2.cfg"
	vm testbed cp "$work/hvm2.cfg" dom0:$cfgdir/hvm2.cfg
	vm testbed cp "$work/pv2.cfg" dom0:$cfgdir/pv2.cfg
	took "PV disk, boot volume, LVs"

	t_step=$SECONDS
	log=/var/log/xen/console/task1-hvm2-serial.log
	t0=$(ms)
	dom0_sh "rm -f $log; vmlab up $cfgdir/hvm2.cfg" || die "vmlab up hvm2.cfg failed"
	note "xl create returned after $(( ($(ms) - t0) / 1000 )) s"
	serial_log task1-hvm2 "$log" || die "task1-hvm2 has no serial pty"
	wait_log "$log" 'task1 login:' 1800 task1-hvm2 ||
		{ dom0_sh "tail -c 1500 $log" || true; die "the two-volume HVM guest reached no login prompt"; }
	note "login prompt on ttyS0 after $(( ($(ms) - t0) / 1000 )) s:"
	dom0_sh "tr -d '\r' <$log | grep -a -o -E 'GNU GRUB +version [^ ]+|Loading /vmlinuz[^ ]*|initrd: .*|task1 login:' | head -5" |
		sed 's/^/    console| /'
	dom0_sh "grep -a -q 'GNU GRUB' $log" || die "no GRUB menu on the two-volume HVM guest's serial console"
	console_login task1-hvm2 serial/0 "$log" || die "console login on the two-volume HVM guest failed"
	wait_ssh "the two-volume HVM guest"
	note "ssh answers after $(( ($(ms) - t0) / 1000 )) s:"
	ssh_guest 'uname -a; cat /proc/cmdline; grep " / " /proc/mounts' | sed 's/^/    ssh| /'
	ssh_guest "grep -q 'root=UUID=$pvuuid' /proc/cmdline" || die "the HVM guest's kernel did not get root=UUID=$pvuuid"
	# vmlab up refuses the PV guest while the HVM guest holds its root volume.
	set +e
	dom0 vmlab up $cfgdir/pv2.cfg >"$work/refusal2.out" 2>&1
	st=$?
	set -e
	sed 's/^/    /' "$work/refusal2.out"
	[ $st = 1 ] && grep -q task1-hvm2 "$work/refusal2.out" && grep -q "$pvlv" "$work/refusal2.out" ||
		die "vmlab up did not refuse pv2.cfg while task1-hvm2 runs (status $st)"
	stop_guest task1-hvm2
	dom0_sh "kill \$(cat /run/task1-serial.pid) 2>/dev/null; true"
	took "two-volume HVM boot, logins, refusal of the PV boot, stop"

	t_step=$SECONDS
	log=/var/log/xen/console/guest-task1-pv2.log
	t0=$(ms)
	dom0_sh "rm -f $log; vmlab up $cfgdir/pv2.cfg" || die "vmlab up pv2.cfg failed"
	wait_log "$log" 'task1 login:' 900 task1-pv2 || { dom0_sh "tail -20 $log" || true; die "the PV guest reached no login prompt"; }
	note "PV again: login prompt on hvc0 after $(( ($(ms) - t0) / 1000 )) s"
	wait_ssh "the PV guest"
	note "ssh answers after $(( ($(ms) - t0) / 1000 )) s:"
	ssh_guest 'cat /proc/cmdline; grep " / " /proc/mounts' | sed 's/^/    ssh| /'
	set +e
	dom0 vmlab up $cfgdir/hvm2.cfg >"$work/refusal3.out" 2>&1
	st=$?
	set -e
	sed 's/^/    /' "$work/refusal3.out"
	[ $st = 1 ] && grep -q task1-pv2 "$work/refusal3.out" || die "vmlab up did not refuse hvm2.cfg while task1-pv2 runs"
	stop_guest task1-pv2
	took "PV boot from the same root volume, refusal of the HVM boot, stop"
fi
