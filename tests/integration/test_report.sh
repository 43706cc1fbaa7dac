#!/usr/bin/env bash
# vmlab report: Markdown, CSV, JSON and HTML from a fixture results file, with
# the numbers checked; malformed lines fail with FILE:LINE unless --skip-bad.
. "$(dirname "$0")/../lib.sh"
F=$SRC_DIR/tests/fixtures/results/task2.jsonl

# CSV: median, min, max, 95% interval, n and slowdown per benchmark and environment
expect 0 "$VMLAB" report --format csv "$F"
contains "$T/out" '^benchmark,kind,environment,label,unit,better,n,failed,median,min,max,ci_lo,ci_hi,baseline,slowdown,slowdown_lo,slowdown_hi,sessions,bound$'
contains "$T/out" '^flow,cpu,native,native,s,lower,3,0,1,0\.9,1\.1,0\.9,1\.1,native,1,,,,$'
contains "$T/out" '^flow,cpu,testbed:pv,testbed \(emulated hardware\),s,lower,3,0,2,1\.8,2\.2,1\.8,2\.2,native,2,1\.63636,2\.44444,,$'
contains "$T/out" '^stencil,cpu,testbed:pv,testbed \(emulated hardware\),s,lower,3,1,0\.6,0\.6,0\.6,0\.6,0\.6,native,1\.2,1\.2,1\.2,,$'
contains "$T/out" '^null_syscall,micro,testbed:pv,testbed \(emulated hardware\),ns/op,lower,3,0,500,490,510,490,510,native,10,'
[ "$(wc -l <"$T/out")" = 7 ] || fail "csv: wanted 7 lines, got $(wc -l <"$T/out")"

# Markdown: geometric mean (2 x 1.2 x 10)^(1/3) = 2.884, strongest slowdown of an application
expect 0 "$VMLAB" report "$F"
contains "$T/out" '^# vmlab report: task2$'
contains "$T/out" '19 records: 18 ok, 1 failed'
contains "$T/out" '^\| testbed:pv \| native \| 2\.884x \| 3 \| null_syscall \(10\.000x\) \|$'
contains "$T/out" '\*\*Strongest slowdown among the CPU kernels:\*\* flow on testbed:pv, 2\.000x \[1\.636, 2\.444\] of native'
contains "$T/out" '\*\*Strongest slowdown among the microbenchmarks:\*\* null_syscall on testbed:pv, 10\.000x'
contains "$T/out" '^\| flow \| testbed:pv \| 3 \| 2 s \| 1\.8 s \| 2\.2 s \| 1\.8 \.\. 2\.2 \| 2\.000x \[1\.636, 2\.444\] \| native \| 0 \|$'
contains "$T/out" 'checksum 0xdeadbeef, expected 0x1234abcd'
contains "$T/out" 'testbed \(emulated hardware\)'

# JSON: valid, with the same numbers
expect 0 "$VMLAB" report --format json "$F"
python3 - "$T/out" <<'PY' || fail "json report numbers"
import json, sys, math
r = json.load(open(sys.argv[1]))
assert r["baseline"] == "native" and r["failed"] == 1 and r["ok"] == 18
envs = {e["name"]: e for e in r["environments"]}
assert abs(envs["testbed:pv"]["geomean_slowdown"] - 24 ** (1 / 3)) < 1e-9
assert envs["testbed:pv"]["emulated"] and not envs["native"]["emulated"]
assert envs["testbed:pv"]["facts"]["xen_version"] == "4.17.5"
rows = {(x["benchmark"], x["environment"]): x for x in r["results"]}
f = rows[("flow", "testbed:pv")]
assert f["median"] == 2 and f["n"] == 3 and f["slowdown"] == 2
assert 1.6 < f["slowdown_lo"] < 2 < f["slowdown_hi"] < 2.5
assert r["strongest"] == {"benchmark": "flow", "environment": "testbed:pv", "baseline": "native", "slowdown": 2, "set": "CPU kernels"}
assert r["strongest_micro"]["benchmark"] == "null_syscall" and r["strongest_micro"]["slowdown"] == 10
assert f["baseline"] == "native" and rows[("flow", "native")]["baseline"] is None
PY

