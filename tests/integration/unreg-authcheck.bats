#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipunreg and sipauthcheck against Kamailio (bindings checked with kamcmd)
# and SIPp (challenged removal, bindings that stay, servers that misbehave).

bats_require_minimum_version 1.5.0
load ../helpers

SIPUNREG="$SIPREG_BUILDDIR/sipunreg"
SIPAUTHCHECK="$SIPREG_BUILDDIR/sipauthcheck"

setup_file() {
	# a log line a request: kam_register_count counts them
	KAM_LOG_REQUESTS=1 kam_start_alice
}

teardown_file() {
	kam_stop
}

setup() {
	PW="$BATS_FILE_TMPDIR/alice.pw"
	CU="u${BATS_TEST_NUMBER}r$RANDOM"
}

teardown() {
	sipp_stop
}

kreg() { # contact user, extra args
	local cu=$1
	shift
	timeout 30 "$SIPREG" -q -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" --password-file "$PW" \
		--contact-user "$cu" -x 600 "$@"
}

@test "sipunreg removes the binding of this identity and leaves the others" {
	kam_ready UDP
	kreg "$CU"
	kreg "$CU"          # again: the earlier binding is replaced, not added to
	kreg "${CU}x"       # not ours: another contact user
	# not ours either: a phone of the same user at this host, another program
	kreg "$CU" --contact-uri "sip:$CU@127.0.0.1:5070"
	[ "$(kam_bindings alice | grep -c "sip:$CU@")" -eq 2 ]
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --contact-user "$CU" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.tool')" = sipunreg ]
	[ "$(jqo '.results[0].result')" = unregistered ]
	[ "$(jqo '.results[0].removed | length')" = 1 ]
	[[ "$(jqo '.results[0].removed[0]')" == "sip:$CU@127.0.0.1:"*";sipreg-id="* ]]
	[ "$(jqo '.results[0].requests')" = 3 ]
	jqo '.results[0].bindings[].uri' | grep -q "sip:${CU}x@"
	jqo '.results[0].bindings[].uri' | grep -qx "sip:$CU@127.0.0.1:5070"
	[ "$(kam_bindings alice | grep -c "sip:$CU@")" -eq 1 ]
	kam_bindings alice | grep -qx "sip:$CU@127.0.0.1:5070"
}

@test "sipunreg with nothing of ours to remove: unregistered (0), removed []" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --contact-user "nobody$CU" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = unregistered ]
	[ "$(jqo '.results[0].removed | length')" = 0 ]
	[ "$(jqo '.results[0].requests')" = 2 ]
}

@test "sipunreg --contact removes exactly that binding" {
	kam_ready UDP
	kreg "$CU"
	kreg "${CU}b"
	uri=$(kam_bindings alice | grep "sip:${CU}b@" | head -1)
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --contact "$uri" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].removed[0]')" = "$uri" ]
	kam_lacks alice "sip:${CU}b@"
	kam_bindings alice | grep -q "sip:$CU@"
}

@test "sipunreg --all removes every binding of the AOR" {
	kam_ready UDP
	timeout 30 "$SIPREG" -q -u sip:bob@127.0.0.1 -H "127.0.0.1:$KAM_UDP" -p bob-secret --contact-user a 2>/dev/null
	timeout 30 "$SIPREG" -q -u sip:bob@127.0.0.1 -H "127.0.0.1:$KAM_UDP" -p bob-secret --contact-user b 2>/dev/null
	[ "$(kam_bindings bob | wc -l)" -ge 2 ]
	local before after
	before=$(kam_register_count)
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:bob@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		-p bob-secret --all --json
	after=$(kam_register_count)
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].removed[0]')" = "*" ]
	# requests counts what went on the wire: what the registrar received
	[ "$(jqo '.results[0].requests')" -eq $((after - before)) ]
	[ "$(jqo '.results[0].bindings | length')" = 0 ]
	[ "$(kam_bindings bob | wc -l)" -eq 0 ]
}

@test "sipunreg --contact of a binding that does not exist removes nothing, and says so" {
	kam_ready UDP
	kreg "$CU"
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --contact sip:nothere@127.0.0.9:5999 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = unregistered ]
	[ "$(jqo '.results[0].removed | length')" = 0 ]
	kam_bindings alice | grep -q "sip:$CU@"
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --contact sip:nothere@127.0.0.9:5999
	[[ "$output" == *"removed 0"* ]]
}

@test "sipunreg --all and --contact exclude each other; --probe is sipreg's" {
	run --separate-stderr "$SIPUNREG" -u sip:a@example.com --all --contact sip:a@example.com
	[ "$status" -eq 64 ]
	run --separate-stderr "$SIPUNREG" -u sip:a@example.com --probe
	[ "$status" -eq 64 ]
}

@test "sipunreg from YAML with -n, several registrations in one run" {
	kam_ready UDP
	kreg "${CU}1"
	kreg "${CU}2"
	cat >"$BATS_TEST_TMPDIR/u.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  client_uri: sip:alice@127.0.0.1
  password_file: $PW
registrations:
  one: { contact_user: ${CU}1 }
  two: { contact_user: ${CU}2 }
  three: { contact_user: ${CU}3 }
YAML
	run --separate-stderr timeout 30 "$SIPUNREG" -f "$BATS_TEST_TMPDIR/u.yaml" -n one -n two --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results | length')" = 2 ]
	[ "$(jqo '[.results[].removed | length] | join(",")')" = "1,1" ]
	kam_lacks alice "sip:${CU}[12]@"
}

