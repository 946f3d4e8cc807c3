/* SPDX-License-Identifier: BSD-2-Clause */
/* The keeper's side of the engine (sipregwatch): many registrations on
 * one event loop, sharing a nua per socket and stack settings. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sofia-sip/nua_tag.h>

#include "engine/auth.h"
#include "engine/engdata.h"
#include "engine/engine_int.h"
#include "engine/keeper.h"
#include "engine/stack.h"
#include "proto/digest.h"
#include "tunnel/tunnel.h"
#include "util/log.h"
#include "util/util.h"

double sr_eng_keep_alive(const struct sr_eng *e)
{
	return e && e->stack ? e->stack->ka_ms / 1000.0 : 0;
}

struct group {
	char key[1024];
	struct sr_stack *st;
	unsigned refs; /* registrations (and audits) open on it */
	struct group *next;
};

static struct group *g_groups;
/* Stacks whose last registration was closed: shutting down, destroyed by
 * sr_eng_reap_stacks() once done (docs/sofia-sip.md, 24). */
static struct group *g_closing;

/* One registration less on gr: the last one shuts its stack down (a
 * reload removed every registration on it). */
static void group_put(struct group *gr)
{
	struct group **pp;

	if (!gr || --gr->refs)
		return;
	for (pp = &g_groups; *pp; pp = &(*pp)->next)
		if (*pp == gr) {
			*pp = gr->next;
			break;
		}
	sr_debug(1, "no registration left on the stack of %s: it shuts down", gr->key);
	nua_shutdown(gr->st->nua);
	gr->next = g_closing;
	g_closing = gr;
}

static struct group *group_of(const struct sr_stack *st)
{
	struct group *gr;

	for (gr = g_groups; gr; gr = gr->next)
		if (gr->st == st)
			return gr;
	return NULL;
}

void sr_eng_reap_stacks(void)
{
	struct group **pp = &g_closing;

	while (*pp) {
		struct group *gr = *pp;

		if (!gr->st->shutdown_done) {
			pp = &gr->next;
			continue;
		}
		*pp = gr->next;
		sr_stack_free(gr->st);
		free(gr);
	}
}

/* What a nua is made of: registrations that agree share one. */
static void group_key(struct sr_eng *e, char *key, size_t len)
{
	const struct sr_reg *r = e->reg;
	char *route, *supported;

	/* the very strings sr_stack_open() gives the stack, so that a
	 * registration never rides on a stack made for another Route */
	sr_stack_strings(e, &route, &supported);
	snprintf(key, len, "%s|%s|%s|%s|%d|%s|%u", e->t->bind_url, e->t->proxy, route ? route : "",
		 supported, r->support_path, r->user_agent ? r->user_agent : "",
		 sr_stack_wants_keepalive(e, 1) ? r->keep_alive_interval : 0);
}

/* Keep of the target only what a running registration still uses: the
 * whole is almost 3 KB, and sipregwatch holds thousands. */
static void detach_target(struct sr_eng *e)
{
	e->aor = su_strdup(e->home, e->aor);
	e->aor_user = su_strdup(e->home, e->aor_user);
	e->registrar = su_strdup(e->home, e->registrar);
	e->host = su_strdup(e->home, e->host);
	su_free(e->home, e->t);
	e->t = NULL;
}

/* A registration over UDP, or over a tunnel (tcp, tls, ws, wss): nua's
 * handle is needed only while a request is out. The connection stays
 * without it: the stack never closes an idle one, keeps it alive with its
 * keep-alives, and the tunnel says when it ends (tunnel_dropped). Every
 * registration over TCP goes through the tunnel: its first hop is always
 * the stack's proxy (stack.c), so none rides on Sofia's own TCP, where a
 * handle's usage would be needed to hear of a closed connection. The
 * audit's queries (REGISTER without Contact) keep theirs. */
static int is_transient(const struct sr_eng *e)
{
	const char *p = strstr(e->t->proxy, "transport=");

	if (e->run->mode != SR_MODE_REGISTER)
		return 0;
	if (e->t->tunneled)
		return 1;
	return e->tp == SR_TP_UDP && (!p || !strncasecmp(p + 10, "udp", 3));
}

