/* sipregwatch --check: a Nagios check of a running watch, from the status
 * file it keeps. */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "nagios.h"
#include "util.h"
#include "watch.h"

static const char tool[] = "sipregwatch";

/* Each registration's round trip and grant, when there are several. */
static void perf_each(FILE *out, json_t *regs, const char *warn, const char *crit)
{
	json_t *r;
	size_t i;

	json_array_foreach(regs, i, r)
	{
		json_t *x = json_object_get(r, "expires");
		const char *name = json_string_value(json_object_get(r, "name"));

		sr_nagios_perf(out, name ? name : "?", "time",
			       json_real_value(json_object_get(r, "rtt")), 6, "s", warn, crit,
			       NULL);
		sr_nagios_perf(out, name ? name : "?", "expires",
			       json_is_integer(x) ? (double)json_integer_value(x) : 0, 0, "s", NULL,
			       NULL, NULL);
	}
}

int sr_watch_check(FILE *out, const char *status_file, double stale_after, const char *warn,
		   const char *crit)
{
	json_error_t je;
	json_t *doc = json_load_file(status_file, 0, &je), *regs, *r;
	double age, rtt_max = 0;
	size_t i, n, reg = 0, rejected = 0, failing = 0, shown = 0;
	enum sr_nagios_state st = SR_NAGIOS_OK, th;
	char num[32], stale[32];

	if (!doc) {
		sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
		sr_nagios_text(out, "cannot read %s: %s\n", status_file, je.text);
		return SR_NAGIOS_UNKNOWN;
	}
	if (sr_range_alert(warn, 0) < 0 || sr_range_alert(crit, 0) < 0) {
		sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
		fputs("bad threshold range\n", out);
		json_decref(doc);
		return SR_NAGIOS_UNKNOWN;
	}
	age = sr_wall_now() - json_real_value(json_object_get(doc, "updated"));
	regs = json_object_get(doc, "registrations");
	n = json_array_size(regs);
	json_array_foreach(regs, i, r)
	{
		const char *state = json_string_value(json_object_get(r, "state"));
		double rtt = json_real_value(json_object_get(r, "rtt"));

		if (state && !strcmp(state, "registered")) {
			reg++;
			if (rtt > rtt_max)
				rtt_max = rtt;
		} else if (state && !strcmp(state, "rejected")) {
			rejected++;
		} else {
			failing++;
		}
	}
	if (age > stale_after || rejected || (n && reg == 0))
		st = SR_NAGIOS_CRITICAL;
	else if (failing)
		st = SR_NAGIOS_WARNING;
	th = sr_nagios_thresholds(rtt_max, warn, crit);
	if (th > st)
		st = th;
	if (age > stale_after) {
		sr_nagios_begin(out, tool, SR_NAGIOS_CRITICAL);
		fprintf(out, "status file %.0f s old (sipregwatch not running?)", age);
	} else {
		sr_nagios_begin(out, tool, st);
		fprintf(out, "%zu of %zu registered, %zu rejected, %zu failing", reg, n, rejected,
			failing);
		/* who, first: the names a person looks for (at most 5) */
		json_array_foreach(regs, i, r)
		{
			const char *state = json_string_value(json_object_get(r, "state"));

			if (state && strcmp(state, "registered") && shown < 5)
				sr_nagios_text(out, "%s%s %s", shown++ ? ", " : ": ",
					       json_string_value(json_object_get(r, "name")),
					       state);
		}
		if (rejected + failing > shown)
			fprintf(out, ", ...");
	}
	snprintf(num, sizeof num, "%zu", n);
	snprintf(stale, sizeof stale, "%.0f", stale_after);
	fputs(" |", out);
	sr_nagios_perf(out, NULL, "registered", (double)reg, 0, "", NULL, NULL, num);
	sr_nagios_perf(out, NULL, "failing", (double)failing, 0, "", NULL, NULL, NULL);
	sr_nagios_perf(out, NULL, "rejected", (double)rejected, 0, "", NULL, NULL, NULL);
	sr_nagios_perf(out, NULL, "time", rtt_max, 6, "s", warn, crit, NULL);
	sr_nagios_perf(out, NULL, "age", age, 0, "s", NULL, stale, NULL);
	if (n > 1)
		perf_each(out, regs, warn, crit);
	fputc('\n', out);
	json_decref(doc);
	return st;
}
