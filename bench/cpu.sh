#!/usr/bin/env bash
# Speed targets of vmlab cpu, printed as medians and spreads:
#  1. the whole suite at test size takes under 30 s (process wall time);
#  2. native run-to-run spread of each ref kernel is below 2% (coefficient
#     of variation of the kernel wall time over 5 runs), unbound and bound to
#     the last CPU (--pin), side by side;
#  3. the harness adds under 1 ms around a run: process wall time of
#     `vmlab cpu run null` minus the kernel time it records, beside the time
#     to start vmlab at all (`vmlab --version`), and the cost per extra
#     iteration (fork, pipes, record).
# The load average is printed with each part: numbers taken while other work
# loads the machine say so.
# Usage: bench/cpu.sh [VMLAB] ; env KERNELS="flow des" limits part 2, SKIP_REF=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
vmlab=${1:-build/vmlab}
[ -x "$vmlab" ] || { echo "no $vmlab; run scripts/build build" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 needed" >&2; exit 2; }
T=$(mktemp -d /tmp/vmlab-bench-cpu.XXXXXX)
trap 'rm -rf "$T"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }

echo "== 1. whole suite at test size (target < 30 s)   load: $(load)"
t0=$(now)
"$vmlab" cpu run --size test --iterations 1 --json >"$T/test.jsonl"
t1=$(now)
python3 - "$T/test.jsonl" "$t0" "$t1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
total = float(sys.argv[3]) - float(sys.argv[2])
for r in recs:
    print(f"  {r['benchmark']:10s} {r['wall_s']:8.3f} s  user {r['user_s']:.3f} s  {r['status']}")
print(f"  kernels {sum(r['wall_s'] for r in recs):.2f} s, process wall {total:.2f} s  "
      f"{'PASS' if total < 30 else 'OVER'} (target 30 s)")
PY

if [ "${SKIP_REF:-0}" != 1 ]; then
  last=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')
  echo "== 2. ref-size spread, 5 runs per kernel, unbound and --pin $last (target CV < 2%)   load: $(load)"
  for k in ${KERNELS:-flow des compress search xmltree interp stencil align nbody}; do
    for how in unbound pinned; do
      pin=(); [ $how = pinned ] && pin=(--pin "$last")
      "$vmlab" cpu run "$k" --size ref --iterations 5 "${pin[@]}" --json >"$T/ref-$k.jsonl" || true
      python3 - "$T/ref-$k.jsonl" "$(load)" "$how" <<'PY'
import json, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
w = [r["wall_s"] for r in recs if r["status"] == "ok"]
u = [r["user_s"] for r in recs if r["status"] == "ok"]
if len(w) < 2:
    print(f"  {recs[0]['benchmark'] if recs else '?'}: too few good runs"); sys.exit()
cv = statistics.stdev(w) / statistics.mean(w) * 100
cvu = statistics.stdev(u) / statistics.mean(u) * 100
print(f"  {recs[0]['benchmark']:10s} {sys.argv[3]:8s} median {statistics.median(w):7.3f} s  min {min(w):7.3f}"
      f"  max {max(w):7.3f}  CV {cv:5.2f}% {'PASS' if cv < 2 else 'OVER'}  (user CV {cvu:5.2f}%)  load {sys.argv[2]}")
PY
    done
  done
fi

echo "== 3. harness overhead (target < 1 ms)   load: $(load)"
python3 - "$vmlab" <<'PY'
import json, statistics, subprocess, sys, time
vmlab = sys.argv[1]
def run(iters):
    t0 = time.perf_counter()
    out = subprocess.run([vmlab, "cpu", "run", "null", "--iterations", str(iters), "--json"],
                         check=True, capture_output=True, text=True).stdout
    t1 = time.perf_counter()
    recs = [json.loads(l) for l in out.splitlines()]
    return t1 - t0, sum(r["wall_s"] for r in recs)
def start():
    t0 = time.perf_counter()
    subprocess.run([vmlab, "--version"], check=True, capture_output=True)
    return (time.perf_counter() - t0) * 1e3
# starting vmlab at all (exec, dynamic loading): the floor of any run
base = [start() for _ in range(21)]
# process overhead of one run (start, fork of the copy, pipes, record)
one = [run(1) for _ in range(21)]
over1 = [(p - k) * 1e3 for p, k in one]
# cost of one more iteration inside a run
many = [run(101) for _ in range(7)]
per = [((p - k) * 1e3 - statistics.median(over1)) / 100 for p, k in many]
print(f"  starting vmlab (--version):  median {statistics.median(base):.3f} ms  "
      f"min {min(base):.3f}  max {max(base):.3f}  (n={len(base)})")
print(f"  whole process around a run: median {statistics.median(over1):.3f} ms  "
      f"min {min(over1):.3f}  max {max(over1):.3f}  (n={len(over1)})")
# minima: the least disturbed samples when the machine is shared
print(f"  run minus start (minima):   {min(over1) - min(base):.3f} ms")
print(f"  per extra iteration:        median {statistics.median(per):.3f} ms  "
      f"min {min(per):.3f}  max {max(per):.3f}  (n={len(per)})")
h = max(statistics.median(per), min(over1) - min(base))
print(f"  harness around a run: {h:.3f} ms  {'PASS' if h < 1 else 'OVER'} (target 1 ms; process start excluded)")
PY
