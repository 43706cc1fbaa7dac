#!/usr/bin/env bash
# Differential test of the disk spec parser: 5000 specs built from
# the grammar's pieces (deterministic), read by vmlab and by Xen's libxlutil
# (xlu_disk_parse), must give the same disks and the same rejections.
. "$(dirname "$0")/../lib.sh"
ORACLE=$(dirname "$VMLAB")/tests/oracle/xlu_spec_oracle
PROBE=$(dirname "$VMLAB")/tests/oracle/diskspec_probe
[ -x "$ORACLE" ] || skip "xlu_spec_oracle not built (libxlutil/libxenlight missing)"
[ -x "$PROBE" ] || skip "diskspec_probe not built"

awk 'BEGIN {
  n = split("/dev/vg/lv|phy:|raw:|qcow2:|tap:|tap2:|aio:|file:|nbd:|iscsi:|drbd:|foo:|xvda|hda|hdc|sdb|" \
    "xvda1|hdc:cdrom|hdc:disk|x:y|raw|qcow|qcow2|vhd|qed|empty|r|ro|w|rw||cdrom|devtype=cdrom|" \
    "devtype=disk|devtype=x|format=raw|format=qcow2|format=bad|access=r|access=rw|access=z|" \
    "vdev=xvdb|vdev=|target=/a,b|target=|script=block-x|backend=d1|backendtype=phy|" \
    "backendtype=qdisk|backendtype=no|specification=xen|specification=virtio|direct-io-safe|" \
    "discard|no-discard|colo|no-colo|colo-port=12|colo-port=x|colo-host=h|trusted|" \
    "grant_usage=1|foo=b|foo=|=| |:|a|/x y|cdromx|discard2| xvda|raw |,|:/", tok, "|")
  srand(4217)
  for (i = 0; i < 3000; i++) {
    k = int(rand() * 7); s = ""
    for (j = 0; j < k; j++) {
      t = tok[1 + int(rand() * n)]; s = s t
      if (t !~ /:$/ && rand() < 0.8) s = s ","
    }
    if (rand() < 0.3) sub(/,$/, "", s)
    print s
  }
  # mostly valid: [prefix]target,[format,]vdev[:type],access[,options]
  np = split("|phy:|file:|raw:|qcow2:|nbd:|tap:|aio:", pre, "|")
  nt = split("/dev/vg/lv|/srv/a.img|vg/lv||/x y|host:1", tgt, "|")
  nf = split("|raw|qcow2|vhd|qed|empty", fmt, "|")
  nv = split("xvda|hda|hdc|sdb|xvdz1|d0p1|xvdaa|hdc:cdrom|hdc:disk", vd, "|")
  na = split("|r|ro|w|rw", acc, "|")
  no = split("cdrom|devtype=disk|discard|no-discard|direct-io-safe|backendtype=qdisk|" \
    "backend=dom0|script=block-drbd|specification=xen|colo|colo-port=7|access=ro|format=raw", opt, "|")
  for (i = 0; i < 2000; i++) {
    p = pre[1 + int(rand() * np)]
    s = p tgt[1 + int(rand() * nt)] ","
    if (p == "" || rand() < 0.1) s = s fmt[1 + int(rand() * nf)] ","
    s = s vd[1 + int(rand() * nv)]
    if (rand() < 0.7) s = s "," acc[1 + int(rand() * na)]
    k = int(rand() * 3)
    for (j = 0; j < k; j++) s = s "," opt[1 + int(rand() * no)]
    if (rand() < 0.1) s = "vdev=xvdb," s
    print s
  }
}' >"$T/specs"
"$ORACLE" -disk <"$T/specs" >"$T/xen"
"$PROBE" <"$T/specs" >"$T/vmlab"
[ "$(wc -l <"$T/xen")" = 5000 ] || fail "oracle answered $(wc -l <"$T/xen") of 5000"
grep -q 'ERR$' "$T/xen" && grep -qv 'ERR$' "$T/xen" || fail "specs not varied enough"
if ! cmp -s "$T/xen" "$T/vmlab"; then
  fail "vmlab and libxlutil disagree:"
  diff "$T/xen" "$T/vmlab" | head -10 >&2
fi
finish
