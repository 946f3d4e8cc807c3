/* SPDX-License-Identifier: BSD-2-Clause */
/* sipreg: register (or probe, or list bindings) once and report. */
#include "config.h"

#include "config/options.h"
#include "tool/toolmain.h"

int main(int argc, char **argv)
{
	static const struct sr_tool tool = {"sipreg", SR_TOOL_SIPREG, 0, SR_MODE_REGISTER, 0};

	sr_tool_main(&tool, argc, argv);
}
