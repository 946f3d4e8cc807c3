/* SPDX-License-Identifier: BSD-2-Clause */
/* One registration's state machine on Sofia-SIP nua: the engine's set-up,
 * REGISTER, nua's events, the answers, stale bindings and calls to us. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_config.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "engine/auth.h"
#include "engine/contact.h"
#include "engine/engdata.h"
#include "engine/engine.h"
#include "engine/engine_int.h"
#include "engine/response.h"
#include "engine/unreg.h"
#include "proto/bindings.h"
#include "proto/challenge.h"
#include "proto/digest.h"
#include "proto/target.h"
#include "tunnel/hepout.h"
#include "tunnel/tunnel.h"
#include "util/log.h"
#include "util/util.h"

/* nua handles of registrations (and audits) held now: sr_eng_handles() */
static unsigned long g_handles;

static int g_hard_exit; /* a stack was left running to keep its binding */

void sr_eng_exit_hard(void)
{
	g_hard_exit = 1;
}
/* A registration's engine, before its stack: a one-shot run's and a
 * keeper's alike. NULL when out of memory. */
struct sr_eng *sr_eng_new(const struct sr_reg *reg, const struct sr_run *run, struct sr_result *res)
{
	struct sr_eng *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	su_home_init(e->home);
	su_home_init(e->scratch);
	e->reg = reg;
	e->run = run;
	e->res = res;
	e->t0 = sr_now();
	e->retry_after = -1;
	res->mode = run->mode;
	res->transport = SR_TP_UDP;
	sr_setstr(&res->name, reg->name ? reg->name : reg->client_uri);
	return e;
}

static int g_su_ready;

/* A response the stack made up (no SIP server answered): what happened,
 * in words, and its result word. */
static enum sr_word local_failure(const struct sr_eng *e, int status, char const *phrase, char *buf,
				  size_t len)
{
	const char *tp = sr_transport_name(e->tp);

	if (e->tunnel) {
		/* the connection we carried it on failed: its own words */
		const char *msg;
		enum sr_word w = sr_tunnel_error(e->tunnel, &msg);

		if (w != SR_W_NONE) {
			snprintf(buf, len, "%s", msg);
			return w;
		}
	}
	if (status == 408) {
		snprintf(buf, len, "no answer from %s within %.1f s", e->registrar,
			 e->run->timeout);
		return SR_W_TIMEOUT;
	}
	if (phrase && strstr(phrase, "DNS")) {
		snprintf(buf, len, "cannot resolve %s (%s)", e->host, phrase);
		return SR_W_DNS_ERROR;
	}
	if (status >= 900) {
		snprintf(buf, len, "the SIP stack failed: %s", phrase ? phrase : "");
		return SR_W_INTERNAL_ERROR;
	}
	if (e->tp == SR_TP_UDP)
		snprintf(buf, len,
			 "nothing answers at %s over udp: the port is closed (ICMP port "
			 "unreachable) or the packet could not be sent",
			 e->registrar);
	else
		snprintf(buf, len, "cannot connect to %s over %s: connection refused or closed%s",
			 e->registrar, tp,
			 e->tp == SR_TP_TLS ? ", or the TLS handshake failed" : "");
	return e->tp == SR_TP_TLS ? SR_W_TLS_ERROR : SR_W_TRANSPORT_ERROR;
}

/* A final answer that was not a 2xx (or one the stack made up): the
 * result word, the reason and the state. */
