#!/usr/bin/env bash
# vmlab trace agrees with perf stat (Debian's linux-perf) on deterministic
# workloads: N getppid calls counted by syscalls:sys_enter_getppid (exactly
# equal), and the page faults of N first touches (equal to within the few
# faults the loader's address-space layout changes from run to run).
. "$(dirname "$0")/../lib.sh"
command -v perf >/dev/null || skip "perf (Debian's linux-perf) is not installed"
command -v python3 >/dev/null || skip "python3 is needed to read JSON"
perf stat -x, -e page-faults -- true >/dev/null 2>"$T/perf" || skip "perf stat cannot count here: $(cat "$T/perf")"
"$VMLAB" trace list 'syscalls:sys_enter_getppid' >"$T/list" 2>&1 ||
  skip "no syscalls:sys_enter_getppid tracepoint here: $(cat "$T/list")"

# perf_count EVENT CMD...: the count perf stat -x, gives for EVENT.
perf_count() {
  local ev=$1; shift
  perf stat -x, -e "$ev" -- "$@" >/dev/null 2>"$T/perf.csv" || { fail "perf stat $*: $(cat "$T/perf.csv")"; echo -1; return; }
  awk -F, -v ev="$ev" '$3 == ev { print $1 }' "$T/perf.csv"
}
# vmlab_count EVENT CMD...: the count vmlab trace --json gives.
vmlab_count() {
  local ev=$1; shift
  "$VMLAB" trace --json -e "$ev" -- "$@" 2>"$T/err" | tail -1 >"$T/v.json"
  python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"][0]; print(int(e["count"]) if e["status"]=="counted" else e["reason"])' "$T/v.json"
}

N=100000
# one untimed warm-up loop and one repetition of N calls each
for round in 1 2; do
  p=$(perf_count syscalls:sys_enter_getppid "$VMLAB" micro null_syscall --ops $N --repetitions 1 --json)
  v=$(vmlab_count syscalls:sys_enter_getppid "$VMLAB" micro null_syscall --ops $N --repetitions 1 --json)
  echo "getppid round $round: perf $p, vmlab $v (2N = $((2 * N)))"
  [ "$p" = "$v" ] || fail "getppid: perf stat counts $p, vmlab trace $v"
  [ "$v" -ge $((2 * N)) ] && [ "$v" -lt $((2 * N + 100)) ] 2>/dev/null || fail "getppid: $v is not about 2N = $((2 * N))"
done

M=20000
for ev in page-faults minor-faults; do
  p=$(perf_count $ev "$VMLAB" micro page_fault --ops $M --repetitions 1 --json)
  v=$(vmlab_count $ev "$VMLAB" micro page_fault --ops $M --repetitions 1 --json)
  echo "$ev: perf $p, vmlab $v (2M = $((2 * M)))"
  python3 -c "import sys; p, v, m = int('$p'), int('$v'), $M; sys.exit(0 if p >= 2*m and v >= 2*m and abs(p - v) <= 20 + p // 200 else 1)" ||
    fail "$ev: perf stat counts $p, vmlab trace $v (2M = $((2 * M)))"
done

# the counts micro records of its own timed repetitions are exact
expect 0 "$VMLAB" micro null_syscall page_fault --ops 5000 --repetitions 3 --json --trace syscalls:sys_enter_getppid,page-faults
python3 - "$T/out" <<'PY' || fail "micro --trace counts: $(cat "$T/out")"
import json, sys
rs = {r["benchmark"]: r for r in map(json.loads, open(sys.argv[1]))}
assert rs["null_syscall"]["counts"]["syscalls:sys_enter_getppid"] == {"count": 5000, "per_op": 1}, rs
assert rs["page_fault"]["counts"]["page-faults"] == {"count": 5000, "per_op": 1}, rs
assert rs["page_fault"]["counts"]["syscalls:sys_enter_getppid"]["count"] == 0, rs
PY
finish
