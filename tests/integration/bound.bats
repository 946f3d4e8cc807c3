#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# "registered" means the registrar holds our binding: a 2xx that keeps no
# binding of ours, or grants it 0 s, is not_bound, over UDP and TCP, in
# every output; the one rule of "ours" serves --list-bindings too.

bats_require_minimum_version 1.5.0
load ../helpers

WATCH="$SIPREG_BUILDDIR/sipregwatch"

setup_file() {
	kam_start_alice
}

teardown_file() {
	kam_stop
}

setup() {
	EV="$BATS_TEST_TMPDIR/events.jsonl"
	WPID=
}

teardown() {
	sipp_and_watch_stop
}

# sipregwatch for alice at the SIPp scenario started last, with the YAML
# lines "$@" too, in the background: events in $EV, its PID in $WPID.
watch_on_sipp() {
	{
		printf 'client_uri: sip:alice@127.0.0.1\nserver_uri: sip:127.0.0.1:%s\n' "$SIPP_PORT"
		printf 'max_random_initial_delay: 0\npassword: x\n'
		printf '%s\n' "$@"
	} >"$BATS_TEST_TMPDIR/w.yaml"
	chmod 600 "$BATS_TEST_TMPDIR/w.yaml"
	"$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" >/dev/null 2>&1 </dev/null &
	WPID=$!
}

# sipreg against the SIPp scenario $1 over transport $2 (udp, tcp), JSON.
bound_once() {
	local tp=$2 sipp_tp=u1
	[ "$tp" = tcp ] && sipp_tp=t1
	sipp_start "$1" "$sipp_tp"
	run --separate-stderr timeout 20 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		--transport "$tp" --password-env NOPW -t 3 "${@:3}"
}

@test "a 200 that lists only another device's binding: not_bound, exit 69 (udp)" {
	NOPW=x bound_once bound-foreign udp --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_bound ]
	[ "$(jqo '.results[0].ok')" = false ]
	[ "$(jqo '.results[0].expires_granted')" = null ]
	[ "$(jqo '.results[0].bindings | length')" = 1 ]
	[ "$(jqo '.results[0].bindings[0].uri')" = "sip:alice@192.0.2.7:5070;transport=udp" ]
	[ "$(jqo '.results[0].bindings[0].own')" = false ]
	[[ "$(jqo '.results[0].error')" == *"did not keep our binding"* ]]
}

@test "a 200 that lists only another device's binding: not_bound, exit 69 (tcp)" {
	NOPW=x bound_once bound-foreign tcp --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_bound ]
	[ "$(jqo '.results[0].transport')" = tcp ]
}

@test "the same in Nagios form: CRITICAL, the registrar did not keep our binding" {
	NOPW=x bound_once bound-foreign udp -o nagios
	[ "$status" -eq 2 ]
	[[ "$output" == "SIPREG CRITICAL - "* ]]
	[[ "$output" == *"registrar did not keep our binding"* ]]
}

@test "the same in env form: SIPREG_RESULT=not_bound" {
	NOPW=x bound_once bound-foreign udp -o env
	[ "$status" -eq 69 ]
	grep -qx "SIPREG_RESULT='not_bound'" <<<"$output"
}

@test "our Contact granted expires=0: not_bound, granted 0 (udp)" {
	NOPW=x bound_once bound-expires0 udp --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_bound ]
	[ "$(jqo '.results[0].expires_granted')" = 0 ]
	[ "$(jqo '.results[0].bindings[0].own')" = true ]
	[[ "$(jqo '.results[0].error')" == *"granted ours 0 s"* ]]
}

@test "our Contact granted expires=0: not_bound (tcp)" {
	NOPW=x bound_once bound-expires0 tcp --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_bound ]
}

@test "Expires: 0 and our Contact without a parameter: not_bound" {
	NOPW=x bound_once bound-header0 udp --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].result')" = not_bound ]
	[ "$(jqo '.results[0].expires_granted')" = 0 ]
}

@test "sipregwatch: a grant of 0 s is a failure under the retry policy, not a storm" {
	sipp_start bound-expires0-watch
	watch_on_sipp "retry_interval: 60"
	wait_event retry_scheduled "" 10
	[ "$(count_events registered)" -eq 0 ]
	[ "$(count_events failed)" -eq 1 ]
	[ "$(jq -s -r '[.[] | select(.event == "failed")][0].result' "$EV")" = not_bound ]
	[ "$(jq -s -r '[.[] | select(.event == "retry_scheduled")][0].in' "$EV")" = 60 ]
}

