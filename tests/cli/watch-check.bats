#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipregwatch --check on status files written here (no SIP peer), and the
# watch's start-up refusal of output files it cannot write.

bats_require_minimum_version 1.5.0
load ../helpers

WATCH="$SIPREG_BUILDDIR/sipregwatch"

# A status file updated now with the registrations of $1 (a JSON array).
status_file() {
	jq -n --argjson regs "$1" --arg now "$(date +%s.%N)" \
		'{tool: "sipregwatch", updated: ($now | tonumber), registrations: $regs}' \
		>"$BATS_TEST_TMPDIR/status.json"
}

# One registration of a status file: name $1, state $2, failing_since $3.
reg() {
	jq -n --arg n "$1" --arg s "$2" --argjson f "${3:-null}" \
		'{name: $n, state: $s, refreshing: false, rtt: 0.01, expires: 600,
		  failing_since: $f, registrar_unreachable_since: null}'
}

@test "--check: an UNKNOWN line ends with a newline" {
	"$WATCH" --check --status-file "$BATS_TEST_TMPDIR/none.json" >"$BATS_TEST_TMPDIR/out" || true
	[[ "$(cat "$BATS_TEST_TMPDIR/out")" == "SIPREGWATCH UNKNOWN - cannot read "* ]]
	[ "$(tail -c 1 "$BATS_TEST_TMPDIR/out" | od -An -c | tr -d ' ')" = '\n' ]
	"$WATCH" --check >"$BATS_TEST_TMPDIR/out2" || true
	[[ "$(cat "$BATS_TEST_TMPDIR/out2")" == "SIPREGWATCH UNKNOWN - --check needs --status-file"* ]]
	[ "$(tail -c 1 "$BATS_TEST_TMPDIR/out2" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "--check: a status file without its fields is UNKNOWN, not an old file" {
	echo '{}' >"$BATS_TEST_TMPDIR/empty.json"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/empty.json"
	[ "$status" -eq 3 ]
	[[ "$output" == "SIPREGWATCH UNKNOWN - "*"not a sipregwatch status file"* ]]
	echo '{"updated": 1, "registrations": {}}' >"$BATS_TEST_TMPDIR/odd.json"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/odd.json"
	[ "$status" -eq 3 ]
}

@test "--check: registrations on their way (registering, queued) are not failing" {
	status_file "[$(reg alice registering), $(reg bob queued)]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREGWATCH OK - 0 of 2 registered, 2 registering, 0 rejected, 0 failing: alice registering, bob queued |"* ]]
	[[ "$output" == *"'registering'=2;"* ]]
	[[ "$output" == *"'failing'=0;"* ]]
	status_file "[$(reg alice registered), $(reg bob registering)]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREGWATCH OK - 1 of 2 registered, 1 registering,"* ]]
}

@test "--check: registering again after a failure is still failing" {
	status_file "[$(reg alice registered), $(reg bob registering "$(date +%s)")]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPREGWATCH WARNING - 1 of 2 registered, 0 rejected, 1 failing: bob registering"* ]]
	status_file "[$(reg alice retry_scheduled "$(date +%s)")]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	[ "$status" -eq 2 ]
}

@test "an output file in a missing directory is refused at the start (73), in one line" {
	for opt in --status-file --prometheus-file --events; do
		WPW=x run --separate-stderr timeout 10 "$WATCH" -u sip:alice@127.0.0.1 \
			-H 127.0.0.1:9 --password-env WPW "$opt" "$BATS_TEST_TMPDIR/missing/out"
		echo "$opt: $status: $stderr"
		[ "$status" -eq 73 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "sipregwatch: $opt $BATS_TEST_TMPDIR/missing/out cannot be written: No such file or directory" ]]
		[ -z "$output" ]
	done
}

@test "--check: a registrar certificate near its end is WARNING, an expired one CRITICAL" {
	local soon past
	soon=$(($(date +%s) + 5 * 86400))
	past=$(($(date +%s) - 86400))
	status_file "[$(reg a registered | jq --argjson c "$soon" '. + {tls_cert_not_after: $c}'), $(reg b registered)]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPREGWATCH WARNING - 2 of 2 registered"*"the TLS certificate of a's registrar expires in 5.0 days"* ]]
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json" --cert-warn-days 3
	[ "$status" -eq 0 ]
	status_file "[$(reg a registered | jq --argjson c "$past" '. + {tls_cert_not_after: $c}')]"
	run "$WATCH" --check --status-file "$BATS_TEST_TMPDIR/status.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"the TLS certificate of a's registrar expired"* ]]
}
