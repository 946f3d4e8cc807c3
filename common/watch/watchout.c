/* SPDX-License-Identifier: BSD-2-Clause */
/* What sipregwatch reports: events (JSON Lines or text), the status file
 * and node_exporter textfile metrics. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "engine/engine.h"
#include "tunnel/hepout.h"
#include "util/log.h"
#include "util/util.h"
#include "watch/watchdata.h"
#include "watch/watchout.h"
#include "watch/watchslot.h"

static void iso_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	int ms = (int)((t - (double)s) * 1000);
	char tmp[64];

	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
		 tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (ms < 0 ? 0 : ms) % 1000);
	snprintf(buf, len, "%.30s", tmp);
}

json_t *sr_watch_time(double wall)
{
	char ts[40];

	if (!wall)
		return json_null();
	iso_time(wall, ts, sizeof ts);
	return json_string(ts);
}

/* Durations in events: %.15g keeps every digit a double holds of them
 * (jansson's default 17 adds noise, 6 cut 3600.25 s to 3600.2). */
#define EVENT_REALS JSON_REAL_PRECISION(15)

/* One event: JSON Lines, or a text line with -o text. fields: a json object
 * (stolen). */
void sr_watch_emit(struct sr_watch *w, const char *event, const struct sr_slot *s, json_t *fields)
{
	char ts[40];
	json_t *o = json_object();

	iso_time(sr_wall_now(), ts, sizeof ts);
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "event", json_string(event));
	/* every event has a name: null for those of the whole process */
	json_object_set_new(o, "name",
			    s ? json_string(s->reg->name ? s->reg->name : "?") : json_null());
	if (w->run->shard)
		json_object_set_new(o, "shard", json_string(w->run->shard));
	if (fields)
		json_object_update(o, fields);
	if (w->text) {
		const char *k;
		json_t *v;

		fprintf(w->events, "%s %s %s", ts, s ? s->reg->name : "-", event);
		json_object_foreach(fields, k, v)
		{
			char *d = json_dumps(v, JSON_ENCODE_ANY | EVENT_REALS);

			fprintf(w->events, " %s=%s", k, d ? d : "?");
			free(d);
		}
		fputc('\n', w->events);
	} else {
		json_dumpf(o, w->events, JSON_COMPACT | JSON_PRESERVE_ORDER | EVENT_REALS);
		fputc('\n', w->events);
	}
	w->events_unflushed++;
	/* the loop flushes once a step; a stop runs Sofia's loop, not ours */
	if (w->stopping)
		sr_watch_flush_events(w);
	json_decref(o);
	json_decref(fields);
}

void sr_watch_flush_events(struct sr_watch *w)
{
	if (!w->events_unflushed)
		return;
	if (fflush(w->events) != 0 || ferror(w->events)) {
		w->events_dropped += w->events_unflushed;
		clearerr(w->events);
	}
	w->events_unflushed = 0;
}

static int write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;
	int rc = -1;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0)
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Whether path can be replaced as write_atomic() does: its temporary file
 * made and removed again. */
static int can_write(const char *tool, const char *what, const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "%s: %s %s cannot be written: %s\n", tool, what, path,
			strerror(errno));
		return -1;
	}
	fclose(f);
	unlink(tmp);
	return 0;
}

int sr_watch_files_check(const char *tool, const struct sr_watch_opts *opts)
{
	if (opts->status_file && can_write(tool, "--status-file", opts->status_file) < 0)
		return -1;
	if (opts->prometheus_file &&
	    can_write(tool, "--prometheus-file", opts->prometheus_file) < 0)
		return -1;
	return 0;
}

