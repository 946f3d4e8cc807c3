/* SPDX-License-Identifier: BSD-2-Clause */
/* One run of a one-shot tool: a registration's attempt on a stack of its
 * own, failing over between servers, within the run's deadline. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/nua_tag.h>

#include "engine/engdata.h"
#include "engine/engine.h"
#include "engine/engine_int.h"
#include "engine/oneshot.h"
#include "engine/stack.h"
#include "proto/registrars.h"
#include "tunnel/tunnel.h"
#include "util/log.h"
#include "util/util.h"

/* sipauthcheck: what the server does that it should not. */
static void authcheck_warnings(struct sr_eng *e, int status)
{
	struct sr_result *res = e->res;
	size_t i;
	int md5_only = res->n_auth_offered > 0;

	for (i = 0; i < res->n_auth_offered; i++) {
		const char *a = res->auth_offered[i].algorithm;

		if (res->auth_offered[i].scheme &&
		    strcasecmp(res->auth_offered[i].scheme, "Digest"))
			continue;
		if (a && strncasecmp(a, "MD5", 3))
			md5_only = 0;
	}
	if (md5_only && e->tp != SR_TP_TLS && e->tp != SR_TP_WSS) {
		char buf[160];

		snprintf(buf, sizeof buf,
			 "the server offers only MD5 digest over %s: the exchange "
			 "can be attacked offline",
			 sr_transport_name(e->tp));
		sr_strv_add(&res->warnings, buf);
	}
	if (e->nonce_reused)
		sr_strv_add(&res->warnings, "the server reused a nonce in a new challenge");
	if (e->answered && (status == 403 || status == 404)) {
		char buf[200];

		snprintf(buf, sizeof buf,
			 "the server answered our credentials with %d instead of a "
			 "new challenge: it may tell users and passwords apart "
			 "(user enumeration)",
			 status);
		sr_strv_add(&res->warnings, buf);
	}
}

static int run_done(const void *arg)
{
	const struct sr_eng *e = arg;

	return e->state == ST_DONE;
}

static int attempt(const struct sr_reg *reg, const struct sr_run *run, double deadline,
		   struct sr_result *res)
{
	struct sr_eng *e;
	int keep = 0, rc = 0;

	e = sr_eng_new(reg, run, res);
	if (!e)
		return -1;
	if (sr_eng_prepare(e, deadline, &rc) < 0)
		goto out;
	e->stack = sr_stack_open(NULL, 0, e, deadline);
	if (!e->stack)
		goto out;
	if (sr_eng_tunnel_up(e, deadline) < 0)
		goto teardown;
	if (sr_eng_open_handle(e) < 0) {
		rc = -1;
		goto teardown;
	}
	sr_eng_send_register(e, NULL);
	sr_step_until(e->stack->root, run_done, e, deadline);
	if (e->bearer)
		explicit_bzero(e->bearer, strlen(e->bearer));
	if (run->mode == SR_MODE_AUTHCHECK && e->state == ST_DONE)
		authcheck_warnings(e, res->status);
	if (e->state == ST_REGISTERING) {
		sr_result_fail(res, SR_W_TIMEOUT, "no answer from %s within %.1f s", e->registrar,
			       run->timeout);
	} else if (e->state == ST_CLEANING) {
		/* registered; the removal of the earlier bindings is unanswered */
		sr_strv_add(&res->warnings, "the removal of earlier bindings of ours got no answer "
					    "in time");
		res->replaced = 0;
	} else if (e->state == ST_UNREGISTERING) {
		sr_result_fail(
		    res, SR_W_TIMEOUT,
		    "registered, but the un-REGISTER got no answer in time: the binding may "
		    "stay until it expires in %ld s",
		    res->expires_granted);
	}
	res->t_total = sr_eng_ms_since(e);

teardown:
	/* A kept binding: the stack must not run its teardown, which would
	 * un-REGISTER (docs/sofia-sip.md, 7). So also after a timeout in register mode:
	 * we do not remove what we may have created unasked. */
	if (run->mode == SR_MODE_REGISTER || e->state == ST_UNREGISTERING) {
		keep = 1;
		sr_eng_exit_hard();
		goto out;
	}
	sr_eng_drop_handle(&e->nh);
	if (sr_stack_shutdown(e->stack, deadline + 0.8) < 0) {
		keep = 1;
		sr_eng_exit_hard();
		goto out;
	}
	/* the tunnel leaves the stack's loop before the loop goes */
	sr_tunnel_put(e->tunnel);
	e->tunnel = NULL;
	sr_stack_free(e->stack);
	e->stack = NULL;
out:
	if (res->t_total < 0)
		res->t_total = sr_eng_ms_since(e);
	if (!keep) {
		sr_tunnel_put(e->tunnel);
		su_home_deinit(e->scratch);
		su_home_deinit(e->home);
		free(e);
	}
	/* else: e and the stack stay until sr_engine_exit() */
	return rc;
}

int sr_engine_run(const struct sr_reg *reg, const struct sr_run *run, double deadline,
		  struct sr_result *res)
{
	struct sr_reg copy;
	size_t order[64], n, i;
	struct sr_strv tried = {NULL, 0, 0};
	int rc = 0;

	if (reg->servers.n == 0)
		return attempt(reg, run, deadline, res);
	/* JsSIP's sockets: the highest weight first, random among equals */
	n = sr_servers_order(&reg->servers, order, 64);
	for (i = 0; i < n; i++) {
		const char *uri = reg->servers.v[order[i]].uri;
		double left = deadline - sr_now(), until;
		char line[600];

		if (left <= 0 && i > 0)
			break;
		/* share what is left among the servers still to try */
		until = i + 1 < n ? sr_now() + left / (double)(n - i) : deadline;
		sr_reg_at_server(&copy, reg, uri);
		if (i > 0) {
			sr_result_free(res);
			sr_result_init(res);
		}
		rc = attempt(&copy, run, until, res);
		sr_setstr(&res->target, uri);
		snprintf(line, sizeof line, "%s: %s%s%s", uri, sr_word_name(res->word),
			 res->status ? " " : "", res->status ? res->reason ? res->reason : "" : "");
		sr_strv_add(&tried, line);
		if (!sr_failover_worthy(res))
			break;
		if (i + 1 < n)
			sr_debug(1, "%s failed (%s): trying the next server", uri,
				 sr_word_name(res->word));
	}
	sr_strv_free(&res->servers_tried);
	res->servers_tried = tried;
	return rc;
}
