#!/usr/bin/env bash
# vmlab web bench against wrk: nginx (Debian package, one worker, access log
# off) serves a 1 KiB static file on loopback; wrk and `vmlab web bench` run
# alternately ROUNDS times each with the same -t/-c/-d; prints the median and
# min/max requests/s of both, their ratio, CPU time per request (user+sys
# of each client process) and the nginx worker's time on a CPU per request
# (what the client costs the server it measures), and the median and min/max
# of the per-round ratios of the paired runs. Then checks fixed-rate latency
# accuracy against bench/delay-server.c, whose service time is known: on each connection 9 of
# 10 requests take FAST_US, every 10th SLOW_US, so p50 = FAST and p99 = SLOW.
#
# nginx's worker is pinned to the last CPU. Placement "split" runs the client
# on the other CPUs (on a 2-core machine nginx is then the bottleneck and both
# clients reach about the same rate); "shared" runs the client on nginx's CPU,
# so the client's CPU cost per request shows in the rate.
#
# With VMLAB_BEFORE (another vmlab binary, e.g. one built from main) each
# round runs wrk, VMLAB_BEFORE and VMLAB in turn, and the table gains the
# before column and the after/before ratio.
#
# Environment: VMLAB (default build/vmlab), VMLAB_BEFORE (unset), ROUNDS (5), DURATION (5s),
# CONFIGS ("1:32 2:32" as THREADS:CONNECTIONS), PLACEMENTS ("split shared"),
# FAST_US (2000), SLOW_US (20000), RATE (200), RATE_DURATION (10s).
set -euo pipefail
cd "$(dirname "$0")/.."
VMLAB=${VMLAB:-build/vmlab}
VMLAB_BEFORE=${VMLAB_BEFORE:-}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5s}
CONFIGS=${CONFIGS:-1:32 2:32}
PLACEMENTS=${PLACEMENTS:-split shared}
FAST_US=${FAST_US:-2000}
SLOW_US=${SLOW_US:-20000}
RATE=${RATE:-200}
RATE_DURATION=${RATE_DURATION:-10s}
for p in nginx wrk cc taskset; do
  command -v $p >/dev/null || { echo "web-vs-wrk: $p is not installed" >&2; exit 1; }
done
[ -x "$VMLAB" ] || { echo "web-vs-wrk: $VMLAB missing: run scripts/build build" >&2; exit 1; }
[ -z "$VMLAB_BEFORE" ] || { [ -f "$VMLAB_BEFORE" ] && [ -x "$VMLAB_BEFORE" ]; } ||
  { echo "web-vs-wrk: VMLAB_BEFORE=$VMLAB_BEFORE is not an executable" >&2; exit 1; }
T=$(mktemp -d /tmp/vmlab-wrk.XXXXXX)
chmod 755 "$T"  # nginx workers run as an unprivileged user when started by root
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral port range
    ss -ltn "( sport = :$p )" | grep -q ":$p" || { echo $p; return; }
  done
}

# ---- nginx with a 1 KiB file ----
mkdir -p "$T/ngx/html" "$T/ngx/logs" "$T/ngx/tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$T/ngx/html/1k.html"
port=$(free_port)
ncpu=$(nproc)
last=$((ncpu - 1))
mask=1$(printf '0%.0s' $(seq 1 $last))
others=0-$((last > 0 ? last - 1 : 0))
cat >"$T/ngx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
worker_cpu_affinity $mask;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $T/ngx/tmp; proxy_temp_path $T/ngx/tmp;
  fastcgi_temp_path $T/ngx/tmp; uwsgi_temp_path $T/ngx/tmp; scgi_temp_path $T/ngx/tmp;
  server { listen 127.0.0.1:$port; root $T/ngx/html; }
}
CONF
nginx -p "$T/ngx" -c "$T/ngx/nginx.conf" &
pids+=($!)
url=http://127.0.0.1:$port/1k.html
for _ in $(seq 50); do curl -sf -o /dev/null "$url" 2>/dev/null && break; sleep 0.1; done
worker=$(pgrep -P "${pids[0]}" | head -1)
[ -n "$worker" ] || { echo "web-vs-wrk: nginx started no worker" >&2; exit 1; }
# the nginx worker's time on a CPU so far, ns
oncpu() { cut -d' ' -f1 "/proc/$worker/schedstat"; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine skews numbers)"
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///'), 1 worker, 1 KiB file, $ROUNDS rounds of $DURATION each, alternating"

