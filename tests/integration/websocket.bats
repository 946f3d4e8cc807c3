#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# SIP over WebSocket (ws, wss) against Kamailio's websocket module, mutual
# TLS against its TLS that requires a client certificate, SNI and the host
# name checked on the connection that carries the REGISTER; hostile
# WebSocket servers (tests/fixtures/ws-hostile.py).

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
}

teardown_file() {
	kam_stop
}

teardown() {
	[ -n "${HOSTILE_PID:-}" ] && kill "$HOSTILE_PID" 2>/dev/null
	[ -n "${TLS_PID:-}" ] && kill "$TLS_PID" 2>/dev/null
	[ -n "${WPID:-}" ] && kill -KILL "$WPID" 2>/dev/null
	return 0
}

A=(-u sip:alice@127.0.0.1 -t 15) # a deadline no TLS handshake meets only under load

reg() {
	run --separate-stderr timeout 30 "$SIPREG" "${A[@]}" --password-file "$BATS_FILE_TMPDIR/alice.pw" \
		--json "$@"
	R=$(jq -r '.results[0].result' <<<"$output")
	E=$(jq -r '.results[0].error // ""' <<<"$output")
	# shown when a test fails
	echo "status $status: $R: $E"
	echo "$stderr"
}

@test "ws: sipreg registers over ws://, with the Via and Contact of RFC 7118" {
	kam_ready WS
	reg -s "ws://127.0.0.1:$KAM_WS/ws" -x 300 -vv
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	[ "$(jq -r '.results[0].transport' <<<"$output")" = ws ]
	[[ "$stderr" == *"send "*" bytes to ws/[127.0.0.1]:$KAM_WS:"* ]]
	[[ "$stderr" =~ Via:\ SIP/2\.0/WS\ [0-9a-f]{12}\.invalid\; ]]
	[[ "$stderr" =~ Contact:\ \<sip:alice@[0-9a-f]{12}\.invalid\;transport=ws\; ]]
	# the secret of the answer is redacted in the frames too
	[[ "$stderr" == *'response="<redacted>"'* ]]
	[[ "$(kam_bindings alice)" == *".invalid;transport=ws"* ]]
	run "$SIPREG_BUILDDIR/sipunreg" "${A[@]}" --password-file "$BATS_FILE_TMPDIR/alice.pw" \
		-s "ws://127.0.0.1:$KAM_WS/ws"
	[ "$status" -eq 0 ]
	[[ "$output" == *"unregistered (200 OK)"*"removed 1"* ]]
}

@test "ws: sip:HOST;transport=ws and --transport ws are the same server" {
	reg -s "sip:127.0.0.1:$KAM_WS;transport=ws" --probe
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	reg -H "127.0.0.1:$KAM_WS" --transport ws --probe
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
}

@test "wss: probe, list bindings, authcheck and unregister over wss://" {
	kam_ready WSS
	reg -s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" --probe
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	[ "$(jq -r '.results[0].transport' <<<"$output")" = wss ]
	reg -s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" -x 300
	[ "$status" -eq 0 ]
	reg -s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" --list-bindings
	[ "$status" -eq 0 ]
	[ "$R" = bindings_listed ]
	[[ "$(jq -r '.results[0].bindings[].uri' <<<"$output")" == *"transport=wss"* ]]
	run --separate-stderr "$SIPREG_BUILDDIR/sipauthcheck" "${A[@]}" --json \
		--password-file "$BATS_FILE_TMPDIR/alice.pw" -s "wss://127.0.0.1:$KAM_WSS/ws" \
		--tls-ca-file "$KAM_CA"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].result' <<<"$output")" = credentials_valid ]
	run "$SIPREG_BUILDDIR/sipunreg" "${A[@]}" --password-file "$BATS_FILE_TMPDIR/alice.pw" \
		-s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA"
	[ "$status" -eq 0 ]
	[[ "$(kam_bindings alice)" != *"transport=wss"* ]]
}