static void fail_final(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	if (sr_eng_is_local_response(sip)) {
		/* Made up by the stack: not a server's answer, so no status of
		 * it is shown; say what happened instead. */
		char why[400];
		enum sr_word w = local_failure(e, status, phrase, why, sizeof why);

		res->status = 0;
		sr_result_fail(res, w, "%s", why);
		return;
	}
	sr_eng_note_final(e, status, phrase, sip);
	switch (sr_word_for_status(status)) {
	case SR_W_AUTH_FAILED:
		sr_result_fail(res, SR_W_AUTH_FAILED, "credentials refused (%d %s)", status,
			       phrase);
		break;
	case SR_W_FORBIDDEN:
		sr_result_fail(res, SR_W_FORBIDDEN, "the registrar refused us (403 %s)", phrase);
		break;
	case SR_W_NOT_FOUND:
		sr_result_fail(res, SR_W_NOT_FOUND, "the registrar does not know %s (404 %s)",
			       e->aor, phrase);
		break;
	case SR_W_INTERVAL_TOO_BRIEF:
		sr_result_fail(res, SR_W_INTERVAL_TOO_BRIEF,
			       "423 Interval Too Brief%s even after asking for Min-Expires",
			       res->min_expires >= 0 ? "" : " without a usable Min-Expires,");
		break;
	case SR_W_TIMEOUT:
		sr_result_fail(res, SR_W_TIMEOUT, "the server answered %d %s", status, phrase);
		break;
	default:
		if (e->retry_after >= 0) /* sr_eng_note_final() read it */
			sr_result_fail(res, SR_W_REJECTED, "%d %s (Retry-After %ld s)", status,
				       phrase, e->retry_after);
		else
			sr_result_fail(res, SR_W_REJECTED, "%d %s", status, phrase);
		break;
	}
}

/* The first request of the run (and a repeat after a 494): what it is
 * depends on the tool and mode. more: extra headers for this one only. */
