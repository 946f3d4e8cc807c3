#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The bash completion: every option of each tool's --help, the output
# formats, and registration names from the file given with -f.

bats_require_minimum_version 1.5.0
load ../helpers

complete_words() { # tool, words...
	bash -c '
		[ -r /usr/share/bash-completion/bash_completion ] || exit 77
		. /usr/share/bash-completion/bash_completion
		PATH="$1:$PATH"
		. "$2"
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_sipreg_tools "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$SIPREG_BUILDDIR" "$SIPREG_SRCDIR/completions/sipreg-tools.bash" "$@"
}

@test "every option of each tool's --help completes" {
	for t in sipreg sipunreg sipauthcheck sipregwatch; do
		run complete_words "$t" --
		[ "$status" -ne 77 ] || skip "bash-completion is not installed"
		[ "$status" -eq 0 ]
		want=$("$SIPREG_BUILDDIR/$t" --help | grep -oE -- '--[a-z0-9-]+' | sort -u)
		[ "$(sort -u <<<"$output")" = "$want" ]
	done
}

@test "-o completes the output formats, --transport the transports" {
	run complete_words sipreg -o ""
	[ "$status" -ne 77 ] || skip "bash-completion is not installed"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "env json nagios text " ]
	run complete_words sipreg --transport ""
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "tcp tls udp ws wss " ]
}

@test "-n completes registration names from the file of -f, list or mapping" {
	run complete_words sipreg -f "$SIPREG_SRCDIR/tests/fixtures/config/good/mapping.yaml" -n ""
	[ "$status" -ne 77 ] || skip "bash-completion is not installed"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "a b c " ]
	run complete_words sipunreg -f "$SIPREG_SRCDIR/tests/fixtures/config/good/list.yaml" -n tr
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "trunk-a trunk-b " ]
}
