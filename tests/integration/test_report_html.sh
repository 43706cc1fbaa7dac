#!/usr/bin/env bash
# vmlab report's HTML page in headless Chromium: no SVG text outside its
# chart (long environment names, long bar texts) and axis ticks in a reader's
# units (us/op, M ops/s), never "1.607e+04".
. "$(dirname "$0")/../lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser) || skip "chromium is not installed"
F=$SRC_DIR/tests/fixtures/results/html_long_labels.jsonl

expect 0 "$VMLAB" report "$F" -o "$T/r.html" || finish
# the page itself is self-contained; the check runs from a copy with a script
# that writes what it found into the DOM
check='<script>var bad=[],ticks=[],texts=[];
for (const s of document.querySelectorAll("svg")) {
  const v = s.viewBox.baseVal;
  for (const t of s.querySelectorAll("text")) {
    const b = t.getBBox();
    texts.push(t.textContent);
    if (b.x < v.x - 0.5 || b.y < v.y - 0.5 || b.x + b.width > v.x + v.width + 0.5 ||
        b.y + b.height > v.y + v.height + 0.5)
      bad.push(t.textContent + " at " + [b.x, b.y, b.width, b.height].join(",") +
               " outside " + [v.x, v.y, v.width, v.height].join(","));
  }
  for (const t of s.querySelectorAll("text.tick")) ticks.push(t.textContent);
}
var p = document.createElement("pre"); p.id = "check";
p.textContent = "TEXTS " + texts.length + "\nCLIPPED " + bad.length + "\n" + bad.join("\n") +
  "\nTICKS " + ticks.join("|") + "\nEND";
document.body.appendChild(p);</script></body>'
CHECK=$check awk '{ sub(/<\/body>/, ENVIRON["CHECK"]) } 1' "$T/r.html" >"$T/c.html"
timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$T/profile" --dump-dom "file://$T/c.html" >"$T/dom" 2>"$T/chromium.err"
sed -n '/<pre id="check">/,/END<\/pre>/p' "$T/dom" | sed 's/.*<pre id="check">//' >"$T/check"
[ -s "$T/check" ] || { sed 's/^/  chromium: /' "$T/chromium.err" | tail -5 >&2; skip "chromium rendered nothing (see above)"; }

# test_html_labels_not_clipped: every text of every chart inside its viewBox
grep -Eq '^TEXTS [1-9][0-9]+' "$T/check" || fail "no chart texts measured"
grep -q '^CLIPPED 0$' "$T/check" ||
  fail "clipped SVG text: $(sed -n '/^CLIPPED/,/^TICKS/p' "$T/check" | grep -v '^TICKS')"
contains "$T/dom" '>3\.564x \[[0-9.]+, [0-9.]+\] vs testbed:bare<'
contains "$T/dom" '>[0-9.]+x vs testbed:bare \(5 benchmarks\)<'
# test_html_ticks_in_units: round ticks in us/op, M ops/s; no exponent anywhere
contains "$T/check" '^TICKS .*\|5 us/op\|10 us/op\|15 us/op\|'
contains "$T/check" '^TICKS .*\|1 M ops/s\|2 M ops/s\|'
grep '^TICKS' "$T/check" | grep -q 'e+' && fail "tick labels with an exponent: $(grep '^TICKS' "$T/check")"
grep -q 'e+0' "$T/r.html" && fail "the page prints numbers with an exponent"
finish
