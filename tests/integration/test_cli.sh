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
# test_help_subcommand_shows_its_usage: `vmlab help F S` prints exactly what
# `vmlab F S --help` prints (same output, same exit status) for every word
# that starts an indented line of a command's usage (the subcommands of
# every family, and harmless other words).
for c in $("$VMLAB" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{print $1}'); do
  for s in $("$VMLAB" help "$c" | sed -nE 's/^  ([a-z][a-z0-9-]*)( .*)?$/\1/p' | sort -u); do
    a=0 b=0
    timeout 20 "$VMLAB" help "$c" "$s" >"$T/help.out" 2>&1 || a=$?
    timeout 20 "$VMLAB" "$c" "$s" --help >"$T/flag.out" 2>&1 || b=$?
    [ "$a" = "$b" ] || fail "vmlab help $c $s exits $a, vmlab $c $s --help exits $b"
    cmp -s "$T/help.out" "$T/flag.out" || fail "vmlab help $c $s differs from vmlab $c $s --help"
  done
done
expect 0 "$VMLAB" help web serve && contains "$T/out" '^usage: vmlab web serve '
expect 0 "$VMLAB" help cfg check && contains "$T/out" '^usage: vmlab cfg check '
for s in inspect cat ls fix-console fix-root; do
  expect 0 "$VMLAB" help image "$s" && contains "$T/out" "^usage: vmlab image $s "
done
expect 2 "$VMLAB" help image no-such-sub && contains "$T/err" "unknown subcommand 'no-such-sub'"
# test_family_table_dispatches: each family is its subcommand table; no
# subcommand shows the family's usage (exit 2), an unknown one is named.
for c in cfg image testbed web; do
  expect 2 "$VMLAB" "$c" && contains "$T/err" "^usage: vmlab $c SUBCOMMAND"
  expect 2 "$VMLAB" "$c" no-such-sub && contains "$T/err" "vmlab $c: unknown subcommand 'no-such-sub'"
done
# test_positional_count_named: too few or too many positionals after the
# options is a usage error naming what is wanted (exit 2, nothing done).
while IFS='|' read -r args msg; do
  # shellcheck disable=SC2086
  expect 2 "$VMLAB" $args && contains "$T/err" "$msg"
done <<'TABLE'
cfg check --json|vmlab cfg check: no FILE given
cfg get x.cfg|vmlab cfg get: needs FILE and KEY
cfg get x.cfg k extra|vmlab cfg get: too many arguments
cfg dump --json|vmlab cfg dump: needs FILE
cfg fmt a.cfg b.cfg|vmlab cfg fmt: too many arguments
cfg convert --to pv|vmlab cfg convert: expected one FILE
web fileset|vmlab web fileset: expected one DIR
web app extra|vmlab web app: unexpected argument 'extra'
web besim extra|vmlab web besim: unexpected argument 'extra'
web serve extra|vmlab web serve: unexpected argument 'extra'
image inspect|vmlab image inspect: takes one IMG argument
image fix-root|vmlab image fix-root: needs IMG\[:PART\]
image fix-root a b|vmlab image fix-root: takes one IMG\[:PART\] argument
TABLE
finish
