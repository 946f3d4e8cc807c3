/* SPDX-License-Identifier: BSD-2-Clause */
/* The Sofia-SIP stack a registration rides on: its socket, Route, TLS
 * settings, keep-alives and timers. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/tport_tag.h>

#include "engine/engdata.h"
#include "engine/engine_int.h"
#include "engine/stack.h"
#include "tunnel/hepout.h"
#include "util/util.h"

/* The Route set and Supported list a stack is made with: what decides
 * whether two registrations can share one (group_key). */
void sr_stack_strings(struct sr_eng *e, char **route, char **supported)
{
	const struct sr_reg *reg = e->reg;

	*route = NULL;
	if (reg->outbound_proxy)
		*route = su_sprintf(e->home, "<%s%s>", reg->outbound_proxy,
				    strstr(reg->outbound_proxy, ";lr") ? "" : ";lr");
	else if (reg->use_preloaded_route)
		/* JsSIP: a Route to the server we connect to on every request */
		*route = su_sprintf(e->home, "<%s;lr>", e->registrar);
	/* nua's default claims timer, 100rel and path: say only what is true */
	*supported = su_sprintf(e->home, "%s%s%s%s%s", reg->support_path ? "path" : "",
				reg->support_path && reg->support_outbound ? ", " : "",
				reg->support_outbound ? "outbound" : "",
				(reg->support_path || reg->support_outbound) &&
					(reg->instance_id || reg->support_outbound)
				    ? ", "
				    : "",
				reg->instance_id || reg->support_outbound ? "gruu" : "");
}

/* CRLF keep-alives with pongs on every stream connection of the keeper,
 * outbound or not: a connection that goes silent (a NAT or firewall that
 * forgot the flow: no FIN, no RST) is noticed only by an answer that does
 * not come (docs/transports.md, "Dead connections"). */
int sr_stack_wants_keepalive(const struct sr_eng *e, int shared)
{
	return shared && e->reg->keep_alive_interval && e->tp != SR_TP_UDP && e->tp != SR_TP_AUTO;
}

/* The nua of st for e's registration: the stack's events reach st. */
static nua_t *create(struct sr_stack *st, struct sr_eng *e, double deadline)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	char *route = NULL, *supported = NULL;
	unsigned t1x64;
	nua_t *nua;

	sr_stack_strings(e, &route, &supported);
	if (sr_stack_wants_keepalive(e, st->shared)) {
		/* a CRLF ping at 80-100 % of the interval (RFC 5626 4.4.1); no
		 * pong within 10 s and nta closes the connection, nua's
		 * registrations on it send again at once on a new one
		 * (docs/sofia-sip.md, 23) */
		st->ka_ms =
		    (unsigned)(reg->keep_alive_interval * 1000.0 * (0.8 + 0.2 * sr_rand01()));
		st->pong_ms = SR_PONG_MS;
	}
	t1x64 = (unsigned)((deadline - sr_now()) * 1000);
	if (t1x64 > 32000)
		t1x64 = 32000;
	if (t1x64 < 500)
		t1x64 = 500;
	nua = nua_create(
	    st->root, sr_eng_on_event, (nua_magic_t *)st, NUTAG_URL(e->t->bind_url),
	    /* the first hop the target chose (a server, the outbound proxy,
	     * or the tunnel to either), whatever the Route says: without it
	     * nua sends to the Route itself, over its own TCP or a TLS it has
	     * not bound (docs/transports.md) */
	    TAG_IF(e->t->proxy[0], NUTAG_PROXY(e->t->proxy)),
	    SIPTAG_USER_AGENT_STR(reg->user_agent ? reg->user_agent
						  : PACKAGE_NAME "/" PACKAGE_VERSION),
	    NUTAG_MAX_RETRY_AFTER(0), NUTAG_OUTBOUND("no-validate no-options-keepalive no-natify"),
	    /* nua's default claims timer, 100rel and path: say only what is true */
	    SIPTAG_SUPPORTED_STR(supported), NUTAG_PATH_ENABLE(reg->support_path),
	    TAG_IF(route, NUTAG_INITIAL_ROUTE_STR(route)), NUTAG_KEEPALIVE(0),
	    NTATAG_SIP_T1X64(t1x64), NTATAG_UDP_MTU(65535),
	    /* registrations only: no SDP offer/answer engine per handle */
	    NUTAG_MEDIA_ENABLE(0), NUTAG_ENABLEINVITE(1), NUTAG_ENABLEMESSAGE(0),
	    /* calls reach us to be answered 480 (engine.c); Allow says what we
	     * take: nua's default claims MESSAGE, REFER, ... BYE is in it so
	     * that nua answers a BYE of no dialog 481 (RFC 3261 15.1.2), not 405 */
	    NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
	    SIPTAG_ALLOW_STR("INVITE, ACK, CANCEL, OPTIONS, BYE"),
	    /* the keeper finishes thousands of transactions a second: let
	     * them go after 10 ms instead of T4's 5 s. Timer K (and I) only
	     * absorb retransmitted responses (ACKs), which nta then drops as
	     * strays; at 10,000 a second, 5 s of finished REGISTERs and their
	     * answers were most of the keeper's peak memory
	     * (docs/sofia-sip.md, 20) */
	    TAG_IF(st->shared, NTATAG_SIP_T4(10)),
	    /* the keeper's connections stay while registrations at rest (no
	     * handle, no transaction) ride on them: nta would close one idle
	     * for 30 minutes, and a grant of an hour is refreshed after 48 */
	    TAG_IF(st->shared, TPTAG_IDLE(UINT_MAX)),
	    /* A closed connection is an error for what waits on it. Set on the
	     * stack, nua's own TPTAG_SDWN_ERROR(1) on a registration's
	     * connection changes nothing, so the connection keeps sharing the
	     * stack's parameters and a later nua_set_params() (a Flow-Timer,
	     * pongs not expected) reaches it. */
	    /* a tunnel ends nua's connection when its own fails: that is an
	     * error at once, for the one-shot tools too */
	    TAG_IF(st->shared || e->t->tunneled, TPTAG_SDWN_ERROR(1)),
	    TAG_IF(st->ka_ms, TPTAG_KEEPALIVE(st->ka_ms)),
	    TAG_IF(st->ka_ms, TPTAG_PINGPONG(st->pong_ms)),
	    /* a tunnel traces the messages as they go on the wire */
	    TPTAG_LOG(run->verbose >= 2 && !e->t->tunneled),
	    /* HEP: Sofia dumps what it sends and receives into our pipe; a
	     * tunnel captures its own messages, with the outer addresses */
	    TAG_IF(sr_hep_on() && !e->t->tunneled, TPTAG_DUMP(sr_hep_dump_path())),
	    /* SIPREG_RESOLV_CONF: a resolv.conf for SIP's DNS (NAPTR, SRV),
	     * e.g. a test's own name server on another port ("port N") */
	    TAG_IF(getenv("SIPREG_RESOLV_CONF"), SRESTAG_RESOLV_CONF(getenv("SIPREG_RESOLV_CONF"))),
	    TAG_END());
	if (nua && sr_hep_on() && !e->t->tunneled)
		sr_hep_adopt();
	return nua;
}

