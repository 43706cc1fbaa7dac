#!/usr/bin/env bash
# vmlab qos apply --persist against the real xl of Xen 4.17 in the testbed:
# bad input (unknown guest, cap out of range, CPUs the host lacks, a pool
# that would overlap or empty Pool-0) changes nothing; a setting with a
# credit cpupool of its own goes live and into the guest's xl.cfg, the
# pool's config and dom0's boot unit; after `testbed down` / `up` dom0's
# boot recreates the pool, the guest is recreated from its config and
# `qos show` finds live == persisted; a live-only change is flagged; undo
# puts the files back. Always tears the testbed down.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test).
. "$(dirname "$0")/../lib.sh"

tb_test_start
tb_build_up
step "a PV guest with 2 vCPUs"
expect 0 "$VMLAB" testbed guest up pv --name qa --vcpus 2 || exit 1
xl() { "$VMLAB" testbed exec -- xl "$@" >"$T/xl" 2>&1 || fail "xl $*: $(cat "$T/xl")"; }
row() { awk -v n="$2" '$1 == n' "$1" | tr -s ' '; }

step "bad input changes nothing"
expect 2 "$VMLAB" qos apply weight=5 --persist nosuch && contains "$T/err" "no domain nosuch"
expect 2 "$VMLAB" qos apply cap=300 --persist qa && contains "$T/err" "cap=300: domain qa has 2 vCPUs, so cap is 0..200"
expect 2 "$VMLAB" qos apply cpus=5 --persist qa && contains "$T/err" "cpus=5: the host has CPUs 0..1 only"
expect 2 "$VMLAB" qos apply pool=qos --pool-cpus 0-1 --persist qa && contains "$T/err" "would keep no CPU"
expect 2 "$VMLAB" qos apply pool=qos --persist qa && contains "$T/err" "give --pool-cpus"
expect 2 "$VMLAB" qos apply weight=5 --persist --cfg-dir /nonexistent qa && contains "$T/err" "no config file /nonexistent/qa.cfg"
xl cpupool-list -c
[ "$(row "$T/xl" Pool-0)" = "Pool-0 0,1" ] || fail "a refused apply changed the pools: $(cat "$T/xl")"
expect 0 "$VMLAB" testbed exec -- sh -c '! ls /etc/xen/vmlab/*.vmlab-bak /etc/xen/vmlab/qos-persist.list 2>/dev/null'

step "apply --persist: a credit pool on CPU 1"
expect 0 "$VMLAB" qos apply weight=512,cap=150,pool=qos --pool-cpus 1 --pool-sched credit --persist qa
cat "$T/out"
contains "$T/out" "pool qos created on CPUs 1 \(credit\)"
contains "$T/out" "qa on testbed \(credit\): read back weight=512,cap=150,.*pool=qos"
contains "$T/out" "persisted: /etc/xen/vmlab/qa.cfg \(previous in /etc/xen/vmlab/qa.cfg.vmlab-bak\)"
contains "$T/out" "persisted: /etc/xen/vmlab/cpupool-qos.cfg \(new\)"
contains "$T/out" "persisted: /etc/vmlab/boot.d/vmlab-cpupools \(new\)"
expect 0 "$VMLAB" testbed exec -- cat /etc/xen/vmlab/qa.cfg
contains "$T/out" "^cpu_weight = 512$"
contains "$T/out" "^pool = 'qos'$"
expect 0 "$VMLAB" qos show qa
cat "$T/out"
contains "$T/out" "^live == persisted$"
expect 2 "$VMLAB" qos apply pool=q2 --pool-cpus 1 qa && contains "$T/err" "CPU 1 is in pool qos: pools never overlap"

step "down and up: dom0's boot recreates the pool"
expect 0 "$VMLAB" testbed down
expect 0 "$VMLAB" testbed up || { tb_why_not_up; exit 1; }
contains "$VMLAB_HOME/testbed/console.log" "boot unit /etc/vmlab/boot.d/vmlab-cpupools: done"
xl cpupool-list -c
[ "$(row "$T/xl" qos)" = "qos 1" ] || fail "the pool did not come back: $(cat "$T/xl")"
step "the guest recreated from its config"
expect 0 "$VMLAB" testbed exec -- xl create /etc/xen/vmlab/qa.cfg
expect 0 "$VMLAB" qos show qa
cat "$T/out"
contains "$T/out" "^  weight +live 512 +persisted 512$"
contains "$T/out" "^  pool +live qos +persisted qos$"
contains "$T/out" "^pool qos: live credit on CPUs 1, persisted credit on CPUs 1$"
contains "$T/out" "^live == persisted$"

step "a live-only change is flagged"
expect 0 "$VMLAB" sched set qa weight=300
expect 1 "$VMLAB" qos show qa
contains "$T/out" "^  weight +live 300 +persisted 512  DIFFERS$"
contains "$T/out" "^1 difference between live and persisted$"

step "undo puts the files back"
expect 0 "$VMLAB" qos apply --undo
contains "$T/out" "restored /etc/xen/vmlab/qa.cfg"
contains "$T/out" "removed /etc/vmlab/boot.d/vmlab-cpupools"
expect 0 "$VMLAB" testbed exec -- cat /etc/xen/vmlab/qa.cfg
grep -q "^pool" "$T/out" && fail "qa.cfg still names a pool: $(cat "$T/out")"

step "down"
expect 0 "$VMLAB" testbed exec -- xl destroy qa
expect 0 "$VMLAB" testbed down
step "done"
finish
