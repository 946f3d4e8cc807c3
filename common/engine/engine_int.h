/* Inside the engine: one registration (struct sr_eng) and the functions its
 * files share. engine.c runs a registration's exchanges, stack.c makes the
 * Sofia-SIP stack it rides on, contact.c builds its Contact, keeper.c keeps
 * many of them on shared stacks for sipregwatch. Not for the tools. */
#ifndef SR_ENGINE_INT_H
#define SR_ENGINE_INT_H

#include <sofia-sip/nua.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/url.h>

#include "engine/engine.h"
#include "model/result.h"
#include "model/settings.h"
#include "proto/bindings.h"
#include "proto/challenge.h"
#include "proto/digest.h"
#include "proto/target.h"
#include "util/util.h"

enum state {
	ST_IDLE,
	ST_REGISTERING,
	ST_UNREGISTERING,
	ST_CLEANING, /* removing earlier bindings of our identity */
	ST_DONE,
};

/* A Sofia-SIP stack: a root, a nua on one socket. A one-shot run makes one
 * for its registration; the keeper shares one among the registrations that
 * agree on socket and stack settings. */
struct sr_stack {
	su_home_t home[1];
	su_root_t *root;
	int own_root; /* the root is the stack's, destroyed with it */
	nua_t *nua;
	url_t *default_contact; /* the stack's own Contact (host:port) */
	int ready;		/* nua answered its parameters */
	int shutdown_done;
	int shared;	  /* the keeper's: many registrations ride on it */
	unsigned ka_ms;	  /* CRLF keep-alive interval, 0: none */
	unsigned pong_ms; /* and how long a pong may take (0: not expected) */
};

/* One registration. */
struct sr_eng {
	su_home_t home[1];	/* what lives as long as the registration */
	su_home_t scratch[1];	/* what one of nua's events needs: emptied after it */
	struct sr_stack *stack; /* the stack it rides on */
	nua_handle_t *nh;
	const struct sr_reg *reg;
	const struct sr_run *run;
	struct sr_result *res;
	/* the target: whole while the registration is prepared and opened, then
	 * (sipregwatch, thousands of them) only the strings still needed */
	struct sr_target *t;
	const char *aor, *aor_user, *registrar, *host;
	enum sr_transport tp;
	struct sr_tunnel *tunnel; /* tls, ws, wss: what carries it (tunnel.c) */
	double t0;
	enum state state;
	url_t *our_contact;
	char *contact_hdr;		      /* "<uri>" as sent */
	int answered;			      /* challenges we answered */
	char *answered_realms[SR_MAX_REALMS]; /* the realms of those answers */
	size_t n_answered_realms;
	int renegotiated; /* 423s nua followed */
	int reanswered;	  /* stale challenges nua answered from the cache */
	int removing;	  /* sipunreg: the removal request is out */
	int sec_retried;  /* a 494 was answered once */
	char *call_id;	  /* to keep over a new client request */
	char *bearer;
	char expires[16];
	char *first_nonce;
	int nonce_reused;
	char *extra; /* extra headers, \r\n separated */
	struct sr_digest_policy policy;
	char *identity;		   /* sr_contact_identity(), or NULL */
	nua_handle_t *cleanup_nh;  /* removes earlier bindings of our identity */
	char *instance;		   /* urn:uuid: of +sip.instance, or NULL */
	char *mediasec;		   /* Security-Client/Require/Proxy-Require, \r\n separated */
	int plugin_answers0;	   /* the plugin's answer count at the start */
	struct sr_eng_hooks hooks; /* sipregwatch */
	int done_fired;
	int ever_answered; /* credentials were given on this handle once */
	int releasing;	   /* the 904 of a request we let go is expected */
	/* The keeper's registrations over UDP: a nua handle only while a
	 * request is out (REGISTER as nua_method(), no usage, our own refresh
	 * timer): at rest a registration costs nua nothing (docs/performance.md) */
	int transient;
	int held;			/* transient: a 2xx granted our binding, no removal since */
	char *who;			/* To and From of the handles */
	char *cred_keys[SR_MAX_REALMS]; /* ours in the digest plugin's registry */
	long retry_after;
	int outbound_dropped;	    /* a 439: registered again without reg-id (RFC 5626 4.2.1) */
	int nonce_retried;	    /* a new nonce after our answer was answered once */
	char *answered_nonce;	    /* the nonce of our last answer, as written */
	char *answered_nonce_realm; /* and its realm */
};

/* RFC 5626 4.4.1: no pong within 10 s and the flow is dead. */
#define SR_PONG_MS 10000

/* engine.c */
void sr_eng_on_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
		     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		     tagi_t tags[]);
/* Target, digest policy, the tunnel (tls, ws, wss), digest plugin: 0, or
 * -1 with the result set (rc_internal 1: the failure is ours, not the
 * settings'). No packet is sent. */
int sr_eng_prepare(struct sr_eng *e, double deadline, int *rc_internal);
/* A tunneled registration: the tunnel's checked connection up, on the
 * stack's loop: 0, or -1 with the result set. */