@test "wss: the certificate is checked as for TLS: no CA is tls_error (76)" {
	reg -s "wss://127.0.0.1:$KAM_WSS/ws"
	[ "$status" -eq 76 ]
	[ "$R" = tls_error ]
	[[ "$E" == *"not trusted"* ]]
}

@test "ws: a wrong path is the server's HTTP 404, protocol_error (76)" {
	reg -s "ws://127.0.0.1:$KAM_WS/nowhere"
	[ "$status" -eq 76 ]
	[ "$R" = protocol_error ]
	[[ "$E" == *"HTTP 404 Not Found"* ]]
	# no SIP status: the server never spoke SIP
	[ "$(jq -r '.results[0].status' <<<"$output")" = null ]
}

@test "a JsSIP configuration with sockets: [wss://...] registers unchanged" {
	cat >"$BATS_TEST_TMPDIR/jssip.yaml" <<YAML
uri: sip:alice@127.0.0.1
password_file: $BATS_FILE_TMPDIR/alice.pw
sockets: [ "wss://127.0.0.1:$KAM_WSS/ws" ]
register_expires: 300
tls_ca_file: $KAM_CA
YAML
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/jssip.yaml" --probe --json
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].result' <<<"$output")" = registered ]
	[ "$(jq -r '.results[0].transport' <<<"$output")" = wss ]
}

