/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's keeping: slots, their timers, the queue under the rate
 * limit and the window, reloads, signals and the loop. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sofia-sip/su_wait.h>

#include "config/cli.h"
#include "config/confbuild.h"
#include "config/conffile.h"
#include "config/options.h"
#include "config/regset.h"
#include "engine/engine.h"
#include "engine/keeper.h"
#include "model/exitcode.h"
#include "model/result.h"
#include "model/secrets.h"
#include "proto/retry.h"
#include "report/output.h"
#include "util/log.h"
#include "util/nameidx.h"
#include "util/util.h"
#include "watch/watch.h"
#include "watch/watchaudit.h"
#include "watch/watchdata.h"
#include "watch/watchfail.h"
#include "watch/watchhttp.h"
#include "watch/watchnotify.h"
#include "watch/watchout.h"
#include "watch/watchsig.h"
#include "watch/watchslot.h"

static void window_end(struct sr_slot *s, enum sr_window_outcome o);

/* A new state is written out within a second; what changes without one
 * (a refresh: counters, expiry) waits for the periodic write, so that
 * thousands of refreshes do not rewrite the files every second. */
static void set_state(struct sr_slot *s, enum slot_state st)
{
	double now = sr_wall_now();
	enum slot_state shown = sr_watch_shown_state(s, now);

	if (s->in_window && st != S_REGISTERING)
		window_end(s, SR_WIN_DROPPED);
	if (s->st == S_REGISTERED && st != S_REGISTERED)
		sr_watch_expiry_note(s);
	if (s->st != st)
		s->w->dirty = 1;
	s->st = st;
	/* since: of the state reports show (a refresh leaves it registered) */
	if (sr_watch_shown_state(s, now) != shown)
		s->since = now;
}

static void timer_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg);
static void tick_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg);

static void schedule(struct sr_slot *s, double seconds)
{
	if (!s->timer)
		s->timer = su_timer_create(su_root_task(s->w->root), 0);
	su_timer_reset(s->timer);
	s->next_at = sr_wall_now() + seconds;
	su_timer_set_interval(s->timer, timer_cb, (su_timer_arg_t *)s,
			      (su_duration_t)(seconds * 1000 + 0.5));
}

/* s at the tail of the FIFO; -1 when there is no memory for it. */
static int queue_push(struct sr_watch *w, struct sr_slot *s)
{
	if (w->qlen == w->qcap && w->qhead > w->qcap / 4) {
		/* what was taken from the head makes room at the tail */
		size_t i;

		memmove(w->queue, w->queue + w->qhead, (w->qlen - w->qhead) * sizeof *w->queue);
		w->qlen -= w->qhead;
		w->qhead = 0;
		for (i = 0; i < w->qlen; i++)
			if (w->queue[i])
				w->queue[i]->qidx = i;
	}
	if (w->qlen == w->qcap) {
		size_t cap = w->qcap ? 2 * w->qcap : 64;
		struct sr_slot **q = realloc(w->queue, cap * sizeof *q);

		if (!q)
			return -1;
		w->queue = q;
		w->qcap = cap;
	}
	s->qidx = w->qlen;
	w->queue[w->qlen++] = s;
	return 0;
}

static void enqueue(struct sr_slot *s)
{
	struct sr_watch *w = s->w;

	if (s->st == S_QUEUED || queue_push(w, s) < 0)
		return;
	set_state(s, S_QUEUED);
	if (w->qlen - w->qhead == 1 && w->tick)
		su_timer_set_interval(w->tick, tick_cb, (su_timer_arg_t *)w, 5);
}

static void fail_policy(struct sr_slot *s);
static void on_done(void *arg);
static void on_refresh(void *arg, int status);
static void on_lost(void *arg);
static void unregister_now(struct sr_slot *s, double now);
/* seconds before a registration whose connection ended again registers again */
#define SR_LOST_AGAIN 5.0

/* A REGISTER still unanswered long after the answers come is counted
 * lost (window.h): its retransmissions hold no place in the window. */
