#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipreg's command line without any SIP peer: flags, help, usage errors,
# exit codes, and the JSON shape.

bats_require_minimum_version 1.5.0
load ../helpers

@test "--help lists the options and exits 0" {
	run "$SIPREG" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: sipreg"* ]]
	for o in --client-uri --server-uri --host --username --password-file --password-env \
		--password --expiration --timeout --transport --tls-ca-file --tls-verify --insecure \
		--ipv4 --ipv6 --local-address --output --json --verbose --probe --list-bindings \
		--help --version; do
		[[ "$output" == *"$o"* ]] || { echo "missing $o"; false; }
	done
}

@test "-h is --help; -V prints the version" {
	run "$SIPREG" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage:"* ]]
	run "$SIPREG" -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sipreg\ \(sipreg-tools\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown flag is a usage error (64) naming it" {
	run --separate-stderr "$SIPREG" --frobnicate
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--frobnicate"* ]]
	[ -z "$output" ]
}

@test "no client URI is a usage error (64)" {
	run --separate-stderr "$SIPREG" -H 127.0.0.1
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"client-uri"* ]]
}

@test "bad numbers and words are usage errors (64) naming the flag" {
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -x soon
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--expiration: expected a non-negative integer, got \"soon\""* ]]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -t -1
	[ "$status" -eq 64 ]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -t 0
	[ "$status" -eq 64 ]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid --transport sctp
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"udp tcp tls"* ]]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -o xml
	[ "$status" -eq 64 ]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid --tls-verify=maybe
	[ "$status" -eq 64 ]
}

@test "a bad WebSocket URI is a usage error naming what is wrong" {
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -s "ws://"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--server-uri: "ws://" has no host'* ]]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -s "wss://h:70000/x"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"has a port that is not 1 to 65535"* ]]
	run --separate-stderr "$SIPREG" -u ws://a@b -s "wss://h/x" --json
	[ "$status" -eq 64 ]
	# --json: the document, with no result and the error
	[ "$(jqo '.results | length')" = 0 ]
	[ "$(jqo '.exit_code')" = 64 ]
	[[ "$(jqo '.error')" == *"expected a sip: or sips: URI"* ]]
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid --transport sctp
	[[ "$stderr" == *"udp tcp tls ws wss"* ]]
}

@test "--probe and --list-bindings exclude each other" {
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid --probe --list-bindings
	[ "$status" -eq 64 ]
}

@test "a stray argument is a usage error" {
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid extra
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"extra"* ]]
}

@test "a malformed client URI is a usage error (64) with a clear message" {
	run --separate-stderr "$SIPREG" -u "alice@example" --json
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--client-uri: expected a sip: or sips: URI"* ]]
	# one rule: what a flag gets wrong is 64, whichever part of the URI
	run --separate-stderr "$SIPREG" -u "sip:example.com" --json
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"has no user: an address of record is sip:user@domain"* ]]
}

@test "sips: with --transport udp is a config error" {
	run --separate-stderr "$SIPREG" -u sip:a@b.invalid -s sips:b.invalid --transport udp
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"needs transport tls"* ]]
}

@test "an .invalid domain is a DNS error (68) at once" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid -p x
	[ "$status" -eq 68 ]
	[[ "$output" == *"dns_error"* ]]
	[[ "$stderr" == *"visible to other users"* ]]
}

@test "JSON has every field the contract lists, with stable types" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --json
	[ "$status" -eq 68 ]
	[ "$(jqo '.tool')" = sipreg ]
	[ "$(jqo '.exit_code')" = 68 ]
	[ "$(jqo '.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")')" = true ]
	[ "$(jqo '.results | length')" = 1 ]
	for f in name aor registrar transport result ok status reason contact expires_requested \
		expires_granted bindings service_route path gruu server auth timing_ms requests \
		local_address received error; do
		[ "$(jqo ".results[0] | has(\"$f\")")" = true ] || { echo "missing $f"; false; }
	done
	[ "$(jqo '.results[0].ok')" = false ]
	[ "$(jqo '.results[0].result')" = dns_error ]
	[ "$(jqo '.results[0].bindings | type')" = array ]
	[ "$(jqo '.results[0].auth | keys | sort | join(",")')" = "algorithm,offered,qop,realm,rounds,scheme" ]
	[ "$(jqo '.results[0].timing_ms | keys | sort | join(",")')" = "final_response,first_response,total" ]
	[ "$(jqo '.results[0].gruu | keys | sort | join(",")')" = "pub,temp" ]
}

