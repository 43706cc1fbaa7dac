#!/usr/bin/env bash
# vmlab sched on this machine: bad settings are refused with exit 2 before
# any host is asked; xl's own failure comes through the local runner and an
# ssh host (src/host's back ends); unknown, absent and unreachable hosts exit 2; the
# cgroup v2 back end creates a cgroup under
# vmlab.slice, sets cpu.weight / cpu.max / cpuset.cpus, reads them back,
# runs a command inside it, refuses what the host cannot do without
# changing anything, and removes it. Skips when cgroup v2 offers no cpu and
# cpuset controllers here, or is not writable.
. "$(dirname "$0")/../lib.sh"

# refused before any host is reached (no testbed runs for this test)
expect 2 "$VMLAB" sched set g weight=0 && contains "$T/err" "SETTING:1:8: weight=0: not a whole number in 1..65535"
expect 2 "$VMLAB" sched set g 'weight=5,cpus=0-1,^9-3' && contains "$T/err" "SETTING:1:19: cpus=0-1,\^9-3"
expect 2 "$VMLAB" sched set g colour=red && contains "$T/err" "unknown knob 'colour'"
expect 2 "$VMLAB" sched set g && contains "$T/err" "expected DOMAIN SETTING"
expect 2 "$VMLAB" sched set g cap=1 --host nowhere
expect 2 "$VMLAB" sched pool create q --cpus 3-1 && contains "$T/err" "cpus=3-1"
expect 2 "$VMLAB" sched pool create q && contains "$T/err" "--cpus CPUS is required"
expect 2 "$VMLAB" sched pool create q --cpus 1 --host native
expect 2 "$VMLAB" sched cgroup run c weight=5 && contains "$T/err" "run: expected NAME SETTING -- CMD"
expect 2 "$VMLAB" sched cgroup run c pool=x -- true

# the local runner runs the real xl: without a hypervisor, its message and exit 1
if command -v xl >/dev/null && [ ! -e /proc/xen/capabilities ]; then
	expect 1 "$VMLAB" sched show --host local && contains "$T/err" "^vmlab sched show: local: xl info: exit status [0-9]+: .+"
	expect 1 "$VMLAB" sched set Domain-0 weight=300 --host local && contains "$T/err" "local: xl info: exit status"
fi

# test_sched_host_ops: the xl runner is src/host's; hosts that are not there are bad input (exit 2)
expect 2 "$VMLAB" sched show --host ssh:root@127.0.0.1:1 --connect-timeout 2 &&
	contains "$T/err" "^vmlab sched show: ssh:root@127.0.0.1:1: unreachable: "
expect 2 "$VMLAB" sched set g weight=5 --host testbed:zz && contains "$T/err" "no testbed named zz is up"
expect 2 "$VMLAB" sched pool destroy q --host remote:x && contains "$T/err" "host 'remote:x': unknown kind"
# over ssh (a private sshd on loopback): xl runs there, its failure names the host
if start_sshd; then
	h=ssh:root@127.0.0.1:$sshd_port
	a=(--ssh-arg=-i --ssh-arg="$T/userkey" --ssh-arg=-oUserKnownHostsFile="$T/known_hosts" --ssh-arg=-oIdentitiesOnly=yes)
	n0=$(grep -c 'Accepted publickey' "$T/sshd.log")
	if command -v xl >/dev/null; then
		[ -e /proc/xen/capabilities ] || { expect 1 "$VMLAB" sched show --host "$h" "${a[@]}" &&
			contains "$T/err" "^vmlab sched show: $h: xl info: exit status [0-9]+: .+"; }
	else
		expect 2 "$VMLAB" sched show --host "$h" "${a[@]}" &&
			contains "$T/err" "^vmlab sched show: $h: xl is not installed there"
		expect 2 "$VMLAB" sched set Domain-0 weight=300 --host "$h" "${a[@]}" &&
			contains "$T/err" "^vmlab sched set: $h: xl is not installed there"
	fi
	n1=$(grep -c 'Accepted publickey' "$T/sshd.log")
	[ $((n1 - n0)) -ge 1 ] || fail "vmlab sched did not log in over ssh"
else
	echo "note: the ssh part is left out: $sshd_why"
fi

st=0
"$VMLAB" sched show --host native >"$T/show" 2>&1 || st=$?
if [ "$st" != 0 ]; then
	[ "$nfail" = 0 ] || exit 1
	skip "cgroup part: $(sed 's/^vmlab sched show: //' "$T/show" | head -1) (the checks before it passed)"
fi
root=$(sed -n 's/^host native: cgroups under //p' "$T/show")
[ -n "$root" ] || fail "sched show names no cgroup root: $(cat "$T/show")"
name=vmlab-test-$$
trap '[ -d "$root/$name" ] && rmdir "$root/$name"; rm -rf "$T"' EXIT

expect 0 "$VMLAB" sched cgroup run "$name" weight=200,cap=50,cpus=0 --keep -- cat /proc/self/cgroup
contains "$T/out" "read back weight=200,cap=50,cpus=0"
contains "$T/out" "vmlab.slice/$name\$"
[ "$(cat "$root/$name/cpu.weight")" = 200 ] || fail "cpu.weight is $(cat "$root/$name/cpu.weight")"
[ "$(cat "$root/$name/cpu.max")" = "50000 100000" ] || fail "cpu.max is $(cat "$root/$name/cpu.max")"
[ "$(cat "$root/$name/cpuset.cpus")" = 0 ] || fail "cpuset.cpus is $(cat "$root/$name/cpuset.cpus")"

expect 0 "$VMLAB" sched set "$name" cap=0,weight=100 --host native --json
contains "$T/out" '"read_back":\{"scheduler":"cgroup","setting":\{"weight":100,"cap":0,"cpus":"0"\}\}'
[ "$(cat "$root/$name/cpu.max")" = "max 100000" ] || fail "cpu.max is $(cat "$root/$name/cpu.max")"

# refused by the host's limits: nothing changes
n=$(nproc)
expect 2 "$VMLAB" sched set "$name" "weight=300,cap=$((100 * n + 1))" --host native && contains "$T/err" "cap=$((100 * n + 1))"
expect 2 "$VMLAB" sched set "$name" weight=20000 --host native && contains "$T/err" "cpu.weight is 1..10000"
expect 2 "$VMLAB" sched set "$name" "cpus=$n" --host native && contains "$T/err" "the host has CPUs 0..$((n - 1)) only"
expect 2 "$VMLAB" sched set "$name" cpus_soft=0 --host native && contains "$T/err" "no cpus_soft knob"
[ "$(cat "$root/$name/cpu.weight")" = 100 ] || fail "a refused setting changed cpu.weight"

expect 0 "$VMLAB" sched show --host native --json
contains "$T/out" "\"name\":\"$name\",\"setting\":\{\"weight\":100"
expect 0 "$VMLAB" sched cgroup rm "$name"
[ ! -d "$root/$name" ] || fail "cgroup rm left $root/$name"
# without --keep the cgroup is gone after the command; its exit status is the command's
expect 3 "$VMLAB" sched cgroup run "$name" weight=50 -- sh -c 'exit 3'
[ ! -d "$root/$name" ] || fail "cgroup run left $root/$name"
finish
