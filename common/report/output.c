/* SPDX-License-Identifier: BSD-2-Clause */
/* The text, JSON and env renderers of results, and the one-shot Nagios
 * line. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "model/exitcode.h"
#include "report/nagios.h"
#include "report/output.h"
#include "util/log.h"

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jlong(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* The registrar's TLS certificate: subject, notAfter (ISO 8601, UTC) and
 * the days left (below 0: expired), or null over UDP and TCP. */
static json_t *jcert(const struct sr_result *r)
{
	char when[32];
	time_t t = (time_t)r->cert_not_after;
	struct tm tm;

	if (r->cert_not_after <= 0 || !gmtime_r(&t, &tm))
		return json_null();
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:o, s:s, s:f}", "subject", jstr(r->cert_subject), "not_after", when,
			 "days_left",
			 floor((r->cert_not_after - (double)time(NULL)) / 864.0) / 100.0);
}

static json_t *jstrv(const struct sr_strv *sv)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *result_json(const struct sr_result *r)
{
	json_t *o = json_object();
	json_t *b = json_array();
	json_t *auth, *timing, *gruu;
	size_t i;

	json_object_set_new(o, "name", jstr(r->name));
	json_object_set_new(o, "aor", jstr(r->aor));
	json_object_set_new(o, "registrar", jstr(r->registrar));
	json_object_set_new(o, "transport", json_string(sr_transport_name(r->transport)));
	json_object_set_new(o, "result", json_string(sr_word_name(r->word)));
	json_object_set_new(o, "ok", json_boolean(sr_result_ok(r)));
	json_object_set_new(o, "status", r->status > 0 ? json_integer(r->status) : json_null());
	json_object_set_new(o, "reason", r->status > 0 ? jstr(r->reason) : json_null());
	json_object_set_new(o, "contact", jstr(r->contact));
	json_object_set_new(o, "expires_requested", jlong(r->expires_requested));
	json_object_set_new(o, "expires_granted", jlong(r->expires_granted));
	if (r->min_expires >= 0)
		json_object_set_new(o, "min_expires", json_integer(r->min_expires));
	for (i = 0; i < r->n_bindings; i++) {
		const struct sr_binding *x = &r->bindings[i];
		json_t *e = json_object();

		json_object_set_new(e, "uri", jstr(x->uri));
		json_object_set_new(e, "expires", jlong(x->expires));
		json_object_set_new(e, "q", x->q ? json_real(strtod(x->q, NULL)) : json_null());
		json_object_set_new(e, "instance", jstr(x->instance));
		json_object_set_new(e, "reg_id",
				    x->reg_id ? json_integer(strtol(x->reg_id, NULL, 10))
					      : json_null());
		json_object_set_new(e, "own", json_boolean(x->own));
		json_array_append_new(b, e);
	}
	json_object_set_new(o, "bindings", b);
	json_object_set_new(o, "service_route", jstrv(&r->service_route));
	json_object_set_new(o, "path", jstrv(&r->path));
	gruu = json_object();
	json_object_set_new(gruu, "pub", jstr(r->gruu_pub));
	json_object_set_new(gruu, "temp", jstr(r->gruu_temp));
	json_object_set_new(o, "gruu", gruu);
	json_object_set_new(o, "line", jstr(r->line));
	json_object_set_new(
	    o, "outbound",
	    json_pack("{s:b, s:o, s:o}", "used", r->outbound, "flow_timer",
		      r->flow_timer >= 0 ? json_integer(r->flow_timer) : json_null(), "dropped",
		      jstr(r->outbound_dropped)));
	if (r->servers_tried.n) {
		json_object_set_new(o, "target", jstr(r->target));
		json_object_set_new(o, "servers_tried", jstrv(&r->servers_tried));
	}
	json_object_set_new(o, "server", jstr(r->server));
	json_object_set_new(o, "tls_certificate", jcert(r));
	auth = json_object();
	json_object_set_new(auth, "scheme", jstr(r->auth_scheme));
	json_object_set_new(auth, "realm", jstr(r->auth_realm));
	json_object_set_new(auth, "algorithm", jstr(r->auth_algorithm));
	json_object_set_new(auth, "qop", jstr(r->auth_qop));
	json_object_set_new(auth, "rounds", json_integer(r->auth_rounds));
	{
		json_t *offered = json_array();

		for (i = 0; i < r->n_auth_offered; i++) {
			const struct sr_offer_rec *x = &r->auth_offered[i];
			json_t *e = json_object();

			json_object_set_new(e, "scheme", jstr(x->scheme));
			json_object_set_new(e, "realm", jstr(x->realm));
			json_object_set_new(e, "algorithm", jstr(x->algorithm));
			json_object_set_new(e, "qop", jstr(x->qop));
			json_object_set_new(e, "stale", json_boolean(x->stale));
			json_array_append_new(offered, e);
		}
		json_object_set_new(auth, "offered", offered);
	}
	json_object_set_new(o, "auth", auth);
	timing = json_object();
	json_object_set_new(timing, "total", jlong(r->t_total));
	json_object_set_new(timing, "first_response", jlong(r->t_first));
	json_object_set_new(timing, "final_response", jlong(r->t_final));
	json_object_set_new(o, "timing_ms", timing);
	json_object_set_new(o, "requests", json_integer(r->requests));
	json_object_set_new(o, "local_address", jstr(r->local_address));
	json_object_set_new(o, "received", jstr(r->received));
	if (r->mode == SR_MODE_UNREGISTER)
		json_object_set_new(o, "removed", jstrv(&r->removed));
	if (r->mode == SR_MODE_REGISTER)
		json_object_set_new(o, "replaced", json_integer(r->replaced));
	json_object_set_new(o, "warnings", jstrv(&r->warnings));
	if (r->mode == SR_MODE_PROBE) {
		json_t *p = json_object();

		json_object_set_new(p, "attempted", json_boolean(r->unreg_tried));
		json_object_set_new(
		    p, "status", r->unreg_status > 0 ? json_integer(r->unreg_status) : json_null());
		json_object_set_new(p, "reason",
				    r->unreg_status > 0 ? jstr(r->unreg_reason) : json_null());
		json_object_set_new(p, "removed", json_boolean(sr_result_unreg_removed(r)));
		json_object_set_new(o, "unregister", p);
	}
	json_object_set_new(o, "error", sr_result_ok(r) ? json_null() : jstr(r->error));
	return o;
}

