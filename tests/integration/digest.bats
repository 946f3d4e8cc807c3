#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Our digest: SHA-256 Kamailio, HA1, odd passwords, and SIPp challenges of
# every shape (preference, stale, Proxy-Authenticate, malformed, Bearer).

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start SHA-256
	make_pwfile "$BATS_FILE_TMPDIR/alice.pw" alice-secret
	# ':' quotes, backslash, space, UTF-8: Sofia's own digest would cut at ':'
	umask 077
	printf 'c:a"r\\o l;\xc3\xa4\n' >"$BATS_FILE_TMPDIR/carol.pw"
}

teardown_file() {
	kam_stop
}

teardown() {
	sipp_stop
}

# sipreg against the SIPp scenario $1 (started here), extra args after it.
sipp_reg() {
	local scen=$1
	shift
	sipp_start "$scen"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p sipp-pass -t 5 --json "$@"
}

@test "Kamailio challenging with SHA-256: registered with SHA-256, binding removed by --probe" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$BATS_FILE_TMPDIR/alice.pw" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = SHA-256 ]
	[ "$(jqo '.results[0].auth.offered[0].algorithm')" = SHA-256 ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
}

@test "Kamailio SHA-256: a password with ':' quotes backslash space and UTF-8 works" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:carol@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$BATS_FILE_TMPDIR/carol.pw" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
}

@test "Kamailio SHA-256: a wrong password is auth_failed (77) after one answer" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-env NOPE --json
	[ "$status" -eq 78 ]
	NOPE=wrong run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$KAM_UDP" --password-env NOPE --json
	[ "$status" -eq 77 ]
	# one answer to each of Kamailio's nonces, which change with the second
	# (two when the second turned between its challenges)
	[ "$(jqo '.results[0].auth.rounds')" -ge 1 ]
	[ "$(jqo '.results[0].auth.rounds')" -le 2 ]
	[ "$(jqo '.results[0].requests')" -eq $(($(jqo '.results[0].auth.rounds') + 1)) ]
}

@test "Kamailio SHA-256: a SHA-256 HA1 with its realm replaces the password" {
	kam_ready UDP
	ha1=$(printf 'alice:127.0.0.1:alice-secret' | sha256sum | cut -d' ' -f1)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--ha1 "$ha1" --realm 127.0.0.1 --probe --json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--ha1 is visible"* ]]
}

@test "an HA1 of the wrong length for the challenge is refused, saying what was offered" {
	kam_ready UDP
	ha1=$(printf 'alice:127.0.0.1:alice-secret' | md5sum | cut -d' ' -f1)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--ha1 "$ha1" --realm 127.0.0.1 --json
	[ "$status" -eq 76 ]
	[[ "$(jqo '.results[0].error')" == *"offered SHA-256"* ]]
}

@test "HA1 needs a realm, excludes a password, and must be hex of 32 or 64" {
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 -H 127.0.0.1:9 --ha1 "$(printf %032d 0)" --json
	[ "$status" -eq 78 ]
	[[ "$stderr" == *realm* ]]
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 -H 127.0.0.1:9 --ha1 "$(printf %032d 0)" \
		--realm r -p x --json
	[ "$status" -eq 78 ]
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 --ha1 xyz
	[ "$status" -eq 64 ]
}

@test "a pinned realm refuses other realms" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$BATS_FILE_TMPDIR/alice.pw" --realm other.example --json
	[ "$status" -eq 77 ]
	[[ "$(jqo '.results[0].error')" == *"pinned realm"* ]]
}

@test "SHA-256 only: answered with SHA-256" {
	sipp_reg sha256-only
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = SHA-256 ]
	sipp_verdict
}

@test "SHA-512-256 only: answered with SHA-512-256" {
	sipp_reg sha512-only
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = SHA-512-256 ]
	sipp_verdict
}

@test "SHA-256 then MD5 offered: SHA-256 chosen" {
	sipp_reg sha256-md5
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = SHA-256 ]
	[ "$(jqo '.results[0].auth.offered | map(.algorithm) | join(",")')" = "SHA-256,MD5" ]
	sipp_verdict
}

