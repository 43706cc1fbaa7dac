#!/usr/bin/env bash
# vmlab web app on its own: SIGTERM ends it cleanly (exit 0), idle or with a
# web server's connection open (then shut down), and under AddressSanitizer
# with nothing leaked (test_app_sigterm_frees_startup).
. "$(dirname "$0")/../lib.sh"

app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill -KILL "$app_pid" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

start_app() {
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 \
    "$VMLAB" web app --listen 127.0.0.1:0 --besim 127.0.0.1:1 >"$T/app.out" 2>"$T/app.err" &
  app_pid=$!
  for _ in $(seq 300); do grep -q '^app listening on ' "$T/app.out" && break; sleep 0.1; done
  addr=$(sed -n 's/^app listening on //p' "$T/app.out")
  [ -n "$addr" ] || { fail "web app did not start: $(cat "$T/app.err")"; finish; }
}
stop_app() { # WHAT: SIGTERM, then exit 0 within 8 s and no leak report
  kill -TERM "$app_pid"
  for _ in $(seq 80); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$app_pid" 2>/dev/null && fail "$1: web app still runs 8 s after SIGTERM"
  wait "$app_pid"; rc=$?; app_pid=
  [ "$rc" = 0 ] || { fail "$1: web app exited $rc after SIGTERM"; sed 's/^/  /' "$T/app.err" | head -20 >&2; }
  grep -q 'LeakSanitizer' "$T/app.err" && fail "$1: web app leaked at exit"
}

start_app
sleep 0.3
stop_app idle

start_app
exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}" || fail "cannot connect to $addr"
sleep 0.3
stop_app "a connection open"
# the connection was shut down: reading it ends at once
timeout 2 cat <&3 >/dev/null || fail "the open connection was not shut down"
exec 3<&-
finish
