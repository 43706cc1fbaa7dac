#!/usr/bin/env bash
# vmlab qos refuses bad input with exit 2 before anything runs or changes:
# an unknown guest, an SLA out of range, the same guest twice, a bad --of,
# a malformed trial file (FILE:LINE named; the file is left as it was). Also
# vmlab jbb's --start-at barrier: a run sleeps until the time it is given and
# records its measured interval on CLOCK_REALTIME.
. "$(dirname "$0")/../lib.sh"

export VMLAB_HOME=$T/home
mkdir -p "$VMLAB_HOME"
cd "$T"

expect 2 "$VMLAB" qos measure --protect nosuch --against other -n 1
contains "$T/err" "no testbed named a is up"
expect 2 "$VMLAB" qos tune --protect nosuch --against other -o "$T/t.jsonl"
contains "$T/err" "no testbed named a is up"
[ -e "$T/t.jsonl" ] && fail "a refused tune wrote its trial file"
expect 2 "$VMLAB" qos tune --protect a --against b --sla 1.5
contains "$T/err" "\-\-sla 1.5: must be between 0.01 and 1"
expect 2 "$VMLAB" qos tune --protect a --against b --sla 0
contains "$T/err" "\-\-sla 0: must be between"
expect 2 "$VMLAB" qos tune --protect a --against b --of twice
contains "$T/err" "\-\-of"
expect 2 "$VMLAB" qos tune --protect a --against a
contains "$T/err" "name the same guest a"
expect 2 "$VMLAB" qos measure --against b
contains "$T/err" "\-\-protect GUEST and \-\-against GUEST are required"
expect 2 "$VMLAB" qos measure --protect 'a;b' --against b
contains "$T/err" "not a guest name"
expect 2 "$VMLAB" qos
expect 2 "$VMLAB" qos nosuch

printf '%s\n' '{"kind":"qos-trial","config":"c","phase":"native","setting":"default","run":1,"valid":true,"bops_a":1,"bops_b":null,"skew_ms":null,"overlap":null,"late_ms":null}' '{"kind":"qos-trial","phase":"pair"}' >"$T/bad.jsonl"
cp "$T/bad.jsonl" "$T/bad.orig"
expect 2 "$VMLAB" qos tune --protect a --against b -o "$T/bad.jsonl"
contains "$T/err" "bad.jsonl:2: config: expected a string"
same "$T/bad.jsonl" "$T/bad.orig"

# the barrier: 1.5 s ahead; the ramp-up begins after it, the record says when
at=$(python3 -c 'import time; print("%.3f" % (time.time() + 1.5))')
expect 0 "$VMLAB" jbb --warehouses 1 --peak 1 --rampup 0s --measure 200ms --start-at "$at" --json
python3 - "$T/out" "$at" <<'PY' || fail "jbb --start-at: $(cat "$T/out")"
import json, sys
r = json.load(open(sys.argv[1]))
p = r["points"][0]
at = float(sys.argv[2]) * 1e9
assert r["status"] == "ok", r
assert p["t0_real_ns"] >= at and p["late_ns"] >= 0, p
assert p["late_ns"] < 500e6, p
assert 0.19e9 < p["t1_real_ns"] - p["t0_real_ns"] < 2e9, p
PY
# test_late_guest_keeps_the_interval: a run woken after the barrier (here
# one 0.3 s in the past) measures the common interval, the barrier + ramp-up
# for --measure, and says how late it woke
at=$(python3 -c 'import time; print("%.3f" % (time.time() - 0.3))')
expect 0 "$VMLAB" jbb --warehouses 1 --peak 1 --rampup 1s --measure 500ms --start-at "$at" --json
python3 - "$T/out" "$at" <<'PY' || fail "jbb --start-at (late): $(cat "$T/out")"
import json, sys
r = json.load(open(sys.argv[1]))
p = r["points"][0]
at = float(sys.argv[2]) * 1e9
assert r["status"] == "ok", r
assert p["late_ns"] >= 0.3e9, p
assert abs(p["t0_real_ns"] - (at + 1e9)) < 1e6, (p["t0_real_ns"] - at) / 1e9
assert abs(p["t1_real_ns"] - p["t0_real_ns"] - 0.5e9) < 1e6, p
PY
expect 2 "$VMLAB" jbb --start-at -1
finish