@test "MD5 then SHA-256 offered: SHA-256 still chosen" {
	sipp_reg md5-sha256
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = SHA-256 ]
	sipp_verdict
}

@test "--min-digest SHA-256 refuses an MD5-only offer, saying what was offered" {
	sipp_reg md5-verify --min-digest SHA-256
	[ "$status" -eq 76 ]
	[ "$(jqo '.results[0].result')" = protocol_error ]
	[[ "$(jqo '.results[0].error')" == *"offered MD5"* ]]
}

@test "--digest-algorithms MD5 picks MD5 out of SHA-256 and MD5" {
	sipp_start md5-sha256
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p sipp-pass -t 5 --json --digest-algorithms MD5
	# the scenario wants SHA-256 and answers 403 otherwise: MD5 was used
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].auth.algorithm')" = MD5 ]
}

@test "MD5 with opaque: SIPp verifies our response with the password" {
	sipp_reg md5-verify
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.algorithm')" = MD5 ]
	[ "$(jqo '.results[0].auth.qop')" = auth ]
	sipp_verdict
}

@test "no qop (RFC 2069): SIPp verifies the answer; no cnonce or nc sent" {
	sipp_reg rfc2069
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.qop')" = null ]
	sipp_verdict
}

@test "qop=auth-int only: answered with auth-int" {
	sipp_reg auth-int
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.qop')" = auth-int ]
	sipp_verdict
}

@test "stale=true with a new nonce is answered once more" {
	sipp_reg stale
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].requests')" = 3 ]
	[ "$(jqo '.results[0].auth.rounds')" = 2 ]
	sipp_verdict
}

@test "stale=true again and again: no loop, and the error blames the nonce, not the password" {
	sipp_reg stale-twice
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = rejected ]
	[ "$(jqo '.results[0].requests')" = 3 ]
	[[ "$(jqo '.results[0].error')" == *"keeps calling our nonce stale"* ]]
	[[ "$(jqo '.results[0].error')" != *password\ or* ]]
}

@test "a new nonce without stale after our answer (registrar restarted): answered once, registered" {
	sipp_reg nonce-new-once
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].requests')" = 3 ]
	sipp_verdict
}

@test "407 Proxy-Authenticate is answered with Proxy-Authorization" {
	sipp_reg proxy-auth
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.realm')" = proxy.test ]
	sipp_verdict
}

@test "WWW-Authenticate and Proxy-Authenticate together: both answered" {
	sipp_reg www-and-proxy
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.offered | length')" = 2 ]
	sipp_verdict
}

@test "credentials per realm: a proxy's 407 and a registrar's 401, each its own" {
	umask 077
	cat >"$BATS_TEST_TMPDIR/realms.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
outbound_auth:
  - { username: alice, password: alice-pw, realm: registrar.test }
  - { username: pxuser, password: proxy-pw, realm: proxy.test }
YAML
	sipp_start realms-proxy-then-registrar
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/realms.yaml" \
		-H "127.0.0.1:$SIPP_PORT" -t 5 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].requests')" = 3 ]
	sipp_verdict
	# the list survives --dump-config, secrets redacted
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/realms.yaml" --dump-config
	[[ "$output" == *"- {username: pxuser, password: <redacted>, realm: proxy.test}"* ]]
	[[ "$output" != *proxy-pw* ]]
}

@test "pjsip.conf outbound_auth=right,other keeps both; Kamailio's realm gets its own" {
	kam_ready UDP
	umask 077
	cat >"$BATS_TEST_TMPDIR/two.conf" <<CONF
[right]
type=auth
auth_type=userpass
username=alice
password=alice-secret
realm=127.0.0.1

[other]
type=auth
auth_type=userpass
username=nobody
password=not-this-one
realm=other.example

[k]
type=registration
server_uri=sip:127.0.0.1:$KAM_UDP
client_uri=sip:alice@127.0.0.1
contact_user=realms$RANDOM
outbound_auth=right,other
CONF
	run --separate-stderr timeout 30 "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/two.conf" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.realm')" = 127.0.0.1 ]
	run --separate-stderr "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/two.conf" --dump-config
	[[ "$output" == *"- {username: alice, password: <redacted>, realm: 127.0.0.1}"* ]]
	[[ "$output" == *"- {username: nobody, password: <redacted>, realm: other.example}"* ]]
	# and the other order: the realm decides, not the order
	sed -i 's/^outbound_auth=right,other$/outbound_auth=other,right/' "$BATS_TEST_TMPDIR/two.conf"
	run --separate-stderr timeout 30 "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/two.conf" --probe --json
	[ "$status" -eq 0 ]
}

