/* SPDX-License-Identifier: BSD-2-Clause */
/* The monitoring-plugins rules: states, threshold ranges, the status line
 * and perfdata labels. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/exitcode.h"
#include "report/nagios.h"
#include "util/log.h"

int sr_range_alert(const char *range, double v)
{
	int inside = 0;
	double lo = 0, hi = INFINITY;
	const char *p = range, *colon;
	char *end;

	if (!range || !*range)
		return 0;
	if (*p == '@') {
		inside = 1;
		p++;
	}
	colon = strchr(p, ':');
	if (colon) {
		if (p[0] == '~')
			lo = -INFINITY;
		else if (colon > p) {
			lo = strtod(p, &end);
			if (end != colon)
				return -1;
		}
		if (colon[1]) {
			hi = strtod(colon + 1, &end);
			if (*end)
				return -1;
		}
	} else {
		hi = strtod(p, &end);
		if (*end || end == p)
			return -1;
	}
	if (lo > hi)
		return -1;
	return inside ? (v >= lo && v <= hi) : (v < lo || v > hi);
}

enum sr_nagios_state sr_nagios_thresholds(double value, const char *warn, const char *crit)
{
	if (sr_range_alert(crit, value) == 1)
		return SR_NAGIOS_CRITICAL;
	if (sr_range_alert(warn, value) == 1)
		return SR_NAGIOS_WARNING;
	return SR_NAGIOS_OK;
}

void sr_nagios_threshold_note(FILE *out, const char *what, double value, const char *unit,
			      const char *warn, const char *crit)
{
	/* an '@' range alerts inside it, any other outside */
	if (sr_range_alert(crit, value) == 1)
		sr_nagios_text(out, "; %s %g%s %s -c %s", what, value, unit,
			       *crit == '@' ? "inside" : "outside", crit);
	else if (sr_range_alert(warn, value) == 1)
		sr_nagios_text(out, "; %s %g%s %s -w %s", what, value, unit,
			       *warn == '@' ? "inside" : "outside", warn);
}

void sr_nagios_begin(FILE *out, const char *tool, enum sr_nagios_state state)
{
	static const char *const words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	const char *p;

	for (p = tool; *p; p++)
		fputc(toupper((unsigned char)*p), out);
	fprintf(out, " %s - ", words[state <= SR_NAGIOS_UNKNOWN ? state : SR_NAGIOS_UNKNOWN]);
}

void sr_nagios_text(FILE *out, const char *fmt, ...)
{
	char buf[1024], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (p = buf; *p; p++)
		if (*p == '|')
			*p = '/';
		else if (*p == '\r' || *p == '\n')
			*p = ' ';
	fputs(buf, out);
}

static void label_part(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", out);
		else if (*s == '|')
			fputc('/', out);
		else if (*s == '=' || *s == '\r' || *s == '\n')
			fputc('_', out);
		else
			fputc(*s, out);
	}
}

void sr_nagios_perf(FILE *out, const char *name, const char *what, double value, int decimals,
		    const char *uom, const char *warn, const char *crit, const char *max)
{
	fputs(" '", out);
	if (name) {
		label_part(out, name);
		fputc(' ', out);
	}
	label_part(out, what);
	fprintf(out, "'=%.*f%s;%s;%s;0", decimals, value, uom ? uom : "", warn ? warn : "",
		crit ? crit : "");
	if (max)
		fprintf(out, ";%s", max);
}

int sr_nagios_unknown(FILE *out, const char *tool, int code)
{
	const char *why = sr_err_first();

	sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
	if (why)
		sr_nagios_text(out, "%s", why);
	else
		fprintf(out, "%s error (exit %d)",
			code == SR_EXIT_USAGE	 ? "usage"
			: code == SR_EXIT_CONFIG ? "configuration"
						 : "internal",
			code);
	fputc('\n', out);
	return SR_NAGIOS_UNKNOWN;
}

enum sr_nagios_state sr_nagios_cert(double not_after, double now, unsigned warn_days)
{
	if (not_after <= now)
		return SR_NAGIOS_CRITICAL;
	if (not_after - now < (double)warn_days * 86400)
		return SR_NAGIOS_WARNING;
	return SR_NAGIOS_OK;
}
