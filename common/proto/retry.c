/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's decision after a failure (Asterisk's rules, JsSIP's
 * backoff) and the point of a refresh in a grant. Pure. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "model/exitcode.h"
#include "model/result.h"
#include "proto/retry.h"

static void stop(struct sr_retry_decision *d, const char *why)
{
	d->stop = 1;
	d->why = why;
}

/* JsSIP: random in [1, 2^n] after the n-th transport failure in a row,
 * clamped to connection_recovery_min..max_interval. */
static double recovery(const struct sr_reg *r, const struct sr_retry_in *in,
		       struct sr_retry_decision *d)
{
	double top, v;

	d->backoff = in->backoff < 20 ? in->backoff + 1 : 20;
	top = ldexp(1.0, (int)d->backoff);
	v = 1 + in->rand01 * (top - 1);
	if (v < r->connection_recovery_min_interval)
		v = r->connection_recovery_min_interval;
	if (v > r->connection_recovery_max_interval)
		v = r->connection_recovery_max_interval;
	return v;
}

/* Asterisk's temporary responses: 408, 500, 502, 503, 504 and 6xx. */
static int temporary_status(int status)
{
	return status == 408 || status == 500 || status == 502 || status == 503 || status == 504 ||
	       status >= 600;
}

/* One more counted retry after interval, or the end when max_retries are
 * spent. */
static void counted(const struct sr_reg *r, double interval, struct sr_retry_decision *d)
{
	if (d->attempts >= r->max_retries)
		return stop(d, "max_retries reached");
	d->attempts++;
	d->interval = interval;
}

void sr_retry_decide(const struct sr_reg *r, const struct sr_retry_in *in, const char *error,
		     struct sr_retry_decision *d)
{
	int transport = in->word == SR_W_TRANSPORT_ERROR || in->word == SR_W_DNS_ERROR ||
			in->word == SR_W_TLS_ERROR;
	int auth = in->word == SR_W_AUTH_FAILED;

	memset(d, 0, sizeof *d);
	d->attempts = in->attempts;
	d->backoff = in->backoff;
	/* errors of ours or of the protocol: trying again changes nothing */
	if (in->word == SR_W_CONFIG_ERROR || in->word == SR_W_PROTOCOL_ERROR ||
	    in->word == SR_W_INTERNAL_ERROR)
		return stop(d, error ? error : sr_word_name(in->word));
	/* 2. a Retry-After is honoured, and not counted */
	if (in->retry_after > 0) {
		d->interval = (double)in->retry_after;
		d->retry_after = 1;
		return;
	}
	/* 3. temporary: no answer, transport, 408/5xx/6xx, a 2xx that kept no
	 * binding of ours (not_bound), and refused credentials when they are
	 * not permanent */
	if (transport || in->word == SR_W_TIMEOUT || in->word == SR_W_NOT_BOUND ||
	    temporary_status(in->status) || (auth && !r->auth_rejection_permanent))
		return counted(r, transport ? recovery(r, in, d) : r->retry_interval, d);
	/* 4. 403 with its own interval */
	if (in->word == SR_W_FORBIDDEN && r->forbidden_retry_interval)
		return counted(r, r->forbidden_retry_interval, d);
	/* 5. every other final failure: 403 without forbidden_retry_interval,
	 * refused credentials that are permanent, 404, 423, other 4xx */
	if (r->fatal_retry_interval)
		return counted(r, r->fatal_retry_interval, d);
	return stop(d, auth ? "credentials refused (auth_rejection_permanent) and no "
			      "fatal_retry_interval"
		       : in->word == SR_W_FORBIDDEN
			   ? "403 and no forbidden_retry_interval or fatal_retry_interval"
			   : "a final failure and no fatal_retry_interval");
}

double sr_refresh_after(long granted, double rand01)
{
	double g = (double)granted, margin = g * 0.5, at;

	if (margin > SR_REFRESH_MARGIN)
		margin = SR_REFRESH_MARGIN;
	if (margin < g * 0.2)
		margin = g * 0.2;
	at = (g - margin) * (1.0 - 0.1 * rand01);
	if (at < 1)
		at = granted > 1 ? 1 : 0.5;
	return at;
}
