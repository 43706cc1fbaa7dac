#!/usr/bin/env bash
# vmlab xentrace on the testbed: record real traces with Xen's xentrace in
# dom0 while an HVM guest runs `vmlab micro cpuid` and a PV guest runs
# `vmlab micro fork_exit`, then compare vmlab's summary with Xen's own
# xenalyze --summary on the same files: exit counts per domain and reason
# equal, VMEXIT_CPUID at least the cpuid calls the micro benchmark made, and
# PV hypercalls counted for the PV guest. Always tears down.
# Environment: VMLAB_TESTBED_TEST_HOME as test_testbed.sh; VMLAB_XENTRACE_KEEP
# (a folder) keeps the traces and xenalyze's outputs there.
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v apt-get >/dev/null || skip "apt-get is missing: the testbed is assembled from Debian packages"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"

export VMLAB_HOME=${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test/$(basename "$SRC_DIR")-$(echo "$SRC_DIR" | cksum | cut -d' ' -f1)}
keep=${VMLAB_XENTRACE_KEEP:-}
testbed_session "${VMLAB_TESTBED_TEST_LIMIT:-1100}"
run() { "$@" & wait $!; }

step "build"
run "$VMLAB" testbed build >"$T/build.log" 2>&1 || { tail -5 "$T/build.log"; fail "testbed build"; finish; }
xenalyze=$VMLAB_HOME/testbed/pkgroot/usr/bin/xenalyze
[ -x "$xenalyze" ] || skip "no xenalyze in the testbed's packages ($xenalyze): it comes with xen-utils-4.17 (Debian 12); build it from Xen's source package (tools/xentrace) otherwise"
"$xenalyze" --help >/dev/null 2>&1 || skip "$xenalyze does not run on this machine"

step "up"
run "$VMLAB" testbed up >"$T/up.log" 2>&1 || { tail -5 "$T/up.log"; fail "testbed up"; finish; }
for type in hvm pv; do
	step "guest up $type"
	run "$VMLAB" testbed guest up $type --name "xt-$type" --timeout 600 >"$T/g.log" 2>&1 ||
		{ tail -5 "$T/g.log"; fail "guest up $type"; finish; }
done

# compare NAME: vmlab's and xenalyze's exit counts on $T/NAME.bin are equal
compare() {
	local f=$T/$1.bin hz
	hz=$(grep -o '"cpu_hz":[0-9.e+]*' "$f.meta" | cut -d: -f2)
	"$xenalyze" --svm-mode --cpu-hz="$(awk -v h="$hz" 'BEGIN { printf "%.0f", h }')" -s "$f" \
		>"$T/$1.xenalyze" 2>"$T/$1.xenalyze.err" || { fail "xenalyze on $1.bin failed"; tail -3 "$T/$1.xenalyze.err"; }
	expect 0 "$VMLAB" xentrace summary "$f" && cp "$T/out" "$T/$1.vmlab"
	awk -f "$TESTS_DIR/testbed/xenalyze_exits.awk" "$T/$1.xenalyze" | sort >"$T/$1.want"
	awk -f "$TESTS_DIR/testbed/vmlab_exits.awk" "$T/$1.vmlab" | sort >"$T/$1.got"
	[ -s "$T/$1.want" ] || fail "$1: xenalyze counted no exits"
	diff "$T/$1.want" "$T/$1.got" >"$T/$1.diff" || { fail "$1: exit counts differ from xenalyze's (< xenalyze, > vmlab):"; head -20 "$T/$1.diff" >&2; }
	[ -n "$keep" ] && cp "$f" "$f.meta" "$T/$1.xenalyze" "$T/$1.vmlab" "$keep/"
	return 0
}

step "record: HVM guest, vmlab micro cpuid"
run "$VMLAB" xentrace record --host testbed --domain xt-hvm -e hvm,sched -o "$T/hvm.bin" -- \
	vmlab micro cpuid --min-time 0.05s --repetitions 2 --json >"$T/cpuid.json" 2>"$T/rec.err" ||
	{ cat "$T/rec.err"; fail "xentrace record (hvm)"; }
cat "$T/rec.err"
contains "$T/hvm.bin.meta" '"cpu_hz":[1-9][0-9.e+]*,"exit_names":"svm","mask":716800,"classes":"hvm,sched","domain":"xt-hvm","domid":[1-9]'
compare hvm
domid=$(grep -o '"domid":[0-9]*' "$T/hvm.bin.meta" | cut -d: -f2)
ops=$(grep -o '"ops":[0-9]*' "$T/cpuid.json" | cut -d: -f2)   # per repetition
reps=$(grep -o '"repetitions":[0-9]*' "$T/cpuid.json" | cut -d: -f2)
[ -n "$ops" ] && [ -n "$reps" ] && ops=$((ops * reps))
cpuid=$(awk -v d="$domid" '$1 == d && $2 == "VMEXIT_CPUID" { print $3 }' "$T/hvm.got")
echo "HVM d$domid: vmlab micro cpuid made $ops timed cpuid calls; VMEXIT_CPUID $cpuid"
[ -n "$ops" ] && [ -n "$cpuid" ] && [ "$cpuid" -ge "$ops" ] || fail "VMEXIT_CPUID ($cpuid) < the cpuid calls ($ops)"

step "record: PV guest, vmlab micro fork_exit"
run "$VMLAB" xentrace record --host testbed --domain xt-pv -e hvm,sched,pv -o "$T/pv.bin" -- \
	vmlab micro fork_exit --min-time 0.05s --repetitions 2 >/dev/null 2>"$T/rec.err" ||
	{ cat "$T/rec.err"; fail "xentrace record (pv)"; }
compare pv
expect 0 "$VMLAB" xentrace summary --json "$T/pv.bin"
pvid=$(grep -o '"domid":[0-9]*' "$T/pv.bin.meta" | cut -d: -f2)
grep -qE "\"domid\":$pvid,\"vcpus\":\[\{\"vcpu\":0,\"kind\":\"pv\",.*\"hypercalls\":\{\"[a-z_]+\":[1-9]" "$T/out" ||
	fail "no PV hypercalls counted for the PV guest d$pvid"

if [ -n "$keep" ]; then
	step "record: a larger trace for bench/xentrace-vs-xenalyze.sh"
	run "$VMLAB" xentrace record --host testbed --domain xt-hvm -e all -o "$keep/large.bin" -- \
		vmlab micro cpuid fork_exit --min-time 0.5s --repetitions 3 >/dev/null 2>&1 || fail "large record"
fi
step "down"
finish
