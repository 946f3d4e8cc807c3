/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's main (watchmain.c), in the watch's library: the one-shot
 * tools do not link it. */
#ifndef SR_WATCHMAIN_H
#define SR_WATCHMAIN_H

/* A check of a running watch, or the watch. Never returns. */
void sr_watch_tool_main(int argc, char **argv) __attribute__((noreturn));

#endif
