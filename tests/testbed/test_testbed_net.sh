#!/usr/bin/env bash
# Two named testbeds on one shared net, end to end: bad input first (a bad
# name, --cpus 0, an unknown --net form: exit 2, nothing started), then
# testbeds na and nb boot at once with --net, a name in use is refused, a PV
# guest on na pings dom0 of nb and runs a command there over ssh (dbclient in
# the guest), both go down with `down --all`, and no QEMU of theirs is left.
# Prints the boot time of the pair. Always tears down.
# Environment: VMLAB_TESTBED_TEST_HOME as in test_testbed.sh.
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v apt-get >/dev/null || skip "apt-get is missing: the testbed is assembled from Debian packages"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 7168 ] ||
	skip "less than 7 GiB of RAM available (two testbeds need 2 x 2 GiB and room)"
qemu-system-x86_64 -netdev help 2>/dev/null | grep -qw socket || skip "this QEMU has no socket netdev"

export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test/$(basename "$SRC_DIR")-$(echo "$SRC_DIR" | cksum | cut -d' ' -f1)}
limit_s=${VMLAB_TESTBED_TEST_LIMIT:-1200}
start=$SECONDS
watchdog=
net=tn$$
beds="na nb"

expect() { expect_bg "$@"; }

state_of() { echo "$VMLAB_HOME/testbed/beds/$1/state"; }
pid_of() { sed -n 's/^pid=//p' "$(state_of "$1")" 2>/dev/null; }
qemu_runs() { [ -n "$1" ] && grep -qs qemu-system "/proc/$1/cmdline"; }

down_timeout=30
cleanup() {
	trap - EXIT INT TERM
	[ -n "$watchdog" ] && kill_tree "$watchdog"
	local b pids=
	for b in $beds; do pids="$pids $(pid_of "$b")"; done
	for b in $beds; do "$VMLAB" testbed down --name "$b" --timeout "$down_timeout" >/dev/null 2>&1; done
	for b in $pids; do
		if qemu_runs "$b"; then
			kill -9 "$b"
			echo "FAIL: QEMU $b was still running after down; killed" >&2
			nfail=$((nfail + 1))
		fi
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted or over the ${limit_s}s limit" >&2; nfail=$((nfail + 1)); down_timeout=0; exit 1' INT TERM
watchdog_start "$limit_s"

step() { echo "[$((SECONDS - start))s] $*"; }

for b in $beds; do
	qemu_runs "$(pid_of "$b")" && { beds=; skip "testbed $b is already up in $VMLAB_HOME (another run uses it)"; }
done

step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }

step "bad input: exit 2, nothing started"
before=$(pgrep -c qemu-system || true)
expect 2 "$VMLAB" testbed up --name Bad_Name && contains "$T/err" "--name 'Bad_Name'"
expect 2 "$VMLAB" testbed up --name na --cpus 0 && contains "$T/err" "--cpus 0"
expect 2 "$VMLAB" testbed up --name na --net udp:127.0.0.1:9 && contains "$T/err" "no known net form"
expect 2 "$VMLAB" testbed up --name na --bare --xen-args sched=credit && contains "$T/err" "runs no Xen"
expect 2 "$VMLAB" testbed exec --name ../x -- true
[ ! -e "$(state_of na)" ] || fail "a refused up left $(state_of na)"
[ "$(pgrep -c qemu-system || true)" = "$before" ] || fail "a refused up started QEMU"

step "up na and nb at once on net $net"
t0=$SECONDS
"$VMLAB" testbed up --name na --net "$net" --cpus 2 >"$T/na.out" 2>"$T/na.err" &
a=$!
"$VMLAB" testbed up --name nb --net "$net" --xen-args "sched=credit dom0_max_vcpus=1" >"$T/nb.out" 2>"$T/nb.err" &
b=$!
sta=0 stb=0
wait $a || sta=$?
wait $b || stb=$?
pair_s=$((SECONDS - t0))
cat "$T/na.out" "$T/nb.out"
[ $sta = 0 ] || { fail "up na: exit $sta"; cat "$T/na.err" >&2; tail -20 "$VMLAB_HOME/testbed/beds/na/console.log" >&2; }
[ $stb = 0 ] || { fail "up nb: exit $stb"; cat "$T/nb.err" >&2; tail -20 "$VMLAB_HOME/testbed/beds/nb/console.log" >&2; }
[ $sta = 0 ] && [ $stb = 0 ] || exit 1
echo "boot time of the pair: ${pair_s} s"

