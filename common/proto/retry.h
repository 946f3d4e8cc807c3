/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's decision after a failed REGISTER: stop, or try again in
 * how many seconds. Pure: the rules in one table-tested function. */
#ifndef SR_RETRY_H
#define SR_RETRY_H

#include "model/exitcode.h"
#include "model/settings.h"

/* The failure and the registration's history. */
struct sr_retry_in {
	enum sr_word word; /* the result word of the failure */
	int status;	   /* the final status, 0 when none came */
	long retry_after;  /* the response's Retry-After, -1 when none */
	unsigned attempts; /* counted retries so far */
	unsigned backoff;  /* transport failures in a row so far */
	double rand01;	   /* a random number in [0, 1) for the backoff */
};

struct sr_retry_decision {
	int stop;	   /* 1: no more attempts (the registration is rejected) */
	const char *why;   /* with stop: the reason in words */
	double interval;   /* without stop: seconds until the next attempt */
	unsigned attempts; /* the new counts, to keep */
	unsigned backoff;
	int retry_after; /* the interval is the server's Retry-After */
};

/* Asterisk's decision (res_pjsip_outbound_registration), in its order: a
 * Retry-After is honoured without counting; temporary failures (no answer,
 * transport, 408/500/502/503/504/6xx, not_bound, and 401/407 after our answer unless
 * auth_rejection_permanent) wait retry_interval (transport failures use
 * JsSIP's randomized backoff); a 403 waits forbidden_retry_interval when
 * set; every other final failure waits fatal_retry_interval when set, else
 * ends. Counted retries end after max_retries. Errors of configuration or
 * protocol end at once, with error (the result's sentence) as the reason. */
void sr_retry_decide(const struct sr_reg *r, const struct sr_retry_in *in, const char *error,
		     struct sr_retry_decision *d);

/* When to refresh a binding the registrar granted for granted seconds,
 * from the 2xx: early enough that a refresh whose digest exchange needs
 * retransmissions (T1 doubling: each transaction's fifth try goes 15 s
 * after its first) or waits in the window still lands before the binding
 * expires: at most 80 % of the grant, and at least SR_REFRESH_MARGIN before
 * its end where the grant allows (never before half of it). Asterisk
 * refreshes 10 s before the end and PJSIP 5 s: one lost packet of each
 * transaction there, and the binding is gone. rand01 in [0, 1) moves the
 * point up to 10 % earlier, so that registrations made in one burst do not
 * refresh in one burst for ever. */
#define SR_REFRESH_MARGIN 40.0
double sr_refresh_after(long granted, double rand01);

#endif
