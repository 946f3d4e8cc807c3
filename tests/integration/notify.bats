#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipregwatch under systemd: what it tells $NOTIFY_SOCKET, read by a
# datagram listener of the test's own, against a real Kamailio; and the
# shipped units, which ask for it, verified by systemd-analyze.

bats_require_minimum_version 1.5.0
load ../helpers

WATCH="$SIPREG_BUILDDIR/sipregwatch"

setup_file() {
	kam_start_alice
	make_pwfile "$BATS_FILE_TMPDIR/wrong.pw" not-the-password
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready UDP
	CU="n${BATS_TEST_NUMBER}r$RANDOM"
	NOTES="$BATS_TEST_TMPDIR/notes"
	: >"$NOTES"
}

teardown() {
	[ -n "${WPID:-}" ] && kill -KILL "$WPID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	return 0
}

# A datagram socket at $BATS_TEST_TMPDIR/notify: each message received is
# appended to $NOTES, its lines joined by "|", one message a line.
listen_notify() {
	need python3
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".up", "w").close()
while True:
    m = s.recv(65536).decode()
    with open(sys.argv[2], "a") as f:
        f.write(m.replace("\n", "|") + "\n")
' "$BATS_TEST_TMPDIR/notify" "$NOTES" 3>&- &
	LPID=$!
	local i
	for i in $(seq 100); do
		[ -e "$BATS_TEST_TMPDIR/notify.up" ] && return 0
		sleep 0.1
	done
	return 1
}

# Wait (at most $2 s) for a message matching $1 (grep -E) in $NOTES.
wait_note() {
	local i
	for i in $(seq 1 $((${2:-20} * 10))); do
		grep -qE "$1" "$NOTES" && return 0
		sleep 0.1
	done
	echo "no message like $1; got:" >&2
	cat "$NOTES" >&2
	return 1
}

@test "READY=1 once every registration has an outcome, STATUS with the counts, WATCHDOG, RELOADING, STOPPING" {
	listen_notify
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  max_random_initial_delay: 0
  expiration: 600
registrations:
  good: { client_uri: "sip:alice@127.0.0.1", contact_user: ${CU}g, password_file: $BATS_FILE_TMPDIR/alice.pw }
  bad: { client_uri: "sip:alice@127.0.0.1", contact_user: ${CU}b, password_file: $BATS_FILE_TMPDIR/wrong.pw }
YAML
	NOTIFY_SOCKET="$BATS_TEST_TMPDIR/notify" WATCHDOG_USEC=1000000 \
		"$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$BATS_TEST_TMPDIR/ev" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" </dev/null 3>&- &
	WPID=$!
	wait_note '^READY=1'
	# ready only when both had their outcome: one registered, one refused
	grep -q '^READY=1|STATUS=1 of 2 registered, 1 failing$' "$NOTES"
	[ "$(grep -c '^READY=1' "$NOTES")" -eq 1 ]
	# the registrar holds the binding the status counts
	kam_bindings alice | grep -q "sip:${CU}g@"
	run grep -c "sip:${CU}b@" <<<"$(kam_bindings alice)"
	[ "$output" = 0 ]
	wait_note '^WATCHDOG=1$'
	kill -HUP "$WPID"
	wait_note '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$'
	wait_note '^READY=1.*' 20
	# READY=1 again after the reload: two in all, the second after RELOADING
	local i
	for i in $(seq 100); do
		[ "$(grep -c '^READY=1' "$NOTES")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c '^READY=1' "$NOTES")" -eq 2 ]
	[ "$(grep -n '^RELOADING=1' "$NOTES" | cut -d: -f1)" -lt "$(grep -n '^READY=1' "$NOTES" | tail -1 | cut -d: -f1)" ]
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	grep -q '^STOPPING=1$' "$NOTES"
	[ "$(grep -c '^WATCHDOG=1$' "$NOTES")" -ge 1 ]
}

@test "without NOTIFY_SOCKET nothing is sent and the watch runs as before" {
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sip:127.0.0.1:$KAM_UDP
contact_user: ${CU}
password_file: $BATS_FILE_TMPDIR/alice.pw
max_random_initial_delay: 0
YAML
	env -u NOTIFY_SOCKET "$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$BATS_TEST_TMPDIR/ev" \
		>/dev/null 2>&1 </dev/null 3>&- &
	WPID=$!
	local i
	for i in $(seq 100); do
		grep -q '"event":"registered"' "$BATS_TEST_TMPDIR/ev" 2>/dev/null && break
		sleep 0.1
	done
	kam_bindings alice | grep -q "sip:${CU}@"
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
}

@test "the shipped units are Type=notify with a watchdog (deploy.bats has systemd-analyze verify them)" {
	need systemd-analyze
	local u
	for u in sipregwatch.service sipregwatch@.service; do
		grep -qx 'Type=notify' "$SIPREG_SRCDIR/contrib/systemd/$u.in"
		grep -qE '^WatchdogSec=[0-9]+' "$SIPREG_SRCDIR/contrib/systemd/$u.in"
	done
}
