/* SPDX-License-Identifier: BSD-2-Clause */
/* Which challenge of a 401/407 to answer for each realm, or why none.
 * Pure. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>

#include "proto/challenge.h"

char *sr_auth_param(su_home_t *home, msg_param_t const *params, const char *name)
{
	const char *v = msg_params_find(params, name);
	char *s;
	size_t len;

	if (!v)
		return NULL;
	s = su_strdup(home, v);
	len = s ? strlen(s) : 0;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s[len - 1] = '\0';
		s++;
	}
	return s;
}

int sr_auth_param_is(msg_param_t const *params, const char *name, const char *value)
{
	const char *p = msg_params_find(params, name);
	size_t len = strlen(value);

	if (!p)
		return 0;
	if (*p == '"')
		p++;
	return !strncasecmp(p, value, len) && (p[len] == '\0' || p[len] == '"');
}

static int plan_fail(struct sr_challenge_plan *plan, enum sr_word w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int plan_fail(struct sr_challenge_plan *plan, enum sr_word w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plan->error, sizeof plan->error, fmt, ap);
	va_end(ap);
	plan->word = w;
	return -1;
}

/* Every offer of the two lists, what they offered in words, and the
 * realms in order of appearance. */
struct offers {
	struct sr_offer v[16];
	size_t n;
	const char *realms[SR_MAX_REALMS];
	size_t nrealms;
	char offered[400];
	int digest_seen, other_seen, bearer_seen, bad_nonce;
};

static void collect(su_home_t *home, msg_auth_t const *au, struct offers *of,
		    struct sr_challenge_plan *plan)
{
	size_t k;

	for (; au; au = au->au_next) {
		struct sr_offer *o;
		size_t len = strlen(of->offered);

		if (!au->au_scheme || strcasecmp(au->au_scheme, "Digest")) {
			of->other_seen = 1;
			if (au->au_scheme && !strcasecmp(au->au_scheme, "Bearer"))
				of->bearer_seen = 1;
			continue;
		}
		of->digest_seen = 1;
		if (of->n >= sizeof of->v / sizeof of->v[0])
			continue;
		o = &of->v[of->n];
		memset(o, 0, sizeof *o);
		o->scheme = "Digest";
		o->realm = sr_auth_param(home, au->au_params, "realm=");
		o->nonce = msg_params_find(au->au_params, "nonce=");
		o->algorithm = sr_auth_param(home, au->au_params, "algorithm=");
		o->qop = sr_auth_param(home, au->au_params, "qop=");
		o->stale = sr_auth_param_is(au->au_params, "stale=", "true");
		snprintf(of->offered + len, sizeof of->offered - len, "%s%s%s%s", len ? ", " : "",
			 o->algorithm ? o->algorithm : "MD5", o->qop ? "/" : "",
			 o->qop ? o->qop : "");
		if (!o->realm) {
			plan->bad_realm = 1;
			continue;
		}
		if (!o->nonce || !*o->nonce) {
			of->bad_nonce = 1;
			continue;
		}
		for (k = 0; k < of->nrealms; k++)
			if (!strcmp(of->realms[k], o->realm))
				break;
		if (k == of->nrealms && of->nrealms < SR_MAX_REALMS) {
			of->realms[of->nrealms] = o->realm;
			plan->raw_realms[of->nrealms] =
			    msg_header_find_param(au->au_common, "realm=");
			of->nrealms++;
		}
		of->n++;
	}
}

/* The algorithms policy accepts, for a message. */
static void accepted(const struct sr_digest_policy *policy, char *acc, size_t len)
{
	size_t i;

	acc[0] = '\0';
	for (i = 0; i < 4 && policy->prefs[i]; i++)
		if (sr_digest_strength(policy->prefs[i]) >= sr_digest_strength(policy->min))
			snprintf(acc + strlen(acc), len - strlen(acc), "%s%s", *acc ? ", " : "",
				 sr_digest_alg_name(policy->prefs[i]));
}

void sr_challenge_cred(const struct sr_challenge_creds *creds, int which,
		       struct sr_challenge_cred *out)
{
	const struct sr_cred *m = which >= 0 ? &creds->more[which] : NULL;

	out->user = m && m->username ? m->username : creds->user;
	out->password = m ? m->password : creds->password;
	out->ha1 = m ? m->ha1 : creds->ha1;
	out->policy = creds->policy;
	out->policy.ha1_hexlen = out->ha1 ? strlen(out->ha1) : 0;
}

/* The credential for realm: the one that names it, else the one that
 * names none; -2 when there is none. */
