#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Every registration option on the wire: what the peer received, asserted by
# the SIPp scenario itself (it answers 403 when a check fails) or by
# Kamailio's view (kamcmd).

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
	CU="w${BATS_TEST_NUMBER}r$RANDOM"
}

teardown() {
	sipp_stop
	[ -n "${SIPP2_PID:-}" ] && kill "$SIPP2_PID" 2>/dev/null
	[ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null
	[ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null && wait "$WPID"
	return 0
}

# sipreg against a scenario; PORT in the arguments is the scenario's port.
wire() {
	local scen=$1
	shift
	sipp_start "$scen"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -p sipp-pass -t 5 --json \
		"${@//PORT/$SIPP_PORT}"
}

sipp_ok() {
	wait "$SIPP_PID"
	local rc=$?
	SIPP_PID=
	[ "$rc" -eq 0 ]
}

@test "1. outbound_proxy: Route <proxy;lr>, the Request-URI stays the registrar" {
	wire wire-proxy -s sip:registrar.sipreg.test --outbound-proxy sip:127.0.0.1:PORT
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].registrar')" = sip:registrar.sipreg.test ]
	sipp_ok
}

@test "1. use_preloaded_route: a Route to the server" {
	wire wire-preloaded -H 127.0.0.1:PORT --use-preloaded-route
	[ "$status" -eq 0 ]
	sipp_ok
}

@test "1. outbound_proxy through Kamailio's view: the binding arrives" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s sip:127.0.0.1 \
		--outbound-proxy "sip:127.0.0.1:$KAM_UDP" --contact-user "$CU" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	kam_bindings alice | grep -q "sip:$CU@"
}

@test "1. outbound_proxy over a connection: the tunnel carries it to the proxy (tls; tcp from a udp registrar URI)" {
	kam_ready TLS
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s sips:127.0.0.1 \
		--outbound-proxy "sip:127.0.0.1:$KAM_TLS;transport=tls" --tls-ca-file "$KAM_CA" \
		--contact-user "${CU}t" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].transport')" = tls ]
	kam_bindings alice | grep -q "sip:${CU}t@.*transport=tls"
	# the proxy's ;transport=tcp decides how the first hop is reached
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s sip:127.0.0.1 \
		--outbound-proxy "sip:127.0.0.1:$KAM_TCP;transport=tcp" \
		--contact-user "${CU}c" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].transport')" = tcp ]
	kam_bindings alice | grep -q "sip:${CU}c@.*transport=tcp"
}

@test "1. servers with an outbound proxy: the server is the first hop, the proxy stays a Route" {
	# nothing listens at the proxy: the REGISTER reaches the scenario only
	# when it goes to the server
	wire wire-proxy -s sip:registrar.sipreg.test --server "sip:127.0.0.1:PORT" \
		--outbound-proxy sip:127.0.0.1:9
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].registrar')" = sip:registrar.sipreg.test ]
	sipp_ok
}

@test "1. use_preloaded_route over tls: the tunnel carries it, the Route names the server" {
	kam_ready TLS
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_TLS" \
		--transport tls --tls-ca-file "$KAM_CA" --use-preloaded-route \
		--contact-user "$CU" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].result')" = registered ]
	kam_bindings alice | grep -q "sip:$CU@.*transport=tls"
}

@test "1. an outbound proxy whose transport contradicts --transport or sips:, or is unknown: config_error" {
	run --separate-stderr timeout 10 "$SIPREG" -u sip:alice@127.0.0.1 -s sip:127.0.0.1 -p x \
		--transport udp --outbound-proxy "sip:127.0.0.1:5;transport=tcp"
	[ "$status" -eq 78 ]
	[ "$stderr" = "sipreg: outbound proxy sip:127.0.0.1:5;transport=tcp: transport tcp differs from the registration's udp" ]
	run --separate-stderr timeout 10 "$SIPREG" -u sip:alice@127.0.0.1 -s sip:127.0.0.1 -p x \
		--outbound-proxy "sip:127.0.0.1:5;transport=sctp"
	[ "$status" -eq 78 ]
	[ "$stderr" = "sipreg: outbound proxy sip:127.0.0.1:5;transport=sctp: unknown transport \"sctp\" (udp, tcp, tls, ws or wss)" ]
	run --separate-stderr timeout 10 "$SIPREG" -u sip:alice@127.0.0.1 -s sips:127.0.0.1 -p x \
		--outbound-proxy "sip:127.0.0.1:5;transport=tcp"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"a sips: registrar needs tls or wss to its first hop, not tcp"* ]]
}

