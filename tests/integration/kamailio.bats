#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipreg against a real Kamailio registrar on loopback (started per file).

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
	make_pwfile "$BATS_FILE_TMPDIR/wrong.pw" not-the-password
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready UDP
	# A Contact user of this test's own, to find its binding in Kamailio.
	CU="t${BATS_TEST_NUMBER}r$RANDOM"
	PW="$BATS_FILE_TMPDIR/alice.pw"
}

reg() {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" "$@"
}

@test "UDP: right password registers (0) and the binding stays on the registrar" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].ok')" = true ]
	[ "$(jqo '.results[0].status')" = 200 ]
	[ "$(jqo '.results[0].transport')" = udp ]
	[ "$(jqo '.results[0].expires_requested')" = 3600 ]
	[ "$(jqo '.results[0].expires_granted')" = 3600 ]
	[ "$(jqo '.results[0].requests')" = 2 ]
	[ "$(jqo '.results[0].auth.scheme')" = Digest ]
	[ "$(jqo '.results[0].auth.realm')" = 127.0.0.1 ]
	[ "$(jqo '.results[0].auth.algorithm')" = MD5 ]
	[ "$(jqo '.results[0].auth.qop')" = auth ]
	[ "$(jqo '.results[0].auth.rounds')" = 1 ]
	[[ "$(jqo '.results[0].server')" == kamailio* ]]
	[[ "$(jqo '.results[0].received')" == 127.0.0.1:* ]]
	[[ "$(jqo '.results[0].contact')" == "sip:$CU@127.0.0.1:"* ]]
	[ "$(jqo "[.results[0].bindings[] | select(.own)] | length")" = 1 ]
	[[ "$(jqo '.results[0].bindings[] | select(.own) | .uri')" == "sip:$CU@"* ]]
	[ "$(jqo '.results[0].timing_ms.total >= .results[0].timing_ms.final_response')" = true ]
	kam_bindings alice | grep -q "sip:$CU@"
}

@test "UDP: --probe registers and removes the same binding" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
	[ "$(jqo '.results[0].unregister.status')" = 200 ]
	[ "$(jqo '.results[0].requests')" -ge 3 ]
	kam_lacks alice "sip:$CU@"
}

@test "--list-bindings reports the bindings and changes nothing" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -x 600
	[ "$status" -eq 0 ]
	before=$(kam_bindings alice | sort)
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --list-bindings --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = bindings_listed ]
	[ "$(jqo '.results[0].contact')" = null ]
	[ "$(jqo '.results[0].expires_requested')" = null ]
	jqo '.results[0].bindings[].uri' | grep -q "sip:$CU@"
	[ "$(kam_bindings alice | sort)" = "$before" ]
}

@test "TCP: registers over TCP with a TCP contact" {
	reg -H "127.0.0.1:$KAM_TCP" --transport tcp --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].transport')" = tcp ]
	[[ "$(jqo '.results[0].contact')" == *"transport=tcp"* ]]
	kam_bindings alice | grep "sip:$CU@" | grep -q "transport=tcp"
}

@test "TCP: ;transport=tcp in the server URI selects TCP" {
	reg -s "sip:127.0.0.1:$KAM_TCP;transport=tcp" --password-file "$PW" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].transport')" = tcp ]
}

@test "TLS: a self-signed server certificate fails as tls_error (76), before the deadline" {
	# Sofia-SIP alone reports a failed verification as a 408 after 32 s;
	# our own check ends the run before the tool's deadline (-t 20), which
	# a busy machine cannot make flaky: a run that hit it would say timeout
	reg -s "sips:127.0.0.1:$KAM_TLS" --password-file "$PW" --json -t 20
	[ "$status" -eq 76 ]
	[ "$(jqo '.results[0].result')" = tls_error ]
	[[ "$(jqo '.results[0].error')" == *"self-signed"* ]]
	[ "$(jqo '.results[0].timing_ms.total')" -lt 20000 ]
	kam_lacks alice "sip:$CU@"
}

@test "TLS: passes with --tls-ca-file naming the CA, by IP and by name" {
	reg -s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].transport')" = tls ]
	kam_bindings alice | grep -q "$CU@"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@localhost -s "sips:localhost:$KAM_TLS" \
		--tls-ca-file "$KAM_CA" --password-file "$PW" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
}

@test "TLS: --transport tls with a sip: URI, and --insecure (with a warning)" {
	reg -s "sip:127.0.0.1:$KAM_TLS" --transport tls --insecure --password-file "$PW" --probe
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"verification is off"* ]]
}

@test "wrong password: auth_failed (77), the binding is not there" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$BATS_FILE_TMPDIR/wrong.pw" --json
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].result')" = auth_failed ]
	[ "$(jqo '.results[0].status')" = 401 ]
	# Kamailio's nonce carries the second it was made in: when the second
	# turns between its two challenges, the second is a new nonce, which we
	# answer once more (a registrar that restarted does the same)
	[ "$(jqo '.results[0].auth.rounds')" -ge 1 ]
	[ "$(jqo '.results[0].auth.rounds')" -le 2 ]
	[ "$(jqo '.results[0].requests')" -eq $(($(jqo '.results[0].auth.rounds') + 1)) ]
	[[ "$(jqo '.results[0].error')" == *"wrong password"* ]]
	kam_lacks alice "sip:$CU@"
}

