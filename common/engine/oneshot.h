/* SPDX-License-Identifier: BSD-2-Clause */
/* A one-shot tool's run of one registration (register, probe, list,
 * remove or check) on a stack of its own, failing over between servers. */
#ifndef SR_ONESHOT_H
#define SR_ONESHOT_H

#include "model/result.h"
#include "model/settings.h"

/* Run one registration. deadline is CLOCK_MONOTONIC seconds (sr_now()).
 * Fills res; returns 0, or -1 on an internal error (res says which). */
int sr_engine_run(const struct sr_reg *reg, const struct sr_run *run, double deadline,
		  struct sr_result *res);

#endif