@test "1. sipregwatch: registrations through outbound proxies over tcp and tls (also with servers) rest without a Sofia-SIP handle" {
	kam_ready TLS
	EV="$BATS_TEST_TMPDIR/ev.jsonl"
	PR="$BATS_TEST_TMPDIR/m.prom"
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
defaults:
  client_uri: sip:alice@127.0.0.1
  server_uri: sip:127.0.0.1
  password_file: $PW
  tls_ca_file: $KAM_CA
  max_random_initial_delay: 0
  audit_interval: 0
registrations:
  pt: { outbound_proxy: "sip:127.0.0.1:$KAM_TCP;transport=tcp", contact_user: ${CU}pt }
  ps: { outbound_proxy: "sip:127.0.0.1:$KAM_TLS;transport=tls", contact_user: ${CU}ps }
  pv:
    servers: ["sip:127.0.0.1:$KAM_TCP;transport=tcp"]
    outbound_proxy: "sip:127.0.0.1:9;transport=tcp"
    contact_user: ${CU}pv
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV" \
		--prometheus-file "$PR" 2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	wait_event registered pt
	wait_event registered ps
	wait_event registered pv
	wait_line "$PR" '^sipreg_watch_registrations\{state="registered"\} 3$'
	grep -q '^sipreg_watch_registrations{state="registered"} 3$' "$PR"
	grep -q '^sipreg_watch_nua_handles 0$' "$PR"
	kam_bindings alice | grep -q "sip:${CU}pt@.*transport=tcp"
	kam_bindings alice | grep -q "sip:${CU}ps@.*transport=tls"
	kam_bindings alice | grep -q "sip:${CU}pv@.*transport=tcp"
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
	kam_lacks alice "${CU}p"
}

@test "2. support_path: Supported: path; Path and Service-Route of the 2xx reported" {
	wire wire-path -H 127.0.0.1:PORT --support-path
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].path[0]')" = "<sip:edge.sipreg.test;lr>" ]
	[ "$(jqo '.results[0].service_route[0]')" = "<sip:orig@core.sipreg.test;lr>" ]
	sipp_ok
}

@test "3. support_outbound: Supported outbound, +sip.instance and reg-id; the instance is stable" {
	wire wire-outbound -H 127.0.0.1:PORT --support-outbound
	[ "$status" -eq 0 ]
	first=$(jqo '.results[0].bindings[] | select(.own) | .instance')
	[[ "$first" == urn:uuid:* ]]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .reg_id')" = 1 ]
	sipp_ok
	wire wire-outbound -H 127.0.0.1:PORT --support-outbound
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .instance')" = "$first" ]
	sipp_ok
}

@test "3. support_outbound with Kamailio: instance and reg-id held by the registrar" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--contact-user "$CU" --password-file "$PW" --support-outbound --json
	[ "$status" -eq 0 ]
	# Kamailio (outbound_mode 1) takes it as a flow: Require: outbound
	[ "$(jq -c '.results[0].outbound' <<<"$output")" = '{"used":true,"flow_timer":null,"dropped":null}' ]
	dump=$(kamcmd -s "unix:$KAM_DIR/ctl.sock" ul.dump)
	grep -A25 "sip:$CU@" <<<"$dump" | grep -q "Reg-Id: 1"
	grep -A25 "sip:$CU@" <<<"$dump" | grep -q "Instance: <urn:uuid:"
}

@test "4. GRUU: Kamailio's pub-gruu and temp-gruu are reported" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--contact-user "$CU" --password-file "$PW" --instance-id 6ba7b810-9dad-11d1-80b4-00c04fd430c8 \
		--probe -vv --json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"Supported: gruu"* ]]
	[ "$(jqo '.results[0].gruu.pub')" = "sip:alice@127.0.0.1;gr=urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8" ]
	[[ "$(jqo '.results[0].gruu.temp')" == sip:*";gr" ]]
}