static int render_json(FILE *out, const char *tool, const struct sr_result *res, size_t n,
		       int exit_code)
{
	json_t *doc = json_object();
	json_t *arr = json_array();
	size_t i;
	int rc;

	json_object_set_new(doc, "tool", json_string(tool));
	json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
	for (i = 0; i < n; i++)
		json_array_append_new(arr, result_json(&res[i]));
	json_object_set_new(doc, "results", arr);
	json_object_set_new(doc, "exit_code", json_integer(exit_code));
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(doc);
	return rc == 0 ? 0 : -1;
}

void sr_output_error(FILE *out, const char *tool, enum sr_output fmt, int code)
{
	const char *why = sr_err_first();

	if (!why)
		why = code == SR_EXIT_USAGE    ? "usage error"
		      : code == SR_EXIT_CONFIG ? "configuration error"
					       : "internal error";
	if (fmt == SR_OUT_ENV) {
		fprintf(out, "SIPREG_COUNT=0\nSIPREG_EXIT_CODE=%d\nSIPREG_ERROR=", code);
		sr_shell_quote(out, why);
		fputc('\n', out);
		return;
	}
	{
		json_t *doc =
		    json_pack("{s:s, s:s, s:[], s:i, s:s}", "tool", tool, "version",
			      PACKAGE_VERSION, "results", "exit_code", code, "error", why);

		if (doc) {
			json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', out);
			json_decref(doc);
		}
	}
}

/* Colour for people at a terminal only: never into a pipe or a file, never
 * with NO_COLOR set (no-color.org), never on a dumb terminal. */