static void late_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sr_slot *s = (struct sr_slot *)arg;

	(void)magic;
	(void)t;
	if (s->in_window != 1 || s->st != S_REGISTERING)
		return;
	s->in_window = 2;
	sr_window_late(&s->w->win);
	s->w->kick = 1;
}

/* The slot's timer is idle while its REGISTER is out: the next schedule()
 * after the answer replaces this. */
static void arm_late(struct sr_slot *s)
{
	if (!s->timer)
		s->timer = su_timer_create(su_root_task(s->w->root), 0);
	su_timer_reset(s->timer);
	su_timer_set_interval(s->timer, late_cb, (su_timer_arg_t *)s,
			      (su_duration_t)(sr_window_late_after(&s->w->win) * 1000 + 0.5));
}

static void send_now(struct sr_slot *s)
{
	struct sr_watch *w = s->w;

	sr_watch_fo_reopen(s);
	if (!s->e) {
		struct sr_eng_hooks h = {on_done, on_refresh, on_lost, s};

		sr_result_free(&s->res); /* what the last engine left */
		s->e = sr_eng_open(w->root, sr_watch_reg(s), w->run, &s->res, &h);
		if (!s->e) {
			set_state(s, S_REGISTERING);
			fail_policy(s);
			return;
		}
	}
	set_state(s, S_REGISTERING);
	sr_watch_emit(w, "registering", s,
		      json_pack("{s:s, s:i, s:b}", "registrar",
				sr_watch_server(s) ? sr_watch_server(s) : "", "attempt",
				(int)s->attempts + 1, "refresh",
				sr_watch_refreshing(s, sr_wall_now())));
	s->in_window = 1;
	s->sent_at = sr_now();
	sr_window_sent(&w->win);
	arm_late(s);
	sr_eng_send(s->e);
}

/* The end of a REGISTER of ours in flight: the window learns from it, and
 * what waits may go at once rather than at the next tick. */
static void window_end(struct sr_slot *s, enum sr_window_outcome o)
{
	struct sr_watch *w = s->w;

	int rc;

	rc = s->in_window == 2 ? sr_window_done_late(&w->win, o, s->sent_at, sr_now())
			       : sr_window_done(&w->win, o, s->sent_at, sr_now());
	s->in_window = 0;
	if (rc == 1)
		sr_debug(1, "window cut to %.0f (in flight %u): the registrar is not keeping up",
			 w->win.cwnd, w->win.inflight);
	else if (rc == 2)
		sr_debug(1,
			 "window %.0f: slow start ends, requests queue at the registrar (RTT %.1f "
			 "ms, base %.1f ms)",
			 w->win.cwnd, w->win.rtt * 1000, w->win.base_rtt * 1000);
	w->kick = 1;
}

static void timer_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sr_slot *s = (struct sr_slot *)arg;

	(void)magic;
	(void)t;
	if (s->w->stopping)
		return;
	if (s->st == S_REGISTERED)
		s->refresh_due = 1; /* our own refresh deadline: nua has not refreshed */
	enqueue(s);
}

static void registered(struct sr_slot *s)
{
	struct sr_watch *w = s->w;
	double now = sr_wall_now();
	/* a renewal of a binding that held all along; after a failure, a lost
	 * or an expired binding it is registered anew */
	int moved = sr_watch_fo_registered(s); /* a binding at another server */
	int renewed = s->ever_registered && !s->failing_since && !moved &&
		      sr_watch_shown_state(s, now) == S_REGISTERED;
	int by_stack = s->res.t0_refresh;
	json_t *fields;

	s->res.t0_refresh = 0;
	s->refresh_due = 0;
	s->last_success = now;
	s->failing_since = 0;
	s->attempts = 0;
	s->backoff = 0;
	s->auth_retried = 0;
	s->granted =
	    s->res.expires_granted >= 0 ? s->res.expires_granted : (long)s->reg->expiration;
	/* nua does not say when it sent a refresh of its own: the round trip
	 * is known only for the REGISTERs we send (the last one is kept) */
	if (!by_stack && s->res.t_final >= 0)
		s->rtt = (double)s->res.t_final / 1000.0;
	s->registrations_total++;
	if (renewed)
		w->refreshes_total++;
	set_state(s, S_REGISTERED);
	s->bound_until = s->granted > 0 ? now + (double)s->granted : 0;
	fields = sr_watch_registered_fields(s, by_stack);
	sr_watch_emit(w, renewed ? "refreshed" : "registered", s, fields);
	s->ever_registered = 1;
	sr_watch_audit_note(s);
	/* Our own deadline, whatever nua thinks was granted (docs/sofia-sip.md, 5):
	 * the refresh point of retry.h if the stack has not refreshed before. */
	schedule(s, sr_refresh_after(s->granted, sr_rand01()));
}

