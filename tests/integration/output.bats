#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# -o env and -o nagios of the one-shot tools against SIPp.

bats_require_minimum_version 1.5.0
load ../helpers

teardown() {
	sipp_stop
	rm -f /tmp/sipreg-pwned
}

@test "-o env is safe to eval with a hostile reason phrase and Server header" {
	rm -f /tmp/sipreg-pwned
	sipp_start hostile-reason
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o env
	[ "$status" -eq 77 ]
	eval "$output"
	[ ! -e /tmp/sipreg-pwned ]
	[ "$SIPREG_RESULT" = forbidden ]
	[ "$SIPREG_STATUS" = 403 ]
	[ "$SIPREG_REASON" = "\$(touch /tmp/sipreg-pwned) \`id\` 'q' \"dq\" ; rm -rf / \\ end" ]
	[ "$SIPREG_SERVER" = "evil \$(reboot) 'x'" ]
	[ "$SIPREG_EXIT_CODE" = 77 ]
	[ "$SIPREG_1_RESULT" = forbidden ]
}

@test "-o nagios: OK with perfdata, WARNING and CRITICAL by -w/-c ranges" {
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o nagios --probe
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	sipp_stop
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o nagios
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^SIPREG\ OK\ -\ sip:alice@127.0.0.1\ registered\ \(200\ OK\)\ in\ [0-9.]+\ s\ \|\ \'time\'=[0-9.]+s\;\;\;0\ \'expires\'=3600s\;\;\;0$ ]]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	sipp_stop
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o nagios -w @0:100
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPREG WARNING - "*"'time'="*"s;@0:100;;0"* ]]
	# the line says which threshold fired
	[[ "$output" == *"; time "*" s inside -w @0:100 |"* ]]
	sipp_stop
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o nagios -w @0:100 -c '~:-1'
	[ "$status" -eq 2 ]
	[[ "$output" == *"; time "*" s outside -c ~:-1 |"* ]]
}

@test "-o nagios: a silent server is CRITICAL with 'timeout after N s'" {
	sipp_start silent
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 1 -o nagios
	[ "$status" -eq 2 ]
	[[ "$output" == "SIPREG CRITICAL - sip:alice@127.0.0.1 timeout after 1."*" s | "* ]]
}

@test "-o nagios: usage and configuration errors are UNKNOWN (3), every tool" {
	for t in sipreg sipunreg sipauthcheck; do
		# one line on stdout that says what is wrong
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -u bad -o nagios
		[ "$status" -eq 3 ]
		[ "$output" = "${t^^} UNKNOWN - --client-uri: expected a sip: or sips: URI, got \"bad\"" ]
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -o nagios --no-such-flag
		[ "$status" -eq 3 ]
		[ "$output" = "${t^^} UNKNOWN - option --no-such-flag is unknown or needs a value" ]
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -o nagios -f /nonexistent.yaml
		[ "$status" -eq 3 ]
		[[ "$output" == "${t^^} UNKNOWN - /nonexistent.yaml: "* ]]
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -o nagios -w nonsense -u sip:a@b.invalid
		[ "$status" -eq 3 ]
	done
}

@test "sipauthcheck -o nagios: a server that never challenged is UNKNOWN, credentials_unchecked" {
	sipp_start auth-nochallenge
	run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/sipauthcheck" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$SIPP_PORT" -p x -t 5 -o nagios
	[ "$status" -eq 3 ]
	[[ "$output" == "SIPAUTHCHECK UNKNOWN - "*"credentials_unchecked"*"without any challenge"* ]]
}

@test "sipauthcheck --method OPTIONS with a wrong password, never challenged: credentials_unchecked (69)" {
	sipp_start options-nochallenge
	NOPW=wrong-password run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/sipauthcheck" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$SIPP_PORT" --password-env NOPW -t 5 --method OPTIONS --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = credentials_unchecked ]
	[ "$(jqo '.results[0].ok')" = false ]
	[ "$(jqo '.results[0].auth.rounds')" = 0 ]
}

@test "text: colour only on a terminal, never with NO_COLOR or into a pipe" {
	need script
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5
	[ "$status" -eq 0 ]
	[[ "$output" == "sip:alice@127.0.0.1: registered (200 OK) "* ]]
	[[ "$output" != *$'\e'* ]]
	sipp_stop
	sipp_start ok
	# a terminal (script(1) gives the tool a pty)
	out=$(TERM=xterm timeout 30 script -qec "$SIPREG -u sip:alice@127.0.0.1 -H 127.0.0.1:$SIPP_PORT -p x -t 5" /dev/null)
	[[ "$out" == *$'\e[32mregistered\e[0m'* ]]
	sipp_stop
	sipp_start ok
	out=$(NO_COLOR=1 TERM=xterm timeout 30 script -qec "$SIPREG -u sip:alice@127.0.0.1 -H 127.0.0.1:$SIPP_PORT -p x -t 5" /dev/null)
	[[ "$out" == *"registered (200 OK)"* ]]
	[[ "$out" != *$'\e'* ]]
}

@test "text -v: the message flow as arrows with the time since the start" {
	sipp_start ok
	run --separate-stderr timeout 30 "$SIPREG" -v -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" -p x -t 5
	[ "$status" -eq 0 ]
	grep -Eq '^sipreg: +[0-9]+\.[0-9] ms -> REGISTER sip:127\.0\.0\.1:[0-9]+ for sip:alice@127\.0\.0\.1' <<<"$stderr"
	grep -Eq '^sipreg: +[0-9]+\.[0-9] ms <- 200 OK$' <<<"$stderr"
	# and the result line on stdout stays one line for people
	[[ "$output" == "sip:alice@127.0.0.1: registered (200 OK) "* ]]
}
