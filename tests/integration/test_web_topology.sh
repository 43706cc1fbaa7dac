#!/usr/bin/env bash
# vmlab web search -f TOPOLOGY: bad topologies are refused with FILE:LINE:COL
# and exit 2 before anything starts; an all-native topology runs the search
# end to end (real nginx, the application, BeSim on loopback) and leaves
# nothing running.
. "$(dirname "$0")/../lib.sh"

cd "$T"
SEARCH=(web search -w banking --max 2 -i 1 --rampup 0.2s --warmup 0.2s --run 2s --rampdown 0.2s
        --think-scale 0.01 --min-pages 1)
bad() { # NAME WANT: the topology in $T/NAME.topo is refused with WANT
  expect 2 "$VMLAB" "${SEARCH[@]}" -f "$1.topo" --results "$1.jsonl" || return
  contains "$T/err" "$2"
  [ -e "$1.jsonl" ] && fail "$1: a refused topology wrote results"
  return 0
}
printf 'server = "native"\nclients = [ "native" ]\ndatabase = "native"\n' >unknown-role.topo
bad unknown-role "unknown-role\.topo:3:1: unknown role or key 'database'"
printf 'server = "native"\nclients = [ "native" ]\ndb_cpus = "0"\n' >unknown-cpus-role.topo
bad unknown-cpus-role "unknown-cpus-role\.topo:3:1: db_cpus: unknown role 'db'"
printf '# no server\nclients = [ "native" ]\n' >no-server.topo
bad no-server "no-server\.topo:1:1: server: the role has no environment"
printf 'server = "native"\nclients = [ ]\n' >no-clients.topo
bad no-clients "no-clients\.topo:2:11: clients: the role has no environment"
printf 'server = "native"\nclients = [ "native" ]\nserver_cpus = "1000"\n' >lacks-cpu.topo
bad lacks-cpu "lacks-cpu\.topo:3:15: server_cpus: CPU 1000 is not one this host lets vmlab run on"
printf 'server = "native"\nclients = [ "native" ]\nclients_cpus = "0-"\n' >bad-cpulist.topo
bad bad-cpulist "bad-cpulist\.topo:3:1[0-9]: clients_cpus: "
printf 'server = "xen:pvh@testbed"\nclients = [ "native" ]\n' >mixed.topo
bad mixed "mixed\.topo:2:13: clients: a native role listens on this machine's loopback"
printf 'server = "native"\nclients = [ "native" ]\ndom0_cpus = "0"\n' >dom0.topo
bad dom0 "dom0\.topo:3:13: dom0_cpus: no role runs in a guest on a Xen host"
printf 'server = "native"\nclients = [ "native" \n' >syntax.topo
bad syntax "syntax\.topo:[0-9]+:[0-9]+: "
expect 2 "$VMLAB" "${SEARCH[@]}" -f missing.topo
contains "$T/err" "missing\.topo"

# a topology on a Xen host that is not there is refused before anything starts
printf 'server = "xen:pvh@testbed:nosuchtb"\nclients = [ "xen:pvh@testbed:nosuchtb" ]\n' >gone.topo
VMLAB_HOME=$T/home expect 2 "$VMLAB" "${SEARCH[@]}" -f gone.topo --results gone.jsonl
contains "$T/err" "no testbed named nosuchtb is up"
[ -e gone.jsonl ] && fail "a refused topology wrote results"

command -v nginx >/dev/null || { echo "SKIP (part): nginx is not installed: no native run"; finish; }
chmod 755 "$T"  # nginx workers run as an unprivileged user when started by root
printf 'name = "loop"\nserver = "native"\nclients = [ "native" ]\nserver_cpus = "0"\nclients_cpus = "0"\n' >loop.topo
before=$(ls -d /tmp/vmlab-topo-* 2>/dev/null | wc -l)
expect_bg 0 "$VMLAB" "${SEARCH[@]}" -f loop.topo --results loop.jsonl
cp "$T/out" search.out
contains "$T/out" '^loop: banking: largest passing session count in \[1, 2\]: (>= )?[12]'
contains "$T/err" 'server: answers http://127\.0\.0\.1:[0-9]+/ from native'
contains loop.jsonl '"kind":"web-search","time":"[^"]+","environment":"loop","label":"server native, besim native, clients native"'
contains loop.jsonl '"kind":"web-search-result","environment":"loop"'
contains loop.jsonl '"kind":"web-topology",.*"environment":"loop",.*"status":"ok",.*"server_cpus":"0",.*"clients_cpus":"0"'
contains loop.jsonl '"client_status":0'
grep -v '^{' loop.jsonl && fail "loop.jsonl holds a line that is no record"
# vmlab report reads them all: pages/s per session count, never one median
# over different counts; the topology's row is its wall time
expect 0 "$VMLAB" report loop.jsonl --format csv
contains "$T/out" '^web-banking-load,web-search,loop,"server native, besim native, clients native",pages/s,higher,[0-9]+,0,.*,1,$'
contains "$T/out" '^web-topology,web-topology,loop,.*,s,lower,1,0,'
# the bound is said as one
grep -q '"bound":"upper"' loop.jsonl && contains search.out '>= 2 \(bound\)'
# nothing of the run is left: its folder, nginx, serve
[ "$(ls -d /tmp/vmlab-topo-* 2>/dev/null | wc -l)" -le "$before" ] || fail "the run left its /tmp/vmlab-topo-* folder"
pgrep -f "vmlab-topo-.*/serve" >/dev/null && fail "the run left its server running"
finish