@test "unknown user: the challenge cannot be answered: auth_failed (77)" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:nobody@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --json
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].result')" = auth_failed ]
}

@test "a user the registrar does not know answers 404: not_found (69)" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:ghost@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_found ]
}

@test "403 is forbidden (77)" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:blocked@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --json
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].result')" = forbidden ]
}

@test "no password and a challenge: auth_failed (77) saying so" {
	reg -H "127.0.0.1:$KAM_UDP" --json
	[ "$status" -eq 77 ]
	[[ "$(jqo '.results[0].error')" == *"no password"* ]]
}

@test "Kamailio's 423 is followed once with Min-Expires" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -x 10 --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].expires_requested')" = 10 ]
	[ "$(jqo '.results[0].expires_granted')" = 60 ]
}

@test "a granted expiry below the request is reported" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -x 9000 --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].expires_granted')" = 7200 ]
}

@test "-vv prints the SIP messages with the digest response redacted" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -vv --probe
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"REGISTER sip:127.0.0.1:$KAM_UDP"* ]]
	[[ "$stderr" == *"SIP/2.0 401 Unauthorized"* ]]
	[[ "$stderr" == *'Authorization: Digest username="alice"'* ]]
	[[ "$stderr" == *'response="<redacted>"'* ]]
	[ "$(grep -cE 'response="[0-9a-f]{32}"' <<<"$stderr")" = 0 ]
	[[ "$stderr$output" != *alice-secret* ]]
}

@test "-v prints the message flow, no message bodies" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -v --probe
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"<- 401 Unauthorized"* ]]
	[[ "$stderr" == *"<- 200 OK"* ]]
	[[ "$stderr" != *"Call-ID"* ]]
	[[ "$output" == *"binding:"* ]]
}

@test "IPv6: registers over [::1]" {
	[ "${KAM_V6:-0}" = 1 ] || skip "no IPv6 loopback"
	run --separate-stderr timeout 30 "$SIPREG" -u "sip:alice@127.0.0.1" -s "sip:[::1]:$KAM_UDP" \
		--contact-user "$CU" --password-file "$PW" -6 --json
	[ "$status" -eq 0 ]
	[[ "$(jqo '.results[0].contact')" == *"[::1]"* ]]
}

@test "--local-address picks our address and port" {
	port=$(free_udp_port)
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --local-address "127.0.0.1:$port" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].local_address')" = "127.0.0.1:$port" ]
}

@test "a closed UDP port is transport_error (75), in words that are true" {
	port=$(free_udp_port)
	reg -H "127.0.0.1:$port" --password-file "$PW" --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].result')" = transport_error ]
	# no server answered: no SIP status is reported, none is printed
	[ "$(jqo '.results[0].status')" = null ]
	[[ "$(jqo '.results[0].error')" == *"port is closed (ICMP port unreachable)"* ]]
	reg -H "127.0.0.1:$port" --password-file "$PW" -vv
	[ "$status" -eq 75 ]
	# (not *503* alone: a tag, branch or Call-ID in the trace may hold it)
	[[ "$output$stderr" != *"503 Service"* ]]
	[[ "$output$stderr" != *"SIP/2.0 503"* ]]
	[[ "$output$stderr" != *"(503"* ]]
	[[ "$output$stderr" != *"<- 503"* ]]
	[[ "$stderr" == *"<- no SIP response: nothing answers at"* ]]
	# -v prints nothing for what did not happen
	reg -H "127.0.0.1:$port" --password-file "$PW" -v
	[[ "$output" != *"-1"* ]]
	[[ "$output" == *"expires: requested 3600"* ]]
	[[ "$output" != *"first response"* ]]
}

@test "a closed TCP port: connection refused, no SIP status" {
	port=$(free_udp_port)
	reg -s "sip:127.0.0.1:$port;transport=tcp" --password-file "$PW" --json
	[ "$status" -eq 75 ]
	[ "$(jqo '.results[0].status')" = null ]
	err=$(jqo '.results[0].error')
	[[ "${err,,}" == *"connection refused"* ]]
}

@test "localhost resolves through /etc/hosts, not DNS" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s "sip:localhost:$KAM_UDP" \
		--contact-user "$CU" --password-file "$PW" --probe -4 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].registrar')" = "sip:localhost:$KAM_UDP" ]
}

