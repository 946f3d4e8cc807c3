#!/usr/bin/env bats
# The man pages: lint clean, and they document every option --help lists.

bats_require_minimum_version 1.5.0
load ../helpers

@test "man/sipreg.1 is mandoc -T lint clean" {
	need mandoc
	run mandoc -T lint "$SIPREG_SRCDIR/man/sipreg.1"
	[ "$status" -eq 0 ]
	! grep -E 'sipreg\.1:[0-9]+:[0-9]+: (STYLE|WARNING|ERROR|UNSUPP)' <<<"$output"
}

@test "man/sipreg.1 has the required sections" {
	for s in SYNOPSIS OPTIONS OUTPUT "EXIT STATUS" EXAMPLES ENVIRONMENT FILES; do
		grep -q "^\.Sh $s\$" "$SIPREG_SRCDIR/man/sipreg.1" || { echo "no $s"; false; }
	done
}

@test "every flag and alias in --help is documented in man/sipreg.1" {
	run "$SIPREG" --help
	[ "$status" -eq 0 ]
	flags=$(grep -oE -- '--[a-z0-9-]+' <<<"$output" | sort -u)
	[ -n "$flags" ]
	for f in $flags; do
		grep -qF -- "Fl \\${f#-}" "$SIPREG_SRCDIR/man/sipreg.1" || { echo "undocumented: $f"; false; }
	done
}

@test "every exit code of --help is in the man page" {
	for c in 0 64 68 69 70 75 76 77 78; do
		grep -qE "^\.It $c\$" "$SIPREG_SRCDIR/man/sipreg.1" || { echo "no exit $c"; false; }
	done
}
