#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Failover in sipregwatch: a pasted JsSIP configuration (sockets, no
# server_uri) registers where its socket says; a registration with two
# servers, or a domain whose SRV records name two registrars, moves to the
# second when the first stops answering and stays there. Two Kamailios and
# a dnsmasq in a namespace of the test's own; the registrars' own counts
# (usrloc) are checked, not only our status file.

bats_require_minimum_version 1.5.0
# two Kamailios and a dnsmasq per test, slow under ASan on a busy machine
export BATS_TEST_TIMEOUT=120
load netns

WATCH="$SIPREG_BUILDDIR/sipregwatch"

setup() {
	ns_setup
	KAM1_DIR=$KAM_DIR KAM1_UDP=$KAM_UDP
	kam2_start
	CU="fo${BATS_TEST_NUMBER}r$RANDOM"
	EV="$BATS_TEST_TMPDIR/ev"
	ST="$BATS_TEST_TMPDIR/status.json"
	make_pwfile "$BATS_TEST_TMPDIR/alice.pw" alice-secret
	export SIPREG_MAX_RANDOM_INITIAL_DELAY=0
}

teardown() {
	[ -n "${KAM2_DIR:-}" ] && in_ns "$REGISTRAR" stop "$KAM2_DIR"
	KAM_DIR=$KAM1_DIR
	ns_teardown
}

# Start a command in the namespace in the background, kept for
# ns_teardown: $! is the command itself (ip netns exec execs it), and bats'
# fd 3 is closed in it, so that the file ends when the tests do; its stdin
# is the caller's (not /dev/null, as for any &).
fo_spawn() {
	ip netns exec "$NS_NAME" "$@" <&0 3>&- &
	NS_LAST=$!
	NS_PIDS="${NS_PIDS:-} $NS_LAST"
}

# A second Kamailio in the namespace, on ports of its own: KAM2_DIR,
# KAM2_UDP, KAM2_TCP. One that does not start is a failure.
kam2_start() {
	local out
	KAM2_DIR=$(mktemp -d "$BATS_TEST_TMPDIR/kam2.XXXXXX")
	out=$(in_ns env KAM_SHM="${KAM_SHM:-64}" KAM_CHILDREN="${KAM_CHILDREN:-2}" \
		"$REGISTRAR" start "$KAM2_DIR") || return 1
	eval "$(sed 's/KAM_/KAM2_/g' <<<"$out")"
	kamcmd -s "unix:$KAM2_DIR/ctl.sock" core.uptime >/dev/null
}

# The count of bindings the first ($1 = 1) or second Kamailio holds, once
# it is at least $2 (at most 60 s).
kam_n_wait() {
	local dir=$KAM1_DIR
	[ "$1" = 2 ] && dir=$KAM2_DIR
	KAM_DIR=$dir kam_wait_contacts "$2" 60
}

# The watch in the namespace on file $1 (-t 3: a silent server is given up
# after 3 s); its PID is stopped by ns_teardown.
watch_start() {
	fo_spawn "$WATCH" -f "$1" --events "$EV" --status-file "$ST" -t "${WATCH_TIMEOUT:-3}"
	WPID=$NS_LAST
}

# Wait (at most 60 s) until the status file's first entry is registered at
# registrar $1.
wait_registrar() {
	local i
	for i in $(seq 1 600); do
		[ "$(jq -r '.registrations[0] | "\(.state) \(.registrar)"' "$ST" 2>/dev/null)" = "registered $1" ] &&
			return 0
		sleep 0.1
	done
	echo "not registered at $1 in 60 s; status: $(cat "$ST" 2>/dev/null)" >&2
	return 1
}

