#!/usr/bin/env bash
# vmlab trace: usage errors, bad event names and globs (exit 2), a tracefs
# tree given by VMLAB_TRACEFS (globs, a corrupt id file, the xen: rule in a
# PVH guest), perf-stat output and JSON, --trace in micro, cpu run and
# experiment records, and the report's event counts.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to validate JSON"

# usage
expect 2 "$VMLAB" trace && contains "$T/err" 'no command'
expect 2 "$VMLAB" trace -e 'xen:a:u' -- true && contains "$T/err" "byte 5: a second ':'"
expect 2 "$VMLAB" trace -e 'task-clock,,page-faults' -- true && contains "$T/err" 'byte 11: empty event name'
expect 2 "$VMLAB" trace -e cyclez -- true && contains "$T/err" "'cyclez': no such event"
expect 2 "$VMLAB" trace -r 0 -- true && contains "$T/err" -- '--repeat 0'
expect 2 "$VMLAB" trace list 'a,b' && contains "$T/err" 'one glob only'
expect 2 "$VMLAB" trace list 'nosuchevent*' && contains "$T/err" 'no event matches'
expect 2 "$VMLAB" micro null_syscall --trace 'x:[ab' && contains "$T/err" "byte 2: '\[' without its '\]'"
expect 2 "$VMLAB" micro null_syscall --ops 10 --min-time 1s && contains "$T/err" 'exclude each other'
expect 2 "$VMLAB" trace -e page-faults -- /nonexistent/prog && contains "$T/err" 'cannot start'

# software events are there wherever perf_event_open is
expect 0 "$VMLAB" trace list '*-faults' && contains "$T/out" '^  page-faults +\[Software event\]'
if ! "$VMLAB" trace -e page-faults -- true >"$T/out" 2>&1 || grep -q 'not supported' "$T/out"; then
  skip "perf_event_open cannot count here: $(cat "$T/out")"
fi

# no permission: the reason names the knob (and tracefs's owner) instead of counting 0
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 2 ]; then
  mkdir "$T/nobody" && cp "$VMLAB" "$T/nobody/vmlab" && chmod 755 "$T" "$T/nobody"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$T/nobody/vmlab" trace -e page-faults -- true >"$T/out" 2>&1 ||
    fail "vmlab trace as nobody: $(cat "$T/out")"
  contains "$T/out" '^ +<not supported> +page-faults$'
  contains "$T/out" '^page-faults: not supported: no permission \(kernel.perf_event_paranoid = [0-9]+: '
else
  echo "SKIP (part): the no-permission message needs root, setpriv and kernel.perf_event_paranoid >= 2"
fi

# a tracefs tree: globs, a corrupt id file, the xen: rule
tfs=$T/tracefs
mkdir -p "$tfs/events/xen/xen_mc_entry" "$tfs/events/xen/xen_mmu_set_pte" "$tfs/events/bad/ev"
echo 1000001 >"$tfs/events/xen/xen_mc_entry/id"
echo 1000002 >"$tfs/events/xen/xen_mmu_set_pte/id"
printf '12x\n' >"$tfs/events/bad/ev/id"
export VMLAB_TRACEFS=$tfs
expect 0 "$VMLAB" trace list 'xen:*'
[ "$(grep -c 'Tracepoint event' "$T/out")" = 2 ] || fail "trace list 'xen:*' on the tree: $(cat "$T/out")"
expect 2 "$VMLAB" trace -e bad:ev -- true && contains "$T/err" "$tfs/events/bad/ev/id: byte 2: unexpected text after the id"
expect 2 "$VMLAB" trace -e 'xen:xen_nope*' -- true && contains "$T/err" "'xen:xen_nope\*': no event matches"
VMLAB_XEN_GUEST_TYPE=PVH expect 0 "$VMLAB" trace -e 'xen:*,page-faults' -- true
contains "$T/out" '^ +<not supported> +xen:xen_mc_entry$'
contains "$T/out" '^xen:xen_mmu_set_pte: not supported: a Xen PVH guest'
contains "$T/out" '^ +[0-9,]+ +page-faults$'
# in a PV guest the ids are used; this kernel has none such: no such event, said so
VMLAB_XEN_GUEST_TYPE=PV expect 0 "$VMLAB" trace --json -e 'xen:xen_mc_entry' -- true
python3 - "$T/out" <<'PY' || fail "PV ids unknown to this kernel: $(cat "$T/out")"
import json, sys
ev = json.load(open(sys.argv[1]))["events"][0]
assert ev["status"] == "unsupported" and "no such event" in ev["reason"], ev
PY
VMLAB_XEN_GUEST_TYPE=HVM expect 0 "$VMLAB" micro page_fault --ops 1000 --repetitions 2 --json --trace 'xen:xen_mmu_*' --trace page-faults
python3 - "$T/out" <<'PY' || fail "micro --trace record: $(cat "$T/out")"
import json, sys
r = json.loads(open(sys.argv[1]).read())
c = r["counts"]
assert c["xen:xen_mmu_set_pte"]["status"] == "unsupported", c
assert "a Xen HVM guest" in c["xen:xen_mmu_set_pte"]["reason"], c
assert c["page-faults"]["count"] == 1000 and c["page-faults"]["per_op"] == 1, c
PY
unset VMLAB_TRACEFS

