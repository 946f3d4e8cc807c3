/* SPDX-License-Identifier: BSD-2-Clause */
/* The congestion window of sipregwatch (window.h). */
#include "config.h"

#include "proto/window.h"

void sr_window_init(struct sr_window *w, unsigned initial, unsigned min, unsigned max)
{
	w->cwnd = initial;
	w->ssthresh = max;
	w->slow_start = 1;
	w->inflight = 0;
	w->min = min;
	w->max = max;
	w->last_cut = -1e18;
	w->cuts = 0;
	w->base_rtt = w->epoch_min = w->prev_min = 0;
	w->epoch_start = -1e18;
	w->rtt = w->srtt = 0;
	w->late = 0;
	w->round_start = -1e18;
	w->round_min = 0;
}

int sr_window_open(const struct sr_window *w)
{
	return w->inflight < (unsigned)w->cwnd;
}

void sr_window_sent(struct sr_window *w)
{
	w->inflight++;
}

/* The base RTT: the least of this epoch and the last, so that a registrar
 * that became slower for good is followed, not fought. */
static void note_rtt(struct sr_window *w, double rtt, double now)
{
	if (now - w->epoch_start >= SR_WINDOW_EPOCH) {
		w->prev_min = w->epoch_min;
		w->epoch_min = 0;
		w->epoch_start = now;
	}
	if (w->epoch_min <= 0 || rtt < w->epoch_min)
		w->epoch_min = rtt;
	w->base_rtt = w->prev_min > 0 && w->prev_min < w->epoch_min ? w->prev_min : w->epoch_min;
	w->rtt = rtt;
	w->srtt = w->srtt > 0 ? w->srtt + (rtt - w->srtt) / 8 : rtt;
}

static void clamp(struct sr_window *w)
{
	if (w->cwnd > w->max)
		w->cwnd = w->max;
	if (w->cwnd < w->min)
		w->cwnd = w->min;
}

double sr_window_late_after(const struct sr_window *w)
{
	double slow = 4 * (w->srtt > w->base_rtt ? w->srtt : w->base_rtt);

	return slow > SR_WINDOW_LATE_MIN ? slow : SR_WINDOW_LATE_MIN;
}

/* An answer that says nothing of overload. The delay rule judges on the
 * least RTT of the round (since the last judgement), as Vegas does: one
 * answer our own event loop handled late is not a queue at the registrar.
 * Slow start grows the window by one per answer and judges each on its
 * own (it ends early rather than late); afterwards the window moves by one per round (until a
 * request sent after the last judgement is answered). */
static int answered(struct sr_window *w, double sent_at, double now)
{
	double rtt = now - sent_at, queued;

	if (rtt <= 0)
		rtt = 1e-6;
	note_rtt(w, rtt, now);
	if (w->round_min <= 0 || rtt < w->round_min)
		w->round_min = rtt;
	if (w->slow_start && w->cwnd < w->ssthresh) {
		/* judged at every answer, on its own RTT: a round doubles */
		queued = w->cwnd * (1.0 - w->base_rtt / rtt);
		if (queued > SR_WINDOW_BETA) {
			w->ssthresh = w->cwnd; /* the knee: slow start ends */
			w->slow_start = 0;
			w->round_start = now;
			w->round_min = 0;
			clamp(w);
			return 2;
		}
		w->cwnd += 1.0;
		clamp(w);
		return 0;
	}
	if (sent_at < w->round_start)
		return 0;
	queued = w->cwnd * (1.0 - w->base_rtt / w->round_min);
	w->round_start = now;
	w->round_min = 0;
	if (queued < SR_WINDOW_ALPHA) {
		w->cwnd += 1.0;
	} else if (queued > SR_WINDOW_BETA) {
		w->cwnd -= 1.0;
	}
	clamp(w);
	return 0;
}

void sr_window_late(struct sr_window *w)
{
	if (w->inflight)
		w->inflight--;
	w->late++;
}

int sr_window_done(struct sr_window *w, enum sr_window_outcome o, double sent_at, double now)
{
	if (w->inflight)
		w->inflight--;
	return sr_window_done_late(w, o, sent_at, now);
}

int sr_window_done_late(struct sr_window *w, enum sr_window_outcome o, double sent_at, double now)
{
	if (o == SR_WIN_DROPPED || o == SR_WIN_RETRANSMITTED)
		return 0;
	if (o == SR_WIN_ANSWERED)
		return answered(w, sent_at, now);
	if (sent_at < w->last_cut)
		return 0; /* sent before the last cut: the same episode */
	w->ssthresh = w->cwnd / 2;
	w->cwnd = w->ssthresh;
	w->slow_start = 0;
	clamp(w);
	w->ssthresh = w->cwnd;
	w->last_cut = now;
	w->cuts++;
	return 1;
}
