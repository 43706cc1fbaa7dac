#!/usr/bin/env bash
# Xen hosts as back ends, against the testbed's real dom0: vmlab host check
# testbed; the dom0 reached as a plain ssh host (ssh:root@127.0.0.1:PORT with
# the testbed's key as an ssh option, not through the testbed back end) runs a
# benchmark in xen:pv with a chosen shape read back from xl; a user's own
# config runs one through xen:FILE.cfg@testbed; a config naming a missing
# disk exits 2 with nothing left running; the local back end inside dom0
# (vmlab host check local there, and vmlab run there with xen:pv@local).
# Always tears the testbed down.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test),
# VMLAB_HOST_RECORD (a folder: the real outputs are copied there as fixtures).
. "$(dirname "$0")/../lib.sh"

command -v ssh >/dev/null || skip "no OpenSSH client"
tb_test_start
step "build"
expect 0 "$VMLAB" testbed build || { cat "$T/out" "$T/err"; exit 1; }
step "up"
expect 0 "$VMLAB" testbed up || { tb_why_not_up; exit 1; }
port=$(sed -n 's/^port=//p' "$VMLAB_HOME/testbed/state")
key=$VMLAB_HOME/testbed/id_ed25519
[ -n "$port" ] || { fail "no port in $VMLAB_HOME/testbed/state"; finish; }
ssh_host=ssh:root@127.0.0.1:$port

step "host check testbed"
# no IOMMU and no pciback in the testbed: MISSING, exit 1; the rest is there
expect 1 "$VMLAB" host check testbed
cat "$T/out"
contains "$T/out" '^host testbed \(.*, a testbed\)$'
contains "$T/out" '^OK +xen +Xen 4\.17'
contains "$T/out" '^OK +scheduler +credit2$'
contains "$T/out" '^OK +hvm +virt_caps .*hvm'
contains "$T/out" '^OK +hap +hap$'
contains "$T/out" '^MISSING iommu .*needed by task 4'
contains "$T/out" '^OK +xentrace +/'
contains "$T/out" '^OK +lvm +vg0 \([0-9]+ MiB free\)$'
contains "$T/out" '^OK +bridge +xenbr0$'
expect 1 "$VMLAB" host check testbed --json
contains "$T/out" '^\{"host":"testbed","hostname":"[^"]+","testbed":true,"missing":[1-9],"facts":\[\{"name":"xen","ok":true'
expect 2 "$VMLAB" host check testbed:b
contains "$T/err" 'no testbed named b is up'

step "host check and exec over plain ssh"
sshargs=(--ssh-arg=-i --ssh-arg="$key" --ssh-arg=-oUserKnownHostsFile=/dev/null --ssh-arg=-oLogLevel=ERROR)
expect 1 "$VMLAB" host check "$ssh_host" "${sshargs[@]}"
contains "$T/out" "^host $ssh_host \\([^,]*\\)$"
contains "$T/out" '^OK +xen +Xen 4\.17'
expect 3 "$VMLAB" host exec "$ssh_host" "${sshargs[@]}" -- sh -c 'echo "a b"; echo err >&2; exit 3'
contains "$T/out" '^a b$'
contains "$T/err" '^err$'
if [ -n "${VMLAB_HOST_RECORD:-}" ]; then
	mkdir -p "$VMLAB_HOST_RECORD"
	for c in "info" "list" "vcpu-list" "sched-credit2" "cpupool-list" "pci-assignable-list"; do
		"$VMLAB" host exec testbed -- sh -c "xl $c 2>&1" >"$VMLAB_HOST_RECORD/testbed-${c}.txt"
	done
	"$VMLAB" host check testbed --raw >"$VMLAB_HOST_RECORD/probe-testbed.txt"
	"$VMLAB" host exec testbed -- vgs --noheadings --units m --nosuffix -o vg_name,vg_free \
		>"$VMLAB_HOST_RECORD/testbed-vgs.txt" 2>&1
fi

