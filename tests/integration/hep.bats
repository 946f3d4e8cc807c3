#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# HEPv3 export against real receivers: sngrep's HEP listener (what Homer
# users run to look at a capture) writing what it received to a pcap read
# back by tshark, and tests/hep.py, which decodes each packet's chunks. The
# Call-ID Kamailio's usrloc keeps for our binding is the one the capture
# must show being registered.

bats_require_minimum_version 1.5.0
load ../helpers

HEPPY="$SIPREG_SRCDIR/tests/hep.py"

setup_file() {
	kam_start_alice
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready UDP
	CU="hep${BATS_TEST_NUMBER}r$RANDOM"
	PW="$BATS_FILE_TMPDIR/alice.pw"
	HEP_PORT=$(free_udp_port)
}

teardown() {
	[ -n "${SNG_PID:-}" ] && kill "$SNG_PID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	[ -n "${WPID:-}" ] && kill -KILL "$WPID" 2>/dev/null
	[ -n "${TD_PID:-}" ] && kill "$TD_PID" 2>/dev/null
	return 0
}

# sngrep listening for HEP on $HEP_PORT, writing what it takes to cap.pcap
# ($1: a sngrep configuration file, e.g. with the listener's password).
sngrep_start() {
	need sngrep
	local conf=()
	[ -n "${1:-}" ] && conf=(-f "$1")
	sngrep "${conf[@]}" -N -q -L "udp:127.0.0.1:$HEP_PORT" -O "$BATS_TEST_TMPDIR/cap.pcap" \
		</dev/null >"$BATS_TEST_TMPDIR/sngrep.log" 2>&1 &
	SNG_PID=$!
	listening "$HEP_PORT" || { cat "$BATS_TEST_TMPDIR/sngrep.log" >&2; return 1; }
}

# sngrep has handled all that was sent to it so far: a marker sent now is in
# its pcap (it takes packets one at a time, in order, and writes each). $1:
# the marker's auth key.
sngrep_settled() {
	local id="marker-$RANDOM$RANDOM" i
	python3 "$HEPPY" send "$HEP_PORT" "$id" ${1:+"$1"}
	for i in $(seq 100); do
		tshark -r "$BATS_TEST_TMPDIR/cap.pcap" -Y "sip.Call-ID == \"$id\"" 2>/dev/null |
			grep -q . && return 0
		sleep 0.1
	done
	echo "sngrep never wrote the marker" >&2
	return 1
}

# Lines "SRC SPORT DST DPORT METHOD-or-STATUS" of the sngrep capture for
# Call-ID $1.
captured() {
	tshark -r "$BATS_TEST_TMPDIR/cap.pcap" -Y "sip.Call-ID == \"$1\"" -T fields \
		-E separator=' ' -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e sip.Method \
		-e sip.Status-Code 2>/dev/null | sed 's/  */ /g; s/ $//'
}

# The distinct REGISTERs (by CSeq) of Call-ID $1 to port $2 in sngrep's
# capture: HEP copies what went on the wire, so a retransmission (an
# answer slower than 500 ms on a busy machine) is there too.
captured_registers() {
	tshark -r "$BATS_TEST_TMPDIR/cap.pcap" \
		-Y "sip.Call-ID == \"$1\" && sip.Method == \"REGISTER\" && udp.dstport == $2" \
		-T fields -e sip.CSeq.seq 2>/dev/null | sort -u | wc -l
}

# The Call-ID Kamailio keeps for alice's binding of contact user $1.
kam_callid() {
	kamcmd -s "unix:$KAM_DIR/ctl.sock" ul.dump 2>/dev/null |
		awk -v c="sip:$1@" '/Address:/ { hit = index($2, c) == 1 } /Call-ID:/ && hit { print $2; exit }'
}

# tests/hep.py decoding what reaches $HEP_PORT into $DEC ($1: listen-tcp
# for a TCP collector).
decoder_start() {
	need python3
	DEC="$BATS_TEST_TMPDIR/hep.jsonl"
	python3 "$HEPPY" "${1:-listen}" "$HEP_PORT" "$DEC" 3>&- &
	LPID=$!
	local i
	for i in $(seq 100); do
		[ -e "$DEC.up" ] && return 0
		sleep 0.1
	done
	return 1
}

