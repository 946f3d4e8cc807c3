#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Evidence for the person at 3 a.m.: the TLS key log, read back by tshark
# from a capture of a real TLS registration against Kamailio.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready TLS
	CU="ev${BATS_TEST_NUMBER}r$RANDOM"
	PW="$BATS_FILE_TMPDIR/alice.pw"
}

# Capture loopback into $BATS_TEST_TMPDIR/cap.pcap until capture_stop
# (tcpdump says "listening" once its socket is in place; --immediate-mode
# takes each packet at once, where libpcap would wait for a block of them
# and a stop within its timeout would lose them; -U writes each).
capture_start() {
	need tcpdump
	need tshark
	tcpdump --immediate-mode -U -i lo -w "$BATS_TEST_TMPDIR/cap.pcap" >"$BATS_TEST_TMPDIR/tcpdump.err" 2>&1 &
	CAP_PID=$!
	local i
	for i in $(seq 100); do
		grep -q "listening on" "$BATS_TEST_TMPDIR/tcpdump.err" && break
		sleep 0.1
	done
}

capture_stop() {
	kill -TERM "$CAP_PID"
	wait "$CAP_PID" || true
}

# The SIP methods and status codes tshark reads from the capture of port
# $1 with key log $2, one per line.
decoded() {
	tshark -r "$BATS_TEST_TMPDIR/cap.pcap" -o "tls.keylog_file:$2" -d "tcp.port==$1,tls" \
		-d "tls.port==$1,sip" -Y "sip && tcp.port==$1" -T fields -e sip.Method \
		-e sip.Status-Code 2>/dev/null | tr -d '\t' | sort -u
}

@test "--tls-keylog: tshark decodes the REGISTER and its 200 from a capture of a TLS registration" {
	capture_start
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" \
		--tls-keylog "$BATS_TEST_TMPDIR/keys"
	capture_stop
	[ "$status" -eq 0 ]
	# the registrar holds the binding the capture shows being made
	kam_bindings alice | grep -q "sip:$CU@"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/keys")" = 600 ]
	grep -q '^CLIENT_HANDSHAKE_TRAFFIC_SECRET \|^CLIENT_RANDOM ' "$BATS_TEST_TMPDIR/keys"
	run decoded "$KAM_TLS" "$BATS_TEST_TMPDIR/keys"
	[[ "$output" == *REGISTER* ]]
	[[ "$output" == *200* ]]
	# without the key log the same capture shows no SIP at all
	: >"$BATS_TEST_TMPDIR/none"
	run decoded "$KAM_TLS" "$BATS_TEST_TMPDIR/none"
	[ -z "$output" ]
	"$SIPREG_BUILDDIR/sipunreg" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" -q
}

@test "SSLKEYLOGFILE is honoured as --tls-keylog is, for wss too, and lines are appended" {
	export SSLKEYLOGFILE="$BATS_TEST_TMPDIR/env-keys"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" --password-file "$PW" --probe
	[ "$status" -eq 0 ]
	local first
	first=$(wc -l <"$SSLKEYLOGFILE")
	[ "$first" -gt 0 ]
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" --probe
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$SSLKEYLOGFILE")" -gt "$first" ]
	[ "$(stat -c %a "$SSLKEYLOGFILE")" = 600 ]
}

@test "a key log others may write is refused: config_error (78), nothing sent" {
	: >"$BATS_TEST_TMPDIR/keys"
	chmod 0666 "$BATS_TEST_TMPDIR/keys"
	local before
	before=$(kam_register_count)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" \
		--tls-keylog "$BATS_TEST_TMPDIR/keys" --json
	[ "$status" -eq 78 ]
	[ "$(jq -r '.results[0].result' <<<"$output")" = config_error ]
	[[ "$(jq -r '.results[0].error' <<<"$output")" == *"writable by others (mode 0666)"* ]]
	[ "$(kam_register_count)" -eq "$before" ]
	[ ! -s "$BATS_TEST_TMPDIR/keys" ]
}
