#!/usr/bin/env bash
# Times the testbed: build from nothing (download + assembly), warm build,
# `up` to dom0 ready (and `up --bare`, the same kernel without Xen, as the
# peer), PV, PVH and HVM guests from `xl create` to ssh answering. Prints the
# median with min..max and n for each. Targets: cold build < 600 s, warm
# build < 60 s, up < 60 s, each guest < 20 s.
# Usage: bench/testbed.sh [RUNS] (default 3). Uses a fresh VMLAB_HOME under
# /tmp and removes it; the machine's load is printed with the results because
# everything runs under QEMU's software emulation.
# bench/testbed.sh --pair [RUNS]: the boot time of two testbeds started at once
# on one --net (until both are ready) against one alone, in turns, in the
# VMLAB_HOME given (built already; kept), or a fresh one.
set -uo pipefail
cd "$(dirname "$0")/.."
pair=0
[ "${1:-}" = --pair ] && { pair=1; shift; }
runs=${1:-3}
vmlab=${VMLAB:-$PWD/build/vmlab}
export VMLAB_HOME
if [ $pair = 1 ] && [ -n "${VMLAB_HOME:-}" ]; then
	trap '"$vmlab" testbed down --all --timeout 20 >/dev/null 2>&1' EXIT
else
	VMLAB_HOME=$(mktemp -d /tmp/vmlab-bench.XXXXXX)
	trap '"$vmlab" testbed down --all --timeout 20 >/dev/null 2>&1; rm -rf "$VMLAB_HOME"' EXIT
fi

declare -A t
now() { date +%s.%N; }
# timed NAME CMD...: runs CMD, appends its wall time to t[NAME]; fails loudly.
timed() {
	local name=$1 a b; shift
	a=$(now)
	"$@" >/tmp/vmlab-bench.out 2>&1 || { echo "FAILED: $*" >&2; cat /tmp/vmlab-bench.out >&2; exit 1; }
	b=$(now)
	t[$name]+="$(echo "$b - $a" | bc) "
}
summary() { # NAME TARGET
	printf '%s\n' ${t[$1]} | sort -n | awk -v name="$1" -v target="$2" '
		{ v[NR] = $1 }
		END { med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%-22s median %7.1f s  (min %.1f, max %.1f, n %d)  target < %s s\n", name, med, v[1], v[NR], NR, target }'
}

if [ $pair = 1 ]; then
	timed build_warm "$vmlab" testbed build
	for r in $(seq "$runs"); do
		timed up_alone "$vmlab" testbed up --name pa --net bp
		"$vmlab" testbed down --all >/dev/null
		# both at once: the pair is ready when the later one is
		timed up_pair bash -c '"$1" testbed up --name pa --net bp & a=$!
			"$1" testbed up --name pb --net bp || exit 1; wait $a' sh "$vmlab"
		"$vmlab" testbed down --all >/dev/null
	done
	echo "vmlab testbed pair timings ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
	summary up_alone "(peer)"
	summary up_pair "-"
	exit 0
fi
for r in $(seq "$runs"); do
	rm -rf "$VMLAB_HOME/testbed"
	timed build_cold "$vmlab" testbed build
	timed build_warm "$vmlab" testbed build
done
for r in $(seq "$runs"); do
	timed up_bare "$vmlab" testbed up --bare
	"$vmlab" testbed down >/dev/null
	timed up_xen "$vmlab" testbed up
	for type in pv pvh hvm; do
		timed "guest_$type" "$vmlab" testbed guest up $type --name "b$type$r"
		"$vmlab" testbed guest down "b$type$r" >/dev/null
	done
	timed down "$vmlab" testbed down
done
echo "vmlab testbed timings ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; TCG unless 'up' said kvm)"
summary build_cold 600
summary build_warm 60
summary up_xen 60
summary up_bare "(peer)"
summary guest_pv 20
summary guest_pvh 20
summary guest_hvm "-"
summary down "-"
