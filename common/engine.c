#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <sofia-sip/su_config.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "bindings.h"
#include "challenge.h"
#include "digest.h"
#include "engine.h"
#include "engine_int.h"
#include "keeper.h"
#include "log.h"
#include "target.h"
#include "tlscheck.h"
#include "util.h"

/* nta marks the responses it makes up itself (timeouts, transport and DNS
 * errors) with this flag; it is not in the public headers. */
#define SR_NTA_INTERNAL_MSG (1 << 15)

static int g_hard_exit; /* a stack was left running to keep its binding */

void sr_eng_exit_hard(void)
{
	g_hard_exit = 1;
}
static int g_su_ready;

static long ms_since(const struct eng *e)
{
	return (long)((sr_now() - e->t0) * 1000 + 0.5);
}

/* A Retry-After in seconds, -1 when none; beyond a day is taken as a day
 * (a registrar asking for more is not waited on for years). */
static long retry_after_of(sip_t const *sip)
{
	unsigned long v;

	if (!sip || !sip->sip_retry_after)
		return -1;
	v = (unsigned long)sip->sip_retry_after->af_delta;
	return v > 86400 ? 86400 : (long)v;
}

static int is_local_response(sip_t const *sip)
{
	return !sip || (sip->sip_flags & SR_NTA_INTERNAL_MSG);
}

/* Record what a 401/407 offered: every challenge, for the report. */
static void note_challenges(struct eng *e, msg_auth_t const *au)
{
	for (; au; au = au->au_next) {
		char *realm = sr_auth_param(e->home, au->au_params, "realm=");
		char *alg = sr_auth_param(e->home, au->au_params, "algorithm=");
		char *qop = sr_auth_param(e->home, au->au_params, "qop=");

		sr_result_add_offer(e->res, au->au_scheme, realm, alg, qop,
				    sr_auth_param_is(au->au_params, "stale=", "true"));
	}
}

/* mediasec: the server's Security-Server values as our Security-Verify. */
static const char *security_verify(struct eng *e, sip_t const *sip)
{
	sip_security_server_t const *ss;
	char *out = NULL;

	if (!e->mediasec || !sip)
		return NULL;
	for (ss = sip->sip_security_server; ss; ss = ss->sa_next) {
		sip_security_server_t copy = *ss;
		char *v;

		copy.sa_next = NULL;
		v = sip_header_as_string(e->home, (sip_header_t const *)&copy);
		if (!v)
			continue;
		out = su_sprintf(e->home, "%s%sSecurity-Verify: %s", out ? out : "", out ? "\r\n" : "",
				 v);
	}
	return out;
}

/* Nonces seen: the same nonce challenged again after our answer. */
static void note_nonces(struct eng *e, msg_auth_t const *au)
{
	for (; au; au = au->au_next) {
		const char *nonce = msg_params_find(au->au_params, "nonce=");

		if (!nonce)
			continue;
		if (e->first_nonce && !strcmp(e->first_nonce, nonce) && e->answered)
			e->nonce_reused = 1;
		if (!e->first_nonce)
			e->first_nonce = su_strdup(e->home, nonce);
	}
}

/* Our credentials, filed with the digest plugin under a key of ours (the
 * keeper answers many times: one key per registration). NULL when full. */
static const char *file_credentials(struct eng *e, const char *user,
				    const struct sr_digest_policy *policy)
{
	struct sr_digest_cred c = {
		.username = (char *)user,
		.password = e->reg->password,
		.ha1 = e->reg->ha1,
		.policy = *policy,
	};
	const char *key = sr_digest_register(&c);

	if (key && e->cred_key) {
		sr_digest_forget(e->cred_key);
		e->cred_key = NULL;
	}
	if (key)
		e->cred_key = su_strdup(e->home, key);
	return key;
}

/* Answer a 401/407 as sr_challenge_plan() decides. Returns 0 after
 * nua_authenticate(), or sets the result and returns -1. dry: nua went
 * ahead without us (a challenge it could not file): report only. */