# A dnsmasq of the test's own on the namespace's port 53, answering the SRV
# records given as arguments (--srv-host=...), and a resolv.conf for our
# resolver in SIPREG_RESOLV_CONF.
dns_start() {
	need dnsmasq
	fo_spawn dnsmasq --keep-in-foreground --no-resolv --no-hosts -C /dev/null --port=53 \
		--listen-address=127.0.0.1 --bind-interfaces --pid-file= --log-facility=- \
		--host-record=kam1.sipreg.test,127.0.0.1 --host-record=kam2.sipreg.test,127.0.0.1 \
		--host-record=tls1.sipreg.test,127.0.0.1 "$@"
	printf 'nameserver 127.0.0.1\n' >"$BATS_TEST_TMPDIR/resolv.conf"
	export SIPREG_RESOLV_CONF="$BATS_TEST_TMPDIR/resolv.conf"
	local i
	for i in $(seq 1 100); do
		in_ns ss -Hlun | awk '{print $4}' | grep -q '^127.0.0.1:53$' && return 0
		sleep 0.05
	done
	echo "dnsmasq did not start" >&2
	return 1
}

# The server_name extension of the ClientHello in s_server's -trace
# output $1, as hex digits (its dump may wrap the name over lines).
sni_hex() {
	grep -A3 "extension_type=server_name" "$1" |
		sed -n 's/^ *[0-9a-f]\{4\} - \(.*\)   .*/\1/p' | tr -d ' \n-'
}

@test "a pasted JsSIP configuration (sockets, no server_uri) registers in the watch at its socket" {
	cat >"$BATS_TEST_TMPDIR/jssip.json" <<JSON
{
  "uri": "sip:alice@127.0.0.1",
  "authorization_user": "alice",
  "password": "alice-secret",
  "sockets": [ { "socket": "sip:127.0.0.1:$KAM2_UDP", "weight": 10 } ],
  "register_expires": 60,
  "session_timers": false
}
JSON
	chmod 600 "$BATS_TEST_TMPDIR/jssip.json"
	watch_start "$BATS_TEST_TMPDIR/jssip.json"
	kam_n_wait 2 1
	wait_registrar "sip:127.0.0.1:$KAM2_UDP"
	[ "$(jq -rs '[.[] | select(.event == "registered")][0].registrar' "$EV")" = "sip:127.0.0.1:$KAM2_UDP" ]
}

@test "two servers: the first stops, the binding moves to the second and stays there" {
	cat >"$BATS_TEST_TMPDIR/two.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
contact_user: $CU
password_file: $BATS_TEST_TMPDIR/alice.pw
servers: [ "sip:127.0.0.1:$KAM1_UDP,10", "sip:127.0.0.1:$KAM2_UDP,5" ]
expiration: 60
audit_interval: 5
YAML
	watch_start "$BATS_TEST_TMPDIR/two.yaml"
	kam_n_wait 1 1
	wait_registrar "sip:127.0.0.1:$KAM1_UDP"
	in_ns "$REGISTRAR" stop "$KAM1_DIR"
	kam_n_wait 2 1
	KAM_DIR=$KAM2_DIR kam_bindings alice | grep -q "sip:$CU@"
	wait_registrar "sip:127.0.0.1:$KAM2_UDP"
	[ "$(jq -rs '[.[] | select(.event == "failover")][0].to' "$EV")" = "sip:127.0.0.1:$KAM2_UDP" ]
	# the first comes back (without its bindings): the binding stays where it is
	in_ns "$REGISTRAR" restart "$KAM1_DIR"
	sleep 8
	[ "$(KAM_DIR=$KAM1_DIR kam_contacts)" -eq 0 ]
	[ "$(jq -r '.registrations[0].registrar' "$ST")" = "sip:127.0.0.1:$KAM2_UDP" ]
}

@test "two servers, the first unreachable from the start: the second at once, no retry_interval" {
	cat >"$BATS_TEST_TMPDIR/silent.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
contact_user: $CU
password_file: $BATS_TEST_TMPDIR/alice.pw
servers: [ "sip:127.0.0.1:$KAM1_UDP,10", "sip:127.0.0.1:$KAM2_UDP,5" ]
expiration: 60
retry_interval: 600
audit_interval: 0
YAML
	ns_partition on
	watch_start "$BATS_TEST_TMPDIR/silent.yaml"
	kam_n_wait 2 1
	wait_registrar "sip:127.0.0.1:$KAM2_UDP"
	[ "$(jq -rs '[.[] | select(.event == "failed")][0].registrar' "$EV")" = "sip:127.0.0.1:$KAM1_UDP" ]
	[ "$(count_events retry_scheduled)" -eq 0 ]
}

