#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Secrets never leave the process, whatever the tool, format or verbosity;
# TLS certificates that should not be trusted are not.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
	make_pwfile "$BATS_FILE_TMPDIR/wrong.pw" wrong-Pa55-word
	# a CA, and server certificates for 127.0.0.1: good, expired, for
	# another name, from another CA, self-signed
	cd "$BATS_FILE_TMPDIR"
	mkcert() { # name subject-alt-name days ca (days -1: expired yesterday)
		openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$1" -out "$1.csr" 2>/dev/null
		printf 'subjectAltName=%s\n' "$2" >"$1.ext"
		openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial \
			-extfile "$1.ext" -days "$3" -out "$1.crt" 2>/dev/null
	}
	for ca in ca otherca; do
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca.key" -subj "/CN=test $ca" \
			-days 2 -out "$ca.crt" 2>/dev/null
	done
	mkcert good "IP:127.0.0.1" 2 ca
	mkcert wronghost "DNS:elsewhere.example" 2 ca
	mkcert foreign "IP:127.0.0.1" 2 otherca
	mkcert expired "IP:127.0.0.1" -1 ca
	openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -days 2 -out selfsigned.crt 2>/dev/null
}

teardown_file() {
	kam_stop
}

teardown() {
	[ -n "${TLS_PID:-}" ] && kill "$TLS_PID" 2>/dev/null
	return 0
}

# A TLS server of openssl's own with certificate $1 on a free port: TLS_PORT.
tls_server() {
	TLS_PORT=$(free_udp_port)
	openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$BATS_FILE_TMPDIR/$1.crt" \
		-key "$BATS_FILE_TMPDIR/$1.key" -quiet </dev/null >/dev/null 2>&1 &
	TLS_PID=$!
	listening "$TLS_PORT"
}

tls_try() {
	# every outcome comes before the deadline: room for a slow handshake
	run --separate-stderr timeout 60 "$SIPREG" -u sip:alice@127.0.0.1 -s "sips:127.0.0.1:$TLS_PORT" \
		-p x -t 20 --json "$@"
}

@test "TLS: a certificate of the right CA passes the check" {
	tls_server good
	tls_try --tls-ca-file "$BATS_FILE_TMPDIR/ca.crt"
	# the handshake passes; the server (stdin at its end) then closes the
	# connection: a transport failure in its words, not a TLS one
	[ "$(jq -r '.results[0].result' <<<"$output")" = transport_error ]
	[[ "$(jq -r '.results[0].error' <<<"$output")" == *"closed the connection"* ]]
	[ "$status" -eq 75 ]
}

@test "TLS: expired, self-signed, wrong host name, wrong CA: each tls_error (76)" {
	for c in expired selfsigned wronghost foreign; do
		tls_server "$c"
		tls_try --tls-ca-file "$BATS_FILE_TMPDIR/ca.crt"
		echo "$c: $(jq -r '.results[0].error' <<<"$output")" >&3
		[ "$status" -eq 76 ]
		[ "$(jq -r '.results[0].result' <<<"$output")" = tls_error ]
		kill "$TLS_PID" 2>/dev/null || true
		TLS_PID=
	done
	tls_server expired
	tls_try --tls-ca-file "$BATS_FILE_TMPDIR/ca.crt"
	[[ "$(jq -r '.results[0].error' <<<"$output")" == *expired* ]]
}

@test "no secret in any output: every tool, format and verbosity, --dump-config, errors" {
	kam_ready UDP
	ha1=$(printf 'alice:127.0.0.1:alice-secret' | md5sum | cut -d' ' -f1)
	all=""
	for t in sipreg sipunreg sipauthcheck; do
		for o in text json env nagios; do
			for v in "" -v -vv -vvv; do
				for pw in alice.pw wrong.pw; do
					run --separate-stderr timeout 30 "$SIPREG_BUILDDIR/$t" -u sip:alice@127.0.0.1 \
						-H "127.0.0.1:$KAM_UDP" --password-file "$BATS_FILE_TMPDIR/$pw" \
						-o "$o" $v
					all+="$output$stderr"
				done
			done
		done
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -u sip:alice@127.0.0.1 \
			--password-file "$BATS_FILE_TMPDIR/alice.pw" --dump-config
		all+="$output$stderr"
		# a bad value next to the password: the error names the key only
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -u sip:alice@127.0.0.1 -p alice-secret -x soon
		all+="$output$stderr"
	done
	[[ "$all" == *"<redacted>"* ]]
	[[ "$all" != *alice-secret* ]]
	[[ "$all" != *wrong-Pa55-word* ]]
	[[ "$all" != *"$ha1"* ]]
}

@test "variables that make Sofia-SIP dump traffic are cleared unless traces are asked for" {
	kam_ready UDP
	export TPORT_DUMP="$BATS_TEST_TMPDIR/dump" TPORT_LOG=1 MSG_STREAM_LOG="$BATS_TEST_TMPDIR/stream"
	run --separate-stderr timeout 30 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$BATS_FILE_TMPDIR/alice.pw" --probe
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/dump" ]
	[ ! -e "$BATS_TEST_TMPDIR/stream" ]
	[[ "$output$stderr" != *"Authorization:"* ]]
}
