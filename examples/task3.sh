#!/usr/bin/env bash
# Handout task 3 end to end on the vmlab testbed: two 2-vCPU PV guests, A
# (qa, protected) and B (qb), both running vmlab jbb (SPECjbb2005-style, one
# point of W = 2 warehouses) at one barrier.
#  1. vmlab qos measure: native (dom0, guests idle), A alone, B alone, both:
#     A's fraction beside B under Xen's defaults, and the start skew.
#  2. vmlab qos tune --sla SLA --of native: settings from least to most
#     intrusive until one keeps A at SLA of native in all K runs, or the
#     guaranteed minimum when none does.
#  3. The setting made persistent (the vmlab qos apply --persist commands
#     tune prints), testbed down and up: dom0's boot unit recreates the
#     pools, the guests are created again from their xl.cfg files, and
#     vmlab qos show finds live == persisted.
#  4. vmlab qos measure again from the persisted setting: whether it still
#     holds the SLA in K of K runs; a summary: A's fraction under Xen's
#     defaults, the tuner's verdict and the check after the restart.
#  5. vmlab qos apply --undo: the files as they were.
# Usage: examples/task3.sh [--runs K] [--sla F] [--rampup D] [--measure D]
#                          [--lead D] [--quick] [OUT_DIR]
# --quick: K = 1 and short jbb phases (a check that it all runs, not an
# answer). Defaults: K = 3, SLA 0.8, ramp-up 10 s, measurement 30 s, the
# barrier 30 s ahead.
# Trials go to OUT_DIR/task3-measure.jsonl, OUT_DIR/task3-tune.jsonl and
# OUT_DIR/task3-after.jsonl
# (default out/); an interrupted run resumes from them.
# Leaves the testbed as it found it (down if this script started it).
# Exit status: 0 every step passed (the SLA held or the guaranteed minimum
# was found and persisted), 1 a step failed, 2 bad usage.
set -uo pipefail
cd "$(dirname "$0")/.."
VMLAB=${VMLAB:-$PWD/build/vmlab}
runs=3 sla=0.8 quick=0 out=out rampup=10s measure=30s lead=30s
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs K}; shift ;;
	--sla) sla=${2:?--sla F}; shift ;;
	--rampup) rampup=${2:?--rampup D}; shift ;;
	--measure) measure=${2:?--measure D}; shift ;;
	--lead) lead=${2:?--lead D}; shift ;;
	--quick) quick=1 ;;
	-*) echo "usage: examples/task3.sh [--runs K] [--sla F] [--rampup D] [--measure D] [--lead D] [--quick] [OUT_DIR]" >&2
	    exit 2 ;;
	*) out=$1 ;;
	esac
	shift
done
case $runs in '' | *[!0-9]* | 0) echo "task3.sh: --runs $runs: a whole number >= 1" >&2; exit 2 ;; esac
jbb=(--rampup "$rampup" --measure "$measure" --lead "$lead")
[ $quick = 1 ] && { runs=1; jbb=(--rampup 3s --measure 10s --lead 20s); }
mkdir -p "$out"
t0=$SECONDS started=0 failed=0 undo=0

heading() { echo; echo "=== $*"; }
step_fail() { echo "task3.sh: $*" >&2; failed=1; }
v() { "$VMLAB" "$@"; }
teardown() {
	heading "teardown"
	[ $undo = 1 ] && v qos apply --undo
	v testbed exec -- sh -c 'for d in qa qb; do xl destroy $d 2>/dev/null; done; true'
	[ $started = 1 ] && v testbed down
	echo "=== total: $((SECONDS - t0)) s, $([ $failed = 0 ] && echo "all steps passed" || echo "a step failed")"
}
trap teardown EXIT
trap 'failed=1; exit 1' INT TERM

heading "0. the testbed and two 2-vCPU PV guests"
if ! v testbed status >/dev/null 2>&1; then
	v testbed up || { step_fail "testbed up"; exit 1; }
	started=1
fi
for g in qa qb; do
	v testbed guest up pv --name $g --vcpus 2 --memory 320 || { step_fail "guest $g"; exit 1; }
done

heading "1. A beside B under Xen's defaults (K = $runs)"
v qos measure --protect qa --against qb -n "$runs" "${jbb[@]}" -o "$out/task3-measure.jsonl" |
	tee "$out/task3-measure.txt"
[ "${PIPESTATUS[0]}" = 0 ] || { step_fail "qos measure"; exit 1; }

heading "2. the least intrusive setting that keeps A at >= $sla of native in $runs of $runs runs"
v qos tune --protect qa --against qb --sla "$sla" --of native --runs "$runs" "${jbb[@]}" \
	-o "$out/task3-tune.jsonl" | tee "$out/task3-tune.txt"
st=${PIPESTATUS[0]}
[ "$st" = 0 ] || [ "$st" = 1 ] || { step_fail "qos tune: exit $st"; exit 1; }
grep -q "^guaranteed minimum\|^SLA held" "$out/task3-tune.txt" || { step_fail "qos tune: no verdict"; exit 1; }

heading "3. the setting made persistent, kept across a testbed reboot"
mapfile -t cmds < <(sed -n '/^to make .*persistent:$/,$p' "$out/task3-tune.txt" | grep '^vmlab qos apply ')
grep '^# ' "$out/task3-tune.txt" || true
for c in "${cmds[@]}"; do
	read -ra w <<<"$c"
	echo "\$ $c"
	v "${w[@]:1}" || { step_fail "$c"; exit 1; }
	undo=1
done
[ ${#cmds[@]} -gt 0 ] || echo "    Xen's defaults hold: nothing to persist"
if [ ${#cmds[@]} -gt 0 ]; then
	v testbed down && v testbed up || { step_fail "testbed down / up"; exit 1; }
	started=1
	v testbed exec -- sh -c 'cat /var/log/vmlab-boot.log 2>/dev/null; xl cpupool-list -c'
	for g in qa qb; do
		v testbed exec -- xl create "/etc/xen/vmlab/$g.cfg" || { step_fail "xl create $g.cfg"; exit 1; }
	done
	v qos show qa qb || step_fail "qos show: live and persisted differ"
	heading "4. the SLA measured again after the restart, from the persisted setting (K = $runs)"
	v qos measure --protect qa --against qb -n "$runs" "${jbb[@]}" -o "$out/task3-after.jsonl" |
		tee "$out/task3-after.txt"
	[ "${PIPESTATUS[0]}" = 0 ] || step_fail "qos measure after the restart"
fi

heading "summary (testbed: emulated CPUs under QEMU TCG; dom0 shares the two pCPUs with both guests)"
echo "with Xen's defaults, A beside B / native: $(sed -n 's/^ *A beside B \/ native *//p' "$out/task3-measure.txt" 2>/dev/null | head -1)"
grep "^SLA held\|^no setting holds\|^guaranteed minimum" "$out/task3-tune.txt"
if [ -s "$out/task3-after.txt" ]; then
	line=$(sed -n 's/^ *A beside B \/ native *//p' "$out/task3-after.txt" | head -1)
	echo "after the restart, from the persisted setting, A beside B / native: $line"
	lo=$(sed -n 's/^median [0-9.]* (min \([0-9.]*\),.*/\1/p' <<<"$line")
	if [ -n "$lo" ] && awk -v a="$lo" -v b="$sla" 'BEGIN { exit !(a >= b) }'; then
		echo "the persisted setting holds the SLA ($sla of native) in $runs of $runs runs after the restart"
	else
		echo "the persisted setting does not hold the SLA ($sla of native) in every run after the restart (lowest: ${lo:-none})"
	fi
fi
[ $failed = 0 ]
