#!/usr/bin/env bash
# vmlab cfg get/set/del/fmt/dump on real files: values, byte-identical round
# trips of the whole corpus, and bad input (exit 2, FILE:LINE:COL, file unchanged).
. "$(dirname "$0")/../lib.sh"

C=$SRC_DIR/tests/xlcfg-corpus
cat >"$T/a.cfg" <<'CFG'
# a test guest
name = "guest"   # the name
memory = 512
vcpus=2; maxvcpus=4
extra = 'console=hvc0'
extra += ' root=/dev/xvda1'
disk = [ 'phy:/dev/vg/a,xvda,w',
         # the data disk
         'phy:/dev/vg/b,xvdb,w', ]
bad = 08
CFG
cp "$T/a.cfg" "$T/a.orig"

# get
expect 0 "$VMLAB" cfg get "$T/a.cfg" name && [ "$(cat "$T/out")" = guest ] || fail "get name: $(cat "$T/out")"
expect 0 "$VMLAB" cfg get "$T/a.cfg" extra && [ "$(cat "$T/out")" = 'console=hvc0 root=/dev/xvda1' ] || fail "get extra"
expect 0 "$VMLAB" cfg get "$T/a.cfg" disk && [ "$(cat "$T/out")" = "[ 'phy:/dev/vg/a,xvda,w', 'phy:/dev/vg/b,xvdb,w' ]" ] || fail "get disk: $(cat "$T/out")"
expect 0 "$VMLAB" cfg get --json "$T/a.cfg" memory && [ "$(cat "$T/out")" = 512 ] || fail "get --json memory"
expect 1 "$VMLAB" cfg get "$T/a.cfg" nosuch && contains "$T/err" "nosuch' is not set"
expect 2 "$VMLAB" cfg get "$T/a.cfg"

# dump
expect 0 "$VMLAB" cfg dump --json "$T/a.cfg"
[ "$(cat "$T/out")" = '{"name":"guest","memory":512,"vcpus":2,"maxvcpus":4,"extra":"console=hvc0 root=/dev/xvda1","disk":["phy:/dev/vg/a,xvda,w","phy:/dev/vg/b,xvdb,w"],"bad":"08"}' ] ||
  fail "dump --json: $(cat "$T/out")"
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "dump is not JSON"
fi
expect 0 "$VMLAB" cfg dump "$T/a.cfg" && contains "$T/out" "^extra = 'console=hvc0 root=/dev/xvda1'$"
same "$T/a.cfg" "$T/a.orig"

# set: only the touched lines change, comments stay
expect 0 "$VMLAB" cfg set "$T/a.cfg" memory=1024 --string name=web1 extra="'quiet'" 'vif=[ "bridge=xenbr0" ]'
diff "$T/a.orig" "$T/a.cfg" >"$T/diff"
cat >"$T/want" <<'EOF2'
2,3c2,3
< name = "guest"   # the name
< memory = 512
---
> name = 'web1'   # the name
> memory = 1024
5,6c5
< extra = 'console=hvc0'
< extra += ' root=/dev/xvda1'
---
> extra = 'quiet'
10a10
> vif = [ "bridge=xenbr0" ]
EOF2
same "$T/diff" "$T/want"
expect 0 "$VMLAB" cfg get "$T/a.cfg" memory && [ "$(cat "$T/out")" = 1024 ] || fail "set memory"
expect 0 "$VMLAB" cfg get "$T/a.cfg" extra && [ "$(cat "$T/out")" = quiet ] || fail "set extra over a += chain"
expect 0 "$VMLAB" cfg get "$T/a.cfg" vif && [ "$(cat "$T/out")" = "[ 'bridge=xenbr0' ]" ] || fail "set vif"
contains "$T/a.cfg" '^         # the data disk$'
contains "$T/a.cfg" '^# a test guest$'
[ "$(tail -1 "$T/a.cfg")" = 'vif = [ "bridge=xenbr0" ]' ] || fail "new key not appended"

