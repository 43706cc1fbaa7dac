#!/usr/bin/env bash
# vmlab web load, run and search against `vmlab web serve` (real nginx, the
# application and BeSim) on loopback, with think times scaled down so each
# iteration takes about a second; then a dead server and one that stops
# mid-run.
. "$(dirname "$0")/../lib.sh"
command -v nginx >/dev/null || skip "nginx is not installed"

chmod 755 "$T"  # nginx workers run as an unprivileged user when started by root

# start the server side; a port taken between the check and the bind makes a
# component exit at start, so try again on other ports
serve=
trap '[ -n "$serve" ] && kill $serve 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for attempt in 1 2 3; do
  hp=$(free_port) sp=$(free_port) ap=$(free_port) bp=$(free_port)
  rm -rf "$T/srv"
  "$VMLAB" web serve --dir "$T/srv" --listen 127.0.0.1:$hp --tls-listen 127.0.0.1:$sp \
    --app-listen 127.0.0.1:$ap --besim-listen 127.0.0.1:$bp --sessions 8 --workers 1 \
    >"$T/serve.out" 2>&1 &
  serve=$!
  up=0
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$hp/support/home" 2>/dev/null && { up=1; break; }
    kill -0 $serve 2>/dev/null || break
    sleep 0.2
  done
  [ $up = 1 ] && break
  kill $serve 2>/dev/null; wait $serve 2>/dev/null
  echo "web serve attempt $attempt failed:" >&2; cat "$T/serve.out" >&2
done
[ $up = 1 ] || { fail "web serve did not start"; finish; }
urls=(--url "http://127.0.0.1:$hp" --tls-url "https://127.0.0.1:$sp")
short=(--rampup 200ms --warmup 200ms --run 1s --rampdown 0s --think-scale 0.002 --fileset-sessions 8 --min-pages 20)

# one iteration of each workload: pages, QoS pass, no errors
for w in banking ecommerce support; do
  expect 0 timeout 30 "$VMLAB" web load -w $w -n 4 "${urls[@]}" "${short[@]}" --json \
    --results "$T/res.jsonl" || continue
  contains "$T/out" "^\{\"kind\":\"web-load\",.*\"workload\":\"$w\""
  contains "$T/out" '"pass":true'
  contains "$T/out" '"errors":\{"connect":0,"read":0,"write":0,"timeout":0,"status":0,"status-line":0,"header":0,"header-too-large":0,"chunk":0,"truncated":0,"content":0\}'
  [ "$(json_num "$T/out" pages)" -gt 10 ] || fail "$w: too few pages"
done
[ "$(wc -l <"$T/res.jsonl")" = 3 ] || fail "results file has $(wc -l <"$T/res.jsonl") lines, want 3"
grep -q '"not_modified":[1-9]' "$T/res.jsonl" || fail "no If-Modified-Since answered 304"
grep -q '"downloads":[1-9]' "$T/res.jsonl" || fail "support made no downloads"

# text report
expect 0 timeout 30 "$VMLAB" web load -w support -n 2 "${urls[@]}" "${short[@]}"
contains "$T/out" '^support: 2 sessions, iteration 1, 1\.0s measured: PASS'
contains "$T/out" 'QoS: 100\.00% good'
contains "$T/out" '^  largest gap between responses: [0-9.]+ms, [0-9.]+s into the measured interval'

# test_gap_of_a_paused_server: nginx stopped (SIGSTOP) for 1.5 s mid-run and
# let go again, as a migrating server is: the load's largest gap between
# responses covers the pause, the per-second timeline shows where it was
ngx=$(for m in $(pgrep -f "nginx.*$T/srv"); do echo $m; pgrep -P $m; done | tr '\n' ' ')
[ -n "$ngx" ] || fail "no nginx of web serve found"
timeout 30 "$VMLAB" web load -w support -n 4 "${urls[@]}" --rampup 0s --warmup 0s --run 4s \
  --rampdown 0s --think-scale 0.002 --fileset-sessions 8 --json --timeline "$T/tl.jsonl" >"$T/pause.json" 2>&1 &
