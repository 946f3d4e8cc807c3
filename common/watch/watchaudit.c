/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's audits: a registrar that lost its bindings tells nobody
 * over UDP, so every audit_interval the keeper asks it for the bindings of
 * one registered AOR (a REGISTER without Contact, which changes nothing)
 * and sends every registration there again when ours is missing; an
 * audit nobody answers is a registrar_unreachable. A binding whose grant
 * runs out while its refresh is still on the way has expired. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/keeper.h"
#include "util/log.h"
#include "util/util.h"
#include "watch/watchaudit.h"
#include "watch/watchdata.h"
#include "watch/watchfail.h"
#include "watch/watchout.h"
#include "watch/watchslot.h"

/* The record of registrar (its audit), made when create says so. */
static struct sr_audit *audit_of(struct sr_watch *w, const char *registrar, double interval,
				 int create)
{
	struct sr_audit **v, *a;
	size_t i;

	for (i = 0; i < w->n_audits; i++)
		if (!strcmp(w->audits[i]->registrar, registrar))
			return w->audits[i];
	if (!create)
		return NULL;
	v = realloc(w->audits, (w->n_audits + 1) * sizeof *v);
	if (!v)
		return NULL;
	w->audits = v;
	a = calloc(1, sizeof *a);
	if (a)
		a->registrar = strdup(registrar);
	if (!a || !a->registrar) {
		free(a);
		return NULL;
	}
	a->next = sr_now() + (interval > 0 ? interval : 10);
	w->audits[w->n_audits++] = a;
	return a;
}

/* A registration holds: its registrar is audited from now on. */
void sr_watch_audit_note(struct sr_slot *s)
{
	if (s->reg->audit_interval && sr_watch_server(s))
		audit_of(s->w, sr_watch_server(s), s->reg->audit_interval, 1);
}

/* A failure without an answer (a timeout, no connection) waits its retry
 * interval: no packet gets through, and a flood helps nobody. */
static int unanswered(const struct sr_slot *s)
{
	return s->res.status == 0 &&
	       (s->res.word == SR_W_TIMEOUT || s->res.word == SR_W_TRANSPORT_ERROR ||
		s->res.word == SR_W_TLS_ERROR);
}

void sr_watch_no_answer(struct sr_slot *s)
{
	struct sr_audit *a;

	if (!unanswered(s) || !sr_watch_server(s))
		return;
	a = audit_of(s->w, sr_watch_server(s), s->reg->audit_interval, 1);
	if (a)
		a->stalled = 1;
}

/* The registrar answers again (an audit, another registration's answer):
 * what waits after a failure without an answer goes now, through the
 * queue and its rate limit, not at the end of its retry interval. */
static void wake(struct sr_watch *w, struct sr_audit *a)
{
	size_t i, n = 0;

	a->stalled = 0;
	for (i = 0; i < w->n; i++) {
		struct sr_slot *s = w->slots[i];

		if (s->st != S_RETRY || s->removed || !unanswered(s) || !sr_watch_server(s) ||
		    strcmp(sr_watch_server(s), a->registrar))
			continue;
		if (s->timer)
			su_timer_reset(s->timer);
		s->w->enqueue(s);
		n++;
	}
	if (n)
		sr_debug(1, "%s answers again: %zu registration%s waiting after no answer go now",
			 a->registrar, n, n == 1 ? "" : "s");
}

void sr_watch_answered(struct sr_slot *s)
{
	struct sr_audit *a;

	if (s->res.status <= 0 || !sr_watch_server(s))
		return;
	s->unreachable_since = 0; /* its registrar just answered it */
	a = audit_of(s->w, sr_watch_server(s), 0, 0);
	if (a && a->stalled)
		wake(s->w, a);
}

static void audit_done(void *arg)
{
	((struct sr_audit *)arg)->done = 1;
}

static void audit_start(struct sr_watch *w, struct sr_audit *a, double now)
{
	struct sr_eng_hooks h = {audit_done, NULL, NULL, a};
	struct sr_slot *sentinel = NULL;
	size_t i;

	for (i = 0; i < w->n && !sentinel; i++) {
		struct sr_slot *s = w->slots[i];

		if (sr_watch_holds_at(s, a->registrar) && s->reg->audit_interval &&
		    sr_watch_own_binding(s))
			sentinel = s;
	}
	/* nothing registered there: while registrations wait after getting
	 * no answer, one of them asks, to learn when it answers again */
	for (i = 0; i < w->n && !sentinel && a->stalled; i++) {
		struct sr_slot *s = w->slots[i];

		if (s->st == S_RETRY && !s->removed && s->reg->audit_interval && unanswered(s) &&
		    sr_watch_server(s) && !strcmp(sr_watch_server(s), a->registrar))
			sentinel = s;
	}
	if (!sentinel) {
		a->next = now + 10; /* nothing registered there to ask about yet */
		return;
	}
	a->next = now + sentinel->reg->audit_interval;
	a->own = sr_watch_own_binding(sentinel) ? strdup(sr_watch_own_binding(sentinel)) : NULL;
	a->probe = !a->own;
	sr_result_init(&a->res);
	a->done = 0;
	a->run = *w->run;
	a->run.mode = SR_MODE_LIST;
	/* to the server that holds the sentinel's binding */
	a->e = a->own || a->probe
		   ? sr_eng_open(w->root, sr_watch_reg(sentinel), &a->run, &a->res, &h)
		   : NULL;
	if (!a->e) {
		sr_result_free(&a->res);
		free(a->own);
		a->own = NULL;
		return;
	}
	sr_eng_send(a->e);
}

