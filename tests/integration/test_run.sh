#!/usr/bin/env bash
# vmlab run: experiment files, the null and native environments, failed runs
# recorded while the others go on, an unreachable ssh host, Ctrl-C and resume
# (nothing finished lost, nothing duplicated), and FILE:LINE:COL errors.
. "$(dirname "$0")/../lib.sh"
mkdir "$T/w" && cd "$T/w"

# records FILE: "env bench kind size iteration status" per line
records() {
  python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["environment"], r["benchmark"], r["kind"], r["size"], r["iteration"], r["status"])
' "$1"
}

# 1. null environments: all ok, one with a failing benchmark; exit 1, others go on
cat >a.vmlab <<'X'
# harness test
name = "a"
benchmarks = [ "flow", "stencil" ]
micro = [ "null_syscall" ]
environments = [ "null", "null:fail=stencil", "ssh:nobody@127.0.0.1:1" ]
iterations = 2
warmup = 1
results = "out/a.jsonl"
connect_timeout = 2
X
expect 1 "$VMLAB" run a.vmlab
[ "$(wc -l <out/a.jsonl)" = 18 ] || fail "wanted 18 records, got $(wc -l <out/a.jsonl)"
records out/a.jsonl >rec
contains rec '^null flow cpu test 1 ok$'
contains rec '^null null_syscall micro test 2 ok$'
contains rec '^null:fail=stencil stencil cpu test 2 failed$'
contains rec '^null:fail=stencil null_syscall micro test 2 ok$'
[ "$(grep -c ' ok$' rec)" = 10 ] || fail "wanted 10 ok records"
[ "$(grep -c '^ssh:nobody@127.0.0.1:1 .* failed$' rec)" = 6 ] || fail "ssh runs not all recorded failed"
contains out/a.jsonl '"error":"checksum 0xdeadbeef, expected 0x00c0ffee"'
contains out/a.jsonl '"error":"ssh:nobody@127.0.0.1:1: unreachable: [^"]+"'
contains out/a.jsonl '"label":"null \(synthetic records, harness test only\)"'
contains out/a.jsonl '"vmlab_version":"[^"]+","timestamp":"20[0-9-]+T[0-9:.]+Z"'
contains "$T/err" 'ssh:nobody@127.0.0.1:1: unreachable'
contains "$T/out" '^a: 18 runs now: 10 ok, 8 failed'
# the report reads what run wrote
expect 0 "$VMLAB" report out/a.jsonl --baseline null --format csv
contains "$T/out" '^flow,cpu,null:fail=stencil,.*,null,1,'

# 2. resume: only the failed runs run again
expect 1 "$VMLAB" run a.vmlab
contains "$T/out" '^skipped 10 of 18 runs: already done'
contains "$T/out" '^a: 8 runs now: 0 ok, 8 failed'

# 3. Ctrl-C mid-way, then resume: nothing finished lost, nothing duplicated
cat >b.vmlab <<'X'
benchmarks = [ "flow", "stencil" ]
environments = [ "null:delay=150ms" ]
iterations = 6
warmup = 0
X
"$VMLAB" run b.vmlab >b.out 2>b.err &
pid=$!
sleep 0.8
kill -INT $pid
wait $pid; st=$?
[ "$st" = 130 ] || fail "interrupted run: exit $st, wanted 130"
contains b.err 'interrupted'
n=$(wc -l <results/b.jsonl)
{ [ "$n" -ge 2 ] && [ "$n" -lt 12 ]; } || fail "after Ctrl-C: $n records, wanted 2..11"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' results/b.jsonl ||
  fail "a record was cut by Ctrl-C"
cp results/b.jsonl before.jsonl
expect 0 "$VMLAB" run b.vmlab
contains "$T/out" "^skipped $n of 12 runs: already done"
cmp -s before.jsonl <(head -n "$n" results/b.jsonl) || fail "resume changed finished records"
[ "$(wc -l <results/b.jsonl)" = 12 ] || fail "after resume: $(wc -l <results/b.jsonl) records, wanted 12"
[ "$(records results/b.jsonl | sort -u | wc -l)" = 12 ] || fail "duplicated records after resume"
expect 0 "$VMLAB" run b.vmlab
contains "$T/out" '^skipped 12 of 12 runs'

# 3b. Ctrl-C twice aborts the current run: recorded failed, its processes gone
if "$VMLAB" cpu run --help >/dev/null 2>&1; then
  cat >d.vmlab <<'X'
