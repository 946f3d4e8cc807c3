/* SPDX-License-Identifier: BSD-2-Clause */
/* Inside sipregwatch: the structs of its registrations (slots), their
 * registrar sets, the audits and the watch, shared by the files of watch/;
 * each file's functions are in its own header. */
#ifndef SR_WATCHDATA_H
#define SR_WATCHDATA_H

#include <stdio.h>

#include <jansson.h>
#include <sofia-sip/su_wait.h>

#include "engine/keeper.h"
#include "model/result.h"
#include "model/settings.h"
#include "proto/window.h"

struct sr_cli;

/* Where the watch writes and how fast it may go (sipregwatch's flags). */
struct sr_watch_opts {
	const char *events_file; /* NULL: stdout */
	const char *status_file;
	const char *prometheus_file;
	double shutdown_timeout; /* seconds */
	double max_rate;	 /* REGISTERs per second */
};

enum slot_state {
	S_WAITING, /* the random initial delay */
	S_QUEUED,  /* waiting for the rate limit */
	S_REGISTERING,
	S_REGISTERED,
	S_RETRY,    /* a retry is scheduled */
	S_REJECTED, /* nothing retries until a reload */
	S_UNREGISTERING,
	S_STOPPED,
};

struct sr_watch;

/* A registration's registrar set (watchfail.c). */
struct sr_fo {
	struct sr_strv uris; /* the servers, in the order they are tried */
	size_t cur;	     /* the one in use */
	size_t held;	     /* the one that holds the binding (of the last 2xx) */
	size_t tried;	     /* servers failed in a row since the last 2xx */
	int reopen;	     /* the engine is aimed at another server than cur */
	char *domain;	     /* SRV: the domain, which TLS checks (RFC 5922) */
	struct sr_reg eff;   /* the slot's settings aimed at cur */
};

struct sr_slot {
	struct sr_watch *w;
	struct sr_reg *reg;
	char *fingerprint;
	struct sr_eng *e;
	struct sr_result res;
	enum slot_state st;
	double since;
	double next_at;
	unsigned attempts;
	unsigned backoff;
	unsigned long failures_total;
	unsigned long registrations_total;
	unsigned long calls_total; /* calls to its Contact, answered 480 */
	double unreachable_since;  /* its registrar answers no audit since (wall clock), 0 */
	double last_success;	   /* wall clock of the last 2xx, 0: none yet */
	double lost_at;		   /* when its connection last ended under it */
	double failing_since;	   /* wall clock of the first failure since a 2xx, 0 */
	int ever_registered;
	int held_at_stop;	/* bound when the stop began: its removal is owed */
	int removed_at_stop;	/* and the registrar confirmed it */
	int unanswered_at_stop; /* its un-REGISTER went, no answer in time */
	int auth_retried;	/* refused credentials tried again since the last 2xx */
	long granted;
	double rtt;
	su_timer_t *timer;
	int removed;	 /* dropped by a reload: goes once un-registered */
	int in_window;	 /* a REGISTER of ours in flight: 1 counted in the window, 2 late (lost) */
	double sent_at;	 /* when it went (sr_now()) */
	size_t qidx;	 /* its place in the queue while S_QUEUED */
	int refresh_due; /* our own refresh deadline passed (docs/sofia-sip.md, 5) */
	/* wall clock until which the registrar holds the binding of our last 2xx,
	 * 0: none (not yet, lost, expired): a refresh in flight ends nothing */
	double bound_until;
	struct sr_fo *fo; /* its registrar set (watchfail.c), NULL: one registrar */
};

/* A registrar that lost its bindings (restarted without them, a location
 * table flushed) tells nobody over UDP. Every audit_interval the keeper
 * asks it for the bindings of one registered AOR, a REGISTER without
 * Contact that changes nothing, and sends every registration on that
 * registrar again when ours is missing. */
struct sr_audit {
	char *registrar;  /* Request-URI of the registrations it covers */
	double next;	  /* when the next query goes (sr_now()) */
	struct sr_eng *e; /* the query in flight */
	struct sr_result res;
	struct sr_run run; /* the watch's, as a listing (REGISTER without Contact) */
	char *own;	   /* the sentinel's binding as the registrar wrote it */
	int done;
	double unreachable_since; /* wall clock of the first unanswered query, 0: answers */
	int stalled;		  /* registrations there wait after getting no answer */
	int probe; /* the query in flight asks for a registration that holds nothing */
};

struct sr_watch {
	const char *tool;
	const struct sr_cli *cli;
	struct sr_run *run;
	const struct sr_watch_opts *opts;
	su_root_t *root;
	su_timer_t *tick;
	struct sr_slot **slots;
	size_t n;
	struct sr_slot **queue; /* FIFO: [qhead, qlen) waits; NULL: taken out */
	size_t qhead, qlen, qcap;
	struct sr_window win; /* REGISTERs in flight (window.h) */
	double tokens;
	double last_tick;
	FILE *events;
	int text;
	int dirty;
	double last_written;
	int stopping;
	int pending_removal; /* a reload removed slots still un-registering */
	double stop_deadline;
	int done;
	int in_tick; /* a new stack's start runs the loop inside tick_cb */
	int kick;    /* a REGISTER ended: what waits may go after this step */
	/* the keeper's own counters (metrics) */
	unsigned long refreshes_total;
	unsigned long stop_held; /* bindings held when the stop began */
	unsigned long failures_by_word[SR_W_COUNT];
	unsigned long events_dropped;
	unsigned long events_unflushed; /* written to the FILE since its last flush */
	double started;			/* wall clock */
	char shard_label[48];		/* ",shard=\"K/N\"" or "" */
	struct sr_http *http;		/* --metrics-listen, or NULL */
	struct sr_audit **audits;	/* each apart: a query in flight points at its own */
	size_t n_audits;
	double next_expiry; /* the earliest bound_until of a refresh in flight, 0 */
	/* queue s for a REGISTER under the rate limit and the window: the
	 * loop's, handed down to the audits and the failover */
	void (*enqueue)(struct sr_slot *s);
};

#endif