@test "-o json and --json are the same" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid -o json
	a=$(jqo '.results[0].result')
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --json
	[ "$(jqo '.results[0].result')" = "$a" ]
}

@test "-q prints nothing, the exit code tells" {
	run "$SIPREG" -u sip:alice@nowhere.invalid -q
	[ "$status" -eq 68 ]
	[ -z "$output" ]
}

@test "a group-readable password file is refused with how to fix it" {
	f="$BATS_TEST_TMPDIR/pw"
	printf 'secret\n' >"$f"
	chmod 640 "$f"
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file "$f"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"chmod 600"* ]]
	[[ "$stderr$output" != *secret* ]]
}

@test "a missing password file is a config error naming it" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file /nonexistent/pw
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"/nonexistent/pw"* ]]
}

@test "--password-env reads the variable; an unset one is a config error" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-env SIPREG_NO_SUCH_VAR
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"SIPREG_NO_SUCH_VAR"* ]]
	SIPREG_T_PW=hunter2 run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-env SIPREG_T_PW
	[ "$status" -eq 68 ]
	[[ "$stderr$output" != *hunter2* ]]
}

@test "--insecure warns on stderr" {
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --insecure
	[[ "$stderr" == *"verification is off"* ]]
}

@test "JsSIP and Asterisk spellings are the same options" {
	run --separate-stderr "$SIPREG" --uri sip:alice@nowhere.invalid --registrar-server sip:x.invalid --register-expires 60 --authorization-user bob --json
	[ "$status" -eq 68 ]
	[ "$(jqo '.results[0].aor')" = "sip:alice@nowhere.invalid" ]
}

@test "--local-address must be an address" {
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 -H 127.0.0.1:9 --local-address nonsense --json
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"--local-address"* ]]
}

@test "-4 with an IPv6 registrar is refused" {
	run --separate-stderr "$SIPREG" -u sip:alice@example.com -s "sip:[::1]:5060" -4 --json
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"IPv6"* ]]
}

@test "-x 0 is a usage error (64) that points to sipunreg; expiration: 0 in a file is 78" {
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 -H 127.0.0.1:9 -p x -x 0 --json
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"expiration 0 would remove the binding"*"use sipunreg"* ]]
	# nothing was sent: a document without results, the error in it
	[ "$(jqo '.results | length')" = 0 ]
	[[ "$(jqo '.error')" == "expiration 0 would remove the binding"* ]]
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 -H 127.0.0.1:9 -p x -x 0 -o nagios
	[ "$status" -eq 3 ]
	[[ "$output" == "SIPREG UNKNOWN - expiration 0 would remove the binding"* ]]
	umask 077
	printf 'client_uri: sip:alice@127.0.0.1\nexpiration: 0\n' >"$BATS_TEST_TMPDIR/x0.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/x0.yaml"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"x0.yaml:1:1: expiration 0 would remove the binding"* ]]
	# sipunreg removes with Expires: 0 by its nature: -x is not in its way
	run --separate-stderr "$SIPREG_BUILDDIR/sipunreg" -u sip:alice@nowhere.invalid -x 0 --json
	[ "$status" -eq 68 ]
}

