/* SPDX-License-Identifier: BSD-2-Clause */
/* The result model every renderer reads: one registration's outcome,
 * its bindings, timings and warnings. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/result.h"

void sr_result_init(struct sr_result *res)
{
	memset(res, 0, sizeof *res);
	res->expires_requested = -1;
	res->expires_granted = -1;
	res->min_expires = -1;
	res->flow_timer = -1;
	res->t_total = res->t_first = res->t_final = -1;
}

void sr_result_clear_bindings(struct sr_result *res)
{
	size_t i;

	for (i = 0; i < res->n_bindings; i++) {
		free(res->bindings[i].uri);
		free(res->bindings[i].q);
		free(res->bindings[i].instance);
		free(res->bindings[i].reg_id);
	}
	free(res->bindings);
	res->bindings = NULL;
	res->n_bindings = 0;
}

void sr_result_free(struct sr_result *res)
{
	size_t i;

	sr_result_clear_bindings(res);
	sr_strv_free(&res->service_route);
	sr_strv_free(&res->removed);
	sr_strv_free(&res->warnings);
	sr_strv_free(&res->path);
	for (i = 0; i < res->n_auth_offered; i++) {
		free(res->auth_offered[i].scheme);
		free(res->auth_offered[i].realm);
		free(res->auth_offered[i].algorithm);
		free(res->auth_offered[i].qop);
	}
	free(res->auth_offered);
	free(res->name);
	free(res->aor);
	free(res->registrar);
	free(res->reason);
	free(res->contact);
	free(res->line);
	free(res->target);
	sr_strv_free(&res->servers_tried);
	free(res->gruu_pub);
	free(res->gruu_temp);
	free(res->outbound_dropped);
	free(res->server);
	free(res->cert_subject);
	free(res->auth_scheme);
	free(res->auth_realm);
	free(res->auth_algorithm);
	free(res->auth_qop);
	free(res->local_address);
	free(res->received);
	free(res->error);
	free(res->unreg_reason);
	sr_result_init(res);
}

void sr_result_fail(struct sr_result *res, enum sr_word w, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	res->word = w;
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sr_setstr(&res->error, buf);
}

int sr_result_ok(const struct sr_result *res)
{
	return sr_word_ok(res->word);
}

int sr_result_exit(const struct sr_result *res)
{
	return sr_word_status_exit(res->word, res->status);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int sr_result_add_offer(struct sr_result *res, const char *scheme, const char *realm,
			const char *algorithm, const char *qop, bool stale)
{
	struct sr_offer_rec *v;
	size_t i;

	for (i = 0; i < res->n_auth_offered; i++) {
		struct sr_offer_rec *o = &res->auth_offered[i];

		if (same(o->scheme, scheme) && same(o->realm, realm) &&
		    same(o->algorithm, algorithm) && same(o->qop, qop) && o->stale == stale)
			return 0;
	}
	v = realloc(res->auth_offered, (res->n_auth_offered + 1) * sizeof *v);
	if (!v)
		return -1;
	res->auth_offered = v;
	v = &v[res->n_auth_offered++];
	v->scheme = scheme ? strdup(scheme) : NULL;
	v->realm = realm ? strdup(realm) : NULL;
	v->algorithm = algorithm ? strdup(algorithm) : NULL;
	v->qop = qop ? strdup(qop) : NULL;
	v->stale = stale;
	return 0;
}

int sr_result_unreg_removed(const struct sr_result *res)
{
	return res->unreg_status >= 200 && res->unreg_status < 300 && !res->unreg_left;
}
