#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Faults: final failures and loops stay bounded (REGISTERs counted), a silent
# registrar is waited out and recovered from, a reset connection is replaced.
# Bindings are checked on Kamailio with kamcmd.

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
	CU="f${BATS_TEST_NUMBER}r$RANDOM"
	EV="$BATS_TEST_TMPDIR/ev"
	WPID=
}

teardown() {
	kam_signal CONT
	sipp_and_watch_stop
}

@test "480 and 500 are temporary (75), 6xx final (69): one REGISTER each" {
	sipp_once fail-480
	[ "$status" -eq 75 ]
	[ "$N" -eq 1 ]
	sipp_stop
	sipp_once fail-500
	[ "$status" -eq 75 ]
	[ "$N" -eq 1 ]
	sipp_stop
	sipp_once fail-600
	[ "$status" -eq 69 ]
	[ "$R" = rejected ]
	[ "$N" -eq 1 ]
}

@test "a challenge on every request with a new nonce: the new one answered once, auth_failed (77)" {
	sipp_once challenge-always
	[ "$status" -eq 77 ]
	[ "$R" = auth_failed ]
	[ "$N" -eq 3 ]
	# SIPp's own count per step: three REGISTERs, and no fourth one
	wait "$SIPP_PID" || true
	SIPP_PID=
	[ "$(grep -E '^ +----------> REGISTER' "$BATS_TEST_TMPDIR/sipp.log" | tail -4 | awk '{print $3}' | xargs)" = "1 1 1 0" ]
}

watch_yaml() { # transport port
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sip:127.0.0.1:$2;transport=$1
contact_user: $CU
password_file: $BATS_FILE_TMPDIR/alice.pw
max_random_initial_delay: 0
retry_interval: 2
expiration: 600
audit_interval: 0
YAML
	"$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" -t 2 >/dev/null 2>&1 </dev/null &
	WPID=$!
}


@test "a silent registrar (frozen): the watch fails by timeout, backs off, registers once it answers" {
	kam_ready UDP
	kam_signal STOP
	watch_yaml udp "$KAM_UDP"
	wait_event retry_scheduled "" 15
	[ "$(jq -rs '[.[] | select(.event == "failed")][0].result' "$EV")" = timeout ]
	kam_signal CONT
	wait_event registered "" 20
	kam_bindings alice | grep -q "sip:$CU@"
	# bounded: a REGISTER per retry, no burst while it was silent
	[ "$(jq -s '[.[] | select(.event == "registering")] | length' "$EV")" -le 6 ]
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	kam_lacks alice "sip:$CU@"
}

@test "a TCP connection reset under the watch (ss -K): registered again on a new connection" {
	kam_ready TCP
	watch_yaml tcp "$KAM_TCP"
	wait_event registered
	p1=$(ss -Htnp state established "( dport = :$KAM_TCP )" | grep "pid=$WPID," | awk '{print $3}')
	[ -n "$p1" ]
	ss -K state established "( dport = :$KAM_TCP )" >/dev/null 2>&1 || true
	if ss -Htn state established "( dport = :$KAM_TCP )" | grep -qF "$p1"; then
		skip "this kernel cannot destroy sockets (ss -K)"
	fi
	wait_event refreshed "" 10
	p2=$(ss -Htnp state established "( dport = :$KAM_TCP )" | grep "pid=$WPID," | awk '{print $3}')
	[ -n "$p2" ]
	[ "$p2" != "$p1" ]
	kam_bindings alice | grep -q "sip:$CU@"
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
}

@test "30 % loss and 300 ms delay in a namespace: sipreg registers by retransmission, one binding" {
	ns="sr-loss-$$"
	ip netns add "$ns" 2>/dev/null || skip "cannot make a network namespace"
	ip netns exec "$ns" ip link set lo up
	what="30 % loss, 300 ms delay (netem)"
	if ! ip netns exec "$ns" tc qdisc add dev lo root netem loss 30% delay 300ms 2>/dev/null; then
		# no netem in this kernel: the loss from netfilter, no delay
		if ! ip netns exec "$ns" iptables -A INPUT -m statistic --mode random \
			--probability 0.3 -j DROP 2>/dev/null; then
			ip netns del "$ns"
			skip "neither netem nor iptables' statistic match here"
		fi
		what="30 % loss (iptables; this kernel has no netem, so no delay)"
	fi
	echo "$what" >&3
	d=$(mktemp -d "$BATS_TEST_TMPDIR/kam.XXXXXX")
	out=$(ip netns exec "$ns" "$REGISTRAR" start "$d") || { ip netns del "$ns"; false; }
	eval "$out"
	run --separate-stderr ip netns exec "$ns" timeout 60 "$SIPREG" -u sip:alice@127.0.0.1 \
		-H "127.0.0.1:$KAM_UDP" --password-file "$BATS_FILE_TMPDIR/alice.pw" -t 30 \
		--contact-user "$CU" --json
	n=$(ip netns exec "$ns" "$REGISTRAR" bindings "$d" alice | grep -c "sip:$CU@" || true)
	ip netns exec "$ns" "$REGISTRAR" stop "$d"
	ip netns del "$ns"
	echo "exit $status, $(jq -r '.results[0] | "\(.result) (\(.status) \(.reason)), \(.timing_ms.total) ms"' <<<"$output")" >&3
	[ "$status" -eq 0 ]
	[ "$n" -eq 1 ]
}