/* The keeper's registrations without a handle on a tunnel, for the drop
 * hook: an ended connection is news only to them. */
static struct sr_eng *g_tunneled;

static void tunneled_add(struct sr_eng *e)
{
	e->tun_next = g_tunneled;
	if (g_tunneled)
		g_tunneled->tun_prev = &e->tun_next;
	g_tunneled = e;
	e->tun_prev = &g_tunneled;
}

static void tunneled_remove(struct sr_eng *e)
{
	if (!e->tun_prev)
		return;
	*e->tun_prev = e->tun_next;
	if (e->tun_next)
		e->tun_next->tun_prev = e->tun_prev;
	e->tun_prev = NULL;
	e->tun_next = NULL;
}

/* A connection of t ended: each registration at rest on it registers again
 * (one with a REGISTER out hears of it from its transaction). */
static void tunnel_dropped(struct sr_tunnel *t)
{
	struct sr_eng *e, *next;

	for (e = g_tunneled; e; e = next) {
		next = e->tun_next;
		if (e->tunnel != t || !e->hooks.lost)
			continue;
		if (e->state == ST_DONE && e->held) {
			sr_debug(1, "%s: the connection to %s ended: registering again",
				 e->reg->name ? e->reg->name : e->aor, e->registrar);
			e->hooks.lost(e->hooks.arg);
		} else if (e->state != ST_DONE) {
			/* its answer may yet come, from the connection that ended */
			e->flow_ended = 1;
		}
	}
}

/* One Call-ID for every REGISTER of a registration (RFC 3261 10.2). */
static char *new_call_id(struct sr_eng *e)
{
	unsigned char b[12];
	char hex[sizeof b * 2 + 1];
	size_t i;

	if (sr_random_bytes(b, sizeof b) < 0)
		return NULL;
	for (i = 0; i < sizeof b; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	return su_sprintf(e->home, "%s-sipregwatch", hex);
}

struct sr_eng *sr_eng_open(su_root_t *root, const struct sr_reg *reg, const struct sr_run *run,
			   struct sr_result *res, const struct sr_eng_hooks *hooks)
{
	double deadline = sr_now() + (run->timeout > 0 ? run->timeout : 10);
	struct group *gr;
	struct sr_eng *e;
	char key[1024];
	int rc = 0;

	e = sr_eng_new(reg, run, res);
	if (!e)
		return NULL;
	e->hooks = *hooks;
	if (sr_eng_prepare(e, deadline, &rc) < 0)
		goto fail;
	group_key(e, key, sizeof key);
	for (gr = g_groups; gr; gr = gr->next)
		if (!strcmp(gr->key, key))
			break;
	if (!gr) {
		gr = calloc(1, sizeof *gr);
		if (!gr) {
			sr_result_fail(res, SR_W_INTERNAL_ERROR, "out of memory");
			goto fail;
		}
		gr->st = sr_stack_open(root, 1, e, deadline);
		if (!gr->st) {
			free(gr);
			goto fail;
		}
		snprintf(gr->key, sizeof gr->key, "%s", key);
		gr->next = g_groups;
		g_groups = gr;
	}
	e->stack = gr->st;
	gr->refs++;
	e->transient = is_transient(e);
	if (e->transient)
		e->call_id = new_call_id(e);
	if (e->transient && !e->call_id) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "out of memory");
		goto fail;
	}
	if (sr_eng_tunnel_up(e, deadline) < 0 || sr_eng_open_handle(e) < 0)
		goto fail;
	if (e->transient && e->tunnel) {
		sr_tunnel_on_drop(tunnel_dropped);
		tunneled_add(e);
	}
	detach_target(e);
	return e;
fail:
	if (e->stack)
		group_put(group_of(e->stack));
	sr_tunnel_put(e->tunnel);
	su_home_deinit(e->scratch);
	su_home_deinit(e->home);
	free(e);
	return NULL;
}

