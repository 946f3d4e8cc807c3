/* SPDX-License-Identifier: BSD-2-Clause */
/* A registration's registrar set (registrars.h): the order of `servers`,
 * a domain's SRV targets, and the failures that move to the next one. */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-resolv/sres.h>
#include <sofia-resolv/sres_record.h>

#include "proto/registrars.h"
#include "util/util.h"

size_t sr_servers_order(const struct sr_servers *sv, size_t *order, size_t max)
{
	size_t n = sv->n < max ? sv->n : max, i, j;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			unsigned wi = sv->v[order[i]].weight, wj = sv->v[order[j]].weight;
			unsigned char coin = 0;

			if (wj == wi)
				(void)sr_random_bytes(&coin, 1);
			if (wj > wi || (wj == wi && (coin & 1))) {
				size_t t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
		}
	}
	return n;
}

void sr_reg_at_server(struct sr_reg *copy, const struct sr_reg *reg, const char *uri)
{
	memcpy(copy, reg, sizeof *copy);
	if (reg->server_uri)
		copy->connect_uri = (char *)uri; /* servers are where to send */
	else
		copy->server_uri = (char *)uri; /* each server is the registrar */
}

int sr_failover_worthy(const struct sr_result *res)
{
	return res->word == SR_W_TRANSPORT_ERROR || res->word == SR_W_TIMEOUT ||
	       res->word == SR_W_DNS_ERROR || res->word == SR_W_TLS_ERROR ||
	       (res->word == SR_W_REJECTED && res->status == 503);
}

int sr_srv_query_name(const struct sr_target *t, char *q, size_t qlen)
{
	const char *service = t->tp == SR_TP_UDP   ? "_sip._udp"
			      : t->tp == SR_TP_TCP ? "_sip._tcp"
			      : t->tp == SR_TP_TLS ? "_sips._tcp"
						   : NULL;

	/* a literal, a name of /etc/hosts, an explicit port, WebSocket, a
	 * proxy to send to: no SRV (the tunnel keeps its port, t->srv) */
	if (!service || t->host_is_ip || t->connect_ip[0] || !t->host[0])
		return 0;
	if (t->tunneled ? !t->srv : t->port != 0 || t->proxy[0])
		return 0;
	snprintf(q, qlen, "%s.%s", service, t->host);
	return 1;
}

size_t sr_srv_targets(const char *q, enum sr_transport tp, struct sr_strv *out)
{
	sres_resolver_t *res = sres_resolver_new(getenv("SIPREG_RESOLV_CONF"));
	sres_record_t **ans = NULL;
	size_t i, n = 0;

	if (!res)
		return 0;
	if (sres_blocking_query(res, sres_type_srv, q, 0, &ans) >= 0 && ans) {
		sres_sort_answers(res, ans);
		for (i = 0; ans[i]; i++) {
			const sres_srv_record_t *r = ans[i]->sr_srv;
			char host[300], uri[400];
			size_t len;

			if (r->srv_record->r_type != sres_type_srv ||
			    r->srv_record->r_status != SRES_OK || !r->srv_target)
				continue;
			snprintf(host, sizeof host, "%s", r->srv_target);
			len = strlen(host);
			if (len && host[len - 1] == '.')
				host[--len] = '\0';
			if (!len)
				continue; /* ".": the service is not offered there */
			snprintf(uri, sizeof uri, "sip:%s:%u;transport=%s", host,
				 (unsigned)r->srv_port, sr_transport_name(tp));
			if (sr_strv_add(out, uri) == 0)
				n++;
		}
	}
	sres_free_answers(res, ans);
	sres_resolver_unref(res);
	return n;
}
