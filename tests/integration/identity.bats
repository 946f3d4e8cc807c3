#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# One binding per registration identity (AOR, contact user, transport, this
# host): running sipreg again, or restarting a killed sipregwatch, replaces
# the earlier binding instead of adding one; sipunreg removes only it.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
}

teardown_file() {
	kam_stop
}

setup() {
	PW="$BATS_FILE_TMPDIR/alice.pw"
	CU="id${BATS_TEST_NUMBER}r$RANDOM"
	WPID=
}

teardown() {
	sipp_and_watch_stop
}

# sipreg for contact user $CU at server URI $1, extra args after it.
reg_at() {
	local server=$1
	shift
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s "$server" \
		--password-file "$PW" --contact-user "$CU" -x 600 --json "$@"
}

# Three runs, one binding: the first replaces nothing, the others one each.
three_runs_one_binding() {
	local nth
	# (not "i": bats' run uses that name)
	for nth in 1 2 3; do
		reg_at "$@"
		[ "$status" -eq 0 ]
		[ "$(jqo '.results[0].replaced')" -eq $((nth == 1 ? 0 : 1)) ]
	done
	[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 1 ]
	kam_bindings alice | grep -qF "$(jqo '.results[0].contact')"
}

@test "UDP: three sipreg runs leave one binding" {
	kam_ready UDP
	three_runs_one_binding "sip:127.0.0.1:$KAM_UDP"
}

@test "TCP: three sipreg runs leave one binding" {
	kam_ready TCP
	three_runs_one_binding "sip:127.0.0.1:$KAM_TCP;transport=tcp"
}

@test "TLS: three sipreg runs leave one binding" {
	kam_ready TLS
	three_runs_one_binding "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA"
}

@test "the identity is the transport's too: UDP and TCP keep one binding each" {
	kam_ready TCP
	reg_at "sip:127.0.0.1:$KAM_UDP"
	reg_at "sip:127.0.0.1:$KAM_TCP;transport=tcp"
	reg_at "sip:127.0.0.1:$KAM_UDP"
	[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 2 ]
}

@test "two hosts (local addresses 127.0.0.1 and 127.0.0.2) keep one binding each" {
	kam_ready UDP
	reg_at "sip:127.0.0.1:$KAM_UDP" --local-address 127.0.0.1
	reg_at "sip:127.0.0.1:$KAM_UDP" --local-address 127.0.0.2
	# local_address is a YAML key and SIPREG_LOCAL_ADDRESS too
	printf 'client_uri: sip:alice@127.0.0.1\nserver_uri: sip:127.0.0.1:%s\ncontact_user: %s\npassword_file: %s\nlocal_address: 127.0.0.1\n' \
		"$KAM_UDP" "$CU" "$PW" >"$BATS_TEST_TMPDIR/h1.yaml"
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/h1.yaml" --json
	[ "$status" -eq 0 ]
	[[ "$(jqo '.results[0].local_address')" == 127.0.0.1:* ]]
	[ "$(jqo '.results[0].replaced')" -eq 1 ]
	run --separate-stderr env SIPREG_LOCAL_ADDRESS=127.0.0.2 timeout 30 "$SIPREG" \
		-u sip:alice@127.0.0.1 -s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" \
		--contact-user "$CU" --json
	[ "$status" -eq 0 ]
	[[ "$(jqo '.results[0].local_address')" == 127.0.0.2:* ]]
	[ "$(jqo '.results[0].replaced')" -eq 1 ]
	[ "$(kam_bindings alice | grep -c "sip:$CU@127.0.0.1:")" -eq 1 ]
	[ "$(kam_bindings alice | grep -c "sip:$CU@127.0.0.2:")" -eq 1 ]
}

@test "--probe leaves the registered binding of the identity alone" {
	kam_ready UDP
	reg_at "sip:127.0.0.1:$KAM_UDP"
	kept=$(jqo '.results[0].contact')
	reg_at "sip:127.0.0.1:$KAM_UDP" --probe
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].unregister.removed')" = true ]
	[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 1 ]
	kam_bindings alice | grep -qxF "$kept"
}

@test "sipregwatch killed with -9 and started again leaves one binding" {
	kam_ready UDP
	printf 'client_uri: sip:alice@127.0.0.1\nserver_uri: sip:127.0.0.1:%s\ncontact_user: %s\npassword_file: %s\nmax_random_initial_delay: 0\nexpiration: 600\n' \
		"$KAM_UDP" "$CU" "$PW" >"$BATS_TEST_TMPDIR/w.yaml"
	EV="$BATS_TEST_TMPDIR/ev1"
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" </dev/null 2>/dev/null &
	WPID=$!
	wait_event registered
	kill -KILL "$WPID"
	wait "$WPID" 2>/dev/null || true
	[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 1 ]
	EV="$BATS_TEST_TMPDIR/ev2"
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" </dev/null 2>/dev/null &
	WPID=$!
	wait_event registered
	# the removal of the earlier binding follows the registration at once
	for _ in $(seq 1 50); do
		[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 1 ] && break
		sleep 0.1
	done
	kill -KILL "$WPID"
	WPID=
	[ "$(kam_bindings alice | grep -c ":$CU@")" -eq 1 ]
}

@test "a registrar that matches by URI only: the earlier binding is removed by name" {
	sipp_start registrar-uri-only u1 2
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p x -t 5 --json -vv
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].replaced')" -eq 1 ]
	[ "$(jqo '.results[0].requests')" -eq 2 ]
	[[ "$stderr" == *"Expires: 0"* ]]
	wait "$SIPP_PID"
	SIPP_PID=
}
