#!/usr/bin/env bash
# vmlab probe: bad usage and bad addresses exit 2; a 1 s probe of 127.0.0.1
# at 1 ms has every request answered and no gap near 100 ms; the stop file
# and SIGTERM end it with its summary; the 16-bit sequence number wraps
# without losing a reply; Linux's ping socket serves without CAP_NET_RAW.
. "$(dirname "$0")/../lib.sh"

expect 2 "$VMLAB" probe && contains "$T/err" '^vmlab probe: name the address'
expect 2 "$VMLAB" probe 10.0.0 && contains "$T/err" '^vmlab probe: 10\.0\.0: not an IPv4 address$'
expect 2 "$VMLAB" probe ::1 && contains "$T/err" '^vmlab probe: ::1: not an IPv4 address$'
expect 2 "$VMLAB" probe 127.0.0.1 --interval 0 && contains "$T/err" -- '--interval 0: must be between'
expect 2 "$VMLAB" probe 127.0.0.1 --interval 2s && contains "$T/err" -- '--interval 2s: must be between'
expect 2 "$VMLAB" probe 127.0.0.1 --duration soon && contains "$T/err" -- '--duration'
expect 2 "$VMLAB" probe 127.0.0.1 127.0.0.2 && contains "$T/err" "unexpected argument '127\.0\.0\.2'"
expect 0 "$VMLAB" probe --help && contains "$T/out" '^usage: vmlab probe ADDR'

# num KEY: the number at KEY in $T/out's JSON line
num() { json_num "$T/out" "$1"; }
# le A B: A <= B as numbers
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

"$VMLAB" probe 127.0.0.1 --duration 10ms >"$T/out" 2>"$T/err"
if grep -q 'is permitted' "$T/err"; then
  [ "$nfail" = 0 ] || finish
  skip "neither raw ICMP nor ping sockets are permitted here: $(cat "$T/err")"
fi

# 1 s at 1 ms: 1000 requests (none skipped), all answered
expect 0 "$VMLAB" probe 127.0.0.1 --interval 1ms --duration 1s --json
contains "$T/out" '^\{"kind":"probe","addr":"127\.0\.0\.1","socket":"(raw|dgram)",'
[ "$(wc -l <"$T/out")" = 1 ] || fail "--json printed more than one line"
[ "$(num sent)" = 1000 ] || fail "sent $(num sent), wanted 1000"
[ "$(num received)" = "$(num sent)" ] || fail "received $(num received) of $(num sent)"
[ "$(num lost)" = 0 ] || fail "lost $(num lost)"
gap=$(num largest_gap_ms)
[ -n "$gap" ] && le "$gap" 100 || fail "largest gap $gap ms, wanted under 100"
le 0.99 "$(num duration_s)" && le "$(num duration_s)" 1.2 || fail "duration_s $(num duration_s)"
le "$(num rtt_median_ms)" "$(num rtt_max_ms)" || fail "rtt median above max"
contains "$T/out" '"truncated":false'

# the human summary
expect 0 "$VMLAB" probe 127.0.0.1 --interval 2ms --duration 200ms
contains "$T/out" '^probe 127\.0\.0\.1: 100 sent, 100 replies, largest gap [0-9.]+ ms at [0-9.]+ s \(0 lost in it\), rtt median [0-9.]+ ms p99 [0-9.]+ ms max [0-9.]+ ms'

# the stop file ends it (checked every 10 ms), and so does SIGTERM
"$VMLAB" probe 127.0.0.1 --stop-file "$T/stop" --json >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
touch "$T/stop"
st=0; timeout 5 tail --pid=$pid -f /dev/null || { kill -9 $pid; fail "the stop file did not end the probe"; }
wait $pid || st=$?
[ "$st" = 0 ] || fail "stopped by its file: exit $st"
le "$(num sent)" 1 && fail "stopped by its file after $(num sent) requests"
[ "$(num lost)" = 0 ] || fail "stopped by its file: lost $(num lost)"
rm -f "$T/stop"
"$VMLAB" probe 127.0.0.1 --json >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
kill -TERM $pid
st=0; timeout 5 tail --pid=$pid -f /dev/null || { kill -9 $pid; fail "SIGTERM did not end the probe"; }
wait $pid || st=$?
[ "$st" = 0 ] || fail "stopped by SIGTERM: exit $st"
contains "$T/out" '^\{"kind":"probe",'

# 7 s at 100 us: 70000 requests, past the 16-bit sequence's wrap at 65536;
# replies after it matched to the wrong request would all be lost
expect 0 "$VMLAB" probe 127.0.0.1 --interval 100us --duration 7s --json
[ "$(num sent)" = 70000 ] || fail "100us: sent $(num sent), wanted 70000"
le "$(num lost)" 700 || fail "100us: lost $(num lost) of 70000"

# without CAP_NET_RAW, in a network namespace of its own whose
# ping_group_range admits root: Linux's ping socket
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null &&
  unshare -n true 2>/dev/null; then
  expect 0 unshare -n sh -c 'ip link set lo up && echo "0 0" >/proc/sys/net/ipv4/ping_group_range &&
    exec setpriv --inh-caps=-net_raw --bounding-set=-net_raw "$0" probe 127.0.0.1 --duration 300ms --json' "$VMLAB"
  contains "$T/out" '"socket":"dgram"'
  [ "$(num received)" = 300 ] || fail "ping socket: received $(num received) of 300"
else
  echo "note: the ping socket fallback is not checked (needs root, unshare and setpriv)"
fi
finish
