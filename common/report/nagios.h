/* SPDX-License-Identifier: BSD-2-Clause */
/* The monitoring-plugins output of every tool in one place: states,
 * threshold ranges, the status line and perfdata with its quoting rules. */
#ifndef SR_NAGIOS_H
#define SR_NAGIOS_H

#include <stdio.h>

enum sr_nagios_state {
	SR_NAGIOS_OK = 0,
	SR_NAGIOS_WARNING = 1,
	SR_NAGIOS_CRITICAL = 2,
	SR_NAGIOS_UNKNOWN = 3,
};

/* Nagios range ("10", "5:", "~:10", "@1:2"): 1 when value alerts, 0 when
 * not, -1 on a bad range. NULL or "" never alerts. */
int sr_range_alert(const char *range, double value);
/* The state of value against the -w and -c ranges (either may be NULL). */
enum sr_nagios_state sr_nagios_thresholds(double value, const char *warn, const char *crit);
/* A TLS certificate ending at not_after (Unix time), as check_ssl_cert
 * judges one: CRITICAL once expired, WARNING within warn_days, else OK. */
enum sr_nagios_state sr_nagios_cert(double not_after, double now, unsigned warn_days);
/* When value alerts: which threshold fired, "; WHAT 0.6 s outside -c 0.5"
 * ("inside -w @0:1" for an '@' range), for the status line. */
void sr_nagios_threshold_note(FILE *out, const char *what, double value, const char *unit,
			      const char *warn, const char *crit);
/* "TOOL STATE - " */
void sr_nagios_begin(FILE *out, const char *tool, enum sr_nagios_state state);
/* Text of the status line: a '|' would start the perfdata and a line break
 * would end the line, so they become '/' and ' '. */
void sr_nagios_text(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One perfdata item, " 'NAME WHAT'=VALUE;WARN;CRIT;0[;MAX]" (without a name:
 * 'WHAT'). The label is always quoted, a ' in it doubled, '=' made '_'
 * (monitoring-plugins guidelines) and '|' made '/' (some parsers split the
 * line at every '|'). value is printed with decimals places. */
void sr_nagios_perf(FILE *out, const char *name, const char *what, double value, int decimals,
		    const char *uom, const char *warn, const char *crit, const char *max);
/* A usage, configuration or internal error (code) as an UNKNOWN line with
 * the first error reported; returns 3. */
int sr_nagios_unknown(FILE *out, const char *tool, int code);

#endif
