/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch --check: a Nagios check of a running watch, from the status
 * file it keeps. */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "report/nagios.h"
#include "util/util.h"
#include "watch/watchcheck.h"

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

/* What the status file says of the registrations. Registering (the first
 * time, or again after a lost binding, with no failure since) is on its
 * way, not failing: a recovery raises no alarm. */
struct tally {
	size_t n, reg, registering, rejected, failing, stopped;
	double rtt_max;
	double unreachable; /* the longest time a registrar answers no audit, s */
	const char *unreachable_name;
	double failing_for; /* the longest time a registration fails, s */
	const char *failing_name;
	double cert_end; /* the earliest notAfter of a registrar's certificate, 0 */
	const char *cert_name;
};

static int on_its_way(const char *state)
{
	return state && (!strcmp(state, "waiting") || !strcmp(state, "queued") ||
			 !strcmp(state, "registering"));
}

static void tally(json_t *regs, double now, struct tally *t)
{
	json_t *r;
	size_t i;

	memset(t, 0, sizeof *t);
	t->n = json_array_size(regs);
	json_array_foreach(regs, i, r)
	{
		const char *state = json_string_value(json_object_get(r, "state"));
		double rtt = json_real_value(json_object_get(r, "rtt"));
		json_t *u = json_object_get(r, "registrar_unreachable_since");
		json_t *fs = json_object_get(r, "failing_since");
		json_t *ce = json_object_get(r, "tls_cert_not_after");

		if (state && !strcmp(state, "registered")) {
			t->reg++;
			if (rtt > t->rtt_max)
				t->rtt_max = rtt;
		} else if (state && !strcmp(state, "rejected")) {
			t->rejected++;
		} else if (state && !strcmp(state, "stopped")) {
			t->stopped++;
		} else if (on_its_way(state) && !json_is_number(fs)) {
			t->registering++;
		} else {
			t->failing++;
		}

		if (json_is_number(fs) && (!state || strcmp(state, "stopped")) &&
		    now - json_number_value(fs) > t->failing_for) {
			t->failing_for = now - json_number_value(fs);
			t->failing_name = json_string_value(json_object_get(r, "name"));
		}
		if (json_is_number(ce) && (!t->cert_end || json_number_value(ce) < t->cert_end)) {
			t->cert_end = json_number_value(ce);
			t->cert_name = json_string_value(json_object_get(r, "name"));
		}
		if (json_is_number(u) && now - json_number_value(u) > t->unreachable) {
			t->unreachable = now - json_number_value(u);
			t->unreachable_name = json_string_value(json_object_get(r, "name"));
		}
	}
}

/* The registrars' certificates: CRITICAL once one expired, WARNING within
 * cert_warn_days, named in the text. */
static enum sr_nagios_state cert_check(FILE *out, const struct tally *t, double now,
				       unsigned cert_warn_days, int say)
{
	enum sr_nagios_state st;

	if (t->cert_end <= 0)
		return SR_NAGIOS_OK;
	st = sr_nagios_cert(t->cert_end, now, cert_warn_days);
	if (say && st == SR_NAGIOS_CRITICAL)
		sr_nagios_text(out, "; the TLS certificate of %s's registrar expired",
			       t->cert_name ? t->cert_name : "?");
	else if (say && st == SR_NAGIOS_WARNING)
		sr_nagios_text(out, "; the TLS certificate of %s's registrar expires in %.1f days",
			       t->cert_name ? t->cert_name : "?", (t->cert_end - now) / 86400);
	return st;
}

