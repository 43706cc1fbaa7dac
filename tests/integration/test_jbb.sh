#!/usr/bin/env bash
# vmlab jbb: a tiny native run (points, metric, validity, record), critical
# mode, a kit's output read from a file and from --cmd, usage and output
# errors; vmlab run with jbb = [ ... ] natively and in the null environment.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to validate JSON"
DATA="$SRC_DIR/tests/unit/data/jbb"

# py FILE EXPR: the JSON object in FILE's last line satisfies EXPR (on r)
py() {
  python3 - "$@" <<'PY' || fail "record in $1: $2"
import json, sys
r = json.loads([l for l in open(sys.argv[1]) if l.strip()][-1])
assert eval(sys.argv[2]), json.dumps(r)[:800]
PY
}

tiny="--rampup 0.1s --measure 0.4s"
# three points at N = 2: the metric is the mean of points 2 and 3, and the text says 1 of 3 is missing
expect 0 "$VMLAB" jbb --warehouses 1..3 --peak 2 $tiny -o "$T/rec.jsonl"
contains "$T/out" '^ +WAREHOUSES +BOPS'
contains "$T/out" '^ +1 +[0-9]+ .* valid$'
contains "$T/out" '^  \* +3 +[0-9]+ .* valid$'
contains "$T/out" '^  new_order +[0-9]+'
contains "$T/out" '^bops = [0-9]+ \(SPECjbb2005.s metric: mean of the points 2\.\.4; only 2 of those 3 points were run'
py "$T/rec.jsonl" 'r["kind"] == "jbb" and r["status"] == "ok" and r["valid"] is True and r["checksum_ok"] is True and len(r["points"]) == 3 and r["metric_points"] == 2 and r["metric_points_expected"] == 3 and abs(r["metric"] - (r["points"][1]["bops"] + r["points"][2]["bops"]) / 2) < 0.02 * r["metric"] and all(p["valid"] and p["tx"]["new_order"]["count"] > 0 and p["p99_ms"] >= p["p50_ms"] for p in r["points"])'

# the default points are 1..2N for N = the CPUs this process may use
expect 0 taskset -c 0 "$VMLAB" jbb $tiny --json
py "$T/out" 'r["peak"] == 1 and [p["warehouses"] for p in r["points"]] == [1, 2] and r["metric_points"] == 2'

# critical mode: full speed, K steps, five limits each met or said not to be
# (on a loaded machine p99 <= 10 ms may never be met: then exit 1 and no figure)
rc=0; "$VMLAB" jbb --mode critical --peak 1 --steps 3 $tiny -o "$T/crit.jsonl" >"$T/out" 2>"$T/err" || rc=$?
case $rc in
  0) contains "$T/out" '^critical-jOPS = [0-9]+ \(geometric mean' ;;
  1) contains "$T/out" 'never met$'; contains "$T/err" 'incomplete: p99 <= [0-9]+ ms was never met' ;;
  *) fail "critical mode: exit $rc"; cat "$T/err" >&2 ;;
esac
contains "$T/out" '^  p99 <=  10 ms: ([0-9]+ jOPS|never met)$'
py "$T/crit.jsonl" 'r["metric_name"] == "critical-jOPS" and len(r["steps"]) == 4 and [round(s["rate"] / r["steps"][0]["bops"], 3) for s in r["steps"][1:]] == [0.333, 0.667, 1.0] and len(r["sla"]) == 5 and all(s["met"] == (s["jops"] is not None) for s in r["sla"]) and (r["metric"] is None) == (r["status"] == "incomplete") and (r["status"] == "ok") == ('$rc' == 0)'

# a real kit's output: from a file and from a command (argv split, no shell)
expect 0 "$VMLAB" jbb --parse "$DATA/specjbb2005_report.txt" --json
py "$T/out" 'r["benchmark"] == "specjbb2005" and r["metric"] == 41227 and len(r["points"]) == 4 and r["points"][3]["in_metric"] and "checksum_ok" not in r'
expect 0 "$VMLAB" jbb --cmd "cat '$DATA/specjbb2015_composite.txt'"
contains "$T/out" 'max-jOPS = 10121, critical-jOPS = 4377'
expect 2 "$VMLAB" jbb --parse "$DATA/specjbb2005_bad_row.txt"
contains "$T/err" 'specjbb2005_bad_row.txt:4:35: bops: expected a number'
expect 2 "$VMLAB" jbb --cmd "echo hello; echo world"
contains "$T/err" "echo output:2:1: no SPECjbb result"
expect 1 "$VMLAB" jbb --cmd "false"
contains "$T/err" "exited with status 1"
expect 2 "$VMLAB" jbb --cmd "java -jar 'kit.jar"
contains "$T/err" "--cmd: col 11: unterminated ' quote"

# usage errors
expect 2 "$VMLAB" jbb --warehouses 3..1
contains "$T/err" "--warehouses '3..1': warehouses must be 1 <= A <= B <= 256"
expect 2 "$VMLAB" jbb --mode critical --warehouses 1..2
contains "$T/err" "critical runs one warehouse count"
expect 2 "$VMLAB" jbb --measure 1ms
expect 2 "$VMLAB" jbb extra

# vmlab run: jbb items natively and in the null environment; a bad item at its place
cat >"$T/x.vmlab" <<X
jbb = [ "--warehouses 1..2 --peak 1 $tiny" ]
environments = [ "native", "null" ]
iterations = 1
warmup = 0
results = "res.jsonl"
X
expect 0 "$VMLAB" run "$T/x.vmlab"
python3 - "$T/res.jsonl" <<'PY' || fail "vmlab run's jbb records"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert len(rs) == 2, rs
nat = [r for r in rs if r["environment"] == "native"][0]
assert nat["benchmark"] == "jbb --warehouses 1..2 --peak 1 --rampup 0.1s --measure 0.4s", nat
assert nat["kind"] == "jbb" and nat["status"] == "ok" and nat["unit"] == "bops" and nat["better"] == "higher", nat
assert nat["value"] > 0 and nat["valid"] is True and len(nat["points"]) == 2, nat
nul = [r for r in rs if r["environment"] == "null"][0]
assert nul["status"] == "ok" and nul["value"] > 0 and nul["label"].startswith("null"), nul
PY
# done runs are skipped when the experiment is run again
expect 0 "$VMLAB" run "$T/x.vmlab"
[ "$(grep -c . "$T/res.jsonl")" = 2 ] || fail "a second vmlab run repeated jbb runs already done"
sed -i 's/"null"/"null:fail=jbb"/' "$T/x.vmlab"
expect 1 "$VMLAB" run "$T/x.vmlab"
py "$T/res.jsonl" 'r["environment"] == "null:fail=jbb" and r["status"] == "failed" and "invariant violated" in r["error"] and r["valid"] is False'
printf 'jbb = [ "--rampup 1s",\n  "--warehouses 0" ]\nenvironments = [ "null" ]\n' >"$T/bad.vmlab"
expect 2 "$VMLAB" run "$T/bad.vmlab"
contains "$T/err" "bad.vmlab:2:3: jbb: '--warehouses 0': --warehouses '0': warehouses must be"

finish
