/* SPDX-License-Identifier: BSD-2-Clause */
/* Answering a 401/407 on the wire: the plan of challenge.c, our credentials
 * filed with the digest plugin, nua_authenticate(). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>

#include "engine/auth.h"
#include "engine/engdata.h"
#include "proto/challenge.h"
#include "util/log.h"

/* Record what a 401/407 offered: every challenge, for the report. */
static void note_challenges(struct sr_eng *e, msg_auth_t const *au)
{
	for (; au; au = au->au_next) {
		char *realm = sr_auth_param(e->scratch, au->au_params, "realm=");
		char *alg = sr_auth_param(e->scratch, au->au_params, "algorithm=");
		char *qop = sr_auth_param(e->scratch, au->au_params, "qop=");

		sr_result_add_offer(e->res, au->au_scheme, realm, alg, qop,
				    sr_auth_param_is(au->au_params, "stale=", "true"));
	}
}

/* mediasec: the server's Security-Server values as our Security-Verify. */
const char *sr_eng_security_verify(struct sr_eng *e, sip_t const *sip)
{
	sip_security_server_t const *ss;
	char *out = NULL;

	if (!e->mediasec || !sip)
		return NULL;
	for (ss = sip->sip_security_server; ss; ss = ss->sa_next) {
		sip_security_server_t copy = *ss;
		char *v;

		copy.sa_next = NULL;
		v = sip_header_as_string(e->scratch, (sip_header_t const *)&copy);
		if (!v)
			continue;
		out = su_sprintf(e->scratch, "%s%sSecurity-Verify: %s", out ? out : "",
				 out ? "\r\n" : "", v);
	}
	return out;
}

/* Nonces seen: the same nonce challenged again after our answer. */
static void note_nonces(struct sr_eng *e, msg_auth_t const *au)
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

/* A challenge after our answer, for the realm of that answer, with a
 * nonce other than the one we answered and without stale=true, and no such
 * second answer yet: the index of that realm among the answered, or -1. */
static int fresh_nonce_once(struct sr_eng *e, sip_t const *sip)
{
	msg_auth_t const *au =
	    sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
	size_t k;

	if (e->nonce_retried || !e->answered_nonce || !e->answered_nonce_realm)
		return -1;
	for (; au; au = au->au_next) {
		/* as written, quotes and all, as the plan keeps it */
		const char *nonce = msg_params_find(au->au_params, "nonce=");
		char *realm = sr_auth_param(e->scratch, au->au_params, "realm=");

		if (!realm || strcmp(realm, e->answered_nonce_realm))
			continue;
		if (sr_auth_param_is(au->au_params, "stale=", "true") || !nonce ||
		    !strcmp(nonce, e->answered_nonce))
			return -1;
		for (k = 0; k < e->n_answered_realms; k++)
			if (!strcmp(e->answered_realms[k], realm))
				return (int)k;
	}
	return -1;
}

/* Forget the credentials we filed with the digest plugin (their secrets
 * are wiped). */
void sr_eng_forget_credentials(struct sr_eng *e)
{
	size_t k;

	for (k = 0; k < SR_MAX_REALMS; k++)
		if (e->cred_keys[k]) {
			sr_digest_forget(e->cred_keys[k]);
			su_free(e->home, e->cred_keys[k]);
			e->cred_keys[k] = NULL;
		}
}

/* File the credential of each realm of the plan with the digest plugin
 * under a key of ours, and write NUTAG_AUTH's strings for them (the keeper
 * answers many times: the keys of the last answer replace the earlier). */
static int file_credentials(struct sr_eng *e, const struct sr_challenge_creds *creds,
			    const struct sr_challenge_plan *plan, char cred[][600])
{
	size_t k, slot;

	/* a first answer on this request replaces the keys of the last one; a
	 * further answer (a proxy, then the registrar) keeps the keys its
	 * earlier answers still authorize the request with */
	if (!e->n_answered_realms)
		sr_eng_forget_credentials(e);
	for (k = 0; k < plan->nrealms; k++) {
		struct sr_challenge_cred cr;
		struct sr_digest_cred c;
		const char *key;

		sr_challenge_cred(creds, plan->cred[k], &cr);
		c = (struct sr_digest_cred){
		    .username = (char *)cr.user,
		    .password = (char *)cr.password,
		    .ha1 = (char *)cr.ha1,
		    .policy = cr.policy,
		};
		key = sr_digest_register(&c);
		for (slot = 0; key && slot < SR_MAX_REALMS && e->cred_keys[slot]; slot++)
			;
		if (!key || slot == SR_MAX_REALMS)
			return -1;
		e->cred_keys[slot] = su_strdup(e->home, key);
		snprintf(cred[k], 600, "Digest:%s:%s:%s", plan->raw_realms[k], key, key);
	}
	return 0;
}