int sr_watch_check(FILE *out, const char *status_file, double stale_after, const char *warn,
		   const char *crit, double unreachable_crit, double failing_crit,
		   unsigned cert_warn_days)
{
	json_error_t je;
	json_t *doc = json_load_file(status_file, 0, &je), *regs, *r;
	double now = sr_wall_now(), age;
	size_t i, shown = 0;
	struct tally t;
	enum sr_nagios_state st = SR_NAGIOS_OK, th;
	char num[32], stale[32];

	if (!doc) {
		sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
		sr_nagios_text(out, "cannot read %s: %s", status_file, je.text);
		fputc('\n', out);
		return SR_NAGIOS_UNKNOWN;
	}
	/* a file of another program, or cut short: nothing to judge by */
	if (!json_is_number(json_object_get(doc, "updated")) ||
	    !json_is_array(json_object_get(doc, "registrations"))) {
		sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
		sr_nagios_text(out,
			       "%s is not a sipregwatch status file (no \"updated\" or "
			       "\"registrations\")",
			       status_file);
		fputc('\n', out);
		json_decref(doc);
		return SR_NAGIOS_UNKNOWN;
	}
	if (sr_range_alert(warn, 0) < 0 || sr_range_alert(crit, 0) < 0) {
		sr_nagios_begin(out, tool, SR_NAGIOS_UNKNOWN);
		fputs("bad threshold range\n", out);
		json_decref(doc);
		return SR_NAGIOS_UNKNOWN;
	}
	age = now - json_number_value(json_object_get(doc, "updated"));
	regs = json_object_get(doc, "registrations");
	tally(regs, now, &t);
	if (age > stale_after || t.rejected || (t.n && t.reg + t.registering == 0))
		st = SR_NAGIOS_CRITICAL;
	else if (t.failing || t.unreachable > 0)
		st = SR_NAGIOS_WARNING;
	/* a registrar silent for longer than allowed: its grants still run */
	if (t.unreachable > unreachable_crit || t.failing_for > failing_crit)
		st = SR_NAGIOS_CRITICAL;
	th = sr_nagios_thresholds(t.rtt_max, warn, crit);
	if (th > st)
		st = th;
	th = cert_check(out, &t, now, cert_warn_days, 0);
	if (th > st && age <= stale_after)
		st = th;
	if (age > stale_after) {
		sr_nagios_begin(out, tool, SR_NAGIOS_CRITICAL);
		fprintf(out, "status file %.0f s old (sipregwatch not running?)", age);
	} else if (t.n && t.stopped == t.n) {
		sr_nagios_begin(out, tool, st);
		fprintf(out, "stopped: sipregwatch ended and removed its %zu registration%s", t.n,
			t.n == 1 ? "" : "s");
	} else {
		sr_nagios_begin(out, tool, st);
		fprintf(out, "%zu of %zu registered, ", t.reg, t.n);
		if (t.registering)
			fprintf(out, "%zu registering, ", t.registering);
		fprintf(out, "%zu rejected, %zu failing", t.rejected, t.failing);
		if (t.unreachable > 0)
			sr_nagios_text(out, "; the registrar of %s answers nothing for %.0f s%s",
				       t.unreachable_name ? t.unreachable_name : "?", t.unreachable,
				       t.unreachable > unreachable_crit ? " (critical)" : "");
		if (t.failing_for > failing_crit)
			sr_nagios_text(out, "; %s failing for %.0f s (critical)",
				       t.failing_name ? t.failing_name : "?", t.failing_for);
		cert_check(out, &t, now, cert_warn_days, 1);
		/* who, first: the names a person looks for (at most 5) */
		json_array_foreach(regs, i, r)
		{
			const char *state = json_string_value(json_object_get(r, "state"));

			if (state && strcmp(state, "registered") && shown < 5)
				sr_nagios_text(out, "%s%s %s", shown++ ? ", " : ": ",
					       json_string_value(json_object_get(r, "name")),
					       state);
		}
		if (t.registering + t.rejected + t.failing + t.stopped > shown)
			fprintf(out, ", ...");
	}
	if (age <= stale_after)
		sr_nagios_threshold_note(out, "time", t.rtt_max, " s", warn, crit);
	snprintf(num, sizeof num, "%zu", t.n);
	snprintf(stale, sizeof stale, "%.0f", stale_after);
	fputs(" |", out);
	sr_nagios_perf(out, NULL, "registered", (double)t.reg, 0, "", NULL, NULL, num);
	sr_nagios_perf(out, NULL, "registering", (double)t.registering, 0, "", NULL, NULL, NULL);
	sr_nagios_perf(out, NULL, "failing", (double)t.failing, 0, "", NULL, NULL, NULL);
	sr_nagios_perf(out, NULL, "rejected", (double)t.rejected, 0, "", NULL, NULL, NULL);
	sr_nagios_perf(out, NULL, "time", t.rtt_max, 6, "s", warn, crit, NULL);
	sr_nagios_perf(out, NULL, "age", age, 0, "s", NULL, stale, NULL);
	if (t.n > 1)
		perf_each(out, regs, warn, crit);
	fputc('\n', out);
	json_decref(doc);
	return st;
}
