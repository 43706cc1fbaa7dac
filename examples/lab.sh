#!/usr/bin/env bash
# The lab handout, end to end, on the embedded default (the testbed: real Xen
# 4.17 and dom0 in QEMU), with the vmlab binary on PATH. Results go to out/.
#   task 1: one disk booted as HVM and as PV, and a PV disk booted as HVM
#           with a boot volume (examples/task1/run.sh)
#   task 2: CPU-bound kernels and microbenchmarks, native, bare, PV, PVH, HVM
#   task 3: two 2-vCPU guests running jbb, the scheduling that keeps one at
#           80% of native (or the guaranteed minimum), made persistent
#           (examples/task3.sh; about an hour under TCG)
#   task 4: SPECweb2005-style search for the largest passing session count
# Every task runs even when an earlier one failed; the exit status is 1 then.
# --quick runs every task's steps at the smallest size (task 1 without its
# two HVM boots from disk, which take 3 to 10 minutes each under TCG: the
# disk, the HVM config, its conversion to PV, the PV boot and the refusal;
# task 2 with one kernel and three microbenchmarks in each
# environment; task 4 with one coarse search per workload), into out/quick/;
# task 3 only when named (examples/task3.sh --quick, about 15 minutes).
# The lab leaves the machine as it found it: a testbed it booted is down at
# its end, and nothing it started runs on.
# Usage: examples/lab.sh [--quick] [task1] [task2] [task3] [task4]   (default: all;
# with --quick all but task3)
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0 tasks=
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    task1|task2|task3|task4) tasks="$tasks $a" ;;
    *) echo "lab.sh: unknown argument '$a' (--quick, task1, task2, task3, task4)" >&2; exit 2 ;;
  esac
done
if [ -z "$tasks" ]; then
  tasks="task1 task2 task3 task4"
  [ $quick = 1 ] && tasks="task1 task2 task4"
fi
out=out task2_exp=examples/task2.vmlab
[ $quick = 1 ] && out=out/quick task2_exp=examples/task2-quick.vmlab
mkdir -p "$out"
vmlab --version
failed=()
# A testbed up before the lab is the user's: left up (and warned about, since
# it shares the machine with the measurements); one the lab booted goes down.
testbed_was_up=0
if vmlab testbed status >/dev/null 2>&1; then
  testbed_was_up=1
  echo "lab.sh: warning: a testbed runs already; it stays up, and the native and web measurements share the machine with it"
fi
finish() {
  if [ $testbed_was_up = 0 ] && vmlab testbed status >/dev/null 2>&1; then
    echo "lab.sh: taking down the testbed the lab booted"
    vmlab testbed down >/dev/null 2>&1 || echo "lab.sh: warning: vmlab testbed down failed"
  fi
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
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
  vmlab run "$task2_exp" --results "$out/task2.jsonl" || rc=1
  vmlab report "$out/task2.jsonl" -o "$out/task2.html" &&
    vmlab report "$out/task2.jsonl" -o "$out/task2.md" && cat "$out/task2.md" || rc=1
  # where native performance went: each environment's strongest slowdown
  # split into counted events x their cost from the micros
  vmlab explain "$out/task2.jsonl" -o "$out/task2-explain.md" && cat "$out/task2-explain.md" || rc=1
  return $rc
}
task4() {
  local q=; [ $quick = 1 ] && q=--quick
  # the web measurements run on this machine: no testbed beside them
  if [ $testbed_was_up = 0 ] && vmlab testbed status >/dev/null 2>&1; then
    echo "lab.sh: the testbed is still up before task 4: taking it down"
    vmlab testbed down >/dev/null 2>&1
  fi
  bash examples/task4.sh $q "$out" && vmlab report "$out/task4.jsonl" -o "$out/task4.md" && cat "$out/task4.md"
}

task1_args=(); [ $quick = 1 ] && task1_args=(--no-hvm --no-pv-hvm)
has task1 && step "task 1: one disk, HVM and PV" bash examples/task1/run.sh "${task1_args[@]}"
has task2 && step "task 2: CPU-bound workloads, native vs PV vs PVH vs HVM" task2
task3_args=(); [ $quick = 1 ] && task3_args=(--quick)
has task3 && step "task 3: CPU scheduling for an SLA (SPECjbb-style)" \
  env VMLAB="$(command -v vmlab)" bash examples/task3.sh "${task3_args[@]}" "$out"
has task4 && step "task 4: web serving (SPECweb2005-style) on loopback" task4

echo
echo "reports: $out/task2.html $out/task2.md $out/task4.md (testbed numbers are emulated hardware)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
