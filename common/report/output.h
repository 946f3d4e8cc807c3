/* SPDX-License-Identifier: BSD-2-Clause */
/* Renderers of the result model: text, json, env and nagios. */
#ifndef SR_OUTPUT_H
#define SR_OUTPUT_H

#include <stdio.h>

#include "model/result.h"

/* Write the results of a run in the chosen format (text, json, env) to
 * out. Returns 0 or -1. */
int sr_output_render(FILE *out, const char *tool, enum sr_output fmt, int verbose,
		     const struct sr_result *res, size_t n, int exit_code);
/* The one-shot Nagios line: its thresholds and checks. */
struct sr_nagios_opts {
	const char *warn, *crit; /* ranges on the response time (s), or NULL */
	int strict;		 /* the server's weak spots make WARNING */
	unsigned min_bindings;	 /* CRITICAL below (0: no check) */
	unsigned min_expires;	 /* CRITICAL when the expiry is below (0: no check) */
	unsigned cert_warn_days; /* WARNING when the registrar's certificate expires sooner */
};
/* The Nagios status line and perfdata of a run; returns the
 * monitoring-plugins code (0..3). */
int sr_output_nagios(FILE *out, const char *tool, const struct sr_result *res, size_t n,
		     const struct sr_nagios_opts *opts);
/* A usage, configuration or internal error (code) as the JSON document
 * (no results, "error") or the env lines of a run, for the scripts that
 * asked for them. */
void sr_output_error(FILE *out, const char *tool, enum sr_output fmt, int code);
/* Quote s for a POSIX shell (single quotes). */
void sr_shell_quote(FILE *out, const char *s);

#endif
