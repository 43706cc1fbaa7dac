#!/usr/bin/env bash
# vmlab sched against the real xl of Xen 4.17 in the testbed: two small PV
# guests get weights and a cap, hard and soft affinity, a credit cpupool of
# their own with its time slice, everything read back by vmlab and checked
# again with xl itself; settings the host refuses change nothing; then the
# defaults come back, the pool goes, the guests go. vmlab in dom0 does the
# same through the local runner, and the cgroup v2 back end runs in dom0.
# Always tears the testbed down.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test).
. "$(dirname "$0")/../lib.sh"

tb_test_start
tb_build_up
step "two PV guests"
expect 0 "$VMLAB" testbed guest up pv --name sa || exit 1
expect 0 "$VMLAB" testbed guest up pv --name sb --vcpus 2 || exit 1

# xl ARGS...: xl's own view in dom0, into $T/xl
xl() { "$VMLAB" testbed exec -- xl "$@" >"$T/xl" 2>&1 || fail "xl $*: $(cat "$T/xl")"; }
# row FILE NAME: NAME's row of an xl table, blanks squeezed
row() { awk -v n="$2" '$1 == n' "$1" | tr -s ' '; }

step "show"
expect 0 "$VMLAB" sched show --json
contains "$T/out" '"scheduler":"credit2","nr_cpus":2'
contains "$T/out" '"name":"sa","domid":[0-9]+,"pool":"Pool-0","sched":"credit2","weight":256,"cap":0'
expect 0 "$VMLAB" sched show
contains "$T/out" "^Pool-0 +credit2 +0,1 +3 +ratelimit_us=1000"
contains "$T/out" "^sb +[0-9]+ +Pool-0 +256 +0 +0 "

step "weight and cap"
expect 0 "$VMLAB" sched set sa weight=512,cap=50
contains "$T/out" "sa on testbed \(credit2\): read back weight=512,cap=50,"
xl sched-credit2 -d sa
[ "$(row "$T/xl" sa | cut -d' ' -f3,4)" = "512 50" ] || fail "xl sched-credit2 -d sa: $(cat "$T/xl")"
# refused by the host (sa has 1 vCPU), by the scheduler, or unknown: nothing changes, exit 2
expect 2 "$VMLAB" sched set sa weight=100,cap=101 && contains "$T/err" "cap=101: domain sa has 1 vCPUs, so cap is 0..100"
expect 2 "$VMLAB" sched set sa cpus=2 && contains "$T/err" "cpus=2: the host has CPUs 0..1 only"
expect 2 "$VMLAB" sched set sa pool=nosuch && contains "$T/err" "pool=nosuch: testbed has no such cpupool"
expect 2 "$VMLAB" sched set nosuch weight=5 && contains "$T/err" "no domain nosuch"
xl sched-credit2 -d sa
[ "$(row "$T/xl" sa | cut -d' ' -f3,4)" = "512 50" ] || fail "a refused setting changed sa: $(cat "$T/xl")"

step "hard and soft affinity"
expect 0 "$VMLAB" sched set sb cpus=1,cpus_soft=0-1 --json
contains "$T/out" '"vcpus":\[\{"vcpu":0,"hard":"1","soft":"all"\},\{"vcpu":1,"hard":"1","soft":"all"\}\]'
xl vcpu-list sb
[ "$(grep -c ' 1 / all$' "$T/xl")" = 2 ] || fail "xl vcpu-list sb: $(cat "$T/xl")"

