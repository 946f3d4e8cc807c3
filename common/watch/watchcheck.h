/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch --check: a Nagios check of a running watch (watchcheck.c). */
#ifndef SR_WATCHCHECK_H
#define SR_WATCHCHECK_H

#include <stdio.h>

/* --check: a Nagios check of a running watch's status file, written to
 * out; returns the plugin's state (0..3). A registrar that answers no audit
 * makes it WARNING, CRITICAL after unreachable_crit seconds; a registration
 * failing for longer than failing_crit seconds makes it CRITICAL; a
 * registrar's TLS certificate that expires within cert_warn_days makes it
 * WARNING, an expired one CRITICAL. */
int sr_watch_check(FILE *out, const char *status_file, double stale_after, const char *warn,
		   const char *crit, double unreachable_crit, double failing_crit,
		   unsigned cert_warn_days);

#endif
