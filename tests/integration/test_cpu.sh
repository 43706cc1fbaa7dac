#!/usr/bin/env bash
# vmlab cpu and vmlab micro: listing, suite runs with JSON records, checksum
# failures, external commands with metric extraction, usage errors.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to validate JSON"

# check_jsonl FILE KIND N PYTHON-EXPR: N lines, each a JSON object of KIND for which EXPR (on r) holds.
check_jsonl() {
  python3 - "$@" <<'PY' || fail "bad records in $1: $4"
import json, sys
path, kind, n, expr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [l for l in open(path) if l.strip()]
assert len(lines) == n, f"{len(lines)} records, wanted {n}"
for l in lines:
    r = json.loads(l)
    assert r["kind"] == kind, r
    assert eval(expr), r
PY
}

# listing
expect 0 "$VMLAB" cpu list && contains "$T/out" '^flow +505\.mcf' && contains "$T/out" 'reference machine:'
n=$(grep -cE '^(flow|des|compress|search|xmltree|interp|stencil|align|nbody) ' "$T/out")
[ "$n" = 9 ] || fail "cpu list shows $n of the 9 kernels"
expect 0 "$VMLAB" cpu list --json && check_jsonl "$T/out" cpu-kernel 10 '(r["reftime_s"]["ref"] > 0) == r["scored"]'

# two kernels at test size, JSON records, also appended to a file
expect 0 "$VMLAB" cpu run search align --size test --iterations 2 --json -o "$T/res.jsonl"
keys='all(k in r for k in ("benchmark","size","iteration","copies","wall_s","user_s","sys_s","ratio","checksum_ok","checksum","status"))'
check_jsonl "$T/out" cpu 4 "$keys and r['status'] == 'ok' and r['checksum_ok'] is True and r['ratio'] > 0 and r['size'] == 'test' and r['copies'] == 1 and r['checksum'].startswith('0x') and r['benchmark'] in ('search','align')"
same "$T/out" "$T/res.jsonl"

# the human table ends with the suite score
expect 0 "$VMLAB" cpu run interp --iterations 1 && contains "$T/out" '^interp .* ok$' && contains "$T/out" '^score \(geometric mean of 1 median ratios'

# rate run
expect 0 "$VMLAB" cpu run interp --copies 2 --iterations 1 --json && check_jsonl "$T/out" cpu 1 'r["copies"] == 2 and r["status"] == "ok"'

# bound to a CPU: every copy on the last CPU this process may use; the record says so
last=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')
expect 0 "$VMLAB" cpu run interp --copies 2 --pin "$last" --iterations 1 --json &&
  check_jsonl "$T/out" cpu 1 "r['pin'] == '$last' and r['status'] == 'ok'"
expect 0 "$VMLAB" cpu run interp --pin all --iterations 1 --json && check_jsonl "$T/out" cpu 1 "r['pin'] == 'all'"
expect 0 "$VMLAB" cpu run interp --iterations 1 --json && check_jsonl "$T/out" cpu 1 "'pin' not in r"
expect 2 "$VMLAB" cpu run interp --pin 1023 && contains "$T/err" "CPU 1023 is not one this process may run on"
expect 2 "$VMLAB" cpu run interp --pin 0-x && contains "$T/err" "^vmlab cpu run: --pin '0-x': column 1: "
expect 2 "$VMLAB" cpu run interp --pin ^all
expect 2 "$VMLAB" cpu run --cmd true --pin 0 && contains "$T/err" "apply to built-in kernels only"

# a wrong checksum is caught: exit 1, record marked failed, the other runs go on
VMLAB_CPU_CORRUPT_CHECKSUM=1 expect 1 "$VMLAB" cpu run interp search --iterations 1 --json
check_jsonl "$T/out" cpu 2 'r["status"] == "checksum-mismatch" and r["checksum_ok"] is False and "expected" in r["error"] and r["ratio"] is None'
contains "$T/err" 'checksum-mismatch'

# external commands: metric from the first capture group
expect 0 "$VMLAB" cpu run --cmd "sh -c 'echo warming up; echo score: 42.5 ops/s'" --metric-regex 'score: ([0-9.]+)' \
  --higher-is-better --metric-name ops_per_s --name echoer --iterations 2 --json