static void reject(struct sr_slot *s, const char *why)
{
	if (s->timer)
		su_timer_reset(s->timer);
	set_state(s, S_REJECTED);
	sr_watch_emit(s->w, "rejected", s,
		      json_pack("{s:s, s:s, s:o}", "result", sr_word_name(s->res.word), "reason",
				why, "status",
				s->res.status ? json_integer(s->res.status) : json_null()));
}

/* After a failure: stop or schedule the next attempt, as
 * sr_retry_decide() says. */
static void fail_policy(struct sr_slot *s)
{
	const struct sr_reg *r = s->reg;
	struct sr_result *res = &s->res;
	struct sr_retry_in in = {
	    .word = res->word,
	    .status = res->status,
	    .retry_after = s->e ? sr_eng_retry_after(s->e) : -1,
	    .attempts = s->attempts,
	    .backoff = s->backoff,
	    .rand01 = sr_rand01(),
	};
	struct sr_retry_decision d;

	s->failures_total++;
	if (s->res.word < SR_W_COUNT)
		s->w->failures_by_word[s->res.word]++;
	if (!s->failing_since)
		s->failing_since = sr_wall_now();
	sr_watch_emit(s->w, "failed", s,
		      json_pack("{s:o, s:o, s:s, s:o, s:s?}", "status",
				res->status ? json_integer(res->status) : json_null(), "reason",
				res->reason && res->status ? json_string(res->reason) : json_null(),
				"result", sr_word_name(res->word), "error",
				res->error ? json_string(res->error) : json_null(), "registrar",
				sr_watch_server(s)));
	/* a 2xx that is a failure kept no binding of ours: none holds */
	if (res->status >= 200 && res->status < 300)
		s->bound_until = 0;
	sr_watch_no_answer(s);
	if (sr_watch_fo_failed(s))
		return; /* on to the next server at once */
	if (res->word == SR_W_AUTH_FAILED && s->ever_registered && !s->auth_retried) {
		/* credentials this registrar took before: far likelier a nonce
		 * that died with a restart or a lost exchange than a password
		 * changed under us; tried again once before the rules apply */
		memset(&d, 0, sizeof d);
		d.attempts = s->attempts;
		d.backoff = s->backoff;
		d.interval = 1 + sr_rand01();
		s->auth_retried = 1;
	} else {
		sr_retry_decide(r, &in, res->error, &d);
	}
	s->attempts = d.attempts;
	s->backoff = d.backoff;
	if (d.stop) {
		reject(s, d.why);
		return;
	}
	set_state(s, S_RETRY);
	schedule(s, d.interval);
	sr_watch_emit(s->w, "retry_scheduled", s,
		      json_pack("{s:f, s:i, s:i, s:b}", "in", d.interval, "attempt",
				(int)s->attempts, "max", (int)r->max_retries, "retry_after",
				d.retry_after));
}

/* Free a slot; with ending, its stack handle is left to the process's end
 * (destroying it would un-REGISTER what shutdown chose to leave). */