load=$!
sleep 1.2
p0=$(date +%s.%N)
kill -STOP $ngx
sleep 1.5
kill -CONT $ngx
p1=$(date +%s.%N)
wait $load || fail "load exit $? after the pause"
gap=$(sed -n 's/.*"largest_gap_ms":\([0-9.]*\).*/\1/p' "$T/pause.json")
at=$(sed -n 's/.*"largest_gap_at_s":\([0-9.]*\).*/\1/p' "$T/pause.json")
awk -v g="$gap" -v a="$at" 'BEGIN { exit !(g >= 1400 && g < 3000 && a >= 0.8 && a < 1.6) }' ||
  fail "largest gap $gap ms at $at s, want about 1500 ms from about 1.2 s: $(cat "$T/pause.json")"
[ "$(grep -c '^{"kind":"web-timeline","workload":"support","iteration":1,"sessions":4,"t_s":[0-9]' "$T/tl.jsonl")" = 5 ] ||
  fail "timeline: want 5 lines (0 to 4 s): $(cat "$T/tl.jsonl")"
grep -q '"t_s":0,.*"responses":[1-9]' "$T/tl.jsonl" || fail "timeline: no responses in second 0"
grep -q '"t_s":3,.*"responses":[1-9]' "$T/tl.jsonl" || fail "timeline: no responses after the pause"
# test_web_window: the pause's window cut out of the timeline: the gap across
# its seconds, fewer responses a second than before it
expect 0 "$VMLAB" web window "$T/tl.jsonl" --from "$p0" --to "$p1" --json --results "$T/win.jsonl" --env native
contains "$T/out" '^\{"kind":"web-window","time":"[^"]+","environment":"native","benchmark":"web-support-window",'
wgap=$(json_num "$T/out" value) wr=$(json_num "$T/out" responses_per_s) wb=$(json_num "$T/out" responses_per_s_before)
awk -v g="$wgap" -v r="$wr" -v b="$wb" 'BEGIN { exit !(g >= 1400 && g < 3000 && r < b) }' ||
  fail "window: gap $wgap ms, $wr responses/s against $wb before: $(cat "$T/out") $(cat "$T/tl.jsonl")"
cmp -s <(cat "$T/out") "$T/win.jsonl" || fail "--results holds another record than --json printed"
expect 0 "$VMLAB" web window "$T/tl.jsonl" --from "$p0" --to "$p1"
contains "$T/out" '^  largest gap between responses: [0-9.]+ ms from [0-9.]+$'
contains "$T/out" '^  pages [0-9]+: [0-9.]+% good, [0-9.]+% tolerable, 0 failed$'
# bad input: a broken line names its place; nothing is appended
sed '2s/"pages":[0-9]*/"pages":-1/' "$T/tl.jsonl" >"$T/bad.jsonl"
expect 2 "$VMLAB" web window "$T/bad.jsonl" --from "$p0" --to "$p1" --results "$T/win.jsonl"
contains "$T/err" 'bad\.jsonl:2: web-timeline: pages missing or out of range'
printf '{"kind":"web-timeline",\n' >"$T/torn.jsonl"
expect 2 "$VMLAB" web window "$T/torn.jsonl" --from "$p0" --to "$p1"
contains "$T/err" 'torn\.jsonl:1:'
[ "$(wc -l <"$T/win.jsonl")" = 1 ] || fail "a refused window appended a record"
expect 1 "$VMLAB" web window "$T/tl.jsonl" --from 1000 --to 1001
contains "$T/err" 'no line overlaps'
expect 2 "$VMLAB" web window "$T/tl.jsonl" --migration "$T/res.jsonl"
contains "$T/err" 'res\.jsonl: no migrate record'
expect 2 "$VMLAB" web window "$T/tl.jsonl" --migration "$T/res.jsonl" --from 1
# --migration: the window of the last migrate record (as vmlab migrate -o writes it)
printf '{"kind":"migrate","time":"2026-12-04T00:00:00Z","environment":"xen:pvh@b","label":"g","benchmark":"migrate","iteration":1,"status":"ok","wall_s":1.5,"value":12,"unit":"ms","better":"lower","start_s":%s,"end_s":%s}\n' \
  1000 1001 "$p0" "$p1" >"$T/mig.jsonl"