static int use_colour(FILE *out)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	return isatty(fileno(out)) && !(no && *no) && term && strcmp(term, "dumb") != 0;
}

static void text_one(FILE *out, int verbose, const struct sr_result *r)
{
	size_t i;
	const char *on = "", *off = "";

	if (use_colour(out)) {
		/* green: it worked; yellow: it worked, with warnings; red: it
		 * failed */
		on = sr_result_ok(r) ? (r->warnings.n ? "\033[33m" : "\033[32m") : "\033[1;31m";
		off = "\033[0m";
	}
	fprintf(out, "%s: %s%s%s",
		r->name	 ? r->name
		: r->aor ? r->aor
			 : "-",
		on, sr_word_name(r->word), off);
	if (r->status > 0)
		fprintf(out, " (%d %s)", r->status, r->reason ? r->reason : "");
	if (r->aor)
		fprintf(out, " %s", r->aor);
	if (r->registrar)
		fprintf(out, " at %s over %s", r->registrar, sr_transport_name(r->transport));
	if (sr_result_ok(r) && r->mode == SR_MODE_UNREGISTER) {
		fprintf(out, ", removed %zu, %zu binding%s left", r->removed.n, r->n_bindings,
			r->n_bindings == 1 ? "" : "s");
	} else if (sr_result_ok(r) && r->mode == SR_MODE_AUTHCHECK) {
		if (r->auth_algorithm)
			fprintf(out, ", %s %s realm \"%s\"", r->auth_scheme ? r->auth_scheme : "",
				r->auth_algorithm, r->auth_realm ? r->auth_realm : "");
	} else if (sr_result_ok(r)) {
		if (r->mode != SR_MODE_LIST && r->expires_granted >= 0)
			fprintf(out, ", expires %lds", r->expires_granted);
		fprintf(out, ", %zu binding%s", r->n_bindings, r->n_bindings == 1 ? "" : "s");
		if (r->replaced)
			fprintf(out, ", %d earlier one%s of ours replaced", r->replaced,
				r->replaced == 1 ? "" : "s");
		if (r->mode == SR_MODE_PROBE)
			fprintf(out, ", %s",
				sr_result_unreg_removed(r) ? "removed again" : "NOT removed");
	}
	if (r->t_total >= 0)
		fprintf(out, ", %ld ms", r->t_total);
	if (!sr_result_ok(r) && r->error)
		fprintf(out, ": %s", r->error);
	fputc('\n', out);
	for (i = 0; i < r->warnings.n; i++)
		fprintf(out, "  warning: %s\n", r->warnings.v[i]);
	if (verbose < 1)
		return;
	if (r->contact)
		fprintf(out, "  contact: %s\n", r->contact);
	for (i = 0; i < r->removed.n; i++)
		fprintf(out, "  removed: %s\n", r->removed.v[i]);
	for (i = 0; i < r->servers_tried.n; i++)
		fprintf(out, "  server tried: %s\n", r->servers_tried.v[i]);
	/* what did not happen is not printed (no "granted -1") */
	if (r->expires_requested >= 0 && r->expires_granted >= 0)
		fprintf(out, "  expires: requested %ld, granted %ld\n", r->expires_requested,
			r->expires_granted);
	else if (r->expires_requested >= 0)
		fprintf(out, "  expires: requested %ld\n", r->expires_requested);
	for (i = 0; i < r->n_bindings; i++) {
		const struct sr_binding *b = &r->bindings[i];

		fprintf(out, "  binding: %s expires=%ld%s%s%s\n", b->uri, b->expires,
			b->q ? " q=" : "", b->q ? b->q : "", b->own ? " (ours)" : "");
	}
	for (i = 0; i < r->service_route.n; i++)
		fprintf(out, "  service-route: %s\n", r->service_route.v[i]);
	for (i = 0; i < r->path.n; i++)
		fprintf(out, "  path: %s\n", r->path.v[i]);
	if (r->outbound_dropped)
		fprintf(out,
			"  outbound: dropped after %s (the first hop keeps no flows); registered "
			"without reg-id\n",
			r->outbound_dropped);
	if (r->outbound) {
		fprintf(out, "  outbound: the registrar keeps this as a flow (Require: outbound)");
		if (r->flow_timer >= 0)
			fprintf(out, ", Flow-Timer %ld s", r->flow_timer);
		fputc('\n', out);
	}
	if (r->auth_scheme)
		fprintf(out, "  auth: %s realm=\"%s\" algorithm=%s qop=%s rounds=%d\n",
			r->auth_scheme, r->auth_realm ? r->auth_realm : "",
			r->auth_algorithm ? r->auth_algorithm : "-",
			r->auth_qop ? r->auth_qop : "-", r->auth_rounds);
	for (i = 0; i < r->n_auth_offered; i++) {
		const struct sr_offer_rec *x = &r->auth_offered[i];

		fprintf(out, "  auth offered: %s realm=\"%s\" algorithm=%s qop=%s%s\n",
			x->scheme ? x->scheme : "?", x->realm ? x->realm : "",
			x->algorithm ? x->algorithm : "-", x->qop ? x->qop : "-",
			x->stale ? " stale" : "");
	}
	if (r->server)
		fprintf(out, "  server: %s\n", r->server);
	if (r->local_address)
		fprintf(out, "  local address: %s\n", r->local_address);
	if (r->received)
		fprintf(out, "  received: %s\n", r->received);
	fprintf(out, "  requests: %d", r->requests);
	if (r->t_first >= 0)
		fprintf(out, ", first response %ld ms", r->t_first);
	if (r->t_final >= 0)
		fprintf(out, ", final response %ld ms", r->t_final);
	fputc('\n', out);
}