static void audit_end(struct sr_audit *a)
{
	sr_eng_close(a->e);
	a->e = NULL;
	sr_result_free(&a->res);
	free(a->own);
	a->own = NULL;
	a->probe = 0;
	a->done = 0;
}

/* An audit nobody answered (no response, no connection) means the
 * registrar is unreachable, whatever the last grant says: an event, and
 * the registrations there carry the time for the status file and --check.
 * Any answer ends it. */
static void note_reachability(struct sr_watch *w, struct sr_audit *a)
{
	int answered = a->res.status > 0;
	double now = sr_wall_now(), before = a->unreachable_since;
	size_t i;

	if (!answered && a->res.word != SR_W_TIMEOUT && a->res.word != SR_W_TRANSPORT_ERROR &&
	    a->res.word != SR_W_DNS_ERROR && a->res.word != SR_W_TLS_ERROR)
		return;
	if (!answered && !a->unreachable_since) {
		a->unreachable_since = now;
		sr_watch_emit(w, "registrar_unreachable", NULL,
			      json_pack("{s:s, s:o, s:s?}", "registrar", a->registrar, "since",
					sr_watch_time(now), "error", a->res.error));
	} else if (answered && a->unreachable_since) {
		sr_watch_emit(w, "registrar_reachable", NULL,
			      json_pack("{s:s, s:f}", "registrar", a->registrar, "after",
					now - a->unreachable_since));
		a->unreachable_since = 0;
	}
	/* those with another server move there; the rest wait for it */
	if (!answered)
		sr_watch_fo_unreachable(w, a->registrar);
	else if (a->stalled)
		wake(w, a);
	/* a walk of every registration only when the registrar's state
	 * changed: at 100,000 one per audit was most of the CPU at rest */
	if (a->unreachable_since == before)
		return;
	for (i = 0; i < w->n; i++)
		if (sr_watch_holds_at(w->slots[i], a->registrar))
			w->slots[i]->unreachable_since = a->unreachable_since;
	w->dirty = 1;
}

static void audit_finish(struct sr_watch *w, struct sr_audit *a)
{
	size_t i;
	int found = 0, again = 0;

	note_reachability(w, a);
	/* no answer or a failure: the registrations' own refreshes tell; a
	 * probe has no binding of its own to look for */
	if (a->res.status >= 200 && a->res.status < 300 && !a->probe) {
		for (i = 0; i < a->res.n_bindings; i++)
			if (a->res.bindings[i].own && a->res.bindings[i].expires != 0)
				found = 1; /* bindings.c's one rule, as for the refreshes */
		if (!found) {
			for (i = 0; i < w->n; i++) {
				struct sr_slot *s = w->slots[i];

				if (sr_watch_holds_at(s, a->registrar)) {
					s->bound_until = 0; /* the registrar says so */
					s->refresh_due = 1;
					s->w->enqueue(s);
					again++;
				}
			}
			sr_watch_emit(w, "bindings_lost", NULL,
				      json_pack("{s:s, s:s, s:i}", "registrar", a->registrar,
						"missing", a->own, "registrations", again));
		}
	}
	audit_end(a);
}

/* Each tick: finish the queries that were answered, start the due ones. */
void sr_watch_audits_run(struct sr_watch *w, double now)
{
	size_t i;

	for (i = 0; i < w->n_audits; i++) {
		struct sr_audit *a = w->audits[i];

		if (a->e && a->done)
			audit_finish(w, a);
		else if (!a->e && now >= a->next)
			audit_start(w, a, now);
	}
}

/* A reload or the end: no query outlives the registrations it asks for;
 * the registrars are noted again as registrations hold. */
void sr_watch_audits_drop(struct sr_watch *w)
{
	size_t i;

	for (i = 0; i < w->n_audits; i++) {
		if (w->audits[i]->e)
			audit_end(w->audits[i]);
		free(w->audits[i]->registrar);
		free(w->audits[i]);
	}
	free(w->audits);
	w->audits = NULL;
	w->n_audits = 0;
}

void sr_watch_expiry_note(struct sr_slot *s)
{
	struct sr_watch *w = s->w;

	if (s->bound_until > 0 && (!w->next_expiry || s->bound_until < w->next_expiry))
		w->next_expiry = s->bound_until;
}

/* Only when one of them is due does this walk the registrations: at rest,
 * with thousands, a tick costs nothing here. */
void sr_watch_expiry_run(struct sr_watch *w, double wall)
{
	size_t i;

	if (!w->next_expiry || wall < w->next_expiry)
		return;
	w->next_expiry = 0;
	for (i = 0; i < w->n; i++) {
		struct sr_slot *s = w->slots[i];

		if (s->st == S_REGISTERED || s->bound_until <= 0)
			continue;
		if (s->bound_until > wall) {
			sr_watch_expiry_note(s);
			continue;
		}
		if (sr_watch_shown_state(s, s->bound_until - 0.001) == S_REGISTERED) {
			sr_watch_emit(w, "expired", s,
				      json_pack("{s:o, s:s}", "expires_at",
						sr_watch_time(s->bound_until), "state",
						sr_watch_state_names[s->st]));
			s->since = s->bound_until;
			w->dirty = 1;
		}
		s->bound_until = 0;
	}
}