void sr_step_until(su_root_t *root, int (*done)(const void *), const void *arg, double deadline)
{
	while (!done(arg)) {
		double left = deadline - sr_now();

		if (left <= 0)
			break;
		su_root_step(root, (su_duration_t)(left * 1000) + 1);
	}
}

static int ready(const void *arg)
{
	return ((const struct sr_stack *)arg)->ready;
}

static int shut(const void *arg)
{
	return ((const struct sr_stack *)arg)->shutdown_done;
}

struct sr_stack *sr_stack_open(su_root_t *root, int shared, struct sr_eng *e, double deadline)
{
	struct sr_stack *st = calloc(1, sizeof *st);

	if (!st) {
		sr_result_fail(e->res, SR_W_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	su_home_init(st->home);
	st->shared = shared;
	st->root = root;
	if (!root) {
		st->root = su_root_create(st);
		st->own_root = 1;
		if (!st->root) {
			sr_result_fail(e->res, SR_W_INTERNAL_ERROR, "cannot create the event loop");
			goto fail;
		}
		su_root_threading(st->root, 0);
	}
	st->nua = create(st, e, deadline);
	if (!st->nua) {
		sr_result_fail(e->res, SR_W_TRANSPORT_ERROR, "cannot open a %s socket on %s",
			       sr_transport_name(e->tp), e->t->bind_url);
		goto fail;
	}
	nua_get_params(st->nua, TAG_ANY(), TAG_END());
	sr_step_until(st->root, ready, st, deadline);
	if (!st->ready) {
		sr_result_fail(e->res, SR_W_TIMEOUT, "the SIP stack did not start in time");
		if (sr_stack_shutdown(st, sr_now() + 0.8) == 0)
			goto fail;
		sr_eng_exit_hard(); /* nua still runs: it cannot be destroyed */
		return NULL;
	}
	return st;
fail:
	sr_stack_free(st);
	return NULL;
}

int sr_stack_shutdown(struct sr_stack *st, double deadline)
{
	nua_shutdown(st->nua);
	sr_step_until(st->root, shut, st, deadline);
	return st->shutdown_done ? 0 : -1;
}

void sr_stack_free(struct sr_stack *st)
{
	if (!st)
		return;
	if (st->nua)
		nua_destroy(st->nua);
	if (st->own_root && st->root)
		su_root_destroy(st->root);
	su_home_deinit(st->home);
	free(st);
}