cmds = [ "sleep 31.7" ]
environments = [ "native" ]
iterations = 2
warmup = 0
X
  SECONDS=0
  "$VMLAB" run d.vmlab >d.out 2>d.err &
  pid=$!
  for _ in $(seq 50); do pgrep -f 'sleep 31[.]7' >/dev/null && break; sleep 0.1; done
  kill -INT $pid; sleep 0.3; kill -INT $pid
  wait $pid; st=$?
  [ "$st" = 130 ] || fail "aborted run: exit $st, wanted 130"
  [ $SECONDS -lt 20 ] || fail "abort took ${SECONDS}s"
  contains results/d.jsonl '"iteration":1,.*"status":"failed","error":"aborted \(interrupted by the user\)"'
  [ "$(wc -l <results/d.jsonl)" = 1 ] || fail "aborted: wanted 1 record"
  sleep 0.5
  pgrep -f 'sleep 31[.]7' >/dev/null && fail "the aborted run's processes are still running"
fi

# 3c. a run over the timeout is killed and recorded failed; the next one goes on
if "$VMLAB" cpu run --help >/dev/null 2>&1; then
  cat >e.vmlab <<'X'
cmds = [ "sleep 20.3", "true" ]
environments = [ "native" ]
iterations = 1
warmup = 0
timeout = "1s"
X
  SECONDS=0
  expect 1 "$VMLAB" run e.vmlab
  [ $SECONDS -lt 15 ] || fail "timeout took ${SECONDS}s"
  contains results/e.jsonl '"benchmark":"sleep 20.3",.*"status":"failed","error":"[^"]*timed out after 1000 ms"'
  contains results/e.jsonl '"benchmark":"true",.*"status":"ok"'
  sleep 0.5
  pgrep -f 'sleep 20[.]3' >/dev/null && fail "the timed-out run's processes are still running"
fi

# 4. native: runs this vmlab's own benchmarks as a child, with this host's facts
cat >c.vmlab <<X
benchmarks = [ "flow" ]
micro = [ "rdtsc" ]
environments = [ "native" ]
iterations = 1
warmup = 0
pin = "$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')"
X
"$VMLAB" run c.vmlab >c.out 2>c.err
records results/c.jsonl >rec
contains rec '^native rdtsc micro test 1 ok$'
contains results/c.jsonl '"benchmark":"rdtsc","kind":"micro".*"value":[0-9.]+,"unit":"ns/op","better":"lower"'
grep '"benchmark":"rdtsc"' results/c.jsonl | grep -q '"pin"' && fail "a microbenchmark record names a pin"
# the kernel's own checksum verdict decides its status
python3 - results/c.jsonl <<'PY' || fail "flow: status and checksum verdict disagree"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][0]
assert r["benchmark"] == "flow" and r["wall_s"] > 0 and "checksum" in r, r
assert r["pin"] == str(max(__import__("os").sched_getaffinity(0))), r
if r["status"] == "ok":
    assert r["checksum_ok"] is True, r
else:
    assert r["checksum_ok"] is False and "checksum" in r["error"], r
PY
contains results/c.jsonl "\"facts\":\\{\"hostname\":\"$(hostname)\""
[ -e results/c.jsonl.pid ] && fail "the pid file outlived the runs"
contains results/c.jsonl "\"kernel\":\"$(uname -r)\""
expect 0 "$VMLAB" run --facts
contains "$T/out" "^\\{\"hostname\":\"$(hostname)\",\"cpu_model\":"

# 4b. a torn last line is moved to FILE.torn, the next record starts a fresh line
cat >torn.vmlab <<'X'
benchmarks = [ "flow" ]
environments = [ "null" ]
iterations = 2
warmup = 0
X
expect 0 "$VMLAB" run torn.vmlab
head -c -1 results/torn.jsonl >t && mv t results/torn.jsonl   # lose the final newline only
expect 0 "$VMLAB" run torn.vmlab
contains "$T/err" 'the last record \(byte [0-9]+\) lacked its newline; added it'
contains "$T/out" '^skipped 2 of 2 runs'
sed -i '$d' results/torn.jsonl
printf '{"environment":"null","benchm' >>results/torn.jsonl   # a writer cut short
size=$(($(wc -c <results/torn.jsonl) - 29))
expect 0 "$VMLAB" run torn.vmlab
contains "$T/err" "torn last line at byte $size \\(29 bytes\\) moved to .*results/torn\\.jsonl\\.torn"
contains "$T/out" '^skipped 1 of 2 runs'
contains results/torn.jsonl.torn '^\{"environment":"null","benchm$'
expect 0 "$VMLAB" report results/torn.jsonl --format csv
[ "$(wc -l <results/torn.jsonl)" = 2 ] || fail "wanted 2 records after the torn tail"