# Wait (at most 10 s) until $DEC has a packet with Call-ID $1 and first line
# matching $2 (jq test), then print those packets.
decoded() {
	local i
	for i in $(seq 100); do
		jq -e -c --arg c "$1" --arg l "$2" 'select(.call_id == $c and (.first_line | test($l)))' \
			"$DEC" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no packet of $1 like $2 in:" >&2
	cat "$DEC" >&2
	return 1
}

unreg() {
	"$SIPREG_BUILDDIR/sipunreg" -u sip:alice@127.0.0.1 --contact-user "$CU" --password-file "$PW" \
		-q "$@"
}

# Register with -s $1 (the registrar's port: $2; more options after them)
# and --hep to sngrep; $output is what sngrep captured with the Call-ID of
# the binding Kamailio holds, in which there must be both REGISTERs (the
# one challenged and the one with credentials) and the 200.
register_to_sngrep() {
	local server=$1 port=$2
	shift 2
	sngrep_start
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "$server" --password-file "$PW" --hep "udp:127.0.0.1:$HEP_PORT" "$@"
	[ "$status" -eq 0 ]
	sngrep_settled
	cid=$(kam_callid "$CU")
	[ -n "$cid" ]
	run captured "$cid"
	echo "$output"
	[ "$(captured_registers "$cid" "$port")" -eq 2 ]
	grep -q "^127.0.0.1 $port 127.0.0.1 [0-9]* 200\$" <<<"$output"
}

@test "--hep over UDP: sngrep receives the REGISTERs and their answers, with the wire's addresses" {
	register_to_sngrep "sip:127.0.0.1:$KAM_UDP" "$KAM_UDP"
	grep -q "^127.0.0.1 $KAM_UDP 127.0.0.1 [0-9]* 401\$" <<<"$output"
	# our end is the port the REGISTER left from, the one the 200 came to
	sport=$(awk '$5 == "REGISTER" { print $2; exit }' <<<"$output")
	[ "$sport" -gt 0 ]
	grep -q "^127.0.0.1 $KAM_UDP 127.0.0.1 $sport 200\$" <<<"$output"
	unreg -s "sip:127.0.0.1:$KAM_UDP"
}

@test "--hep over TCP: the port our connection left from, as tcpdump saw it" {
	kam_ready TCP
	decoder_start
	capture_start "$BATS_TEST_TMPDIR/wire.pcap" "tcp port $KAM_TCP"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_TCP;transport=tcp" --password-file "$PW" \
		--hep "udp:127.0.0.1:$HEP_PORT"
	capture_stop
	[ "$status" -eq 0 ]
	cid=$(kam_callid "$CU")
	[ -n "$cid" ]
	wire=$(tshark -r "$BATS_TEST_TMPDIR/wire.pcap" -Y "sip.Call-ID == \"$cid\" && sip.Method" \
		-T fields -e tcp.srcport 2>/dev/null | sort -u)
	[ -n "$wire" ]
	run decoded "$cid" '^REGISTER'
	[ "$(jq .sport <<<"$output" | sort -u)" = "$wire" ]
	[ "$(jq .ip_proto <<<"$output" | sort -u)" -eq 6 ]
	run decoded "$cid" '^SIP/2.0 200'
	[ "$(jq .dport <<<"$output" | sort -u)" = "$wire" ]
	unreg -s "sip:127.0.0.1:$KAM_TCP;transport=tcp"
}

@test "--hep over TLS: the messages inside the tunnel, in clear, with the TLS connection's ports" {
	kam_ready TLS
	register_to_sngrep "sips:127.0.0.1:$KAM_TLS" "$KAM_TLS" --tls-ca-file "$KAM_CA"
	# not the tunnel's loopback leg: only the TLS connection's port pair
	[ "$(awk '{ print ($2 == '"$KAM_TLS"' ? $4 : $2) }' <<<"$output" | sort -u | wc -l)" -eq 1 ]
	unreg -s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA"
}