@test "mutual TLS: with the client certificate registered; without it tls_error, at once" {
	kam_ready MTLS
	chmod 600 "$KAM_DIR"/*.key
	reg -s "sips:127.0.0.1:$KAM_MTLS" --tls-ca-file "$KAM_CA" \
		--tls-cert "$KAM_DIR/client.crt" --tls-key "$KAM_DIR/client.key" --probe
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	reg -s "sips:127.0.0.1:$KAM_MTLS" --tls-ca-file "$KAM_CA" --probe
	[ "$status" -eq 76 ]
	[ "$R" = tls_error ]
	# at once: had it waited for the deadline, the word would be timeout
	[[ "$E" == *"requires a client certificate"* ]]
}

@test "mutual TLS: an expired or foreign client certificate is tls_error naming it" {
	reg -s "sips:127.0.0.1:$KAM_MTLS" --tls-ca-file "$KAM_CA" \
		--tls-cert "$KAM_DIR/expired.crt" --tls-key "$KAM_DIR/expired.key"
	[ "$status" -eq 76 ]
	[[ "$E" == *"refused our client certificate $KAM_DIR/expired.crt"*"expired"* ]]
	reg -s "sips:127.0.0.1:$KAM_MTLS" --tls-ca-file "$KAM_CA" \
		--tls-cert "$KAM_DIR/other.crt" --tls-key "$KAM_DIR/other.key"
	[ "$status" -eq 76 ]
	[[ "$E" == *"refused our client certificate $KAM_DIR/other.crt"*"unknown ca"* ]]
}

@test "mutual TLS over wss, and a client key readable by others is refused (78)" {
	reg -s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" \
		--tls-cert "$KAM_DIR/client.crt" --tls-key "$KAM_DIR/client.key" --probe
	[ "$status" -eq 0 ]
	cp "$KAM_DIR/client.key" "$BATS_TEST_TMPDIR/open.key"
	chmod 644 "$BATS_TEST_TMPDIR/open.key"
	reg -s "sips:127.0.0.1:$KAM_MTLS" --tls-ca-file "$KAM_CA" \
		--tls-cert "$KAM_DIR/client.crt" --tls-key "$BATS_TEST_TMPDIR/open.key"
	[ "$status" -eq 78 ]
	[[ "$E" == *"readable by group or others"* ]]
	[[ "$output$stderr" != *"PRIVATE KEY"* ]]
}

@test "SNI: every ClientHello of tls and wss carries the registrar's name" {
	TLS_PORT=$(free_udp_port)
	# s_server ends a connection when its stdin ends: keep it open
	sleep 30 | openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$KAM_CA" \
		-key "$KAM_DIR/server.key" -trace -naccept 2 >"$BATS_TEST_TMPDIR/trace" 2>&1 &
	TLS_PID=$!
	listening "$TLS_PORT"
	# the server never answers SIP: each waits for its deadline, long
	# enough for a handshake on a busy machine
	reg -s "sips:localhost:$TLS_PORT" --tls-ca-file "$KAM_CA" -t 5
	reg -s "wss://localhost:$TLS_PORT/ws" --tls-ca-file "$KAM_CA" -t 5
	hellos=$(grep -c "ClientHello" "$BATS_TEST_TMPDIR/trace" || true)
	names=$(grep -A1 "extension_type=server_name" "$BATS_TEST_TMPDIR/trace" | grep -c "localhost\$" || true)
	[ "$hellos" -eq 2 ]
	[ "$names" -eq 2 ]
}

@test "the host name is checked on every connection: a certificate changed on the next one is refused" {
	need python3
	cd "$BATS_TEST_TMPDIR"
	openssl req -newkey rsa:2048 -nodes -keyout other.key -subj "/CN=elsewhere" -out other.csr 2>/dev/null
	printf 'subjectAltName=DNS:elsewhere.example\n' >other.ext
	openssl x509 -req -in other.csr -CA "$KAM_CA" -CAkey "$KAM_DIR/server.key" -CAcreateserial \
		-extfile other.ext -days 2 -out other.crt 2>/dev/null
	TLS_PORT=$(free_udp_port)
	python3 "$SIPREG_SRCDIR/tests/fixtures/tls-switch.py" "$TLS_PORT" "$KAM_CA" \
		"$KAM_DIR/server.key" other.crt other.key &
	TLS_PID=$!
	listening "$TLS_PORT"
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	cat >w.yaml <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sips:localhost:$TLS_PORT
tls_ca_file: $KAM_CA
password: x
max_random_initial_delay: 0
retry_interval: 1
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -f w.yaml --events "$EV" 2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	wait_event registered
	wait_event failed "" 15
	jq -s -e 'any(.[]; .event == "failed" and .result == "tls_error" and (.error | test("elsewhere|mismatch|not trusted")))' "$EV"
	[ "$(count_events registered)" -eq 1 ]
}

hostile() {
	need python3
	HOSTILE_PORT=$(free_udp_port)
	python3 "$SIPREG_SRCDIR/tests/fixtures/ws-hostile.py" "$1" "$HOSTILE_PORT" &
	HOSTILE_PID=$!
	listening "$HOSTILE_PORT"
	run --separate-stderr timeout 20 "$SIPREG" "${A[@]}" -p x -t 3 --json \
		-s "ws://127.0.0.1:$HOSTILE_PORT/ws"
	R=$(jq -r '.results[0].result' <<<"$output")
	E=$(jq -r '.results[0].error // ""' <<<"$output")
	# shown when a test fails
	echo "status $status: $R: $E"
	echo "$stderr"
}

@test "hostile ws: a wrong Sec-WebSocket-Accept is protocol_error" {
	hostile badaccept
	[ "$status" -eq 76 ]
	[ "$R" = protocol_error ]
	[[ "$E" == *"wrong Sec-WebSocket-Accept"* ]]
}

@test "hostile ws: no subprotocol sip is protocol_error" {
	hostile noproto
	[ "$status" -eq 76 ]
	[[ "$E" == *"subprotocol sip"* ]]
}

@test "hostile ws: an oversize frame is protocol_error, nothing allocated for it" {
	hostile oversize
	[ "$status" -eq 76 ]
	[[ "$E" == *"a frame of 1048576 bytes"* ]]
}

@test "hostile ws: a masked frame from the server is protocol_error" {
	hostile masked
	[ "$status" -eq 76 ]
	[[ "$E" == *"masked frame"* ]]
}

@test "hostile ws: a close in the middle of a message is a lost connection, at once" {
	hostile midclose
	[ "$status" -eq 75 ]
	# at once: had it waited for the deadline, the word would be timeout
	[ "$R" = transport_error ]
	[[ "$E" == *"closed the connection"* ]]
}

@test "hostile ws: a message that is not SIP is protocol_error" {
	hostile garbage
	[ "$status" -eq 76 ]
	[[ "$E" == *"not SIP"* ]]
}

@test "ws: answers fragmented into frames with a ping between them are reassembled" {
	need python3
	HOSTILE_PORT=$(free_udp_port)
	log=$BATS_TEST_TMPDIR/frag.log
	python3 "$SIPREG_SRCDIR/tests/fixtures/ws-hostile.py" fragmented "$HOSTILE_PORT" "$log" &
	HOSTILE_PID=$!
	listening "$HOSTILE_PORT"
	run --separate-stderr timeout 20 "$SIPREG" "${A[@]}" -p x --probe --json \
		-s "ws://127.0.0.1:$HOSTILE_PORT/ws"
	echo "status $status: $output"
	echo "$stderr"
	# the fixture reads the last pong after we are gone: wait for its end
	for _ in $(seq 100); do
		grep -qx end "$log" && break
		sleep 0.1
	done
	cat "$log"
	grep -qx end "$log"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].result' <<<"$output")" = registered ]
	[ "$(jq -r '.results[0].unregister.removed' <<<"$output")" = true ]
	# the registrar's side: it bound our contact, then removed it, and each
	# of its pings in the middle of a message was answered
	[ "$(grep -c '^bound <sip:alice@' "$log")" -eq 1 ]
	[ "$(grep -c '^removed <sip:alice@' "$log")" -eq 1 ]
	[ "$(grep -c '^pong frag$' "$log")" -eq 2 ]
}

@test "sipregwatch keeps a ws registration across a connection the registrar closed" {
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: ws://127.0.0.1:$KAM_WS/ws
password_file: $BATS_FILE_TMPDIR/alice.pw
contact_user: wswatch
max_random_initial_delay: 0
expiration: 120
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" \
		2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	wait_event registered
	# the registrar closes the WebSocket: the watch registers again on a new one
	id=$(kamcmd -s "unix:$KAM_DIR/ctl.sock" ws.dump | sed -n 's/^[[:space:]]*\([0-9][0-9]*\): ws:.*/\1/p' | head -1)
	[ -n "$id" ]
	kamcmd -s "unix:$KAM_DIR/ctl.sock" ws.close "$id" 1001 going-away
	wait_event refreshed "" 10
	new=$(kamcmd -s "unix:$KAM_DIR/ctl.sock" ws.dump | sed -n 's/^[[:space:]]*\([0-9][0-9]*\): ws:.*/\1/p' | head -1)
	[ -n "$new" ]
	[ "$new" != "$id" ]
	[[ "$(kam_bindings alice)" == *"wswatch@"*"transport=ws"* ]]
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	[[ "$(kam_bindings alice)" != *"wswatch@"* ]]
}

