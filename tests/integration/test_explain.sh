#!/usr/bin/env bash
# vmlab explain on a fixture results file with counts: the decomposition's
# numbers in Markdown, JSON and HTML; bad input fails with FILE:LINE, exit 2.
. "$(dirname "$0")/../lib.sh"
F=$SRC_DIR/tests/fixtures/results/explain.jsonl

expect 0 "$VMLAB" explain "$F"
contains "$T/out" '^### testbed:pv: search \(cpu\) 1\.60x slower than testbed:bare \(\+600 ms per run\): 86\.5% explained$'
contains "$T/out" '^\| page faults \| page-faults \| 80000 \| 79000 \| 4 us \| 399 ms \| 66\.5% \|$'
contains "$T/out" '^\| system calls \| raw_syscalls:sys_enter \| 200000 \| 199800 \| 500 ns \| 120 ms \| 20\.0% \|$'
contains "$T/out" '^\| unexplained \| \| \| \| \| 81\.02 ms \| 13\.5% \|$'
contains "$T/out" '^### testbed:hvm: cpuid \(micro\) 41\.00x slower than testbed:bare'
contains "$T/out" 'priced by this micro itself'
contains "$T/out" '^\| NPF exits \| xentrace:exit:npf \| 5000 \| 5000 \| 2 us \(trace\) \| 10 ms \| 5\.0% \|$'
contains "$T/out" '^- no data \(not counted in testbed:hvm of search\): system calls'

expect 0 "$VMLAB" explain "$F" --format json
python3 - "$T/out" <<'PY' || fail "json explanation numbers"
import json, sys
d = json.load(open(sys.argv[1]))
t = {(x["environment"], x["benchmark"]): x for x in d["targets"]}
pv = t[("testbed:pv", "search")]
assert abs(pv["explained"] - 518.98 / 600) < 1e-9, pv["explained"]
parts = {p["mechanism"]: p for p in t[("testbed:hvm", "search")]["parts"]}
assert parts["system calls"]["time_ns"] is None and not parts["system calls"]["counted"]
assert parts["NPF exits"]["cost_from"] == "trace"
PY

expect 0 "$VMLAB" explain "$F" --format html -o "$T/x.html"
contains "$T/x.html" '<svg xmlns'
contains "$T/x.html" '<title>page faults: 66\.5%</title>'

# vmlab report includes the explanation when the records carry counts
expect 0 "$VMLAB" report "$F"
contains "$T/out" '^## Where the time went$'
expect 0 "$VMLAB" report "$SRC_DIR/tests/fixtures/results/task2.jsonl"
grep -q 'Where the time went' "$T/out" && fail "report without counts explains"

# bad input: FILE:LINE, exit 2, nothing written
expect 2 "$VMLAB" explain "$SRC_DIR/tests/fixtures/results/string_value.jsonl" -o "$T/none.md"
contains "$T/err" 'string_value\.jsonl:2: '
[ -e "$T/none.md" ] && fail "output written for bad input"
expect 2 "$VMLAB" explain
expect 2 "$VMLAB" explain "$F" --format pdf
contains "$T/err" "'pdf': unknown format"
expect 2 "$VMLAB" explain "$F" --baseline nowhere

# the experiment key xentrace: classes checked where they are written; a
# run without a Xen guest (null) is measured and not traced
printf 'benchmarks = [ "search" ]\nenvironments = [ "null" ]\nxentrace = "hvm,bogus"\nresults = "r.jsonl"\n' >"$T/x.vmlab"
expect 2 "$VMLAB" run "$T/x.vmlab"
contains "$T/err" "x\.vmlab:3:12: xentrace: 'bogus': not an event class"
[ -e "$T/r.jsonl" ] && fail "bad experiment wrote results"
sed -i 's/hvm,bogus/hvm,sched/' "$T/x.vmlab"
expect 0 "$VMLAB" run "$T/x.vmlab"
grep -q '"xentrace' "$T/r.jsonl" && fail "a null run was traced"
finish