step "a credit cpupool on CPU 1"
expect 2 "$VMLAB" sched pool create qos --cpus 0-1 && contains "$T/err" "Pool-0 \(Domain-0's\) would keep no CPU"
expect 0 "$VMLAB" sched pool create qos --cpus 1 --sched credit
xl cpupool-list -c
[ "$(row "$T/xl" qos)" = "qos 1" ] || fail "xl cpupool-list -c: $(cat "$T/xl")"
[ "$(row "$T/xl" Pool-0)" = "Pool-0 0" ] || fail "xl cpupool-list -c: $(cat "$T/xl")"
expect 2 "$VMLAB" sched pool create qos2 --cpus 1 && contains "$T/err" "CPU 1 is in pool qos"
# moving to another pool resets the vCPUs' affinity (Xen's sched_move_domain)
expect 0 "$VMLAB" sched set sb pool=qos,weight=384
contains "$T/out" "sb on testbed \(credit\): read back weight=384,cap=0,cpus=all,cpus_soft=all,pool=qos,tslice_ms=30,ratelimit_us=1000"
expect 0 "$VMLAB" sched set sb tslice_ms=10,ratelimit_us=500
contains "$T/out" "tslice_ms=10,ratelimit_us=500"
xl sched-credit -p qos
contains "$T/xl" "Cpupool qos: tslice=10ms ratelimit=500us"
[ "$(row "$T/xl" sb | cut -d' ' -f3)" = 384 ] || fail "xl sched-credit -p qos: $(cat "$T/xl")"
expect 2 "$VMLAB" sched pool destroy qos && contains "$T/err" "1 domains run in it"
expect 2 "$VMLAB" sched set sa tslice_ms=10 && contains "$T/err" "credit2 scheduler has no tslice_ms knob"

step "vmlab in dom0 (local runner)"
expect 0 "$VMLAB" testbed exec -- vmlab sched show --host local
contains "$T/out" "^host local: scheduler credit2, 2 CPUs"
contains "$T/out" "^qos +credit +1 +1 +tslice_ms=10 ratelimit_us=500"

step "defaults back"
expect 0 "$VMLAB" sched set sb pool=Pool-0,weight=256,cpus=all,cpus_soft=all
expect 0 "$VMLAB" sched set sa weight=256,cap=0
expect 0 "$VMLAB" sched pool destroy qos
xl cpupool-list -c
[ "$(row "$T/xl" Pool-0)" = "Pool-0 0,1" ] || fail "xl cpupool-list -c after destroy: $(cat "$T/xl")"
[ -z "$(row "$T/xl" qos)" ] || fail "qos is still there: $(cat "$T/xl")"
xl sched-credit2
[ "$(row "$T/xl" sa | cut -d' ' -f3,4)" = "256 0" ] || fail "sa: $(cat "$T/xl")"
[ "$(row "$T/xl" sb | cut -d' ' -f3,4)" = "256 0" ] || fail "sb: $(cat "$T/xl")"
xl vcpu-list sb
[ "$(grep -c ' all / all$' "$T/xl")" = 2 ] || fail "xl vcpu-list sb: $(cat "$T/xl")"

step "cgroup v2 in dom0"
"$VMLAB" testbed exec -- sh -c 'grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup' >"$T/m" 2>&1 || echo "cgroup2: $(cat "$T/m")"
if "$VMLAB" testbed exec -- vmlab sched show --host native >"$T/cg" 2>&1; then
	expect 0 "$VMLAB" testbed exec -- vmlab sched cgroup run t1 weight=200,cap=50,cpus=0 -- cat /proc/self/cgroup \
		/sys/fs/cgroup/vmlab.slice/t1/cpu.max /sys/fs/cgroup/vmlab.slice/t1/cpuset.cpus
	contains "$T/out" "t1 on native \(cgroup\): read back weight=200,cap=50,cpus=0"
	contains "$T/out" "^0::/vmlab.slice/t1$"
	contains "$T/out" "^50000 100000$"
	expect 2 "$VMLAB" testbed exec -- vmlab sched cgroup run t1 cpus=5 -- true
	contains "$T/err" "cpus=5: the host has CPUs 0..1 only"
	expect 0 "$VMLAB" testbed exec -- sh -c '! test -e /sys/fs/cgroup/vmlab.slice/t1'
else
	echo "SKIP (part): cgroup v2 in dom0: $(head -1 "$T/cg")"
fi

step "guests down"
expect 0 "$VMLAB" testbed guest down sa
expect 0 "$VMLAB" testbed guest down sb
step "down"
expect 0 "$VMLAB" testbed down
step "done"
finish
