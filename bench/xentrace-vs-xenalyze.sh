#!/bin/bash
# xentrace-vs-xenalyze: wall time of `vmlab xentrace summary` next to Xen's
# `xenalyze --summary` on the same trace file, alternating, RUNS runs each;
# prints median, min and max in seconds and the ratio of the medians.
# The file: a real trace, e.g. the one `VMLAB_XENTRACE_KEEP=DIR
# tests/testbed/test_xentrace.sh` leaves in DIR/large.bin (or any
# `vmlab xentrace record` output). xenalyze: $XENALYZE, else the testbed's
# packages (Debian's xen-utils-4.17, ~/.cache/vmlab/testbed/pkgroot), else PATH.
# usage: bench/xentrace-vs-xenalyze.sh TRACE [BUILD_DIR]   (env: RUNS=7)
set -u
F=${1:?usage: bench/xentrace-vs-xenalyze.sh TRACE [BUILD_DIR]}
B=${2:-build}
VMLAB=${VMLAB:-$B/vmlab}
RUNS=${RUNS:-7}
X=${XENALYZE:-}
for c in "${VMLAB_HOME:-$HOME/.cache/vmlab}/testbed/pkgroot/usr/bin/xenalyze" "$(command -v xenalyze)"; do
  [ -z "$X" ] && [ -x "$c" ] && X=$c
done
[ -x "$VMLAB" ] || { echo "xentrace-vs-xenalyze: $VMLAB not built (scripts/build build)" >&2; exit 2; }
[ -n "$X" ] || { echo "xentrace-vs-xenalyze: no xenalyze (set XENALYZE; it is in Debian's xen-utils-4.17)" >&2; exit 2; }
[ -f "$F" ] || { echo "xentrace-vs-xenalyze: $F: no such file" >&2; exit 2; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# the page cache warm for both, and each must succeed once
"$VMLAB" xentrace summary "$F" >/dev/null || exit 1
"$X" --svm-mode -s "$F" >/dev/null 2>&1 || { echo "xentrace-vs-xenalyze: $X failed on $F" >&2; exit 1; }
us() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000)); }
for ((k = 0; k < RUNS; k++)); do
  us "$VMLAB" xentrace summary "$F" >>"$T/vmlab"
  us "$X" --svm-mode -s "$F" >>"$T/xenalyze"
done
stats() { sort -n "$1" | awk '{ v[NR] = $1 / 1e6 } END { printf "%8.3f %8.3f %8.3f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
printf '%s: %s bytes, n=%d runs each, alternating\n' "$F" "$(stat -c %s "$F")" "$RUNS"
printf '%-28s %8s %8s %8s\n' what median min max
printf '%-28s %s\n' "vmlab xentrace summary" "$(stats "$T/vmlab")"
printf '%-28s %s\n' "xenalyze --svm-mode -s" "$(stats "$T/xenalyze")"
paste <(sort -n "$T/vmlab") <(sort -n "$T/xenalyze") | awk '{ a[NR] = $1; b[NR] = $2 }
  END { m = int((NR + 1) / 2); printf "ratio of medians (vmlab / xenalyze): %.2f\n", a[m] / b[m] }'
