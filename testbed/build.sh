#!/bin/bash
# Assembles the vmlab testbed from Debian 12 packages: downloads them with
# `apt-get download` (kept in OUT/debs), extracts them with `dpkg-deb -x` into
# OUT/pkgroot (nothing is installed on the host) and writes
#   OUT/xen.elf            the Xen hypervisor (multiboot ELF for QEMU -kernel)
#   OUT/vmlinuz            the one kernel for dom0, the bare baseline and guests
#   OUT/dom0-initrd.cpio   dom0's root file system (uncompressed newc cpio)
#   OUT/guest-initrd.gz    the PV/PVH/HVM guests' root file system
#   OUT/id_ed25519[.pub]   the ssh key that reaches dom0 and the guests
#   OUT/id_ed25519.dropbear  the same key for dbclient (one testbed's dom0 or
#                          guests reaching another testbed on a shared net)
#   OUT/build.env          KERNEL=..., what was built
#   OUT/testbed.env        the testbed's fixed facts (addresses, ready markers),
#                          written by vmlab (src/testbed/tbconst.h) and copied
#                          into both images as /etc/vmlab/testbed.env
# Usage: build.sh --out DIR --vmlab BINARY --env FILE [--rebuild]
# Environment: VMLAB_TESTBED_PACKAGES (package list, default packages.list
# here), VMLAB_TESTBED_NEED_MB (free space a build from nothing needs).
# Exit status: 0 built, 1 failed (the last line on stderr says why).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out= vmlab= env= rebuild=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--vmlab) vmlab=$2; shift 2 ;;
	--env) env=$2; shift 2 ;;
	--rebuild) rebuild=1; shift ;;
	*) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] && [ -n "$vmlab" ] && [ -n "$env" ] ||
	{ echo "usage: build.sh --out DIR --vmlab BINARY --env FILE [--rebuild]" >&2; exit 2; }
pkglist=${VMLAB_TESTBED_PACKAGES:-$here/packages.list}
need_mb=${VMLAB_TESTBED_NEED_MB:-1500}

die() { echo "vmlab testbed build: $*" >&2; exit 1; }
step() { printf '[%5ss] %s\n' "$SECONDS" "$*"; }

