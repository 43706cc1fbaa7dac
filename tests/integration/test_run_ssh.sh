#!/usr/bin/env bash
# vmlab run in an ssh:USER@HOST:PORT environment against a private sshd on
# loopback (own host key, own authorized key): vmlab copies itself there,
# records that host's facts, and runs through one reused control connection.
. "$(dirname "$0")/../lib.sh"
start_sshd || skip "$sshd_why"
port=$sshd_port
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