/* A JSON string (or null) for the status file. */
static void json_put(FILE *f, const char *v)
{
	const unsigned char *p;

	if (!v) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Written by hand, not through a jansson tree: with thousands of
 * registrations the tree cost more than everything else at rest. */
/* A wall-clock time, or null for 0 (never). */
static void put_time(FILE *f, double t)
{
	if (t)
		fprintf(f, "%.6f", t);
	else
		fputs("null", f);
}

void sr_watch_status_json(struct sr_watch *w, FILE *f)
{
	char ts[40];
	double now = sr_wall_now();
	size_t i;

	iso_time(now, ts, sizeof ts);
	fprintf(f,
		"{\n \"tool\": \"sipregwatch\",\n \"version\": \"%s\",\n \"pid\": %d,\n"
		" \"updated\": %.6f,\n \"updated_iso\": \"%s\",\n",
		PACKAGE_VERSION, (int)getpid(), now, ts);
	if (w->run->shard)
		fprintf(f, " \"shard\": \"%s\",\n", w->run->shard);
	fputs(" \"registrations\": [", f);
	for (i = 0; i < w->n; i++) {
		const struct sr_slot *s = w->slots[i];
		int pending = s->timer && s->st != S_REJECTED && s->st != S_STOPPED;
		enum slot_state shown = sr_watch_shown_state(s, now);

		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", f);
		json_put(f, s->reg->name);
		fputs(", \"aor\": ", f);
		json_put(f, s->reg->client_uri);
		fputs(", \"registrar\": ", f);
		json_put(f, sr_watch_registrar(s));
		fprintf(f,
			", \"state\": \"%s\", \"refreshing\": %s, \"since\": %.6f, "
			"\"last_status\": ",
			sr_watch_state_names[shown], sr_watch_refreshing(s, now) ? "true" : "false",
			s->since);
		if (s->res.status)
			fprintf(f, "%d", s->res.status);
		else
			fputs("null", f);
		fputs(", \"last_reason\": ", f);
		json_put(f, s->res.status ? s->res.reason : NULL);
		fprintf(f, ", \"result\": \"%s\", \"next_action_at\": ", sr_word_name(s->res.word));
		if (pending)
			fprintf(f, "%.6f", s->next_at);
		else
			fputs("null", f);
		fputs(", \"expires\": ", f);
		if (shown == S_REGISTERED)
			fprintf(f, "%ld", s->granted);
		else
			fputs("null", f);
		fputs(", \"expires_at\": ", f);
		put_time(f, shown == S_REGISTERED ? s->bound_until : 0);
		fprintf(f,
			", \"rtt\": %.6f, \"attempts\": %u, \"failures_total\": %lu, "
			"\"registrations_total\": %lu, \"calls_total\": %lu, "
			"\"registrar_unreachable_since\": ",
			s->rtt, (unsigned)s->attempts, s->failures_total, s->registrations_total,
			s->calls_total);
		put_time(f, s->unreachable_since);
		fputs(", \"last_success\": ", f);
		put_time(f, s->last_success);
		fputs(", \"failing_since\": ", f);
		put_time(f, s->failing_since);
		fputs(", \"tls_cert_not_after\": ", f);
		put_time(f, s->res.cert_not_after);
		fputs(", \"last_error\": ", f);
		json_put(f, sr_result_ok(&s->res) ? NULL : s->res.error);
		fputc('}', f);
	}
	fputs(w->n ? "\n ]\n}\n" : "]\n}\n", f);
}

static void prom_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

/* One series without labels of its own: HELP, TYPE and the value (fmt), with
 * the shard's label set lset ("" or {shard="K/N"}). */
static void scalar(FILE *f, const char *lset, const char *name, const char *type, const char *help,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void scalar(FILE *f, const char *lset, const char *name, const char *type, const char *help,
		   const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s%s ", name, help, name, type, name, lset);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* The keeper's own metrics, beyond those of each registration. */
static void keeper_metrics(struct sr_watch *w, FILE *f, double now)
{
	char lset[64] = "";
	size_t i, n_by_state[S_STOPPED + 1] = {0};
	int k;

	if (w->shard_label[0])
		snprintf(lset, sizeof lset, "{%s}", w->shard_label + 1);
	for (i = 0; i < w->n; i++)
		n_by_state[sr_watch_shown_state(w->slots[i], now)]++;
	fputs("# HELP sipreg_watch_registrations registrations by state\n"
	      "# TYPE sipreg_watch_registrations gauge\n",
	      f);
	for (k = 0; k <= S_STOPPED; k++)
		fprintf(f, "sipreg_watch_registrations{state=\"%s\"%s} %zu\n",
			sr_watch_state_names[k], w->shard_label, n_by_state[k]);
	fputs("# HELP sipreg_watch_failures_total failed attempts by result word\n"
	      "# TYPE sipreg_watch_failures_total counter\n",
	      f);
	for (k = SR_W_AUTH_FAILED; k < SR_W_COUNT; k++)
		fprintf(f, "sipreg_watch_failures_total{result=\"%s\"%s} %lu\n",
			sr_word_name((enum sr_word)k), w->shard_label, w->failures_by_word[k]);
	scalar(f, lset, "sipreg_watch_refreshes_total", "counter", "registrations renewed", "%lu",
	       w->refreshes_total);
	scalar(f, lset, "sipreg_watch_events_dropped_total", "counter",
	       "events that could not be written", "%lu", w->events_dropped);
	scalar(f, lset, "sipreg_watch_window", "gauge",
	       "REGISTERs allowed in flight (congestion window)", "%.0f", w->win.cwnd);
	scalar(f, lset, "sipreg_watch_in_flight", "gauge", "REGISTERs in flight", "%u",
	       w->win.inflight);
	scalar(f, lset, "sipreg_watch_window_cuts_total", "counter",
	       "times the registrar did not keep up", "%lu", w->win.cuts);
	scalar(f, lset, "sipreg_watch_nua_handles", "gauge",
	       "Sofia-SIP handles held (a request out, or a TCP registration)", "%lu",
	       sr_eng_handles());
	if (sr_hep_on()) {
		unsigned long long sent, dropped;

		sr_hep_counts(&sent, &dropped);
		scalar(f, lset, "sipreg_hep_sent_total", "counter",
		       "SIP messages copied to the HEP collector", "%llu", sent);
		scalar(f, lset, "sipreg_hep_dropped_total", "counter",
		       "SIP messages that could not be copied to the HEP collector", "%llu",
		       dropped);
	}
	scalar(f, lset, "process_start_time_seconds", "gauge",
	       "start time of the process since the epoch", "%.6f", w->started);
}

void sr_watch_metrics(struct sr_watch *w, FILE *f)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
	    {"sipreg_registered", "gauge",
	     "1 while the registrar holds our binding (also while a refresh is on its way)"},
	    {"sipreg_refreshing", "gauge", "1 while a refresh of a held binding is on its way"},
	    {"sipreg_last_status", "gauge", "SIP status of the last final response (0: none)"},
	    {"sipreg_register_rtt_seconds", "gauge", "time from REGISTER to its final response"},
	    {"sipreg_failures_total", "counter", "failed registration attempts"},
	    {"sipreg_expires_seconds", "gauge", "expiry the registrar granted"},
	    {"sipreg_calls_total", "counter", "calls to our Contact, answered 480"},
	    {"sipreg_last_success_timestamp_seconds", "gauge", "time of the last 2xx (0: none)"},
	    {"sipreg_failing_since_timestamp_seconds", "gauge",
	     "time of the first failure since the last 2xx (0: not failing)"},
	};
	size_t i, k;
	double now = sr_wall_now();

	for (k = 0; k < sizeof m / sizeof m[0]; k++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name,
			m[k].type);
		for (i = 0; i < w->n; i++) {
			const struct sr_slot *s = w->slots[i];
			int bound = sr_watch_shown_state(s, now) == S_REGISTERED;

			fprintf(f, "%s{name=\"", m[k].name);
			prom_escape(f, s->reg->name);
			fprintf(f, "\"%s} ", w->shard_label);
			switch (k) {
			case 0:
				fprintf(f, "%d\n", bound);
				break;
			case 1:
				fprintf(f, "%d\n", sr_watch_refreshing(s, now));
				break;
			case 2:
				fprintf(f, "%d\n", s->res.status);
				break;
			case 3:
				fprintf(f, "%.6f\n", s->rtt);
				break;
			case 4:
				fprintf(f, "%lu\n", s->failures_total);
				break;
			case 5:
				fprintf(f, "%ld\n", bound ? s->granted : 0);
				break;
			case 6:
				fprintf(f, "%lu\n", s->calls_total);
				break;
			case 7:
				fprintf(f, "%.6f\n", s->last_success);
				break;
			default:
				fprintf(f, "%.6f\n", s->failing_since);
				break;
			}
		}
	}
	/* only the registrations over TLS or WSS whose certificate was seen */
	fputs("# HELP sipreg_tls_cert_expiry_timestamp_seconds notAfter of the registrar's TLS "
	      "certificate\n# TYPE sipreg_tls_cert_expiry_timestamp_seconds gauge\n",
	      f);
	for (i = 0; i < w->n; i++) {
		const struct sr_slot *s = w->slots[i];

		if (s->res.cert_not_after <= 0)
			continue;
		fputs("sipreg_tls_cert_expiry_timestamp_seconds{name=\"", f);
		prom_escape(f, s->reg->name);
		fprintf(f, "\"%s} %.0f\n", w->shard_label, s->res.cert_not_after);
	}
	keeper_metrics(w, f, now);
}