static void free_slot(struct sr_slot *s, int ending)
{
	if (s->in_window)
		window_end(s, SR_WIN_DROPPED);
	if (s->timer)
		su_timer_destroy(s->timer);
	if (ending)
		sr_eng_free(s->e);
	else
		sr_eng_close(s->e);
	sr_result_free(&s->res);
	sr_watch_fo_free(s);
	sr_reg_free(s->reg);
	free(s->reg);
	free(s->fingerprint);
	free(s);
}

/* A REGISTER's answer while stopping: a binding it made is owed its
 * removal too, counted with those held when the stop began. */
static void answered_in_stop(struct sr_slot *s)
{
	if (s->in_window)
		window_end(s, sr_watch_outcome(s));
	if (sr_result_ok(&s->res) && !s->held_at_stop) {
		s->held_at_stop = 1;
		s->w->stop_held++;
		s->bound_until = sr_wall_now() + (double)(s->res.expires_granted >= 0
							      ? s->res.expires_granted
							      : (long)s->reg->expiration);
	}
	if (s->st == S_UNREGISTERING)
		return; /* its removal waits in the queue */
	set_state(s, S_UNREGISTERING);
	if (queue_push(s->w, s) < 0)
		unregister_now(s, sr_now());
}

static void on_done(void *arg)
{
	struct sr_slot *s = (struct sr_slot *)arg;

	if (s->w->stopping && !(s->st == S_UNREGISTERING && s->res.unreg_tried)) {
		answered_in_stop(s);
		return;
	}
	if (s->st == S_UNREGISTERING) {
		if (s->in_window)
			window_end(s, s->res.unreg_status >= 200 && s->res.unreg_status < 300
					  ? SR_WIN_ANSWERED
					  : SR_WIN_CONGESTED);
		set_state(s, S_STOPPED);
		s->removed_at_stop = s->held_at_stop && sr_result_unreg_removed(&s->res);
		s->unanswered_at_stop &= !s->res.unreg_status; /* 0: no answer on the wire */
		sr_watch_emit(
		    s->w, "unregistered", s,
		    json_pack("{s:o, s:b, s:s?}", "status",
			      s->res.unreg_status ? json_integer(s->res.unreg_status) : json_null(),
			      "removed", sr_result_unreg_removed(&s->res), "error",
			      sr_result_unreg_removed(&s->res) ? NULL : s->res.error));
		return;
	}
	if (s->in_window)
		window_end(s, sr_watch_outcome(s));
	sr_watch_answered(s);
	if (sr_result_ok(&s->res))
		registered(s);
	else
		fail_policy(s);
}

static void on_refresh(void *arg, int status)
{
	struct sr_slot *s = (struct sr_slot *)arg;

	if (s->st == S_UNREGISTERING || s->st == S_STOPPED || s->w->stopping)
		return;
	if (status >= 200 && status < 300) {
		s->res.t0_refresh = 1;
		registered(s);
	} else {
		fail_policy(s);
	}
}

/* The connection of a registration at rest ended: refresh it now, on a
 * new one (it shows as registered, refreshing, meanwhile). */
static void on_lost(void *arg)
{
	struct sr_slot *s = (struct sr_slot *)arg;

	double now = sr_now();

	if (s->w->stopping || s->st != S_REGISTERED)
		return;
	/* a registrar that closes every connection after its answer is not
	 * asked again at once each time */
	if (s->lost_at > 0 && now - s->lost_at < SR_LOST_AGAIN) {
		schedule(s, SR_LOST_AGAIN);
		return;
	}
	s->lost_at = now;
	s->refresh_due = 1;
	enqueue(s);
}

/* ------------------------------------------------------------------ */

/* A slot for reg, which it takes over (reg is left empty): the slot owns
 * its settings, so a reload's configuration can go once read. */
static struct sr_slot *new_slot(struct sr_watch *w, struct sr_reg *reg)
{
	struct sr_slot *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->reg = malloc(sizeof *s->reg);
	if (!s->reg) {
		free(s);
		return NULL;
	}
	*s->reg = *reg;
	sr_reg_defaults(reg);
	s->w = w;
	s->fingerprint = sr_reg_fingerprint(s->reg);
	s->since = sr_wall_now();
	sr_result_init(&s->res);
	sr_watch_fo_init(s);
	return s;
}