/* Answer a 401/407 as sr_challenge_plan() decides. Returns 0 after
 * nua_authenticate(), or sets the result and returns -1. dry: nua went
 * ahead without us (a challenge it could not file): report only. */
int sr_eng_answer_challenge(struct sr_eng *e, nua_handle_t *nh, int status, sip_t const *sip,
			    int dry)
{
	const struct sr_reg *r = e->reg;
	struct sr_challenge_creds creds = {
	    .user = r->username ? r->username : e->aor_user,
	    .password = r->password,
	    .ha1 = r->ha1,
	    .bearer_token = r->bearer_token,
	    .realm_pin = r->realm,
	    .more = r->more_auth,
	    .n_more = r->n_more_auth,
	    .policy = e->policy,
	    .answered = (const char *const *)e->answered_realms,
	    .n_answered = e->n_answered_realms,
	};
	struct sr_challenge_plan plan;
	const struct sr_offer *first = &plan.chosen[0];
	char cred[SR_MAX_REALMS][600];
	const char *verify;
	struct sr_challenge_cred first_cred;
	size_t k;
	int fresh;

	note_challenges(e, sip->sip_www_authenticate);
	note_challenges(e, sip->sip_proxy_authenticate);
	note_nonces(e, sip->sip_www_authenticate);
	note_nonces(e, sip->sip_proxy_authenticate);
	fresh = fresh_nonce_once(e, sip);
	if (fresh >= 0) {
		/* a restarted registrar, or a node of a cluster that did not issue
		 * the nonce we answered: one fresh answer to its own nonce, as
		 * PJSIP does; only a challenge to that answer refuses us. The
		 * realm is taken off the answered ones (the others keep theirs). */
		sr_debug(1, "<- a new nonce without stale after our answer: answering it once");
		e->nonce_retried = 1;
		su_free(e->home, e->answered_realms[fresh]);
		e->answered_realms[fresh] = e->answered_realms[--e->n_answered_realms];
		e->answered_realms[e->n_answered_realms] = NULL;
		creds.n_answered = e->n_answered_realms;
	}
	if (sr_challenge_plan(e->scratch, status, sip->sip_www_authenticate,
			      sip->sip_proxy_authenticate, &creds, &plan) < 0) {
		sr_result_fail(e->res, plan.word, "%s", plan.error);
		return -1;
	}
	sr_setstr(&e->res->auth_scheme, "Digest");
	sr_setstr(&e->res->auth_realm, first->realm);
	sr_setstr(&e->res->auth_algorithm, first->algorithm ? first->algorithm : "MD5");
	sr_setstr(&e->res->auth_qop, !first->qop			     ? NULL
				     : sr_digest_qop_has(first->qop, "auth") ? "auth"
									     : "auth-int");
	if (dry) {
		sr_result_fail(e->res, SR_W_PROTOCOL_ERROR, "malformed challenge: %s",
			       plan.bad_realm ? "a Digest challenge without a realm"
					      : "nothing usable");
		return -1;
	}
	if (file_credentials(e, &creds, &plan, cred) < 0) {
		sr_result_fail(e->res, SR_W_INTERNAL_ERROR, "too many credentials");
		return -1;
	}
	for (k = 0; k < plan.nrealms && e->n_answered_realms < SR_MAX_REALMS; k++) {
		size_t at = e->n_answered_realms++;

		su_free(e->home, e->answered_realms[at]); /* an earlier request's */
		e->answered_realms[at] = su_strdup(e->home, plan.chosen[k].realm);
	}
	su_free(e->home, e->answered_nonce);
	su_free(e->home, e->answered_nonce_realm);
	e->answered_nonce = first->nonce ? su_strdup(e->home, first->nonce) : NULL;
	e->answered_nonce_realm = su_strdup(e->home, first->realm);
	e->answered++;
	e->ever_answered = 1;
	e->res->requests++;
	sr_challenge_cred(&creds, plan.cred[0], &first_cred);
	sr_debug(1, "-> %s again, answering %d %s for realm \"%s\" as \"%s\" with %s",
		 e->run->mode == SR_MODE_AUTHCHECK && e->run->method_options ? "OPTIONS"
									     : "REGISTER",
		 status, sip->sip_status->st_phrase, e->res->auth_realm, first_cred.user,
		 e->res->auth_algorithm);
	verify = sr_eng_security_verify(e, sip);
	nua_authenticate(nh, NUTAG_AUTH(cred[0]), TAG_IF(plan.nrealms > 1, NUTAG_AUTH(cred[1])),
			 TAG_IF(plan.nrealms > 2, NUTAG_AUTH(cred[2])),
			 TAG_IF(plan.nrealms > 3, NUTAG_AUTH(cred[3])),
			 TAG_IF(verify, SIPTAG_HEADER_STR(verify)), TAG_END());
	return 0;
}