/* The un-REGISTERs that went and had no answer before the deadline: the
 * registrar may still make them. */
void sr_watch_stop_unanswered(struct sr_watch *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		w->slots[i]->unanswered_at_stop =
		    w->slots[i]->st == S_UNREGISTERING && w->slots[i]->res.unreg_tried;
}

/* The end: how many of the bindings held when the stop began the registrar
 * removed, and how many it keeps until they expire (the removals go at the
 * allowed rate, and --shutdown-timeout may end them first). */
void sr_watch_stop_report(struct sr_watch *w)
{
	unsigned long removed = 0, left = 0, unanswered = 0;
	double until = 0, now = sr_wall_now();
	size_t i;
	char when[40] = "";

	/* held, not removed, and not expired since: the registrar keeps it */
	for (i = 0; i < w->n; i++) {
		const struct sr_slot *s = w->slots[i];

		if (s->removed_at_stop) {
			removed++;
		} else if (s->held_at_stop && s->bound_until > now) {
			left++;
			if (s->bound_until > until)
				until = s->bound_until;
			/* the registrar may have removed it since, or never
			 * seen its un-REGISTER */
			if (s->unanswered_at_stop)
				unanswered++;
		}
	}
	if (left) {
		iso_time(until, when, sizeof when);
		sr_warn("%lu of %lu bindings were not removed (the shutdown timeout of %.1f s "
			"ended first, or the registrar refused): it keeps them until they "
			"expire, the last at %s",
			left, w->stop_held, w->opts->shutdown_timeout, when);
	}
	if (unanswered)
		sr_warn("%lu of those removals went unanswered: the registrar may have made "
			"them since",
			unanswered);
	sr_watch_emit(w, "stopped", NULL,
		      json_pack("{s:I, s:I, s:I, s:I, s:o}", "bindings_held",
				(json_int_t)w->stop_held, "removed", (json_int_t)removed,
				"left_to_expire", (json_int_t)left, "unanswered",
				(json_int_t)unanswered, "expire_by",
				left ? sr_watch_time(until) : json_null()));
}

