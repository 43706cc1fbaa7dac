#!/usr/bin/env bash
# vmlab web serve with real nginx, the FastCGI application and BeSim on
# loopback ports: static files, a dynamic page of each workload (HTTPS for
# Banking and Ecommerce checkout), 400 for malformed requests while serving
# goes on, and a clean stop (SIGTERM and --stop) leaving no process behind.
. "$(dirname "$0")/../lib.sh"

command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || skip "nginx not installed"
command -v curl >/dev/null || skip "curl not installed"
export PATH=$PATH:/usr/sbin

serve_pid=
pids_to_check=()
cleanup() {
  [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && sleep 1
  [ -n "$serve_pid" ] && kill -KILL "$serve_pid" 2>/dev/null
  for p in "${pids_to_check[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

# usage errors change nothing
expect 2 "$VMLAB" web serve --workload nope --dir "$T/x" && contains "$T/err" "unknown workload"
expect 2 "$VMLAB" web fileset && contains "$T/err" "expected one DIR"
expect 2 "$VMLAB" web besim --threads 0
[ -e "$T/x" ] && fail "a bad command line created $T/x"

start() { # starts serve in the background, waits until it serves
  timeout -k 60 120 "$VMLAB" web serve --dir "$S" --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 \
    --app-listen 127.0.0.1:0 --besim-listen 127.0.0.1:0 --workers 1 --sessions 1 \
    >"$T/serve.out" 2>"$T/serve.err" &
  serve_pid=$!
  for _ in $(seq 1200); do  # up to 120 s: serve's own timeout; a loaded machine is slow
    grep -q '^serving' "$T/serve.out" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^serving' "$T/serve.out"; then
    fail "web serve did not start"; cat "$T/serve.out" "$T/serve.err" >&2
    tail -5 "$S/logs/"* >&2 2>/dev/null; exit 1
  fi
  http=$(sed -n 's|^static: *http://\([^/]*\)/$|\1|p' "$T/serve.out")
  https=$(sed -n 's|^banking: *https://\([^/]*\)/.*|\1|p' "$T/serve.out")
  besim=$(sed -n 's|^besim: *\([^ ]*\).*|\1|p' "$T/serve.out")
  # vmlab (under timeout), everything it started, and nginx's workers
  local level=("$serve_pid") next
  pids_to_check=()
  for _ in 1 2 3; do
    next=($(for p in "${level[@]}"; do pgrep -P "$p"; done))
    pids_to_check+=("${next[@]}")
    level=("${next[@]}")
  done
}

gone() { # all processes of the run have exited
  for p in "${pids_to_check[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { fail "process $p ($(cat /proc/$p/cmdline 2>/dev/null | tr '\0' ' ')) left running"; }
  done
  [ -e "$S/serve.pid" ] && fail "serve.pid left behind"
  return 0
}

S="$T/web srv"  # a space: nginx reads quoted paths
expect 2 "$VMLAB" web serve --dir "$T/bad\$dir" && contains "$T/err" "must not contain"
[ -e "$T/bad\$dir" ] && fail "a bad folder name was created"
C=(curl -sS --max-time 20 -k)
start
[ "${#pids_to_check[@]}" -ge 5 ] || fail "expected vmlab, besim, app, nginx master and worker; got ${pids_to_check[*]}"

# a static image: same bytes as the file set and the manifest's size
"${C[@]}" -o "$T/logo" "http://$http/bank/images/logo.gif" || fail "static fetch"
same "$T/logo" "$S/www/bank/images/logo.gif"
grep -q '^1140 [0-9a-f]* bank/images/logo.gif$' "$S/www/MANIFEST" || fail "manifest lacks logo.gif"
# a Support download (static, large)
"${C[@]}" -o "$T/dl" -w '%{http_code} %{size_download}\n' \
  "http://$http/support/downloads/dir00000/class0_1" >"$T/code"
contains "$T/code" '^200 209716$'

# one dynamic page per workload; Banking and Ecommerce checkout over HTTPS
"${C[@]}" -w '%{http_code}\n' "https://$https/bank/account_summary?userid=58" >"$T/bank"
contains "$T/bank" '<title>SPECweb2005: Account Summary</title>'
contains "$T/bank" '<img src="/bank/images/logo.gif"'
contains "$T/bank" '<td>Checking</td>'
contains "$T/bank" '^200$'
"${C[@]}" -w '%{http_code}\n' -d 'userid=7&password=1234' "https://$https/ecommerce/login" >"$T/ecom"
contains "$T/ecom" 'eCommerce - Login Page'
contains "$T/ecom" '^200$'
"${C[@]}" -w '%{http_code}\n' "http://$http/ecommerce/productdetail?item=17" >"$T/ecom2"
contains "$T/ecom2" '<img src="/ecommerce/products/dir00000/p0_7.jpg"'
"${C[@]}" -w '%{http_code}\n' "http://$http/support/fileCatalog?product=12&os=1&lang=2" >"$T/supp"
contains "$T/supp" 'SPECweb2005: Support File Catalog'
contains "$T/supp" 'href="/support/downloads/dir00000/class'
contains "$T/supp" '^200$'
# a check image: the application names it, nginx sends it from the file set
"${C[@]}" -o "$T/chk" -w '%{http_code} %{content_type}\n' \
  "https://$https/bank/check_image?userid=58&check_no=3&side=back" >"$T/code"
contains "$T/code" '^200 image/jpeg'
same "$T/chk" "$S/www/bank/checks/dir00000/check3_b.jpg"
# the certificate is ours: P-256, CN from the listen address
if command -v openssl >/dev/null; then
  openssl x509 -in "$S/tls/server.crt" -noout -text >"$T/crt" 2>&1
  contains "$T/crt" 'ASN1 OID: prime256v1'
  contains "$T/crt" 'IP Address:127.0.0.1'
fi

# malformed requests get 400 and serving goes on
for q in 'userid=abc' 'userid=1&userid=2' 'userid=%zz' ''; do
  code=$("${C[@]}" -o /dev/null -w '%{http_code}' "https://$https/bank/account_summary?$q")
  [ "$code" = 400 ] || fail "account_summary?$q gave $code, wanted 400"
done
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "http://$besim/besim?1&99&x")
[ "$code" = 400 ] || fail "besim garbage gave $code, wanted 400"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "http://$besim/besim?1&2&58")
[ "$code" = 200 ] || fail "besim after garbage gave $code"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "http://$http/bank/no_such_page")
[ "$code" = 404 ] || fail "unknown page gave $code"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "https://$https/bank/logout?userid=58")
[ "$code" = 200 ] || fail "serving stopped after bad requests ($code)"
# a second serve on the same folder is refused
expect 2 "$VMLAB" web serve --dir "$S" --listen 127.0.0.1:0 && contains "$T/err" "already served"
# a port in use is reported before anything starts
expect 1 timeout 60 "$VMLAB" web serve --dir "$T/srv2" --workload banking --listen "$http" \
  --tls-listen 127.0.0.1:0 --app-listen 127.0.0.1:0 --besim-listen 127.0.0.1:0 --workers 1