@test "--list-bindings marks the binding sipreg just made as ours, as sipunreg removes it" {
	kam_ready UDP
	local args=(-u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" --password-file "$BATS_FILE_TMPDIR/alice.pw" --json)
	run --separate-stderr "$SIPREG" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(kam_bindings alice | wc -l)" -eq 1 ]
	run --separate-stderr "$SIPREG" "${args[@]}" --list-bindings
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].bindings | length')" = 1 ]
	[ "$(jqo '.results[0].bindings[0].own')" = true ]
	run --separate-stderr "$SIPREG_BUILDDIR/sipunreg" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].removed | length')" = 1 ]
	[ "$(kam_bindings alice | wc -l)" -eq 0 ]
}

@test "sipregwatch: a new nonce after our answer is answered once, not rejected for good" {
	sipp_start nonce-new-once
	watch_on_sipp
	wait_event registered "" 10
	[ "$(count_events rejected)" -eq 0 ]
	[ "$(count_events failed)" -eq 0 ]
}

# sipreg --support-outbound against the 439 scenario over transport $1.
outbound_439() {
	local sipp_tp=u1
	[ "$1" = tcp ] && sipp_tp=t1
	sipp_start outbound-439 "$sipp_tp"
	NOPW=x run --separate-stderr timeout 20 "$SIPREG" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$SIPP_PORT" --transport "$1" --password-env NOPW -t 3 \
		--support-outbound --json
}

@test "439 to an outbound REGISTER: registered again without reg-id, and why (udp)" {
	outbound_439 udp
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	[ "$(jqo '.results[0].requests')" = 2 ]
	[ "$(jqo '.results[0].outbound.used')" = false ]
	[ "$(jqo '.results[0].outbound.dropped')" = "439 First Hop Lacks Outbound Support" ]
	# SIPp checked that the first REGISTER had reg-id and the second none
	sipp_verdict
}

@test "439 to an outbound REGISTER: registered again without reg-id (tcp)" {
	outbound_439 tcp
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].outbound.dropped')" = "439 First Hop Lacks Outbound Support" ]
	sipp_verdict
}

@test "sipregwatch: 439 is not a rejection; the registered event says outbound was dropped" {
	sipp_start outbound-439
	watch_on_sipp "support_outbound: yes"
	wait_event registered "" 10
	[ "$(count_events rejected)" -eq 0 ]
	[ "$(jq -s -r '[.[] | select(.event == "registered")][0].outbound_dropped' "$EV")" = "439 First Hop Lacks Outbound Support" ]
}

@test "--probe: a 200 to our removal that still lists our binding is not a removal" {
	sipp_start unreg-kept
	NOPW=x run --separate-stderr timeout 20 "$SIPREG" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$SIPP_PORT" --password-env NOPW -t 3 --probe --json
	[ "$status" -eq 69 ]
	[ "$(jqo '.results[0].unregister.status')" = 200 ]
	[ "$(jqo '.results[0].unregister.removed')" = false ]
	[[ "$(jqo '.results[0].error')" == *"still lists our binding"* ]]
}

@test "sipregwatch SIGTERM: the unregistered event says removed false, and why, when the 200 keeps us" {
	sipp_start unreg-kept
	watch_on_sipp
	wait_event registered "" 10
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	[ "$(jq -s -r '[.[] | select(.event == "unregistered")][0].removed' "$EV")" = false ]
	[[ "$(jq -s -r '[.[] | select(.event == "unregistered")][0].error' "$EV")" == *"still lists our binding"* ]]
}

@test "a BYE to the watch's Contact that matches no dialog is answered 481, not 405" {
	local port
	sipp_start ok
	port=$(free_udp_port)
	watch_on_sipp "local_address: 127.0.0.1:$port"
	wait_event registered "" 10
	# SIPp as the caller checks the 481 itself (exit 0)
	run timeout 20 sipp -sf "$SCEN/bye-no-dialog.xml" -s alice -i 127.0.0.1 \
		-p "$(free_udp_port)" -m 1 -nostdin -timeout 15 "127.0.0.1:$port"
	[ "$status" -eq 0 ]
}
