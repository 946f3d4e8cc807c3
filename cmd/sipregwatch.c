/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch: keep many registrations alive and report what happens. */
#include "config.h"

#include "tool/watchmain.h"

int main(int argc, char **argv)
{
	sr_watch_tool_main(argc, argv);
}
