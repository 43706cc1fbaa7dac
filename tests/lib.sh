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
  local want=$1; shift
  local got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  if [ "$got" != "$want" ]; then
    fail "exit $got, wanted $want: $*"; sed 's/^/  stderr: /' "$T/err" | head -5 >&2
    sed 's/^/  stdout: /' "$T/out" | head -5 >&2
    return 1
  fi
  return 0
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
