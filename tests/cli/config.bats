#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# YAML files, precedence, --dump-config, pjsip.conf import, secrets sources:
# all without a network (--dump-config sends nothing).

bats_require_minimum_version 1.5.0
load ../helpers

FIX="$SIPREG_SRCDIR/tests/fixtures"

setup() {
	umask 077
	cat >"$BATS_TEST_TMPDIR/p.yaml" <<'YAML'
defaults:
  expiration: 600
  retry_interval: 30
registrations:
  - name: one
    client_uri: sip:one@example.com
    expiration: 120
  - name: two
    client_uri: sip:two@example.com
YAML
}

# The value of key for registration name in the YAML of --dump-config.
dumped() {
	awk -v n="$1" -v k="$2" '
		/^- name: / { cur = $3 }
		cur == n && $1 == k ":" { sub(/^[^:]*: /, ""); print; exit }' <<<"$output"
}

@test "precedence: built-in < defaults: < entry < environment < flag" {
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" --dump-config
	[ "$status" -eq 0 ]
	[ "$(dumped one expiration)" = 120 ]      # entry over defaults:
	[ "$(dumped two expiration)" = 600 ]      # defaults: over built-in
	[ "$(dumped two max_retries)" = 10 ]      # built-in
	[ "$(dumped one retry_interval)" = 30 ]
	SIPREG_EXPIRATION=90 run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" --dump-config
	[ "$(dumped one expiration)" = 90 ]       # environment over the file
	SIPREG_EXPIRATION=90 run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" -x 60 --dump-config
	[ "$(dumped one expiration)" = 60 ]       # flag over everything
	[ "$(dumped two expiration)" = 60 ]
}

@test "a bad environment value is a config error naming the variable" {
	SIPREG_RETRY_INTERVAL=soon run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" --dump-config
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"SIPREG_RETRY_INTERVAL: expected a non-negative integer"* ]]
}