# 5. bad experiment files: FILE:LINE:COL, exit 2, nothing written
bad() { # WANT-REGEX then file text on stdin
  cat >bad.vmlab
  expect 2 "$VMLAB" run bad.vmlab && contains "$T/err" "$1"
  [ -e results/bad.jsonl ] && fail "bad experiment wrote results"
}
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\nitrations = 3\n' |
  bad 'bad\.vmlab:3:1: unknown key .itrations.'
printf 'benchmarks = "flow"\nenvironments = [ "native" ]\n' |
  bad 'bad\.vmlab:1:14: benchmarks: expected a list'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native",\n  "kvm:x" ]\n' |
  bad "bad\\.vmlab:3:3: unknown environment 'kvm:x'"
printf 'benchmarks = [ "flow" ]\nenvironments = [ "testbed:xen" ]\n' |
  bad 'bad\.vmlab:2:18: environment .testbed:xen.: expected testbed:bare'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\niterations = "three"\n' |
  bad 'bad\.vmlab:3:14: iterations: expected a number'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\niterations = 0\n' |
  bad 'bad\.vmlab:3:14: iterations: expected a number from 1 to'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\nsize = "huge"\n' |
  bad 'bad\.vmlab:3:8: size: expected "test", "train" or "ref"'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\nsize = "test\n' |
  bad 'bad\.vmlab:3:[0-9]+: '
printf 'environments = [ "native" ]\n' |
  bad 'bad\.vmlab:1:1: nothing to run'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\npin = "0-"\n' |
  bad 'bad\.vmlab:3:7: pin: invalid pcpu range'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "native" ]\npin = 1\n' |
  bad 'bad\.vmlab:3:7: pin: expected a string'
# names and CPUs are checked when the file is read, before anything runs
printf 'benchmarks = [ "flow", "nosuch" ]\nenvironments = [ "native" ]\n' |
  bad "bad\\.vmlab:1:24: benchmarks: unknown kernel 'nosuch' \\(known: [a-z_, ]*flow"
printf 'micro = [ "nosuch" ]\nenvironments = [ "null" ]\n' |
  bad "bad\\.vmlab:1:11: micro: unknown microbenchmark 'nosuch' \\(known: [a-z_, ]*null_syscall"
printf 'benchmarks = [ "flow" ]\nenvironments = [ "ssh:me@box" ]\npin = "0-999999"\n' |
  bad 'bad\.vmlab:3:7: pin: CPU 999999 is beyond 1023'
printf 'benchmarks = [ "flow" ]\nenvironments = [ "null", "native" ]\npin = "0,1000"\n' |
  bad "bad\\.vmlab:3:7: pin: CPU 1000 is not one this host lets vmlab run on .*environment 'null'"
# 6. a SIGKILLed runner takes its benchmark child with it
cat >slow.vmlab <<'X'
benchmarks = [ "flow" ]
environments = [ "native" ]
size = "ref"
iterations = 1
warmup = 0
X
kids() { # PID: its children and grandchildren
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$c"; cat /proc/"$c"/task/*/children 2>/dev/null | tr ' ' '\n'
  done | grep . || true
}
alive() { [ -e /proc/"$1" ] && ! grep -q '^[^ ]* ([^)]*) Z' /proc/"$1"/stat 2>/dev/null; }
"$VMLAB" run slow.vmlab >/dev/null 2>&1 &
runner=$!
for _ in $(seq 100); do [ -n "$(kids "$runner")" ] && break; sleep 0.1; done
left=$(kids "$runner")
[ -n "$left" ] || fail "vmlab run started no benchmark child"
kill -9 "$runner"; wait "$runner" 2>/dev/null
for _ in $(seq 50); do
  still=""; for p in $left; do alive "$p" && still="$still $p"; done
  [ -z "$still" ] && break; sleep 0.1
done
[ -z "$still" ] || { fail "benchmark processes left behind by a killed runner:$still"; kill -9 $still; }