@test "-q silences warnings too: nothing on stderr for cron to mail" {
	run --separate-stderr "$SIPREG" -q -u sip:alice@nowhere.invalid -p visible-secret --insecure
	[ "$status" -eq 68 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
	# without -q the same run warns twice (-p, --insecure)
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid -p visible-secret --insecure
	[ "$(grep -c 'warning:' <<<"$stderr")" -eq 2 ]
}

@test "every URI is checked before anything is sent: one line naming it, 64 from a flag" {
	for bad in 'sip:al ice@127.0.0.1|contains a space' 'sip:alice@127.0.0.1>|contains '"'>'" \
		'sip:alice@|has no host' 'sip:127.0.0.1|has no user' \
		'sip:alice@127.0.0.1:99999|has a port that is not 1 to 65535'; do
		uri=${bad%%|*}
		why=${bad#*|}
		run --separate-stderr "$SIPREG" -u "$uri" -H 127.0.0.1:9 -p x --json
		[ "$status" -eq 64 ] || { echo "$uri: $status $stderr"; false; }
		[[ "$stderr" == "sipreg: --client-uri: \"$uri\" $why"* ]] || { echo "$stderr"; false; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		[ "$(jqo '.exit_code')" = 64 ]
		[ "$(jqo '.results | length')" = 0 ]
	done
	for flag in --server-uri --contact-uri --outbound-proxy --servers --contact; do
		t=sipreg
		[ "$flag" = --contact ] && t=sipunreg
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -u sip:a@127.0.0.1 "$flag" 'sip:x@127.0.0.1>' -p x
		[ "$status" -eq 64 ] || { echo "$flag: $status"; false; }
		[[ "$stderr" == *"$flag: \"sip:x@127.0.0.1>\" contains '>'"* ]] || { echo "$stderr"; false; }
	done
}

@test "a second '@', a bad user character or an empty parameter is 64 naming the URI" {
	for bad in "sip:alice@@127.0.0.1|has more than one '@'" \
		"sip:alice@127.0.0.1;;|has an empty parameter" \
		"sip:alice@127.0.0.1;|has an empty parameter" \
		"sip:al[ice@127.0.0.1|has '[' in the user" \
		"sip:a,b@127.0.0.1|has ',' in the user" \
		"sip:al%zzice@127.0.0.1|has a '%' that is not %XX in the user"; do
		uri=${bad%%|*}
		why=${bad#*|}
		run --separate-stderr "$SIPREG" -u "$uri" -H 127.0.0.1:9 -p x
		[ "$status" -eq 64 ] || { echo "$uri: $status $stderr"; false; }
		[[ "$stderr" == "sipreg: --client-uri: \"$uri\" $why"* ]] || { echo "$stderr"; false; }
	done
	for flag in --server-uri --contact-uri; do
		run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 "$flag" 'sip:alice@@127.0.0.1' -p x
		[ "$status" -eq 64 ] || { echo "$flag: $status $stderr"; false; }
		[[ "$stderr" == *"$flag: \"sip:alice@@127.0.0.1\" has more than one '@'"* ]]
	done
}

@test "the same URIs from a file are configuration errors (78) with file:line:col" {
	umask 077
	printf 'client_uri: sip:alice@127.0.0.1\nserver_uri: "sip:127.0.0.1:0"\n' >"$BATS_TEST_TMPDIR/u.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/u.yaml"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"u.yaml:2:13: server_uri: \"sip:127.0.0.1:0\" has a port that is not 1 to 65535" ]]
}

@test "--json and -o env print their document for usage errors; config errors print none" {
	run --separate-stderr "$SIPREG" --bogus --json
	[ "$status" -eq 64 ]
	[ "$(jqo '.tool')" = sipreg ]
	[ "$(jqo '.exit_code')" = 64 ]
	[[ "$(jqo '.error')" == *"--bogus"* ]]
	run --separate-stderr "$SIPREG" -u sip:a@127.0.0.1 --expiration soon -o env
	[ "$status" -eq 64 ]
	eval "$output"
	[ "$SIPREG_EXIT_CODE" -eq 64 ]
	[ "$SIPREG_COUNT" -eq 0 ]
	[[ "$SIPREG_ERROR" == *"--expiration: expected a non-negative integer"* ]]
	umask 077
	printf 'client_uri: sip:a@127.0.0.1\nretry_interval: soon\n' >"$BATS_TEST_TMPDIR/e.yaml"
	run --separate-stderr "$SIPREG_BUILDDIR/sipunreg" -f "$BATS_TEST_TMPDIR/e.yaml" --json
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	[[ "$stderr" == *"e.yaml:2:"*"retry_interval"* ]]
	run --separate-stderr "$SIPREG_BUILDDIR/sipunreg" -f "$BATS_TEST_TMPDIR/e.yaml" -o env
	[ "$status" -eq 78 ]
	eval "$output"
	[ "$SIPREG_EXIT_CODE" -eq 78 ]
}