static void start_slot(struct sr_slot *s, int initial)
{
	unsigned max = s->reg->max_random_initial_delay;
	double delay = initial && max ? 1 + sr_rand01() * (max - 1) : 0;

	set_state(s, S_WAITING);
	if (delay > 0)
		schedule(s, delay);
	else
		enqueue(s);
}

static int add_slots(struct sr_watch *w, struct sr_config *cfg, size_t from)
{
	size_t i;
	struct sr_slot **v = realloc(w->slots, (w->n + cfg->n - from + 1) * sizeof *v);

	if (!v)
		return -1;
	w->slots = v;
	for (i = from; i < cfg->n; i++) {
		struct sr_slot *s = new_slot(w, &cfg->regs[i]);

		if (!s)
			return -1;
		w->slots[w->n++] = s;
	}
	return 0;
}

static void stop_slot(struct sr_slot *s)
{
	if (s->timer)
		su_timer_reset(s->timer);
	if (s->st == S_QUEUED && s->qidx < s->w->qlen && s->w->queue[s->qidx] == s)
		s->w->queue[s->qidx] = NULL;
	if (s->e && sr_eng_unregister(s->e) == 0) {
		set_state(s, S_UNREGISTERING);
		sr_watch_emit(s->w, "unregistering", s, NULL);
	} else {
		set_state(s, S_STOPPED);
	}
}

/* SIGHUP: the same sources again; unchanged entries are not touched. */
static void reload(struct sr_watch *w)
{
	struct sr_config *cfg = calloc(1, sizeof *cfg);
	size_t i, j, added = 0, removed = 0, changed = 0, unchanged = 0;
	struct sr_slot **keep;
	size_t nkeep = 0;
	struct sr_nameidx fresh = {NULL, 0, 0}, held = {NULL, 0, 0};
	int code;

	if (!cfg)
		return;
	code = sr_config_build(w->tool, w->cli, w->run, cfg);
	if (code == 0 && sr_secrets_load(cfg->regs, cfg->n, 0) < 0)
		code = SR_EXIT_CONFIG;
	if (code) {
		/* the error itself, for whoever reads only the events */
		sr_watch_emit(
		    w, "reload_failed", NULL,
		    json_pack("{s:s, s:s}", "error",
			      sr_err_last() ? sr_err_last() : "the configuration is invalid",
			      "kept", "the running configuration"));
		sr_config_free(cfg);
		free(cfg);
		return;
	}
	keep = calloc(w->n + cfg->n + 1, sizeof *keep);
	if (!keep) {
		sr_config_free(cfg);
		free(cfg);
		return;
	}
	/* the names on both sides, indexed: the diff is linear */
	for (j = 0; j < cfg->n; j++)
		sr_nameidx_put(&fresh, cfg->regs[j].name, j);
	for (i = 0; i < w->n; i++)
		if (!w->slots[i]->removed)
			sr_nameidx_put(&held, w->slots[i]->reg->name, i);
	/* old slots: unchanged ones stay, others go */
	for (i = 0; i < w->n; i++) {
		struct sr_slot *s = w->slots[i];
		long at = sr_nameidx_get(&fresh, s->reg->name);
		int found = 0;

		if (at >= 0) {
			char *fp = sr_reg_fingerprint(&cfg->regs[at]);

			found = fp && s->fingerprint && !strcmp(fp, s->fingerprint) ? 1 : 2;
			free(fp);
		}
		if (found == 1) {
			unchanged++;
		} else {
			if (found == 2)
				changed++;
			else
				removed++;
			s->removed = 1;
			w->pending_removal = 1;
			stop_slot(s);
		}
		keep[nkeep++] = s;
	}
	/* new and changed entries: new slots */
	for (j = 0; j < cfg->n; j++) {
		long at = sr_nameidx_get(&held, cfg->regs[j].name);

		if (at >= 0 && !w->slots[at]->removed)
			continue;
		{
			struct sr_slot *s = new_slot(w, &cfg->regs[j]);

			if (!s)
				continue;
			keep[nkeep++] = s;
			start_slot(s, 0);
			added++;
		}
	}
	free(w->slots);
	w->slots = keep;
	w->n = nkeep;
	/* the new slots took their settings over: the rest of it goes */
	sr_nameidx_free(&fresh);
	sr_nameidx_free(&held);
	sr_config_free(cfg);
	free(cfg);
	sr_watch_emit(w, "reloaded", NULL,
		      json_pack("{s:i, s:i, s:i, s:i}", "added", (int)(added - changed), "removed",
				(int)removed, "changed", (int)changed, "unchanged",
				(int)unchanged));
}