# --baseline and -o with the format from the file name
expect 0 "$VMLAB" report "$F" --baseline testbed:pv --format csv
contains "$T/out" '^flow,cpu,native,native,s,lower,3,0,1,0\.9,1\.1,0\.9,1\.1,testbed:pv,0\.5,'
expect 2 "$VMLAB" report "$F" --baseline testbed:hvm
contains "$T/err" "baseline 'testbed:hvm': no records"
expect 0 "$VMLAB" report "$F" -o "$T/r.html"
[ -s "$T/out" ] && fail "-o: standard output should be empty"
H=$T/r.html
contains "$H" '^<!DOCTYPE html>'
contains "$H" '<svg xmlns="http://www.w3.org/2000/svg"'
contains "$H" 'testbed:pv <span class="emu">\(emulated hardware\)</span>'
contains "$H" '2\.000&times; \[1\.636, 2\.444\]'
# test_strongest_names_its_set: the CPU kernels' and the microbenchmarks' strongest apart
contains "$H" 'Strongest slowdown among the CPU kernels: <b>flow</b> on <b>testbed:pv</b>'
contains "$H" 'Strongest slowdown among the microbenchmarks: <b>null_syscall</b> on <b>testbed:pv</b>, 10\.000&times;'
# self-contained: no external resources
grep -Eq '(src|href)=|url\(|@import' "$H" && fail "html refers to external resources"
# bars: one per environment and benchmark (6), the geometric-mean chart (1),
# and a slowdown chart per benchmark (3)
[ "$(grep -c '<rect ' "$H")" = 10 ] || fail "html: wanted 10 bars, got $(grep -c '<rect ' "$H")"

# testbed:bare is the default baseline when every environment is a testbed one
sed -e 's/"environment":"native","label":"native"/"environment":"testbed:bare","label":"testbed (emulated hardware)"/' "$F" >"$T/tb.jsonl"
expect 0 "$VMLAB" report --format csv "$T/tb.jsonl"
contains "$T/out" '^flow,cpu,testbed:pv,.*,testbed:bare,2,'

# native and testbed:bare both present: testbed guests against testbed:bare
# (the same emulated machine), testbed:bare and the rest against native
python3 - "$F" >"$T/split.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(json.dumps(r))
    if r["environment"] == "native":
        r["environment"] = "testbed:bare"; r["label"] = "testbed (emulated hardware)"
        r["value"] = r["value"] * 1.5
        print(json.dumps(r))
PY
expect 0 "$VMLAB" report --format csv "$T/split.jsonl"
contains "$T/out" '^flow,cpu,testbed:bare,.*,native,1\.5,'
contains "$T/out" '^flow,cpu,testbed:pv,.*,testbed:bare,1\.33333,'
contains "$T/out" '^null_syscall,micro,testbed:pv,.*,testbed:bare,6\.66667,'
expect 0 "$VMLAB" report "$T/split.jsonl"
contains "$T/out" 'against \*\*testbed:bare\*\* for the testbed guests'
contains "$T/out" '^\| testbed:pv \| testbed:bare \| '
# the strongest slowdown is a guest's, never the emulation's (testbed:bare vs native)
contains "$T/out" '\*\*Strongest slowdown among the CPU kernels:\*\* flow on testbed:pv, 1\.333x .* of testbed:bare'

