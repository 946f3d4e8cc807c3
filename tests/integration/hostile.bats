#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Responses that are malformed or hostile (SIPp): every run ends within its
# deadline with a result word that says what happened, valid JSON, and no
# crash; sipregwatch keeps its retries bounded.

bats_require_minimum_version 1.5.0
load ../helpers

teardown() {
	sipp_and_watch_stop
}

# hostile SCENARIO: sipp_once on hostile-SCENARIO, saying what came of it.
hostile() {
	sipp_once "hostile-$1"
	echo "$1: exit $status, $R: $(jq -r '.results[0].error' <<<"$output")" >&3
}

@test "a 200 whose Content-Length promises a missing body: registered, or dropped and a timeout" {
	hostile truncated
	[[ "$R" == registered || "$R" == timeout ]]
}

@test "a 30,000-byte header: registered, the long Server kept whole" {
	hostile bigheader
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	[ "$(jq -r '.results[0].server | length' <<<"$output")" -eq 4000 ]
}

@test "negative Expires values: the response is not used, a timeout within the deadline" {
	hostile expires
	[ "$status" -eq 75 ]
	[ "$R" = timeout ]
}

@test "500 bindings in one 200: all listed, ours found" {
	hostile 500contacts
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	[ "$(jq '.results[0].bindings | length' <<<"$output")" -eq 500 ]
	[ "$(jq '[.results[0].bindings[] | select(.own)] | length' <<<"$output")" -eq 1 ]
}

@test "a 423 whose Min-Expires is not a number: interval_too_brief (69), no loop" {
	hostile 423
	[ "$status" -eq 69 ]
	[ "$R" = interval_too_brief ]
	[ "$(jq '.results[0].requests' <<<"$output")" -le 2 ]
}

@test "a Retry-After beyond any clock: reported as a day at most" {
	hostile 503
	[ "$status" -eq 75 ]
	[[ "$(jq -r '.results[0].error' <<<"$output")" != *18446744073709551615* ]]
}

@test "garbage received and rport in the Via: the answer is not used, a timeout" {
	hostile received
	[ "$status" -eq 75 ]
	[ "$R" = timeout ]
	[[ "$output" != *'$(touch'* ]] || [ "$(jq -r '.results[0].received' <<<"$output")" != null ]
}

@test "sipregwatch: a Retry-After beyond any clock waits at most a day (no tight loop, no forever)" {
	sipp_start hostile-503
	cat >"$BATS_TEST_TMPDIR/h.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sip:127.0.0.1:$SIPP_PORT
password: x
max_random_initial_delay: 0
YAML
	chmod 600 "$BATS_TEST_TMPDIR/h.yaml"
	EV="$BATS_TEST_TMPDIR/ev"
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/h.yaml" --events "$EV" 2>/dev/null </dev/null &
	WPID=$!
	wait_event retry_scheduled "" 5 || true
	kill -TERM "$WPID"
	wait "$WPID" || true
	WPID=
	[ "$(jq -s '[.[] | select(.event == "retry_scheduled")][0].in' "$EV")" = 86400 ]
	[ "$(count_events registering)" -eq 1 ]
}
