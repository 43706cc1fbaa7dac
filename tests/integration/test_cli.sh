#!/usr/bin/env bash
# The dispatcher: --help, --version, help COMMAND, unknown commands.
. "$(dirname "$0")/../lib.sh"

expect 0 "$VMLAB" --version && contains "$T/out" '^vmlab [0-9a-g]'
expect 0 "$VMLAB" --help && contains "$T/out" 'commands:'
expect 2 "$VMLAB" && contains "$T/err" 'usage: vmlab'
expect 2 "$VMLAB" no-such-command && contains "$T/err" "unknown command 'no-such-command'"
expect 2 "$VMLAB" help no-such-command
expect 0 "$VMLAB" help version && contains "$T/out" 'usage: vmlab version'
expect 2 "$VMLAB" version extra && contains "$T/err" 'takes no arguments'
# every command in the table has a usage text reachable both ways
for c in $("$VMLAB" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{print $1}'); do
  expect 0 "$VMLAB" help "$c" && contains "$T/out" "usage: vmlab $c"
  expect 0 "$VMLAB" "$c" --help && contains "$T/out" "usage: vmlab $c"
done
finish