contains "$T/err" "$http: cannot listen: Address already in use"
# nginx failing at start (a broken nginx binary): the others are stopped, status 1
printf '#!/bin/sh\necho "nginx: [emerg] simulated start failure" >&2\nexit 1\n' >"$T/bad-nginx"
chmod +x "$T/bad-nginx"
expect 1 timeout 60 "$VMLAB" web serve --dir "$T/srv2" --workload banking --nginx "$T/bad-nginx" \
  --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 --app-listen 127.0.0.1:0 --besim-listen 127.0.0.1:0
contains "$T/err" "nginx exited at start"
contains "$T/srv2/logs/nginx.stderr" "simulated start failure"
for c in app besim; do  # they were up, and are gone
  a=$(sed -n "s/^$c listening on //p" "$T/srv2/logs/$c.log")
  [ -n "$a" ] || fail "$c of the failed serve never started"
  timeout 5 bash -c "exec 3<>/dev/tcp/${a%:*}/${a##*:}" 2>/dev/null && fail "$c of the failed serve still listens on $a"
done
[ -e "$T/srv2/serve.pid" ] && fail "failed serve left serve.pid"

# SIGTERM stops everything
kill -TERM "$serve_pid"
wait "$serve_pid"; rc=$?
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM"
serve_pid=
gone

