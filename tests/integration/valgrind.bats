#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipregwatch under valgrind: registrations, refreshes, a reload that adds a
# failing registration (retries), SIGUSR1, SIGTERM: no memory error, no leak.

bats_require_minimum_version 1.5.0
load ../helpers

teardown() {
	sipp_and_watch_stop
}

@test "valgrind: a watch with refreshes and a reload is free of errors and leaks" {
	need valgrind
	if ldd "$SIPREG_BUILDDIR/sipregwatch" | grep -q libasan; then
		skip "an ASan build: valgrind runs on the plain build"
	fi
	sipp_start watch-refresh
	cd "$BATS_TEST_TMPDIR"
	printf 'registrations:\n  r: { client_uri: "sip:alice@127.0.0.1", server_uri: "sip:127.0.0.1:%s", max_random_initial_delay: 0 }\n' \
		"$SIPP_PORT" >w.yaml
	# valgrind's own file: the watch's warnings go to its stderr
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect -q --log-file=vg.log "$SIPREG_BUILDDIR/sipregwatch" \
		-f w.yaml --events ev --status-file st.json --prometheus-file m.prom >out 2>err </dev/null &
	WPID=$!
	EV="$BATS_TEST_TMPDIR/ev"
	wait_event refreshed "" 20
	printf '  s: { client_uri: "sip:bob@127.0.0.1", server_uri: "sip:127.0.0.1:9", password: x, max_random_initial_delay: 0 }\n' >>w.yaml
	chmod 600 w.yaml
	kill -HUP "$WPID"
	wait_event retry_scheduled "" 10 || true
	grep -q '"reloaded"' ev
	# the dump path runs under valgrind: wait until both files are new
	watch_dump "$WPID" "$BATS_TEST_TMPDIR/st.json" "$BATS_TEST_TMPDIR/m.prom"
	kill -TERM "$WPID"
	rc=0
	wait "$WPID" || rc=$?
	WPID=
	cat vg.log >&3
	[ "$rc" -eq 0 ]
	[ ! -s vg.log ]
	grep -q '"stopped"' ev
}
