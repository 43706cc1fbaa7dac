#!/usr/bin/env bash
# vmlab migrate refuses bad usage and unknown or absent hosts with exit 2
# before anything is tried; a host whose xl cannot answer is a failure to
# check (exit 1), never a migration. Migrations themselves run on two
# testbeds (tests/testbed/test_migrate_testbed.sh).
. "$(dirname "$0")/../lib.sh"

export VMLAB_HOME=$T/home
mkdir -p "$VMLAB_HOME"

expect 2 "$VMLAB" migrate && contains "$T/err" "name the guest"
expect 2 "$VMLAB" migrate g && contains "$T/err" "\-\-to HOST is required"
expect 2 "$VMLAB" migrate 'a;b' --to testbed && contains "$T/err" "'a;b': not a guest name"
expect 2 "$VMLAB" migrate --to testbed -- -x && contains "$T/err" "'-x': not a guest name"
expect 2 "$VMLAB" migrate g h --to testbed && contains "$T/err" "unexpected argument 'h'"
expect 2 "$VMLAB" migrate g --to testbed --interval 0 && contains "$T/err" "\-\-interval 0ns: must be between 100us and 1s"
expect 2 "$VMLAB" migrate g --to testbed --timeout 0 && contains "$T/err" "\-\-timeout 0"
expect 2 "$VMLAB" migrate g --to nowhere:x && contains "$T/err" "unknown kind of host"
expect 2 "$VMLAB" migrate g --from testbed:nb --to testbed && contains "$T/err" "no testbed named nb is up"
expect 2 "$VMLAB" migrate g --from local --to ssh:root@127.0.0.1:1 --connect-timeout 1 &&
	contains "$T/err" "unreachable"
if ! xl info >/dev/null 2>&1; then
	expect 1 "$VMLAB" migrate g --from local --to local && contains "$T/err" "could not check, nothing tried: local: xl"
fi
finish
