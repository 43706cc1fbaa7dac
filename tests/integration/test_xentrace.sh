#!/usr/bin/env bash
# vmlab xentrace without Xen: damaged traces (empty, truncated, a corrupt
# header, a record crossing its window) and bad meta files are refused with
# the byte offset (or FILE:LINE:COL), exit status 2 and nothing on stdout;
# usage errors of record exit 2 before anything runs; the real trace
# fixture from the testbed summarizes with the meta file's frequency.
. "$(dirname "$0")/../lib.sh"
fx=$SRC_DIR/tests/unit/data/xentrace_hvm_cpuid.bin

# bad FILE PATTERN: summary refuses FILE with a message matching PATTERN
bad() {
	expect 2 "$VMLAB" xentrace summary "$1" || return
	contains "$T/err" "$2"
	[ -s "$T/out" ] && fail "summary of a bad file printed on stdout: $(head -2 "$T/out")"
	expect 2 "$VMLAB" xentrace summary --json "$1" && [ -s "$T/out" ] && fail "--json printed on a bad file"
	return 0
}

: >"$T/empty.bin"
bad "$T/empty.bin" "^vmlab xentrace summary: $T/empty.bin: byte offset 0: empty file"
printf 'not a trace at all' >"$T/text.bin"
bad "$T/text.bin" "byte offset 0: not a CPU-change record \(header 0x20746f6e"
expect 2 "$VMLAB" xentrace summary "$T/missing.bin"
contains "$T/err" "missing.bin: No such file"

if [ -f "$fx" ]; then
	size=$(stat -c %s "$fx")
	head -c $((size - 6)) "$fx" >"$T/cut.bin"
	bad "$T/cut.bin" "byte offset [0-9]+: truncated: CPU [0-9]+'s window of [0-9]+ bytes ends at byte offset $((size)), past the end of the file \($((size - 6)) bytes\)"
	head -c 7 "$fx" >"$T/cut7.bin"
	bad "$T/cut7.bin" "byte offset 0: truncated: 7 bytes of a 12-byte CPU-change record"
	# the first window's size one word too large: its last record runs into the next header
	cp "$fx" "$T/corrupt.bin"
	ws=$(od -An -tu4 -j8 -N4 "$fx" | tr -d ' ')
	python3 - "$T/corrupt.bin" "$ws" <<'PY'
import struct, sys
p, ws = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[12 + ws] ^= 0xff
open(p, "wb").write(b)
PY
	bad "$T/corrupt.bin" "byte offset $((12 + ws)): not a CPU-change record"
	expect 0 "$VMLAB" xentrace summary "$fx"
	contains "$T/out" "at 2\.[0-9]+ GHz; lost 0 records"
	contains "$T/out" "^    VMEXIT_CPUID +[0-9]+ "
	expect 0 "$VMLAB" xentrace summary --json --cpu-hz 1G "$fx"
	contains "$T/out" '^\{"cpu_hz":1000000000,"records":[0-9]+,"lost":0,.*"domains":\[\{"domid":'
	# a damaged meta file is bad input too
	cp "$fx" "$T/m.bin"
	printf '{"cpu_hz": 2.6e9,\n "mask": }\n' >"$T/m.bin.meta"
	bad "$T/m.bin" "m.bin.meta:2:10: "
else
	fail "the fixture $fx is missing"
fi

expect 2 "$VMLAB" xentrace summary
expect 2 "$VMLAB" xentrace summary --cpu-hz fast "$T/empty.bin"
contains "$T/err" "'fast': not a frequency"
expect 2 "$VMLAB" xentrace summary --exit-names arm "$T/empty.bin"
expect 2 "$VMLAB" xentrace record -o "$T/r.bin"
contains "$T/err" "no command"
expect 2 "$VMLAB" xentrace record -e hvm,bogus -o "$T/r.bin" -- true
contains "$T/err" "--events 'bogus': not an event class"
expect 2 "$VMLAB" xentrace record --domain g1 -o "$T/r.bin" -- true
contains "$T/err" "--domain needs --host testbed"
expect 2 "$VMLAB" xentrace record --host elsewhere -o "$T/r.bin" -- true
[ -e "$T/r.bin" ] || [ -e "$T/r.bin.meta" ] && fail "a refused record wrote files"
expect 2 "$VMLAB" xentrace frobnicate
finish