static int pick_cred(const struct sr_challenge_creds *c, const char *realm)
{
	size_t i;

	if (c->realm_pin && !strcmp(c->realm_pin, realm))
		return -1;
	for (i = 0; i < c->n_more; i++)
		if (c->more[i].realm && !strcmp(c->more[i].realm, realm))
			return (int)i;
	if (!c->realm_pin)
		return -1;
	for (i = 0; i < c->n_more; i++)
		if (!c->more[i].realm)
			return (int)i;
	return -2;
}

/* 1 when a challenge of realm k says stale=true. */
static int realm_stale(const struct offers *of, size_t k)
{
	size_t i;

	for (i = 0; i < of->n; i++)
		if (!strcmp(of->v[i].realm, of->realms[k]) && of->v[i].stale)
			return 1;
	return 0;
}

/* For each realm, its credential, its offers and the one the policy of
 * that credential picks. */
static int choose(const struct offers *of, const struct sr_challenge_creds *creds,
		  struct sr_challenge_plan *plan)
{
	size_t i, k;

	for (k = 0; k < of->nrealms; k++) {
		struct sr_challenge_cred cr;
		struct sr_offer mine[16];
		size_t m = 0;
		int idx, which = pick_cred(creds, of->realms[k]);
		char acc[80];

		if (which == -2 && !creds->n_more)
			return plan_fail(
			    plan, SR_W_AUTH_FAILED,
			    "the server challenged for realm \"%s\"; the pinned realm is \"%s\"",
			    of->realms[k], creds->realm_pin);
		if (which == -2)
			return plan_fail(
			    plan, SR_W_AUTH_FAILED,
			    "the server challenged for realm \"%s\"; no outbound_auth entry "
			    "names it and each names another realm",
			    of->realms[k]);
		sr_challenge_cred(creds, which, &cr);
		for (i = 0; i < creds->n_answered; i++)
			if (!strcmp(creds->answered[i], of->realms[k]) && realm_stale(of, k))
				return plan_fail(
				    plan, SR_W_REJECTED,
				    "the registrar keeps calling our nonce stale (stale=true after "
				    "each answer): its clock or its nonce store, not the password");
		for (i = 0; i < creds->n_answered; i++)
			if (!strcmp(creds->answered[i], of->realms[k]))
				return plan_fail(
				    plan, SR_W_AUTH_FAILED,
				    "credentials refused: the server challenged again "
				    "after our answer (wrong password or username \"%s\")",
				    cr.user ? cr.user : "");
		if (!cr.password && !cr.ha1)
			return plan_fail(
			    plan, SR_W_AUTH_FAILED, "%s",
			    creds->bearer_token
				? "the server wants Digest after our Bearer token and no "
				  "password was given for it"
				: "the server asks for authentication and no password was "
				  "given (use --password-file or --password-env)");
		for (i = 0; i < of->n; i++)
			if (!strcmp(of->v[i].realm, of->realms[k]))
				mine[m++] = of->v[i];
		idx = sr_digest_choose(mine, m, &cr.policy);
		if (idx < 0) {
			accepted(&cr.policy, acc, sizeof acc);
			return plan_fail(
			    plan, SR_W_PROTOCOL_ERROR,
			    "no acceptable Digest challenge for realm \"%s\": offered %s; "
			    "we accept %s%s",
			    of->realms[k], of->offered, *acc ? acc : "nothing (min_digest)",
			    cr.ha1 ? " with an HA1 of this length" : "");
		}
		plan->chosen[k] = mine[idx];
		plan->cred[k] = which;
	}
	plan->nrealms = of->nrealms;
	return 0;
}

int sr_challenge_plan(su_home_t *home, int status, msg_auth_t const *www, msg_auth_t const *proxy,
		      const struct sr_challenge_creds *creds, struct sr_challenge_plan *plan)
{
	struct offers of;

	memset(plan, 0, sizeof *plan);
	memset(&of, 0, sizeof of);
	if (!www && !proxy)
		return plan_fail(plan, SR_W_PROTOCOL_ERROR,
				 "%d without a %s header: nothing to answer", status,
				 status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate");
	collect(home, www, &of, plan);
	collect(home, proxy, &of, plan);
	if (of.bad_nonce)
		return plan_fail(plan, SR_W_PROTOCOL_ERROR, "malformed Digest challenge: no nonce");
	if (!of.digest_seen) {
		if (of.bearer_seen && creds->bearer_token)
			return plan_fail(plan, SR_W_AUTH_FAILED,
					 "the Bearer token was refused (%d)", status);
		return plan_fail(plan, SR_W_PROTOCOL_ERROR,
				 "no challenge we can answer: the server offered only %s",
				 of.other_seen ? "non-Digest schemes" : "nothing");
	}
	if (of.nrealms == 0)
		return plan_fail(plan, SR_W_PROTOCOL_ERROR, "malformed Digest challenge: no %s",
				 plan->bad_realm ? "realm" : "nonce");
	return choose(&of, creds, plan);
}
