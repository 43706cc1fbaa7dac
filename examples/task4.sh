#!/usr/bin/env bash
# Handout task 4 on this machine (loopback): vmlab web serve starts nginx, the
# FastCGI application and BeSim; vmlab web search finds, for each workload, the
# largest number of simultaneous sessions that passes QoS. Think times are
# scaled down (--think-scale) so a search fits in minutes: the numbers are a
# non-standard, scaled run, labelled as such in the results. The search starts
# at 10 sessions: fewer make too few pages in 10 s for a valid QoS verdict.
# --quick: one short, coarse search per workload (to within 16 sessions, one
# iteration at the answer, 5 s measured per step), for CI.
# Usage: examples/task4.sh [--quick] [OUT_DIR]   (vmlab on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
out=${1:-out}
mkdir -p "$out"
dir=$(mktemp -d /tmp/vmlab-task4.XXXXXX)
scale=${VMLAB_THINK_SCALE:-0.01}
results="$out/task4.jsonl"
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One nginx worker: the server gets one of the machine's CPUs, the clients
# the other. The file set is made for the search's bound (about 17 GB for
# 1000 sessions, 3.4 GB for 200). Before each search one QoS run at the
# bound: a workload that passes there would only find the bound, so the
# bound is doubled (serve restarted with the larger file set), up to
# VMLAB_WEB_SESSIONS_LIMIT (default 2000, 34 GB; the quick mode keeps its bound).
sessions=${VMLAB_WEB_MAX_SESSIONS:-1000}
limit=${VMLAB_WEB_SESSIONS_LIMIT:-2000}
[ $quick = 1 ] && { sessions=${VMLAB_WEB_MAX_SESSIONS:-200}; limit=$sessions; scale=${VMLAB_THINK_SCALE:-0.001}; }
served=0
serve() { # N: (re)start serve with the file set for N sessions; sets http_url, tls_url
  [ "$served" = "$1" ] && return 0
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; serve_pid=
  fi
  vmlab web serve --dir "$dir/web" --sessions "$1" --workload all --workers 1 \
    --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 \
    --app-listen 127.0.0.1:0 --besim-listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
  serve_pid=$!
  # free ports, picked by serve: the URLs come from what it prints
  for _ in $(seq 1 2400); do
    grep -q '^serving;' "$dir/serve.log" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  cat "$dir/serve.log"
  http_url=$(sed -n 's|^static: *\(http://[^/]*\)/.*|\1|p' "$dir/serve.log")
  tls_url=$(sed -n 's|^banking: *\(https://[^/]*\)/.*|\1|p' "$dir/serve.log")
  [ -n "$http_url" ] && [ -n "$tls_url" ] || { echo "task4.sh: web serve printed no URLs" >&2; exit 1; }
  served=$1
}

iters=2 step=1 phases=(--rampup 2s --warmup 3s --run 10s --rampdown 1s)
[ $quick = 1 ] && iters=1 step=16 phases=(--rampup 1s --warmup 2s --run 5s --rampdown 1s)
for w in banking ecommerce support; do
  hi=$sessions
  # a bound the workload passes is no bound: one QoS run at it decides
  while [ $((hi * 2)) -le "$limit" ]; do
    serve "$hi"
    echo "== task 4: $w: does the bound $hi pass QoS? (one iteration)"
    vmlab web run -w "$w" -n "$hi" -i 1 "${phases[@]}" --url "$http_url" --tls-url "$tls_url" \
      --think-scale "$scale" --fileset-sessions "$hi" --label "loopback, think x$scale" \
      --results "$results" >"$dir/probe.out" 2>&1 || break
    tail -n 3 "$dir/probe.out"
    echo "task 4: $w: passes at $hi sessions: the bound is doubled"
    hi=$((hi * 2))
  done
  serve "$hi"
  echo "== task 4: $w: largest passing session count (think times x$scale)"
  vmlab web search -w "$w" --min 10 --max "$hi" --step "$step" -i "$iters" "${phases[@]}" \
    --url "$http_url" --tls-url "$tls_url" \
    --think-scale "$scale" \
    --fileset-sessions "$hi" --label "loopback, think x$scale" --results "$results" ||
    echo "task 4: $w: not even 10 sessions passed QoS"
done
echo "task 4 results: $results"