check_jsonl "$T/out" cmd 2 'r["benchmark"] == "echoer" and r["metric"] == 42.5 and r["metric_name"] == "ops_per_s" and r["higher_is_better"] is True and r["status"] == "ok"'
expect 0 "$VMLAB" cpu run --cmd "sh -c 'echo took 7 ms >&2'" --metric-regex 'took ([0-9]+) ms' --lower-is-better --iterations 1
contains "$T/out" '^cmd +metric +1 +7 '
# without a regex the metric is the wall time
expect 0 "$VMLAB" cpu run --cmd 'true' --iterations 1 --json && check_jsonl "$T/out" cmd 1 'r["metric_name"] == "wall_s" and r["metric"] >= 0 and r["higher_is_better"] is False'
# a crashing command, a failing one, no match: failed records, exit 1
expect 1 "$VMLAB" cpu run --cmd "sh -c 'kill -SEGV \$\$'" --iterations 1 --json && check_jsonl "$T/out" cmd 1 'r["status"] == "crashed" and "signal 11" in r["error"]'
expect 1 "$VMLAB" cpu run --cmd "sh -c 'exit 3'" --iterations 1 --json && check_jsonl "$T/out" cmd 1 'r["status"] == "error" and r["exit_status"] == 3'
expect 1 "$VMLAB" cpu run --cmd 'echo nothing' --metric-regex 'x=([0-9]+)' --higher-is-better --iterations 1 --json
check_jsonl "$T/out" cmd 1 'r["status"] == "error" and "matched nothing" in r["error"]'
expect 1 "$VMLAB" cpu run --cmd 'sleep 5' --timeout 200ms --iterations 1 && contains "$T/err" 'cmd iteration 1'
# no shell: ; $ and > reach the program as written
expect 0 "$VMLAB" cpu run --cmd "echo n=7;\$HOME >x" --metric-regex 'n=([0-9]+);[$]HOME >x' --higher-is-better --iterations 1 --json
check_jsonl "$T/out" cmd 1 'r["metric"] == 7 and r["status"] == "ok"'
expect 2 "$VMLAB" cpu run --cmd "echo 'open" && contains "$T/err" "--cmd: col 6: unterminated ' quote"
expect 2 "$VMLAB" cpu run --cmd " " && contains "$T/err" "--cmd: no command"

# usage errors: exit 2, nothing run
expect 2 "$VMLAB" cpu run nosuch && contains "$T/err" "unknown benchmark 'nosuch'"
expect 2 "$VMLAB" cpu run interp --size huge && contains "$T/err" "expected test, train or ref"
expect 2 "$VMLAB" cpu run interp --size tiny
expect 2 "$VMLAB" cpu run interp --iterations 0
expect 2 "$VMLAB" cpu run interp --copies x
expect 2 "$VMLAB" cpu run --bogus
expect 2 "$VMLAB" cpu frobnicate
expect 2 "$VMLAB" cpu list extra
expect 2 "$VMLAB" cpu run --cmd true --metric-regex '([0-9]+)' && contains "$T/err" 'needs --higher-is-better or --lower-is-better'
expect 2 "$VMLAB" cpu run --cmd true --metric-regex '(unclosed' --higher-is-better
expect 2 "$VMLAB" cpu run --cmd true --metric-regex 'no group' --higher-is-better && contains "$T/err" 'no capture group'
expect 2 "$VMLAB" cpu run interp --cmd true
expect 2 "$VMLAB" cpu run --cmd true --higher-is-better --lower-is-better
expect 2 "$VMLAB" cpu run interp --metric-regex '(x)'

# microbenchmarks
expect 0 "$VMLAB" micro --list && contains "$T/out" '^tlb_shootdown '
expect 0 "$VMLAB" micro null_syscall clock_gettime mem_read --min-time 5ms --repetitions 3 --json
check_jsonl "$T/out" micro 3 'r["status"] == "ok" and 0 < r["min"] <= r["median"] <= r["max"] and r["repetitions"] == 3 and r["ops"] >= 1 and r["higher_is_better"] == (r["unit"] == "MB/s") and r["unit"] in ("ns/op", "MB/s")'
expect 0 "$VMLAB" micro fork_exit --min-time 5ms --repetitions 2 && contains "$T/out" '^fork_exit +ns/op .* ok$'
expect 2 "$VMLAB" micro nosuch && contains "$T/err" "unknown microbenchmark 'nosuch'"
expect 2 "$VMLAB" micro --min-time forever
expect 2 "$VMLAB" micro --repetitions 0
finish