@test "5. line: a ;line= token in the Contact, stable, reported" {
	wire wire-line -H 127.0.0.1:PORT --line --endpoint trunk-ep
	[ "$status" -eq 0 ]
	tok=$(jqo '.results[0].line')
	[[ "$tok" =~ ^[0-9a-f]{12}$ ]]
	[[ "$(jqo '.results[0].contact')" == *";line=$tok" ]]
	sipp_ok
	wire wire-line -H 127.0.0.1:PORT --line --endpoint trunk-ep
	[ "$(jqo '.results[0].line')" = "$tok" ]
	sipp_ok
}

@test "6. display_name, user_agent, extra_headers, contact_user, contact_header_params on the wire" {
	wire wire-headers -H 127.0.0.1:PORT --display-name "Alice Liddell" --user-agent probe-agent/2.0 \
		-X "X-Extra: yes" --contact-user trunk7 --contact-header-params q=0.3
	[ "$status" -eq 0 ]
	sipp_ok
}

@test "6. contact_uri replaces the whole Contact (Kamailio holds it)" {
	kam_ready UDP
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--contact-uri "sip:$CU@192.0.2.99:5099;transport=udp" --password-file "$PW" --json
	[ "$status" -eq 0 ]
	kam_bindings alice | grep -q "sip:$CU@192.0.2.99:5099"
	[ "$(jqo '[.results[0].bindings[] | select(.own)] | length')" = 1 ]
}

@test "6. extra headers: bad names and line breaks are refused" {
	run --separate-stderr "$SIPREG" -u sip:a@example.com -X 'Bad Name: x' --dump-config
	[ "$status" -eq 64 ]
	run --separate-stderr "$SIPREG" -u sip:a@example.com -X "$(printf 'X-A: 1\r\nX-B: 2')" --dump-config
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"line break"* ]]
	run --separate-stderr "$SIPREG" -u sip:a@example.com -X 'NoColon' --dump-config
	[ "$status" -eq 64 ]
}

@test "7. mediasec: Security-Client per mechanism, Require and Proxy-Require; Security-Verify after 401" {
	wire wire-mediasec -H 127.0.0.1:PORT --security-negotiation mediasec \
		--security-mechanisms "msrp-tls;mediasec" --security-mechanisms "sdes-srtp;mediasec"
	[ "$status" -eq 0 ]
	sipp_ok
}

@test "7. mediasec: a 494 is answered at once with Security-Verify, in the same Call-ID" {
	wire wire-494 -H 127.0.0.1:PORT --security-negotiation mediasec --security-mechanisms "msrp-tls;mediasec"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].requests')" = 2 ]
	sipp_ok
}

@test "8. servers: a closed port is skipped for the next by weight; the result names it" {
	sipp_start ok
	closed=$(free_udp_port)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -p x -t 5 --json \
		--servers "sip:127.0.0.1:$SIPP_PORT,5" --servers "sip:127.0.0.1:$closed,10"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].target')" = "sip:127.0.0.1:$SIPP_PORT" ]
	[ "$(jqo '.results[0].servers_tried | length')" = 2 ]
	[[ "$(jqo '.results[0].servers_tried[0]')" == "sip:127.0.0.1:$closed: transport_error" ]]
}

@test "8. servers: 503 and timeout move on to the next; with server_uri they are where to send" {
	sipp_start silent
	first=$SIPP_PORT
	SIPP2_PORT=$(free_udp_port)
	sipp -sf "$SCEN/ok.xml" -i 127.0.0.1 -p "$SIPP2_PORT" -m 1 -nostdin -timeout 20 \
		>"$BATS_TEST_TMPDIR/sipp2.log" 2>&1 </dev/null &
	SIPP2_PID=$!
	listening "$SIPP2_PORT"
	# the silent one takes its share of -t: the other gets the rest
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -p x -t 8 --json \
		-s sip:registrar.sipreg.test --servers "sip:127.0.0.1:$first,10" \
		--servers "sip:127.0.0.1:$SIPP2_PORT,1"
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].registrar')" = sip:registrar.sipreg.test ]
	[ "$(jqo '.results[0].target')" = "sip:127.0.0.1:$SIPP2_PORT" ]
	[[ "$(jqo '.results[0].servers_tried[0]')" == *": timeout" ]]
}

