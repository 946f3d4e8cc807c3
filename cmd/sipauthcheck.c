/* SPDX-License-Identifier: BSD-2-Clause */
/* sipauthcheck: check one credential without touching any binding. */
#include "config.h"

#include "config/options.h"
#include "tool/toolmain.h"

int main(int argc, char **argv)
{
	static const struct sr_tool tool = {"sipauthcheck", SR_TOOL_SIPAUTHCHECK, 1,
					    SR_MODE_AUTHCHECK, 1};

	sr_tool_main(&tool, argc, argv);
}
