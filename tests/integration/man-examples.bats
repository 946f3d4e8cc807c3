#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The EXAMPLES of every man page, run against Kamailio: each block is taken
# from the page, its example names mapped to the local registrar (below), and
# run; it must succeed.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start MD5
}

teardown_file() {
	kam_stop
}

setup() {
	kam_ready UDP
	cd "$BATS_TEST_TMPDIR"
	make_pwfile alice.pw alice-secret
	make_pwfile bob.pw bob-secret
	export ALICE_PW=alice-secret BOB_PW=bob-secret
	# what the examples leave to the environment: where the registrar is
	# and which CA signs its certificate (the SIPREG_<KEY> layer)
	export SIPREG_SERVER_URI="sip:127.0.0.1:$KAM_UDP" SIPREG_TLS_CA_FILE="$KAM_CA"
	export PATH="$SIPREG_BUILDDIR:$PATH"
	WPID=
}

teardown() {
	[ -n "${WPID:-}" ] && kill -KILL "$WPID" 2>/dev/null
	return 0
}

# The literal blocks of a page's EXAMPLES, each ended by a NUL (lines
# continued with \e joined), with the example names mapped to this test's
# registrar.
examples() {
	awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
		on && /^\.Bd -literal/ { lit = 1; buf = ""; next }
		on && /^\.Ed/ { lit = 0; printf "%s%c", buf, 0; next }
		on && lit { line = $0
			if (buf ~ /\\e$/) { sub(/\\e$/, "", buf); sub(/^[ \t]+/, " ", line) }
			else if (buf != "") buf = buf "\n"
			buf = buf line }' "$SIPREG_SRCDIR/man/$1" |
		sed -z -e "s|sips:sip\.example\.com|sips:127.0.0.1:$KAM_TLS|g" \
		    -e "s|sips:registrar\.example\.com|sips:127.0.0.1:$KAM_TLS|g" \
		    -e "s|sip:sip\.example\.net|sip:127.0.0.1:$KAM_TLS|g" \
		    -e "s|@example\.com|@127.0.0.1|g; s|@example\.net|@127.0.0.1|g" \
		    -e "s|--realm example\.com|--realm 127.0.0.1|g" \
		    -e "s|~/\.alice\.pw|alice.pw|g; s|/etc/sipreg/alice\.pw|alice.pw|g" \
		    -e "s|/etc/sipreg/trunks\.yaml|trunks.yaml|g; s|/run/sipreg/|./|g" \
		    -e "s|/var/lib/node_exporter/|./|g"
}

# Run one example (a line of examples()), as a shell would.
run_example() {
	echo "# $1" >&3
	run --separate-stderr bash -c "$1"
	[ "$status" -eq 0 ] || { echo "exit $status: $stderr $output" >&3; return 1; }
}

# Run every example of a page (those starting with $2 when given); N counts.
run_examples() {
	local ex
	while IFS= read -r -d '' ex; do
		[ -z "${2:-}" ] || [[ "$ex" == "$2"* ]] || continue
		run_example "$ex"
		N=$((N + 1))
	done < <(examples "$1")
}

@test "sipreg(1) EXAMPLES run" {
	N=0
	run_examples sipreg.1
	[ "$N" -ge 4 ]
	kam_bindings alice | grep -q .
}

@test "sipauthcheck(1) EXAMPLES run" {
	N=0
	run_examples sipauthcheck.1
	[ "$N" -ge 3 ]
}

@test "sipreg.yaml(5) and sipunreg(1) EXAMPLES run (the file of the page, then the tools on it)" {
	# the page's YAML example, as trunks.yaml
	examples sipreg.yaml.5 | head -z -n 1 | tr -d '\0' >trunks.yaml
	# the environment wins over the file: the same Kamailio over TLS
	export SIPREG_SERVER_URI="sips:127.0.0.1:$KAM_TLS"
	grep -q 'client_uri: sip:alice@127.0.0.1' trunks.yaml
	N=0
	run_examples sipreg.yaml.5 sipreg
	[ "$N" -ge 2 ]
	run_examples sipunreg.1
	[ "$N" -ge 5 ]
	kam_lacks alice .
	kam_lacks bob .
}

@test "sipregwatch(1) EXAMPLES run" {
	cat >trunks.yaml <<YAML
defaults: { max_random_initial_delay: 0, expiration: 120 }
registrations:
  alice: { client_uri: "sip:alice@127.0.0.1", server_uri: "sip:127.0.0.1:$KAM_UDP", password_file: alice.pw }
YAML
	mapfile -t -d '' ex < <(examples sipregwatch.1)
	[ "${#ex[@]}" -ge 3 ]
	# the first keeps running: in the background, until it has registered
	bash -c "exec ${ex[0]}" >events.jsonl 2>watch.err &
	WPID=$!
	EV="$BATS_TEST_TMPDIR/events.jsonl"
	wait_event registered "" 10
	watch_dump "$WPID" status.json sipreg.prom
	run_example "${ex[1]}"
	[[ "$output" == "SIPREGWATCH OK - 1 of 1 registered"* ]]
	run_example "${ex[2]//\$(pidof sipregwatch)/$WPID}"
	wait_event reloaded "" 5
	kill -TERM "$WPID"
	wait "$WPID"
	WPID=
}