/* 20 ms while there is something to send or to stop, a second when idle
 * (less under a systemd watchdog that wants more): an idle keeper of
 * thousands should cost next to nothing, and each wake-up costs a few
 * loop turns (Sofia-SIP rounds a timer's last millisecond down to a
 * zero-timeout poll). Signals wake the loop themselves. */
static void tick_body(struct sr_watch *w, double now);

static void tick_rearm(struct sr_watch *w)
{
	su_duration_t ms = 1000;
	double wd = sr_notify_watchdog_every();

	if (w->qlen > w->qhead || w->stopping || sr_sig_pending())
		ms = 20;
	else if (wd > 0 && wd < 2)
		ms = (su_duration_t)(wd * 500) + 1;
	su_timer_set_interval(w->tick, tick_cb, (su_timer_arg_t *)w, ms);
}

/* A signal: the tick runs now, not at its next turn. */
static void on_signal_wake(void *arg)
{
	struct sr_watch *w = arg;

	if (w->tick)
		su_timer_set_interval(w->tick, tick_cb, (su_timer_arg_t *)w, 1);
}

static void tick_cb(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sr_watch *w = (struct sr_watch *)arg;
	double now = sr_now();

	(void)magic;
	(void)t;
	tick_rearm(w);
	/* Opening the first registration of a new stack runs the event loop
	 * until the stack is up; a tick in there would send the queue (and
	 * the very slot being opened) a second time. */
	if (w->in_tick)
		return;
	w->in_tick = 1;
	tick_body(w, now);
	w->in_tick = 0;
}

/* A stopping registration's turn: its un-REGISTER goes, counted in the
 * window like a REGISTER. */
static void unregister_now(struct sr_slot *s, double now)
{
	struct sr_watch *w = s->w;

	if (sr_eng_unregister(s->e) == 0) {
		sr_watch_emit(w, "unregistering", s, NULL);
		s->in_window = 1;
		s->sent_at = now;
		sr_window_sent(&w->win);
	} else {
		set_state(s, S_STOPPED);
	}
}

/* SIGTERM: every registration un-registers, through the same window and
 * rate limit as the REGISTERs (100,000 at once would flood the registrar
 * and most would be lost); what waits is already S_UNREGISTERING. */
static void stop_all(struct sr_watch *w)
{
	size_t i;

	for (i = w->qhead; i < w->qlen; i++)
		w->queue[i] = NULL;
	w->qhead = w->qlen = 0;
	for (i = 0; i < w->n; i++) {
		struct sr_slot *s = w->slots[i];

		s->held_at_stop = sr_watch_shown_state(s, sr_wall_now()) == S_REGISTERED;
		w->stop_held += (unsigned long)s->held_at_stop;
		if (s->timer)
			su_timer_reset(s->timer);
		if (!s->e) {
			set_state(s, S_STOPPED);
			continue;
		}
		set_state(s, S_UNREGISTERING);
		if (queue_push(w, s) < 0)
			unregister_now(s, sr_now());
	}
}

/* Send what waits, within the rate limit (a token bucket of max_rate per
 * second) and the window of REGISTERs in flight: the first in, the first
 * out. */
