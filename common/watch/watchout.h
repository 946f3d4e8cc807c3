/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's reports: events, status file, Prometheus metrics
 * (watchout.c). */
#ifndef SR_WATCHOUT_H
#define SR_WATCHOUT_H

#include <stdio.h>

#include <jansson.h>

#include "watch/watchdata.h"

/* The status file and the metrics can be written where they
 * are asked for: 0, or -1 with the reason on stderr. */
int sr_watch_files_check(const char *tool, const struct sr_watch_opts *opts);

/* A point in time for an event, in the form of its "ts" (ISO 8601, UTC,
 * milliseconds); null for 0 (never). */
json_t *sr_watch_time(double wall);
/* One event: a JSON line, or a text line with -o text; "name" is null for
 * the process's own events (s NULL). fields: a JSON object, stolen. */
void sr_watch_emit(struct sr_watch *w, const char *event, const struct sr_slot *s, json_t *fields);
/* Write out the events emitted since the last flush: once per step of the
 * loop, not once per event (a write() each was 3-4 % of a watch
 * registering thousands a second). Those that fail count as dropped. */
void sr_watch_flush_events(struct sr_watch *w);
/* The status file and the Prometheus metrics, each replaced atomically. */
void sr_watch_write_files(struct sr_watch *w);
/* The status JSON and the metrics (text exposition 0.0.4) into f. */
void sr_watch_status_json(struct sr_watch *w, FILE *f);
void sr_watch_metrics(struct sr_watch *w, FILE *f);
/* A request to a Contact of ours (answered 480 by the engine): counted on
 * the registration it reached and reported as call_rejected (engine.h's
 * sr_eng_call_fn; arg: the watch). */
void sr_watch_on_call(void *arg, const char *method, const char *request_uri, const char *from);

/* The fields of a "registered" or "refreshed" event of s. */
json_t *sr_watch_registered_fields(const struct sr_slot *s, int by_stack);

/* The "stopped" event, and a warning when bindings held at the start of
 * the stop were left to expire at the registrar. */
void sr_watch_stop_unanswered(struct sr_watch *w);
void sr_watch_stop_report(struct sr_watch *w);

#endif
