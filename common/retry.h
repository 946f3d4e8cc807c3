/* sipregwatch's decision after a failed REGISTER: stop, or try again in
 * how many seconds. Pure: the rules in one table-tested function. */
#ifndef SR_RETRY_H
#define SR_RETRY_H

#include "exitcode.h"
#include "settings.h"

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

#endif
