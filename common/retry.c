#include "config.h"

#include <math.h>
#include <string.h>

#include "result.h"
#include "retry.h"

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

void sr_retry_decide(const struct sr_reg *r, const struct sr_retry_in *in, const char *error,
		     struct sr_retry_decision *d)
{
	memset(d, 0, sizeof *d);
	d->attempts = in->attempts;
	d->backoff = in->backoff;
	switch (in->word) {
	case SR_W_AUTH_FAILED:
		if (r->auth_rejection_permanent)
			return stop(d, "credentials refused (auth_rejection_permanent)");
		d->interval = r->retry_interval;
		break;
	case SR_W_FORBIDDEN:
		if (!r->forbidden_retry_interval)
			return stop(d, "403 and no forbidden_retry_interval");
		d->interval = r->forbidden_retry_interval;
		break;
	case SR_W_TIMEOUT:
		d->interval = r->retry_interval;
		break;
	case SR_W_TRANSPORT_ERROR:
	case SR_W_DNS_ERROR:
	case SR_W_TLS_ERROR:
		d->interval = recovery(r, in, d);
		break;
	case SR_W_CONFIG_ERROR:
	case SR_W_PROTOCOL_ERROR:
	case SR_W_INTERNAL_ERROR:
		return stop(d, error ? error : sr_word_name(in->word));
	default:
		if (in->status >= 600 || sr_status_temporary(in->status))
			d->interval = r->retry_interval;
		else if (r->fatal_retry_interval)
			d->interval = r->fatal_retry_interval;
		else
			return stop(d, "a final failure and no fatal_retry_interval");
		break;
	}
	if (in->retry_after > 0) {
		/* the server's Retry-After is honoured, and not counted */
		d->interval = (double)in->retry_after;
		d->retry_after = 1;
		return;
	}
	if (++d->attempts > r->max_retries)
		stop(d, "max_retries reached");
}