@test "sipregwatch keeps an outbound ws flow alive with WebSocket pings" {
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: wss://127.0.0.1:$KAM_WSS/ws
tls_ca_file: $KAM_CA
password_file: $BATS_FILE_TMPDIR/alice.pw
contact_user: wsping
max_random_initial_delay: 0
support_outbound: yes
keep_alive_interval: 1
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -vv -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" \
		2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	wait_event registered
	for n in $(seq 1 50); do
		[ "$(grep -c "<- WebSocket pong from" "$BATS_TEST_TMPDIR/w.err" || true)" -ge 2 ] && break
		sleep 0.1
	done
	grep -q -- "-> WebSocket ping to 127.0.0.1 port $KAM_WSS (a keep-alive)" "$BATS_TEST_TMPDIR/w.err"
	[ "$(grep -c "<- WebSocket pong from" "$BATS_TEST_TMPDIR/w.err")" -ge 2 ]
	# the flow holds: no second registration was needed
	[ "$(count_events registered)" -eq 1 ]
	! grep -q '"event":"failed"' "$EV"
}

@test "servers may mix transports: a refused tcp server, then the ws one" {
	dead=$(free_udp_port)
	cat >"$BATS_TEST_TMPDIR/mix.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sip:127.0.0.1
password_file: $BATS_FILE_TMPDIR/alice.pw
servers: [ "sip:127.0.0.1:$dead;transport=tcp,10", "ws://127.0.0.1:$KAM_WS/ws,5" ]
YAML
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/mix.yaml" --probe --json -v
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].transport' <<<"$output")" = ws ]
	[[ "$stderr" == *";transport=tcp failed (transport_error): trying the next server"* ]]
}