static int answer_challenge(struct eng *e, int status, sip_t const *sip, int dry)
{
	const struct sr_reg *r = e->reg;
	struct sr_challenge_creds creds = {
		.user = r->username ? r->username : e->aor_user,
		.password = r->password,
		.ha1 = r->ha1,
		.bearer_token = r->bearer_token,
		.realm_pin = r->realm,
		.policy = e->policy,
		.answered = e->answered,
	};
	struct sr_challenge_plan plan;
	const struct sr_offer *first = &plan.chosen[0];
	char cred[SR_MAX_REALMS][600];
	const char *key, *verify;
	size_t k;

	note_challenges(e, sip->sip_www_authenticate);
	note_challenges(e, sip->sip_proxy_authenticate);
	note_nonces(e, sip->sip_www_authenticate);
	note_nonces(e, sip->sip_proxy_authenticate);
	if (sr_challenge_plan(e->home, status, sip->sip_www_authenticate,
			      sip->sip_proxy_authenticate, &creds, &plan) < 0) {
		sr_result_fail(e->res, plan.word, "%s", plan.error);
		return -1;
	}
	sr_setstr(&e->res->auth_scheme, "Digest");
	sr_setstr(&e->res->auth_realm, first->realm);
	sr_setstr(&e->res->auth_algorithm, first->algorithm ? first->algorithm : "MD5");
	sr_setstr(&e->res->auth_qop, !first->qop ? NULL
				     : sr_digest_qop_has(first->qop, "auth") ? "auth"
									      : "auth-int");
	if (dry) {
		sr_result_fail(e->res, SR_W_PROTOCOL_ERROR, "malformed challenge: %s",
			       plan.bad_realm ? "a Digest challenge without a realm"
					      : "nothing usable");
		return -1;
	}
	key = file_credentials(e, creds.user, &plan.policy);
	if (!key) {
		sr_result_fail(e->res, SR_W_INTERNAL_ERROR, "too many credentials");
		return -1;
	}
	for (k = 0; k < plan.nrealms; k++)
		snprintf(cred[k], sizeof cred[k], "Digest:%s:%s:%s", plan.raw_realms[k], key, key);
	e->answered++;
	e->ever_answered = 1;
	e->res->requests++;
	sr_debug(1, "-> %s again, answering %d %s for realm \"%s\" as \"%s\" with %s",
		 e->run->mode == SR_MODE_AUTHCHECK && e->run->method_options ? "OPTIONS" : "REGISTER",
		 status, sip->sip_status->st_phrase, e->res->auth_realm, creds.user,
		 e->res->auth_algorithm);
	verify = security_verify(e, sip);
	nua_authenticate(e->nh, NUTAG_AUTH(cred[0]), TAG_IF(plan.nrealms > 1, NUTAG_AUTH(cred[1])),
			 TAG_IF(plan.nrealms > 2, NUTAG_AUTH(cred[2])),
			 TAG_IF(plan.nrealms > 3, NUTAG_AUTH(cred[3])),
			 TAG_IF(verify, SIPTAG_HEADER_STR(verify)), TAG_END());
	return 0;
}

