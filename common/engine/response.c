/* SPDX-License-Identifier: BSD-2-Clause */
/* What a registrar's final response says, into the result: status, server,
 * received address, bindings (and which is ours), outbound flow, GRUUs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/tport_tag.h>

#include "engine/contact.h"
#include "engine/engdata.h"
#include "engine/response.h"
#include "proto/bindings.h"
#include "proto/challenge.h"
#include "tunnel/tunnel.h"
#include "util/log.h"
#include "util/util.h"

/* nta marks the responses it makes up itself (timeouts, transport and DNS
 * errors) with this flag; it is not in the public headers. */
#define SR_NTA_INTERNAL_MSG (1 << 15)

/* A Retry-After in seconds, -1 when none; beyond a day is taken as a day
 * (a registrar asking for more is not waited on for years). */
long sr_retry_after_of(sip_t const *sip)
{
	unsigned long v;

	if (!sip || !sip->sip_retry_after)
		return -1;
	v = (unsigned long)sip->sip_retry_after->af_delta;
	return v > 86400 ? 86400 : (long)v;
}

int sr_eng_is_local_response(sip_t const *sip)
{
	return !sip || (sip->sip_flags & SR_NTA_INTERNAL_MSG);
}

void sr_eng_note_cert(struct sr_eng *e)
{
	const char *subject;
	double not_after = sr_tunnel_cert(e->tunnel, &subject);

	if (not_after <= 0)
		return;
	sr_setstr(&e->res->cert_subject, subject);
	e->res->cert_not_after = not_after;
}

void sr_eng_note_final(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	sr_eng_note_cert(e);
	res->status = status;
	sr_setstr(&res->reason, phrase);
	res->t_final = sr_eng_ms_since(e);
	e->retry_after = sr_retry_after_of(sip);
	if (!sip)
		return;
	/* every REGISTER of one registration in one Call-ID (RFC 3261 10.2) */
	if (sip->sip_call_id && !e->call_id)
		e->call_id = su_strdup(e->home, sip->sip_call_id->i_id);
	if (sip->sip_server)
		sr_setstr(&res->server, sip->sip_server->g_string);
	else if (sip->sip_user_agent)
		sr_setstr(&res->server, sip->sip_user_agent->g_string);
	if (sip->sip_via && (sip->sip_via->v_received || sip->sip_via->v_rport)) {
		char buf[128];
		sip_via_t const *v = sip->sip_via;
		const char *host = v->v_received ? v->v_received : v->v_host;
		const char *port = v->v_rport && *v->v_rport ? v->v_rport : v->v_port;
		int v6 = strchr(host, ':') && host[0] != '[';

		snprintf(buf, sizeof buf, "%s%s%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "",
			 port ? ":" : "", port ? port : "");
		sr_setstr(&res->received, buf);
	}
	if (sip->sip_min_expires)
		res->min_expires = (long)sip->sip_min_expires->me_delta;
}

/* RFC 5626: did the registrar take the registration as an outbound flow
 * (Require: outbound in the 2xx), and how often does it want keep-alives
 * (Flow-Timer, a header Sofia does not know)? */
static void note_outbound(struct sr_result *res, sip_t const *sip)
{
	sip_unknown_t const *u;
	sip_require_t const *k;

	res->outbound = false;
	for (k = sip->sip_require; k; k = k->k_next) {
		size_t i;

		for (i = 0; k->k_items && k->k_items[i]; i++)
			if (!strcasecmp(k->k_items[i], "outbound"))
				res->outbound = true;
	}
	res->flow_timer = -1;
	for (u = sip->sip_unknown; u; u = u->un_next)
		if (u->un_name && !strcasecmp(u->un_name, "Flow-Timer") && u->un_value) {
			char *end;
			long v = strtol(u->un_value, &end, 10);

			if (end != u->un_value && !*end && v > 0 && v <= 86400)
				res->flow_timer = v;
		}
}

/* RFC 5626 on a keeper stack with keep-alives, after a 2xx: a Flow-Timer
 * shorter than our interval wins (80-100 % of it). Pongs are expected with
 * or without Require: outbound: without them a dead connection is never
 * noticed (docs/transports.md, "Dead connections"). A connection's timer
 * was set before this answer: the new interval starts after its next
 * keep-alive. */
static void tune_flow(struct sr_eng *e)
{
	struct sr_stack *g = e->stack;
	const struct sr_result *res = e->res;

	if (!g || !g->ka_ms || !res)
		return;
	if (res->flow_timer > 0 && (double)res->flow_timer * 1000 < g->ka_ms) {
		g->ka_ms = (unsigned)(res->flow_timer * 1000.0 * (0.8 + 0.2 * sr_rand01()));
		nua_set_params(g->nua, TPTAG_KEEPALIVE(g->ka_ms), TAG_END());
		sr_debug(1, "Flow-Timer %ld: keep-alives every %.1f s", res->flow_timer,
			 g->ka_ms / 1000.0);
	}
}

