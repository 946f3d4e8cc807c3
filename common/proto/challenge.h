/* SPDX-License-Identifier: BSD-2-Clause */
/* Challenges of a 401/407: which offers are there, and which one to answer
 * for each realm. Pure: no stack, no network; the engine, the unit tests
 * and the fuzzer call the same code. */
#ifndef SR_CHALLENGE_H
#define SR_CHALLENGE_H

#include <stddef.h>

#include <sofia-sip/msg_types.h>
#include <sofia-sip/su_alloc.h>

#include "model/exitcode.h"
#include "model/settings.h"
#include "proto/digest.h"

#define SR_MAX_REALMS 4

/* What we hold to answer with. */
struct sr_challenge_creds {
	const char *user;
	const char *password;	    /* or */
	const char *ha1;	    /* hex, for the challenge's algorithm */
	const char *bearer_token;   /* given: a Bearer challenge means it was refused */
	const char *realm_pin;	    /* the realm of this credential, or NULL: any */
	const struct sr_cred *more; /* further credentials, each for its realm */
	size_t n_more;
	struct sr_digest_policy policy;
	const char *const *answered; /* realms we answered on this request already */
	size_t n_answered;
};

/* One credential of creds: which -1 is the first, else more[which]. */
struct sr_challenge_cred {
	const char *user, *password, *ha1;
	struct sr_digest_policy policy; /* creds' policy with this HA1's length */
};

/* The decision: answer (word SR_W_NONE) each realm with its chosen offer,
 * or fail with word and a sentence in error. */
struct sr_challenge_plan {
	enum sr_word word;
	char error[400];
	size_t nrealms;
	const char *raw_realms[SR_MAX_REALMS]; /* as written (quoted): for NUTAG_AUTH */
	struct sr_offer chosen[SR_MAX_REALMS]; /* the offer answered, per realm */
	int cred[SR_MAX_REALMS];	       /* and with which credential */
	int bad_realm;			       /* a Digest challenge had no realm */
};

/* The value of a parameter of an auth header, quotes taken off, in home;
 * NULL when absent. */
char *sr_auth_param(su_home_t *home, msg_param_t const *params, const char *name);
/* 1 when the parameter is there with this value (quoted or not, any case). */
int sr_auth_param_is(msg_param_t const *params, const char *name, const char *value);

/* Decide how to answer the WWW- and Proxy-Authenticate challenges of one
 * response (status 401 or 407) with creds. Strings of the plan live in
 * home or in the headers. Returns 0 when there is something to answer,
 * -1 with plan->word and plan->error otherwise. */
int sr_challenge_plan(su_home_t *home, int status, msg_auth_t const *www, msg_auth_t const *proxy,
		      const struct sr_challenge_creds *creds, struct sr_challenge_plan *plan);

/* The credential `which` of creds (a plan's cred[k]). */
void sr_challenge_cred(const struct sr_challenge_creds *creds, int which,
		       struct sr_challenge_cred *out);

#endif