@test "sipunreg: a challenged listing and a challenged removal are both answered" {
	sipp_start unreg-challenged
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		--contact-uri "sip:alice@127.0.0.1:5999;transport=udp" -p sipp-pass -t 5 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].removed[0]')" = "sip:alice@127.0.0.1:5999;transport=udp" ]
	[ "$(jqo '.results[0].bindings[0].uri')" = "sip:other@192.0.2.1:5060" ]
	[ "$(jqo '.results[0].requests')" = 4 ]
}

@test "sipunreg: a binding still there after the removal is rejected (69)" {
	sipp_start unreg-remains
	run --separate-stderr timeout 30 "$SIPUNREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		--contact-uri "sip:alice@127.0.0.1:5999;transport=udp" -t 5 --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = rejected ]
	[[ "$(jqo '.results[0].error')" == *"still holds sip:alice@127.0.0.1:5999"* ]]
}

@test "sipauthcheck: valid credentials, no binding created or changed (kamcmd)" {
	kam_ready UDP
	kreg "$CU"
	before=$(kamcmd -s "unix:$KAM_DIR/ctl.sock" ul.dump | grep -E "Address|CSeq|Call-ID" | sort)
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.tool')" = sipauthcheck ]
	[ "$(jqo '.results[0].result')" = credentials_valid ]
	[ "$(jqo '.results[0].auth.realm')" = 127.0.0.1 ]
	[ "$(jqo '.results[0].auth.offered[0].algorithm')" = MD5 ]
	[ "$(jqo '.results[0].auth.algorithm')" = MD5 ]
	[ "$(jqo '.results[0].timing_ms.total >= 0')" = true ]
	[[ "$(jqo '.results[0].warnings[0]')" == *"only MD5 digest over udp"* ]]
	after=$(kamcmd -s "unix:$KAM_DIR/ctl.sock" ul.dump | grep -E "Address|CSeq|Call-ID" | sort)
	[ "$before" = "$after" ]
}

@test "sipauthcheck -o nagios: a right password on an MD5-only registrar is OK" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" -o nagios
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPAUTHCHECK OK - "*credentials_valid*"MD5"* ]]
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" -o nagios --strict
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPAUTHCHECK WARNING - "* ]]
}

@test "sipauthcheck: a wrong password is auth_failed (77); the text says why" {
	kam_ready UDP
	WRONG=nope run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$KAM_UDP" --password-env WRONG
	[ "$status" -eq 77 ]
	[[ "$output" == *"auth_failed"* ]]
	[[ "$output" == *"wrong password"* ]]
}

@test "sipauthcheck --method OPTIONS checks with OPTIONS" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$PW" --method OPTIONS -vv --json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"OPTIONS sip:127.0.0.1:$KAM_UDP SIP/2.0"* ]]
	[[ "$stderr" != *"REGISTER sip:"* ]]
	[ "$(jqo '.results[0].result')" = credentials_valid ]
}

@test "sipauthcheck over TLS: no MD5 warning" {
	kam_ready TLS
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -s "sips:127.0.0.1:$KAM_TLS" \
		--tls-ca-file "$KAM_CA" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].warnings | length')" = 0 ]
}

@test "sipauthcheck: a server asking for no authentication leaves the credentials unchecked" {
	sipp_start auth-nochallenge
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p x -t 5 --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = credentials_unchecked ]
	[[ "$(jqo '.results[0].error')" == *"without any challenge"* ]]
}

@test "sipauthcheck: 403 after our answer warns of user enumeration" {
	sipp_start auth-403
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p x -t 5 --json
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].result')" = forbidden ]
	jqo '.results[0].warnings[]' | grep -q "user enumeration"
}

@test "sipauthcheck: a reused nonce is reported; one attempt only" {
	sipp_start auth-nonce-reuse
	run --separate-stderr timeout 30 "$SIPAUTHCHECK" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p x -t 5 --json
	[ "$status" -eq 77 ]
	[ "$(jqo '.results[0].requests')" = 2 ]
	jqo '.results[0].warnings[]' | grep -q "reused a nonce"
}

@test "sipauthcheck --print-ha1 computes HA1 offline for each algorithm" {
	for a in MD5 SHA-256; do
		run --separate-stderr "$SIPAUTHCHECK" --print-ha1 -U alice --realm example.com \
			--password-file "$PW" --algorithm "$a" -u sip:alice@example.com
		[ "$status" -eq 0 ]
		sum=$(printf 'alice:example.com:alice-secret' | { [ $a = MD5 ] && md5sum || sha256sum; } | cut -d' ' -f1)
		[ "$output" = "$sum" ]
	done
	run --separate-stderr "$SIPAUTHCHECK" --print-ha1 -U alice --realm example.com \
		--password-file "$PW" --algorithm SHA-512-256 -u sip:alice@example.com
	[ "$status" -eq 0 ]
	[ "${#output}" -eq 64 ]
	run --separate-stderr "$SIPAUTHCHECK" --print-ha1 -U alice --password-file "$PW" -u sip:alice@example.com
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--realm"* ]]
}

@test "sipauthcheck checks one credential per run" {
	cat >"$BATS_TEST_TMPDIR/two.yaml" <<'YAML'
registrations:
  a: { client_uri: "sip:a@example.com" }
  b: { client_uri: "sip:b@example.com" }
YAML
	run --separate-stderr "$SIPAUTHCHECK" -f "$BATS_TEST_TMPDIR/two.yaml"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"one credential per run"* ]]
}