# 7. a benchmark left by a runner that died is found through FILE.pid and killed
sh -c 'exit 0' & dead=$!; wait "$dead"
setsid sleep 300 & orphan=$!
for _ in $(seq 50); do grep -q '^sleep' /proc/"$orphan"/cmdline 2>/dev/null && break; sleep 0.1; done
start=$(python3 -c 'import sys; print(open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()[19])' "$orphan")
echo "vmlab-run $dead 1 $orphan $start" >results/torn.jsonl.pid
expect 0 "$VMLAB" run torn.vmlab
contains "$T/err" "torn\\.jsonl\\.pid: killed pid $orphan and its process group, a benchmark left running by vmlab run pid $dead"
wait "$orphan" 2>/dev/null
alive "$orphan" && { fail "leftover $orphan not killed"; kill -9 "$orphan"; }
[ -e results/torn.jsonl.pid ] && fail "pid file not removed"
# a pid file naming nothing alive is removed quietly
echo "vmlab-run $dead 1 $dead 1" >results/torn.jsonl.pid
expect 0 "$VMLAB" run torn.vmlab
grep -q 'pid' "$T/err" && fail "stale pid file reported: $(cat "$T/err")"
[ -e results/torn.jsonl.pid ] && fail "stale pid file not removed"

expect 2 "$VMLAB" run missing.vmlab
expect 2 "$VMLAB" run
expect 2 "$VMLAB" run a.vmlab --no-such-option
# A measurement beside a virtual machine it did not start (a testbed left up):
# warned about and recorded in the facts (test_native_beside_foreign_vm).
mkdir -p "$T/fakeqemu"
cp "$(command -v sleep)" "$T/fakeqemu/qemu-system-x86_64"
"$T/fakeqemu/qemu-system-x86_64" 60 &
qpid=$!
cat >c.vmlab <<'X'
name = "c"
micro = [ "rdtsc" ]
environments = [ "native" ]
iterations = 1
results = "out/c.jsonl"
X
expect 0 "$VMLAB" run c.vmlab
contains "$T/err" "warning: native shares this machine with virtual machines it did not start \\(.*qemu-system-x86_64 pid $qpid"
contains out/c.jsonl "\"concurrent\":\"([^\"]*, )?qemu-system-x86_64 pid $qpid"
kill $qpid; wait $qpid 2>/dev/null
expect 0 "$VMLAB" run c.vmlab --results out/c2.jsonl
! grep -q "pid $qpid" out/c2.jsonl || fail "a VM that has ended is still recorded as concurrent"

# test_testbed_env_error_is_the_library_s: a testbed environment with no
# testbed built learns why from the testbed library, not from the stderr of
# a vmlab it runs (that gave "vmlab testbed up : vmlab testbed: ..."); the runs
# are recorded failed and nothing is written to the testbed's folder.
cat >t.vmlab <<'X'
name = "t"
benchmarks = [ "null" ]
environments = [ "testbed:pv" ]
size = "test"
iterations = 1
results = "out/t.jsonl"
X
VMLAB_HOME=$T/tbhome expect 1 "$VMLAB" run t.vmlab
contains "$T/err" "^vmlab run: testbed:pv: unreachable: vmlab testbed up: the testbed is not built in $T/tbhome/testbed: run 'vmlab testbed build'"
grep -q "vmlab testbed up : vmlab testbed:" "$T/err" && fail "the error is read back from a child vmlab's stderr"
[ -e "$T/tbhome/testbed/state" ] && fail "a failed testbed environment left a state file"
# test_unsupported_micro_not_failed: a micro the environment cannot run is
# recorded unsupported with its reason, the run exits 0, resume skips it
cat >u.vmlab <<'X'
micro = [ "null_syscall", "cpuid" ]
environments = [ "null:unsupported=cpuid" ]
iterations = 2
warmup = 0
results = "out/u.jsonl"
X
expect 0 "$VMLAB" run u.vmlab
contains "$T/out" '^\[3/4\] null:unsupported=cpuid cpuid iter 1/2: <not supported>: '
contains "$T/out" '^u: 4 runs now: 2 ok, 0 failed, 2 not supported here; 0 of 4 planned remain'
[ "$(grep -c '"benchmark":"cpuid".*"status":"unsupported","error":"not supported' out/u.jsonl)" = 2 ] ||
	fail "cpuid not recorded unsupported twice"
grep -q '"status":"failed"' out/u.jsonl && fail "an unsupported micro recorded failed"
expect 0 "$VMLAB" run u.vmlab
contains "$T/out" '^skipped 4 of 4 runs: already done'

finish