expect 0 "$VMLAB" web window "$T/tl.jsonl" --migration "$T/mig.jsonl" --json
[ "$(json_num "$T/out" value)" = "$wgap" ] || fail "--migration: gap $(json_num "$T/out" value), --from/--to $wgap"

# run: pass over 2 iterations
expect 0 timeout 30 "$VMLAB" web run -w ecommerce -n 3 -i 2 "${urls[@]}" "${short[@]}"
contains "$T/out" 'ecommerce: 3 sessions: PASS in 2 iterations'

# search: every count passes here, so the answer is the top of the range
expect 0 timeout 60 "$VMLAB" web search -w support --min 1 --max 4 -i 1 "${urls[@]}" "${short[@]}" \
  --results "$T/search.jsonl" --env native
# test_search_bound_is_said: the top of the range is a bound, not an answer
contains "$T/out" 'largest passing session count in \[1, 4\]: >= 4 \(bound: the largest count tried, --max, passed\)$'
contains "$T/search.jsonl" '^\{"kind":"web-search-result","environment":"native",("facts":\{[^}]*\},)?"benchmark":"web-support",.*"value":4,"unit":"sessions",.*"bound":"upper"'
expect 0 "$VMLAB" report "$T/search.jsonl" && contains "$T/out" '\| web-support \| native \| 1 \| >= 4 sessions \(bound\) \|'
contains "$T/out" '\| web-support-load @ 4 sessions \| native \| '
# test_search_step: --step 4 over [1, 8] tries 1 and 5, then stops: the answer with its interval
expect 0 timeout 60 "$VMLAB" web search -w support --min 1 --max 8 --step 4 -i 1 "${urls[@]}" "${short[@]}" \
  --results "$T/step.jsonl" --env native
contains "$T/out" 'largest passing session count in \[1, 8\]: 5 \(--step 4: the largest passing count is in \[5, 8\]\)$'
contains "$T/step.jsonl" '"kind":"web-search-result",.*"value":5,"unit":"sessions",.*"step":4,"answer_upper":8,'
[ "$(grep -c '"kind":"web-search",' "$T/step.jsonl")" = 3 ] || fail "--step 4: wanted 3 trials (1, 5, 5 again)"
expect 0 "$VMLAB" report "$T/step.jsonl" && contains "$T/out" '\| web-support \| native \| 1 \| 5 sessions \(in \[5, 8\]\) \|'

# bad usage
expect 2 "$VMLAB" web load -n 2 && contains "$T/err" 'workload'
expect 2 "$VMLAB" web load -w nosuch -n 2 && contains "$T/err" 'unknown workload'
expect 2 "$VMLAB" web run -w banking && contains "$T/err" 'sessions'
expect 2 "$VMLAB" web search -w banking --min 5 --max 2
expect 2 "$VMLAB" web load -w banking -n 2 --url https://x:1

# test_load_stopped_by_signal: SIGINT ends a 60 s iteration at once; its record says so and
# counts the interval it measured; its timeline ends there; a run or search stopped so exits 130
timeout 30 "$VMLAB" web load -w support -n 2 "${urls[@]}" --rampup 0s --warmup 0s --run 60s --rampdown 0s \
  --think-scale 0.002 --fileset-sessions 8 --json --timeline "$T/stop.tl" >"$T/stop.json" 2>&1 &
load=$!
sleep 1.5
kill -INT $load
t0=$SECONDS
wait $load || fail "a load stopped by SIGINT exited $?"
[ $((SECONDS - t0)) -le 3 ] || fail "the stopped load took $((SECONDS - t0)) s to end"
contains "$T/stop.json" '"stopped":true'
awk -v r="$(json_num "$T/stop.json" run_s)" 'BEGIN { exit !(r > 0.8 && r < 5) }' ||
  fail "run_s $(json_num "$T/stop.json" run_s) of a load stopped after 1.5 s"
