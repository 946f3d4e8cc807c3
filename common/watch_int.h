/* Inside sipregwatch: its registrations (slots), audits and the watch, for
 * watch.c (the keeping) and watchout.c (events, status file, metrics). */
#ifndef SR_WATCH_INT_H
#define SR_WATCH_INT_H

#include <stdio.h>

#include <jansson.h>
#include <sofia-sip/su_wait.h>

#include "keeper.h"
#include "result.h"
#include "settings.h"
#include "watch.h"
#include "window.h"

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

/* The state names of the events, status file and metrics. */
extern const char *const sr_watch_state_names[];

struct watch;

struct slot {
	struct watch *w;
	struct sr_reg *reg;
	char *fingerprint;
	struct eng *e;
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
	double failing_since;	   /* wall clock of the first failure since a 2xx, 0 */
	int ever_registered;
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
struct audit {
	char *registrar; /* Request-URI of the registrations it covers */
	double next;	 /* when the next query goes (sr_now()) */
	struct eng *e;	 /* the query in flight */
	struct sr_result res;
	struct sr_run run; /* the watch's, as a listing (REGISTER without Contact) */
	char *own;	   /* the sentinel's binding as the registrar wrote it */
	int done;
	double unreachable_since; /* wall clock of the first unanswered query, 0: answers */
	int stalled;		  /* registrations there wait after getting no answer */
	int probe; /* the query in flight asks for a registration that holds nothing */
};

struct watch {
	const char *tool;
	const struct sr_cli *cli;
	struct sr_run *run;
	const struct sr_watch_opts *opts;
	su_root_t *root;
	su_timer_t *tick;
	struct slot **slots;
	size_t n;
	struct slot **queue; /* FIFO: [qhead, qlen) waits; NULL: taken out */
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
	unsigned long failures_by_word[SR_W_COUNT];
	unsigned long events_dropped;
	double started;	       /* wall clock */
	char shard_label[48];  /* ",shard=\"K/N\"" or "" */
	struct sr_http *http;  /* --metrics-listen, or NULL */
	struct audit **audits; /* each apart: a query in flight points at its own */
	size_t n_audits;
	double next_expiry; /* the earliest bound_until of a refresh in flight, 0 */
};

/* watch.c, for watchaudit.c */
void sr_watch_enqueue(struct slot *s);
const char *sr_watch_own_binding(const struct slot *s);
/* A registration that holds a binding at registrar (not one a reload
 * dropped). */
int sr_watch_holds_at(const struct slot *s, const char *registrar);

/* watchaudit.c: the audits of the registrars */
void sr_watch_audit_note(struct slot *s);
/* A failure of s without any answer (a timeout, no connection): its
 * registrar is noted as stalled. */
void sr_watch_no_answer(struct slot *s);
/* s got an answer from its registrar: the registrations waiting there
 * after no answer go at once (through the queue). */
void sr_watch_answered(struct slot *s);
void sr_watch_audits_run(struct watch *w, double now);
void sr_watch_audits_drop(struct watch *w);
/* A registration leaves S_REGISTERED (a refresh, a retry): its binding is
 * watched until it is renewed or expires. */
void sr_watch_expiry_note(struct slot *s);
/* Each tick: the bindings whose expiry passed without a renewal end
 * (event "expired"); wall: sr_wall_now(). */
void sr_watch_expiry_run(struct watch *w, double wall);

/* watchout.c: the status file and the metrics can be written where they
 * are asked for: 0, or -1 with the reason on stderr. */
int sr_watch_files_check(const char *tool, const struct sr_watch_opts *opts);
/* What a report shows of a slot at wall-clock time wall: a registration
 * whose binding still holds is registered, whatever refresh is on its way;
 * refreshing says that one is. */
enum slot_state sr_watch_shown_state(const struct slot *s, double wall);
int sr_watch_refreshing(const struct slot *s, double wall);

/* A point in time for an event, in the form of its "ts" (ISO 8601, UTC,
 * milliseconds); null for 0 (never). */
json_t *sr_watch_time(double wall);
/* One event: a JSON line, or a text line with -o text; "name" is null for
 * the process's own events (s NULL). fields: a JSON object, stolen. */
void sr_watch_emit(struct watch *w, const char *event, const struct slot *s, json_t *fields);
/* The status file and the Prometheus metrics, each replaced atomically. */
void sr_watch_write_files(struct watch *w);
/* The status JSON and the metrics (text exposition 0.0.4) into f. */
void sr_watch_status_json(struct watch *w, FILE *f);
void sr_watch_metrics(struct watch *w, FILE *f);

#endif