# perf-stat output with repeats, and its JSON
expect 0 "$VMLAB" trace -r 3 -e page-faults,task-clock,cycles -- "$VMLAB" micro page_fault --ops 2000 --repetitions 1
contains "$T/out" "^ Performance counter stats for '.*vmlab micro page_fault --ops 2000 --repetitions 1' \(3 runs\):"
contains "$T/out" '^ +[0-9,]+ +page-faults +\( \+- +[0-9.]+% \)$'
contains "$T/out" '^ +[0-9.]+ msec task-clock +# +[0-9.]+ CPUs utilized +\( \+- +[0-9.]+% \)$'
contains "$T/out" '^ +[0-9.]+ \+- [0-9.]+ seconds time elapsed  \( \+- +[0-9.]+% \)$'
grep -q '<not supported> *cycles' "$T/out" && contains "$T/out" '^cycles: not supported: .+'
expect 1 "$VMLAB" trace --json -e page-faults -- false && contains "$T/err" "'false' exited with status 1"
python3 - "$T/out" <<'PY' || fail "trace --json of false: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == 1 and d["command"] == ["false"] and d["repeat"] == 1, d
assert d["events"][0]["status"] == "counted" and d["events"][0]["count"] > 0, d
PY

# cpu run --trace: every record has the counts of its iteration
expect 0 "$VMLAB" cpu run interp --iterations 2 --json --trace page-faults,context-switches
python3 - "$T/out" <<'PY' || fail "cpu run --trace records: $(cat "$T/out")"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(rs) == 2
for r in rs:
    assert r["counts"]["page-faults"]["count"] > 0, r
    assert r["counts"]["context-switches"]["count"] >= 0, r
PY

# an experiment's trace list: counts beside each run's time, in the report
cat >"$T/x.vmlab" <<'X'
micro = [ "page_fault" ]
environments = [ "native" ]
iterations = 2
warmup = 0
trace = [ "page-faults", "nosuch:event_*" ]
X
expect 0 "$VMLAB" run "$T/x.vmlab"
python3 - "$T/results/x.jsonl" <<'PY' || fail "store records with counts: $(cat "$T/results/x.jsonl")"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(rs) == 2
for r in rs:
    assert r["status"] == "ok" and r["counts"]["page-faults"]["per_op"] == 1, r
    u = r["counts"]["nosuch:event_*"]
    assert u["status"] == "unsupported" and "no event matches" in u["reason"], r
PY
expect 0 "$VMLAB" report "$T/results/x.jsonl"
contains "$T/out" '^## Event counts'
contains "$T/out" '^\| page_fault \| native \| page-faults \| 2 \| [0-9]+ \| 1 \|  \|$'
contains "$T/out" '^\| page_fault \| native \| nosuch:event_\* \| 2 \| - \| - \| <not supported>: no event matches'
expect 0 "$VMLAB" report "$T/results/x.jsonl" --format json
python3 - "$T/out" <<'PY' || fail "report --format json counts: $(cat "$T/out")"
import json, sys
c = {x["event"]: x for x in json.load(open(sys.argv[1]))["counts"]}
assert c["page-faults"]["runs"] == 2 and c["page-faults"]["per_op"] == 1 and c["page-faults"]["unsupported"] == 0, c
assert c["nosuch:event_*"]["median"] is None and c["nosuch:event_*"]["unsupported"] == 2, c
PY
printf 'micro = [ "page_fault" ]\nenvironments = [ "native" ]\ntrace = [ "ok-event",\n  "a:b:c" ]\n' >"$T/bad.vmlab"
expect 2 "$VMLAB" run "$T/bad.vmlab" && contains "$T/err" "bad.vmlab:4:3: trace: 'a:b:c': byte 3: a second ':'"
[ ! -e "$T/results/bad.jsonl" ] || fail "a bad experiment file wrote results"
finish
