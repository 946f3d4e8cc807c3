/* SPDX-License-Identifier: BSD-2-Clause */
/* The result model: what one registration's run found out. Renderers in
 * output.c show these facts and nothing else. */
#ifndef SR_RESULT_H
#define SR_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/exitcode.h"
#include "model/settings.h"

struct sr_binding {
	char *uri;
	long expires; /* -1 when the registrar gave none */
	char *q;
	char *instance;
	char *reg_id;
	bool own;
};

/* One challenge the server offered, as reported. */
struct sr_offer_rec {
	char *scheme;
	char *realm;
	char *algorithm; /* NULL: none given (MD5 for Digest) */
	char *qop;
	bool stale;
};

struct sr_result {
	char *name;
	char *aor;
	char *registrar;
	enum sr_transport transport;
	enum sr_mode mode;
	enum sr_word word;
	int status; /* final response status, 0 when none came */
	char *reason;
	char *contact;		/* what we sent; NULL for --list-bindings */
	long expires_requested; /* -1: none */
	long expires_granted;	/* -1: none */
	long min_expires;	/* from a 423, -1: none */
	struct sr_binding *bindings;
	size_t n_bindings;
	struct sr_strv service_route;
	struct sr_strv path;
	char *line;   /* our ;line= token */
	char *target; /* the server of servers: that answered (or failed last) */
	struct sr_strv servers_tried;
	char *gruu_pub;
	char *gruu_temp;
	bool outbound;		/* RFC 5626: the 2xx had Require: outbound */
	long flow_timer;	/* its Flow-Timer, -1: none */
	char *outbound_dropped; /* why we registered again without outbound (a 439), or NULL */
	char *server;
	char *cert_subject;    /* the registrar's TLS certificate (tls, wss), or NULL */
	double cert_not_after; /* its notAfter (Unix time), 0: none */
	char *auth_scheme;
	char *auth_realm;
	char *auth_algorithm;
	char *auth_qop;
	int auth_rounds;
	struct sr_offer_rec *auth_offered;
	size_t n_auth_offered;
	long t_total;	/* ms; -1: none */
	long t_first;	/* ms to the first response; -1: none */
	long t_final;	/* ms to the final response; -1: none */
	int requests;	/* REGISTERs sent */
	int t0_refresh; /* sipregwatch: the last answer was to the stack's refresh */
	char *local_address;
	char *received; /* address the server saw (received/rport) */
	char *error;
	struct sr_strv removed;	 /* sipunreg: the bindings we asked to remove */
	int replaced;		 /* register: earlier bindings of our identity removed */
	struct sr_strv warnings; /* sipauthcheck: what the server does that it should not */
	/* --probe: the removal of our binding */
	bool unreg_tried;
	int unreg_status;
	char *unreg_reason;
	bool unreg_left; /* its 2xx still lists our binding with an expiry above 0 */
};

void sr_result_init(struct sr_result *res);
void sr_result_free(struct sr_result *res);
/* Free the bindings only (a new answer replaces them). */
void sr_result_clear_bindings(struct sr_result *res);
/* Set the result word and, if msg is not NULL, the error message (printf). */
void sr_result_fail(struct sr_result *res, enum sr_word w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sr_result_ok(const struct sr_result *res);
/* The removal of our binding (--probe, sipregwatch's stop) was answered
 * 2xx and that answer no longer lists our binding. */
int sr_result_unreg_removed(const struct sr_result *res);
int sr_result_exit(const struct sr_result *res);
/* Record an offered challenge unless the same one is there already. */
int sr_result_add_offer(struct sr_result *res, const char *scheme, const char *realm,
			const char *algorithm, const char *qop, bool stale);

#endif
