#!/usr/bin/env bash
# Two named testbeds on one shared net, end to end: bad input first (a bad
# name, --cpus 0, an unknown --net form: exit 2, nothing started), then
# testbeds na and nb boot at once with --net, a name in use is refused, a PV
# guest on na pings dom0 of nb and runs a command there over ssh (dbclient in
# the guest), both go down with `down --all`, and no QEMU of theirs is left.
# Prints the boot time of the pair. Always tears down.
# Environment: VMLAB_TESTBED_TEST_HOME as in test_testbed.sh.
. "$(dirname "$0")/../lib.sh"

tb_named_start 7168 1200 na nb
net=tn$$

step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }

step "bad input: exit 2, nothing started"
before=$(pgrep -c qemu-system || true)
expect 2 "$VMLAB" testbed up --name Bad_Name && contains "$T/err" "--name 'Bad_Name'"
expect 2 "$VMLAB" testbed up --name na --cpus 0 && contains "$T/err" "--cpus 0"
expect 2 "$VMLAB" testbed up --name na --net udp:127.0.0.1:9 && contains "$T/err" "no known net form"
expect 2 "$VMLAB" testbed up --name na --bare --xen-args sched=credit && contains "$T/err" "runs no Xen"
expect 2 "$VMLAB" testbed exec --name ../x -- true
[ ! -e "$(tb_state_of na)" ] || fail "a refused up left $(tb_state_of na)"
[ "$(pgrep -c qemu-system || true)" = "$before" ] || fail "a refused up started QEMU"

step "up na and nb at once on net $net"
t0=$SECONDS
"$VMLAB" testbed up --name na --net "$net" --cpus 2 >"$T/na.out" 2>"$T/na.err" &
a=$!
"$VMLAB" testbed up --name nb --net "$net" --xen-args "sched=credit dom0_max_vcpus=1" >"$T/nb.out" 2>"$T/nb.err" &
b=$!
sta=0 stb=0
wait $a || sta=$?
wait $b || stb=$?
pair_s=$((SECONDS - t0))
cat "$T/na.out" "$T/nb.out"
[ $sta = 0 ] || { fail "up na: exit $sta"; cat "$T/na.err" >&2; tail -20 "$VMLAB_HOME/testbed/beds/na/console.log" >&2; }
[ $stb = 0 ] || { fail "up nb: exit $stb"; cat "$T/nb.err" >&2; tail -20 "$VMLAB_HOME/testbed/beds/nb/console.log" >&2; }
[ $sta = 0 ] && [ $stb = 0 ] || exit 1
echo "boot time of the pair: ${pair_s} s"

step "status lists both, with distinct ports and places on the net"
expect 0 "$VMLAB" testbed status && cat "$T/out"
contains "$T/out" "^testbed na: up \(xen, .*net $net \(239\.193\."
contains "$T/out" "^testbed nb: up \(xen, .*xen-args 'sched=credit dom0_max_vcpus=1'"
ipa=$(sed -n 's/^testbed na: .* dom0 \(10\.0\.[0-9]*\.1\)\/16.*/\1/p' "$T/out")
ipb=$(sed -n 's/^testbed nb: .* dom0 \(10\.0\.[0-9]*\.1\)\/16.*/\1/p' "$T/out")
[ -n "$ipa" ] && [ -n "$ipb" ] && [ "$ipa" != "$ipb" ] || fail "dom0 addresses '$ipa' and '$ipb'"
[ "$(sed -n 's/^port=//p' "$(tb_state_of na)")" != "$(sed -n 's/^port=//p' "$(tb_state_of nb)")" ] || fail "same ssh port"
expect 0 "$VMLAB" testbed status --name nb && contains "$T/out" "scheduler credit,"
expect 0 "$VMLAB" testbed exec --name nb -- xl info && contains "$T/out" "xen_commandline .*sched=credit dom0_max_vcpus=1"

step "a name in use with other options: exit 2, the running one stays"
pidb=$(tb_pid_of nb)
expect 2 "$VMLAB" testbed up --name nb --cpus 1 && contains "$T/err" "testbed nb is in use"
tb_qemu_runs "$pidb" && [ "$(tb_pid_of nb)" = "$pidb" ] || fail "the refused up touched nb"
expect 0 "$VMLAB" testbed up --name nb --net "$net" --xen-args "sched=credit dom0_max_vcpus=1" &&
	contains "$T/out" "testbed nb already up"

step "dom0 of na reaches dom0 of nb"
expect 0 "$VMLAB" testbed exec --name na -- ping -c 2 -W 5 "$ipb" || cat "$T/out"

step "a guest on na pings dom0 of nb and ssh's to it"
expect 0 "$VMLAB" testbed guest up pv --testbed na --name netpv || { cat "$T/err"; exit 1; }
expect 0 "$VMLAB" testbed guest exec netpv --testbed na -- ping -c 3 -W 5 "$ipb" && cat "$T/out"
contains "$T/out" " 0% packet loss"
key=$(base64 -w0 "$VMLAB_HOME/testbed/id_ed25519.dropbear")
expect 0 "$VMLAB" testbed guest exec netpv --testbed na -- sh -c \
	'echo "$1" | base64 -d >/tmp/k && chmod 600 /tmp/k' sh "$key"
expect 0 "$VMLAB" testbed exec --name nb -- sh -c "echo seen-on-nb-$$ >/tmp/marker"
expect 0 "$VMLAB" testbed guest exec netpv --testbed na --timeout 120 -- \
	dbclient -y -y -i /tmp/k "root@$ipb" cat /tmp/marker
contains "$T/out" "^seen-on-nb-$$\$"
expect 0 "$VMLAB" testbed guest down netpv --testbed na

step "down --all"
pida=$(tb_pid_of na)
expect 0 "$VMLAB" testbed down --all && cat "$T/out"
contains "$T/out" "testbed na down"
contains "$T/out" "testbed nb down"
for p in $pida $pidb; do tb_qemu_runs "$p" && fail "QEMU $p still runs after down --all"; done
expect 1 "$VMLAB" testbed status --name na && contains "$T/out" "testbed na: down"
step "done"
finish