step "status lists both, with distinct ports and places on the net"
expect 0 "$VMLAB" testbed status && cat "$T/out"
contains "$T/out" "^testbed na: up \(xen, .*net $net \(239\.193\."
contains "$T/out" "^testbed nb: up \(xen, .*xen-args 'sched=credit dom0_max_vcpus=1'"
ipa=$(sed -n 's/^testbed na: .* dom0 \(10\.0\.[0-9]*\.1\)\/16.*/\1/p' "$T/out")
ipb=$(sed -n 's/^testbed nb: .* dom0 \(10\.0\.[0-9]*\.1\)\/16.*/\1/p' "$T/out")
[ -n "$ipa" ] && [ -n "$ipb" ] && [ "$ipa" != "$ipb" ] || fail "dom0 addresses '$ipa' and '$ipb'"
[ "$(sed -n 's/^port=//p' "$(state_of na)")" != "$(sed -n 's/^port=//p' "$(state_of nb)")" ] || fail "same ssh port"
expect 0 "$VMLAB" testbed status --name nb && contains "$T/out" "scheduler credit,"
expect 0 "$VMLAB" testbed exec --name nb -- xl info && contains "$T/out" "xen_commandline .*sched=credit dom0_max_vcpus=1"

step "a name in use with other options: exit 2, the running one stays"
pidb=$(pid_of nb)
expect 2 "$VMLAB" testbed up --name nb --cpus 1 && contains "$T/err" "testbed nb is in use"
qemu_runs "$pidb" && [ "$(pid_of nb)" = "$pidb" ] || fail "the refused up touched nb"
expect 0 "$VMLAB" testbed up --name nb --net "$net" --xen-args "sched=credit dom0_max_vcpus=1" &&
	contains "$T/out" "testbed nb already up"

step "dom0 of na reaches dom0 of nb"
expect 0 "$VMLAB" testbed exec --name na -- ping -c 2 -W 5 "$ipb" || cat "$T/out"

step "a guest on na pings dom0 of nb and ssh's to it"
expect 0 "$VMLAB" testbed guest up pv --testbed na --name netpv || { cat "$T/err"; exit 1; }
expect 0 "$VMLAB" testbed guest exec netpv --testbed na -- ping -c 3 -W 5 "$ipb" && cat "$T/out"
contains "$T/out" " 0% packet loss"
key=$(base64 -w0 "$VMLAB_HOME/testbed/id_ed25519.dropbear")
expect 0 "$VMLAB" testbed guest exec netpv --testbed na -- sh -c \
	'echo "$1" | base64 -d >/tmp/k && chmod 600 /tmp/k' sh "$key"
expect 0 "$VMLAB" testbed exec --name nb -- sh -c "echo seen-on-nb-$$ >/tmp/marker"
expect 0 "$VMLAB" testbed guest exec netpv --testbed na --timeout 120 -- \
	dbclient -y -y -i /tmp/k "root@$ipb" cat /tmp/marker
contains "$T/out" "^seen-on-nb-$$\$"
expect 0 "$VMLAB" testbed guest down netpv --testbed na

step "down --all"
pida=$(pid_of na)
expect 0 "$VMLAB" testbed down --all && cat "$T/out"
contains "$T/out" "testbed na down"
contains "$T/out" "testbed nb down"
for p in $pida $pidb; do qemu_runs "$p" && fail "QEMU $p still runs after down --all"; done
expect 1 "$VMLAB" testbed status --name na && contains "$T/out" "testbed na: down"
step "done"
finish
