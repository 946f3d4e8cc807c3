#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipregwatch keeps its bindings through loss, a registrar restart and a
# partition: a Kamailio (memory-only location table) in a namespace of the
# test's own, faults made with iptables there, and the registrar's own
# count of bindings (usrloc's location_contacts) checked, not only our
# events. The figures (how fast, how many REGISTERs) are bench/faults'.

bats_require_minimum_version 1.5.0
load netns

WATCH="$SIPREG_BUILDDIR/sipregwatch"
export BATS_TEST_TIMEOUT=240

setup() {
	ns_setup
	EV="$BATS_TEST_TMPDIR/ev"
	make_pwfile "$BATS_TEST_TMPDIR/pw" load-secret
}

teardown() {
	ns_teardown
}

# N digest registrations (users load1..loadN of the registrar), with the
# keys given as further YAML lines of the defaults, in $1.
load_yaml() {
	local file=$1 n=$2
	shift 2
	{
		printf 'defaults:\n  server_uri: "sip:127.0.0.1:%s"\n' "$KAM_UDP"
		printf '  password_file: %s\n  max_random_initial_delay: 0\n' "$BATS_TEST_TMPDIR/pw"
		printf '  %s\n' "$@"
		printf 'registrations:\n'
		awk -v n="$n" 'BEGIN {
			for (i = 1; i <= n; i++)
				printf "  r%d: { client_uri: \"sip:load%d@127.0.0.1\", contact_user: f%d }\n", i, i, i
		}'
	} >"$file"
}

# The registrar's count at every half second over $2 seconds, each one
# at least $1; the first one below is printed and fails.
kam_holds() {
	local want=$1 i c
	for i in $(seq 1 $(($2 * 2))); do
		c=$(kam_contacts)
		if [ "${c:-0}" -lt "$want" ]; then
			echo "the registrar held ${c:-0} of $want bindings at sample $i" >&2
			return 1
		fi
		sleep 0.5
	done
}

@test "10 % loss each way: all bound, held at every sample through refreshes, none rejected" {
	# the registrar's least grant (60 s): refreshes every 27-30 s
	load_yaml "$BATS_TEST_TMPDIR/w.yaml" 300 "expiration: 60" "audit_interval: 10"
	ns_loss 10
	ns_spawn "$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV"
	kam_wait_contacts 300 120
	# two refresh cycles: every refresh lands before its binding expires
	kam_holds 300 65
	[ "$(count_events rejected)" -eq 0 ]
	[ "$(count_events expired)" -eq 0 ]
}

@test "a registrar restart under 10 % loss: every binding back, none rejected" {
	load_yaml "$BATS_TEST_TMPDIR/w.yaml" 300 "expiration: 120" "audit_interval: 5"
	ns_loss 10
	ns_spawn "$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV"
	kam_wait_contacts 300 120
	kam_restart
	# the restart dropped them all; the audit finds ours missing
	wait_event bindings_lost "" 60
	kam_wait_contacts 300 90
	[ "$(count_events rejected)" -eq 0 ]
}

@test "a partition longer than a transaction: unreachable, then every binding back without waiting retry_interval" {
	# refreshes every 27-30 s (the registrar's least grant, 60 s); 10 s
	# without an answer is a timeout; a retry_interval of 600 s would
	# outlast the test
	load_yaml "$BATS_TEST_TMPDIR/w.yaml" 50 "expiration: 60" "audit_interval: 5" \
		"retry_interval: 600"
	ns_spawn "$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV"
	kam_wait_contacts 50 60
	ns_partition on
	wait_event registrar_unreachable "" 60
	# every refresh in the partition gets no answer, and every binding
	# expires at the registrar
	for _ in $(seq 1 1200); do
		[ "$(kam_contacts)" -eq 0 ] && break
		sleep 0.1
	done
	[ "$(kam_contacts)" -eq 0 ]
	[ "$(count_events failed)" -ge 50 ]
	ns_partition off
	wait_event registrar_reachable "" 60
	kam_wait_contacts 50 60
	[ "$(jq -s '[.[] | select(.event == "failed")] | all(.result == "timeout")' "$EV")" = true ]
	[ "$(count_events rejected)" -eq 0 ]
}

@test "long run: open fds and RSS flat over ten refresh cycles, over UDP and TLS" {
	# a registrar that grants 10 s: refreshes every 4.5-5 s
	ns_teardown
	KAM_MIN_EXPIRES=10 ns_setup
	{
		printf 'defaults:\n  password_file: %s\n' "$BATS_TEST_TMPDIR/pw"
		printf '  max_random_initial_delay: 0\n  expiration: 10\n  audit_interval: 5\n'
		printf 'registrations:\n'
		for i in $(seq 1 100); do
			printf '  u%d: { client_uri: "sip:load%d@127.0.0.1", contact_user: lu%d,' "$i" "$i" "$i"
			printf ' server_uri: "sip:127.0.0.1:%s" }\n' "$KAM_UDP"
		done
		for i in $(seq 101 120); do
			printf '  t%d: { client_uri: "sip:load%d@127.0.0.1", contact_user: lt%d,' "$i" "$i" "$i"
			printf ' server_uri: "sip:127.0.0.1:%s;transport=tls", tls_ca_file: %s }\n' \
				"$KAM_TLS" "$KAM_CA"
		done
	} >"$BATS_TEST_TMPDIR/w.yaml"
	ns_spawn "$WATCH" -f "$BATS_TEST_TMPDIR/w.yaml" --events "$EV"
	pid=$NS_LAST
	kam_wait_contacts 120 60
	refreshed_at_least() {
		for _ in $(seq 1 1200); do
			[ "$(count_events refreshed)" -ge "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	refreshed_at_least 240
	fds1=$(ls "/proc/$pid/fd" | wc -l)
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	refreshed_at_least 1200
	fds2=$(ls "/proc/$pid/fd" | wc -l)
	rss2=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	echo "fds $fds1 -> $fds2, RSS $rss1 -> $rss2 KB" >&3
	[ "$fds2" -eq "$fds1" ]
	[ "$(kam_contacts)" -eq 120 ]
	# ASan keeps what is freed in quarantine: RSS is judged on plain builds
	if ! ldd "$WATCH" | grep -q libasan; then
		[ "$rss2" -le $((rss1 + 1024)) ]
	fi
}
