#!/usr/bin/env bash
# vmlab run on the testbed: microbenchmarks in testbed:bare (no Xen) and in
# a PV guest (PVH and HVM run in the main job's quick mode, whose test checks
# their records' facts); records labelled emulated hardware with Xen's facts; the guest is
# destroyed afterwards, the testbed the run booted is down after it (one it
# found up, bare on a shared --net, stays up), and the report compares against testbed:bare.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test), used as
# VMLAB_HOME like tests/testbed/test_testbed.sh, so a user's testbed is left alone.
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
"$VMLAB" testbed --help >/dev/null 2>&1 || skip "this vmlab has no testbed command"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"
export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test}
trap '"$VMLAB" testbed down --timeout 30 >/dev/null 2>&1; rm -rf "$T"' EXIT
"$VMLAB" testbed build >"$T/build.log" 2>&1 || { tail -5 "$T/build.log"; fail "testbed build"; finish; }

mkdir "$T/w" && cd "$T/w"
cat >tb.vmlab <<'X'
micro = [ "null_syscall", "cpuid" ]
environments = [ "testbed:bare", "testbed:pv" ]
iterations = 2
warmup = 0
timeout = "10m"
X
"$VMLAB" run tb.vmlab >run.out 2>run.err
st=$?
cat run.out run.err
[ "$st" = 0 ] || fail "vmlab run: exit $st"
[ "$(grep -c '"status":"ok"' results/tb.jsonl)" = 8 ] || fail "wanted 8 ok records"
contains results/tb.jsonl '"environment":"testbed:bare","label":"testbed \(emulated hardware\)"'
contains results/tb.jsonl '"environment":"testbed:pv","label":"testbed \(emulated hardware\)","facts":\{[^}]*"xen_version":"4\.17[^"]*","xen_scheduler":"[a-z0-9]+","virt_caps":"[^"]*","xen_cpus":"[0-9]+","xen_cmdline":"[^"]*","guest_type":"pv","tsc_mode":"native","xen_host":"[^"]+","host_kind":"testbed","shape":"vcpus=1 [^"]*","machine":"[^"]*"\}'
# the run booted the testbed, so it took it down at its end (guests and all)
"$VMLAB" testbed status >status.out 2>&1 && { cat status.out; fail "vmlab run left the testbed it booted running"; }
for q in $(pgrep -f '^qemu-system-x86_64 -name vmlab-testbed'); do
  [ "$(readlink "/proc/$q/cwd")" = "$VMLAB_HOME/testbed" ] && [ -s "/proc/$q/cmdline" ] &&
    fail "a QEMU of the testbed (pid $q) is left behind"
done
# a testbed found running is left running
cat >found.vmlab <<'X'
micro = [ "rdtsc" ]
environments = [ "testbed:bare" ]
iterations = 1
warmup = 0
X
# test_up_bare_net: a bare testbed on a shared net has its place there (no Xen, no bridge: the NIC itself)
net=tr$$
"$VMLAB" testbed up --bare --net "$net" >up.log 2>&1 || { tail -5 up.log; fail "testbed up --bare --net"; }
expect 0 "$VMLAB" testbed status
contains "$T/out" "^testbed a: up \(bare, .*net $net \(239\.193\.[^)]*\) dom0 10\.0\.[0-9]+\.1/"
dom0=$(sed -n "s|.*net $net ([^)]*) dom0 \([0-9.]*\)/.*|\1|p" "$T/out")
expect 0 "$VMLAB" testbed exec -- ip -4 -o addr show
contains "$T/out" " inet $dom0/"
expect 0 "$VMLAB" run found.vmlab
"$VMLAB" testbed status >status.out 2>&1 || fail "vmlab run took down a testbed it found running"
"$VMLAB" testbed down >/dev/null 2>&1
expect 0 "$VMLAB" report results/tb.jsonl --format csv
contains "$T/out" '^null_syscall,micro,testbed:pv,testbed \(emulated hardware\),ns/op,lower,2,0,.*,testbed:bare,[0-9.]+,'
finish
