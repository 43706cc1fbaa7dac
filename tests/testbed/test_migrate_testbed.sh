#!/usr/bin/env bash
# vmlab migrate between two testbeds on one shared net (Xen 4.17 in QEMU on
# both): a PV guest is refused before anything is tried (Debian's Xen has no
# shadow paging), a 160 MiB PVH guest passes --check, moves from ma to mb with xl
# migrate over nc (a one-shot receiver in mb's dom0) while vmlab probe in mb's
# dom0 pings it every 10 ms (1 ms slows the stream under TCG to 0.13 MB/s),
# runs on mb only afterwards (read back by vmlab and by xl), kept running
# through it (its uptime), and moves back; each migration is a record with
# its total time and downtime. During the first, the guest serves the
# Ecommerce workload (vmlab web serve) to a load from mb's dom0 with a
# timeline, stopped by SIGINT after it: vmlab web window cuts the
# migration's window out (the clients' largest gap, their rate, the page
# QoS) and vmlab report shows it beside the probe's downtime (Clark et al.'s
# set-up: the server migrates while it serves). Prints the figures. Always
# tears down. Environment: VMLAB_TESTBED_TEST_HOME as in test_testbed.sh.
. "$(dirname "$0")/../lib.sh"

tb_named_start 7168 5400 ma mb
net=tm$$
on() { "$VMLAB" testbed exec --name "$1" -- xl list >"$T/xl.$1" 2>&1; grep -q "^$2 " "$T/xl.$1"; }

step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }
step "up ma and mb on net $net"
"$VMLAB" testbed up --name ma --net "$net" >"$T/ma.out" 2>"$T/ma.err" &
a=$!
"$VMLAB" testbed up --name mb --net "$net" >"$T/mb.out" 2>"$T/mb.err" &
b=$!
sta=0 stb=0
wait $a || sta=$?
wait $b || stb=$?
[ $sta = 0 ] && [ $stb = 0 ] || { fail "up: exit $sta / $stb: $(cat "$T/ma.err" "$T/mb.err")"; exit 1; }

step "a PV and a PVH guest on ma"
expect 0 "$VMLAB" testbed guest up pv --testbed ma --name mp || { cat "$T/err"; exit 1; }
expect 0 "$VMLAB" testbed guest up pvh --testbed ma --name mg --memory 160 || { cat "$T/err"; exit 1; }
gip=$(sed -n 's/.* answers on \(10\.0\.[0-9]*\.[0-9]*\) after .*/\1/p' "$T/err" | head -1)
[ -n "$gip" ] || { fail "no address of mg in: $(cat "$T/err")"; exit 1; }

step "the PV guest is refused, nothing tried"
expect 2 "$VMLAB" migrate mp --from testbed:ma --to testbed:mb
contains "$T/err" "refused, nothing tried: mp is a PV guest and the source's Xen has no shadow paging"
on ma mp || fail "the refused PV guest left ma: $(cat "$T/xl.ma")"
expect 2 "$VMLAB" migrate nosuch --from testbed:ma --to testbed:mb && contains "$T/err" "no domain nosuch"

step "the PVH guest: --check"
expect 0 "$VMLAB" migrate mg --from testbed:ma --to testbed:mb --check --interval 10ms && cat "$T/out"
contains "$T/out" "^vmlab migrate: mg \(pvh, 160 MiB, domain [0-9]+\) from testbed:ma \(Xen 4\.17"
contains "$T/out" "transport: nc 10\.0\.[0-9]+\.1 9[0-9][0-9][0-9] \(xl migrate -s '': the command itself\)"
contains "$T/out" "probe: an ICMP echo every 10 ms to 10\.0\.[0-9]+\.[0-9]+ from testbed:mb's dom0"
on ma mg || fail "--check moved the guest"
expect 0 "$VMLAB" testbed guest exec mg --testbed ma -- cat /proc/uptime && up0=$(cut -d. -f1 "$T/out")

step "mg serves Ecommerce (vmlab web serve); a load from mb's dom0 with a timeline"
expect 0 "$VMLAB" testbed guest exec mg --testbed ma -- sh -c 'setsid vmlab web serve --dir /tmp/web -w ecommerce \
	-s 1 --workers 1 --listen 0.0.0.0:8080 --tls-listen 0.0.0.0:8443 --app-listen 127.0.0.1:9300 \
	--besim-listen 127.0.0.1:9400 --nginx /usr/sbin/nginx </dev/null >/tmp/serve.log 2>&1 &' ||
	{ cat "$T/err"; exit 1; }