@test "DNS SRV with two targets: the first partitioned, the binding moves to the second" {
	dns_start --srv-host=_sip._udp.sipreg.test,kam1.sipreg.test,"$KAM1_UDP",10,10 \
		--srv-host=_sip._udp.sipreg.test,kam2.sipreg.test,"$KAM2_UDP",20,10
	cat >"$BATS_TEST_TMPDIR/srv.yaml" <<YAML
client_uri: sip:alice@sipreg.test
contact_user: $CU
password_file: $BATS_TEST_TMPDIR/alice.pw
expiration: 60
audit_interval: 5
YAML
	watch_start "$BATS_TEST_TMPDIR/srv.yaml"
	kam_n_wait 1 1
	wait_registrar "sip:kam1.sipreg.test:$KAM1_UDP;transport=udp"
	ns_partition on
	kam_n_wait 2 1
	KAM_DIR=$KAM2_DIR kam_bindings alice | grep -q "sip:$CU@"
	wait_registrar "sip:kam2.sipreg.test:$KAM2_UDP;transport=udp"
	[ "$(jq -rs '[.[] | select(.event == "registrar_unreachable")][0].registrar' "$EV")" = "sip:kam1.sipreg.test:$KAM1_UDP;transport=udp" ]
}

@test "TLS to an SRV target sends the SIP domain as SNI, not the target's name" {
	need openssl
	TLS_PORT=$(free_udp_port in_ns) # the namespace's ports, not the host's
	dns_start --srv-host=_sips._tcp.sipreg.test,tls1.sipreg.test,"$TLS_PORT",10,10
	mkfifo "$BATS_TEST_TMPDIR/in"
	# s_server ends a connection when its stdin ends: a FIFO held open;
	# its trace unbuffered, read while it serves one try after another
	exec 5<>"$BATS_TEST_TMPDIR/in"
	fo_spawn stdbuf -o0 openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$KAM_CA" \
		-key "$KAM1_DIR/server.key" -trace <&5 >"$BATS_TEST_TMPDIR/trace" 2>&1
	# the watch's first try should find it listening
	local i
	for i in $(seq 250); do
		in_ns ss -Hltn | awk '{print $4}' | grep -qE "[:.]$TLS_PORT\$" && break
		sleep 0.02
	done
	cat >"$BATS_TEST_TMPDIR/tls.yaml" <<YAML
client_uri: sip:alice@sipreg.test
transport: tls
contact_user: $CU
password_file: $BATS_TEST_TMPDIR/alice.pw
expiration: 60
retry_interval: 1
YAML
	# a TLS attempt's set-up (its context, the SRV look-up, the stack) is
	# slow under ASan on a busy machine: 3 s was not always enough (CI)
	WATCH_TIMEOUT=15 watch_start "$BATS_TEST_TMPDIR/tls.yaml"
	# each try's handshake fails (s_server's certificate is not for
	# sipreg.test); one that a slow machine timed out before its
	# ClientHello is tried again
	for i in $(seq 300); do
		grep -q "extension_type=server_name" "$BATS_TEST_TMPDIR/trace" && break
		sleep 0.1
	done
	grep -q "extension_type=server_name" "$BATS_TEST_TMPDIR/trace" || {
		echo "no SNI in s_server's trace; trace and events:" >&2
		cat "$BATS_TEST_TMPDIR/trace" "$EV" >&2
		false
	}
	wait_event failed "" 20
	exec 5>&-
	# the name ends the extension: "sipreg.test", not "tls1.sipreg.test"
	[[ "$(sni_hex "$BATS_TEST_TMPDIR/trace")" == *000b7369707265672e74657374 ]]
	[ "$(jq -rs '[.[] | select(.event == "failed") | .registrar] | index("sip:tls1.sipreg.test:'"$TLS_PORT"';transport=tls") != null' "$EV")" = true ]
}
