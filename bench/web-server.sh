#!/usr/bin/env bash
# Pages/s per core of BeSim and of the web application, per workload.
# BeSim is driven directly by wrk with each workload's backend commands; the
# application through nginx (vmlab web serve) with one URL per page of the
# workload. CPU time of the process under test (utime+stime from /proc) over
# the run gives pages per CPU-second. Prints median [min, max] of REPS runs.
#
# usage: bench/web-server.sh [-d SECONDS] [-r REPS] [-c CONNECTIONS] [-t WRK_THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=5 reps=3 conns=32 threads=1
while getopts d:r:c:t: o; do
  case $o in d) dur=$OPTARG ;; r) reps=$OPTARG ;; c) conns=$OPTARG ;; t) threads=$OPTARG ;; *) exit 2 ;; esac
done
VMLAB=${VMLAB:-build/vmlab}
export PATH=$PATH:/usr/sbin
for p in wrk nginx curl; do command -v $p >/dev/null || { echo "bench: $p not installed" >&2; exit 1; }; done
[ -x "$VMLAB" ] || { echo "bench: build vmlab first (scripts/build build)" >&2; exit 1; }
W=$(mktemp -d /tmp/vmlab-bench.XXXXXX)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
hz=$(getconf CLK_TCK)

cpu_ticks() { # PID...: utime+stime summed (clock ticks)
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo $t
}

lua_for() { # FILE PATH...: a wrk script cycling through the paths
  local f=$1; shift
  { echo "local paths = {"; printf '  "%s",\n' "$@"; echo "}"
    echo 'local i = 0'
    echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
    echo 'done = function(summary, latency, requests)'
    echo '  io.write(string.format("REQS %d ERRS %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))'
    echo 'end'; } >"$f"
}

# measure NAME URLBASE LUA PID...: runs wrk reps times, prints the summary line
measure() {
  local name=$1 base=$2 lua=$3; shift 3
  local rates=() percore=()
  for r in $(seq "$reps"); do
    local t0 t1 out reqs errs
    t0=$(cpu_ticks "$@")
    out=$(nice wrk -t"$threads" -c"$conns" -d"${dur}s" -s "$lua" "$base" 2>&1)
    t1=$(cpu_ticks "$@")
    reqs=$(sed -n 's/^REQS \([0-9]*\) ERRS.*/\1/p' <<<"$out")
    errs=$(sed -n 's/^REQS [0-9]* ERRS \([0-9]*\)/\1/p' <<<"$out")
    [ "${errs:-1}" = 0 ] || { echo "bench: $name: $errs errors" >&2; echo "$out" >&2; }
    rates+=("$(awk -v n="$reqs" -v d="$dur" 'BEGIN{printf "%.0f", n/d}')")
    percore+=("$(awk -v n="$reqs" -v c="$((t1 - t0))" -v hz="$hz" 'BEGIN{ if (c > 0) printf "%.0f", n/(c/hz); else print "inf" }')")
  done
  stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{printf "%s [%s, %s]", a[int((NR+1)/2)], a[1], a[NR]}'; }
  printf '%-22s %-28s %s\n' "$name" "$(stats "${rates[@]}")" "$(stats "${percore[@]}")"
}

# BeSim alone
"$VMLAB" web besim --listen 127.0.0.1:0 >"$W/besim.out" 2>&1 &
besim_pid=$!
for _ in $(seq 50); do grep -q listening "$W/besim.out" && break; sleep 0.1; done
besim=$(sed -n 's/^besim listening on //p' "$W/besim.out")
lua_for "$W/bb.lua" "/besim?1&1&58&1234" "/besim?1&2&58" "/besim?1&3&58&3" "/besim?1&4&58" \
  "/besim?1&6&58&3&1250&4" "/besim?1&7&58&1&3" "/besim?1&8&58" "/besim?1&12&58&3&1" "/besim?1&13&58"
lua_for "$W/be.lua" "/besim?2&1&0&19" "/besim?2&2&1&3" "/besim?2&3&1&7" "/besim?2&4&17" \
  "/besim?2&5&17&1&3" "/besim?2&6&17&2" "/besim?2&7&5&1" "/besim?2&8&5&1&12345" "/besim?2&10&5"
lua_for "$W/bs.lua" "/besim?3&1" "/besim?3&2&4" "/besim?3&3&7" "/besim?3&4&12" "/besim?3&5&12&1&2" \
  "/besim?3&6&12&4"

