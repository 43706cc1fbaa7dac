#!/usr/bin/env bash
# The guest kernel's xen: tracepoints on the testbed: in a PV guest
# fork_exit and mprotect (vmlab micro --ops N --trace) show xen:xen_mc_entry
# and xen:xen_mmu_* counts that grow linearly with the operations (2N ops:
# 1.7x to 2.3x the counts of N); in PVH and HVM guests the same events are
# recorded unsupported with the reason, never as 0, and counted anyway
# (the guest type overridden) they stay at 0 there. Always tears the
# testbed down; bounded by a watchdog.
# Environment: VMLAB_TESTBED_TEST_HOME (default ~/.cache/vmlab-test),
# VMLAB_TESTBED_TEST_LIMIT (seconds, default 1100).
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v python3 >/dev/null || skip "python3 is needed to read the records"
[ "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)" -ge 2560 ] || skip "less than 2.5 GiB of RAM available"

tb_test_start 1100
step "build"
"$VMLAB" testbed build >"$T/build.log" 2>&1 || { tail -5 "$T/build.log"; fail "testbed build"; finish; }
step "up"
"$VMLAB" testbed up >"$T/up.log" 2>&1 || { tail -5 "$T/up.log"; fail "testbed up"; finish; }

# micro GUEST NAME OPS OUT: the record of vmlab micro NAME --ops OPS in GUEST, counting the xen: events
micro() {
	"$VMLAB" testbed guest exec "$1" --timeout 600 -- vmlab micro "$2" --ops "$3" --repetitions 1 --json \
		--trace 'xen:xen_mc_entry,xen:xen_mmu_*' >"$4" 2>"$4.err" || { fail "micro $2 --ops $3 in $1: $(tail -3 "$4.err")"; return 1; }
}

for type in pv pvh hvm; do
	step "guest $type"
	g=$("$VMLAB" testbed guest up $type --name "tr$type" --timeout 300 2>"$T/g.err" | tail -1) ||
		{ fail "guest up $type: $(tail -3 "$T/g.err")"; continue; }
	"$VMLAB" testbed guest exec "$g" -- sh -c 'cat /sys/hypervisor/guest_type; ls /sys/kernel/tracing/events/xen | wc -l' \
		>"$T/$type.facts" 2>&1
	echo "  $type: guest_type and xen: events listed: $(tr '\n' ' ' <"$T/$type.facts")"
	if [ $type = pv ]; then
		micro "$g" fork_exit 20 "$T/pv.fork20" && micro "$g" fork_exit 40 "$T/pv.fork40"
		micro "$g" mprotect 500 "$T/pv.mp500" && micro "$g" mprotect 1000 "$T/pv.mp1000"
	else
		micro "$g" fork_exit 20 "$T/$type.fork20" && micro "$g" mprotect 500 "$T/$type.mp500"
		# the rule behind "unsupported", measured: counted anyway, they stay at 0 here
		"$VMLAB" testbed guest exec "$g" --timeout 600 -- env VMLAB_XEN_GUEST_TYPE=PV vmlab micro fork_exit \
			--ops 20 --repetitions 1 --json --trace 'xen:xen_mc_entry,xen:xen_mmu_*' >"$T/$type.raw" 2>&1 ||
			fail "micro fork_exit counted anyway in $g: $(tail -3 "$T/$type.raw")"
	fi
	"$VMLAB" testbed guest down "$g" >/dev/null 2>&1 || fail "guest down $g"
done

python3 - "$T" <<'PY' || fail "xen: counts are not as the PV/PVH/HVM caveat says"
import json, os, sys
T = sys.argv[1]
def counts(name):
    return json.loads(open(os.path.join(T, name)).read().splitlines()[-1])["counts"]
def total(c, prefix):
    ok = {k: v["count"] for k, v in c.items() if k.startswith(prefix) and "count" in v}
    return sum(ok.values()), ok
bad = 0
for bench, small, big, n in (("fork_exit", "pv.fork20", "pv.fork40", 20), ("mprotect", "pv.mp500", "pv.mp1000", 500)):
    a, b = counts(small), counts(big)
    for prefix in ("xen:xen_mc_entry", "xen:xen_mmu_"):
        sa, ea = total(a, prefix)
        sb, eb = total(b, prefix)
        ratio = sb / sa if sa else float("nan")
        ok = sa > 0 and 1.7 <= ratio <= 2.3
        print(f"  pv {bench}: {prefix}* {sa:.0f} at {n} ops, {sb:.0f} at {2 * n} ops: x{ratio:.2f} "
              f"({sa / n:.1f}/op) {'ok' if ok else 'NOT LINEAR'}")
        bad += not ok
for t in ("pvh", "hvm"):
    for f in ("fork20", "mp500"):
        c = counts(f"{t}.{f}")
        for k, v in c.items():
            if "count" in v or v.get("status") != "unsupported" or not v.get("reason"):
                print(f"  {t} {f}: {k} is {v}, wanted unsupported with a reason"); bad += 1
        r = next(iter(c.values())).get("reason", "")
        print(f"  {t} {f}: {len(c)} xen: events unsupported: {r}")
    raw = counts(f"{t}.raw")
    fired = {k: v.get("count") for k, v in raw.items() if v.get("count") != 0}
    print(f"  {t} fork_exit counted anyway: {len(raw) - len(fired)} of {len(raw)} xen: events at 0"
          + (f"; not 0: {fired}" if fired else ""))
    bad += bool(fired)
sys.exit(1 if bad else 0)
PY
step "done"
finish
