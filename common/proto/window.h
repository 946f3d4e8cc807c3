/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's congestion control: how many REGISTERs may be in flight at
 * once (SIPp's -l, made adaptive). Slow start, then a delay-based rule as in
 * TCP Vegas: the requests queued at the registrar, window x (1 - base RTT /
 * RTT), are kept between alpha and beta; and a multiplicative cut on a sign
 * of overload (no answer in time, 503, Retry-After), once per episode.
 * Random loss is not such a sign: an answer a retransmission carried gives
 * no RTT sample (Karn's rule), and a request late by far more than the
 * answers take is counted lost, out of the window, as TCP's pipe leaves
 * out lost segments (RFC 6675). Pure: the watch tells it what was sent and
 * how each ended. */
#ifndef SR_WINDOW_H
#define SR_WINDOW_H

struct sr_window {
	double cwnd;	 /* the window: requests allowed in flight */
	double ssthresh; /* slow start below it, while slow_start */
	int slow_start;	 /* 1 until the first queueing or loss */
	unsigned inflight;
	unsigned min, max;
	double last_cut; /* when the window was last cut (a congestion episode) */
	unsigned long cuts;
	double base_rtt; /* the least RTT of this epoch and the last */
	double epoch_min, prev_min;
	double epoch_start;
	double rtt;	    /* the last one */
	double srtt;	    /* the smoothed RTT of the answers (RFC 6298's 1/8) */
	unsigned long late; /* requests counted lost while unanswered */
	double round_start; /* the delay rule's last judgement */
	double round_min;   /* the least RTT since */
};

enum sr_window_outcome {
	SR_WIN_ANSWERED,  /* a final answer that says nothing of overload */
	SR_WIN_CONGESTED, /* no answer in time, 503, or a Retry-After */
	SR_WIN_DROPPED,	  /* ended without an outcome (a reload, a stop) */
	/* answered over UDP after SR_WINDOW_KARN or more: a retransmission
	 * carried it. Karn's rule: no RTT sample; and random loss alone is no
	 * sign of overload, so the window is left as it is */
	SR_WIN_RETRANSMITTED,
};

/* Queued requests (window x (1 - base/RTT)) below which the window grows,
 * above which it shrinks; and the epoch of the base RTT. Not Vegas's 2
 * and 6, which are meant for one router's queue: a registrar works on
 * many requests at once (Kamailio's workers, Asterisk's thread pool), and
 * every exchange here also waits for a process to wake. With 2 and 6 the
 * window stayed near 10, and 100,000 over WSS went at 0.75 of UDP's rate
 * in the same run; with 8 and 24 at 0.98-1.25 (docs/performance.md). */
#define SR_WINDOW_ALPHA 8.0
#define SR_WINDOW_BETA 24.0
#define SR_WINDOW_EPOCH 10.0
/* SIP's T1: over UDP an exchange that took this long was retransmitted. */
#define SR_WINDOW_KARN 0.5
/* The least wait before an unanswered request counts lost (a registrar on
 * loopback answers in a millisecond). */
#define SR_WINDOW_LATE_MIN 0.1

void sr_window_init(struct sr_window *w, unsigned initial, unsigned min, unsigned max);
/* Room for one more request now? */
int sr_window_open(const struct sr_window *w);
void sr_window_sent(struct sr_window *w);
/* A request sent at sent_at has ended now. One congestion episode cuts the
 * window once: a loss of a request sent before the last cut is part of
 * the episode that cut it. Returns 1 when the window was cut, 2 when slow
 * start ended (the registrar began to queue), else 0. */
int sr_window_done(struct sr_window *w, enum sr_window_outcome o, double sent_at, double now);
/* How long a request may stay unanswered before it is counted lost: four
 * smoothed RTTs (a registrar that answers slowly queues its requests, it
 * does not lose them), and never less than SR_WINDOW_LATE_MIN. */
double sr_window_late_after(const struct sr_window *w);
/* A request still unanswered after sr_window_late_after(): it leaves the
 * window (its retransmissions load nobody), and its end later is told with
 * sr_window_done_late(). */
void sr_window_late(struct sr_window *w);
/* The end of a request counted late: like sr_window_done() (a timeout or a
 * 503 still cuts) without taking it from the requests in flight again. */
int sr_window_done_late(struct sr_window *w, enum sr_window_outcome o, double sent_at, double now);

#endif