# malformed lines: FILE:LINE, exit 2, unless --skip-bad
{ head -3 "$F"; echo '{"environment":"native",'; tail -n +4 "$F"; } >"$T/bad.jsonl"
expect 2 "$VMLAB" report "$T/bad.jsonl"
contains "$T/err" "bad\.jsonl:4:[0-9]+: "
{ head -2 "$F"; echo '{"environment":"native","benchmark":"flow","status":"ok"}'; } >"$T/bad2.jsonl"
expect 2 "$VMLAB" report "$T/bad2.jsonl"
contains "$T/err" 'bad2\.jsonl:3: record lacks an integer "iteration"'
expect 0 "$VMLAB" report --skip-bad --format csv "$T/bad.jsonl"
contains "$T/err" 'bad\.jsonl:4:'
contains "$T/err" 'skipped 1 malformed line'
contains "$T/out" '^flow,cpu,testbed:pv,testbed \(emulated hardware\),s,lower,3,0,2,'
# test_string_value_is_an_error: a string where a number belongs is FILE:LINE, exit 2
FX=$SRC_DIR/tests/fixtures/results
expect 2 "$VMLAB" report "$FX/string_value.jsonl" -o "$T/sv.md"
contains "$T/err" 'string_value\.jsonl:2: "value" must be a number'
[ -e "$T/sv.md" ] && fail "string value: a report was written"
# test_negative_time_is_an_error
expect 2 "$VMLAB" report "$FX/negative_time.jsonl"
contains "$T/err" 'negative_time\.jsonl:3: "value" is a negative time'
echo '{"environment":"native","benchmark":"flow","status":"ok","iteration":1,"wall_s":-1}' >"$T/negwall.jsonl"
expect 2 "$VMLAB" report "$T/negwall.jsonl"
contains "$T/err" 'negwall\.jsonl:1: "wall_s" is a negative time'
# test_mixed_units_not_merged: one row per unit and direction, a warning naming the lines
expect 0 "$VMLAB" report --format csv "$FX/mixed_units.jsonl"
contains "$T/out" '^flow,cpu,native,native,s,lower,2,0,4\.5,2,7,'
contains "$T/out" '^flow,cpu,native,native,ops/s,higher,1,0,5000,5000,5000,'
contains "$T/out" '^spin,cpu,native,native,s,lower,1,0,3,'
contains "$T/out" '^spin,cpu,native,native,s,higher,1,0,4,'
contains "$T/err" "warning: benchmark 'flow' is recorded in different units or directions.*s, lower is better \([^)]*mixed_units\.jsonl:1, [^)]*mixed_units\.jsonl:2\); ops/s, higher is better \([^)]*mixed_units\.jsonl:3\)"
contains "$T/err" "warning: benchmark 'spin' .*mixed_units\.jsonl:4.*mixed_units\.jsonl:5"
expect 0 "$VMLAB" report "$FX/mixed_units.jsonl"
contains "$T/out" '^\| flow \[s, lower\] \| native \| 2 \| 4\.5 s \|'
contains "$T/out" '^\| flow \[ops/s, higher\] \| native \| 1 \| 5000 ops/s \|'
# test_nonfinite_ok_names_its_reason: status ok without a finite value is not a failure reading "ok"
expect 0 "$VMLAB" report "$FX/nonfinite_ok.jsonl"
contains "$T/out" '^\| flow \| native \| 1 \| status "ok" but no finite value \([^)]*nonfinite_ok\.jsonl:2\) \|$'
grep -q '| ok |$' "$T/out" && fail "nonfinite ok: the error reads ok"

# test_search_bound_not_an_answer: a search answer at its range's end reads as a bound
expect 0 "$VMLAB" report "$FX/task4_search.jsonl"
contains "$T/out" '^\| web-banking \| native \| 1 \| >= 1000 sessions \(bound\) \|.*\| - \| - \| 0 \|$'
contains "$T/out" '^\| web-banking \| testbed:hvm \| 1 \| < 10 sessions \(bound\) \|'
contains "$T/out" '^\| web-support \| testbed:hvm \| 1 \| 300 sessions \|.*\| 2\.000x '
expect 0 "$VMLAB" report --format json "$FX/task4_search.jsonl"
python3 - "$T/out" <<'PY2' || fail "json report: bound and sessions"
import json, sys
r = json.load(open(sys.argv[1]))
rows = {(x["row"], x["environment"]): x for x in r["results"]}
assert rows[("web-banking", "native")]["bound"] == "upper"
assert rows[("web-banking", "native")]["slowdown"] is None
assert rows[("web-banking-load @ 1000 sessions", "native")]["sessions"] == 1000
PY2
# test_load_rows_per_session_count: no median over runs at different session counts
expect 0 "$VMLAB" report --format csv "$FX/task4_search.jsonl"
contains "$T/out" '^web-banking-load,web-search,native,loopback,pages/s,higher,1,0,142\.6,.*,10,$'
contains "$T/out" '^web-banking-load,web-search,native,loopback,pages/s,higher,2,0,1100,1098,1102,.*,1000,$'
contains "$T/out" '^web-banking,web-search-result,native,.*,upper$'
grep -q '^web-banking-load,web-search,native,loopback,pages/s,higher,4,' "$T/out" && fail "load records of different session counts merged"

