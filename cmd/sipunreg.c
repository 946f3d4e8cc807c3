/* SPDX-License-Identifier: BSD-2-Clause */
/* sipunreg: remove bindings (ours, named ones, or all) and report what is left. */
#include "config.h"

#include "config/options.h"
#include "tool/toolmain.h"

int main(int argc, char **argv)
{
	static const struct sr_tool tool = {"sipunreg", SR_TOOL_SIPUNREG, 1, SR_MODE_UNREGISTER, 0};

	sr_tool_main(&tool, argc, argv);
}
