#!/usr/bin/env bash
# vmlab qos against the real Xen 4.17 of the testbed: two 2-vCPU PV guests;
# qos measure (-n 1, a small jbb) gives the native, solo and paired runs, A's
# fractions and the barrier's start skew; a short qos tune records its
# trials, a second run of the same command skips them all, and the guests'
# original settings are back afterwards (xl's own view). Always tears the
# testbed down. Environment: VMLAB_TESTBED_TEST_HOME.
. "$(dirname "$0")/../lib.sh"

tb_test_start 5400
tb_build_up
step "two 2-vCPU PV guests"
expect 0 "$VMLAB" testbed guest up pv --name qa --vcpus 2 --memory 320 || exit 1
expect 0 "$VMLAB" testbed guest up pv --name qb --vcpus 2 --memory 320 || exit 1

step "measure"
expect 0 "$VMLAB" qos measure --protect qa --against qb -n 1 --rampup 3s --measure 10s --lead 20s -o "$T/m.jsonl"
cat "$T/out"
contains "$T/out" "A beside B / native +median [0-9.]+"
contains "$T/out" "A beside B / A alone +median [0-9.]+"
contains "$T/out" "start skew +median [0-9.]+ ms"
[ "$(grep -c '"kind":"qos-trial"' "$T/m.jsonl")" = 4 ] || fail "measure: 4 trial records: $(cat "$T/m.jsonl")"
contains "$T/out" '^settings as found \(each trial.s readback\): \{"qa":\{.*"qb":\{'
[ "$(grep -c '"readback":{"qa":{' "$T/m.jsonl")" = 4 ] || fail "measure: every trial keeps the settings as found"

step "tune"
tune() { "$VMLAB" qos tune --protect qa --against qb --sla 0.6 --of solo --runs 1 --rampup 3s --measure 10s \
	--lead 20s -o "$T/t.jsonl" >"$T/out" 2>"$T/err"; echo $? >"$T/st"; cat "$T/out" "$T/err"; }
tune
st=$(cat "$T/st")
[ "$st" = 0 ] || [ "$st" = 1 ] || fail "tune: exit $st"
contains "$T/out" "evidence per setting"
contains "$T/out" "SLA held: setting|guaranteed minimum: [0-9.]+"
n=$(grep -c '"kind":"qos-trial"' "$T/t.jsonl")
[ "$n" -ge 2 ] || fail "tune: trial records: $n"
step "tune again: every trial is done"
tune
[ "$(grep -c '"kind":"qos-trial"' "$T/t.jsonl")" = "$n" ] || fail "the second tune ran trials again"
contains "$T/out" "done before, skipped"

cat "$T/m.jsonl" "$T/t.jsonl"
step "originals back"
"$VMLAB" testbed exec -- xl sched-credit2 >"$T/xl" 2>&1 || fail "xl sched-credit2: $(cat "$T/xl")"
for g in qa qb; do
	[ "$(awk -v n=$g '$1 == n {print $3, $4}' "$T/xl")" = "256 0" ] || fail "$g: $(cat "$T/xl")"
done
"$VMLAB" testbed exec -- xl cpupool-list >"$T/xl" 2>&1
grep -q vmlab-qos "$T/xl" && fail "a qos pool is left: $(cat "$T/xl")"
"$VMLAB" testbed exec -- xl vcpu-list qa >"$T/xl" 2>&1
[ "$(grep -c ' all / all$' "$T/xl")" = 2 ] || fail "qa's affinity: $(cat "$T/xl")"

step "guests down"
expect 0 "$VMLAB" testbed guest down qa
expect 0 "$VMLAB" testbed guest down qb
step "down"
expect 0 "$VMLAB" testbed down
step "done"
finish