/* The fields of a "registered" or "refreshed" event of s (by_stack: nua
 * refreshed on its own, the round trip is not known). */
json_t *sr_watch_registered_fields(const struct sr_slot *s, int by_stack)
{
	json_t *fields;

	fields = json_pack("{s:I, s:I, s:o, s:o, s:i, s:s?}", "expires", (json_int_t)s->granted,
			   "expires_requested", (json_int_t)s->reg->expiration, "server",
			   s->res.server ? json_string(s->res.server) : json_null(), "rtt",
			   by_stack ? json_null() : json_real(s->rtt), "status", s->res.status,
			   "registrar", sr_watch_server(s));
	if (!s->reg->support_outbound && fields && sr_eng_keep_alive(s->e) > 0)
		/* keep-alives with pongs on every connection (docs/transports.md) */
		json_object_set_new(fields, "keep_alive", json_real(sr_eng_keep_alive(s->e)));
	if (s->reg->support_outbound && fields) {
		double ka = sr_eng_keep_alive(s->e);

		/* RFC 5626: the flow the registrar keeps, and our keep-alives on it */
		json_object_set_new(fields, "outbound", json_boolean(s->res.outbound));
		/* a 439: registered without reg-id instead (RFC 5626 4.2.1) */
		json_object_set_new(fields, "outbound_dropped",
				    s->res.outbound_dropped ? json_string(s->res.outbound_dropped)
							    : json_null());
		json_object_set_new(fields, "flow_timer",
				    s->res.flow_timer >= 0 ? json_integer(s->res.flow_timer)
							   : json_null());
		json_object_set_new(fields, "keep_alive", ka > 0 ? json_real(ka) : json_null());
		json_object_set_new(fields, "received",
				    s->res.received ? json_string(s->res.received) : json_null());
	}
	return fields;
}

/* What fill writes, into path, replaced atomically. */
static void write_file(struct sr_watch *w, const char *path,
		       void (*fill)(struct sr_watch *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fill(w, f);
	if (fclose(f) == 0 && write_atomic(path, buf, len) < 0)
		sr_warn("cannot write %s: %s", path, strerror(errno));
	free(buf);
}

void sr_watch_write_files(struct sr_watch *w)
{
	if (w->opts->status_file)
		write_file(w, w->opts->status_file, sr_watch_status_json);
	if (w->opts->prometheus_file)
		write_file(w, w->opts->prometheus_file, sr_watch_metrics);
	w->dirty = 0;
	w->last_written = sr_now();
}

void sr_watch_on_call(void *arg, const char *method, const char *request_uri, const char *from)
{
	struct sr_watch *w = arg;
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *ru = request_uri ? url_make(home, request_uri) : NULL;
	struct sr_slot *hit = NULL;
	size_t i;

	for (i = 0; ru && i < w->n && !hit; i++) {
		url_t *c =
		    w->slots[i]->res.contact ? url_make(home, w->slots[i]->res.contact) : NULL;

		if (c && url_cmp(c, ru) == 0)
			hit = w->slots[i];
	}
	if (hit)
		hit->calls_total++;
	w->dirty = 1;
	sr_watch_emit(w, "call_rejected", hit,
		      json_pack("{s:s, s:s?, s:s?, s:i}", "method", method ? method : "?",
				"request_uri", request_uri, "from", from, "status", 480));
	su_home_deinit(home);
}
