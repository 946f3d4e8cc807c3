#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package: dpkg-buildpackage builds sipreg-tools from a copy of
# this tree, lintian finds no error, dpkg installs it, the installed tools
# and man pages work from their paths, the sipreg user exists, and the
# unit stays down until a configuration exists. Needs root (dpkg -i);
# removes the package again.

bats_require_minimum_version 1.5.0
load ../helpers

export BATS_TEST_TIMEOUT=600

setup_file() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${SIPREG_PEERS_REQUIRED:-0}" = 1 ] && { echo "package.bats needs root" >&2; return 1; }
		skip "needs root (dpkg -i)"
	fi
	need dpkg-buildpackage
	need lintian
	PKG="$BATS_FILE_TMPDIR/pkg"
	mkdir -p "$PKG/src"
	# the tree without build directories or an in-tree configuration
	tar -C "$SIPREG_SRCDIR" --exclude=./.git --exclude='./build*' --exclude=./autom4te.cache \
		--exclude=./config.status --exclude=./config.log --exclude=./Makefile \
		--exclude=./config.h --exclude=./libtool --exclude=./stamp-h1 --exclude='./_*' \
		-cf - . | tar -C "$PKG/src" -xf -
	chmod -R u+w "$PKG/src"
	(cd "$PKG/src" && dpkg-buildpackage -us -uc -b) >"$PKG/build.log" 2>&1 ||
		{ tail -40 "$PKG/build.log" >&2; return 1; }
	export PKG
}

teardown_file() {
	dpkg -r sipreg-tools >/dev/null 2>&1
	return 0
}

@test "dpkg-buildpackage built sipreg-tools, and lintian finds no error" {
	deb=$(ls "$PKG"/sipreg-tools_*_*.deb)
	[ -f "$deb" ]
	run lintian --allow-root --display-level '>=error' "$deb"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run dpkg -c "$deb"
	[[ "$output" == *"./usr/bin/sipregwatch"* ]]
	[[ "$output" == *"./lib/systemd/system/sipregwatch@.service"* ]]
	[[ "$output" == *"./usr/lib/sysusers.d/sipreg-tools.conf"* ]]
	[[ "$output" == *"./usr/share/man/man5/sipreg.yaml.5.gz"* ]]
	[[ "$output" == *"./usr/share/bash-completion/completions/sipreg"* ]]
	[[ "$output" == *"./etc/sipreg/trunks.yaml.example"* ]]
}

@test "dpkg installs it: the tools, their man pages, the user, a unit that waits" {
	run dpkg -i "$PKG"/sipreg-tools_*_*.deb
	echo "$output"
	[ "$status" -eq 0 ]
	run /usr/bin/sipreg --version
	[ "$status" -eq 0 ]
	[[ "$output" == "sipreg (sipreg-tools) "* ]]
	for t in sipreg sipunreg sipauthcheck sipregwatch; do
		[ -x "/usr/bin/$t" ]
		run sh -c "mandoc -T ascii /usr/share/man/man1/$t.1.gz | col -b"
		[ "$status" -eq 0 ]
		[[ "$output" == *"SYNOPSIS"* ]]
	done
	run sh -c "mandoc -T ascii /usr/share/man/man5/sipreg.yaml.5.gz | col -b"
	[[ "$output" == *"KEYS"* ]]
	id sipreg
	# the unit names the installed binary and waits for its configuration
	grep -q '^ExecStart=/usr/bin/sipregwatch ' /lib/systemd/system/sipregwatch.service
	grep -q '^ConditionPathExists=/etc/sipreg/trunks.yaml$' /lib/systemd/system/sipregwatch.service
	[ ! -e /etc/sipreg/trunks.yaml ]
	run /usr/bin/sipregwatch -f /etc/sipreg/trunks.yaml.example --dump-config
	[ "$status" -eq 0 ]
}
