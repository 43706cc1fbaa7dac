#!/usr/bin/env bash
# vmlab web search -f over a topology on the testbed: the server (nginx and
# the application) in a PVH guest pinned to CPU 1, the clients and BeSim in a
# PV guest pinned to CPU 0, dom0 pinned to CPU 0; a short search (tiny
# session counts, think times scaled down: TCG is slow) from the client's
# guest. Checks the placement read back, the records, that dom0's pinning is
# restored and that no guest is left. Prints the search's figures.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test).
. "$(dirname "$0")/../lib.sh"

tb_test_start 1500
tb_build_up

cd "$T"
cat >split.topo <<'X'
# server alone in a PVH guest; BeSim and the clients together in a PV guest
name = "tb-split"
server = "xen:pvh@testbed"
besim = "xen:pv@testbed"
clients = [ "xen:pv@testbed" ]
server_cpus = "1"
clients_cpus = "0"
besim_cpus = "0"
dom0_cpus = "0"
guest_memory = 384
X
"$VMLAB" testbed exec -- xl vcpu-list Domain-0 >dom0.before 2>&1 || fail "xl vcpu-list before"

step "a topology naming CPU 5 of the 2-CPU testbed is refused before any guest starts"
sed 's/^server_cpus = "1"/server_cpus = "5"/' split.topo >cpu5.topo
expect_bg 2 "$VMLAB" web search -f cpu5.topo -w banking --max 2
contains "$T/err" 'cpu5\.topo:6:15: server_cpus: CPU 5: testbed has CPUs 0-1'
"$VMLAB" testbed exec -- xl list >list.out 2>&1
grep -q vmlab-run list.out && fail "a refused topology created a guest: $(cat list.out)"

step "search over the topology"
expect_bg 0 "$VMLAB" web search -f split.topo -w banking --min 1 --max 3 -i 2 --rampup 1s \
	--warmup 2s --run 10s --rampdown 1s --think-scale 0.05 --min-pages 5 --results r.jsonl
cat "$T/out"; sed 's/^/  /' "$T/err" | grep -v '^  vmlab web search: warning' | head -40
contains "$T/out" '^tb-split: banking: largest passing session count in \[1, 3\]: '
contains "$T/err" 'server: xen:pvh@testbed at 10\.0\.[0-9]+\.[0-9]+, vcpus=1 memory=384 cpus=1 '
contains "$T/err" 'besim\+clients: xen:pv@testbed at 10\.0\.[0-9]+\.[0-9]+, vcpus=1 memory=384 cpus=0 '
contains "$T/err" 'dom0 on testbed pinned: vcpu0=0 vcpu1=0'
contains r.jsonl '"kind":"web-search-result","environment":"tb-split","label":"server xen:pvh@testbed, besim xen:pv@testbed, clients xen:pv@testbed"'
contains r.jsonl '"kind":"web-topology",.*"status":"ok",.*"dom0_cpus":"0","place0":"server: xen:pvh@testbed at 10\.0\.[0-9.]+, read back: vcpus=1 memory=384 cpus=1 '
contains r.jsonl '"dom0_0":"vcpu0=0 vcpu1=0"'
grep -v '^{' r.jsonl && fail "r.jsonl holds a line that is no record"

step "torn down: no guest left, dom0's affinity as before"
"$VMLAB" testbed exec -- xl list >list.out 2>&1
grep -q vmlab-run list.out && fail "guests left: $(cat list.out)"
"$VMLAB" testbed exec -- xl vcpu-list Domain-0 >dom0.after 2>&1
[ "$(awk 'NR > 1 {print $2, $7}' dom0.before)" = "$(awk 'NR > 1 {print $2, $7}' dom0.after)" ] ||
	fail "dom0's affinity was not restored: $(cat dom0.before dom0.after)"

# the figures: pages/s per session count and the answer
awk -F'"sessions":' '/"kind":"web-search"/ {split($2, a, ","); s = a[1];
	match($0, /"pages_per_s":[0-9.e+-]+/); p = substr($0, RSTART + 14, RLENGTH - 14);
	match($0, /"pass":[a-z]+/); q = substr($0, RSTART + 7, RLENGTH - 7);
	printf "  %s sessions: %s pages/s, %s\n", s, p, q }' r.jsonl
grep '"kind":"web-search-result"' r.jsonl
finish