static void drain(struct sr_watch *w, double now)
{
	w->tokens += (now - w->last_tick) * w->opts->max_rate;
	if (w->tokens > w->opts->max_rate / 10 + 1)
		w->tokens = w->opts->max_rate / 10 + 1;
	w->last_tick = now;
	while (w->qhead < w->qlen) {
		struct sr_slot *s = w->queue[w->qhead];

		if (s && (w->tokens < 1 || !sr_window_open(&w->win)))
			break;
		w->queue[w->qhead++] = NULL;
		if (!s)
			continue; /* taken out of the queue */
		w->tokens -= 1;
		if (w->stopping)
			unregister_now(s, now);
		else
			send_now(s);
	}
	if (w->qhead == w->qlen)
		w->qhead = w->qlen = 0;
}

static void tick_body(struct sr_watch *w, double now)
{
	size_t i, k = 0;

	if ((sr_sig_pending() & SR_SIG_TERM) && !w->stopping) {
		sr_watch_audits_drop(w);
		w->stopping = 1;
		w->stop_deadline = now + w->opts->shutdown_timeout;
		sr_notify("STOPPING=1");
		sr_watch_emit(w, "stopping", NULL,
			      json_pack("{s:f}", "timeout", w->opts->shutdown_timeout));
		stop_all(w);
	}
	if (!w->stopping && sr_sig_take(SR_SIG_HUP)) {
		sr_watch_audits_drop(w);
		sr_notify_reloading();
		reload(w);
	}
	if (w->stopping) {
		int busy = 0;

		drain(w, now);
		for (i = 0; i < w->n; i++)
			busy |= w->slots[i]->st == S_UNREGISTERING;
		/* leave a little of the timeout for the stack's own shutdown */
		if (!busy || now >= w->stop_deadline - 0.3)
			w->done = 1;
		return;
	}
	sr_watch_audits_run(w, now);
	sr_watch_expiry_run(w, sr_wall_now());
	sr_http_tick(w->http);
	sr_eng_reap_stacks(); /* stacks a reload left without registrations */
	drain(w, now);
	/* drop slots a reload removed once they are un-registered */
	for (i = k = 0; w->pending_removal && i < w->n; i++) {
		struct sr_slot *s = w->slots[i];

		if (s->removed && s->st == S_STOPPED)
			free_slot(s, 0);
		else
			w->slots[k++] = s;
	}
	if (w->pending_removal) {
		w->n = k;
		w->pending_removal = 0;
		for (i = 0; i < w->n; i++)
			w->pending_removal |= w->slots[i]->removed;
	}
	/* before the files, whose dropped-events count must include them;
	 * also when a new stack's start runs the loop inside this tick */
	sr_watch_flush_events(w);
	/* the files cost O(n) each time: at 100,000 registrations a rewrite
	 * every second would be most of the CPU. A change is written within
	 * n / 10,000 s (at least 1), the file's age kept below 30 s. */
	if (sr_sig_take(SR_SIG_USR1) ||
	    (w->dirty && now - w->last_written >= (w->n > 10000 ? (double)w->n / 10000 : 1)) ||
	    now - w->last_written >= (w->n > 50000 ? 30 : 10)) {
		sr_watch_write_files(w);
		sr_watch_notify_state(w);
	}
	sr_notify_watchdog(now);
}

/* A registration is refreshed at 80 % of its grant by us (UDP), or by nua
 * at a random point of the grant's middle half (connections): at most
 * 2/expiration per second each, and nua's outside the rate limit. Say when
 * that is more than --max-rate. */
static void warn_refresh_rate(const struct sr_watch *w)
{
	double refresh_rate = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->slots[i]->reg->expiration)
			refresh_rate += 2.0 / w->slots[i]->reg->expiration;
	if (refresh_rate > w->opts->max_rate)
		sr_warn("refreshes average up to %.1f REGISTERs per second, above "
			"--max-rate %.0f: raise it or the expiration",
			refresh_rate, w->opts->max_rate);
}

