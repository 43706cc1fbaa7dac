#!/usr/bin/env bash
# vmlab run in an ssh:USER@HOST:PORT environment against a private sshd on
# loopback (own host key, own authorized key): vmlab copies itself there,
# records that host's facts, and runs through one reused control connection.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to start a private sshd that accepts a login"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (openssh-server)"
command -v ssh-keygen >/dev/null || skip "no ssh-keygen"
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$T/userkey" >/dev/null
cp "$T/userkey.pub" "$T/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/sshd_config" <<X
ListenAddress 127.0.0.1
Port $port
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd.pid
X
/usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || skip "sshd does not start: $(tail -1 "$T/sshd.log")"
trap 'kill "$(cat "$T/sshd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/sshd.pid" ] && break; sleep 0.1; done
mkdir "$T/w" && cd "$T/w"
cat >s.vmlab <<X
micro = [ "rdtsc" ]
environments = [ "ssh:root@127.0.0.1:$port" ]
iterations = 2
warmup = 0
connect_timeout = 5
ssh_options = [ "-i", "$T/userkey", "-oUserKnownHostsFile=$T/known_hosts", "-oIdentitiesOnly=yes" ]
X
expect 0 timeout 120 "$VMLAB" run s.vmlab
[ "$(wc -l <results/s.jsonl)" = 2 ] || fail "wanted 2 records"
contains results/s.jsonl "\"environment\":\"ssh:root@127.0.0.1:$port\",\"label\":\"remote host\""
contains results/s.jsonl "\"facts\":\\{\"hostname\":\"$(hostname)\""
[ "$(grep -c '"benchmark":"rdtsc","kind":"micro".*"status":"ok"' results/s.jsonl)" = 2 ] ||
  fail "rdtsc runs over ssh not ok"
# the copy is the same binary; the control connection was closed and its folder removed
cmp -s "$VMLAB" ~root/.cache/vmlab/vmlab || fail "remote copy differs from $VMLAB"
for d in /tmp/vmlab-ssh.*; do
  [ -S "$d/cm" ] && fail "control socket left behind: $d"
done
# one login for the whole experiment (ControlMaster reused)
n=$(grep -c 'Accepted publickey' "$T/sshd.log")
[ "$n" = 1 ] || fail "sshd accepted $n logins, wanted 1"
finish
