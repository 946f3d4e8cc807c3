/* SPDX-License-Identifier: BSD-2-Clause */
/* What a registration of the watch shows: its state as reports give it
 * (a refresh in flight stays registered), its binding, the server it uses
 * and the one that holds its binding. Read by every part of the watch,
 * calling nothing of them. */
#include "config.h"

#include <string.h>

#include "engine/keeper.h"
#include "proto/window.h"
#include "util/util.h"
#include "watch/watchdata.h"
#include "watch/watchslot.h"

const char *const sr_watch_state_names[] = {
    "waiting",	       "queued",   "registering",   "registered",
    "retry_scheduled", "rejected", "unregistering", "stopped",
};

enum slot_state sr_watch_shown_state(const struct sr_slot *s, double wall)
{
	if ((s->st == S_QUEUED || s->st == S_REGISTERING || s->st == S_RETRY) && !s->removed &&
	    s->bound_until > wall)
		return S_REGISTERED;
	return s->st;
}

int sr_watch_refreshing(const struct sr_slot *s, double wall)
{
	return s->st != S_REGISTERED && sr_watch_shown_state(s, wall) == S_REGISTERED;
}

const char *sr_watch_own_binding(const struct sr_slot *s)
{
	size_t i;

	for (i = 0; i < s->res.n_bindings; i++)
		if (s->res.bindings[i].own && s->res.bindings[i].uri)
			return s->res.bindings[i].uri;
	return NULL;
}

/* A registration that holds a binding at registrar (not one a reload
 * dropped). */
int sr_watch_holds_at(const struct sr_slot *s, const char *registrar)
{
	return s->st == S_REGISTERED && !s->removed && sr_watch_server(s) &&
	       !strcmp(sr_watch_server(s), registrar);
}

const struct sr_reg *sr_watch_reg(const struct sr_slot *s)
{
	return s->fo ? &s->fo->eff : s->reg;
}

const char *sr_watch_server(const struct sr_slot *s)
{
	return s->fo ? s->fo->uris.v[s->fo->cur] : s->res.registrar;
}

const char *sr_watch_registrar(const struct sr_slot *s)
{
	if (s->fo && sr_watch_shown_state(s, sr_wall_now()) == S_REGISTERED && s->ever_registered)
		return s->fo->uris.v[s->fo->held];
	return sr_watch_server(s);
}

/* What a failed attempt says of the registrar's load. */
enum sr_window_outcome sr_watch_outcome(const struct sr_slot *s)
{
	/* a 500 ms round trip against a base of a fraction of a millisecond
	 * is a lost packet, not a queue at the registrar (window.h) */
	if (s->res.status > 0 && s->res.transport == SR_TP_UDP &&
	    sr_now() - s->sent_at >= SR_WINDOW_KARN)
		return SR_WIN_RETRANSMITTED;
	if (sr_result_ok(&s->res))
		return SR_WIN_ANSWERED;
	if (s->res.word == SR_W_TIMEOUT || s->res.status == 503 ||
	    (s->e && sr_eng_retry_after(s->e) > 0))
		return SR_WIN_CONGESTED;
	return SR_WIN_ANSWERED;
}
