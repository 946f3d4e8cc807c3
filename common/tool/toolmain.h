/* SPDX-License-Identifier: BSD-2-Clause */
/* The straight line every tool's main() follows: parse, build the
 * registrations, load secrets, run each, render, exit. */
#ifndef SR_TOOLMAIN_H
#define SR_TOOLMAIN_H

#include "model/settings.h"

struct sr_tool {
	const char *name;
	unsigned bit;	/* SR_TOOL_* */
	int fixed_mode; /* 1: mode is the tool's own, not from flags */
	enum sr_mode mode;
	int one_only; /* one registration per run */
};

/* Never returns: ends the process with the run's exit code. */
void sr_tool_main(const struct sr_tool *tool, int argc, char **argv) __attribute__((noreturn));

#endif