@test "--hep over WSS: the SIP of the WebSocket frames, in clear" {
	kam_ready WSS
	register_to_sngrep "wss://127.0.0.1:$KAM_WSS/ws" "$KAM_WSS" --tls-ca-file "$KAM_CA"
	unreg -s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA"
}

@test "HEP chunks: capture id, protocol, timestamps and the Call-ID as correlation id" {
	kam_ready TLS
	decoder_start
	before=$(date +%s)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" \
		--hep "udp:127.0.0.1:$HEP_PORT" --hep-capture-id 2001
	[ "$status" -eq 0 ]
	after=$(date +%s)
	cid=$(kam_callid "$CU")
	[ -n "$cid" ]
	run decoded "$cid" '^SIP/2.0 200'
	echo "$output"
	line=$(head -1 <<<"$output")
	[ "$(jq .capture_id <<<"$line")" -eq 2001 ]
	[ "$(jq .ip_proto <<<"$line")" -eq 6 ]
	[ "$(jq .family <<<"$line")" -eq 4 ]
	[ "$(jq .type <<<"$line")" -eq 1 ]
	[ "$(jq -r .correlation <<<"$line")" = "$cid" ]
	[ "$(jq .sport <<<"$line")" -eq "$KAM_TLS" ]
	[ "$(jq .sec <<<"$line")" -ge "$before" ]
	[ "$(jq .sec <<<"$line")" -le "$after" ]
	[ "$(jq 'has("auth_key")' <<<"$line")" = false ]
	run decoded "$cid" '^REGISTER'
	[ "$(head -1 <<<"$output" | jq .dport)" -eq "$KAM_TLS" ]
	unreg -s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA"
}

@test "hep_password: sngrep set to check the key takes our packets, not those with another key" {
	printf 'set eep.listen.pass hep-Key-42\n' >"$BATS_TEST_TMPDIR/sngreprc"
	sngrep_start "$BATS_TEST_TMPDIR/sngreprc"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "${CU}w" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "udp:127.0.0.1:$HEP_PORT" \
		--hep-password not-the-key
	[ "$status" -eq 0 ]
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "udp:127.0.0.1:$HEP_PORT" \
		--hep-password hep-Key-42 -vv
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *hep-Key-42* ]]
	sngrep_settled hep-Key-42
	cid=$(kam_callid "$CU")
	[ -n "$cid" ]
	run captured "$cid"
	grep -q " $KAM_UDP REGISTER\$" <<<"$output"
	grep -q " 200\$" <<<"$output"
	wrong=$(kam_callid "${CU}w")
	[ -n "$wrong" ]
	run captured "$wrong"
	[ -z "$output" ]
	run "$SIPREG" -u sip:alice@127.0.0.1 --hep "udp:127.0.0.1:$HEP_PORT" \
		--hep-password hep-Key-42 -s "sip:127.0.0.1:$KAM_UDP" --dump-config
	[[ "$output" != *hep-Key-42* ]]
	unreg -s "sip:127.0.0.1:$KAM_UDP"
	CU="${CU}w"
	unreg -s "sip:127.0.0.1:$KAM_UDP"
}

@test "--hep tcp: a TCP collector gets every message, framed, from sipauthcheck and sipunreg too" {
	kam_ready UDP
	decoder_start listen-tcp
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "tcp:127.0.0.1:$HEP_PORT"
	[ "$status" -eq 0 ]
	cid=$(kam_callid "$CU")
	[ -n "$cid" ]
	run decoded "$cid" '^SIP/2.0 200'
	[ "$(head -1 <<<"$output" | jq .ip_proto)" -eq 17 ]
	run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/sipauthcheck" -u sip:alice@127.0.0.1 \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "tcp:127.0.0.1:$HEP_PORT"
	[ "$status" -eq 0 ]
	unreg -s "sip:127.0.0.1:$KAM_UDP" --hep "tcp:127.0.0.1:$HEP_PORT"
	[ -z "$(kam_callid "$CU")" ]
	# three runs: three connections, each message whole
	run decoded "$cid" '^REGISTER'
	[ "$(wc -l <<<"$output")" -ge 2 ]
	run ! grep -q '"error"' "$DEC"
	[ "$(jq -r 'select(.first_line | test("^REGISTER")) | .call_id' "$DEC" | sort -u | wc -l)" -ge 3 ]
}