# test_unsupported_micro_shown_not_supported: a micro the environment cannot run
# shows as <not supported> with its reason (as perf prints it), never as a
# number or a failure, and is never dropped
R='"experiment":"u","kind":"micro","size":"test","unit":"ns/op","better":"lower"'
{
	echo "{$R,\"environment\":\"native\",\"benchmark\":\"cpuid\",\"iteration\":1,\"value\":30,\"status\":\"ok\"}"
	echo "{$R,\"environment\":\"native\",\"benchmark\":\"cpuid\",\"iteration\":2,\"value\":32,\"status\":\"ok\"}"
	echo "{$R,\"environment\":\"testbed:hvm\",\"benchmark\":\"cpuid\",\"iteration\":1,\"status\":\"unsupported\",\"error\":\"no CPUID faulting here\"}"
	echo "{$R,\"environment\":\"testbed:hvm\",\"benchmark\":\"cpuid\",\"iteration\":2,\"status\":\"unsupported\",\"error\":\"no CPUID faulting here\"}"
} >"$T/unsup.jsonl"
expect 0 "$VMLAB" report "$T/unsup.jsonl"
contains "$T/out" '4 records: 2 ok, 0 failed, 2 not supported\.'
contains "$T/out" '^\| cpuid \| testbed:hvm \| 0 \| <not supported> \| - \| - \| - \| - \| native \| 0 \|$'
contains "$T/out" '^\| cpuid \| testbed:hvm \| 2 \| <not supported>: no CPUID faulting here \|$'
grep -q 'Failed runs' "$T/out" && fail "unsupported records reported as failed runs"
expect 0 "$VMLAB" report --format html "$T/unsup.jsonl"
contains "$T/out" '<td class="num">&lt;not supported&gt;</td>'
contains "$T/out" '&lt;not supported&gt;: no CPUID faulting here'
grep -q '<not supported>' "$T/out" && fail "html: <not supported> left unescaped"
# test_html_median_escaped: a bound answer's "< MIN" is escaped in the HTML table
expect 0 "$VMLAB" report --format html "$FX/task4_search.jsonl"
contains "$T/out" '<td class="num">&lt; 10 sessions \(bound\)</td>'
contains "$T/out" '<td class="num">&gt;= 1000 sessions \(bound\)</td>'
expect 0 "$VMLAB" report --format json "$T/unsup.jsonl"
contains "$T/out" '"unsupported":2,"unsupported_reason":"no CPUID faulting here"'