# run TOOL THREADS CONNS CPUS: prints "REQ_PER_S CPU_NS_PER_REQ
# SERVER_NS_PER_REQ" (the client's user+sys time and the nginx worker's time
# on a CPU per request); TOOL is wrk, vmlab or before
run() {
  local tool=$1 t=$2 c=$3 cpus=$4 out=$T/out err=$T/time bin=$VMLAB
  [ "$tool" = before ] && bin=$VMLAB_BEFORE
  local s0 s1
  s0=$(oncpu)
  if [ "$tool" = wrk ]; then
    taskset -c "$cpus" /usr/bin/time -f '%U %S' -o "$err" wrk -t"$t" -c"$c" -d"$DURATION" "$url" >"$out"
  else
    taskset -c "$cpus" /usr/bin/time -f '%U %S' -o "$err" "$bin" web bench "$url" -t"$t" -c"$c" \
      -d"$DURATION" >"$out"
  fi
  s1=$(oncpu)
  local rps reqs cpu
  if grep -qE 'Non-2xx|Socket errors|HTTP errors' "$out"; then
    echo "web-vs-wrk: $tool reported errors:" >&2; cat "$out" >&2; exit 1
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  reqs=$(awk '/ requests in / {print $1}' "$out")
  cpu=$(awk '{print $1 + $2}' "$err")
  echo "$rps $(awk -v c="$cpu" -v n="$reqs" -v s="$((s1 - s0))" \
    'BEGIN {printf "%.0f %.0f", (n > 0 ? c * 1e9 / n : 0), (n > 0 ? s / n : 0)}')"
}

# stats FILE COLUMN: "median min max"
stats() {
  sort -g -k"$2,$2" "$1" | awk -v k="$2" '{v[NR] = $k} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f %.0f %.0f", m, v[1], v[NR]}'
}

# paired A B: "median min max" of the per-round ratios of requests/s, A's
# over B's; the rounds alternate, so the two runs of a pair saw about the
# same machine, and on a noisy one these ratios spread less than the rates
paired() {
  paste -d' ' "$1" "$2" | awk '{printf "%.3f\n", ($4 > 0 ? $1 / $4 : 0)}' | sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f [%.3f,%.3f]", m, v[1], v[NR]}'
}

# ratio A B: A / B with three decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}'; }
if [ -n "$VMLAB_BEFORE" ]; then
  printf '\n%-7s %-3s %-5s | %-28s | %-28s | %-28s | %-6s %-6s %-6s | %-20s | %-20s\n' place -t -c \
    "wrk req/s median [min,max]" "before req/s median [min,max]" "after req/s median [min,max]" \
    bef/wrk aft/wrk aft/bef "CPU ns/req wrk bef aft" "nginx ns/req wrk bef aft"
else
  printf '\n%-7s %-3s %-5s | %-28s | %-28s | %-6s | %-14s | %-16s\n' place -t -c \
    "wrk req/s median [min,max]" "vmlab req/s median [min,max]" ratio "CPU ns/req wrk vmlab" \
    "nginx ns/req wrk vmlab"