void sr_shell_quote(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

static void env_str(FILE *out, const char *prefix, const char *name, const char *v)
{
	fprintf(out, "%s%s=", prefix, name);
	sr_shell_quote(out, v ? v : "");
	fputc('\n', out);
}

static void env_long(FILE *out, const char *prefix, const char *name, long v)
{
	char buf[32] = "";

	if (v >= 0)
		snprintf(buf, sizeof buf, "%ld", v);
	env_str(out, prefix, name, buf);
}

static void render_env(FILE *out, const struct sr_result *res, size_t n, int exit_code)
{
	size_t i;

	fprintf(out, "SIPREG_COUNT=%zu\nSIPREG_EXIT_CODE=%d\n", n, exit_code);
	for (i = 0; i < n; i++) {
		const struct sr_result *r = &res[i];
		char prefix[32];

		/* the first (or only) registration unnumbered, every one numbered */
		snprintf(prefix, sizeof prefix, "SIPREG_%zu_", i + 1);
		for (int pass = i == 0 ? 0 : 1; pass < 2; pass++) {
			const char *p = pass == 0 ? "SIPREG_" : prefix;

			env_str(out, p, "NAME", r->name);
			env_str(out, p, "AOR", r->aor);
			env_str(out, p, "REGISTRAR", r->registrar);
			env_str(out, p, "TRANSPORT", sr_transport_name(r->transport));
			env_str(out, p, "RESULT", sr_word_name(r->word));
			env_str(out, p, "OK", sr_result_ok(r) ? "1" : "0");
			env_long(out, p, "STATUS", r->status > 0 ? r->status : -1);
			env_str(out, p, "REASON", r->status > 0 ? r->reason : NULL);
			env_str(out, p, "CONTACT", r->contact);
			env_long(out, p, "EXPIRES_REQUESTED", r->expires_requested);
			env_long(out, p, "EXPIRES_GRANTED", r->expires_granted);
			env_long(out, p, "BINDINGS", (long)r->n_bindings);
			env_str(out, p, "SERVER", r->server);
			env_str(out, p, "AUTH_SCHEME", r->auth_scheme);
			env_str(out, p, "AUTH_REALM", r->auth_realm);
			env_str(out, p, "AUTH_ALGORITHM", r->auth_algorithm);
			env_long(out, p, "TIME_MS", r->t_total);
			env_long(out, p, "REQUESTS", r->requests);
			env_str(out, p, "LOCAL_ADDRESS", r->local_address);
			env_str(out, p, "RECEIVED", r->received);
			env_str(out, p, "ERROR", sr_result_ok(r) ? NULL : r->error);
		}
	}
}

/* The expiry a result stands for: the grant of our binding, or with
 * --list-bindings the longest one listed (a phone's is still good). */
static long expiry_of(const struct sr_result *r)
{
	long best = -1;
	size_t i;

	if (r->mode != SR_MODE_LIST)
		return r->expires_granted;
	for (i = 0; i < r->n_bindings; i++)
		if (r->bindings[i].expires > best)
			best = r->bindings[i].expires;
	return best;
}

/* --min-bindings and --min-expires: "is alice's phone registered?" A
 * result that falls short is a failure: counted, and named on out unless
 * out is NULL. */
static size_t below_minimums(FILE *out, const struct sr_result *res, size_t n,
			     const struct sr_nagios_opts *opts)
{
	size_t i, short_n = 0;

	for (i = 0; i < n; i++) {
		const struct sr_result *r = &res[i];

		if (!sr_result_ok(r))
			continue;
		if (opts->min_bindings && r->n_bindings < opts->min_bindings) {
			if (out)
				sr_nagios_text(out,
					       "; %s: %zu binding%s, fewer than --min-bindings %u",
					       r->name ? r->name : "-", r->n_bindings,
					       r->n_bindings == 1 ? "" : "s", opts->min_bindings);
			short_n++;
		} else if (opts->min_expires && expiry_of(r) < (long)opts->min_expires) {
			if (out)
				sr_nagios_text(out, "; %s: expiry %ld s, below --min-expires %u",
					       r->name ? r->name : "-", expiry_of(r),
					       opts->min_expires);
			short_n++;
		}
	}
	return short_n;
}

/* monitoring-plugins: one line, perfdata, 0 OK 1 WARNING 2 CRITICAL 3 UNKNOWN */
/* The registrars' certificates, as check_ssl_cert judges a web server's:
 * CRITICAL when one expired, WARNING when one expires within
 * cert_warn_days; *soonest: the result whose certificate ends first. */
static enum sr_nagios_state cert_state(const struct sr_result *res, size_t n,
				       const struct sr_nagios_opts *opts,
				       const struct sr_result **soonest)
{
	double now = (double)time(NULL);
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].cert_not_after > 0 &&
		    (!*soonest || res[i].cert_not_after < (*soonest)->cert_not_after))
			*soonest = &res[i];
	if (!*soonest)
		return SR_NAGIOS_OK;
	return sr_nagios_cert((*soonest)->cert_not_after, now, opts->cert_warn_days);
}