@test "--dump-config loads back to the same settings" {
	for f in "$FIX"/config/good/*.yaml; do
		run --separate-stderr "$SIPREG" -f "$f" --dump-config
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/d1.yaml"
		run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/d1.yaml" --dump-config
		[ "$status" -eq 0 ] || { echo "reload of $f: $stderr"; false; }
		[ "$output" = "$(cat "$BATS_TEST_TMPDIR/d1.yaml")" ] || { echo "$f differs"; false; }
	done
}

@test "--dump-config redacts secrets; flags become keys" {
	cat >"$BATS_TEST_TMPDIR/s.yaml" <<'YAML'
client_uri: sip:s@example.com
password: hunter2-secret
YAML
	chmod 600 "$BATS_TEST_TMPDIR/s.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/s.yaml" --authorization-jwt tok-SEKRET --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"password: <redacted>"* ]]
	[[ "$output" == *"authorization_jwt: <redacted>"* ]]
	[[ "$output$stderr" != *hunter2-secret* ]]
	[[ "$output$stderr" != *tok-SEKRET* ]]
	run --separate-stderr "$SIPREG" -u sip:x@example.com -X 'X-A: 1' -X 'X-B: 2' --ha1 "$(printf %032d 7)" --realm r --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"ha1: <redacted>"* ]]
	[[ "$output" == *"- 'X-A: 1'"* ]]
	[[ "$output" == *"- 'X-B: 2'"* ]]
	[[ "$output$stderr" != *0000000000000007* ]]
}

@test "an inline password is taken from a 0600 file and refused from a 0644 one" {
	cat >"$BATS_TEST_TMPDIR/i.yaml" <<'YAML'
client_uri: sip:s@example.com
password: pw
YAML
	chmod 600 "$BATS_TEST_TMPDIR/i.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/i.yaml" --dump-config
	[ "$status" -eq 0 ]
	chmod 644 "$BATS_TEST_TMPDIR/i.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/i.yaml" --dump-config
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"i.yaml:2:1: password: an inline password needs a file that group and others cannot read"* ]]
	[[ "$stderr" == *"i.yaml is mode 0644, readable by group or others (chmod 600 "* ]]
}

@test "root takes an inline password from a 0600 pjsip.conf or YAML file of another user" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (a file of another user)"
	sed 1d "$FIX/pjsip/bad/inline-password.conf" >"$BATS_TEST_TMPDIR/pjsip.conf"
	printf 'client_uri: sip:s@example.com\npassword: pw\n' >"$BATS_TEST_TMPDIR/i.yaml"
	chmod 600 "$BATS_TEST_TMPDIR/pjsip.conf" "$BATS_TEST_TMPDIR/i.yaml"
	chown nobody "$BATS_TEST_TMPDIR/pjsip.conf" "$BATS_TEST_TMPDIR/i.yaml"
	run --separate-stderr "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/pjsip.conf" --dump-config
	echo "$stderr"
	[ "$status" -eq 0 ]
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/i.yaml" --dump-config
	[ "$status" -eq 0 ]
	# group-readable stays refused, and the message names the mode, not the owner
	chmod 640 "$BATS_TEST_TMPDIR/pjsip.conf"
	run --separate-stderr "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/pjsip.conf" --dump-config
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"pjsip.conf is mode 0640, readable by group or others"* ]]
}

@test "root reads a 0600 password file of another user; group-readable stays refused" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (a file of another user)"
	make_pwfile "$BATS_TEST_TMPDIR/pw" secret
	chown nobody "$BATS_TEST_TMPDIR/pw"
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file "$BATS_TEST_TMPDIR/pw" \
		-t 1 -q
	[ "$status" -eq 68 ]
	chmod 640 "$BATS_TEST_TMPDIR/pw"
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file "$BATS_TEST_TMPDIR/pw" \
		-t 1
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"readable by group or others (mode 0640)"* ]]
}

@test "every bad fixture exits 78 with its file:line:col message" {
	for f in "$FIX"/config/bad/*.yaml; do
		expect=$(head -1 "$f" | sed 's/^# expect: //')
		run --separate-stderr "$SIPREG" -f "$f" --dump-config
		[ "$status" -eq 78 ] || { echo "$f: status $status"; false; }
		[[ "$stderr" == "sipreg: $f:$expect"* ]] || { echo "$f: $stderr"; false; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$f: more than one line: $stderr"; false; }
	done
}

@test "-n picks registrations; an unknown name lists the known ones" {
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" -n two --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"name: two"* ]]
	[[ "$output" != *"name: one"* ]]
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/p.yaml" -n three --dump-config
	[ "$status" -eq 78 ]
	[[ "$stderr" == *'no registration named "three" (there are: one, two)'* ]]
	run --separate-stderr "$SIPREG" -n one -u sip:x@example.com --dump-config
	[ "$status" -eq 64 ]
}

@test "SIPREG_CONFIG is the default file, unless -u is given" {
	SIPREG_CONFIG="$BATS_TEST_TMPDIR/p.yaml" run --separate-stderr "$SIPREG" --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"name: one"* ]]
	SIPREG_CONFIG="$BATS_TEST_TMPDIR/p.yaml" run --separate-stderr "$SIPREG" -u sip:z@example.com --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"client_uri: sip:z@example.com"* ]]
	[[ "$output" != *"name: one"* ]]
}

@test "a missing file is a config error naming it" {
	run --separate-stderr "$SIPREG" -f /nonexistent/x.yaml
	[ "$status" -eq 78 ]
	[[ "$stderr" == "sipreg: /nonexistent/x.yaml: No such file or directory" ]]
}

@test "--pjsip-conf imports registrations, auth and transport" {
	run --separate-stderr "$SIPREG" --pjsip-conf "$FIX/pjsip/good/basic.conf" --dump-config
	[ "$status" -eq 0 ]
	[ "$(dumped trunk transport)" = tls ]
	[ "$(dumped trunk contact_user)" = s ]
	[ "$(dumped trunk username)" = 1234 ]
	[ "$(dumped trunk ha1)" = "<redacted>" ]
	[ "$(dumped trunk expiration)" = 600 ]
	[ "$(dumped trunk line)" = yes ]
	[ "$(dumped second contact_user)" = 5678 ]
	[[ "$output$stderr" != *0123456789abcdef* ]]
	# what is read but not used is named, in one warning line
	[ "$(grep -c 'read but not used' <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"read but not used: [transport-tls] bind"* ]]
}

@test "pjsip.conf: an endpoint without line is named as not used" {
	printf '[r]\ntype=registration\nserver_uri=sip:sip.example.com\nclient_uri=sip:1@sip.example.com\nendpoint=ep\n' \
		>"$BATS_TEST_TMPDIR/e.conf"
	run --separate-stderr "$SIPREG" --pjsip-conf "$BATS_TEST_TMPDIR/e.conf" --dump-config
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"read but not used: [r] endpoint (without line=yes)"* ]]
}

@test "a JsSIP UA configuration pasted as JSON loads: sockets, uuid:, call options" {
	cat >"$BATS_TEST_TMPDIR/jssip.yaml" <<'JSON'
{
  "uri": "sip:alice@example.com",
  "authorization_user": "alice",
  "display_name": "Alice",
  "sockets": [ { "socket": "sip:a.example.com", "weight": 10 }, "sip:b.example.com" ],
  "instance_id": "uuid:8f1fa16a-1165-4a96-8341-785b1ef24f12",
  "register_expires": 300,
  "session_timers": false,
  "no_answer_timeout": 60,
  "register": true
}
JSON
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/jssip.yaml" --dump-config
	[ "$status" -eq 0 ]
	[ "$(dumped 'sip:alice@example.com' username)" = alice ]
	[ "$(dumped 'sip:alice@example.com' expiration)" = 300 ]
	[ "$(dumped 'sip:alice@example.com' instance_id)" = "uuid:8f1fa16a-1165-4a96-8341-785b1ef24f12" ]
	[[ "$output" == *"{uri: 'sip:a.example.com', weight: 10}"* ]]
	[[ "$output" == *"{uri: 'sip:b.example.com', weight: 0}"* ]]
	[ "$(grep -c 'JsSIP options for calls' <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"session_timers, no_answer_timeout, register: JsSIP options for calls, not registration: ignored"* ]]
}

@test "every bad pjsip.conf fixture exits 78 with its message" {
	for f in "$FIX"/pjsip/bad/*.conf; do
		expect=$(head -1 "$f" | sed 's/^; expect: //')
		run --separate-stderr "$SIPREG" --pjsip-conf "$f" --dump-config
		[ "$status" -eq 78 ] || { echo "$f: status $status"; false; }
		[[ "$stderr" == *"$expect"* ]] || { echo "$f: $stderr"; false; }
	done
}

@test "--password-stdin reads one line; nothing on stdin is an error" {
	run --separate-stderr "$SIPREG" -u sip:x@nowhere.invalid --password-stdin <<<"pw-from-stdin"
	[ "$status" -eq 68 ]
	[[ "$output$stderr" != *pw-from-stdin* ]]
	run --separate-stderr "$SIPREG" -u sip:x@nowhere.invalid --password-stdin </dev/null
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"--password-stdin"* ]]
}

@test "--help names every YAML key of the option table (sipregwatch's: its own)" {
	run "$SIPREG_BUILDDIR/sipregwatch" --help
	for k in client_uri server_uri contact_user contact_uri contact_header_params display_name \
		user_agent extra_headers instance_id username password_file password_env password ha1 \
		realm authorization_jwt bearer_token_file expiration max_retries retry_interval \
		forbidden_retry_interval fatal_retry_interval auth_rejection_permanent \
		max_random_initial_delay connection_recovery_min_interval \
		connection_recovery_max_interval transport outbound_proxy use_preloaded_route servers \
		line endpoint support_path support_outbound security_negotiation security_mechanisms \
		tls_ca_file tls_ca_dir tls_cert tls_key tls_server_name tls_verify digest_algorithms \
		min_digest; do
		[[ "$output" == *"--${k//_/-}"* ]] || { echo "no flag for $k"; false; }
	done
}

@test "tls_cert and tls_key go together, and are taken by every tool" {
	printf 'client_uri: sip:a@example.com\ntls_cert: /x.pem\ntls_key: /x.key\n' >"$BATS_TEST_TMPDIR/c.yaml"
	for t in sipreg sipunreg sipauthcheck sipregwatch; do
		run --separate-stderr "$SIPREG_BUILDDIR/$t" -f "$BATS_TEST_TMPDIR/c.yaml" --dump-config
		[ "$status" -eq 0 ]
		[ -z "$stderr" ] || { echo "$t: $stderr"; false; }
		[[ "$output" == *"tls_cert: /x.pem"* ]]
	done
	printf 'client_uri: sip:a@example.com\ntls_cert: /x.pem\n' >"$BATS_TEST_TMPDIR/c.yaml"
	run --separate-stderr "$SIPREG" -f "$BATS_TEST_TMPDIR/c.yaml" --dump-config
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"tls_cert and tls_key go together"* ]]
}

@test "a relative password_file is the YAML file's neighbour, not the working directory's" {
	mkdir -p "$BATS_TEST_TMPDIR/etc" "$BATS_TEST_TMPDIR/elsewhere"
	umask 077
	printf 'client_uri: sip:alice@nowhere.invalid\npassword_file: alice.pw\ntls_ca_file: certs/ca.pem\n' \
		>"$BATS_TEST_TMPDIR/etc/r.yaml"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	run --separate-stderr "$SIPREG" -f ../etc/r.yaml --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"password_file: ../etc/alice.pw"* ]]
	[[ "$output" == *"tls_ca_file: ../etc/certs/ca.pem"* ]]
}

@test "a password file of more than one line is refused, not sent wrong" {
	umask 077
	printf 'alice-secret\n\n' >"$BATS_TEST_TMPDIR/two.pw"
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file "$BATS_TEST_TMPDIR/two.pw"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"two.pw: holds more than one line"* ]]
	[[ "$stderr" != *alice-secret* ]]
	printf 'alice-secret\r\n' >"$BATS_TEST_TMPDIR/crlf.pw"
	run --separate-stderr "$SIPREG" -u sip:alice@nowhere.invalid --password-file "$BATS_TEST_TMPDIR/crlf.pw"
	[ "$status" -eq 68 ]
}

@test "pjsip.conf: a transport of protocol ws is taken as ws" {
	run --separate-stderr "$SIPREG" --pjsip-conf "$FIX/pjsip/good/ws-transport.conf" --dump-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"transport: ws"* ]]
}

@test "--shard K/N: the shards of a file are disjoint and together the file" {
	umask 077
	{
		printf 'defaults: { server_uri: "sip:127.0.0.1:9" }\nregistrations:\n'
		for n in $(seq 1 30); do printf '  n%s: { client_uri: "sip:u%s@127.0.0.1" }\n' "$n" "$n"; done
	} >"$BATS_TEST_TMPDIR/s.yaml"
	for k in 1 2 3; do
		run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/s.yaml" --shard "$k/3" --dump-config
		[ "$status" -eq 0 ]
		grep -o 'client_uri: sip:u[0-9]*' <<<"$output" >>"$BATS_TEST_TMPDIR/all"
	done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" -eq 30 ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/all" | wc -l)" -eq 30 ]
	run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/s.yaml" --shard 4/3 --dump-config
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--shard: expected K/N with 1 <= K <= N <= 10000, got \"4/3\""* ]]
}

@test "--max-rate takes a decimal number of REGISTERs per second, at least 1" {
	printf 'client_uri: sip:alice@127.0.0.1\n' >"$BATS_TEST_TMPDIR/r.yaml"
	for bad in 0 nan inf 0x10 abc -5 "5 "; do
		run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/r.yaml" --max-rate "$bad" --dump-config
		[ "$status" -eq 64 ]
		[[ "$stderr" == *"--max-rate: expected a number of REGISTERs per second (at least 1), got \"$bad\""* ]]
	done
	run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/r.yaml" --max-rate 0.5 --dump-config
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--max-rate: must be at least 1"* ]]
	run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/r.yaml" --max-rate 1e3 --dump-config
	[ "$status" -eq 0 ]
}
