#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The man pages: lint clean, and they document every option --help lists.

bats_require_minimum_version 1.5.0
load ../helpers

TOOLS="sipreg sipunreg sipauthcheck sipregwatch"

@test "the man pages of the tools are mandoc -T lint clean" {
	need mandoc
	for t in $TOOLS; do
		run mandoc -T lint "$SIPREG_SRCDIR/man/$t.1"
		[ "$status" -eq 0 ] || { echo "$t: $output"; false; }
		[ "$(grep -cE "$t\.1:[0-9]+:[0-9]+: (STYLE|WARNING|ERROR|UNSUPP)" <<<"$output")" = 0 ]
	done
}

@test "the man pages of the tools have the required sections" {
	for t in $TOOLS; do
		for s in SYNOPSIS OPTIONS OUTPUT "EXIT STATUS" EXAMPLES ENVIRONMENT FILES; do
			grep -q "^\.Sh $s\$" "$SIPREG_SRCDIR/man/$t.1" || { echo "$t: no $s"; false; }
		done
	done
}

@test "every flag and alias in each tool's --help is documented in its man page" {
	for t in $TOOLS; do
		run "$SIPREG_BUILDDIR/$t" --help
		[ "$status" -eq 0 ]
		flags=$(grep -oE -- '--[a-z0-9-]+' <<<"$output" | sort -u)
		[ -n "$flags" ]
		for f in $flags; do
			grep -qF -- "Fl \\${f#-}" "$SIPREG_SRCDIR/man/$t.1" || { echo "$t: undocumented: $f"; false; }
		done
	done
}

@test "every exit code is in each man page" {
	for t in $TOOLS; do
		for c in 0 64 68 69 70 75 76 77 78; do
			grep -qE "^\.It $c\$" "$SIPREG_SRCDIR/man/$t.1" || { echo "$t: no exit $c"; false; }
		done
	done
}

@test "man/sipreg.yaml.5 is mandoc -T lint clean and has its sections" {
	need mandoc
	run mandoc -T lint "$SIPREG_SRCDIR/man/sipreg.yaml.5"
	[ "$status" -eq 0 ]
	[ "$(grep -cE 'sipreg\.yaml\.5:[0-9]+:[0-9]+: (STYLE|WARNING|ERROR|UNSUPP)' <<<"$output")" = 0 ]
	for s in KEYS SECRETS "ASTERISK PJSIP.CONF" ENVIRONMENT FILES EXAMPLES; do
		grep -q "^\.Sh $s\$" "$SIPREG_SRCDIR/man/sipreg.yaml.5" || { echo "no $s"; false; }
	done
}

@test "every YAML key the tools dump is documented in sipreg.yaml.5, and each documented key is a flag" {
	fix="$SIPREG_SRCDIR/tests/fixtures/config/good"
	keys=$(for f in "$fix"/*.yaml; do "$SIPREG" -f "$f" --dump-config; done |
		sed -n 's/^[- ] *\([a-z_0-9]*\):.*/\1/p' | sort -u | grep -v '^registrations$')
	[ -n "$keys" ]
	for k in $keys; do
		grep -qE "^\.It Ic $k( |\$)" "$SIPREG_SRCDIR/man/sipreg.yaml.5" || { echo "undocumented key: $k"; false; }
	done
	help=$(for t in $TOOLS; do "$SIPREG_BUILDDIR/$t" --help; done)
	for k in $(sed -n 's/^\.It Ic \([a-z_0-9]*\).*/\1/p' "$SIPREG_SRCDIR/man/sipreg.yaml.5"); do
		[[ "$help" == *"--${k//_/-}"* ]] || { echo "documented but no flag: $k"; false; }
	done
}

@test "every result word is in each man page, with its exit status" {
	words=$(grep -oE '^\s*\[SR_W_[A-Z_]+\] = "[a-z_]+"' "$SIPREG_SRCDIR/common/model/exitcode.c" |
		sed 's/.*"\(.*\)"/\1/' | grep -v '^none$')
	[ "$(wc -l <<<"$words")" -ge 16 ]
	for t in $TOOLS; do
		for w in $words; do
			grep -qxF ".It Cm $w" "$SIPREG_SRCDIR/man/$t.1" || { echo "$t: no result word $w"; false; }
		done
	done
}

@test "each man page puts a 503 under rejected (exit 75), as the tools report it, not under transport_error" {
	for t in $TOOLS; do
		sed -n '/^\.It Cm rejected$/,/^\.It /p' "$SIPREG_SRCDIR/man/$t.1" | grep -q 503
		sed -n '/^\.It Cm rejected$/,/^\.It /p' "$SIPREG_SRCDIR/man/$t.1" | grep -q 'exits 75'
		[ -z "$(sed -n '/^\.It Cm transport_error$/,/^\.It /p' "$SIPREG_SRCDIR/man/$t.1" | grep 503)" ]
	done
}

@test "every flag a man page documents is one its tool knows (checkmanpage's other way)" {
	for t in $TOOLS; do
		help=$("$SIPREG_BUILDDIR/$t" --help)
		for f in $(sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$SIPREG_SRCDIR/man/$t.1" |
			grep -oE '^\.It Fl \\-[a-z0-9-]+' | sed 's/^\.It Fl \\//'); do
			grep -qE -- "(^| )-$f([=[ ,]|$)" <<<"$help" || { echo "$t: man documents unknown -$f"; false; }
		done
	done
}

@test "each tool's --help lists only the options that apply to it" {
	run "$SIPREG" --help
	[ "$status" -eq 0 ]
	[[ "$output" != *--max-retries* ]]
	[[ "$output" != *--audit-interval* ]]
	[[ "$output" != *--status-file* ]]
	[[ "$output" == *--probe* ]]
	run "$SIPREG_BUILDDIR/sipregwatch" --help
	[[ "$output" == *--max-retries* ]]
	[[ "$output" == *--keep-alive-interval* ]]
	[[ "$output" != *--probe* ]]
	run "$SIPREG_BUILDDIR/sipunreg" --help
	[[ "$output" != *--retry-interval* ]]
	[[ "$output" == *--all* ]]
	# a watch-only key is still a YAML key for every tool (one file serves all)
	run "$SIPREG" --max-retries=3 -u sip:a@127.0.0.1
	[ "$status" -eq 64 ]
}

@test "every option head in the man pages closes the brackets it opens" {
	need mandoc
	for t in $TOOLS; do
		heads=$(MANWIDTH=300 mandoc -Tascii "$SIPREG_SRCDIR/man/$t.1" | col -b | grep -E '^ {5}-')
		[ -n "$heads" ]
		while IFS= read -r h; do
			open=$(tr -cd '[' <<<"$h")
			close=$(tr -cd ']' <<<"$h")
			[ ${#open} -eq ${#close} ] || { echo "$t: unbalanced: $h"; false; }
		done <<<"$heads"
	done
}

@test "each tool's man page shows its own name as the Nagios prefix" {
	for t in sipreg sipunreg sipauthcheck; do
		upper=$(tr a-z A-Z <<<"$t")
		run grep -c "^\.Ql $upper OK - " "$SIPREG_SRCDIR/man/$t.1"
		[ "$output" = 1 ] || { echo "$t.1 has no '$upper OK -'"; false; }
	done
	run grep -l "^\.Ql SIPREG OK - " "$SIPREG_SRCDIR/man/sipunreg.1" "$SIPREG_SRCDIR/man/sipauthcheck.1"
	[ -z "$output" ]
}
