#!/usr/bin/env bats
# The libFuzzer targets build (clang, ASan + UBSan), take their seed corpus
# and fuzz for a few seconds without a crash. scripts/fuzz runs them longer.

bats_require_minimum_version 1.5.0
load ../helpers

@test "fuzz targets (YAML, pjsip.conf, challenges, Nagios ranges) run a few seconds without a crash" {
	need clang
	run --separate-stderr timeout 600 env FUZZ_BUILDDIR="$BATS_FILE_TMPDIR/fuzz" \
		"$SIPREG_SRCDIR/scripts/fuzz" 3
	echo "$output" >&3
	[ "$status" -eq 0 ] || { echo "$stderr" >&3; false; }
	[ "$(grep -c ' 0 crash(es)$' <<<"$output")" -eq 4 ]
}
