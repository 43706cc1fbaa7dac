#!/usr/bin/env bash
# vmlab web bench against a real nginx on loopback (temporary config, random
# free port, killed on exit): closed loop, fixed rate, TLS, bad status, bad
# usage, a refused port, a server that dies mid-run and one that stalls.
. "$(dirname "$0")/../lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v cc >/dev/null || skip "no C compiler for the delay server"

pids=()
cleanup() {
  kill_tree "${pids[@]}"
  rm -rf "$T"
}
trap cleanup EXIT

# json_num FILE KEY: the first number after "KEY":

port=$(free_port) sport=$(free_port)
N=$T/ngx
chmod 755 "$T"  # nginx workers run as an unprivileged user when started by root
mkdir -p "$N/html" "$N/logs" "$N/tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$N/html/1k.html"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$N/key.pem" -out "$N/cert.pem" -days 1 \
  -subj /CN=localhost >/dev/null 2>&1 || skip "openssl cannot make a certificate"
cat >"$N/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $N/tmp; proxy_temp_path $N/tmp;
  fastcgi_temp_path $N/tmp; uwsgi_temp_path $N/tmp; scgi_temp_path $N/tmp;
  server { listen 127.0.0.1:$port; root $N/html; }
  server {
    listen 127.0.0.1:$sport ssl; root $N/html;
    ssl_certificate $N/cert.pem; ssl_certificate_key $N/key.pem;
  }
}
CONF
start_nginx() {
  nginx -p "$N" -c "$N/nginx.conf" &
  ngx=$!
  pids+=($ngx)
  for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/1k.html" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nginx did not start"; tail -5 "$N/logs/error.log" >&2; finish
}
start_nginx
url=http://127.0.0.1:$port/1k.html

# closed loop: responses, bytes, no errors, a valid record
expect 0 timeout 20 "$VMLAB" web bench "$url" -t2 -c4 -d1s --json --results "$T/res.jsonl"
contains "$T/out" '^\{"kind":"web-bench",'
contains "$T/out" '"errors":\{"connect":0,"read":0,"write":0,"timeout":0,"status":0,'
reqs=$(json_num "$T/out" requests)
[ "${reqs:-0}" -gt 100 ] || fail "only ${reqs:-0} requests in 1s"
[ "$(json_num "$T/out" bytes)" -gt $((reqs * 1024)) ] || fail "fewer bytes than 1 KiB per response"
same "$T/out" "$T/res.jsonl"
# the record is one the results store and vmlab report read
expect 0 "$VMLAB" report "$T/res.jsonl" && contains "$T/out" '\| web-bench \| native \| 1 \|'

# text report like wrk's
expect 0 timeout 20 "$VMLAB" web bench "$url" -t1 -c2 -d500ms --latency
contains "$T/out" '^Requests/sec: '
contains "$T/out" '99\.990%'
contains "$T/out" 'requests in (0\.[5-9]|1\.[0-9])[0-9]s'

# fixed rate: the rate is kept
expect 0 timeout 20 "$VMLAB" web bench "$url" -t1 -c4 -d2s -R200 --json
rps=$(json_num "$T/out" requests_per_s)
awk -v r="$rps" 'BEGIN {exit !(r > 180 && r < 220)}' || fail "asked 200/s, got $rps/s"

# TLS
expect 0 timeout 20 "$VMLAB" web bench "https://localhost:$sport/1k.html" -t1 -c2 -d1s --json
[ "$(json_num "$T/out" requests)" -gt 10 ] || fail "TLS: too few requests"
contains "$T/out" '"errors":\{"connect":0,"read":0,"write":0,"timeout":0,"status":0,'

# a missing file: 404s counted as status errors, still exit 0
expect 0 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$port/nope" -t1 -c1 -d300ms
contains "$T/out" 'Non-2xx or 3xx responses: [1-9]'

# bad usage: exit 2, nothing run
expect 2 "$VMLAB" web bench
expect 2 "$VMLAB" web bench ftp://x/ && contains "$T/err" 'http://'
expect 2 "$VMLAB" web bench "$url" -t4 -c2 && contains "$T/err" 'fewer connections'
expect 2 "$VMLAB" web bench "$url" -d forever && contains "$T/err" 'duration'
expect 2 "$VMLAB" web bench "$url" -H 'no colon'
expect 0 "$VMLAB" web bench --help && contains "$T/out" '^usage: vmlab web bench URL'

# nobody listening: connect errors, stops at its deadline, exit 1
dead=$(free_port)
start=$(date +%s%N)
expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$dead/" -t1 -c2 -d1s --json
el=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$el" -lt 3000 ] || fail "refused run took ${el}ms"
[ "$(json_num "$T/out" connect)" -gt 0 ] || fail "no connect errors counted"