static void note_final(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	res->status = status;
	sr_setstr(&res->reason, phrase);
	res->t_final = ms_since(e);
	e->retry_after = retry_after_of(sip);
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
 * shorter than our interval wins (80-100 % of it); a registrar that did not
 * take the registration as a flow (no Require: outbound) owes no pongs, so
 * the stack stops waiting for them rather than closing live connections.
 * A connection's timer was set before this answer: the new interval starts
 * after its next keep-alive. */
static void tune_flow(struct eng *e)
{
	struct eng *g = e->stack;
	const struct sr_result *res = e->res;

	if (!g || !g->ka_ms || !res)
		return;
	if (!res->outbound && g->pong_ms) {
		g->pong_ms = 0;
		nua_set_params(g->nua, TPTAG_PINGPONG(0), TAG_END());
		sr_debug(1, "the registrar did not answer Require: outbound: keep-alive pongs are not "
			    "expected");
	}
	if (res->flow_timer > 0 && (double)res->flow_timer * 1000 < g->ka_ms) {
		g->ka_ms = (unsigned)(res->flow_timer * 1000.0 * (0.8 + 0.2 * sr_rand01()));
		nua_set_params(g->nua, TPTAG_KEEPALIVE(g->ka_ms), TAG_END());
		sr_debug(1, "Flow-Timer %ld: keep-alives every %.1f s", res->flow_timer,
			 g->ka_ms / 1000.0);
	}
}

static void note_bindings(struct eng *e, sip_t const *sip)
{
	struct sr_result *res = e->res;
	sip_contact_t const *m;
	size_t n = 0, i;
	long header_exp = sip->sip_expires ? (long)sip->sip_expires->ex_delta : -1;
	int own_found = 0;

	for (m = sip->sip_contact; m; m = m->m_next)
		n++;
	res->bindings = calloc(n ? n : 1, sizeof *res->bindings);
	if (!res->bindings)
		return;
	for (m = sip->sip_contact, i = 0; m; m = m->m_next, i++) {
		struct sr_binding *b = &res->bindings[i];
		char *uri = url_as_string(e->home, m->m_url);

		b->uri = strdup(uri ? uri : "");
		b->expires = m->m_expires ? strtol(m->m_expires, NULL, 10) : header_exp;
		b->q = m->m_q ? strdup(m->m_q) : NULL;
		{
			char *inst = sr_contact_param(e->home, m, "+sip.instance=");
			char *rid = sr_auth_param(e->home, m->m_params, "reg-id=");

			b->instance = inst ? strdup(inst) : NULL;
			b->reg_id = rid ? strdup(rid) : NULL;
		}
	}
	res->n_bindings = n;
	if (e->our_contact) {
		/* a registrar may rewrite params, or the address: then our
		 * +sip.instance (and reg-id), or our user at the address the
		 * server saw us from (received/rport) */
		struct sr_binding_self self = {
			.contact = e->our_contact,
			.instance = e->instance,
			.reg_id = e->reg->support_outbound ? "1" : NULL,
			.user = e->our_contact->url_user,
			.address = res->received,
		};
		int at = sr_binding_find(e->home, sip->sip_contact, &self);

		if (at >= 0) {
			res->bindings[at].own = true;
			own_found = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (res->bindings[i].own) {
			sip_contact_t const *mm = sip->sip_contact;
			size_t k;

			for (k = 0; k < i; k++)
				mm = mm->m_next;
			res->expires_granted = res->bindings[i].expires;
			sr_setstr(&res->gruu_pub, sr_contact_param(e->home, mm, "pub-gruu="));
			sr_setstr(&res->gruu_temp, sr_contact_param(e->home, mm, "temp-gruu="));
			break;
		}
	}
	/* No binding matched ours: the shortest grant is the safe guess, as
	 * one of them is ours under another name (SOFIA-NOTES 5). */
	if ((res->mode == SR_MODE_REGISTER || res->mode == SR_MODE_PROBE) && res->expires_granted < 0 &&
	    !own_found && n > 0) {
		for (i = 0; i < n; i++)
			if (res->bindings[i].expires >= 0 &&
			    (res->expires_granted < 0 || res->bindings[i].expires < res->expires_granted))
				res->expires_granted = res->bindings[i].expires;
	}
	if ((res->mode == SR_MODE_REGISTER || res->mode == SR_MODE_PROBE) && res->expires_granted < 0)
		res->expires_granted = header_exp >= 0 ? header_exp : res->expires_requested;
	note_outbound(res, sip);
	tune_flow(e);
	{
		sip_route_t const *r;

		for (r = sip->sip_service_route; r; r = r->r_next) {
			sip_route_t copy = *r;
			char *s;

			copy.r_next = NULL;
			s = sip_header_as_string(e->home, (sip_header_t const *)&copy);
			sr_strv_add(&res->service_route, s);
		}
		for (r = sip->sip_path; r; r = r->r_next) {
			sip_route_t copy = *r;
			char *s;

			copy.r_next = NULL;
			s = sip_header_as_string(e->home, (sip_header_t const *)&copy);
			sr_strv_add(&res->path, s);
		}
	}
}

/* The result word for a final answer that was not a 2xx. */
static void fail_final(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	if (is_local_response(sip)) {
		/* Made up by the stack: not a server's answer. */
		res->status = 0;
		if (status == 408)
			sr_result_fail(res, SR_W_TIMEOUT, "no response from %s within the timeout",
				       e->registrar);
		else if (phrase && strstr(phrase, "DNS"))
			sr_result_fail(res, SR_W_DNS_ERROR, "cannot resolve %s (%s)", e->host, phrase);
		else if (status >= 900)
			sr_result_fail(res, SR_W_INTERNAL_ERROR, "stack error %d %s", status, phrase);
		else
			sr_result_fail(res, e->tp == SR_TP_TLS ? SR_W_TLS_ERROR : SR_W_TRANSPORT_ERROR,
				       "cannot send to %s over %s (%d %s)", e->registrar,
				       sr_transport_name(e->tp), status, phrase);
		return;
	}
	note_final(e, status, phrase, sip);
	switch (sr_word_for_status(status)) {
	case SR_W_AUTH_FAILED:
		sr_result_fail(res, SR_W_AUTH_FAILED, "credentials refused (%d %s)", status, phrase);
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
		if (e->retry_after >= 0) /* note_final() read it */
			sr_result_fail(res, SR_W_REJECTED, "%d %s (Retry-After %ld s)", status, phrase,
				       e->retry_after);
		else
			sr_result_fail(res, SR_W_REJECTED, "%d %s", status, phrase);
		break;
	}
}

/* What was really sent: the plugin's last answer, or our Bearer token. */
static void note_auth_used(struct eng *e)
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

/* The Contact this host would register: contact_uri, else instance_id,
 * else contact_user at our address (any port: sipreg's ports change). */
/* sipunreg without --contact: the bindings it removes as ours. */
static int binding_is_ours(struct eng *e, sip_contact_t const *m)
{
	const struct sr_reg *r = e->reg;
	struct sr_binding_self self = {0};

	if (r->contact_uri) {
		self.contact = url_make(e->home, r->contact_uri);
		if (!self.contact)
			return 0;
	} else if (r->instance_id) {
		self.instance = r->instance_id;
	} else {
		self.user = r->contact_user ? r->contact_user : e->aor_user;
		self.address = e->default_contact ? e->default_contact->url_host : NULL;
		self.any_port = 1;
	}
	return sr_binding_match(e->home, m, &self) != SR_BM_NONE;
}

static void send_removal(struct eng *e, const char *contacts)
{
	e->removing = 1;
	e->res->requests++;
	sr_debug(1, "-> REGISTER %s (Expires: 0, removing %s)", e->registrar, contacts);
	nua_register(e->nh, NUTAG_REGISTRAR(e->registrar), SIPTAG_CONTACT_STR(contacts),
		     SIPTAG_EXPIRES_STR("0"), TAG_IF(e->extra, SIPTAG_HEADER_STR(e->extra)), TAG_END());
}

/* sipunreg: a 2xx to the listing (pick ours, remove them) or to the removal
 * (check that they are gone). */
static void on_unreg_2xx(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;
	sip_contact_t const *m;
	size_t i;

	note_final(e, status, phrase, sip);
	note_auth_used(e);
	if (!e->removing) {
		char *list = NULL;

		for (m = sip->sip_contact; m; m = m->m_next) {
			char *uri;

			if (!binding_is_ours(e, m))
				continue;
			uri = url_as_string(e->home, m->m_url);
			sr_strv_add(&res->removed, uri);
			list = su_sprintf(e->home, "%s%s<%s>", list ? list : "", list ? ", " : "", uri);
		}
		if (!list) {
			note_bindings(e, sip);
			res->word = SR_W_UNREGISTERED;
			sr_debug(1, "none of the %zu bindings is ours: nothing to remove", res->n_bindings);
			e->state = ST_DONE;
			return;
		}
		send_removal(e, list);
		return;
	}
	/* what the registrar still holds */
	sr_result_clear_bindings(res);
	note_bindings(e, sip);
	res->expires_granted = -1;
	for (i = 0; i < res->removed.n; i++) {
		url_t *u = url_make(e->home, res->removed.v[i]);

		for (m = sip->sip_contact; m; m = m->m_next) {
			if (!strcmp(res->removed.v[i], "*") || (u && url_cmp(m->m_url, u) == 0)) {
				sr_result_fail(res, SR_W_REJECTED,
					       "the registrar still holds %s after the removal",
					       url_as_string(e->home, m->m_url));
				e->state = ST_DONE;
				return;
			}
		}
	}
	res->word = SR_W_UNREGISTERED;
	e->state = ST_DONE;
}

/* sipauthcheck: what the server does that it should not. */
static void authcheck_warnings(struct eng *e, int status)
{
	struct sr_result *res = e->res;
	size_t i;
	int md5_only = res->n_auth_offered > 0;

	if (status >= 200 && status < 300 && !e->answered && !e->reg->bearer_token)
		sr_strv_add(&res->warnings, "the server accepted without any challenge: the "
					    "credentials were not checked");
	for (i = 0; i < res->n_auth_offered; i++) {
		const char *a = res->auth_offered[i].algorithm;

		if (res->auth_offered[i].scheme && strcasecmp(res->auth_offered[i].scheme, "Digest"))
			continue;
		if (a && strncasecmp(a, "MD5", 3))
			md5_only = 0;
	}
	if (md5_only && e->tp != SR_TP_TLS) {
		char buf[160];

		snprintf(buf, sizeof buf, "the server offers only MD5 digest over %s: the exchange "
					  "can be attacked offline",
			 sr_transport_name(e->tp));
		sr_strv_add(&res->warnings, buf);
	}
	if (e->nonce_reused)
		sr_strv_add(&res->warnings, "the server reused a nonce in a new challenge");
	if (e->answered && (status == 403 || status == 404)) {
		char buf[200];

		snprintf(buf, sizeof buf, "the server answered our credentials with %d instead of a "
					  "new challenge: it may tell users and passwords apart "
					  "(user enumeration)",
			 status);
		sr_strv_add(&res->warnings, buf);
	}
}

/* The first request of the run (and a repeat after a 494): what it is
 * depends on the tool and mode. more: extra headers for this one only. */
void sr_eng_send_register(struct eng *e, const char *more)
{
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	const char *bearer = e->bearer;
	char *extra = e->extra;

	if (more)
		extra = extra ? su_sprintf(e->home, "%s\r\n%s", extra, more) : su_strdup(e->home, more);
	if (run->mode == SR_MODE_AUTHCHECK && run->method_options)
		nua_options(e->nh, NUTAG_URL(e->registrar),
			    TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			    TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
	else if (run->mode == SR_MODE_UNREGISTER && run->unreg_all && !more) {
		sr_strv_add(&res->removed, "*");
		send_removal(e, "*");
	} else if (run->mode == SR_MODE_UNREGISTER && run->contacts.n && !more) {
		char *list = NULL;
		size_t i;

		for (i = 0; i < run->contacts.n; i++) {
			sr_strv_add(&res->removed, run->contacts.v[i]);
			list = su_sprintf(e->home, "%s%s<%s>", list ? list : "", list ? ", " : "",
					  run->contacts.v[i]);
		}
		send_removal(e, list);
	} else if (run->mode == SR_MODE_LIST || run->mode == SR_MODE_AUTHCHECK ||
		   run->mode == SR_MODE_UNREGISTER)
		nua_register(e->nh, NUTAG_REGISTRAR(e->registrar), SIPTAG_CONTACT(NULL),
			     TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			     TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
	else
		nua_register(e->nh, NUTAG_REGISTRAR(e->registrar),
			     SIPTAG_CONTACT_STR(e->contact_hdr), SIPTAG_EXPIRES_STR(e->expires),
			     TAG_IF(bearer, SIPTAG_AUTHORIZATION_STR(bearer)),
			     TAG_IF(e->call_id, SIPTAG_CALL_ID_STR(e->call_id)),
			     TAG_IF(extra, SIPTAG_HEADER_STR(extra)), TAG_END());
}

static void on_register(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	if (res->t_first < 0)
		res->t_first = ms_since(e);
	sr_debug(1, "<- %d %s", status, phrase);
	if (status < 200) {
		if (status == 100 && phrase && strstr(phrase, "Expiration")) {
			/* nua follows 423 Min-Expires itself (SOFIA-NOTES, "Works") */
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
				answer_challenge(e, sip->sip_status->st_status, sip, 1);
				if (res->word == SR_W_NONE)
					sr_result_fail(res, SR_W_PROTOCOL_ERROR,
						       "malformed challenge: nothing we can answer");
				note_final(e, sip->sip_status->st_status, sip->sip_status->st_phrase, sip);
				e->state = ST_DONE;
			}
		}
		return;
	}
	note_auth_used(e);
	if (status == 401 || status == 407) {
		if (!is_local_response(sip) && answer_challenge(e, status, sip, 0) == 0)
			return;
		/* nua keeps the request waiting for credentials: the keeper sends
		 * again later on this handle, so let this one end (a 904 that
		 * sr_eng_on_event drops) */
		if (e->shared && !is_local_response(sip)) {
			e->releasing = 1;
			nua_authenticate(e->nh, TAG_END());
		}
		if (!is_local_response(sip))
			note_final(e, status, phrase, sip);
		if (res->word == SR_W_NONE)
			fail_final(e, status, phrase, sip);
		e->state = ST_DONE;
		return;
	}
	if (status >= 200 && status < 300 && e->run->mode == SR_MODE_UNREGISTER) {
		on_unreg_2xx(e, status, phrase, sip);
		return;
	}
	if (status >= 200 && status < 300 && e->run->mode == SR_MODE_AUTHCHECK) {
		note_final(e, status, phrase, sip);
		note_bindings(e, sip);
		note_auth_used(e);
		res->word = SR_W_CREDENTIALS_VALID;
		e->state = ST_DONE;
		return;
	}
	if (status >= 200 && status < 300) {
		note_final(e, status, phrase, sip);
		note_bindings(e, sip);
		note_auth_used(e);
		res->word = e->run->mode == SR_MODE_LIST ? SR_W_BINDINGS_LISTED : SR_W_REGISTERED;
		if (e->run->mode == SR_MODE_PROBE) {
			e->state = ST_UNREGISTERING;
			res->unreg_tried = true;
			res->requests++;
			sr_debug(1, "-> REGISTER %s (Expires: 0, removing our binding)", e->registrar);
			nua_unregister(e->nh, TAG_END());
			return;
		}
		e->state = ST_DONE;
		return;
	}
	if (status == 494 && e->mediasec && !e->sec_retried && !is_local_response(sip)) {
		/* Security Agreement Required: once more at once, with Security-Verify */
		const char *verify = security_verify(e, sip);

		e->sec_retried = 1;
		note_final(e, status, phrase, sip);
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

static void on_unregister(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	sr_debug(1, "<- %d %s (un-REGISTER)", status, phrase);
	if (status < 200) {
		if (status == 100 && phrase && strstr(phrase, "Cache"))
			res->requests++;
		return;
	}
	res->unreg_status = is_local_response(sip) ? 0 : status;
	sr_setstr(&res->unreg_reason, phrase);
	if (status >= 300) {
		if (is_local_response(sip) && status == 408)
			sr_result_fail(res, SR_W_TIMEOUT,
				       "registered, but the un-REGISTER got no answer: the binding may stay "
				       "until it expires in %ld s", res->expires_granted);
		else
			sr_result_fail(res, sr_word_for_status(status) == SR_W_REGISTERED
						    ? SR_W_REJECTED
						    : sr_word_for_status(status),
				       "registered, but removing the binding failed (%d %s): it may stay "
				       "until it expires in %ld s",
				       status, phrase, res->expires_granted);
	}
	e->state = ST_DONE;
}

void sr_eng_clear_bindings(struct sr_result *res)
{
	sr_result_clear_bindings(res);
	sr_strv_free(&res->service_route);
	sr_strv_free(&res->path);
}

/* The stack refreshed on its own: record the outcome for the keeper. */
static void on_refresh(struct eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	res->requests++;
	res->t0_refresh = 1;
	sr_setstr(&res->error, NULL);
	e->retry_after = retry_after_of(sip);
	if (status >= 200 && status < 300) {
		sr_eng_clear_bindings(res);
		res->expires_granted = -1;
		note_final(e, status, phrase, sip);
		note_bindings(e, sip);
		res->word = SR_W_REGISTERED;
	} else {
		fail_final(e, status, phrase, sip);
	}
	e->hooks.refresh(e->hooks.arg, status);
}

void sr_eng_on_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
		     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		     tagi_t tags[])
{
	struct eng *e = hmagic ? (struct eng *)hmagic : (struct eng *)magic;

	(void)nua;
	(void)nh;
	switch (event) {
	case nua_r_get_params: {
		tagi_t const *ti = tl_find(tags, ntatag_contact);
		sip_contact_t const *m = ti ? (sip_contact_t const *)ti->t_value : NULL;

		if (m && m->m_url->url_host)
			e->default_contact = url_hdup(e->home, m->m_url);
		if (e->state == ST_PARAMS)
			e->state = ST_REGISTERING;
		break;
	}
	case nua_r_register:
	case nua_r_options:
		if (e->releasing && status >= 900) {
			e->releasing = 0;
			return;
		}
		if (e->state == ST_REGISTERING)
			on_register(e, status, phrase, sip);
		else if (e->state == ST_DONE && e->hooks.refresh && status >= 200)
			on_refresh(e, status, phrase, sip);
		break;
	case nua_r_unregister:
		if (e->state == ST_UNREGISTERING)
			on_unregister(e, status, phrase, sip);
		break;
	case nua_r_shutdown:
		if (status >= 200)
			e->shutdown_done = 1;
		break;
	default:
		break;
	}
	if (e->hooks.done && e->state == ST_DONE && !e->done_fired &&
	    (event == nua_r_register || event == nua_r_unregister || event == nua_r_options)) {
		e->done_fired = 1;
		e->hooks.done(e->hooks.arg);
	}
}

void sr_eng_step_until(struct eng *e, int (*done)(const struct eng *), double deadline)
{
	while (!done(e)) {
		double left = deadline - sr_now();

		if (left <= 0)
			break;
		su_root_step(e->root, (su_duration_t)(left * 1000) + 1);
	}
}

int sr_eng_params_done(const struct eng *e)
{
	return e->state != ST_PARAMS;
}

static int run_done(const struct eng *e)
{
	return e->state == ST_DONE;
}

static int shutdown_done(const struct eng *e)
{
	return e->shutdown_done;
}

/* Everything before the stack: target, digest policy, TLS check, the
 * digest plugin. 0, or -1 with the result set (rc_internal: 1 when the
 * failure is ours, not the settings'). */
int sr_eng_prepare(struct eng *e, double deadline, const char **certdir_out,
		       int *rc_internal)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	char err[600] = "";
	enum sr_word w;
	const char *certdir = NULL;
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

	if (e->tp == SR_TP_TLS) {
		if (reg->tls_verify) {
			struct sr_tls_params tp = {
				.connect_host = e->t->connect_ip[0] ? e->t->connect_ip : e->t->verify_host,
				.port = e->t->port ? e->t->port : 5061,
				.verify_name = reg->tls_server_name ? reg->tls_server_name
								    : e->t->verify_host,
				.ca_file = reg->tls_ca_file,
				.ca_dir = reg->tls_ca_dir,
				.verify = 1,
				.family = e->t->family,
			};

			w = sr_tls_check(&tp, deadline, err, sizeof err);
			if (w != SR_W_NONE) {
				sr_result_fail(res, w, "%s", err);
				goto fail;
			}
		}
		certdir = sr_stack_cert_dir(e);
		if (!certdir) {
			sr_result_fail(res, SR_W_CONFIG_ERROR, "TLS CA file %s: cannot use it: %s",
				       reg->tls_ca_file, strerror(errno));
			goto fail;
		}
	}

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
	*certdir_out = certdir;
	return 0;
fail:
	*rc_internal = rc;
	return -1;
}

/* Our Contact, the local address, the handle and the header set of e. */
int sr_eng_open_handle(struct eng *e)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	struct sr_result *res = e->res;
	char *bearer = NULL, *extra = NULL;

	if ((run->mode == SR_MODE_REGISTER || run->mode == SR_MODE_PROBE) && sr_contact_build(e) < 0) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "the SIP stack gave no local address");
		return -1;
	}
	if (e->default_contact && e->default_contact->url_host) {
		char buf[160];
		const char *h = e->default_contact->url_host;

		snprintf(buf, sizeof buf, "%s%s%s", h,
			 e->default_contact->url_port ? ":" : "",
			 e->default_contact->url_port ? e->default_contact->url_port : "");
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
		e->nh = nua_handle(e->nua, (nua_hmagic_t *)e, SIPTAG_TO_STR(who),
				   SIPTAG_FROM_STR(who), TAG_END());
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
	if (!e->nh) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot create a handle");
		return -1;
	}
	snprintf(e->expires, sizeof e->expires, "%u", reg->expiration);
	res->requests = 1;
	if (!(run->mode == SR_MODE_UNREGISTER && (run->unreg_all || run->contacts.n)))
		sr_debug(1, "-> %s %s for %s%s%s",
			 run->mode == SR_MODE_AUTHCHECK && run->method_options ? "OPTIONS" : "REGISTER",
			 e->registrar, e->aor,
			 res->contact ? " contact " : run->method_options ? "" : " (no Contact)",
			 res->contact ? res->contact : "");
	e->state = ST_REGISTERING;
	if (reg->bearer_token)
		bearer = su_sprintf(e->home, "Bearer %s", reg->bearer_token);
	e->extra = extra;
	e->bearer = bearer;
	return 0;
}

