#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The README's tour (scripts/tour) runs for real: every command gives the
# exit code the README shows, and the outputs say what it says.

bats_require_minimum_version 1.5.0
load ../helpers

@test "scripts/tour: every tool against Kamailio, each exit code as the README says" {
	need kamailio
	need jq
	run --separate-stderr timeout 120 "$SIPREG_SRCDIR/scripts/tour" "$SIPREG_BUILDDIR"
	echo "$stderr" >&3
	[ "$status" -eq 0 ]
	[[ "$output" == *"sip:alice@127.0.0.1: registered (200 OK) sip:alice@127.0.0.1 at sip:127.0.0.1:"*", expires 600s, "* ]]
	[[ "$output" == *"sip:bob@127.0.0.1: credentials_valid (200 OK)"* ]]
	[[ "$output" == *"at sip:127.0.0.1:"*";transport=wss over wss, expires 3600s, "*"removed again"* ]]
	[[ "$output" == *"tls_error"*"requires a client certificate; give one with --tls-cert and --tls-key"* ]]
	[[ "$output" == *"sip:bob@127.0.0.1: unregistered (200 OK)"* ]]
	[[ "$output" == *"SIPREGWATCH CRITICAL - 2 of 3 registered, 1 rejected, 0 failing: ghost rejected |"* ]]
	[[ "$output" == *'sipreg_registered{name="alice"} 1'* ]]
	[[ "$output" == *"registered 200 3600"* ]]
	[[ "$output" == *'"event":"stopped"'* ]]
}