int sr_eng_tunnel_up(struct sr_eng *e, double deadline);
/* Our Contact, the local address, the handle and the header set. */
int sr_eng_open_handle(struct sr_eng *e);
void sr_eng_send_register(struct sr_eng *e, const char *more);
/* A transient registration's handle for its next request. */
nua_handle_t *sr_eng_handle(struct sr_eng *e);
/* A transient registration's REGISTER (nua_method(), no usage) with
 * Expires: expires and the extra headers. */
void sr_eng_register_transient(struct sr_eng *e, const char *expires, const char *extra);
void sr_eng_clear_bindings(struct sr_result *res);
/* A registration's engine before its stack (homes, settings, result
 * named); NULL when out of memory. */
struct sr_eng *sr_eng_new(const struct sr_reg *reg, const struct sr_run *run,
			  struct sr_result *res);
/* End the process without taking stacks down (bindings they keep stay). */
void sr_eng_exit_hard(void);
/* Milliseconds since e's request went out. */
static inline long sr_eng_ms_since(const struct sr_eng *e)
{
	return (long)((sr_now() - e->t0) * 1000 + 0.5);
}

/* unreg.c */
/* A REGISTER with Expires: 0 of these Contacts ("<uri>, <uri>" or "*"). */
void sr_eng_send_removal(struct sr_eng *e, const char *contacts);
/* sipunreg: a 2xx to the listing (pick ours, remove them) or to the
 * removal (check that they are gone). */
void sr_eng_on_unreg_2xx(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);
/* The answer to our own un-REGISTER: removed only when a 2xx no longer
 * lists our binding. */
void sr_eng_on_unregister(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);

/* auth.c */
/* Answer a 401/407 on handle nh, or set the result and return -1 (dry:
 * report only). */
int sr_eng_answer_challenge(struct sr_eng *e, nua_handle_t *nh, int status, sip_t const *sip,
			    int dry);
/* Forget the credentials filed with the digest plugin (wiped). */
void sr_eng_forget_credentials(struct sr_eng *e);
/* mediasec: the server's Security-Server values as our Security-Verify. */
const char *sr_eng_security_verify(struct sr_eng *e, sip_t const *sip);

/* response.c */
/* A Retry-After in seconds (at most a day), -1 when none. */
long sr_retry_after_of(sip_t const *sip);
/* A response the stack made up itself (timeout, transport or DNS error). */
int sr_eng_is_local_response(sip_t const *sip);
/* The status, reason, timing and Retry-After of a final response. */
void sr_eng_note_final(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);
/* The bindings of a 2xx, which is ours, the grant, outbound, GRUUs. */
void sr_eng_note_bindings(struct sr_eng *e, sip_t const *sip);
/* After a 2xx to our REGISTER: 1 when it lists a binding of ours with an
 * expiry above zero; else the result is not_bound and 0. */
int sr_eng_bound(struct sr_eng *e, int status);
/* The digest plugin's record of what it answered with, into the result. */
void sr_eng_note_auth_used(struct sr_eng *e);

/* stack.c */
/* The Route set and Supported list a stack is made with. */
void sr_stack_strings(struct sr_eng *e, char **route, char **supported);
/* CRLF keep-alives with pongs (RFC 5626 4.4.1): the keeper's registrations
 * over TCP, TLS, WS and WSS, outbound or not, when keep_alive_interval is
 * above 0 (the tunnel turns them into WebSocket pings). */
int sr_stack_wants_keepalive(const struct sr_eng *e, int shared);
/* A stack on root (NULL: a root of its own) for e's registration, its nua
 * started and its parameters read by deadline. NULL with the result set. */
struct sr_stack *sr_stack_open(su_root_t *root, int shared, struct sr_eng *e, double deadline);
/* Shut the stack's nua down by deadline: 0, or -1 when it did not finish. */
int sr_stack_shutdown(struct sr_stack *s, double deadline);
/* Free the stack (its root too when its own). */
void sr_stack_free(struct sr_stack *s);
/* Run root until done(arg) or deadline. */
void sr_step_until(su_root_t *root, int (*done)(const void *), const void *arg, double deadline);

/* contact.c */
/* The Contact URI parameter that carries a registration's identity. */
#define SR_ID_PARAM "sipreg-id"
/* The identity of e on this host (AOR, contact user, transport, our
 * address): 16 hex digits, or NULL with a configured contact_uri. */
const char *sr_contact_identity(struct sr_eng *e);
/* "urn:uuid:..." of our +sip.instance, or NULL when we send none. */
const char *sr_contact_instance(struct sr_eng *e);
/* Our Contact URI and header (e->our_contact, e->contact_hdr). 0 or -1. */
int sr_contact_build(struct sr_eng *e);
/* What makes a listed binding ours (bindings.c): our Contact, identity,
 * instance and reg-id. Every path that asks "is it ours" asks this. */
void sr_contact_self(struct sr_eng *e, struct sr_binding_self *self);

#endif