static int attempt(const struct sr_reg *reg, const struct sr_run *run, double deadline,
		   struct sr_result *res)
{
	struct eng *e;
	const char *certdir = NULL;
	int keep = 0, rc = 0;

	e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	su_home_init(e->home);
	e->reg = reg;
	e->run = run;
	e->res = res;
	e->t0 = sr_now();
	res->mode = run->mode;
	res->transport = SR_TP_UDP;
	sr_setstr(&res->name, reg->name ? reg->name : reg->client_uri);
	if (sr_eng_prepare(e, deadline, &certdir, &rc) < 0)
		goto out;
	e->root = su_root_create(e);
	if (!e->root) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot create the event loop");
		rc = -1;
		goto out;
	}
	su_root_threading(e->root, 0);
	e->nua = sr_stack_create(e, e->root, (nua_magic_t *)e, deadline, certdir);
	sr_stack_cert_dir_remove(e);
	if (!e->nua) {
		sr_result_fail(res, SR_W_TRANSPORT_ERROR, "cannot open a %s socket on %s",
			       sr_transport_name(e->tp), e->t->bind_url);
		goto out;
	}
	nua_get_params(e->nua, TAG_ANY(), TAG_END());
	sr_eng_step_until(e, sr_eng_params_done, deadline);
	if (e->state == ST_PARAMS) {
		sr_result_fail(res, SR_W_TIMEOUT, "the SIP stack did not start in time");
		goto teardown;
	}
	if (sr_eng_open_handle(e) < 0) {
		rc = -1;
		goto teardown;
	}
	sr_eng_send_register(e, NULL);
	sr_eng_step_until(e, run_done, deadline);
	if (e->bearer)
		explicit_bzero(e->bearer, strlen(e->bearer));
	if (run->mode == SR_MODE_AUTHCHECK && e->state == ST_DONE)
		authcheck_warnings(e, res->status);
	if (e->state == ST_REGISTERING) {
		sr_result_fail(res, SR_W_TIMEOUT, "no final response from %s within %.1f s",
			       e->registrar, run->timeout);
	} else if (e->state == ST_UNREGISTERING) {
		sr_result_fail(res, SR_W_TIMEOUT,
			       "registered, but the un-REGISTER got no answer in time: the binding may "
			       "stay until it expires in %ld s",
			       res->expires_granted);
	}
	res->t_total = ms_since(e);

