#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Evidence for the person at 3 a.m.: the TLS key log, read back by tshark
# from a capture of a real TLS registration against Kamailio; the expiry of
# the registrar's certificate (Kamailio's made to last 5 days here).

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	export KAM_CERT_DAYS=5
	# a log line a request: kam_register_count counts them
	KAM_LOG_REQUESTS=1 kam_start_alice
	unset KAM_CERT_DAYS
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready TLS
	CU="ev${BATS_TEST_NUMBER}r$RANDOM"
	PW="$BATS_FILE_TMPDIR/alice.pw"
}

# The SIP methods and status codes tshark reads from the capture of port
# $1 with key log $2, one per line.
decoded() {
	tshark -r "$BATS_TEST_TMPDIR/cap.pcap" -o "tls.keylog_file:$2" -d "tcp.port==$1,tls" \
		-d "tls.port==$1,sip" -Y "sip && tcp.port==$1" -T fields -e sip.Method \
		-e sip.Status-Code 2>/dev/null | tr -d '\t' | sort -u
}

@test "--tls-keylog: tshark decodes the REGISTER and its 200 from a capture of a TLS registration" {
	need tshark
	capture_start "$BATS_TEST_TMPDIR/cap.pcap"
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

@test "-o nagios: a registrar certificate expiring within --cert-warn-days is WARNING, naming it" {
	local before
	before=$(kam_register_count)
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" --probe \
		-o nagios
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPREG WARNING - "*"registered (200 OK)"*"the registrar's certificate expires in "*" days, on "*"(CN=localhost)"* ]]
	# the probe did reach the registrar: REGISTER, its answer, the removal
	[ "$(kam_register_count)" -ge $((before + 3)) ]
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" --probe \
		-o nagios --cert-warn-days 3
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREG OK - "* ]]
	run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/sipauthcheck" -u sip:alice@127.0.0.1 \
		-s "wss://127.0.0.1:$KAM_WSS/ws" --tls-ca-file "$KAM_CA" --password-file "$PW" -o nagios
	[ "$status" -eq 1 ]
	[[ "$output" == "SIPAUTHCHECK WARNING - "*"certificate expires in "* ]]
}

@test "JSON: the registrar certificate's subject, notAfter and days left over tls; null over udp" {
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" --password-file "$PW" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].tls_certificate.subject' <<<"$output")" = CN=localhost ]
	[ "$(jq -r '.results[0].tls_certificate.not_after' <<<"$output")" = \
		"$(date -u -d "$(openssl x509 -in "$KAM_CA" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" ]
	[ "$(jq '.results[0].tls_certificate.days_left > 4 and .results[0].tls_certificate.days_left <= 5' <<<"$output")" = true ]
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 --contact-user "$CU" \
		-H "127.0.0.1:$KAM_UDP" --password-file "$PW" --probe --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.results[0].tls_certificate' <<<"$output")" = null ]
}

@test "an expired registrar certificate: tls_error, and CRITICAL naming when it expired" {
	need openssl
	local port
	port=$(free_udp_port)
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 5<>"$BATS_TEST_TMPDIR/in"
	openssl s_server -accept "127.0.0.1:$port" -cert "$KAM_DIR/expired.crt" \
		-key "$KAM_DIR/expired.key" -naccept 1 <&5 >"$BATS_TEST_TMPDIR/s_server.out" 2>&1 3>&- &
	local spid=$! i
	for i in $(seq 100); do
		listening "$port" && break
		sleep 0.1
	done
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -s "sips:127.0.0.1:$port" \
		--tls-ca-file "$KAM_DIR/clientca.crt" --tls-server-name expired --password-file "$PW" \
		--probe -o nagios -t 5
	echo "$output"
	exec 5>&-
	kill "$spid" 2>/dev/null || true
	wait "$spid" || true
	[ "$status" -eq 2 ]
	[[ "$output" == "SIPREG CRITICAL - "*"tls_error"* ]]
	[[ "$output" == *"the registrar's certificate expired on 2020-01-02 00:00 UTC"* ]]
}

@test "sipregwatch: sipreg_tls_cert_expiry_timestamp_seconds for a TLS registration, promtool clean" {
	cat >"$BATS_TEST_TMPDIR/w.yaml" <<YAML
client_uri: sip:alice@127.0.0.1
server_uri: sips:127.0.0.1:$KAM_TLS
tls_ca_file: $KAM_CA
contact_user: $CU
password_file: $PW
max_random_initial_delay: 0
YAML
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$BATS_TEST_TMPDIR/ev" \
		--prometheus-file "$BATS_TEST_TMPDIR/m.prom" >/dev/null 2>&1 </dev/null 3>&- &
	local wpid=$! i want
	want=$(date -u -d "$(openssl x509 -in "$KAM_CA" -noout -enddate | cut -d= -f2)" +%s)
	for i in $(seq 200); do
		grep -q '^sipreg_tls_cert_expiry_timestamp_seconds{' "$BATS_TEST_TMPDIR/m.prom" 2>/dev/null && break
		sleep 0.1
	done
	cp "$BATS_TEST_TMPDIR/m.prom" "$BATS_TEST_TMPDIR/seen.prom"
	kam_bindings alice | grep -q "sip:$CU@"
	kill -TERM "$wpid"
	wait "$wpid"
	grep -qx "sipreg_tls_cert_expiry_timestamp_seconds{name=\"sip:alice@127.0.0.1\"} $want" \
		"$BATS_TEST_TMPDIR/seen.prom"
	need promtool
	promtool check metrics <"$BATS_TEST_TMPDIR/seen.prom"
}
