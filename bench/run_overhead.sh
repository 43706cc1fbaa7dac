#!/usr/bin/env bash
# Harness overhead of vmlab run: the time it adds around each run (starting
# the benchmark process, reading its record, appending and fsyncing the
# result), measured two ways, median and spread over 5 repetitions each:
#   null    the runner and results store alone (no process started)
#   null on tmpfs  the same with the results file in /dev/shm: the runner's own
#           cost without the disk's fsync latency
#   native  plus starting this vmlab as a child for `vmlab cpu run --cmd true`:
#           overhead = (elapsed per run) - (the run's own wall_s)
# The peer printed beside it is a bare fork+exec of the same command
# (`vmlab cpu run --cmd true` started by a shell loop), i.e. what any harness
# must pay to start a process. Usage: bench/run_overhead.sh [RUNS] (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
VMLAB=${VMLAB:-$PWD/build/vmlab}
N=${1:-100}
W=$(mktemp -d /tmp/vmlab-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (shared machine: numbers move with the load)"

now() { date +%s.%N; }
stats() { python3 -c '
import statistics, sys
v = sorted(float(x) for x in sys.argv[2:])
print("%-44s median %8.3f ms  min %8.3f  max %8.3f  (n=%d)" % (sys.argv[1], statistics.median(v), v[0], v[-1], len(v)))
' "$@"; }

null=() shm=() native=() peer=()
S=$(mktemp -d /dev/shm/vmlab-bench.XXXXXX)
trap 'rm -rf "$W" "$S"' EXIT
for rep in 1 2 3 4 5; do
  printf 'micro = [ "x" ]\nenvironments = [ "null" ]\niterations = %d\nwarmup = 0\nresults = "n%d.jsonl"\n' "$N" "$rep" >"$W/n.vmlab"
  t0=$(now); "$VMLAB" run "$W/n.vmlab" >/dev/null; t1=$(now)
  null+=("$(python3 -c "print(($t1 - $t0) * 1000 / $N)")")
  t0=$(now); "$VMLAB" run "$W/n.vmlab" --results "$S/n$rep.jsonl" >/dev/null; t1=$(now)
  shm+=("$(python3 -c "print(($t1 - $t0) * 1000 / $N)")")

  printf 'cmds = [ "true" ]\nenvironments = [ "native" ]\niterations = %d\nwarmup = 0\nresults = "c%d.jsonl"\n' "$N" "$rep" >"$W/c.vmlab"
  t0=$(now); "$VMLAB" run "$W/c.vmlab" >/dev/null; t1=$(now)
  inner=$(python3 -c 'import json,sys; print(sum(json.loads(l)["wall_s"] for l in open(sys.argv[1])))' "$W/c$rep.jsonl")
  native+=("$(python3 -c "print((($t1 - $t0) - $inner) * 1000 / $N)")")

  t0=$(now)
  for _ in $(seq "$N"); do "$VMLAB" cpu run --cmd true --iterations 1 --json >/dev/null; done
  t1=$(now)
  peer+=("$(python3 -c "print((($t1 - $t0)) * 1000 / $N)")")
done
stats "vmlab run, null env (store + fsync) per run" "${null[@]}"
stats "vmlab run, null env, results on tmpfs" "${shm[@]}"
stats "vmlab run, native env, overhead per run" "${native[@]}"
stats "peer: shell loop, elapsed per run (no store)" "${peer[@]}"
