#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The benchmarks run (small), print their tables, and leave no process or
# directory behind: bench/watch once leaked its Kamailio (16 processes)
# and its temp directory on every run. Their figures are not checked here.

bats_require_minimum_version 1.5.0
load ../helpers

export BATS_TEST_TIMEOUT=300

@test "bench/watch: the side-by-side table, and nothing left behind" {
	need kamailio
	need sipp
	mkdir -p "$BATS_TEST_TMPDIR/t"
	run_in_session env TMPDIR="$BATS_TEST_TMPDIR/t" WATCH="$SIPREG_BUILDDIR/sipregwatch" KAM_CHILDREN=2 \
		"$SIPREG_SRCDIR/bench/watch" 200 1 300 20000
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"| registered                              |          200 |          200 |"* ]]
	[[ "$output" == *"| failure events / failed calls           |            0 |"* ]]
	[ -z "$(session_procs "$SESSION")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/t")" ]
}

@test "bench/watch cleans up when the watch never started" {
	need kamailio
	mkdir -p "$BATS_TEST_TMPDIR/t"
	run_in_session env TMPDIR="$BATS_TEST_TMPDIR/t" WATCH=/bin/false "$SIPREG_SRCDIR/bench/watch" 10 1
	[ "$status" -ne 0 ]
	[ -z "$(session_procs "$SESSION")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/t")" ]
}

@test "bench/transports and bench/load run and leave nothing behind" {
	need kamailio
	mkdir -p "$BATS_TEST_TMPDIR/t"
	run_in_session env TMPDIR="$BATS_TEST_TMPDIR/t" SIPREG="$SIPREG" "$SIPREG_SRCDIR/bench/transports" 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"| wss                |"* ]]
	[ -z "$(session_procs "$SESSION")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/t")" ]
}

@test "bench/startup: sipreg --probe (and a BASELINE build) beside the floor program, nothing left behind" {
	need kamailio
	mkdir -p "$BATS_TEST_TMPDIR/t"
	run_in_session env TMPDIR="$BATS_TEST_TMPDIR/t" SIPREG="$SIPREG" BASELINE="$SIPREG" \
		"$SIPREG_SRCDIR/bench/startup" 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"| sipreg --probe "* ]]
	[[ "$output" == *"sipreg --probe over the floor: "* ]]
	# BASELINE: another build in the same rounds, against the same floor
	[[ "$output" == *"| baseline --probe "* ]]
	[[ "$output" == *"baseline --probe over the floor: "* ]]
	[ -z "$(session_procs "$SESSION")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/t")" ]
}

@test "bench/connscale: rounds alternate, each with its table, the medians last, nothing left behind" {
	need kamailio
	mkdir -p "$BATS_TEST_TMPDIR/t"
	run_in_session env TMPDIR="$BATS_TEST_TMPDIR/t" WATCH="$SIPREG_BUILDDIR/sipregwatch" KAM_CHILDREN=2 \
		"$SIPREG_SRCDIR/bench/connscale" 20 tls 1 3600 20000 5 2
	echo "$output"
	[ "$status" -eq 0 ]
	# one table a round, each of a whole burst of its own (the events of
	# the round before are not counted again)
	[ "$(grep -c '^| measure ' <<<"$output")" = 2 ]
	[ "$(grep -c '^| registered  *|  *20 |  *20 |$' <<<"$output")" = 2 ]
	[ "$(grep -c '^| bindings held at the stop  *|  *20 |  *20 |$' <<<"$output")" = 2 ]
	[[ "$output" == *"round 2 of 2"* ]]
	[[ "$(tail -1 <<<"$output")" == "median of 2 rounds: udp "*"/s, tls "*"/s, ratio "* ]]
	[ -z "$(session_procs "$SESSION")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/t")" ]
}