fi
for place in $PLACEMENTS; do
for cfg in $CONFIGS; do
  t=${cfg%%:*} c=${cfg##*:}
  cpus=$others; [ "$place" = shared ] && cpus=$last
  : >"$T/wrk.txt"; : >"$T/vmlab.txt"; : >"$T/before.txt"
  for _ in $(seq "$ROUNDS"); do
    run wrk "$t" "$c" "$cpus" >>"$T/wrk.txt"
    [ -z "$VMLAB_BEFORE" ] || run before "$t" "$c" "$cpus" >>"$T/before.txt"
    run vmlab "$t" "$c" "$cpus" >>"$T/vmlab.txt"
  done
  read -r wm wlo whi <<<"$(stats "$T/wrk.txt" 1)"
  read -r vm vlo vhi <<<"$(stats "$T/vmlab.txt" 1)"
  read -r wc _ _ <<<"$(stats "$T/wrk.txt" 2)"
  read -r vc _ _ <<<"$(stats "$T/vmlab.txt" 2)"
  read -r ws _ _ <<<"$(stats "$T/wrk.txt" 3)"
  read -r vs _ _ <<<"$(stats "$T/vmlab.txt" 3)"
  if [ -n "$VMLAB_BEFORE" ]; then
    read -r bm blo bhi <<<"$(stats "$T/before.txt" 1)"
    read -r bc _ _ <<<"$(stats "$T/before.txt" 2)"
    read -r bs _ _ <<<"$(stats "$T/before.txt" 3)"
    printf '%-7s %-3s %-5s | %8s [%8s,%8s] | %8s [%8s,%8s] | %8s [%8s,%8s] | %6s %6s %6s | %6s %6s %6s | %6s %6s %6s\n' \
      "$place" "$t" "$c" "$wm" "$wlo" "$whi" "$bm" "$blo" "$bhi" "$vm" "$vlo" "$vhi" \
      "$(ratio "$bm" "$wm")" "$(ratio "$vm" "$wm")" "$(ratio "$vm" "$bm")" "$wc" "$bc" "$vc" \
      "$ws" "$bs" "$vs"
    printf '%-17s   per-round ratios median [min,max]: before/wrk %s, after/wrk %s, after/before %s\n' "" \
      "$(paired "$T/before.txt" "$T/wrk.txt")" "$(paired "$T/vmlab.txt" "$T/wrk.txt")" \
      "$(paired "$T/vmlab.txt" "$T/before.txt")"
  else
    printf '%-7s %-3s %-5s | %8s [%8s,%8s] | %8s [%8s,%8s] | %6s | %6s %6s | %6s %6s\n' "$place" "$t" "$c" \
      "$wm" "$wlo" "$whi" "$vm" "$vlo" "$vhi" "$(ratio "$vm" "$wm")" "$wc" "$vc" "$ws" "$vs"
    printf '%-17s   per-round ratios vmlab/wrk median [min,max]: %s\n' "" "$(paired "$T/vmlab.txt" "$T/wrk.txt")"
  fi
done
done

# ---- fixed-rate accuracy ----
cc -O2 -pthread -o "$T/delay-server" bench/delay-server.c
for _ in 1 2 3; do
  dport=$(free_port)
  "$T/delay-server" "$dport" "$FAST_US" "$SLOW_US" 10 &
  pids+=($!)
  sleep 0.3
  kill -0 $! 2>/dev/null && break
done
echo
echo "fixed rate $RATE/s over 16 connections for $RATE_DURATION; server: 90% ${FAST_US}us, 10% ${SLOW_US}us"
"$VMLAB" web bench "http://127.0.0.1:$dport/" -t1 -c16 -d"$RATE_DURATION" -R"$RATE" --json >"$T/rate.json"
num() { grep -o "\"$1\":[0-9.e+]*" "${2:-$T/rate.json}" | head -1 | cut -d: -f2; }
p50=$(num p50) p99=$(num p99)
# the same server closed-loop on one connection: what this machine adds to
# the service time when the rate schedule plays no part
"$VMLAB" web bench "http://127.0.0.1:$dport/" -t1 -c1 -d3s --json >"$T/base.json"
echo "closed loop, 1 connection: p50 $(awk -v v="$(num p50 "$T/base.json")" 'BEGIN {printf "%.1f", v / 1000}') us" \
  "(the machine's own overhead over the ${FAST_US}us service time)"
awk -v p50="$p50" -v p99="$p99" -v f="$FAST_US" -v s="$SLOW_US" -v rps="$(num requests_per_s)" 'BEGIN {
  e50 = (p50 / 1000 - f) / f * 100; e99 = (p99 / 1000 - s) / s * 100
  printf "achieved %.1f req/s\n", rps
  printf "p50 %8.1f us  exact %6d us  error %+5.1f%%  %s\n", p50 / 1000, f, e50, (e50 < 5 && e50 > -5) ? "within 5%" : "OFF"
  printf "p99 %8.1f us  exact %6d us  error %+5.1f%%  %s\n", p99 / 1000, s, e99, (e99 < 5 && e99 > -5) ? "within 5%" : "OFF"
}'
