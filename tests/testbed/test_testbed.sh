#!/usr/bin/env bash
# End to end on the testbed: build (cached), boot real Xen 4.17 and dom0 in
# QEMU (on a port a listener already holds, so `up` must pick another; from a
# changed vmlab binary, which dom0 and the guests must then carry), create
# PV and PVH guests (HVM: test_xentrace), run commands in them, check xl list / xl info /
# xl sched-credit2 through `vmlab testbed status`, a guest that never boots,
# then shut down. Always tears down; never leaves QEMU running.
# Environment: VMLAB_TESTBED_TEST_HOME, the testbed's VMLAB_HOME here
# (default ~/.cache/vmlab-test/CHECKOUT-HASH: a user's own testbed and other
# checkouts' test runs are left alone).
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v apt-get >/dev/null || skip "apt-get is missing: the testbed is assembled from Debian packages"
command -v python3 >/dev/null || skip "python3 is missing (used to hold a port)"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"

export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test/$(basename "$SRC_DIR")-$(echo "$SRC_DIR" | cksum | cut -d' ' -f1)}
limit_s=${VMLAB_TESTBED_TEST_LIMIT:-1300}
start=$SECONDS
listener=
watchdog=

# expect as in lib.sh, but the command runs in the background so that a
# signal (the time limit) interrupts the wait and the trap tears down at once.
expect() { expect_bg "$@"; }

down_timeout=30
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$watchdog" ]; then
		# The watchdog subshell first (else it would signal us when its sleep ends), then its sleep.
		local sleeper
		sleeper=$(pgrep -P "$watchdog")
		kill "$watchdog" 2>/dev/null
		[ -n "$sleeper" ] && kill $sleeper 2>/dev/null
	fi
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	local pid
	pid=$(sed -n 's/^pid=//p' "$VMLAB_HOME/testbed/state" 2>/dev/null)
	"$VMLAB" testbed down --timeout "$down_timeout" >/dev/null 2>&1
	if [ -n "$pid" ] && grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null; then
		kill -9 "$pid"
		echo "FAIL: QEMU $pid was still running after down; killed" >&2
		nfail=$((nfail + 1))
	fi
	rm -rf "$T"
}
trap cleanup EXIT
# On a signal: no clean shutdown (the runner kills 10 s after its TERM), QEMU is killed.
trap 'echo "FAIL: interrupted or over the ${limit_s}s limit" >&2; nfail=$((nfail + 1)); down_timeout=0; exit 1' INT TERM
# the watchdog holds no output of the test: a runner waits for every holder of it
(sleep "$limit_s"; kill -TERM $$) >/dev/null 2>&1 &
watchdog=$!

step() { echo "[$((SECONDS - start))s] $*"; }

step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }

step "a dom0 not ready in time: up fails, stops QEMU, leaves no state"
expect 1 "$VMLAB" testbed up --timeout 2
contains "$T/err" "dom0 was not ready within 2 s; QEMU stopped"
[ -e "$VMLAB_HOME/testbed/state" ] && fail "up that timed out left $VMLAB_HOME/testbed/state"
pgrep -f "qemu-system.*$VMLAB_HOME/testbed/" >/dev/null && fail "up that timed out left QEMU running"

# A port that is taken: up must choose another one.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(3000)' >"$T/busy" &
listener=$!
for i in $(seq 50); do [ -s "$T/busy" ] && break; sleep 0.1; done
busy=$(cat "$T/busy")
[ -n "$busy" ] || { echo "could not hold a port"; exit 1; }

# `up` from a vmlab that differs from the built one brings that vmlab along.
mark=vmlab-test-$$-$RANDOM
cp "$VMLAB" "$T/vmlab-changed" && printf '%s' "$mark" >>"$T/vmlab-changed"
step "up (port $busy is taken; a changed vmlab binary)"
VMLAB_TESTBED_PORT=$busy expect 0 "$T/vmlab-changed" testbed up || { tb_why_not_up; exit 1; }
cat "$T/out"
contains "$T/err" "differs from the one in the testbed images: reassembling"
contains "$T/out" "testbed up: xen"
port=$(sed -n 's/^port=//p' "$VMLAB_HOME/testbed/state")
[ -n "$port" ] && [ "$port" != "$busy" ] || fail "up used the taken port $busy (state says '$port')"
kill "$listener"; listener=