echo "vmlab web server side, $(nproc) CPUs, wrk -t$threads -c$conns -d${dur}s, $reps runs each; $(uptime | sed 's/.*load/load/')"
printf '%-22s %-28s %s\n' "component/workload" "pages/s median [min, max]" "pages per CPU-second (1 core)"
measure "besim/banking" "http://$besim" "$W/bb.lua" "$besim_pid"
measure "besim/ecommerce" "http://$besim" "$W/be.lua" "$besim_pid"
measure "besim/support" "http://$besim" "$W/bs.lua" "$besim_pid"
kill -TERM "$besim_pid"; wait "$besim_pid" 2>/dev/null || true

# the application behind nginx
"$VMLAB" web serve --dir "$W/srv" --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 --app-listen 127.0.0.1:0 \
  --besim-listen 127.0.0.1:0 --workers 1 >"$W/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 300); do grep -q '^serving' "$W/serve.out" && break; sleep 0.1; done
grep -q '^serving' "$W/serve.out" || { cat "$W/serve.out"; exit 1; }
http=$(sed -n 's|^static: *http://\([^/]*\)/$|\1|p' "$W/serve.out")
app_pid=$(pgrep -P "$serve_pid" -f 'web app')
lua_for "$W/ab.lua" "/bank/login?userid=58&password=1" "/bank/account_summary?userid=58" \
  "/bank/check_detail_html?userid=58&check_no=3" "/bank/bill_pay?userid=58" "/bank/add_payee?userid=58" \
  "/bank/payee_info?userid=58&payee_type=Oil&street=Elm_St&city=Upton&zip=12345" \
  "/bank/quick_pay?userid=58&payee=3&amount=12.50&day=4" "/bank/billpay_status?userid=58&start=1&end=3" \
  "/bank/chg_profile?userid=58" "/bank/post_profile?userid=58&street=Elm_St&city=Upton&zip=12345" \
  "/bank/req_checks?userid=58" "/bank/post_chk_order?userid=58&boxes=2&design=3" \
  "/bank/req_xfer_form?userid=58" "/bank/post_fund_xfer?userid=58&from=0&to=1&amount=100.00" \
  "/bank/logout?userid=58" "/bank/check_image?userid=58&check_no=3&side=front" \
  "/bank/check_image?userid=58&check_no=3&side=back"
lua_for "$W/ae.lua" "/ecommerce/index" "/ecommerce/search?seg=all&kw=DVDs" \
  "/ecommerce/browse?s=home&region=USD" "/ecommerce/browse_productline?s=smb&line=7" \
  "/ecommerce/productdetail?item=17" "/ecommerce/customize1?item=17&opt=1" \
  "/ecommerce/customize2?item=17&opt=2" "/ecommerce/customize3?item=17&opt=3" \
  "/ecommerce/cart?item=17&qty=2" "/ecommerce/login?userid=5&password=1" \
  "/ecommerce/shipping?userid=5&method=Two_Day&street=Elm_St&city=Upton&zip=12345" \
  "/ecommerce/billing?userid=5&card=Visa&exp=7" "/ecommerce/confirm?userid=5"
lua_for "$W/as.lua" "/support/home" "/support/search?q=DVDs" "/support/catalog?category=7" \
  "/support/product?product=12" "/support/fileCatalog?product=12&os=1&lang=2" "/support/file?product=12&file=4"
for u in /bank/logout?userid=1 /ecommerce/index /support/home; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$http$u")" = 200 ] || { echo "bench: $u fails" >&2; exit 1; }
done
measure "app/banking" "http://$http" "$W/ab.lua" "$app_pid"
measure "app/ecommerce" "http://$http" "$W/ae.lua" "$app_pid"
measure "app/support" "http://$http" "$W/as.lua" "$app_pid"
# the peer: nginx itself serving a 1140-byte static image, per CPU-second of its worker
nginx_master=$(pgrep -P "$serve_pid" nginx)
nginx_workers=($(pgrep -P "$nginx_master"))
lua_for "$W/st.lua" "/bank/images/logo.gif"
measure "nginx/static-1KiB" "http://$http" "$W/st.lua" "${nginx_workers[@]}"
echo "(app rows: dynamic pages over HTTP through nginx with 1 worker, CPU of the application process alone;"
echo " nginx row: the same nginx serving a static image, CPU of its worker)"