/* Each Route-like header of a list (Service-Route, Path) as its own line. */
static void add_routes(struct sr_eng *e, sip_route_t const *r, struct sr_strv *out)
{
	for (; r; r = r->r_next) {
		sip_route_t copy = *r;

		copy.r_next = NULL;
		sr_strv_add(out, sip_header_as_string(e->scratch, (sip_header_t const *)&copy));
	}
}

void sr_eng_note_bindings(struct sr_eng *e, sip_t const *sip)
{
	struct sr_result *res = e->res;
	sip_contact_t const *m;
	size_t n = 0, i;
	long header_exp = sip->sip_expires ? (long)sip->sip_expires->ex_delta : -1;
	struct sr_binding_self self;
	enum sr_binding_match best = SR_BM_NONE;
	sip_contact_t const *mine = NULL;
	int at = -1;

	for (m = sip->sip_contact; m; m = m->m_next)
		n++;
	res->bindings = calloc(n ? n : 1, sizeof *res->bindings);
	if (!res->bindings)
		return;
	/* every binding of ours is marked; the grant and GRUUs are those of
	 * the best match, the binding we just sent. None of ours listed: no
	 * grant (not bound, sr_eng_bound) */
	sr_contact_self(e, &self);
	for (m = sip->sip_contact, i = 0; m; m = m->m_next, i++) {
		struct sr_binding *b = &res->bindings[i];
		char *uri = url_as_string(e->scratch, m->m_url);
		enum sr_binding_match match = sr_binding_match(e->scratch, m, &self);

		b->uri = strdup(uri ? uri : "");
		b->expires = m->m_expires ? strtol(m->m_expires, NULL, 10) : header_exp;
		b->q = m->m_q ? strdup(m->m_q) : NULL;
		{
			char *inst = sr_contact_param(e->scratch, m, "+sip.instance=");
			char *rid = sr_auth_param(e->scratch, m->m_params, "reg-id=");

			b->instance = inst ? strdup(inst) : NULL;
			b->reg_id = rid ? strdup(rid) : NULL;
		}
		b->own = match != SR_BM_NONE;
		if (match > best) {
			best = match;
			mine = m;
			at = (int)i;
		}
	}
	res->n_bindings = n;
	if (mine) {
		res->expires_granted = res->bindings[at].expires;
		sr_setstr(&res->gruu_pub, sr_contact_param(e->scratch, mine, "pub-gruu="));
		sr_setstr(&res->gruu_temp, sr_contact_param(e->scratch, mine, "temp-gruu="));
	}
	/* ours listed without an expiry anywhere: the registrar kept what we asked */
	if ((res->mode == SR_MODE_REGISTER || res->mode == SR_MODE_PROBE) && at >= 0 &&
	    res->expires_granted < 0)
		res->expires_granted = res->expires_requested;
	note_outbound(res, sip);
	tune_flow(e);
	add_routes(e, sip->sip_service_route, &res->service_route);
	add_routes(e, sip->sip_path, &res->path);
}

/* What was really sent: the plugin's last answer, or our Bearer token. */
void sr_eng_note_auth_used(struct sr_eng *e)
{
	struct sr_digest_used u;
	int answers;

	sr_digest_last_used(&u);
	answers = u.answers - e->plugin_answers0;
	if (answers > 0) {
		sr_setstr(&e->res->auth_scheme, "Digest");
		if (!e->res->auth_algorithm)
			sr_setstr(&e->res->auth_algorithm, u.algorithm);
		e->res->auth_rounds = e->answered + e->reanswered;
	} else if (e->reg->bearer_token) {
		sr_setstr(&e->res->auth_scheme, "Bearer");
		e->res->auth_rounds = 0;
	}
}

int sr_eng_bound(struct sr_eng *e, int status)
{
	struct sr_result *res = e->res;

	if (res->expires_granted > 0)
		return 1;
	if (res->expires_granted == 0)
		sr_result_fail(res, SR_W_NOT_BOUND,
			       "the registrar did not keep our binding: its %d granted ours 0 s",
			       status);
	else if (!res->n_bindings)
		sr_result_fail(res, SR_W_NOT_BOUND,
			       "the registrar did not keep our binding: its %d lists no binding",
			       status);
	else
		sr_result_fail(res, SR_W_NOT_BOUND,
			       "the registrar did not keep our binding: its %d lists %zu "
			       "binding%s, none of them ours",
			       status, res->n_bindings, res->n_bindings == 1 ? "" : "s");
	return 0;
}
