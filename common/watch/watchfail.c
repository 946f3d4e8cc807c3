/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's registrar sets (watchfail.h): which servers a registration
 * may use, which one it uses, and when it moves to the next. The rule: a
 * registration stays on the server that holds its binding; it moves on
 * only when that server fails it (no answer, the transport, DNS, TLS,
 * 503) or an audit of it goes unanswered. A server that comes back gets
 * registrations again only when the one they moved to fails in turn. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/keeper.h"
#include "proto/registrars.h"
#include "proto/target.h"
#include "util/log.h"
#include "util/util.h"
#include "watch/watchdata.h"
#include "watch/watchfail.h"
#include "watch/watchout.h"
#include "watch/watchslot.h"

/* SRV answers by query name: thousands of registrations of one domain ask
 * once a minute at most (also when the answer was none). */
struct srv_cache {
	char *q;
	struct sr_strv uris;
	double until;
	struct srv_cache *next;
};

static struct srv_cache *g_srv;

static const struct sr_strv *srv_lookup(const char *q, enum sr_transport tp)
{
	struct srv_cache *c, **pc;
	double now = sr_now();

	for (pc = &g_srv; (c = *pc) != NULL;) {
		if (now < c->until && !strcmp(c->q, q))
			return &c->uris;
		if (now >= c->until) {
			*pc = c->next;
			sr_strv_free(&c->uris);
			free(c->q);
			free(c);
		} else {
			pc = &c->next;
		}
	}
	c = calloc(1, sizeof *c);
	if (c)
		c->q = strdup(q);
	if (!c || !c->q) {
		free(c);
		return NULL;
	}
	sr_srv_targets(q, tp, &c->uris);
	sr_debug(1, "SRV %s: %zu target%s", q, c->uris.n, c->uris.n == 1 ? "" : "s");
	c->until = now + 60;
	c->next = g_srv;
	g_srv = c;
	return &c->uris;
}

/* The SRV targets of r's registrar, when SRV applies (registrars.h). */
static int srv_servers(const struct sr_reg *r, struct sr_fo *fo)
{
	struct sr_target *t = calloc(1, sizeof *t);
	const struct sr_strv *found = NULL;
	char err[600], q[400];
	size_t i;

	if (!t)
		return -1;
	if (sr_target_build(r, t, err, sizeof err) == SR_W_NONE &&
	    sr_srv_query_name(t, q, sizeof q))
		found = srv_lookup(q, t->tp);
	for (i = 0; found && i < found->n; i++)
		sr_strv_add(&fo->uris, found->v[i]);
	if (fo->uris.n)
		fo->domain = strdup(t->host);
	free(t);
	return fo->uris.n && fo->domain ? 0 : -1;
}

/* eff: the slot's settings sent to the server in use. */
static void aim(struct sr_slot *s)
{
	struct sr_fo *fo = s->fo;
	const char *uri = fo->uris.v[fo->cur];

	if (fo->domain) {
		/* a target of the domain: the Request-URI and the name TLS
		 * sends (SNI) and checks stay the domain's */
		memcpy(&fo->eff, s->reg, sizeof fo->eff);
		fo->eff.connect_uri = (char *)uri;
		if (!fo->eff.tls_server_name)
			fo->eff.tls_server_name = fo->domain;
	} else {
		sr_reg_at_server(&fo->eff, s->reg, uri);
	}
}

void sr_watch_fo_init(struct sr_slot *s)
{
	const struct sr_reg *r = s->reg;
	struct sr_fo *fo;
	size_t order[64], n, i;

	if (r->connect_uri || (!r->servers.n && r->outbound_proxy))
		return;
	fo = calloc(1, sizeof *fo);
	if (!fo)
		return;
	if (r->servers.n) {
		n = sr_servers_order(&r->servers, order, 64);
		for (i = 0; i < n; i++)
			sr_strv_add(&fo->uris, r->servers.v[order[i]].uri);
	} else {
		(void)srv_servers(r, fo);
	}
	s->fo = fo;
	if (!fo->uris.n || (!r->servers.n && !fo->domain)) {
		/* no list after all (no SRV, or out of memory) */
		sr_watch_fo_free(s);
		return;
	}
	aim(s);
}

void sr_watch_fo_free(struct sr_slot *s)
{
	if (!s->fo)
		return;
	sr_strv_free(&s->fo->uris);
	free(s->fo->domain);
	free(s->fo);
	s->fo = NULL;
}

void sr_watch_fo_reopen(struct sr_slot *s)
{
	if (!s->fo || !s->fo->reopen)
		return;
	s->fo->reopen = 0;
	/* the old engine's handle goes; over a connection nua may say
	 * goodbye to the old server, which is what a move is for anyway */
	sr_eng_close(s->e);
	s->e = NULL;
}

int sr_watch_fo_registered(struct sr_slot *s)
{
	int moved;

	if (!s->fo)
		return 0;
	moved = s->ever_registered && s->fo->held != s->fo->cur;
	s->fo->held = s->fo->cur;
	s->fo->tried = 0;
	return moved;
}

/* The next server: the engine is opened anew for it before its REGISTER. */
static const char *move_on(struct sr_slot *s)
{
	struct sr_fo *fo = s->fo;
	const char *from = fo->uris.v[fo->cur];

	fo->cur = (fo->cur + 1) % fo->uris.n;
	fo->reopen = 1;
	aim(s);
	return from;
}

int sr_watch_fo_failed(struct sr_slot *s)
{
	struct sr_fo *fo = s->fo;
	const char *from;

	if (!fo || fo->uris.n < 2 || !sr_failover_worthy(&s->res))
		return 0;
	from = move_on(s);
	if (++fo->tried >= fo->uris.n) {
		fo->tried = 0; /* every server failed once: the retry rules wait */
		return 0;
	}
	if (s->timer)
		su_timer_reset(s->timer);
	sr_watch_emit(s->w, "failover", s,
		      json_pack("{s:s, s:s, s:s}", "from", from, "to", fo->uris.v[fo->cur],
				"result", sr_word_name(s->res.word)));
	s->w->enqueue(s);
	return 1;
}

void sr_watch_fo_unreachable(struct sr_watch *w, const char *registrar)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct sr_slot *s = w->slots[i];
		const char *from;

		if (!s->fo || s->fo->uris.n < 2 || !sr_watch_holds_at(s, registrar))
			continue;
		from = move_on(s);
		s->fo->tried = 1;
		if (s->timer)
			su_timer_reset(s->timer);
		s->refresh_due = 1;
		sr_watch_emit(w, "failover", s,
			      json_pack("{s:s, s:s, s:s}", "from", from, "to",
					s->fo->uris.v[s->fo->cur], "result",
					"registrar_unreachable"));
		s->w->enqueue(s);
	}
}