int sr_watch_run(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		 struct sr_config *cfg, const struct sr_watch_opts *opts)
{
	struct sr_watch w;
	size_t i;
	int code = SR_EXIT_INTERNAL;

	memset(&w, 0, sizeof w);
	w.enqueue = enqueue;
	w.tool = tool;
	w.cli = cli;
	w.run = run;
	w.opts = opts;
	w.text = run->output == SR_OUT_TEXT;
	w.events = stdout;
	/* a file that cannot be written is said once, at the start */
	if (sr_watch_files_check(tool, opts) < 0)
		return SR_EXIT_CANTCREAT;
	if (opts->events_file) {
		w.events = fopen(opts->events_file, "ae");
		if (!w.events) {
			fprintf(stderr, "%s: --events %s cannot be written: %s\n", tool,
				opts->events_file, strerror(errno));
			return SR_EXIT_CANTCREAT;
		}
	}
	if (su_init() != 0)
		goto out;
	w.root = su_root_create(&w);
	if (!w.root)
		goto out;
	su_root_threading(w.root, 0);
	w.started = sr_wall_now();
	if (run->metrics_listen) {
		/* before anything starts: a wrong address is a usage error */
		char err[300];

		w.http = sr_http_start(&w, w.root, run->metrics_listen, err, sizeof err);
		if (!w.http) {
			sr_err("%s", err);
			code = SR_EXIT_USAGE;
			goto out;
		}
	}
	if (sr_sig_catch(w.root, on_signal_wake, &w) < 0) {
		sr_err("cannot wait for signals: %s", strerror(errno));
		goto out;
	}
	if (add_slots(&w, cfg, 0) < 0)
		goto out;
	/* the slots own the entries now: what is left of the loaded file
	 * (its array, the defaults put back) goes before the first REGISTER */
	sr_config_free(cfg);
	sr_eng_on_calls(sr_watch_on_call, &w);
	sr_notify_init();
	warn_refresh_rate(&w);
	sr_watch_emit(&w, "started", NULL,
		      json_pack("{s:i, s:i, s:f}", "registrations", (int)w.n, "pid", (int)getpid(),
				"max_rate", opts->max_rate));
	for (i = 0; i < w.n; i++)
		start_slot(w.slots[i], 1);
	w.last_tick = sr_now();
	w.last_written = 0;
	if (run->shard)
		snprintf(w.shard_label, sizeof w.shard_label, ",shard=\"%s\"", run->shard);
	/* slow start from 32 in flight, up to 1024 (SIPp's -l 200 is fixed) */
	sr_window_init(&w.win, 32, 4, 1024);
	w.tick = su_timer_create(su_root_task(w.root), 20);
	tick_rearm(&w);
	while (!w.done) {
		sr_watch_flush_events(&w);
		su_root_step(w.root, 1000);
		/* REGISTERs ended in that step: the next go now, not at a tick */
		if (w.kick && !w.in_tick) {
			w.kick = 0;
			w.in_tick = 1;
			drain(&w, sr_now());
			w.in_tick = 0;
		}
	}
	sr_watch_stop_unanswered(&w); /* before the stacks forget them */
	/* the stacks end within what is left of the shutdown timeout */
	sr_eng_shutdown_all(w.root, w.stop_deadline);
	sr_eng_on_calls(NULL, NULL);
	for (i = 0; i < w.n; i++)
		if (w.slots[i]->st != S_STOPPED)
			set_state(w.slots[i], S_STOPPED);
	sr_watch_audits_drop(&w);
	sr_watch_write_files(&w);
	sr_watch_stop_report(&w);
	sr_watch_flush_events(&w);
	code = SR_EXIT_OK;
out:
	sr_sig_release();
	sr_http_stop(w.http);
	if (w.events != stdout)
		fclose(w.events);
	for (i = 0; i < w.n; i++)
		free_slot(w.slots[i], 1);
	free(w.slots);
	free(w.queue);
	if (w.tick)
		su_timer_destroy(w.tick);
	/* a stack still running keeps the loop: the process ends with it */
	if (w.root && !sr_eng_stacks_left())
		su_root_destroy(w.root);
	return code;
}
