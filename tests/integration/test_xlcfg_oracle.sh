#!/usr/bin/env bash
# Differential test of the xl.cfg engine against Xen's libxlutil: for every
# config of the corpus (tests/xlcfg-corpus/ and /etc/xen/xlexample.*) both
# must accept or reject it alike, and for every word of the file that could
# be a key, xlu_cfg_get_string/get_long/get_list must agree with vmlab's
# getters. Corpus files named ok-* must be accepted, bad-* rejected. Then the
# same over XLCFG_RANDOM (default 400) generated files, seed XLCFG_SEED.
. "$(dirname "$0")/../lib.sh"

B=$(dirname "$VMLAB")/tests/oracle
ORACLE=$B/xlu_oracle PROBE=$B/xlcfg_probe
[ -x "$PROBE" ] || fail "missing $PROBE"
[ -x "$ORACLE" ] || skip "xlu_oracle not built (libxlutil / libxen-dev missing)"

files=("$SRC_DIR"/tests/xlcfg-corpus/*.cfg)
for f in /etc/xen/xlexample.*; do [ -f "$f" ] && files+=("$f"); done
ncurated=${#files[@]}
nrandom=${XLCFG_RANDOM:-400} seed=${XLCFG_SEED:-1}
mkdir "$T/random"
if [ "$nrandom" -gt 0 ] && command -v python3 >/dev/null; then
  python3 "$SRC_DIR/tests/oracle/random_configs.py" "$seed" "$nrandom" "$T/random" || fail "generator failed"
  files+=("$T"/random/*.cfg)
fi
nabort=0 nconf=0 naccept=0 nreject=0 nkeys=0 ncmp=0
for f in "${files[@]}"; do
  nconf=$((nconf + 1))
  mapfile -t keys < <(grep -aoE '[a-z][._0-9a-z]*' "$f" | sort -u)
  rc=0; ( "$ORACLE" "$f" "${keys[@]}" >"$T/o" 2>"$T/oe"; exit $? ) 2>/dev/null || rc=$?
  if [ $rc = 134 ]; then
    # libxlutil asserts on a NUL inside a quoted string; vmlab rejects it
    echo "parse error" >"$T/o"; nabort=$((nabort + 1))
  elif [ $rc != 0 ]; then
    fail "$f: xlu_oracle exited $rc"
  fi
  "$PROBE" "$f" "${keys[@]}" >"$T/p" 2>"$T/pe" || fail "$f: xlcfg_probe exited $?"
  if ! cmp -s "$T/o" "$T/p"; then
    fail "$f: libxlutil and vmlab differ"
    diff "$T/o" "$T/p" | head -10 | sed 's/^/  /' >&2
  fi
  verdict=$(head -1 "$T/o")
  case "$verdict" in
    "parse ok") naccept=$((naccept + 1)) ;;
    *) nreject=$((nreject + 1)) ;;
  esac
  case $(basename "$f") in
    ok-*) [ "$verdict" = "parse ok" ] || fail "$f: libxlutil rejects an ok-* case" ;;
    bad-*) [ "$verdict" = "parse error" ] || fail "$f: libxlutil accepts a bad-* case" ;;
  esac
  if [ "$verdict" = "parse ok" ]; then
    nkeys=$((nkeys + ${#keys[@]}))
    ncmp=$((ncmp + 3 * ${#keys[@]}))
    # every file Xen accepts: set then del of new keys gives back its bytes;
    # an existing key set then deleted is gone and the file still parses
    cp "$f" "$T/rt.cfg"
    for k in zz.new zz.other_new; do
      "$VMLAB" cfg set "$T/rt.cfg" "$k=1" 2>/dev/null && "$VMLAB" cfg del "$T/rt.cfg" "$k" 2>/dev/null ||
        fail "$f: set/del of new key $k failed"
    done
    cmp -s "$f" "$T/rt.cfg" || fail "$f: set + del of new keys changed its bytes"
    for k in "${keys[@]}"; do
      "$VMLAB" cfg get "$T/rt.cfg" "$k" >/dev/null 2>&1 || continue
      "$VMLAB" cfg set "$T/rt.cfg" "$k=1" 2>/dev/null && "$VMLAB" cfg del "$T/rt.cfg" "$k" 2>/dev/null ||
        fail "$f: set/del of existing key $k failed"
      ! "$VMLAB" cfg get "$T/rt.cfg" "$k" >/dev/null 2>&1 || fail "$f: $k still set after del"
      [ "$(head -1 < <("$ORACLE" "$T/rt.cfg"))" = "parse ok" ] || fail "$f: libxlutil rejects it after del $k"
      break
    done
  fi
done
echo "corpus configs: $ncurated"
echo "random configs: $(ls "$T/random" | wc -l) (seed $seed)"
echo "configs: $nconf (accepted $naccept, rejected $nreject, libxlutil aborted on $nabort); keys compared: $nkeys; getter results compared: $ncmp"
[ "$ncurated" -ge 100 ] || fail "corpus too small: $ncurated"
finish
