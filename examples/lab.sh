#!/usr/bin/env bash
# The lab handout, end to end, on the embedded default (the testbed: real Xen
# 4.17 and dom0 in QEMU), with the vmlab binary on PATH. Results go to out/.
#   task 1: one disk booted as HVM and as PV (examples/task1/run.sh)
#   task 2: CPU-bound kernels and microbenchmarks, native, bare, PV, PVH, HVM
#   task 4: SPECweb2005-style search for the largest passing session count
# Every task runs even when an earlier one failed; the exit status is 1 then.
# Usage: examples/lab.sh [task1] [task2] [task4]   (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
vmlab --version
tasks=${*:-task1 task2 task4}
failed=()
step() { # NAME CMD...
  local name=$1; shift
  echo; echo "==== $name ($(date -u +%H:%M:%S))"
  local t0=$SECONDS
  if "$@"; then echo "==== $name: done in $((SECONDS - t0)) s"
  else echo "==== $name: FAILED after $((SECONDS - t0)) s"; failed+=("$name"); fi
}
has() { case " $tasks " in *" $1 "*) return 0 ;; esac; return 1; }

task2() {
  local rc=0
  vmlab run examples/task2.vmlab || rc=1
  vmlab report out/task2.jsonl -o out/task2.html &&
    vmlab report out/task2.jsonl -o out/task2.md && cat out/task2.md || rc=1
  return $rc
}
task4() {
  bash examples/task4.sh out && vmlab report out/task4.jsonl -o out/task4.md && cat out/task4.md
}

has task1 && step "task 1: one disk, HVM and PV" bash examples/task1/run.sh
has task2 && step "task 2: CPU-bound workloads, native vs PV vs PVH vs HVM" task2
has task4 && step "task 4: web serving (SPECweb2005-style) on loopback" task4

echo
echo "reports: out/task2.html out/task2.md out/task4.md (testbed numbers are emulated hardware)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