void sr_eng_send(struct sr_eng *e)
{
	struct sr_result *res = e->res;

	sr_eng_drop_handle(&e->cleanup_nh);
	e->state = ST_REGISTERING;
	e->answered = e->reanswered = e->removing = e->sec_retried = 0;
	e->n_answered_realms = 0;
	e->nonce_retried = 0;
	e->done_fired = 0;
	e->flow_ended = 0;
	e->retry_after = -1;
	e->t0 = sr_now();
	sr_eng_clear_bindings(res);
	res->word = SR_W_NONE;
	res->status = 0;
	res->expires_granted = -1;
	res->t_first = res->t_final = -1;
	res->requests = 1;
	sr_setstr(&res->error, NULL);
	sr_debug(1, "-> REGISTER %s for %s (%s)", e->registrar, e->aor,
		 e->reg->name ? e->reg->name : "");
	if (e->transient && !sr_eng_handle(e)) {
		sr_result_fail(res, SR_W_INTERNAL_ERROR, "cannot create a handle");
		e->state = ST_DONE;
		e->done_fired = 1;
		e->hooks.done(e->hooks.arg);
		return;
	}
	sr_eng_send_register(e, NULL);
}

/* A transient registration's removal: a REGISTER of our Contact with
 * Expires: 0 on a handle of its own (a REGISTER still out is let go). */
static int unregister_transient(struct sr_eng *e)
{
	if (!e->held)
		return -1;
	sr_eng_drop_handle(&e->nh);
	if (!sr_eng_handle(e))
		return -1;
	e->state = ST_UNREGISTERING;
	e->done_fired = 0;
	e->answered = 0;
	e->n_answered_realms = 0;
	e->nonce_retried = 0;
	e->res->unreg_tried = true;
	sr_eng_register_transient(e, "0", e->extra);
	return 0;
}

int sr_eng_unregister(struct sr_eng *e)
{
	if (e->transient)
		return unregister_transient(e);
	if (!e->nh || !nua_handle_has_registrations(e->nh))
		return -1;
	e->state = ST_UNREGISTERING;
	e->done_fired = 0;
	e->res->unreg_tried = true;
	nua_unregister(e->nh, TAG_END());
	return 0;
}

void sr_eng_free(struct sr_eng *e)
{
	if (!e)
		return;
	tunneled_remove(e);	      /* the drop hook never finds it again */
	sr_eng_forget_credentials(e); /* and their secrets are wiped */
	su_home_deinit(e->scratch);
	su_home_deinit(e->home);
	free(e);
}

void sr_eng_close(struct sr_eng *e)
{
	if (!e)
		return;
	/* nua_handle_destroy() would un-REGISTER an active usage itself; the
	 * keeper asks for that with sr_eng_unregister() when it wants it */
	sr_eng_drop_handle(&e->nh);
	sr_eng_drop_handle(&e->cleanup_nh);
	tunneled_remove(e);
	/* the last registration on a tunnel closes it (its port, nua's
	 * connection to it, the connection to the server), the last on a
	 * stack shuts the stack down */
	sr_tunnel_put(e->tunnel);
	e->tunnel = NULL;
	group_put(group_of(e->stack));
	e->stack = NULL;
	sr_eng_free(e);
}

long sr_eng_retry_after(const struct sr_eng *e)
{
	return e->retry_after;
}

static int all_shut(const void *unused)
{
	struct group *gr;

	(void)unused;
	for (gr = g_groups; gr; gr = gr->next)
		if (!gr->st->shutdown_done)
			return 0;
	return 1;
}

int sr_eng_stacks_left(void)
{
	return g_groups || g_closing;
}

void sr_eng_shutdown_all(su_root_t *root, double deadline)
{
	struct group *gr;

	if (!g_groups)
		return;
	for (gr = g_groups; gr; gr = gr->next)
		nua_shutdown(gr->st->nua);
	sr_step_until(root, all_shut, NULL, deadline);
	sr_eng_exit_hard(); /* whatever did not finish is not waited for */
}
