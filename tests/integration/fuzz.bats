#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The libFuzzer targets (clang, ASan + UBSan), built by `make check` before
# the tests (the `fuzzers` target), take their seed corpus and fuzz for a
# few seconds without a crash. scripts/fuzz runs them longer.

bats_require_minimum_version 1.5.0
load ../helpers

# 4 targets x 3 s of fuzzing, plus their start on a loaded machine.
export BATS_TEST_TIMEOUT=120

@test "fuzz targets (YAML, pjsip.conf, challenges, Nagios ranges) run a few seconds without a crash" {
	need clang
	run --separate-stderr timeout 100 env FUZZ_BUILDDIR="$SIPREG_BUILDDIR/fuzz" \
		"$SIPREG_SRCDIR/scripts/fuzz" --run 3
	echo "$output" >&3
	[ "$status" -eq 0 ] || { echo "$stderr" >&3; false; }
	[ "$(grep -c ' 0 crash(es)$' <<<"$output")" -eq 4 ]
}