void sr_eng_send_register(struct sr_eng *e, const char *more)
{
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	const char *bearer = e->bearer;
	char *extra = e->extra;

	if (more)
		extra =
		    extra ? su_sprintf(e->home, "%s\r\n%s", extra, more) : su_strdup(e->home, more);
	if (run->mode == SR_MODE_AUTHCHECK && run->method_options)
		nua_options(e->nh, NUTAG_URL(e->registrar),
			    TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			    TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
	else if (run->mode == SR_MODE_UNREGISTER && run->unreg_all && !more) {
		/* the run's first request, counted when the handle opened */
		sr_strv_add(&res->removed, "*");
		res->requests--;
		sr_eng_send_removal(e, "*");
	} else if (run->mode == SR_MODE_LIST || run->mode == SR_MODE_AUTHCHECK ||
		   run->mode == SR_MODE_UNREGISTER)
		nua_register(e->nh, NUTAG_REGISTRAR(e->registrar), SIPTAG_CONTACT(NULL),
			     TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			     TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
	else if (e->transient)
		sr_eng_register_transient(e, e->expires, extra);
	else
		nua_register(e->nh, NUTAG_REGISTRAR(e->registrar),
			     SIPTAG_CONTACT_STR(e->contact_hdr), SIPTAG_EXPIRES_STR(e->expires),
			     TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			     TAG_IF(e->call_id, SIPTAG_CALL_ID_STR(e->call_id)),
			     TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
}

/* Earlier bindings of our identity (a run before this one, a watch killed
 * with -9) in the list of a 2xx: "<uri>, <uri>" to remove, or NULL. */
static char *stale_bindings(struct sr_eng *e, sip_t const *sip, int *n)
{
	/* our identity at another URI: the one rule of bindings.c grades our
	 * own URI higher, so SR_BM_IDENTITY is exactly an earlier binding */
	struct sr_binding_self self = {
	    .contact = e->our_contact,
	    .identity_param = SR_ID_PARAM,
	    .identity = e->identity,
	};
	sip_contact_t const *m;
	char *list = NULL;

	*n = 0;
	if (!e->identity || !e->our_contact)
		return NULL;
	/* a registrar that rewrote our URI (NAT fix-up) lists the binding we
	 * just made under our identity too: which one is earlier is unknown */
	for (m = sip->sip_contact; m; m = m->m_next)
		if (sr_binding_match(e->scratch, m, &self) >= SR_BM_URI)
			break;
	if (!m)
		return NULL;
	for (m = sip->sip_contact; m; m = m->m_next) {
		if (sr_binding_match(e->scratch, m, &self) != SR_BM_IDENTITY)
			continue;
		list = su_sprintf(e->scratch, "%s%s<%s>", list ? list : "", list ? ", " : "",
				  url_as_string(e->scratch, m->m_url));
		(*n)++;
	}
	return list;
}

/* Remove them with a REGISTER of their own (Expires: 0) on a second
 * handle: a registrar that matches Contacts by URI alone kept them beside
 * our new one. Returns 1 when the removal is out. */
static int cleanup_start(struct sr_eng *e, sip_t const *sip)
{
	int n;
	char *list = stale_bindings(e, sip, &n);

	if (!list)
		return 0;
	e->cleanup_nh = nua_handle(e->stack->nua, (nua_hmagic_t *)e, SIPTAG_TO_STR(e->aor),
				   SIPTAG_FROM_STR(e->aor), TAG_END());
	if (!e->cleanup_nh)
		return 0;
	g_handles++;
	e->state = ST_CLEANING;
	e->answered = 0; /* a challenge to this request is answered afresh */
	e->n_answered_realms = 0;
	e->res->requests++;
	e->res->replaced = n; /* until the answer says otherwise */
	sr_debug(1, "-> REGISTER %s (Expires: 0, removing %d earlier binding%s of ours: %s)",
		 e->registrar, n, n == 1 ? "" : "s", list);
	nua_register(e->cleanup_nh, NUTAG_REGISTRAR(e->registrar), SIPTAG_CONTACT_STR(list),
		     SIPTAG_EXPIRES_STR("0"), TAG_IF(e->extra, SIPTAG_HEADER_STR(e->extra)),
		     TAG_END());
	return 1;
}

/* The answer to the removal: the registration stands either way; what
 * the registrar still lists of them was not replaced. */
static void cleanup_done(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	sr_debug(1, "<- %d %s", status, phrase);
	if (status < 200)
		return;
	if ((status == 401 || status == 407) && !sr_eng_is_local_response(sip)) {
		enum sr_word w = res->word;

		if (sr_eng_answer_challenge(e, e->cleanup_nh, status, sip, 0) == 0)
			return;
		/* our registration stands: only the removal failed */
		res->word = w;
		sr_setstr(&res->error, NULL);
	}
	if (status >= 200 && status < 300) {
		int left;

		stale_bindings(e, sip, &left);
		res->replaced -= left;
		/* what the registrar holds now */
		sr_result_clear_bindings(res);
		sr_eng_note_bindings(e, sip);
	} else {
		sr_strv_add(&res->warnings,
			    su_sprintf(e->scratch,
				       "%d earlier binding%s of ours not removed: %d %s",
				       res->replaced, res->replaced == 1 ? "" : "s", status,
				       phrase ? phrase : ""));
		res->replaced = 0;
	}
	sr_eng_drop_handle(&e->cleanup_nh);
	e->state = ST_DONE;
}

/* A provisional answer to our REGISTER: nua following a 423 or a stale
 * nonce itself, or re-sending without the credentials it could not file. */
static void on_provisional(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	if (status == 100 && phrase && strstr(phrase, "Expiration")) {
		/* nua follows 423 Min-Expires itself (docs/sofia-sip.md, "What can be
		 * relied on") */
		e->renegotiated++;
		res->requests++;
	} else if (status == 100 && phrase && strstr(phrase, "Cache")) {
		res->requests++;
		if (e->answered || e->ever_answered) {
			/* a stale nonce answered once more, or (the keeper's
			 * next request) a fresh challenge answered from the cache */
			e->reanswered++;
		} else if (sip && (sip->sip_status && (sip->sip_status->st_status == 401 ||
						       sip->sip_status->st_status == 407))) {
			/* nua re-sent without credentials: it could not file
			 * the challenge (no realm); do not wait for more. */
			sr_eng_answer_challenge(e, e->nh, sip->sip_status->st_status, sip, 1);
			if (res->word == SR_W_NONE)
				sr_result_fail(res, SR_W_PROTOCOL_ERROR,
					       "malformed challenge: nothing we can answer");
			sr_eng_note_final(e, sip->sip_status->st_status, sip->sip_status->st_phrase,
					  sip);
			e->state = ST_DONE;
		}
	}
}

/* Any answer to our REGISTER (nua_r_register, or nua_r_method for a
 * transient one): provisional, challenge, 2xx with its bindings, failure. */
static void on_register(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	if (res->t_first < 0 && !sr_eng_is_local_response(sip))
		res->t_first = sr_eng_ms_since(e);
	if (status >= 200 && sr_eng_is_local_response(sip)) {
		char why[400];

		local_failure(e, status, phrase, why, sizeof why);
		sr_debug(1, "<- no SIP response: %s", why);
	} else {
		sr_debug(1, "<- %d %s", status, phrase);
	}
	if (status < 200) {
		on_provisional(e, status, phrase, sip);
		return;
	}
	sr_eng_note_auth_used(e);
	if (status == 401 || status == 407) {
		if (!sr_eng_is_local_response(sip) &&
		    sr_eng_answer_challenge(e, e->nh, status, sip, 0) == 0)
			return;
		/* nua keeps the request waiting for credentials: the keeper sends
		 * again later on this handle, so let this one end (a 904 that
		 * sr_eng_on_event drops) */
		if (e->stack->shared && !e->transient && !sr_eng_is_local_response(sip)) {
			e->releasing = 1;
			nua_authenticate(e->nh, TAG_END());
		}
		if (!sr_eng_is_local_response(sip))
			sr_eng_note_final(e, status, phrase, sip);
		if (res->word == SR_W_NONE)
			fail_final(e, status, phrase, sip);
		e->state = ST_DONE;
		return;
	}
	if (status >= 200 && status < 300 && e->run->mode == SR_MODE_UNREGISTER) {
		sr_eng_on_unreg_2xx(e, status, phrase, sip);
		return;
	}
	if (status >= 200 && status < 300 && e->run->mode == SR_MODE_AUTHCHECK) {
		sr_eng_note_final(e, status, phrase, sip);
		sr_eng_note_bindings(e, sip);
		sr_eng_note_auth_used(e);
		/* a server that never challenged checked nothing of ours */
		if (e->answered || e->ever_answered || e->bearer)
			res->word = SR_W_CREDENTIALS_VALID;
		else
			sr_result_fail(res, SR_W_CREDENTIALS_UNCHECKED,
				       "the server accepted without any challenge: the credentials "
				       "were not checked");
		e->state = ST_DONE;
		return;
	}
	if (status >= 200 && status < 300) {
		sr_eng_note_final(e, status, phrase, sip);
		sr_eng_note_bindings(e, sip);
		sr_eng_note_auth_used(e);
		if (e->run->mode == SR_MODE_LIST) {
			res->word = SR_W_BINDINGS_LISTED;
			e->state = ST_DONE;
			return;
		}
		if (!sr_eng_bound(e, status)) {
			e->state = ST_DONE;
			return;
		}
		res->word = SR_W_REGISTERED;
		e->held = 1;
		if (e->run->mode == SR_MODE_REGISTER && cleanup_start(e, sip))
			return;
		if (e->run->mode == SR_MODE_PROBE) {
			e->state = ST_UNREGISTERING;
			res->unreg_tried = true;
			res->requests++;
			sr_debug(1, "-> REGISTER %s (Expires: 0, removing our binding)",
				 e->registrar);
			nua_unregister(e->nh, TAG_END());
			return;
		}
		e->state = ST_DONE;
		return;
	}
	if (status == 439 && e->reg->support_outbound && !e->outbound_dropped &&
	    !sr_eng_is_local_response(sip) && e->run->mode != SR_MODE_LIST) {
		/* RFC 5626 4.2.1: the first hop keeps no flows; register again
		 * without reg-id, as a client without outbound would */
		e->outbound_dropped = 1;
		sr_eng_note_final(e, status, phrase, sip);
		sr_setstr(&res->outbound_dropped, su_sprintf(e->scratch, "%d %s", status, phrase));
		if (sr_contact_build(e) < 0) {
			sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot build our Contact again");
			e->state = ST_DONE;
			return;
		}
		res->requests++;
		sr_debug(1, "-> REGISTER again without outbound (no reg-id) after %d %s", status,
			 phrase);
		sr_eng_send_register(e, NULL);
		return;
	}
	if (status == 494 && e->mediasec && !e->sec_retried && !sr_eng_is_local_response(sip)) {
		/* Security Agreement Required: once more at once, with Security-Verify */
		const char *verify = sr_eng_security_verify(e, sip);

		e->sec_retried = 1;
		sr_eng_note_final(e, status, phrase, sip);
		/* the same Call-ID, as for every REGISTER of one registration */
		if (sip->sip_call_id)
			e->call_id = su_strdup(e->home, sip->sip_call_id->i_id);
		res->requests++;
		sr_debug(1, "-> REGISTER again with Security-Verify after 494");
		sr_eng_send_register(e, verify);
		return;
	}
	fail_final(e, status, phrase, sip);
	e->state = ST_DONE;
}

void sr_eng_clear_bindings(struct sr_result *res)
{
	sr_result_clear_bindings(res);
	sr_strv_free(&res->service_route);
	sr_strv_free(&res->path);
}

/* The stack refreshed on its own: record the outcome for the keeper. */
static void on_refresh(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	res->requests++;
	res->t0_refresh = 1;
	sr_setstr(&res->error, NULL);
	e->retry_after = sr_retry_after_of(sip);
	if (status >= 200 && status < 300) {
		sr_eng_clear_bindings(res);
		res->expires_granted = -1;
		sr_eng_note_final(e, status, phrase, sip);
		sr_eng_note_bindings(e, sip);
		if (sr_eng_bound(e, status))
			res->word = SR_W_REGISTERED;
	} else {
		fail_final(e, status, phrase, sip);
	}
	e->hooks.refresh(e->hooks.arg, status);
}

/* The stack's own events: its parameters (our default Contact) and the
 * end of a shutdown. */
static sr_eng_call_fn *g_call_fn;
static void *g_call_arg;

void sr_eng_on_calls(sr_eng_call_fn *fn, void *arg)
{
	g_call_fn = fn;
	g_call_arg = arg;
}

/* A request to our Contact (a call to the AOR we registered): we take no
 * calls. 480 tells a forking proxy to prefer its other branches, where a
 * 403 could become the call's final answer. OPTIONS (a registrar's
 * qualify) is answered 200 by the stack itself. */
static void on_incoming(nua_handle_t *nh, sip_t const *sip)
{
	char *ruri = NULL, *from = NULL;
	su_home_t home[1] = {SU_HOME_INIT(home)};

	nua_respond(nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
	if (sip && sip->sip_request)
		ruri = url_as_string(home, sip->sip_request->rq_url);
	if (sip && sip->sip_from)
		from = url_as_string(home, sip->sip_from->a_url);
	sr_debug(1, "<- %s from %s to %s: answered 480 (we take no calls)",
		 sip && sip->sip_request ? sip->sip_request->rq_method_name : "request",
		 from ? from : "?", ruri ? ruri : "?");
	if (g_call_fn)
		g_call_fn(g_call_arg,
			  sip && sip->sip_request ? sip->sip_request->rq_method_name : "?", ruri,
			  from);
	su_home_deinit(home);
}

/* Events of the stack itself, not of a registration: incoming calls,
 * the stack's parameters read, its shutdown. */
static void on_stack_event(struct sr_stack *st, nua_event_t event, int status, nua_handle_t *nh,
			   sip_t const *sip, tagi_t tags[])
{
	if (event == nua_i_invite) {
		on_incoming(nh, sip);
		return;
	}
	/* the incoming call's handle ends with its transaction */
	if (event == nua_i_state && nh) {
		int cs = -1;

		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated)
			nua_handle_destroy(nh);
		return;
	}
	if (event == nua_r_get_params) {
		tagi_t const *ti = tl_find(tags, ntatag_contact);
		sip_contact_t const *m = ti ? (sip_contact_t const *)ti->t_value : NULL;

		if (m && m->m_url->url_host)
			st->default_contact = url_hdup(st->home, m->m_url);
		st->ready = 1;
	} else if (event == nua_r_shutdown && status >= 200) {
		st->shutdown_done = 1;
	}
}

/* nua's one callback: an event goes to its registration (the handle's
 * magic) or, without one, to the stack. */
void sr_eng_on_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
		     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		     tagi_t tags[])
{
	struct sr_eng *e = (struct sr_eng *)hmagic;

	(void)nua;
	if (!e) {
		on_stack_event((struct sr_stack *)magic, event, status, nh, sip, tags);
		return;
	}
	if (event == nua_r_method) /* a transient registration's REGISTER */
		event = e->state == ST_UNREGISTERING ? nua_r_unregister : nua_r_register;
	switch (event) {
	case nua_r_register:
	case nua_r_options:
		if (e->releasing && status >= 900) {
			e->releasing = 0;
			return;
		}
		if (e->state == ST_CLEANING && nh == e->cleanup_nh)
			cleanup_done(e, status, phrase, sip);
		else if (e->state == ST_REGISTERING)
			on_register(e, status, phrase, sip);
		else if (e->state == ST_DONE && e->hooks.refresh && status >= 200)
			on_refresh(e, status, phrase, sip);
		break;
	case nua_r_unregister:
		if (e->state == ST_UNREGISTERING)
			sr_eng_on_unregister(e, status, phrase, sip);
		break;
	default:
		break;
	}
	/* what the event needed goes now: a keeper's registration answers
	 * thousands of times */
	su_home_deinit(e->scratch);
	su_home_init(e->scratch);
	/* a transient registration's exchange is over: its handle goes (no
	 * usage, so nothing is sent) */
	if (e->transient && nh == e->nh && status >= 200 &&
	    (e->state == ST_DONE || e->state == ST_CLEANING))
		sr_eng_drop_handle(&e->nh);
	if (e->hooks.done && e->state == ST_DONE && !e->done_fired &&
	    (event == nua_r_register || event == nua_r_unregister || event == nua_r_options)) {
		e->done_fired = 1;
		e->hooks.done(e->hooks.arg);
		/* a binding made over a connection that has ended since */
		if (e->flow_ended && e->held && e->hooks.lost) {
			e->flow_ended = 0;
			e->hooks.lost(e->hooks.arg);
		}
	}
}

/* The tunnel of a tls, ws or wss registration; nua sends to its port. */
static int tunnel_get(struct sr_eng *e)
{
	const struct sr_reg *reg = e->reg;
	struct sr_target *t = e->t;
	struct sr_tunnel_params p = {
	    .tp = t->tp,
	    .connect_host = t->connect_ip[0] ? t->connect_ip : t->verify_host,
	    .port = t->port,
	    .family = t->family,
	    .local_ip = t->local_ip,
	    .server_name = reg->tls_server_name ? reg->tls_server_name : t->verify_host,
	    .ws_host = t->ws_host,
	    .ws_path = t->ws_path,
	    .ca_file = reg->tls_ca_file,
	    .ca_dir = reg->tls_ca_dir,
	    .cert = reg->tls_cert,
	    .key = reg->tls_key,
	    .verify = reg->tls_verify,
	    .srv = t->srv,
	};
	char err[600];
	enum sr_word w;

	e->tunnel = sr_tunnel_get(&p, &w, err, sizeof err);
	if (!e->tunnel) {
		sr_result_fail(e->res, w, "%s", err);
		return -1;
	}
	snprintf(t->proxy, sizeof t->proxy, "sip:127.0.0.1:%u;transport=tcp",
		 sr_tunnel_port(e->tunnel));
	return 0;
}

/* The tunnel's connection made before the first REGISTER (TLS and
 * WebSocket handshakes), so that a failure there has its own words. */
int sr_eng_tunnel_up(struct sr_eng *e, double deadline)
{
	char err[600];
	enum sr_word w;

	if (!e->tunnel)
		return 0;
	w = sr_tunnel_warm(e->tunnel, e->stack->root, deadline, err, sizeof err);
	sr_eng_note_cert(e);
	if (w == SR_W_NONE)
		return 0;
	sr_result_fail(e->res, w, "%s", err);
	return -1;
}

/* Everything before the stack: target, digest policy, TLS check, the
 * digest plugin. 0, or -1 with the result set (rc_internal: 1 when the
 * failure is ours, not the settings'). */
int sr_eng_prepare(struct sr_eng *e, double deadline, int *rc_internal)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	char err[600] = "";
	enum sr_word w;
	int rc = 0;

	e->t = su_zalloc(e->home, sizeof *e->t);
	if (!e->t) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "out of memory");
		goto fail;
	}
	w = sr_target_build(reg, e->t, err, sizeof err);
	e->aor = e->t->aor;
	e->aor_user = e->t->aor_user;
	e->registrar = e->t->registrar;
	e->host = e->t->host;
	e->tp = e->t->tp;
	sr_setstr(&res->aor, e->aor[0] ? e->aor : reg->client_uri);
	sr_setstr(&res->registrar, e->registrar[0] ? e->registrar : NULL);
	if (e->tp != SR_TP_AUTO)
		res->transport = e->tp;
	if (w != SR_W_NONE) {
		sr_result_fail(res, w, "%s", err);
		goto fail;
	}
	if (run->mode == SR_MODE_REGISTER || run->mode == SR_MODE_PROBE)
		res->expires_requested = reg->expiration;
	/* validated with the settings (sr_reg_validate, the option table) */
	sr_digest_policy_default(&e->policy);
	if (reg->digest_algorithms)
		sr_digest_parse_prefs(reg->digest_algorithms, &e->policy, err, sizeof err);
	if (reg->min_digest)
		e->policy.min = sr_digest_alg_parse(reg->min_digest, NULL);

	if (e->t->tunneled && tunnel_get(e) < 0)
		goto fail;

	if (!g_su_ready) {
		if (su_init() != 0) {
			sr_result_fail(res, SR_W_INTERNAL_ERROR, "su_init failed");
			rc = -1;
			goto fail;
		}
		g_su_ready = 1;
	}
	if (sr_digest_install() < 0) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot install the digest plugin");
		rc = -1;
		goto fail;
	}
	{
		struct sr_digest_used u;

		sr_digest_last_used(&u);
		e->plugin_answers0 = u.answers;
	}
	(void)deadline;
	return 0;