@test "8. servers from YAML: 503 from the heavier one, the lighter one registers" {
	sipp_start 503
	SIPP2_PORT=$(free_udp_port)
	sipp -sf "$SCEN/ok.xml" -i 127.0.0.1 -p "$SIPP2_PORT" -m 1 -nostdin -timeout 20 \
		>"$BATS_TEST_TMPDIR/sipp2.log" 2>&1 </dev/null &
	SIPP2_PID=$!
	listening "$SIPP2_PORT"
	cat >"$BATS_TEST_TMPDIR/s.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
servers:
  - { uri: "sip:127.0.0.1:$SIPP2_PORT", weight: 1 }
  - { uri: "sip:127.0.0.1:$SIPP_PORT", weight: 9 }
YAML
	run --separate-stderr timeout 30 "$SIPREG" -f "$BATS_TEST_TMPDIR/s.yaml" -t 5 --json
	[ "$status" -eq 0 ]
	[[ "$(jqo '.results[0].servers_tried[0]')" == *"rejected Service Unavailable" ]]
	[ "$(jqo '.results[0].target')" = "sip:127.0.0.1:$SIPP2_PORT" ]
}

@test "9. names by RFC 3263: NAPTR and SRV through Sofia's resolver (a dnsmasq of the test's own)" {
	need dnsmasq
	kam_ready UDP
	dport=$(free_udp_port)
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --port="$dport" \
		--listen-address=127.0.0.1 --bind-interfaces \
		--host-record=reg1.sipreg.test,127.0.0.1 \
		--srv-host=_sip._udp.sipreg.test,reg1.sipreg.test,"$KAM_UDP" \
		--naptr-record=sipreg.test,10,10,S,SIP+D2U,,_sip._udp.sipreg.test \
		--pid-file="$BATS_TEST_TMPDIR/dns.pid" >"$BATS_TEST_TMPDIR/dns.log" 2>&1 &
	DNS_PID=$!
	printf 'nameserver 127.0.0.1\nport %s\n' "$dport" >"$BATS_TEST_TMPDIR/resolv.conf"
	listening "$dport"
	SIPREG_RESOLV_CONF="$BATS_TEST_TMPDIR/resolv.conf" run --separate-stderr timeout 30 "$SIPREG" \
		-u sip:alice@sipreg.test --contact-user "$CU" --password-file "$PW" -t 5 --json
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].registrar')" = sip:sipreg.test ]
	kam_bindings alice | grep -q "sip:$CU@"
	SIPREG_RESOLV_CONF="$BATS_TEST_TMPDIR/resolv.conf" run --separate-stderr timeout 30 "$SIPREG" \
		-u sip:alice@nowhere.sipreg.test --password-file "$PW" -t 5 --json
	[ "$status" -eq 68 ]
	[ "$(jqo '.results[0].result')" = dns_error ]
}

@test "10. a Contact rewritten to the address the registrar saw (received/rport) is still ours" {
	wire wire-rewrite -H 127.0.0.1:PORT
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].received')" = 192.0.2.50:7777 ]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .uri')" = "sip:alice@192.0.2.50:7777;sipreg-id=$(jqo '.results[0].contact' | sed 's/.*sipreg-id=//')" ]
	[ "$(jqo '.results[0].expires_granted')" = 300 ]
}

@test "10. a Contact rewritten with our +sip.instance and reg-id kept is still ours" {
	wire wire-rewrite-instance -H 127.0.0.1:PORT --instance-id 6ba7b810-9dad-11d1-80b4-00c04fd430c8 --support-outbound
	[ "$status" -eq 0 ]
	[ "$(jqo '.results[0].bindings[] | select(.own) | .uri')" = sip:y@10.9.9.9:1235 ]
	[ "$(jqo '.results[0].expires_granted')" = 300 ]
}

@test "the options reach the wire in sipunreg and sipauthcheck too" {
	sipp_start wire-headers
	run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/sipauthcheck" -u sip:alice@127.0.0.1 -p x -t 5 \
		-H "127.0.0.1:$SIPP_PORT" --display-name "Alice Liddell" --user-agent probe-agent/2.0 \
		-X "X-Extra: yes" --contact-user trunk7 --contact-header-params q=0.3 --json
	# no Contact in a check: the scenario refuses it with 403, after seeing From, UA and X-Extra
	[ "$(jqo '.results[0].status')" = 403 ]
	[[ "$(jqo '.results[0].reason')" == "Wrong Headers" ]]
}
