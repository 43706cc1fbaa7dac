#!/bin/sh
# Logs in as root on a guest's console the way `xl console` does (through
# the console's pty in dom0), runs `tty` and `uname -a`, logs out, and prints
# the transcript. Runs in dom0 (busybox sh).
# Usage: console-login.sh DOMAIN console|serial/0 LOG PASSWORD
#   console   the PV console (hvc0), LOG is xenconsoled's guest-DOMAIN.log
#   serial/0  the HVM serial port (ttyS0), LOG is where its output is copied
# Exit status: 0 logged in and ran the commands, 1 not.
dom=$1 kind=$2 log=$3 pw=$4
id=$(xl domid "$dom") || exit 1
tty=$(xenstore-read "/local/domain/$id/$kind/tty") || exit 1
stty -F "$tty" raw -echo 2>/dev/null
start=$(wc -c <"$log")
off=$start

# expect PATTERN SECONDS: waits until the console output since the last send
# matches PATTERN.
expect() {
	i=0
	while ! tail -c +$((off + 1)) "$log" | tr -d '\r' | grep -q "$1"; do
		i=$((i + 1))
		if [ $i -gt "$2" ]; then
			echo "console: no '$1' within $2 s; the console said:" >&2
			tail -c +$((start + 1)) "$log" | tr -d '\r' | tail -5 >&2
			exit 1
		fi
		sleep 1
	done
}
send() {
	off=$(wc -c <"$log")
	printf '%s\r' "$1" >"$tty"
}

send ''
expect 'login:' 120
send root
expect 'Password:' 120
send "$pw"
expect 'root@.*#' 180
send 'echo "logged in on $(tty)"; uname -a'
expect 'logged in on /dev/' 120
sleep 2
send exit
expect 'login:' 60
tail -c +$((start + 1)) "$log" | tr -d '\r\033' | sed 's/\[?2004[hl]//g' | grep -v '^$'