expect 2 "$VMLAB" report "$T/missing.jsonl"
expect 2 "$VMLAB" report --format pdf "$F"
: >"$T/empty.jsonl"
expect 2 "$VMLAB" report "$T/empty.jsonl"
contains "$T/err" 'no records'
# test_failed_runs_row_same_in_md_and_html: both renderers write one row per
# cell with failed runs: benchmark, environment, count, first error.
expect 0 "$VMLAB" report "$F"
contains "$T/out" '^\| stencil \| testbed:pv \| 1 \| checksum 0xdeadbeef, expected 0x1234abcd \|$'
expect 0 "$VMLAB" report --format html "$F"
contains "$T/out" '<tr><td>stencil</td><td>testbed:pv</td><td class="num">1</td><td>checksum 0xdeadbeef, expected 0x1234abcd</td></tr>'
# test_report_xen_host_facts: per environment the Xen host (dom0's name and its back end), its CPUs and
# command line, and the guest's shape as xl read it back, in md, html and json
cat >"$T/xen.jsonl" <<'X'
{"experiment":"x","environment":"xen:pv@ssh:root@box","label":"Xen host","facts":{"hostname":"g1","kernel":"6.1","xen_version":"4.17.7","xen_scheduler":"credit2","virt_caps":"pv hvm hap","xen_cpus":"4","xen_cmdline":"sched=credit2 dom0_max_vcpus=1","guest_type":"pv","xen_host":"box0","host_kind":"ssh","shape":"vcpus=2 memory=128 cpus=1 cpus_soft=all weight=512 cap=150 pool=Pool-0"},"benchmark":"null_syscall","kind":"micro","size":"test","iteration":1,"value":500,"unit":"ns/op","better":"lower","status":"ok"}
X
expect 0 "$VMLAB" report "$T/xen.jsonl"
contains "$T/out" '^\| environment \| label \| host \| CPU \| kernel \| Xen \| scheduler \| virt_caps \| Xen CPUs \| Xen cmdline \| guest \| tsc_mode \| Xen host \| guest shape \| machine \|$'
contains "$T/out" '^\| xen:pv@ssh:root@box \| Xen host \| g1 \| - \| 6\.1 \| 4\.17\.7 \| credit2 \| pv hvm hap \| 4 \| sched=credit2 dom0_max_vcpus=1 \| pv \| - \| box0 \(ssh\) \| vcpus=2 memory=128 cpus=1 cpus_soft=all weight=512 cap=150 pool=Pool-0 \| - \|$'
expect 0 "$VMLAB" report --format html "$T/xen.jsonl"
contains "$T/out" '<th>Xen CPUs</th><th>Xen cmdline</th><th>guest</th><th>tsc_mode</th><th>Xen host</th><th>guest shape</th>'
contains "$T/out" '<td>4</td><td>sched=credit2 dom0_max_vcpus=1</td><td>pv</td><td>-</td><td>box0 \(ssh\)</td><td>vcpus=2 memory=128 cpus=1 cpus_soft=all weight=512 cap=150 pool=Pool-0</td>'
expect 0 "$VMLAB" report --format json "$T/xen.jsonl"
contains "$T/out" '"xen_cpus":"4","xen_cmdline":"sched=credit2 dom0_max_vcpus=1","guest_type":"pv","xen_host":"box0","shape":"vcpus=2 [^"]*","host_kind":"ssh"'
# test_report_migration: a migrate record (as vmlab migrate -o writes it) and the web-window record of
# its window (vmlab web window --migration) make one row of the live-migration section, with Clark et
# al.'s figures and the testbed's label; a migration without a window has dashes there
cat >"$T/mig.jsonl" <<'X'
{"kind":"migrate","time":"2026-12-03T19:17:00Z","environment":"xen:pvh@testbed:mb","label":"mg","benchmark":"migrate","iteration":1,"status":"ok","wall_s":577.8,"value":15110.4,"unit":"ms","better":"lower","metric_name":"downtime","source":"testbed:ma","target":"testbed:mb","memory_mib":128,"start_s":1796300000.25,"end_s":1796300578.5,"xl_status":0,"probe":null}
{"kind":"web-window","time":"2026-12-03T19:18:00Z","environment":"xen:pv@testbed","benchmark":"web-banking-window","iteration":1,"status":"ok","value":15342.5,"unit":"ms","better":"lower","sessions":3,"from_s":1796300000.25,"to_s":1796300578.5,"covered_from_s":1796300000,"covered_to_s":1796300579,"gap_at_s":1796300563.9,"responses":1200,"responses_per_s":2.07,"responses_per_s_before":4.5,"pages":300,"pages_good":270,"pages_tolerable":290,"pages_failed":4,"good_pct":90,"tolerable_pct":96.67,"errors":4}
{"kind":"migrate","time":"2026-12-03T19:40:00Z","environment":"xen:pvh@ssh:root@b","label":"web1","benchmark":"migrate","iteration":1,"status":"failed","wall_s":3.2,"value":null,"unit":"ms","better":"lower","source":"ssh:root@a","target":"ssh:root@b","memory_mib":512,"start_s":1796301000,"end_s":1796301003.2,"xl_status":1,"probe":null}
X
expect 0 "$VMLAB" report "$T/mig.jsonl"
contains "$T/out" '^## Live migration$'
contains "$T/out" '^\| mg \| testbed:ma -> testbed:mb \(testbed\) \| 128 MiB \| 577\.8 s \| 15110\.4 ms \| 15342\.5 ms \| 2\.1 \(46% of 4\.5 before\) \| 90\.0% / 96\.7% \|$'
contains "$T/out" '^\| web1 \| ssh:root@a -> ssh:root@b \| 512 MiB \| failed after 3\.2 s \| - \| - \| - \| - \|$'
contains "$T/out" 'Clark et al\. \(NSDI 2005\).*210 ms.*60 ms.*Rows marked \(testbed\) ran between vmlab testbeds'
expect 0 "$VMLAB" report --format html "$T/mig.jsonl"
contains "$T/out" '<h2>Live migration</h2>'
contains "$T/out" '<tr><td>mg</td><td>testbed:ma -&gt; testbed:mb \(testbed\)</td><td>128 MiB</td><td>577\.8 s</td><td>15110\.4 ms</td><td>15342\.5 ms</td>'
expect 0 "$VMLAB" report "$F"
grep -q 'Live migration' "$T/out" && fail "a report without migrations has the section"
finish
