/* SPDX-License-Identifier: BSD-2-Clause */
/* Inside the engine: one registration (struct sr_eng) and the stack it
 * rides on (struct sr_stack), shared by the files of engine/; each file's
 * functions are in its own header (engine_int.h for engine.c's). Not for
 * the tools. */
#ifndef SR_ENGDATA_H
#define SR_ENGDATA_H

#include <sofia-sip/nua.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/url.h>

#include "model/result.h"
#include "model/settings.h"
#include "proto/bindings.h"
#include "proto/challenge.h"
#include "proto/digest.h"
#include "proto/target.h"
#include "util/util.h"

/* sipregwatch's hooks on a registration of the keeper (keeper.h). */
struct sr_eng_hooks {
	/* a request of ours got its final answer (res says what) */
	void (*done)(void *arg);
	/* the stack refreshed on its own (or lost the connection and
	 * re-registered): status and res tell the outcome */
	void (*refresh)(void *arg, int status);
	/* the connection a registration without a handle rode on ended: its
	 * binding has to be made again on a new one */
	void (*lost)(void *arg);
	void *arg;
};

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
	/* the keeper's registrations without a handle on a tunnel (keeper.c) */
	struct sr_eng *tun_next, **tun_prev;
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
	int flow_ended;			/* the tunnel's connection ended while a REGISTER was out */
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

/* Milliseconds since e's request went out. */
static inline long sr_eng_ms_since(const struct sr_eng *e)
{
	return (long)((sr_now() - e->t0) * 1000 + 0.5);
}

#endif