# again (the file set is kept), stopped with --stop
start
contains "$T/serve.out" 'kept'
expect 0 timeout 30 "$VMLAB" web serve --stop "$S"
wait "$serve_pid"; serve_pid=
gone
expect 2 "$VMLAB" web serve --stop "$S" && contains "$T/err" "no vmlab web serve running"
# a stale serve.pid naming another live process: --stop leaves that process alone
sleep 300 &
other=$!
echo "$other" >"$S/serve.pid"
expect 2 "$VMLAB" web serve --stop "$S" && contains "$T/err" "no vmlab web serve running"
kill -0 "$other" 2>/dev/null || fail "--stop signalled a process that is not vmlab web serve"
kill "$other"; wait "$other" 2>/dev/null

# test_master_death_stops_tree: nginx's master killed, serve exits 1 and
# takes the whole tree with it (the orphaned worker too); the port is free
start
kill -KILL "$(cat "$S/nginx.pid")"
for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && fail "serve still runs 5 s after nginx's master died"
wait "$serve_pid"; rc=$?; serve_pid=
[ "$rc" = 1 ] || fail "serve exited $rc after nginx's master died, wanted 1"
contains "$T/serve.err" "nginx exited unexpectedly"
gone
ss -ltn "( sport = :${http##*:} )" | grep -q ":${http##*:}" && fail "something still listens on $http"
# serve itself killed along with nginx's master: --stop finds the leftovers
start
kill -KILL "$(head -1 "$S/serve.pid")" "$(cat "$S/nginx.pid")"
wait "$serve_pid" 2>/dev/null; serve_pid=
expect 0 timeout 30 "$VMLAB" web serve --stop "$S"
contains "$T/out" "left by an earlier serve"
gone
ss -ltn "( sport = :${http##*:} )" | grep -q ":${http##*:}" && fail "something still listens on $http after --stop"
expect 2 "$VMLAB" web serve --stop "$S" && contains "$T/err" "no vmlab web serve running"

# components on other hosts: serve uses a BeSim already running and leaves it running
"$VMLAB" web besim --listen 127.0.0.1:0 --threads 2 >"$T/ext.out" 2>&1 &
ext_pid=$!
pids_to_check=("$ext_pid")
for _ in $(seq 50); do grep -q listening "$T/ext.out" && break; sleep 0.1; done
ext=$(sed -n 's/^besim listening on //p' "$T/ext.out")
timeout -k 60 120 "$VMLAB" web serve --dir "$T/srv3" --workload support --besim "$ext" \
  --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 --app-listen 127.0.0.1:0 --workers 1 \
  >"$T/serve3.out" 2>&1 &
serve_pid=$!
for _ in $(seq 300); do grep -q '^serving' "$T/serve3.out" && break; sleep 0.1; done
contains "$T/serve3.out" "^besim: *$ext \(external\)"
http=$(sed -n 's|^static: *http://\([^/]*\)/$|\1|p' "$T/serve3.out")
"${C[@]}" -w '%{http_code}\n' "http://$http/support/product?product=12" >"$T/supp3"
contains "$T/supp3" 'SPECweb2005: Support Product'
contains "$T/supp3" '^200$'
kill -TERM "$serve_pid"; wait "$serve_pid"; serve_pid=
kill -0 "$ext_pid" 2>/dev/null || fail "serve stopped the external BeSim"
kill -TERM "$ext_pid"; wait "$ext_pid"
finish
