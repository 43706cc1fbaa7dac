#!/bin/bash
# cfg-scale: wall time of `vmlab cfg check` and `vmlab cfg get` on generated
# xl.cfg files of 20k..200k keys, next to libxlutil (tests/oracle/xlu_oracle:
# xlu_cfg_readfile + one get) on the same files. Prints median, min and max
# over RUNS runs per cell, in seconds.
# usage: bench/cfg-scale.sh [BUILD_DIR]   (env: RUNS=5, SIZES="20000 50000 100000 200000")
set -u
B=${1:-build}
VMLAB=${VMLAB:-$B/vmlab}
ORACLE=$B/tests/oracle/xlu_oracle
RUNS=${RUNS:-5}
SIZES=${SIZES:-"20000 50000 100000 200000"}
[ -x "$VMLAB" ] || { echo "cfg-scale: $VMLAB not built (scripts/build build)" >&2; exit 2; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# one cell: prints "median min max" of RUNS wall times of the argv given
cell() {
  local k t0 t1
  for ((k = 0; k < RUNS; k++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk '{ v[NR] = $1 / 1e6 }
    END { printf "%8.3f %8.3f %8.3f", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

printf '%-8s %-22s %8s %8s %8s   (n=%d)\n' keys what median min max "$RUNS"
for n in $SIZES; do
  f=$T/k$n.cfg
  awk -v n="$n" 'BEGIN { print "name = \"scale\""; print "kernel = \"/boot/vmlinuz\"";
    print "memory = 512"; for (i = 0; i < n; i++) printf "k%d = %d\n", i, i }' >"$f"
  last=k$((n - 1))
  printf '%-8s %-22s %s\n' "$n" "vmlab cfg check" "$(cell "$VMLAB" cfg check "$f")"
  printf '%-8s %-22s %s\n' "$n" "vmlab cfg get" "$(cell "$VMLAB" cfg get "$f" "$last")"
  if [ -x "$ORACLE" ]; then
    printf '%-8s %-22s %s\n' "$n" "libxlutil read+get" "$(cell "$ORACLE" "$f" "$last")"
  else
    printf '%-8s %-22s %s\n' "$n" "libxlutil read+get" "SKIP (xlu_oracle not built: libxen-dev missing)"
  fi
done
