#!/usr/bin/env bats
# sipregwatch --check on status files written here (no SIP peer), and the
# watch's start-up refusal of output files it cannot write.

bats_require_minimum_version 1.5.0
load ../helpers

WATCH="$SIPREG_BUILDDIR/sipregwatch"

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