static void cert_note(FILE *out, const struct sr_result *r)
{
	char when[32];
	time_t t = (time_t)r->cert_not_after;
	double days = (r->cert_not_after - (double)time(NULL)) / 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	if (days <= 0)
		sr_nagios_text(out, "; the registrar's certificate expired on %s (%s)", when,
			       r->cert_subject ? r->cert_subject : "?");
	else
		sr_nagios_text(out,
			       "; the registrar's certificate expires in %.1f days, on %s (%s)",
			       days, when, r->cert_subject ? r->cert_subject : "?");
}

int sr_output_nagios(FILE *out, const char *tool, const struct sr_result *res, size_t n,
		     const struct sr_nagios_opts *opts)
{
	const char *warn = opts->warn, *crit = opts->crit;
	enum sr_nagios_state st = SR_NAGIOS_OK, cert;
	const struct sr_result *soonest = NULL;
	size_t i, bad = 0;
	double tmax = 0;
	char min_range[16] = "";

	for (i = 0; i < n; i++) {
		double t = res[i].t_total >= 0 ? (double)res[i].t_total / 1000.0 : 0;

		if (!sr_result_ok(&res[i]))
			bad++;
		if (t > tmax)
			tmax = t;
		/* nothing was checked: neither OK nor a failure of the service */
		if (res[i].word == SR_W_CONFIG_ERROR || res[i].word == SR_W_INTERNAL_ERROR ||
		    res[i].word == SR_W_CREDENTIALS_UNCHECKED)
			st = SR_NAGIOS_UNKNOWN;
	}
	/* a result short of a minimum counts as failed */
	bad += below_minimums(NULL, res, n, opts);
	cert = cert_state(res, n, opts, &soonest);
	if (st != SR_NAGIOS_UNKNOWN) {
		st = bad ? SR_NAGIOS_CRITICAL : sr_nagios_thresholds(tmax, warn, crit);
		/* the server's weak spots (sipauthcheck's warnings) are in the
		 * text; they change the state only when asked (--strict) */
		for (i = 0; opts->strict && st == SR_NAGIOS_OK && i < n; i++)
			if (res[i].warnings.n)
				st = SR_NAGIOS_WARNING;
		if (cert > st)
			st = cert;
	}
	sr_nagios_begin(out, tool, st);
	if (n == 1) {
		const struct sr_result *r = &res[0];

		sr_nagios_text(out, "%s %s", r->name ? r->name : "-", sr_word_name(r->word));
		if (r->status > 0)
			sr_nagios_text(out, " (%d %s)", r->status, r->reason ? r->reason : "");
		if (r->word == SR_W_TIMEOUT)
			sr_nagios_text(out, " after %.1f s", (double)r->t_total / 1000.0);
		else if (!sr_result_ok(r) && r->error)
			sr_nagios_text(out, ": %s", r->error);
		else
			sr_nagios_text(out, " in %.3f s", (double)r->t_total / 1000.0);
		if (r->warnings.n)
			sr_nagios_text(out, "; %s", r->warnings.v[0]);
	} else {
		sr_nagios_text(out, "%zu of %zu ok", n - bad, n);
		for (i = 0; i < n; i++)
			if (!sr_result_ok(&res[i]))
				sr_nagios_text(out, "; %s %s", res[i].name,
					       sr_word_name(res[i].word));
	}
	below_minimums(out, res, n, opts);
	if (cert != SR_NAGIOS_OK)
		cert_note(out, soonest);
	sr_nagios_threshold_note(out, "time", tmax, " s", warn, crit);
	/* --min-expires as the expiry's critical range: below it alerts */
	if (opts->min_expires)
		snprintf(min_range, sizeof min_range, "%u:", opts->min_expires);
	fputs(" |", out);
	sr_nagios_perf(out, NULL, "time", tmax, 3, "s", warn, crit, NULL);
	for (i = 0; i < n; i++) {
		const struct sr_result *r = &res[i];
		const char *name = n > 1 ? r->name : NULL;

		/* each registration's time against the same -w and -c, as
		 * sipregwatch --check gives them */
		if (n > 1)
			sr_nagios_perf(out, name, "time", r->t_total >= 0 ? r->t_total / 1000.0 : 0,
				       3, "s", warn, crit, NULL);
		if (r->expires_granted >= 0 && sr_result_ok(r))
			sr_nagios_perf(out, name, "expires", (double)r->expires_granted, 0, "s",
				       NULL, *min_range ? min_range : NULL, NULL);
		/* the registrar's Min-Expires of a 423 */
		if (r->min_expires >= 0)
			sr_nagios_perf(out, name, "min_expires", (double)r->min_expires, 0, "s",
				       NULL, NULL, NULL);
	}
	fputc('\n', out);
	return st;
}

int sr_output_render(FILE *out, const char *tool, enum sr_output fmt, int verbose,
		     const struct sr_result *res, size_t n, int exit_code)
{
	size_t i;

	if (fmt == SR_OUT_JSON)
		return render_json(out, tool, res, n, exit_code);
	if (fmt == SR_OUT_ENV) {
		render_env(out, res, n, exit_code);
		return ferror(out) ? -1 : 0;
	}
	for (i = 0; i < n; i++)
		text_one(out, verbose, &res[i]);
	return ferror(out) ? -1 : 0;
}