[ "$(wc -l <"$T/stop.tl")" -le 4 ] || fail "the timeline of a stopped load runs on: $(wc -l <"$T/stop.tl") lines"
grep -q '"t_s":0,.*"responses":[1-9]' "$T/stop.tl" || fail "the timeline of a stopped load lost its responses: $(cat "$T/stop.tl")"
timeout 30 "$VMLAB" web run -w support -n 2 -i 3 "${urls[@]}" "${short[@]}" --run 60s >"$T/stop.out" 2>"$T/stop.err" &
load=$!
sleep 1
kill -INT $load
st=0; wait $load || st=$?
[ $st = 130 ] || fail "web run stopped by SIGINT: exit $st, want 130: $(cat "$T/stop.err")"
contains "$T/stop.err" 'stopped by a signal: the iteration so far is recorded'
contains "$T/stop.out" 'measured \(stopped early by a signal\): '

# a dead server: the run fails QoS with connect errors, on time
dead=$(free_port)
expect 1 timeout 30 "$VMLAB" web run -w support -n 2 -i 1 --url "http://127.0.0.1:$dead" \
  --tls-url "https://127.0.0.1:$dead" "${short[@]}" --json
contains "$T/out" '"pass":false'
[ "$(json_num "$T/out" connect)" -gt 0 ] || fail "no connect errors against a dead server"
# test_search_bound_is_said: a lowest count that fails is "< LOW", recorded as a lower bound
expect 1 timeout 30 "$VMLAB" web search -w support --min 2 --max 4 -i 1 --url "http://127.0.0.1:$dead" \
  --tls-url "https://127.0.0.1:$dead" "${short[@]}" --results "$T/dead.jsonl"
contains "$T/out" 'largest passing session count in \[2, 4\]: < 2 \(bound: the smallest count tried, --min, failed\)$'
contains "$T/dead.jsonl" '"kind":"web-search-result",.*"status":"ok","value":2,.*"bound":"lower"'
expect 0 "$VMLAB" report "$T/dead.jsonl" && contains "$T/out" '\| web-support \| native \| 1 \| < 2 sessions \(bound\) \|'

# test_web_beside_foreign_vm: a load beside a VM it did not start (a testbed
# left up) warns and records it in its records' facts
mkdir -p "$T/fakeqemu" && cp "$(command -v sleep)" "$T/fakeqemu/qemu-system-x86_64"
"$T/fakeqemu/qemu-system-x86_64" 60 &
qpid=$!
expect 1 timeout 30 "$VMLAB" web search -w support --min 2 --max 4 -i 1 --url "http://127.0.0.1:$dead" \
  --tls-url "https://127.0.0.1:$dead" "${short[@]}" --results "$T/beside.jsonl"
kill $qpid; wait $qpid 2>/dev/null
contains "$T/err" "warning: this machine runs virtual machines this load did not start \\(.*qemu-system-x86_64 pid $qpid"
contains "$T/beside.jsonl" "\"kind\":\"web-search\",.*\"facts\":\\{\"concurrent\":\"([^\"]*, )?qemu-system-x86_64 pid $qpid"
contains "$T/beside.jsonl" "\"kind\":\"web-search-result\",.*\"facts\":\\{\"concurrent\":\"([^\"]*, )?qemu-system-x86_64 pid $qpid"
grep -q "pid $qpid" "$T/dead.jsonl" && fail "a load before the VM started recorded it"

# the server stops mid-run: the iteration ends at its deadline, errors counted
timeout 30 "$VMLAB" web load -w support -n 4 "${urls[@]}" --rampup 0s --warmup 0s --run 3s \
  --rampdown 0s --think-scale 0.002 --fileset-sessions 8 --json >"$T/die.json" 2>&1 &
load=$!
sleep 1
"$VMLAB" web serve --stop "$T/srv" >/dev/null 2>&1 || fail "web serve --stop"
wait $load || fail "load exit $? after the server stopped"
[ "$(json_num "$T/die.json" pages)" -gt 0 ] || fail "pages before the stop lost"
contains "$T/die.json" '"pass":false'
finish