teardown:
	/* A kept binding: the stack must not run its teardown, which would
	 * un-REGISTER (SOFIA-NOTES 7). So also after a timeout in register mode:
	 * we do not remove what we may have created unasked. */
	if (run->mode == SR_MODE_REGISTER || e->state == ST_UNREGISTERING) {
		keep = 1;
		g_hard_exit = 1;
		goto out;
	}
	if (e->nh)
		nua_handle_destroy(e->nh), e->nh = NULL;
	nua_shutdown(e->nua);
	sr_eng_step_until(e, shutdown_done, deadline + 0.8);
	if (!e->shutdown_done) {
		keep = 1;
		g_hard_exit = 1;
		goto out;
	}
	nua_destroy(e->nua);
	e->nua = NULL;
out:
	if (res->t_total < 0)
		res->t_total = ms_since(e);
	sr_stack_cert_dir_remove(e);
	if (!keep) {
		if (e->root)
			su_root_destroy(e->root);
		su_home_deinit(e->home);
		free(e);
	}
	/* else: e and the stack stay until sr_engine_exit() */
	return rc;
}

/* Is this failure one to try the next server for (JsSIP: the socket failed)? */
static int failover_worthy(const struct sr_result *res)
{
	return res->word == SR_W_TRANSPORT_ERROR || res->word == SR_W_TIMEOUT ||
	       res->word == SR_W_DNS_ERROR || res->word == SR_W_TLS_ERROR ||
	       (res->word == SR_W_REJECTED && res->status == 503);
}