@test "sipregwatch counts what reached the collector and what could not" {
	kam_ready UDP
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  max_random_initial_delay: 0
  hep: tcp:127.0.0.1:$HEP_PORT
  password_file: $PW
registrations:
  one: { client_uri: "sip:alice@127.0.0.1", contact_user: ${CU} }
YAML
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" \
		--prometheus-file "$BATS_TEST_TMPDIR/m.prom" 3>&- &
	WPID=$!
	wait_event registered one
	for i in $(seq 100); do
		grep -q '^sipreg_hep_dropped_total [1-9]' "$BATS_TEST_TMPDIR/m.prom" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^sipreg_hep_dropped_total [1-9]' "$BATS_TEST_TMPDIR/m.prom"
	grep -q '^sipreg_hep_sent_total 0$' "$BATS_TEST_TMPDIR/m.prom"
	kam_bindings alice | grep -q "sip:$CU@"
	kill -TERM "$WPID"
	wait "$WPID" || true
	WPID=
}

@test "a collector that is down costs nothing: the registration is made, over UDP and TCP" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "udp:127.0.0.1:$HEP_PORT"
	[ "$status" -eq 0 ]
	kam_bindings alice | grep -q "sip:$CU@"
	unreg -s "sip:127.0.0.1:$KAM_UDP"
	CU="${CU}t"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" \
		--hep "tcp:127.0.0.1:$HEP_PORT"
	[ "$status" -eq 0 ]
	kam_bindings alice | grep -q "sip:$CU@"
	unreg -s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA"
}

@test "--hep: a value that is no collector is a usage error naming it, and nothing is sent" {
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "127.0.0.1:9060"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--hep'*'expected udp:HOST:PORT or tcp:HOST:PORT'* ]]
	run --separate-stderr "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sip:127.0.0.1:$KAM_UDP" --password-file "$PW" --hep "udp:127.0.0.1:99999"
	[ "$status" -eq 64 ]
	[ -z "$(kam_bindings alice | grep "sip:$CU@")" ]
}

@test "sipregwatch with hep under defaults: its registrations and refreshes reach sngrep" {
	kam_ready UDP
	sngrep_start
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  max_random_initial_delay: 0
  expiration: 600
  hep: udp:127.0.0.1:$HEP_PORT
  hep_capture_id: 7
  password_file: $PW
registrations:
  one: { client_uri: "sip:alice@127.0.0.1", contact_user: ${CU}a }
  two: { client_uri: "sip:alice@127.0.0.1", contact_user: ${CU}b }
YAML
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" 3>&- &
	WPID=$!
	wait_event registered one
	wait_event registered two
	kill -TERM "$WPID"
	wait "$WPID" || true
	WPID=
	sngrep_settled
	for u in a b; do
		cid=$(kam_callid "${CU}$u")
		if [ -n "$cid" ]; then
			echo "binding ${CU}$u still held" >&2
			return 1
		fi
	done
	# the REGISTERs of both, and the removals at the stop, were captured
	run tshark -r "$BATS_TEST_TMPDIR/cap.pcap" -Y 'sip.Method == "REGISTER"' -T fields \
		-e sip.contact.uri 2>/dev/null
	grep -q "sip:${CU}a@" <<<"$output"
	grep -q "sip:${CU}b@" <<<"$output"
}

@test "hep differing between registrations of one file is a configuration error" {
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  server_uri: sip:127.0.0.1:$KAM_UDP
  password_file: $PW
registrations:
  one: { client_uri: "sip:alice@127.0.0.1", hep: "udp:127.0.0.1:9060" }
  two: { client_uri: "sip:alice@127.0.0.1", hep: "udp:127.0.0.1:9061" }
YAML
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/w.yaml"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"one collector serves the whole run"* ]]
}