fail:
	*rc_internal = rc;
	return -1;
}

/* A transient registration's REGISTER of our Contact (expires "0": its
 * removal). No registration usage: nua neither refreshes it nor removes it
 * when the handle goes. The same Call-ID every time; the CSeq comes from
 * the stack's one counter (higher every request). */
void sr_eng_register_transient(struct sr_eng *e, const char *expires, const char *extra)
{
	nua_method(sr_eng_handle(e), NUTAG_METHOD("REGISTER"), NUTAG_URL(e->registrar),
		   NUTAG_DIALOG(0), SIPTAG_CONTACT_STR(e->contact_hdr), SIPTAG_EXPIRES_STR(expires),
		   TAG_IF(e->bearer, SIPTAG_AUTHORIZATION_STR(e->bearer)),
		   SIPTAG_CALL_ID_STR(e->call_id), TAG_IF(extra, SIPTAG_HEADER_STR(extra)),
		   TAG_END());
}

nua_handle_t *sr_eng_handle(struct sr_eng *e)
{
	if (!e->nh) {
		e->nh = nua_handle(e->stack->nua, (nua_hmagic_t *)e, SIPTAG_TO_STR(e->who),
				   SIPTAG_FROM_STR(e->who), TAG_END());
		g_handles += e->nh != NULL;
	}
	return e->nh;
}

