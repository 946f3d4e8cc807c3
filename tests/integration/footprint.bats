#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# What a one-shot run loads: every cron run and Nagios check pays for it.
# The one-shot tools link nothing of the watch (no libmicrohttpd, and so no
# GnuTLS under it), and a UDP probe never starts OpenSSL's providers and
# configuration (its digests and randomness need none). What a run reads:
# a password file once however many registrations share it, and the
# registrar's TLS records in as few read() calls as they arrive in.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	# a log line a request: kam_register_count counts them
	KAM_LOG_REQUESTS=1 kam_start_alice
}

teardown_file() {
	kam_stop
}

# `run` under strace (its syscall filter $1) into $BATS_TEST_TMPDIR/trace.
# LeakSanitizer cannot run under ptrace: an ASan build checks leaks elsewhere.
run_traced() {
	local filter=$1
	shift
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -yy -e trace="$filter" -o "$BATS_TEST_TMPDIR/trace" "$@"
}

@test "the one-shot tools load no libmicrohttpd nor GnuTLS; sipregwatch does load the first" {
	local t
	for t in sipreg sipunreg sipauthcheck; do
		run ldd "$SIPREG_BUILDDIR/$t"
		[ "$status" -eq 0 ]
		[[ "$output" != *microhttpd* ]]
		[[ "$output" != *gnutls* ]]
	done
	run ldd "$SIPREG_BUILDDIR/sipregwatch"
	[[ "$output" == *libmicrohttpd* ]]
}

@test "a UDP probe with digest never reads OpenSSL's configuration" {
	need strace
	kam_ready UDP
	local before
	before=$(kam_register_count)
	run_traced openat "$SIPREG" -q --probe -u sip:alice@127.0.0.1 -H "127.0.0.1:$KAM_UDP" \
		--password-file "$BATS_FILE_TMPDIR/alice.pw"
	[ "$status" -eq 0 ]
	# it did its work: the registrar got the REGISTER, its answer to the
	# challenge and the un-REGISTER
	[ "$(kam_register_count)" -ge $((before + 3)) ]
	run grep -c 'openssl.cnf' "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 0 ]
}

@test "secret files shared by the registrations of a file are read once each, and serve each" {
	need strace
	kam_ready UDP
	local before y="$BATS_TEST_TMPDIR/three.yaml"
	umask 077
	printf 'tok-of-three\n' >"$BATS_TEST_TMPDIR/three.tok"
	printf 'other-secret\n' >"$BATS_TEST_TMPDIR/other.pw"
	cat >"$y" <<YAML
defaults:
  server_uri: "sip:127.0.0.1:$KAM_UDP"
  bearer_token_file: $BATS_TEST_TMPDIR/three.tok
  outbound_auth:
    - { username: alice, password_file: $BATS_FILE_TMPDIR/alice.pw }
    - { username: other, password_file: $BATS_TEST_TMPDIR/other.pw, realm: other.test }
registrations:
  a: { client_uri: "sip:alice@127.0.0.1", contact_user: fpa }
  b: { client_uri: "sip:alice@127.0.0.1", contact_user: fpb }
  c: { client_uri: "sip:alice@127.0.0.1", contact_user: fpc }
YAML
	before=$(kam_register_count)
	run_traced openat "$SIPREG" --probe --json -f "$y"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.results[] | select(.ok and .result == "registered")] | length' <<<"$output")" = 3 ]
	# each answered its challenge with the password (the registrar's count:
	# the REGISTER, its answer to the challenge and the un-REGISTER, three times)
	[ "$(kam_register_count)" -ge $((before + 9)) ]
	run grep -c 'alice.pw' "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 1 ]
	run grep -c 'three.tok' "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 1 ]
	run grep -c 'other.pw' "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 1 ]
}

@test "over TLS the registrar's answers are read in a few system calls, not two a record" {
	need strace
	kam_ready TLS
	local before
	before=$(kam_register_count)
	run_traced read,recvfrom "$SIPREG" -q --probe -u sip:alice@127.0.0.1 -s "sips:127.0.0.1:$KAM_TLS" --tls-ca-file "$KAM_CA" \
		--password-file "$BATS_FILE_TMPDIR/alice.pw"
	[ "$status" -eq 0 ]
	[ "$(kam_register_count)" -ge $((before + 3)) ]
	# the handshake and three answers: about 6 with OpenSSL's read-ahead
	# and a stop at a short read; 26 when each record's header and body
	# were read apart and every burst ended in an EAGAIN
	run grep -c "127.0.0.1:$KAM_TLS\]>" "$BATS_TEST_TMPDIR/trace"
	[ "$output" -gt 0 ]
	[ "$output" -le 12 ]
}
