/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch: keep many registrations alive with Asterisk's retry rules,
 * report events, a status file and Prometheus metrics. */
#ifndef SR_WATCH_H
#define SR_WATCH_H

#include "config/cli.h"
#include "config/regset.h"
#include "model/settings.h"
#include "watch/watchdata.h"

/* Run until SIGTERM/SIGINT. cfg is the loaded configuration; reload reads
 * it again from the same sources. Returns the exit code. */
int sr_watch_run(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		 struct sr_config *cfg, const struct sr_watch_opts *opts);

#endif
