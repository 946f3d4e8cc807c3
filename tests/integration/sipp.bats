#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipreg against SIPp scenarios for what a registrar rarely does on purpose.

bats_require_minimum_version 1.5.0
load ../helpers

teardown() {
	sipp_stop
}

reg() {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p sipp-pass "$@"
}

# Seconds since $1 (from date +%s.%N), as an integer of tenths. The tests
# of --timeout bound it at 15 s: far above a 2 s deadline on a busy
# machine, far below what the stack waits of itself (Timer F, 32 s, or for
# ever for a TLS handshake that never ends).
tenths_since() {
	echo "$(date +%s.%N) $1" | awk '{ printf "%d", ($1 - $2) * 10 }'
}

@test "423 with Min-Expires is followed once, then 200" {
	sipp_start 423
	reg -x 30 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].requests')" = 2 ]
	[ "$(jqo '.results[0].expires_granted')" = 120 ]
	[ "$(jqo '.results[0].server')" = sipp-423 ]
}

@test "a second 423 after following Min-Expires is interval_too_brief (69)" {
	sipp_start 423-twice
	reg -x 30 --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = interval_too_brief ]
	[ "$(jqo '.results[0].status')" = 423 ]
	[ "$(jqo '.results[0].min_expires')" = 120 ]
}

@test "503 with Retry-After 3000 ends at once as rejected, exit 75" {
	sipp_start 503
	t0=$(date +%s.%N)
	reg -t 5 --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].result')" = rejected ]
	[ "$(jqo '.results[0].status')" = 503 ]
	[[ "$(jqo '.results[0].error')" == *"Retry-After 3000"* ]]
	# had it waited, the deadline (5 s) would have made it a timeout
	[ "$(tenths_since "$t0")" -lt 150 ]
}

@test "a silent server: timeout (75) at --timeout, not at the stack's own" {
	sipp_start silent
	t0=$(date +%s.%N)
	reg -t 2 --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].result')" = timeout ]
	[ "$(jqo '.results[0].status')" = null ]
	[ "$(tenths_since "$t0")" -lt 150 ]
}

@test "a 2xx with two bindings and a shorter grant: ours marked, grant read from it" {
	sipp_start two-bindings
	reg -x 3600 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].bindings | length')" = 2 ]
	[ "$(jqo '[.results[0].bindings[] | select(.own)] | length')" = 1 ]
	[ "$(jqo '.results[0].bindings[] | select(.own | not) | .uri')" = "sip:other@192.0.2.7:5070;transport=udp" ]
	[ "$(jqo '.results[0].bindings[] | select(.own | not) | .expires')" = 1800 ]
	[ "$(jqo '.results[0].bindings[] | select(.own | not) | .q')" = 0.5 ]
	[ "$(jqo '.results[0].expires_requested')" = 3600 ]
	[ "$(jqo '.results[0].expires_granted')" = 300 ]
}

@test "--probe with an unanswered un-REGISTER ends at --timeout (not the stack's own) and says so" {
	sipp_start unreg-silent
	t0=$(date +%s.%N)
	reg --probe -t 2 --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].result')" = timeout ]
	[ "$(jqo '.results[0].status')" = 200 ]
	[ "$(jqo '.results[0].unregister.removed')" = false ]
	[[ "$(jqo '.results[0].error')" == *"may stay"* ]]
	[ "$(tenths_since "$t0")" -lt 150 ]
}

@test "a TLS peer that never finishes the handshake: ends at --timeout, not at the stack's own" {
	# A small CA file: loading the system store is slow under ASan.
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=t -keyout "$BATS_TEST_TMPDIR/k" \
		-out "$BATS_TEST_TMPDIR/ca.pem" >/dev/null 2>&1
	sipp_start silent t1
	t0=$(date +%s.%N)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 \
		-s "sips:127.0.0.1:$SIPP_PORT" -p x -t 2 --tls-ca-file "$BATS_TEST_TMPDIR/ca.pem" --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].result')" = timeout ]
	[[ "$(jqo '.results[0].error')" == *"TLS handshake"* ]]
	[ "$(tenths_since "$t0")" -lt 150 ]
}

@test "the same with --insecure (no verification handshake of our own)" {
	sipp_start silent t1
	t0=$(date +%s.%N)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 \
		-s "sips:127.0.0.1:$SIPP_PORT" -p x -t 2 --insecure --json
	[ "$status" -eq 75 ]
	[ "$(tenths_since "$t0")" -lt 150 ]
}