for tool in apt-get apt-cache dpkg-deb cpio gzip xz ssh ssh-keygen ldconfig sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed on this host (needed to assemble the testbed)"
done
[ -f "$pkglist" ] || die "$pkglist: no such package list"
[ -x "$vmlab" ] || die "$vmlab: no vmlab binary to copy into dom0 and the guests"
vmlab=$(readlink -f "$vmlab")
[ -f "$env" ] || die "$env: no testbed.env (vmlab writes it)"
env=$(readlink -f "$env")

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ $rebuild = 1 ]; then
	step "rebuild: removing $out"
	rm -rf "$out/debs" "$out/pkgroot" "$out/dom0" "$out/guest" "$out"/*.cpio "$out"/*.gz \
		"$out/xen.elf" "$out/vmlinuz" "$out/build.env" "$out/stamp" "$out/vmlab.bin" "$out"/id_ed25519* "$out/vg0.img"
fi

# Free space: a build from nothing needs about need_mb; a warm one little.
if [ ! -f "$out/pkgroot/.complete" ]; then
	avail_kb=$(df -Pk "$out" | awk 'NR==2 {print $4}')
	[ "$avail_kb" -ge $((need_mb * 1024)) ] ||
		die "$out: only $((avail_kb / 1024)) MB free, a build needs $need_mb MB (free some space or set VMLAB_HOME elsewhere)"
fi

# 1. The package list, with KERNEL resolved to the image apt offers.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6/ {print $2; exit}')
[ -n "$kernel_pkg" ] || die "apt offers no linux-image-6.1.0-*-amd64 (is this Debian 12 with apt-get update done?)"
kver=${kernel_pkg#linux-image-}
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e "s/^KERNEL\$/$kernel_pkg/" "$pkglist" | grep .)

# 2. Download what is not in OUT/debs yet.
mkdir -p "$out/debs"
missing=()
for p in "${pkgs[@]}"; do
	compgen -G "$out/debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "downloading ${#missing[@]} Debian packages into $out/debs"
	known=$(apt-cache show --no-all-versions "${missing[@]}" 2>/dev/null | sed -n 's/^Package: //p')
	for p in "${missing[@]}"; do
		grep -qxF "$p" <<<"$known" ||
			die "package '$p' (from $pkglist) is unknown to apt: run 'apt-get update' or fix the list"
	done
	(cd "$out/debs" && apt-get download "${missing[@]}") >"$out/download.log" 2>&1 ||
		die "apt-get download failed: $(grep -E '^(E|W):' "$out/download.log" | head -3 | tr '\n' ' ') (log: $out/download.log)"
fi

# 3. Extract into pkgroot once (a stamp names the package set).
pkgsum=$(printf '%s\n' "${pkgs[@]}" | sha256sum | cut -c1-16)
pkgroot=$out/pkgroot
if [ "$(cat "$pkgroot/.complete" 2>/dev/null)" != "$pkgsum" ]; then
	step "extracting ${#pkgs[@]} packages into $pkgroot"
	rm -rf "$pkgroot"; mkdir -p "$pkgroot"
	for p in "${pkgs[@]}"; do
		for d in "$out/debs/${p}"_*.deb; do dpkg-deb -x "$d" "$pkgroot"; done
	done
	"$pkgroot/bin/busybox" depmod -b "$pkgroot" "$kver"
	echo "$pkgsum" >"$pkgroot/.complete"
fi
[ -f "$pkgroot/boot/vmlinuz-$kver" ] || die "$pkgroot/boot/vmlinuz-$kver missing: run 'vmlab testbed build --rebuild'"

# 4. Skip assembly when nothing changed (scripts, vmlab binary, packages).
stamp=$( (echo "$pkgsum $kver"; cat "$here"/*.sh "$here"/dom0/* "$here"/guest/* "$env" "$vmlab") | sha256sum | cut -c1-16)
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$out/dom0-initrd.cpio" ] && [ -f "$out/guest-initrd.gz" ]; then
	cmp -s "$vmlab" "$out/vmlab.bin" || cp "$vmlab" "$out/vmlab.bin"
	step "up to date ($out)"
	exit 0
fi

# The ssh key (kept across assemblies so known sessions stay valid).
if [ ! -f "$out/id_ed25519" ]; then
	ssh-keygen -q -t ed25519 -N '' -C vmlab-testbed -f "$out/id_ed25519"
fi

gz() { gzip -dc "$1" >"$2"; }
gz "$pkgroot/boot/xen-4.17-amd64.gz" "$out/xen.elf.tmp" && mv "$out/xen.elf.tmp" "$out/xen.elf"
cp "$pkgroot/boot/vmlinuz-$kver" "$out/vmlinuz"
# The uncompressed ELF kernel for PV and PVH guests: xl loads it without
# decompressing (which costs tens of seconds in an emulated dom0).
extract_vmlinux() { # BZIMAGE OUT
	local magic tool off
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd' '\x1f\x8b\x08:gzip'; do
		tool=${magic##*:}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic%:*}" "$1" | cut -d: -f1 | head -3); do
			tail -c +$((off + 1)) "$1" | "$tool" -dc 2>/dev/null >"$2.tmp"
			if [ "$(head -c 4 "$2.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				mv "$2.tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.tmp"
	return 1
}
extract_vmlinux "$out/vmlinuz" "$out/vmlinux" ||
	die "could not extract the ELF kernel from $out/vmlinuz (needs xz, zstd or gzip)"

libpath="$pkgroot/lib/x86_64-linux-gnu:$pkgroot/usr/lib/x86_64-linux-gnu"
ldso=$pkgroot/lib64/ld-linux-x86-64.so.2
"$ldso" --library-path "$libpath" "$pkgroot/usr/bin/dropbearconvert" openssh dropbear \
	"$out/id_ed25519" "$out/id_ed25519.dropbear" >/dev/null 2>&1 ||
	die "dropbearconvert could not convert $out/id_ed25519"

# copy_libs ROOT ELF LDLIST: copies the libraries LDLIST names into ROOT.
copy_libs() {
	local root=$1 elf=$2 list=$3 name arrow path rest
	while read -r name arrow path rest; do
		case $name in linux-vdso*|/lib64/ld-linux*) continue ;; esac
		[ "$arrow" = "=>" ] || continue
		[ "$path" != not ] || die "library $name needed by $elf is in no package of $pkglist: add its package"
		[ -e "$root/lib/x86_64-linux-gnu/$name" ] || cp -L "$path" "$root/lib/x86_64-linux-gnu/$name"
	done <<<"$list"
}
# pkg_elf ROOT SRC [DEST]: copies SRC (a path in pkgroot) and its libraries.
pkg_elf() {
	local root=$1 src=$2 dest=${3:-$2}
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$pkgroot$src" "$root$dest"
	copy_libs "$root" "$src" "$("$ldso" --library-path "$libpath" --list "$pkgroot$src")"
}
# host_elf ROOT BINARY DEST: copies a host binary; its libraries come from
# pkgroot when a package has them, else from the host.
host_elf() {
	local root=$1 src=$2 dest=$3 name arrow path rest
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$src" "$root$dest"
	while read -r name arrow path rest; do
		[ "$arrow" = "=>" ] || continue
		[ "$path" != not ] || die "library $name needed by $src is not found on this host"
		if [ -e "$pkgroot/lib/x86_64-linux-gnu/$name" ] || [ -e "$pkgroot/usr/lib/x86_64-linux-gnu/$name" ]; then
			copy_libs "$root" "$src" "$name => $( [ -e "$pkgroot/lib/x86_64-linux-gnu/$name" ] &&
				echo "$pkgroot/lib/x86_64-linux-gnu/$name" || echo "$pkgroot/usr/lib/x86_64-linux-gnu/$name")"
		else
			[ -e "$root/lib/x86_64-linux-gnu/$name" ] || cp -L "$path" "$root/lib/x86_64-linux-gnu/$name"
		fi
	done < <(ldd "$src")
}
# modules ROOT NAME...: copies kernel modules with their dependencies and
# appends them, dependencies first, to ROOT/etc/vmlab/modules.
modules() {
	local root=$1 m; shift
	local dep=$pkgroot/lib/modules/$kver/modules.dep
	add_mod() {
		local rel line d
		line=$(grep -E "/$1\.ko:" "$dep") || die "kernel module $1 not in $kernel_pkg"
		rel=${line%%:*}
		grep -qxF "$rel" "$root/etc/vmlab/modules" 2>/dev/null && return 0
		for d in ${line#*:}; do add_mod "$(basename "$d" .ko)"; done
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		cp "$pkgroot/lib/modules/$kver/$rel" "$root/lib/modules/$kver/$rel"
		echo "$rel" >>"$root/etc/vmlab/modules"
	}
	for m in "$@"; do add_mod "$m"; done
}
# base_root ROOT: busybox, dropbear, vmlab, /etc basics shared by dom0 and guests.
base_root() {
	local root=$1 a
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc/vmlab,etc/dropbear,dev,proc,sys,run,tmp,var/log,root/.ssh}
	chmod 1777 "$root/tmp"; chmod 700 "$root/root" "$root/root/.ssh"
	ln -s ../run "$root/var/run"
	cp "$pkgroot/bin/busybox" "$root/bin/busybox"
	for a in $("$pkgroot/bin/busybox" --list-full); do
		[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
	done
	cp -L "$ldso" "$root/lib64/ld-linux-x86-64.so.2"
	pkg_elf "$root" /usr/sbin/dropbear
	pkg_elf "$root" /usr/bin/dbclient
	host_elf "$root" "$vmlab" /usr/bin/vmlab
	"$ldso" --library-path "$libpath" "$pkgroot/usr/bin/dropbearkey" -t ed25519 \
		-f "$root/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1 ||
		die "dropbearkey could not make a host key"
	cp "$out/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
	chmod 600 "$root/root/.ssh/authorized_keys"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root::0:0:99999:7:::\n' >"$root/etc/shadow"
	printf 'root:x:0:\n' >"$root/etc/group"
	printf '/bin/sh\n' >"$root/etc/shells"
	printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$root/etc/ld.so.conf"
	ln -s /bin/busybox "$root/init"
	echo "KERNEL=$kver" >"$root/etc/vmlab/build.env"
	install -m 644 "$env" "$root/etc/vmlab/testbed.env"
}
finish_root() { # ROOT
	ldconfig -r "$1"
}

# 5. Guest root: busybox, dropbear, vmlab, nginx (a guest can be the web
# server of vmlab web's topologies), netfront/blkfront, and pcifront with
# e1000e for the NIC that `guest up --pci` passes through.
step "assembling the guest root file system"
g=$out/guest
base_root "$g"
pkg_elf "$g" /usr/sbin/nginx
modules "$g" xen-netfront xen-blkfront xen-pcifront e1000e
install -m 755 "$here/guest/rc" "$g/etc/vmlab/rc"
install -m 644 "$here/guest/inittab" "$g/etc/inittab"
finish_root "$g"
(cd "$g" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$out/guest-initrd.gz.tmp")
mv "$out/guest-initrd.gz.tmp" "$out/guest-initrd.gz"

# 6. Dom0 root: the Xen toolstack, qemu-system-xen, LVM, a bridge, the guest images.
step "assembling the dom0 root file system"
d=$out/dom0
base_root "$d"
modules "$d" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback xen-blkback \
	bridge tun dm-mod virtio_pci virtio_net virtio_blk loop xen-netfront xen-blkfront crc32c_generic ext4 \
	xen-pciback
xb=/usr/lib/xen-4.17/bin
for f in "$pkgroot$xb"/*; do
	b=$(basename "$f")
	if file -b "$f" 2>/dev/null | grep -q ELF || head -c4 "$f" | grep -q ELF; then
		pkg_elf "$d" "$xb/$b"
		ln -sf "$xb/$b" "$d/usr/sbin/$b"
	fi
done
for f in "$pkgroot"/usr/bin/xenstore* "$pkgroot/usr/bin/xenalyze" "$pkgroot/usr/bin/xen-detect" \
	"$pkgroot/usr/bin/xenstore"; do
	[ -L "$f" ] && { cp -P "$f" "$d/usr/bin/"; continue; }
	pkg_elf "$d" "${f#"$pkgroot"}"
done
mkdir -p "$d/usr/lib/xen-4.17/boot" "$d/usr/libexec" "$d/usr/share/qemu" "$d/usr/share/seabios"
cp -a "$pkgroot/usr/lib/xen-4.17/boot/." "$d/usr/lib/xen-4.17/boot/"
# libxl looks for the libraries next to its own binaries too.
cp -a "$pkgroot/usr/lib/xen-4.17/lib" "$d/usr/lib/xen-4.17/" 2>/dev/null || true
pkg_elf "$d" /usr/libexec/xen-qemu-system-i386
cp -a "$pkgroot/usr/share/seabios/." "$d/usr/share/seabios/"
for f in linuxboot.bin linuxboot_dma.bin kvmvapic.bin multiboot.bin multiboot_dma.bin pvh.bin \
	vgabios.bin vgabios-stdvga.bin vgabios-cirrus.bin efi-e1000.rom efi-rtl8139.rom efi-virtio.rom \
	pxe-e1000.rom pxe-rtl8139.rom keymaps; do
	[ -e "$pkgroot/usr/share/qemu/$f" ] && cp -a "$pkgroot/usr/share/qemu/$f" "$d/usr/share/qemu/"
done
# The emulated NICs' option ROMs (ipxe-qemu); QEMU refuses a NIC without its ROM.
for f in "$pkgroot"/usr/lib/ipxe/qemu/efi-rtl8139.rom "$pkgroot"/usr/lib/ipxe/qemu/efi-e1000.rom; do
	[ -e "$f" ] || die "$f missing (package ipxe-qemu)"
	cp "$f" "$d/usr/share/qemu/"
done
# seabios' files are symlinked from /usr/share/qemu in Debian
for f in "$pkgroot"/usr/share/qemu/*; do
	[ -L "$f" ] && cp -P "$f" "$d/usr/share/qemu/" || true
done
pkg_elf "$d" /sbin/lvm
for a in pvcreate pvs vgcreate vgs vgchange vgscan lvcreate lvs lvremove lvchange lvextend lvdisplay; do
	ln -s lvm "$d/sbin/$a"
done
pkg_elf "$d" /sbin/dmsetup
mkdir -p "$d/etc/lvm" "$d/etc/xen/scripts" "$d/etc/xen/vmlab" "$d/var/lib/xen" "$d/var/log/xen/console" \
	"$d/var/lib/vmlab" "$d/var/lib/vmlab/etc" "$d/etc/vmlab/boot.d" "$d/var/lock"
install -m 644 "$here/dom0/lvm.conf" "$d/etc/lvm/lvm.conf"
install -m 644 "$here/dom0/xl.conf" "$d/etc/xen/xl.conf"
install -m 755 "$here/dom0/vif-bridge" "$d/etc/xen/scripts/vif-bridge"
install -m 755 "$here/dom0/block" "$d/etc/xen/scripts/block"
install -m 755 "$here/dom0/rc" "$d/etc/vmlab/rc"
install -m 755 "$here/dom0/guest-wait" "$d/usr/sbin/vmlab-guest-wait"
# This host's OpenSSH client and the testbed's key, so that vmlab in dom0 (the
# local Xen host back end) reaches its guests as it does from outside.
host_elf "$d" "$(command -v ssh)" /usr/bin/ssh
install -m 600 "$out/id_ed25519" "$d/root/.ssh/id_ed25519"
install -m 644 "$here/dom0/inittab" "$d/etc/inittab"
cp "$out/vmlinuz" "$d/var/lib/vmlab/vmlinuz"
cp "$out/vmlinux" "$d/var/lib/vmlab/vmlinux"
cp "$out/guest-initrd.gz" "$d/var/lib/vmlab/guest-initrd.gz"
finish_root "$d"
(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet >"$out/dom0-initrd.cpio.tmp")
mv "$out/dom0-initrd.cpio.tmp" "$out/dom0-initrd.cpio"

echo "KERNEL=$kver" >"$out/build.env"
# the vmlab the images carry: `vmlab testbed up` compares itself with it
cp "$vmlab" "$out/vmlab.bin.tmp" && mv "$out/vmlab.bin.tmp" "$out/vmlab.bin"
echo "$stamp" >"$out/stamp"
step "built: $out (dom0 $(du -m "$out/dom0-initrd.cpio" | cut -f1) MB, guest $(du -m "$out/guest-initrd.gz" | cut -f1) MB, kernel $kver)"