step "up again is harmless"
expect 0 "$VMLAB" testbed up && contains "$T/out" "already up"

step "exec in dom0: output and exit status pass through"
expect 0 "$VMLAB" testbed exec -- uname -r && contains "$T/out" "^6\.1\."
expect 5 "$VMLAB" testbed exec -- sh -c 'echo "a b" >&2; exit 5' && contains "$T/err" "^a b$"
expect 0 "$VMLAB" testbed exec -- printf '%s|' "two words" "it's" && contains "$T/out" "^two words\|it's\|$"
expect 0 "$VMLAB" testbed exec -- vgs vg0 && contains "$T/out" "vg0"
expect 0 "$VMLAB" testbed exec -- tail -c ${#mark} /usr/bin/vmlab && contains "$T/out" "^$mark$"
echo "copy me" >"$T/cp-src"
expect 0 "$VMLAB" testbed cp "$T/cp-src" dom0:/tmp/cp-test
expect 0 "$VMLAB" testbed cp dom0:/tmp/cp-test "$T/cp-back" && same "$T/cp-src" "$T/cp-back"

# HVM guests: test_xentrace boots one with `testbed guest up hvm` and runs
# commands in it, test_run_testbed one through testbed:hvm (CI's time).
for type in pv pvh; do
	step "guest up $type"
	if expect 0 "$VMLAB" testbed guest up $type --name "ci-$type" --timeout 600; then
		contains "$T/out" "^ci-$type$"
		cat "$T/err"
		expect 0 "$VMLAB" testbed guest exec "ci-$type" -- uname -a && contains "$T/out" "^Linux ci-$type 6\.1\."
		cat "$T/out"
		expect 0 "$VMLAB" testbed guest exec "ci-$type" -- vmlab --version && contains "$T/out" "^vmlab "
		expect 0 "$VMLAB" testbed guest exec "ci-$type" -- tail -c ${#mark} /usr/bin/vmlab &&
			contains "$T/out" "^$mark$"
		expect 3 "$VMLAB" testbed guest exec "ci-$type" -- sh -c 'exit 3'
	else
		cat "$T/err" >&2
	fi
done

step "status: xl info, xl list, xl sched-credit2 through vmlab"
expect 0 "$VMLAB" testbed status
cat "$T/out"
contains "$T/out" "^xen: 4\.17\.[0-9]+, scheduler credit2, 2 CPUs"
contains "$T/out" "virt_caps .*pv hvm"
contains "$T/out" "^Domain-0 +0 +1024 +2 .* 256 +0 dom0"
contains "$T/out" "^ci-pv +[0-9]+ +128 +1 .* 256 +0 pv +10\.0\.0\."
contains "$T/out" "^ci-pvh +[0-9]+ +128 +1 .* 256 +0 pvh +10\.0\.0\."
expect 0 "$VMLAB" testbed exec -- xl list && contains "$T/out" "ci-pvh"

step "a guest that never boots: timeout with its console log"
# Its kernel finds no init and hangs (panic=0); loglevel=7 fills its console log.
expect 1 "$VMLAB" testbed guest up pv --name ci-bad --timeout 40 \
	--extra "loglevel=7 rdinit=/vmlab-none root=/dev/vmlab-none panic=0"
contains "$T/err" "did not come up"
contains "$T/err" "(did not answer within 40s|is no longer running); its console log"
contains "$T/err" "(^\[ *[0-9]+\.[0-9]+\] |Kernel panic)"
expect 0 "$VMLAB" testbed exec -- xl list && { grep -q ci-bad "$T/out" && fail "ci-bad still exists"; }

step "guest down"
expect 0 "$VMLAB" testbed guest down ci-pv
expect 1 "$VMLAB" testbed guest exec ci-pv -- true
expect 0 "$VMLAB" testbed exec -- xl list && { grep -q "^ci-pv " "$T/out" && fail "ci-pv still listed"; cat "$T/out"; }

step "down"
pid=$(sed -n 's/^pid=//p' "$VMLAB_HOME/testbed/state")
expect 0 "$VMLAB" testbed down && contains "$T/out" "testbed down"
cat "$T/out"
grep -qs qemu-system "/proc/$pid/cmdline" && fail "QEMU $pid still runs after down"
expect 1 "$VMLAB" testbed status && contains "$T/out" "testbed: down"
expect 0 "$VMLAB" testbed down && contains "$T/out" "not up"
step "done"
finish
