#!/usr/bin/env bash
# vmlab run with a jbb item in a PV guest of the testbed: the record is ok,
# valid (every warehouse's invariants held), labelled emulated hardware with
# Xen's facts and the guest type, and carries its points. Always tears the
# testbed down. Environment: VMLAB_TESTBED_TEST_HOME (default
# ~/.cache/vmlab-test), VMLAB_TESTBED_TEST_LIMIT (seconds, default 1200).
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v python3 >/dev/null || skip "python3 is needed to validate JSON"
"$VMLAB" testbed --help >/dev/null 2>&1 || skip "this vmlab has no testbed command"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"

export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test}
limit_s=${VMLAB_TESTBED_TEST_LIMIT:-1200}
if [ -f "$VMLAB_HOME/testbed/state" ] && "$VMLAB" testbed status >/dev/null 2>&1; then
  skip "a testbed is already up in $VMLAB_HOME (another run uses it)"
fi
testbed_session "$limit_s"

"$VMLAB" testbed build >"$T/build.log" 2>&1 || { tail -5 "$T/build.log"; fail "testbed build"; finish; }
mkdir "$T/w" && cd "$T/w"
cat >tb.vmlab <<'X'
jbb = [ "--warehouses 1..2 --peak 1 --rampup 2s --measure 5s" ]
environments = [ "testbed:pv" ]
iterations = 1
warmup = 0
guest_memory = 384
timeout = "10m"
X
"$VMLAB" run tb.vmlab >run.out 2>run.err
st=$?
cat run.out run.err
[ "$st" = 0 ] || fail "vmlab run: exit $st"
python3 - results/tb.jsonl <<'PY' || fail "the jbb record of testbed:pv"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(rs) == 1, rs
r = rs[0]
assert r["kind"] == "jbb" and r["status"] == "ok" and r["valid"] is True, r
assert r["label"] == "testbed (emulated hardware)" and r["facts"]["guest_type"] == "pv", r
assert r["facts"]["xen_version"].startswith("4.17"), r
assert [p["warehouses"] for p in r["points"]] == [1, 2] and r["value"] > 0, r
print("testbed:pv jbb: %.0f bops (points %s)" % (r["value"], [round(p["bops"]) for p in r["points"]]))
PY
finish