# set: bad arguments exit 2 and write nothing
cp "$T/a.cfg" "$T/a.before"
expect 2 "$VMLAB" cfg set "$T/a.cfg" memory=2048 name=abc && contains "$T/err" "argument 'name=abc'.*near \`abc'" && contains "$T/err" -- '--string'
expect 2 "$VMLAB" cfg set "$T/a.cfg" Memory=1
expect 2 "$VMLAB" cfg set "$T/a.cfg" memory
expect 2 "$VMLAB" cfg set "$T/a.cfg" 'memory=[1,'
expect 2 "$VMLAB" cfg set "$T/a.cfg" memory=-1 && contains "$T/err" 'value:1:1:'
expect 2 "$VMLAB" cfg set "$T/nonexistent.cfg" memory=1
same "$T/a.cfg" "$T/a.before"

# del
expect 0 "$VMLAB" cfg del "$T/a.cfg" maxvcpus bad
contains "$T/a.cfg" '^vcpus=2;$'
grep -q '^bad' "$T/a.cfg" && fail "bad not deleted"
expect 1 "$VMLAB" cfg del "$T/a.cfg" vcpus nosuch && contains "$T/err" "nosuch' is not set"
contains "$T/a.cfg" '^vcpus=2;$'
expect 2 "$VMLAB" cfg del "$T/a.cfg" 'No-Key'

# fmt
cp "$T/a.orig" "$T/f.cfg"
expect 1 "$VMLAB" cfg fmt --check "$T/f.cfg"
same "$T/f.cfg" "$T/a.orig"
expect 0 "$VMLAB" cfg fmt "$T/f.cfg"
cat >"$T/want" <<'EOF2'
# a test guest
name = "guest" # the name
memory = 512
vcpus = 2
maxvcpus = 4
extra = 'console=hvc0'
extra += ' root=/dev/xvda1'
disk = [
    'phy:/dev/vg/a,xvda,w',
    # the data disk
    'phy:/dev/vg/b,xvdb,w',
]
bad = 08
EOF2
same "$T/f.cfg" "$T/want"
expect 0 "$VMLAB" cfg fmt --check "$T/f.cfg"
"$VMLAB" cfg dump --json "$T/a.orig" >"$T/d1"; "$VMLAB" cfg dump --json "$T/f.cfg" >"$T/d2"
same "$T/d1" "$T/d2"

# every corpus file: accepted ones come back byte for byte after set and del
# of a new key, and fmt keeps their values; rejected ones
# fail with FILE:LINE:COL, exit 2, and stay unchanged
nok=0 nbad=0
for f in "$C"/*.cfg /etc/xen/xlexample.*; do
  [ -f "$f" ] || continue
  b=$(basename "$f"); cp "$f" "$T/c.cfg"
  case $b in
    bad-*)
      nbad=$((nbad + 1))
      expect 2 "$VMLAB" cfg set "$T/c.cfg" zz=1 && contains "$T/err" "c.cfg:[0-9]+:[0-9]+: "
      same "$T/c.cfg" "$f"
      expect 2 "$VMLAB" cfg fmt "$T/c.cfg"
      same "$T/c.cfg" "$f"
      ;;
    *)
      nok=$((nok + 1))
      expect 0 "$VMLAB" cfg dump --json "$T/c.cfg" && cp "$T/out" "$T/d1"
      # set + del of a new key gives back the original bytes, final newline or not
      expect 0 "$VMLAB" cfg set "$T/c.cfg" zz.roundtrip=1 && expect 0 "$VMLAB" cfg del "$T/c.cfg" zz.roundtrip
      same "$T/c.cfg" "$f"
      expect 0 "$VMLAB" cfg fmt "$T/c.cfg"
      expect 0 "$VMLAB" cfg dump --json "$T/c.cfg" && same "$T/out" "$T/d1"
      expect 0 "$VMLAB" cfg fmt --check "$T/c.cfg"
      ;;
  esac
done
echo "corpus: $nok accepted files round-tripped, $nbad rejected files left unchanged"
finish
