#!/usr/bin/env bash
# Counting overhead of --trace on the CPU kernels (target: under 2%): each
# kernel's recorded wall time without counting and with counting, runs
# interleaved (A B A B ...) so drift of a shared machine hits both alike;
# median, min, max and the coefficient of variation side by side, and the
# ratio of the medians, for the wall time and the CPU time (user + sys);
# then where events are densest, the microbenchmarks (see below). The load average is printed: numbers taken while
# other work loads the machine say so.
# Usage: bench/trace-overhead.sh [VMLAB]; env KERNELS="flow stencil" (empty: none) SIZE=train N=5
#   EVENTS=... (default: page faults, context switches, sched_switch, getppid, the xen: set)
set -euo pipefail
cd "$(dirname "$0")/.."
vmlab=${1:-build/vmlab}
[ -x "$vmlab" ] || { echo "no $vmlab; run scripts/build build" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 needed" >&2; exit 2; }
T=$(mktemp -d /tmp/vmlab-bench-trace.XXXXXX)
trap 'rm -rf "$T"' EXIT
size=${SIZE:-train}
n=${N:-5}
events=${EVENTS:-page-faults,context-switches,cpu-migrations,sched:sched_switch,syscalls:sys_enter_getppid,xen:xen_mc_entry,xen:xen_mmu_*}
echo "== counting overhead, size $size, $n interleaved pairs, events $events"
echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in ${KERNELS-flow stencil des}; do
  : >"$T/$k.off"; : >"$T/$k.on"
  for i in $(seq "$n"); do
    "$vmlab" cpu run "$k" --size "$size" --iterations 1 --json >>"$T/$k.off"
    "$vmlab" cpu run "$k" --size "$size" --iterations 1 --json --trace "$events" >>"$T/$k.on"
  done
  python3 - "$T/$k.off" "$T/$k.on" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
def load(p):
    return [r for r in (json.loads(l) for l in open(p) if l.strip()) if r["status"] == "ok"]
off, on = load(sys.argv[1]), load(sys.argv[2])
def show(name, w):
    cv = statistics.stdev(w) / statistics.mean(w) * 100 if len(w) > 1 else 0
    return f"{name} {statistics.median(w):7.4f} s [{min(w):.4f} .. {max(w):.4f}] CV {cv:4.1f}%"
k = off[0]["benchmark"]
print(f"  {k}   load {sys.argv[3]}")
for what, f in (("wall", lambda r: r["wall_s"]), ("cpu (user+sys)", lambda r: r["user_s"] + r["sys_s"])):
    a, b = [f(r) for r in off], [f(r) for r in on]
    ratio = statistics.median(b) / statistics.median(a)
    print(f"    {what:15s} {show('without', a)}   {show('with', b)}   with/without {ratio:.4f} "
          f"({(ratio - 1) * 100:+.2f}%) {'PASS' if ratio < 1.02 else 'OVER'}")
counted = {e: c["count"] for e, c in on[0].get("counts", {}).items() if "count" in c}
print(f"    counted: {json.dumps(counted)}")
PY
done

# Where events are densest (a getppid call counted by
# syscalls:sys_enter_getppid, a first touch by page-faults): micro's median
# ns/op alone, under vmlab trace -e (counters open while it is timed: what
# perf stat costs too), and with micro --trace (counted in an extra untimed
# repetition: the times should be those of micro alone), interleaved.
echo "== dense events: micro median ns/op alone, under vmlab trace -e EV, with micro --trace EV"
for pair in "null_syscall syscalls:sys_enter_getppid 200000" "page_fault page-faults 20000"; do
  set -- $pair
  : >"$T/m.a"; : >"$T/m.b"; : >"$T/m.c"
  for i in $(seq "$n"); do
    "$vmlab" micro "$1" --ops "$3" --repetitions 3 --json >>"$T/m.a"
    "$vmlab" trace -e "$2" -- "$vmlab" micro "$1" --ops "$3" --repetitions 3 --json 2>/dev/null |
      grep '^{"kind"' >>"$T/m.b"
    "$vmlab" micro "$1" --ops "$3" --repetitions 3 --json --trace "$2" >>"$T/m.c"
  done
  python3 - "$T/m.a" "$T/m.b" "$T/m.c" "$1" "$2" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
v = [[json.loads(l)["median"] for l in open(f)] for f in sys.argv[1:4]]
m = [statistics.median(x) for x in v]
def show(name, x, med):
    return f"{name} {med:8.1f} [{min(x):.1f} .. {max(x):.1f}]"
print(f"  {sys.argv[4]} ({sys.argv[5]})   load {sys.argv[6]}")
print(f"    {show('alone', v[0], m[0])}   {show('under trace -e', v[1], m[1])} ({(m[1] / m[0] - 1) * 100:+.1f}%)"
      f"   {show('micro --trace', v[2], m[2])} ({(m[2] / m[0] - 1) * 100:+.1f}%)")
PY
done
