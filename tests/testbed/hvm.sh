#!/usr/bin/env bash
# The HVM check, outside CI because it takes minutes under TCG: boots the
# testbed (unless it is up), starts an HVM guest with qemu-system-xen as
# device model (direct kernel boot), runs uname and vmlab in it, prints how
# long it took from `xl create` to ssh answering, and removes the guest.
# Leaves the testbed as it found it (down if this script brought it up).
# Usage: VMLAB=build/vmlab tests/testbed/hvm.sh
. "$(dirname "$0")/../lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
started=0
cleanup() {
	"$VMLAB" testbed guest down ci-hvm >/dev/null 2>&1
	[ $started = 1 ] && "$VMLAB" testbed down >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
if ! "$VMLAB" testbed status >/dev/null 2>&1; then
	expect 0 "$VMLAB" testbed build || { cat "$T/err"; exit 1; }
	expect 0 "$VMLAB" testbed up || { cat "$T/err"; exit 1; }
	started=1
fi
a=$SECONDS
if expect 0 "$VMLAB" testbed guest up hvm --name ci-hvm; then
	echo "HVM guest from xl create to ssh: $((SECONDS - a)) s ($(grep -o 'after .*' "$T/err"))"
	expect 0 "$VMLAB" testbed guest exec ci-hvm -- uname -a && contains "$T/out" "^Linux ci-hvm "
	cat "$T/out"
	expect 0 "$VMLAB" testbed guest exec ci-hvm -- vmlab --version && contains "$T/out" "^vmlab "
	expect 0 "$VMLAB" testbed status && contains "$T/out" "^ci-hvm .* hvm +10\.0\.0\."
else
	cat "$T/err" >&2
fi
finish
