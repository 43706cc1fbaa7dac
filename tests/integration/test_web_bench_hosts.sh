#!/usr/bin/env bash
# Multi-host vmlab web bench: the prime starts two clients over real ssh (an
# sshd this test runs on loopback with its own keys), they start together and
# their results merge exactly into one report.
. "$(dirname "$0")/../lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"
[ -x /usr/sbin/sshd ] || skip "sshd is not installed"
command -v ssh-keygen >/dev/null || skip "ssh-keygen is not installed"
[ "$(id -u)" = 0 ] || skip "the test sshd needs root"

chmod 755 "$T"  # nginx workers run as an unprivileged user when started by root
pids=()
# nginx's workers too: its master is stopped first, or it starts a new worker
# for each one killed, which outlives the test (and holds its output open)
trap 'for p in "${pids[@]}"; do kill -STOP $p 2>/dev/null; pkill -9 -P $p 2>/dev/null; kill -9 $p 2>/dev/null; done; rm -rf "$T"' EXIT

# nginx with a 1 KiB file
port=$(free_port)
N=$T/ngx
mkdir -p "$N/html" "$N/logs" "$N/tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$N/html/1k.html"
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
}
CONF
nginx -p "$N" -c "$N/nginx.conf" &
pids+=($!)

# sshd on loopback with a host key and one authorised client key
S=$T/ssh
mkdir -p "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host" || fail "host key"
ssh-keygen -q -t ed25519 -N '' -f "$S/client" || fail "client key"
cp "$S/client.pub" "$S/authorized_keys"
for attempt in 1 2 3; do
  sport=$(free_port)
  cat >"$S/sshd_config" <<CONF
Port $sport
ListenAddress 127.0.0.1
HostKey $S/host
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $S/sshd.pid
CONF
  mkdir -p /run/sshd
  /usr/sbin/sshd -D -f "$S/sshd_config" -E "$S/sshd.log" &
  pids+=($!)
  sleep 0.5
  kill -0 $! 2>/dev/null && break
done
sargs=(--ssh-arg=-p --ssh-arg="$sport" --ssh-arg=-i --ssh-arg="$S/client"
  --ssh-arg=-o --ssh-arg=StrictHostKeyChecking=no --ssh-arg=-o --ssh-arg=UserKnownHostsFile=/dev/null
  --ssh-arg=-o --ssh-arg=BatchMode=yes --ssh-arg=-o --ssh-arg=LogLevel=ERROR)
ssh -p "$sport" -i "$S/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o BatchMode=yes -o LogLevel=ERROR 127.0.0.1 true || skip "cannot ssh to the test sshd: $(tail -3 "$S/sshd.log")"
vm=$(cd "$(dirname "$VMLAB")" && pwd)/$(basename "$VMLAB")
url=http://127.0.0.1:$port/1k.html

# two clients: the total is the sum of the parts, histograms included
expect 0 timeout 60 "$VMLAB" web bench "$url" -t1 -c2 -d1s --hosts 127.0.0.1,localhost \
  "${sargs[@]}" --remote-vmlab "$vm" --latency --start-delay 8s
contains "$T/out" '^127\.0\.0\.1: \{"kind":"web-bench"'
contains "$T/out" '^localhost: \{"kind":"web-bench"'
contains "$T/out" '^2 of 2 hosts, each:'
a=$(grep '^127.0.0.1: ' "$T/out" | grep -o '"requests":[0-9]*' | cut -d: -f2)
b=$(grep '^localhost: ' "$T/out" | grep -o '"requests":[0-9]*' | cut -d: -f2)
total=$(awk '/ requests in / {print $1}' "$T/out")
[ -n "$a" ] && [ -n "$b" ] && [ "$((a + b))" = "$total" ] || fail "total $total is not $a + $b"
[ "$a" -gt 10 ] && [ "$b" -gt 10 ] || fail "a client made too few requests ($a, $b)"

# they started together: their start times within 0.5 s
s1=$(grep '^127.0.0.1: ' "$T/out" | grep -o '"start_s":[0-9.e+]*' | cut -d: -f2)
s2=$(grep '^localhost: ' "$T/out" | grep -o '"start_s":[0-9.e+]*' | cut -d: -f2)
awk -v a="$s1" -v b="$s2" 'BEGIN {d = a - b; exit !(a > 0 && b > 0 && d < 0.5 && d > -0.5)}' ||
  fail "clients started at $s1 and $s2"

# JSON: one merged record naming the host count
expect 0 timeout 60 "$VMLAB" web bench "$url" -t1 -c1 -d500ms -R100 --hosts 127.0.0.1,localhost \
  "${sargs[@]}" --remote-vmlab "$vm" --json
contains "$T/out" '^\{"kind":"web-bench",.*"hosts":2,'
r=$(json_num "$T/out" requests)
[ "$r" -ge 40 ] && [ "$r" -le 55 ] || fail "2 hosts at 50/s each for 0.5s made $r requests"

# an unreachable host is reported, the other's results kept, exit 1
expect 1 timeout 60 "$VMLAB" web bench "$url" -t1 -c1 -d500ms --hosts 127.0.0.1,nosuchhost.invalid \
  "${sargs[@]}" --remote-vmlab "$vm"
contains "$T/err" 'nosuchhost\.invalid'
contains "$T/out" '^1 of 2 hosts'
finish
