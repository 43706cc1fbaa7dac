#!/usr/bin/env bash
# vmlab host check and exec on this machine (local, not a Xen host) and over
# ssh against a private sshd on loopback: words reach the program unchanged,
# output and exit status are passed through, one login serves a command;
# bad and unreachable hosts are clear errors with exit 2; xen: environments
# refuse bad names at parse time and fail their runs on a host without Xen.
. "$(dirname "$0")/../lib.sh"
export VMLAB_HOME=$T/home

# local: this machine answers, but it is no Xen host
expect 1 "$VMLAB" host check
contains "$T/out" '^host local \('
contains "$T/out" '^MISSING xen +xl info: .*\(needed by every task\)$'
expect 1 "$VMLAB" host check local --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["host"]=="local" and d["testbed"] is False and d["missing"]>0 and d["facts"][0]["name"]=="xen"' "$T/out" ||
	fail "host check --json is not the documented object"
expect 0 "$VMLAB" host check --raw
contains "$T/out" '^@@end$'
expect 3 "$VMLAB" host exec local -- sh -c 'printf "%s|" "$@"; echo oops >&2; exit 3' sh 'a b' "'q'" '$HOME'
[ "$(cat "$T/out")" = "a b|'q'|\$HOME|" ] || fail "words changed on their way: $(cat "$T/out")"
contains "$T/err" '^oops$'
expect 124 "$VMLAB" host exec local --timeout 1s -- sleep 10

# bad hosts: exit 2, the message names the host
expect 2 "$VMLAB" host check remote:box
contains "$T/err" "host 'remote:box': unknown kind of host"
expect 2 "$VMLAB" host check ssh:box
contains "$T/err" "host 'ssh:box': 'box' is not USER@HOST\\[:PORT\\]"
expect 2 "$VMLAB" host check testbed:b
contains "$T/err" 'no testbed named b is up'
expect 2 "$VMLAB" host check testbed
contains "$T/err" "no testbed named a is up \\(start it with 'vmlab testbed up'\\)"
t0=$SECONDS
expect 2 "$VMLAB" host check ssh:root@127.0.0.1:1 --connect-timeout 3
contains "$T/err" 'ssh:root@127.0.0.1:1: unreachable: '
[ $((SECONDS - t0)) -le 8 ] || fail "an unreachable host took $((SECONDS - t0)) s"
expect 2 "$VMLAB" host exec local
contains "$T/err" "write 'vmlab host exec HOST -- ARGV...'"

# xen: environments: bad names at parse time (exit 2); a host without Xen fails the runs
mkdir "$T/w" && cd "$T/w"
for env in xen:qq xen:pv@remote:x xen:nofile.cfg; do
	printf 'micro = [ "rdtsc" ]\nenvironments = [ "%s" ]\niterations = 1\nwarmup = 0\n' "$env" >x.vmlab
	expect 2 "$VMLAB" run x.vmlab
	contains "$T/err" "^vmlab run: x.vmlab:2:[0-9]+: environment '$env'"
	[ -e results ] && fail "$env: a bad experiment wrote results"
done
printf 'micro = [ "rdtsc" ]\nenvironments = [ "xen:pv@local" ]\niterations = 1\nwarmup = 0\nweight = 0\n' >w.vmlab
expect 2 "$VMLAB" run w.vmlab
contains "$T/err" 'w.vmlab:5:10: weight: expected a number from 1 to 65535'
printf 'micro = [ "rdtsc" ]\nenvironments = [ "xen:pv@local" ]\niterations = 1\nwarmup = 0\ncpus = "1-"\n' >c.vmlab
expect 2 "$VMLAB" run c.vmlab
contains "$T/err" 'c.vmlab:5:[0-9]+: cpus: '
printf 'micro = [ "rdtsc" ]\nenvironments = [ "xen:pv@local" ]\niterations = 1\nwarmup = 0\nvcpus = 2\n' >l.vmlab
expect 1 "$VMLAB" run l.vmlab
contains results/l.jsonl '"environment":"xen:pv@local".*"status":"failed","error":"local: xl[^"]*"'
# test_run_unreachable_xen_host: a dom0 that does not answer is bad input (exit 2, as for vmlab
# host check), within the connect timeout, the message naming the host
printf 'micro = [ "rdtsc" ]\nenvironments = [ "xen:pv@ssh:root@127.0.0.1:1" ]\niterations = 1\nwarmup = 0\nconnect_timeout = 3\n' >u.vmlab
t0=$SECONDS
expect 2 "$VMLAB" run u.vmlab
[ $((SECONDS - t0)) -le 8 ] || fail "an unreachable xen host took $((SECONDS - t0)) s"
contains "$T/err" '^vmlab run: ssh:root@127.0.0.1:1: unreachable: .*the runs in xen:pv@ssh:root@127.0.0.1:1 are recorded failed'
contains results/u.jsonl '"environment":"xen:pv@ssh:root@127.0.0.1:1".*"status":"failed","error":"ssh:root@127.0.0.1:1: unreachable: '

# over ssh: a private sshd on loopback with its own keys
if start_sshd; then
	h=ssh:root@127.0.0.1:$sshd_port
	a=(--ssh-arg=-i --ssh-arg="$T/userkey" --ssh-arg=-oUserKnownHostsFile="$T/known_hosts" --ssh-arg=-oIdentitiesOnly=yes)
	expect 3 "$VMLAB" host exec "$h" "${a[@]}" -- sh -c 'printf "%s|" "$@"; echo oops >&2; exit 3' sh 'a b' "'q'" '$HOME' '*'
	[ "$(cat "$T/out")" = "a b|'q'|\$HOME|*|" ] || fail "words changed over ssh: $(cat "$T/out")"
	contains "$T/err" '^oops$'
	n0=$(grep -c 'Accepted publickey' "$T/sshd.log")
	expect 1 "$VMLAB" host check "$h" "${a[@]}"
	contains "$T/out" "^host $h \\($(hostname)\\)$"
	contains "$T/out" '^MISSING xen '
	n1=$(grep -c 'Accepted publickey' "$T/sshd.log")
	[ $((n1 - n0)) = 1 ] || fail "host check logged in $((n1 - n0)) times, wanted 1 (one ControlMaster)"
	for d in /tmp/vmlab-ssh.*; do
		[ -S "$d/cm" ] && [ -O "$d" ] && fail "control socket left behind: $d"
	done
else
	echo "note: the ssh part is left out: $sshd_why"
fi
finish
