# Shared helpers for tests/integration/*.sh and tests/testbed/*.sh.
# A test script exits 0 (pass), 77 (skip: print "SKIP: reason" first) or
# anything else (fail). $VMLAB is the binary under test.
set -u
: "${VMLAB:?VMLAB must name the vmlab binary}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$TESTS_DIR")
T=$(mktemp -d /tmp/vmlab-it.XXXXXX)
trap 'rm -rf "$T"' EXIT
nfail=0

fail() { echo "FAIL: $*" >&2; nfail=$((nfail + 1)); }
skip() { echo "SKIP: $*"; exit 77; }
# expect STATUS CMD...: runs CMD, stdout in $T/out, stderr in $T/err.
expect() {
  local want=$1 got=0; shift
  "$@" >"$T/out" 2>"$T/err" || got=$?
  expect_check "$want" "$got" "$@"
}
# expect_bg STATUS CMD...: expect, with CMD in the background so that a
# signal (a test's time limit) interrupts the wait and its trap runs at once.
expect_bg() {
  local want=$1 got=0; shift
  "$@" >"$T/out" 2>"$T/err" &
  wait $! || got=$?
  expect_check "$want" "$got" "$@"
}
# expect_check WANT GOT CMD...: fails (showing CMD's output) unless GOT is WANT.
expect_check() {
  local want=$1 got=$2; shift 2
  if [ "$got" != "$want" ]; then
    fail "exit $got, wanted $want: $*"; sed 's/^/  stderr: /' "$T/err" | head -5 >&2
    sed 's/^/  stdout: /' "$T/out" | head -5 >&2
    return 1
  fi
  return 0
}
# watchdog_start S: SIGTERM to this shell after S seconds (its TERM trap
# fails the test); $watchdog is the watcher, to stop with kill_tree. It holds
# none of the test's output: a runner waits for every holder of it.
watchdog_start() {
  (sleep "$1"; kill -TERM $$) >/dev/null 2>&1 &
  watchdog=$!
}
# contains FILE PATTERN: grep -E on FILE.
contains() { grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/:"; head -5 "$1" | sed 's/^/  /' >&2; }; }
# same FILE1 FILE2: byte-identical.
same() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }
finish() { [ "$nfail" = 0 ] || exit 1; exit 0; }
# free_port: a loopback TCP port nobody listens on, below the ephemeral range.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    ss -ltn "( sport = :$p )" | grep -q ":$p" || { echo $p; return; }
  done
}
# kill_tree PID...: SIGKILL each PID and then every process below it, the
# parent first so that none can start a replacement (nginx's master
# respawns a killed worker, which then outlives the test).
kill_tree() {
  local p kids
  for p in "$@"; do
    kids=$(pgrep -P "$p" 2>/dev/null)
    kill -9 "$p" 2>/dev/null
    [ -z "$kids" ] || kill_tree $kids
  done
}
# procs_using DIR: "PID ARGS" of every process holding a file below DIR open.
procs_using() {
  local d
  for d in /proc/[0-9]*; do
    ls -l "$d/fd" 2>/dev/null | grep -qF -- " $1/" || continue
    echo "${d#/proc/} $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
  done
}
# json_num FILE KEY: the first number stored under "KEY" in FILE.
json_num() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -1 | cut -d: -f2; }
# testbed_session LIMIT_S: for tests/testbed/*.sh (VMLAB_HOME set): on exit
# the testbed goes down (a QEMU still there then is killed and counted as a
# failure) and $T is removed; after LIMIT_S seconds a watchdog ends the test
# as a failure. step MSG prints MSG after the seconds so far.
testbed_session() {
  tb_limit_s=$1 tb_start=$SECONDS
  trap tb_cleanup EXIT
  trap 'echo "FAIL: interrupted or over the ${tb_limit_s}s limit" >&2; nfail=$((nfail + 1)); exit 1' INT TERM
  # the watchdog holds no output of the test: a runner waits for every holder of it
  (sleep "$tb_limit_s"; kill -TERM $$) >/dev/null 2>&1 &
  tb_watchdog=$!
}
tb_cleanup() {
  trap - EXIT INT TERM
  [ -n "${tb_watchdog:-}" ] && kill_tree "$tb_watchdog"
  local pid
  pid=$(sed -n 's/^pid=//p' "$VMLAB_HOME/testbed/state" 2>/dev/null)
  "$VMLAB" testbed down --timeout 30 >/dev/null 2>&1
  if [ -n "$pid" ] && grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null; then
    kill -9 "$pid"
    echo "FAIL: QEMU $pid was still running after down; killed" >&2
    nfail=$((nfail + 1))
  fi
  rm -rf "$T"
}
step() { echo "[$((SECONDS - tb_start))s] $*"; }
# tb_test_start [LIMIT_S]: the start of a tests/testbed/*.sh that boots its own testbed:
# SKIP without QEMU, apt-get or 2.5 GiB of free RAM; VMLAB_HOME from
# VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test); SKIP when a testbed
# is up in that home already (another run uses it); then testbed_session
# with VMLAB_TESTBED_TEST_LIMIT seconds (default LIMIT_S, else 1300).
tb_test_start() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v apt-get >/dev/null || skip "apt-get is missing: the testbed is assembled from Debian packages"
	[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"
	export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test}
	if [ -f "$VMLAB_HOME/testbed/state" ] && "$VMLAB" testbed status >/dev/null 2>&1; then
		skip "a testbed is already up in $VMLAB_HOME (another run uses it)"
	fi
	testbed_session "${VMLAB_TESTBED_TEST_LIMIT:-${1:-1300}}"
}
# tb_build_up: builds the testbed and boots it (testbed a of VMLAB_HOME);
# exits the test, showing why, when either fails.
tb_build_up() {
	step "build"
	expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }
	step "up"
	expect 0 "$VMLAB" testbed up || { tb_why_not_up; exit 1; }
}
# tb_why_not_up: what `testbed up` said, the console's end and, when dom0's
# ssh answered, what dom0 was running.
tb_why_not_up() {
	cat "$T/err"
	tail -30 "$VMLAB_HOME/testbed/console.log"
	cat "$VMLAB_HOME/testbed/dom0-ps.txt" 2>/dev/null
}
# Named testbeds (vmlab testbed up --name BED) of a test: tb_state_of BED
# (its state file), tb_pid_of BED (its QEMU's pid), tb_qemu_runs PID.
tb_state_of() { echo "$VMLAB_HOME/testbed/beds/$1/state"; }
tb_pid_of() { sed -n 's/^pid=//p' "$(tb_state_of "$1")" 2>/dev/null; }
tb_qemu_runs() { [ -n "$1" ] && grep -qs qemu-system "/proc/$1/cmdline"; }
# tb_named_start MIN_MIB LIMIT_S BED...: the start of a tests/testbed/*.sh
# that boots named testbeds on a shared net: SKIP without QEMU (and its
# socket netdev), apt-get or MIN_MIB of free RAM; VMLAB_HOME from
# VMLAB_TESTBED_TEST_HOME (default: one per checkout under
# ~/.cache/vmlab-test); SKIP when a BED is up already (another run uses
# it). At exit every BED goes down (a QEMU still there then is killed and
# counted as a failure) and $T is removed; after VMLAB_TESTBED_TEST_LIMIT
# seconds (default LIMIT_S) or a signal the test fails. expect runs its
# command in the background (expect_bg); step MSG prints MSG after the
# seconds so far.
tb_named_start() {
	local min=$1 b
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v apt-get >/dev/null || skip "apt-get is missing: the testbed is assembled from Debian packages"
	[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge "$min" ] ||
		skip "less than $min MiB of RAM available"
	qemu-system-x86_64 -netdev help 2>/dev/null | grep -qw socket || skip "this QEMU has no socket netdev"
	export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test/$(basename "$SRC_DIR")-$(echo "$SRC_DIR" | cksum | cut -d' ' -f1)}
	tb_limit_s=${VMLAB_TESTBED_TEST_LIMIT:-$2} tb_start=$SECONDS tb_down_timeout=30
	shift 2
	tb_beds=
	for b in "$@"; do
		tb_qemu_runs "$(tb_pid_of "$b")" && skip "testbed $b is already up in $VMLAB_HOME (another run uses it)"
	done
	tb_beds="$*"
	trap tb_named_cleanup EXIT
	trap 'echo "FAIL: interrupted or over the ${tb_limit_s}s limit" >&2; nfail=$((nfail + 1)); tb_down_timeout=0; exit 1' INT TERM
	(sleep "$tb_limit_s"; kill -TERM $$) >/dev/null 2>&1 &
	tb_watchdog=$!
	expect() { expect_bg "$@"; }
	step() { echo "[$((SECONDS - tb_start))s] $*"; }
}
tb_named_cleanup() {
	trap - EXIT INT TERM
	[ -n "${tb_watchdog:-}" ] && kill_tree "$tb_watchdog"
	local b pids=
	for b in $tb_beds; do pids="$pids $(tb_pid_of "$b")"; done
	for b in $tb_beds; do "$VMLAB" testbed down --name "$b" --timeout "$tb_down_timeout" >/dev/null 2>&1; done
	for b in $pids; do
		if tb_qemu_runs "$b"; then
			kill -9 "$b"
			echo "FAIL: QEMU $b was still running after down; killed" >&2
			nfail=$((nfail + 1))
		fi
	done
	rm -rf "$T"
}
# start_sshd: a private sshd on a free loopback port with its own host key,
# accepting root with the key $T/userkey; sets sshd_port and stops it at
# exit. Returns 1 (with the reason in sshd_why) when it cannot run here.
start_sshd() {
	sshd_why=
	[ "$(id -u)" = 0 ] || { sshd_why="needs root to start a private sshd that accepts a login"; return 1; }
	[ -x /usr/sbin/sshd ] || { sshd_why="no /usr/sbin/sshd (openssh-server)"; return 1; }
	command -v ssh-keygen >/dev/null || { sshd_why="no ssh-keygen"; return 1; }
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" >/dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$T/userkey" >/dev/null
	cp "$T/userkey.pub" "$T/authorized_keys"
	sshd_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$T/sshd_config" <<X
ListenAddress 127.0.0.1
Port $sshd_port
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd.pid
X
	/usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || { sshd_why="sshd does not start: $(tail -1 "$T/sshd.log")"; return 1; }
	trap 'kill "$(cat "$T/sshd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$T"' EXIT
	for _ in $(seq 50); do [ -s "$T/sshd.pid" ] && break; sleep 0.1; done
}
