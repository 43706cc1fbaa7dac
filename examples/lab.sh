#!/usr/bin/env bash
# The lab, end to end, with the vmlab binary on PATH. Results go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
vmlab --version

# Task 2: CPU-bound kernels and microbenchmarks, native and in the testbed as
# bare, PV, PVH and HVM; the report names the strongest slowdown.
vmlab run examples/task2.vmlab || echo "task 2: some runs failed (see out/task2.jsonl)"
vmlab report out/task2.jsonl -o out/task2.html
vmlab report out/task2.jsonl -o out/task2.md
echo "task 2 report: out/task2.html"