@test "names: tls by SRV (_sips._tcp) and wss by A, through the resolver nua uses" {
	need dnsmasq
	dport=$(free_udp_port)
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --port="$dport" \
		--listen-address=127.0.0.1 --bind-interfaces \
		--host-record=reg1.sipreg.test,127.0.0.1 --host-record=ws.sipreg.test,127.0.0.1 \
		--srv-host=_sips._tcp.sipreg.test,reg1.sipreg.test,"$KAM_TLS" \
		>"$BATS_TEST_TMPDIR/dns.log" 2>&1 &
	TLS_PID=$!
	printf 'nameserver 127.0.0.1\nport %s\n' "$dport" >"$BATS_TEST_TMPDIR/resolv.conf"
	listening "$dport"
	export SIPREG_RESOLV_CONF="$BATS_TEST_TMPDIR/resolv.conf"
	# the certificate names localhost: say which name to check
	reg -s sips:sipreg.test --tls-ca-file "$KAM_CA" --tls-server-name localhost --probe
	[ "$status" -eq 0 ]
	[ "$R" = registered ]
	reg -s "wss://ws.sipreg.test:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" --tls-server-name localhost \
		--probe
	[ "$status" -eq 0 ]
	reg -s sips:nowhere.sipreg.test --tls-ca-file "$KAM_CA"
	[ "$status" -eq 68 ]
	[ "$R" = dns_error ]
	[[ "$E" == *"cannot resolve nowhere.sipreg.test"* ]]
}

@test "sipregwatch: registrations at rest over tcp, tls and wss hold no Sofia-SIP handle, and come back at once when their connection is cut" {
	kam_ready TLS
	kam_ready WSS
	CU="rest$RANDOM"
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	PR="$BATS_TEST_TMPDIR/m.prom"
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  client_uri: sip:alice@127.0.0.1
  password_file: $BATS_FILE_TMPDIR/alice.pw
  tls_ca_file: $KAM_CA
  max_random_initial_delay: 0
  audit_interval: 0
registrations:
  t1: { server_uri: "sips:127.0.0.1:$KAM_TLS", contact_user: ${CU}t1 }
  t2: { server_uri: "sips:127.0.0.1:$KAM_TLS", contact_user: ${CU}t2 }
  w1: { server_uri: "wss://127.0.0.1:$KAM_WSS/ws", contact_user: ${CU}w1 }
  tcp: { server_uri: "sip:127.0.0.1:$KAM_TCP;transport=tcp", contact_user: ${CU}tcp }
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" \
		--prometheus-file "$PR" 2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	for n in t1 t2 w1 tcp; do
		wait_event registered "$n"
	done
	for i in $(seq 100); do
		grep -q '^sipreg_watch_registrations{state="registered"} 4$' "$PR" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^sipreg_watch_registrations{state="registered"} 4$' "$PR"
	# none keeps a handle: not over tcp either (a tunnel of its own)
	grep -q '^sipreg_watch_nua_handles 0$' "$PR"
	for n in t1 t2 w1 tcp; do
		kam_bindings alice | grep -q "sip:${CU}$n@"
	done
	# the TLS connection is cut (a reset, as a NAT or firewall would): both
	# registrations on it are made again at once on a new one, not at
	# their refresh an hour away
	before=$(count_events refreshed)
	ss -K -tn state established "( dport = :$KAM_TLS )" >/dev/null
	for i in $(seq 150); do
		[ "$(count_events refreshed)" -ge $((before + 2)) ] && break
		sleep 0.1
	done
	[ "$(count_events refreshed)" -ge $((before + 2)) ]
	for n in t1 t2; do
		kam_bindings alice | grep -q "sip:${CU}$n@"
	done
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	run kam_bindings alice
	[[ "$output" != *"sip:${CU}"* ]]
}