# the server dies mid-run: the run ends at its deadline with the responses
# before and the errors after
timeout 20 "$VMLAB" web bench "$url" -t1 -c4 -d3s --json >"$T/die.json" 2>"$T/die.err" &
bench=$!
sleep 1
kill_tree "$ngx"  # master and its worker
start=$(date +%s%N)
wait $bench || fail "bench exit $? after the server died: $(cat "$T/die.err")"
el=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$el" -lt 4000 ] || fail "run went on ${el}ms after the server died"
[ "$(json_num "$T/die.json" requests)" -gt 10 ] || fail "responses before the death lost"
errs=$(( $(json_num "$T/die.json" connect) + $(json_num "$T/die.json" read) ))
[ "$errs" -gt 0 ] || fail "no connect or read errors after the server died"

# a stalled server: timeouts counted, the run still ends on time
cc -O2 -pthread -o "$T/delay-server" "$SRC_DIR/bench/delay-server.c" || fail "delay server build"
for _ in 1 2 3; do
  dport=$(free_port)
  "$T/delay-server" "$dport" 10000000 10000000 1 &
  pids+=($!)
  sleep 0.3
  kill -0 $! 2>/dev/null && break
done
expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$dport/" -t1 -c2 -d1500ms --timeout 300ms --json
[ "$(json_num "$T/out" timeout)" -gt 0 ] || fail "no timeouts counted against a stalled server"

# misbehaving servers: each answer counted by kind, no crash, on time
for m in garbage:status-line huge:header-too-large truncate:truncated; do
  mode=${m%%:*} kind=${m##*:}
  for _ in 1 2 3; do
    mport=$(free_port)
    "$T/delay-server" "$mport" 0 0 1 "$mode" &
    pids+=($!)
    sleep 0.3
    kill -0 $! 2>/dev/null && break
  done
  expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$mport/" -t1 -c2 -d500ms --json
  [ "$(json_num "$T/out" "$kind")" -gt 0 ] || fail "$mode: no $kind errors counted"
done
# test_rate_kept_after_errors: a server that sends a short body and closes
# gets one connection per slot of -R, each failed request counted with its
# time to the error, not a reconnect storm
cat >"$T/short-body.py" <<'PY'
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(128)
s.settimeout(30)
n = 0
while True:
    c, _ = s.accept()
    n += 1
    with open(sys.argv[2] + ".new", "w") as f:
        f.write("%d\n" % n)
    os.replace(sys.argv[2] + ".new", sys.argv[2])  # a reader never sees it half written
    try:
        c.recv(4096)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
    except OSError:
        pass
    c.close()
PY
for _ in 1 2 3; do
  bport=$(free_port)
  python3 "$T/short-body.py" "$bport" "$T/accepts" &
  pids+=($!)
  sleep 0.5
  kill -0 $! 2>/dev/null && break
done
expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$bport/" -t1 -c2 -R100 -d3s --json
# the server may still be accepting what the client opened last (a loaded
# machine): its count is read once it holds still
opened=0
for _ in $(seq 40); do
  now=$(cat "$T/accepts" 2>/dev/null || echo 0)
  [ "$now" = "$opened" ] && break
  opened=$now; sleep 0.25
done
[ "$opened" -ge 270 ] && [ "$opened" -le 330 ] || fail "-R100 -d3s opened $opened connections, not 300 +- 10%"
failed=$(json_num "$T/out" failed)
[ "${failed:-0}" -ge 270 ] && [ "${failed:-0}" -le 330 ] || fail "${failed:-0} failed requests counted, not 300 +- 10%"
[ "$(json_num "$T/out" truncated)" = "$failed" ] || fail "failed requests and truncated errors differ"
grep -q '"failed_latency_ns":{"min":[1-9]' "$T/out" || fail "no time to the error recorded"
expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$bport/" -t1 -c2 -R100 -d1s
contains "$T/out" '^  Failed requests: [0-9]+, time to the error avg .* \(not in the latency above\)'
# a refused port at a fixed rate: one connect attempt per slot
expect 1 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$dead/" -t1 -c2 -R100 -d2s --json
c=$(json_num "$T/out" connect)
[ "${c:-0}" -ge 180 ] && [ "${c:-0}" -le 220 ] || fail "-R100 -d2s refused: ${c:-0} connect errors, not 200 +- 10%"

# a chunked body is read to its end and the connection kept
cport=$(free_port)
"$T/delay-server" "$cport" 0 0 1 chunked &
pids+=($!)
sleep 0.3
expect 0 timeout 20 "$VMLAB" web bench "http://127.0.0.1:$cport/" -t1 -c2 -d500ms --json
contains "$T/out" '"errors":\{"connect":0,"read":0,"write":0,"timeout":0,"status":0,'
[ "$(json_num "$T/out" connects)" = 2 ] || fail "chunked: connections not kept alive"
# test_no_orphan_nginx_worker: stopping the servers leaves no process behind
kill_tree "${pids[@]}"; sleep 0.5
left=$(procs_using "$T")
[ -z "$left" ] || fail "left running after the servers were stopped: $left"
finish