int sr_engine_run(const struct sr_reg *reg, const struct sr_run *run, double deadline,
		  struct sr_result *res)
{
	struct sr_reg copy;
	size_t order[64], n = reg->servers.n < 64 ? reg->servers.n : 64, i, j;
	struct sr_strv tried = {NULL, 0, 0};
	int rc = 0;

	if (n == 0)
		return attempt(reg, run, deadline, res);
	/* JsSIP's sockets: the highest weight first, random among equals */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			unsigned wi = reg->servers.v[order[i]].weight, wj = reg->servers.v[order[j]].weight;
			unsigned char coin = 0;

			if (wj == wi)
				RAND_bytes(&coin, 1);
			if (wj > wi || (wj == wi && (coin & 1))) {
				size_t t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
		}
	}
	for (i = 0; i < n; i++) {
		const char *uri = reg->servers.v[order[i]].uri;
		double left = deadline - sr_now(), until;
		char line[600];

		if (left <= 0 && i > 0)
			break;
		/* share what is left among the servers still to try */
		until = i + 1 < n ? sr_now() + left / (double)(n - i) : deadline;
		memcpy(&copy, reg, sizeof copy);
		if (reg->server_uri)
			copy.connect_uri = (char *)uri; /* servers are where to send */
		else
			copy.server_uri = (char *)uri;  /* each server is the registrar */
		if (i > 0) {
			sr_result_free(res);
			sr_result_init(res);
		}
		rc = attempt(&copy, run, until, res);
		sr_setstr(&res->target, uri);
		snprintf(line, sizeof line, "%s: %s%s%s", uri, sr_word_name(res->word),
			 res->status ? " " : "", res->status ? res->reason ? res->reason : "" : "");
		sr_strv_add(&tried, line);
		if (!failover_worthy(res))
			break;
		if (i + 1 < n)
			sr_debug(1, "%s failed (%s): trying the next server", uri, sr_word_name(res->word));
	}
	sr_strv_free(&res->servers_tried);
	res->servers_tried = tried;
	return rc;
}

void sr_engine_exit(int code)
{
	sr_digest_forget_all(); /* wipes the credentials the plugin answered with */
	fflush(stdout);
	fflush(stderr);
	if (g_hard_exit)
		_exit(code);
	if (g_su_ready)
		su_deinit();
	exit(code);
}