step "xen:pv@$ssh_host: a shaped vmlab guest runs a benchmark"
mkdir "$T/w" && cd "$T/w"
cat >ssh.vmlab <<X
micro = [ "null_syscall" ]
environments = [ "xen:pv@$ssh_host", "xen:pv@testbed" ]
ssh_options = [ "-i", "$key", "-oUserKnownHostsFile=/dev/null", "-oLogLevel=ERROR" ]
iterations = 3
warmup = 0
timeout = "10m"
vcpus = 2
cpus = "1"
weight = 512
cap = 150
X
expect 0 "$VMLAB" run ssh.vmlab || cat "$T/out" "$T/err"
[ "$(grep -c '"status":"ok"' results/ssh.jsonl)" = 6 ] || fail "wanted 6 ok records"
contains results/ssh.jsonl '"environment":"xen:pv@ssh:[^"]*","label":"Xen host"'
# the same dom0 through the testbed back end: the same host facts, labelled as the testbed
contains results/ssh.jsonl '"environment":"xen:pv@testbed","label":"testbed \(emulated hardware\)".*"host_kind":"testbed","shape":"vcpus=2 memory=128 cpus=1 cpus_soft=all weight=512 cap=150 pool=Pool-0"'
"$VMLAB" report results/ssh.jsonl --format csv >report.csv 2>&1 || fail "vmlab report"
cat report.csv
[ -n "${VMLAB_HOST_RECORD:-}" ] && cp results/ssh.jsonl report.csv "$VMLAB_HOST_RECORD/"
contains results/ssh.jsonl '"guest_type":"pv","tsc_mode":"native","xen_host":"[^"]+","host_kind":"ssh","shape":"vcpus=2 memory=128 cpus=1 cpus_soft=all weight=512 cap=150 pool=Pool-0"'
contains results/ssh.jsonl '"xen_version":"4\.17'
"$VMLAB" host exec testbed -- xl list >list.out
grep -q vmlab-run list.out && fail "the run left its guest running: $(cat list.out)"

step "xen:FILE.cfg@testbed: the user's own guest runs a benchmark"
cat >mine.cfg <<'X'
name = "mine"
type = "pvh"
kernel = "/var/lib/vmlab/vmlinux"
ramdisk = "/var/lib/vmlab/guest-initrd.gz"
extra = "console=hvc0 quiet random.trust_cpu=on vmlab.ip=10.0.0.77/24 vmlab.name=mine"
memory = 160
vcpus = 1
vif = [ "bridge=xenbr0,mac=00:16:3e:00:00:77" ]
tsc_mode = "native"
on_reboot = "destroy"
X
cat >mine.vmlab <<'X'
micro = [ "null_syscall" ]
environments = [ "xen:mine.cfg@testbed" ]
iterations = 1
warmup = 0
timeout = "10m"
pool = "Pool-0"
X
expect 0 "$VMLAB" run mine.vmlab || cat "$T/out" "$T/err"
contains results/mine.jsonl '"environment":"xen:mine.cfg@testbed","label":"testbed \(emulated hardware\)"'
contains results/mine.jsonl '"status":"ok"'
contains results/mine.jsonl '"guest_type":"pvh","xen_host":"[^"]+","host_kind":"testbed","shape":"vcpus=1 memory=160 '

step "a config naming a missing disk: exit 2, nothing left running"
sed 's|^vcpus = 1$|vcpus = 1\ndisk = [ "/srv/no-such.img,raw,xvda,w" ]|' mine.cfg >nodisk.cfg
sed 's|mine.cfg|nodisk.cfg|' mine.vmlab >nodisk.vmlab
expect 2 "$VMLAB" run nodisk.vmlab
contains "$T/err" 'nodisk\.cfg:[0-9]+:[0-9]+: disk 0: /srv/no-such\.img does not exist on testbed'
"$VMLAB" host exec testbed -- xl list >list.out
[ "$(grep -vc '^Name\|^Domain-0' list.out)" = 0 ] || fail "domains left: $(cat list.out)"
"$VMLAB" host exec testbed -- sh -c 'ls /tmp/vmlab-*.cfg 2>/dev/null' && fail "a guest config file is left in dom0"

step "the local back end: vmlab in dom0"
"$VMLAB" host exec testbed -- vmlab host check local >local.out 2>&1
cat local.out
contains local.out '^host local \(.*, a testbed\)$'
contains local.out '^OK +xen +Xen 4\.17'
contains local.out '^OK +bridge +xenbr0$'
# vmlab run in dom0 with a guest on the local host: dom0's own xl, its ssh to the guest
"$VMLAB" host exec testbed -- sh -c 'mkdir -p /tmp/loc && cd /tmp/loc &&
	printf "%s\n" "micro = [ \"null_syscall\" ]" "environments = [ \"xen:pv@local\" ]" \
		"iterations = 1" "warmup = 0" "vcpus = 2" >loc.vmlab && vmlab run loc.vmlab' >loc.out 2>&1 ||
	{ cat loc.out; fail "vmlab run xen:pv@local in dom0"; }
"$VMLAB" host exec testbed -- cat /tmp/loc/results/loc.jsonl >loc.jsonl
contains loc.jsonl '"environment":"xen:pv@local","label":"testbed \(emulated hardware\)".*"host_kind":"local","shape":"vcpus=2 .*"status":"ok"'
"$VMLAB" host exec testbed -- xl list >list.out
grep -q vmlab-run list.out && fail "the run in dom0 left its guest running: $(cat list.out)"

step "down"
expect 0 "$VMLAB" testbed down
# (a for loop, not a pipe: fail must count in this shell)
for d in /tmp/vmlab-ssh.*; do
	[ -O "$d" ] && [ -S "$d/cm" ] && fail "an ssh control socket is left: $d"
done
finish
