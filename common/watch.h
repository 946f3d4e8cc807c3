/* sipregwatch: keep many registrations alive with Asterisk's retry rules,
 * report events, a status file and Prometheus metrics. */
#ifndef SR_WATCH_H
#define SR_WATCH_H

#include <stdio.h>

#include "cli.h"
#include "regset.h"
#include "settings.h"

struct sr_cli;
struct sr_config;

struct sr_watch_opts {
	const char *events_file; /* NULL: stdout */
	const char *status_file;
	const char *prometheus_file;
	double shutdown_timeout; /* seconds */
	double max_rate;	 /* REGISTERs per second */
};

/* Run until SIGTERM/SIGINT. cfg is the loaded configuration; reload reads
 * it again from the same sources. Returns the exit code. */
int sr_watch_run(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		 struct sr_config *cfg, const struct sr_watch_opts *opts);

/* --check: a Nagios check of a running watch's status file, written to
 * out; returns the plugin's state (0..3). A registrar that answers no audit
 * makes it WARNING, CRITICAL after unreachable_crit seconds; a registration
 * failing for longer than failing_crit seconds makes it CRITICAL. */
int sr_watch_check(FILE *out, const char *status_file, double stale_after, const char *warn,
		   const char *crit, double unreachable_crit, double failing_crit);

#endif