@test "a YAML file with two registrations: both registered in one run, one result each" {
	cat >"$BATS_TEST_TMPDIR/two.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  expiration: 300
registrations:
  first:
    client_uri: sip:alice@127.0.0.1
    contact_user: ${CU}a
    outbound_auth: { password_file: $PW }
  second:
    client_uri: sip:bob@127.0.0.1
    contact_user: ${CU}b
    transport: tcp
    server_uri: sip:127.0.0.1:$KAM_TCP
    outbound_auth: { password_env: BOB_PW }
YAML
	BOB_PW=bob-secret run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/two.yaml" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results | length')" = 2 ]
	[ "$(jqo '.results[0].name')" = first ]
	[ "$(jqo '.results[1].name')" = second ]
	[ "$(jqo '[.results[].result] | join(",")')" = "registered,registered" ]
	[ "$(jqo '.results[1].transport')" = tcp ]
	kam_bindings alice | grep -q "sip:${CU}a@"
	kam_bindings bob | grep -q "sip:${CU}b@"
	# -n picks one; --probe removes its own binding and leaves the earlier one
	BOB_PW=bob-secret run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/two.yaml" -n second --probe --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results | length')" = 1 ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
	[ "$(kam_bindings bob | grep -c "sip:${CU}b@")" -eq 1 ]
}

@test "two registrations, one refused: the exit code is the most severe, both reported" {
	cat >"$BATS_TEST_TMPDIR/mixed.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  contact_user: $CU
registrations:
  - { name: good, client_uri: "sip:alice@127.0.0.1", password_file: "$PW" }
  - { name: ghost, client_uri: "sip:ghost@127.0.0.1", password_file: "$PW" }
  - { name: wrong, client_uri: "sip:bob@127.0.0.1", password_file: "$PW" }
YAML
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/mixed.yaml" --probe --json
	# 69 (not_found) is more severe than 77 (auth_failed)
	[ "$status" -eq 69 ]
	[ "$(jqo '.exit_code')" = 69 ]
	[ "$(jqo '[.results[].result] | join(",")')" = "registered,not_found,auth_failed" ]
}

@test "an invalid entry stops the run before anything is sent" {
	cat >"$BATS_TEST_TMPDIR/bad.yaml" <<YAML
registrations:
  - { name: ok, client_uri: "sip:alice@127.0.0.1", server_uri: "sip:127.0.0.1:$KAM_UDP", contact_user: $CU, password_file: "$PW" }
  - { name: broken, client_uri: "sip:alice@127.0.0.1", expiration: soon }
YAML
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/bad.yaml" --json
	[ "$status" -eq 78 ]
	# a configuration error: one line on stderr, no JSON document
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"bad.yaml:3:"*"expiration: expected a non-negative integer"* ]]
	kam_lacks alice "sip:$CU@"
}

@test "a password file readable by others stops the run before anything is sent" {
	cp "$PW" "$BATS_TEST_TMPDIR/open.pw"
	chmod 644 "$BATS_TEST_TMPDIR/open.pw"
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$BATS_TEST_TMPDIR/open.pw"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"chmod 600"* ]]
	kam_lacks alice "sip:$CU@"
}

@test "display name, extra headers, instance id and Contact params reach the registrar" {
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --display-name 'Alice "A"' -X 'X-Test: 1' \
		--instance-id 6ba7b810-9dad-11d1-80b4-00c04fd430c8 --contact-header-params 'q=0.7' -vv --json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *'From: "Alice \"A\"" <sip:alice@127.0.0.1>'* ]]
	[[ "$stderr" == *"X-Test: 1"* ]]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .instance')" = "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8" ]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .q')" = 0.7 ]
}

@test "on a terminal with no password configured, sipreg asks with echo off" {
	need script
	# the password is typed once the prompt shows (script's typescript)
	local ts="$BATS_TEST_TMPDIR/typescript"
	run env NO_COLOR=1 timeout 20 script -qefc "$SIPREG -u sip:alice@127.0.0.1 -H 127.0.0.1:$KAM_UDP --contact-user $CU --probe" "$ts" \
		< <(for _ in $(seq 150); do grep -q "Password for" "$ts" 2>/dev/null && break; sleep 0.1; done
			printf 'alice-secret\n')
	[ "$status" -eq 0 ]
	[[ "$output" == *"Password for sip:alice@127.0.0.1"* ]]
	[[ "$output" == *"registered (200 OK)"* ]]
	[[ "$output" != *alice-secret* ]]
}

@test "is alice's phone registered? --list-bindings -o nagios with --min-bindings and --min-expires" {
	kam_ready UDP
	# the phone: another program's binding, for 600 s
	reg -H "127.0.0.1:$KAM_UDP" --password-file "$PW" --contact-uri "sip:$CU@127.0.0.1:5070" -x 600
	[ "$status" -eq 0 ]
	reg --list-bindings -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -o nagios --min-bindings 1 \
		--min-expires 300
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREG OK - "* ]]
	reg --list-bindings -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -o nagios --min-bindings 1000
	[ "$status" -eq 2 ]
	[[ "$output" == "SIPREG CRITICAL - "*"fewer than --min-bindings 1000"* ]]
	reg --list-bindings -H "127.0.0.1:$KAM_UDP" --password-file "$PW" -o nagios --min-expires 100000
	[ "$status" -eq 2 ]
	[[ "$output" == *"below --min-expires 100000"* ]]
	# nothing changed on the registrar
	kam_bindings alice | grep -qx "sip:$CU@127.0.0.1:5070"
}
