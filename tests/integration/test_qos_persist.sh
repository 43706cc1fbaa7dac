#!/usr/bin/env bash
# vmlab qos apply / show on this machine: bad settings, bad options and a
# host that is not there are refused with exit 2 before anything changes;
# apply --undo on the local host puts back the files a persist's manifest
# names (a backup comes back, a new file goes) and refuses a bad manifest
# with its FILE:LINE:COL.
. "$(dirname "$0")/../lib.sh"

export VMLAB_HOME=$T/home   # no testbed is up here
expect 2 "$VMLAB" qos apply weight=0 g1 && contains "$T/err" "SETTING:1:8: weight=0: not a whole number in 1..65535"
expect 2 "$VMLAB" qos apply cap=70000 g1 && contains "$T/err" "SETTING:1:5: cap=70000"
expect 2 "$VMLAB" qos apply cpus=1-x g1 && contains "$T/err" "SETTING:1:"
expect 2 "$VMLAB" qos apply colour=red g1 && contains "$T/err" "unknown knob 'colour'"
expect 2 "$VMLAB" qos apply weight=5 && contains "$T/err" "expected SETTING GUEST"
expect 2 "$VMLAB" qos apply weight=5 --pool-cpus 1 g1 && contains "$T/err" "--pool-cpus: SETTING names no pool=POOL"
expect 2 "$VMLAB" qos apply weight=5 --pool-sched rtds g1
expect 2 "$VMLAB" qos apply --undo weight=5 && contains "$T/err" "--undo takes no SETTING"
expect 2 "$VMLAB" qos apply weight=5 --persist --host nowhere g1 && contains "$T/err" "host 'nowhere'"
expect 2 "$VMLAB" qos apply weight=5 --persist g1 && contains "$T/err" "testbed"
expect 2 "$VMLAB" qos show && contains "$T/err" "expected GUEST"
expect 2 "$VMLAB" qos show --host ssh:-x g1
expect 2 "$VMLAB" qos show g1 && contains "$T/err" "testbed"

# undo through the local host, on files in $T/cfg
d=$T/cfg
mkdir -p "$d"
expect 2 "$VMLAB" qos apply --undo --host local --cfg-dir "$d" && contains "$T/err" "no manifest"
printf 'cpu_weight = 512\n' >"$d/g1.cfg"
printf 'name = "g1"\ncpu_weight = 128\n' >"$d/g1.cfg.vmlab-bak"
printf 'name="qos"\nsched="credit"\ncpus="1"\n' >"$d/cpupool-qos.cfg"
printf 'changed\t%s\nnew\t%s\n' "$d/g1.cfg" "$d/cpupool-qos.cfg" >"$d/qos-persist.list"
expect 0 "$VMLAB" qos apply --undo --host local --cfg-dir "$d"
contains "$T/out" "restored $d/g1.cfg from $d/g1.cfg.vmlab-bak"
contains "$T/out" "removed $d/cpupool-qos.cfg"
[ "$(cat "$d/g1.cfg")" = "$(printf 'name = "g1"\ncpu_weight = 128')" ] || fail "g1.cfg is not its backup: $(cat "$d/g1.cfg")"
[ ! -e "$d/cpupool-qos.cfg" ] && [ ! -e "$d/g1.cfg.vmlab-bak" ] && [ ! -e "$d/qos-persist.list" ] ||
	fail "undo left files: $(ls "$d")"

# a manifest that does not parse changes nothing
printf 'changed\t%s\nmoved\t/x\n' "$d/g1.cfg" >"$d/qos-persist.list"
cp "$d/g1.cfg" "$T/g1.before"
expect 2 "$VMLAB" qos apply --undo --host local --cfg-dir "$d" && contains "$T/err" "qos-persist.list:2:1: state 'moved'"
same "$d/g1.cfg" "$T/g1.before"
finish