served=0
for _ in $(seq 60); do
	"$VMLAB" testbed exec --name mb -- vmlab web bench "http://$gip:8080/" -t 1 -c 1 -d 1s --timeout 2s \
		>"$T/bench.out" 2>&1 && grep -q 'Requests/sec' "$T/bench.out" && { served=1; break; }
	sleep 5
done
[ $served = 1 ] || { fail "mg's web server never answered from mb: $(cat "$T/bench.out")"; exit 1; }
expect 0 "$VMLAB" testbed exec --name mb -- sh -c "setsid vmlab web load -w ecommerce -n 2 --url http://$gip:8080 \
	--tls-url https://$gip:8443 --rampup 0s --warmup 0s --run 3600s --rampdown 0s --think-scale 0.1 \
	--fileset-sessions 1 --json --timeline /tmp/tl.jsonl </dev/null >/tmp/load.json 2>/tmp/load.err & echo \$! >/tmp/load.pid"
sleep 30

for dir in "ma mb" "mb ma"; do
	set -- $dir
	step "migrate mg from $1 to $2"
	expect 0 "$VMLAB" migrate mg --from "testbed:$1" --to "testbed:$2" --interval 10ms --timeout 2400 -o "$T/m.jsonl"
	cat "$T/out" "$T/err"
	contains "$T/out" "^migrated in [0-9.]+ s \(xl migrate in the source's dom0\); now domain [0-9]+ on testbed:$2, gone from the source"
	contains "$T/out" "^downtime: [0-9.]+ ms \(the largest gap between the probe's replies"
	on "$2" mg || fail "mg is not on $2: $(cat "$T/xl.$2")"
	on "$1" mg && fail "mg is still on $1: $(cat "$T/xl.$1")"
	if [ "$1" = ma ]; then
		step "the load's window of the migration"
		sleep 20
		"$VMLAB" testbed exec --name mb -- sh -c 'kill -INT $(cat /tmp/load.pid)'
		for _ in $(seq 30); do
			"$VMLAB" testbed exec --name mb -- cat /tmp/load.json >"$T/load.json" 2>/dev/null
			grep -q '"kind":"web-load"' "$T/load.json" && break
			sleep 2
		done
		contains "$T/load.json" '"kind":"web-load",.*"stopped":true'
		"$VMLAB" testbed exec --name mb -- cat /tmp/tl.jsonl >"$T/tl.jsonl" 2>/dev/null
		"$VMLAB" testbed exec --name mb -- cat /tmp/load.err >&2
		# the timeline has mb's dom0's clock, the migrate record this host's: say how far apart
		echo "  clocks: host $(date +%s), mb's dom0 $("$VMLAB" testbed exec --name mb -- date +%s)"
		expect 0 "$VMLAB" web window "$T/tl.jsonl" --migration "$T/m.jsonl" --results "$T/m.jsonl" \
			--env "xen:pvh@testbed:mb" --label mg
		cat "$T/out"
		contains "$T/out" '^  largest gap between responses: [0-9.]+ ms from '
		expect 0 "$VMLAB" report "$T/m.jsonl"
		grep -A6 '^## Live migration' "$T/out"
		contains "$T/out" '^\| mg \| testbed:ma -> testbed:mb \(testbed\) \| 160 MiB \| [0-9.]+ s \| [0-9.]+ ms \| [0-9.]+ ms \| '
	fi
done
[ "$(grep -c '"kind":"migrate".*"status":"ok"' "$T/m.jsonl")" = 2 ] || fail "two ok records: $(cat "$T/m.jsonl")"
[ "$(grep -c '"kind":"web-window"' "$T/m.jsonl")" = 1 ] || fail "no web-window record of the first migration"
grep -q '"probe":{"kind":"probe"' "$T/m.jsonl" || fail "no probe summary in the records"
[ "$(grep -cE '"start_s":[0-9.e+]+,"end_s":[0-9.e+]+' "$T/m.jsonl")" = 2 ] || fail "no start_s/end_s window in the records"
step "the guest kept running through both"
expect 0 "$VMLAB" testbed guest exec mg --testbed ma -- cat /proc/uptime && up1=$(cut -d. -f1 "$T/out")
[ -n "$up0" ] && [ -n "$up1" ] && [ "$up1" -ge "$up0" ] || fail "uptime $up0 -> $up1: the guest restarted"
cat "$T/m.jsonl"

step "down"
expect 0 "$VMLAB" testbed down --all
step "done"
finish