@test "nextnonce of Authentication-Info is used by the next request" {
	sipp_reg nextnonce --probe
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
	sipp_verdict
}

@test "an 8 KB nonce: answered, no crash" {
	sipp_reg big-nonce
	[ "$status" -eq 0 ]
	sipp_verdict
}

@test "malformed: a Digest challenge without realm is protocol_error" {
	sipp_reg bad-no-realm
	[ "$status" -eq 76 ]
	[[ "$(jqo '.results[0].error')" == *"no realm"* ]]
}

@test "malformed: a Digest challenge without nonce is protocol_error" {
	sipp_reg bad-no-nonce
	[ "$status" -eq 76 ]
	[[ "$(jqo '.results[0].error')" == *"no nonce"* ]]
}

@test "an unknown scheme only is protocol_error" {
	sipp_reg bad-unknown-scheme
	[ "$status" -eq 76 ]
	[ "$(jqo '.results[0].auth.offered[0].scheme')" = Foo ]
}

@test "an unknown algorithm only (SHA-1) is protocol_error naming it" {
	sipp_reg bad-sha1-only
	[ "$status" -eq 76 ]
	[[ "$(jqo '.results[0].error')" == *"offered SHA-1"* ]]
}

@test "a 401 without WWW-Authenticate is protocol_error" {
	sipp_reg bad-no-header
	[ "$status" -eq 76 ]
	[[ "$(jqo '.results[0].error')" == *"without a WWW-Authenticate"* ]]
}

@test "Bearer: the token is sent and accepted" {
	make_pwfile "$BATS_TEST_TMPDIR/tok" tok-123.abc
	sipp_start bearer
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-t 5 --json --bearer-token-file "$BATS_TEST_TMPDIR/tok"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.scheme')" = Bearer ]
	sipp_verdict
}

@test "Bearer answered with a Digest challenge falls back to digest with the password" {
	sipp_reg bearer-fallback --authorization-jwt tok-1
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].auth.scheme')" = Digest ]
	[[ "$stderr" == *"--authorization-jwt is visible"* || "$stderr" == *"visible to other users"* ]]
	sipp_verdict
}

@test "Bearer answered with a Digest challenge and no password: auth_failed" {
	sipp_start bearer-fallback
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-t 5 --json --authorization-jwt tok-1
	[ "$status" -eq 77 ]
	[[ "$(jqo '.results[0].error')" == *"no password"* ]]
}

@test "no secret in any output at -vv: password, HA1, token" {
	kam_ready UDP
	ha1=$(printf 'alice:127.0.0.1:alice-secret' | sha256sum | cut -d' ' -f1)
	all=""
	for o in text json; do
		run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
			--password-file "$BATS_FILE_TMPDIR/alice.pw" --probe -vvv -o "$o"
		[ "$status" -eq 0 ]
		all+="$output$stderr"
		run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
			--ha1 "$ha1" --realm 127.0.0.1 --probe -vv -o "$o"
		[ "$status" -eq 0 ]
		all+="$output$stderr"
		run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
			-p wrong-secret-pw --authorization-jwt tok-SECRET-42 -vv -o "$o"
		all+="$output$stderr"
	done
	[[ "$all" == *"Authorization: "* ]]
	[[ "$all" == *"<redacted>"* ]]
	[[ "$all" != *alice-secret* ]]
	[[ "$all" != *"$ha1"* ]]
	[[ "$all" != *tok-SECRET-42* ]]
	[[ "$all" != *wrong-secret-pw* ]]
}
