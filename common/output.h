/* Renderers of the result model: text and json. */
#ifndef SR_OUTPUT_H
#define SR_OUTPUT_H

#include <stdio.h>

#include "result.h"


/* Write the results of a run in the chosen format to out. Returns 0 or -1;
 * for nagios, the monitoring-plugins code (0..3). warn, crit: nagios ranges
 * on the response time in seconds, or NULL. */
int sr_output_render(FILE *out, const char *tool, enum sr_output fmt, int verbose,
		     const struct sr_result *res, size_t n, int exit_code);
int sr_output_nagios(FILE *out, const char *tool, const struct sr_result *res, size_t n,
		     const char *warn, const char *crit);
/* Nagios range ("10", "5:", "~:10", "@1:2"): 1 when value alerts. -1 on a
 * bad range. */
int sr_range_alert(const char *range, double value);
/* A usage, configuration or internal error (code) as a Nagios UNKNOWN line
 * with the first error reported; returns 3. */
int sr_nagios_unknown(FILE *out, const char *tool, int code);
/* Quote s for a POSIX shell (single quotes). */
void sr_shell_quote(FILE *out, const char *s);

#endif