void sr_eng_drop_handle(nua_handle_t **nh)
{
	if (!*nh)
		return;
	nua_handle_destroy(*nh);
	*nh = NULL;
	g_handles--;
}

unsigned long sr_eng_handles(void)
{
	return g_handles;
}

/* Our Contact, the local address, the handle and the header set of e. */
int sr_eng_open_handle(struct sr_eng *e)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	char *bearer = NULL, *extra = NULL;

	if ((run->mode == SR_MODE_REGISTER || run->mode == SR_MODE_PROBE) &&
	    sr_contact_build(e) < 0) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "the SIP stack gave no local address");
		return -1;
	}
	if (e->tunnel && sr_tunnel_local(e->tunnel)) {
		sr_setstr(&res->local_address, sr_tunnel_local(e->tunnel));
	} else if (e->stack->default_contact && e->stack->default_contact->url_host) {
		char buf[160];
		const char *h = e->stack->default_contact->url_host;

		snprintf(
		    buf, sizeof buf, "%s%s%s", h, e->stack->default_contact->url_port ? ":" : "",
		    e->stack->default_contact->url_port ? e->stack->default_contact->url_port : "");
		sr_setstr(&res->local_address, buf);
	}

	{
		const char *who = e->aor;

		if (reg->display_name) {
			char *q = su_alloc(e->home, 2 * strlen(reg->display_name) + 1), *d = q;
			const char *p;

			for (p = reg->display_name; q && *p; p++) {
				if (*p == '"' || *p == '\\')
					*d++ = '\\';
				*d++ = *p;
			}
			if (q)
				*d = '\0';
			who = su_sprintf(e->home, "\"%s\" <%s>", q ? q : "", e->aor);
		}
		e->who = su_strdup(e->home, who);
		if (e->who && !e->transient)
			sr_eng_handle(e);
	}
	if (reg->extra_headers.n) {
		size_t i;

		extra = su_strdup(e->home, "");
		for (i = 0; extra && i < reg->extra_headers.n; i++)
			extra = su_sprintf(e->home, "%s%s%s", extra, i ? "\r\n" : "",
					   reg->extra_headers.v[i]);
	}
	if (reg->security_negotiation && !strcmp(reg->security_negotiation, "mediasec")) {
		/* RFC 3329 as Asterisk sends it: one Security-Client per mechanism */
		size_t i;

		e->mediasec = su_strdup(e->home, "Require: mediasec\r\nProxy-Require: mediasec");
		for (i = 0; i < reg->security_mechanisms.n; i++)
			e->mediasec = su_sprintf(e->home, "%s\r\nSecurity-Client: %s", e->mediasec,
						 reg->security_mechanisms.v[i]);
		extra = extra ? su_sprintf(e->home, "%s\r\n%s", extra, e->mediasec) : e->mediasec;
	}
	if (!e->who || (!e->nh && !e->transient)) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot create a handle");
		return -1;
	}
	snprintf(e->expires, sizeof e->expires, "%u", reg->expiration);
	res->requests = 1;
	if (!(run->mode == SR_MODE_UNREGISTER && run->unreg_all))
		sr_debug(1, "-> %s %s for %s%s%s",
			 run->mode == SR_MODE_AUTHCHECK && run->method_options ? "OPTIONS"
									       : "REGISTER",
			 e->registrar, e->aor,
			 res->contact	       ? " contact "
			 : run->method_options ? ""
					       : " (no Contact)",
			 res->contact ? res->contact : "");
	e->state = ST_REGISTERING;
	if (reg->bearer_token)
		bearer = su_sprintf(e->home, "Bearer %s", reg->bearer_token);
	e->extra = extra;
	e->bearer = bearer;
	return 0;
}

void sr_engine_exit(int code)
{
	sr_digest_forget_all();	      /* wipes the credentials the plugin answered with */
	sr_hep_close(sr_now() + 1.0); /* what was captured reaches the collector */
	fflush(stdout);
	fflush(stderr);
	if (g_hard_exit)
		_exit(code);
	if (g_su_ready)
		su_deinit();
	exit(code);
}
