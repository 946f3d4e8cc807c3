#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# scripts/check-layout: the layers of common/ on includes and on calls.
# The real tree passes; small trees of our own, built here, break one rule
# each and must fail it.

load ../helpers

CHECK="$SIPREG_SRCDIR/scripts/check-layout"

# A tree in $T: common/$1 calling common/$2 (function b of b.c).
tree() {
	T="$BATS_TEST_TMPDIR/t"
	mkdir -p "$T/common/${1%/*}" "$T/common/${2%/*}" "$T/build/common/${1%/*}" \
		"$T/build/common/${2%/*}"
	printf '/* x */\n/* a */\nint b(void);\nint a(void)\n{\n\treturn b();\n}\n' >"$T/common/$1.c"
	printf '/* x */\n/* b */\nint b(void)\n{\n\treturn 1;\n}\n' >"$T/common/$2.c"
	: >"$T/common/$1.h"
	: >"$T/common/$2.h"
	cc -c -o "$T/build/common/$1.o" "$T/common/$1.c"
	cc -c -o "$T/build/common/$2.o" "$T/common/$2.c"
}

@test "check-layout: the tree as built passes, on includes and on calls" {
	run "$CHECK" "$SIPREG_BUILDDIR"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "check-layout: a call down the layers passes" {
	tree engine/a util/b
	LAYOUT_ROOT=$T run "$CHECK" "$T/build"
	[ "$status" -eq 0 ]
}

@test "check-layout: a call up the layers fails, naming both files" {
	tree util/a engine/b
	LAYOUT_ROOT=$T run "$CHECK"
	[ "$status" -eq 0 ]
	LAYOUT_ROOT=$T run "$CHECK" "$T/build"
	[ "$status" -eq 1 ]
	[[ "$output" == *"util/a calls engine/b (b): util/ may not use engine/, a later layer"* ]]
}

@test "check-layout: a call cycle inside one folder fails" {
	tree engine/a engine/b
	printf 'int a(void);\nint c(void)\n{\n\treturn a();\n}\n' >>"$T/common/engine/b.c"
	cc -c -o "$T/build/common/engine/b.o" "$T/common/engine/b.c"
	LAYOUT_ROOT=$T run "$CHECK" "$T/build"
	[ "$status" -eq 1 ]
	[[ "$output" == *"calls cycle between files"* ]]
}

@test "check-layout: an include up the layers, a stray file and a stray folder fail" {
	tree util/a util/b
	printf '#include "engine/x.h"\n' >>"$T/common/util/a.c"
	mkdir -p "$T/common/engine" "$T/common/misc"
	: >"$T/common/engine/x.h"
	: >"$T/common/stray.c"
	LAYOUT_ROOT=$T run "$CHECK"
	[ "$status" -eq 1 ]
	[[ "$output" == *"util/a includes engine/x"* ]]
	[[ "$output" == *"common/misc: a folder that is not a layer"* ]]
	[[ "$output" == *"common/stray.c: a source outside the layer folders"* ]]
}

@test "check-layout: a .c without its own header, or without a comment saying what it is for, fails" {
	tree util/a util/b
	rm "$T/common/util/b.h"
	printf '/* x */\nint c(void);\n' >"$T/common/util/c.c"
	: >"$T/common/util/c.h"
	LAYOUT_ROOT=$T run "$CHECK"
	[ "$status" -eq 1 ]
	[[ "$output" == *"common/util/b.c: no header common/util/b.h of its own"* ]]
	[[ "$output" == *"common/util/c.c: line 2 is not a comment saying what the file is for"* ]]
	[[ "$output" != *"common/util/a.c"* ]]
}

@test "check-layout: a build directory without objects is an error, not a pass" {
	tree util/a util/b
	LAYOUT_ROOT=$T run "$CHECK" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no objects under common/"* ]]
	LAYOUT_ROOT=$T run "$CHECK" "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such build directory"* ]]
}

@test "the licence: BSD-2-Clause in LICENSE, debian/copyright and every source file" {
	cd "$SIPREG_SRCDIR"
	grep -q '^BSD 2-Clause License$' LICENSE
	grep -q '^License: BSD-2-Clause$' debian/copyright
	run grep -c 'all rights reserved by' debian/copyright
	[ "$output" = 0 ]
	local f missing=
	for f in common/*/*.[ch] cmd/*.c tests/unit/*.c tests/fuzz/*.[ch] bench/floor.c \
		scripts/* tests/*/*.bats Makefile.am configure.ac; do
		grep -q 'SPDX-License-Identifier: BSD-2-Clause' "$f" || missing="$missing $f"
	done
	[ -z "$missing" ]
}
