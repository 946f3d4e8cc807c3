/* SPDX-License-Identifier: BSD-2-Clause */
/* A registration's registrar set: the servers of `servers` (JsSIP's
 * sockets) in the order they are tried, the targets of a domain's SRV
 * records, and which failures move a registration to the next one. Used
 * by the one-shot tools (oneshot.c) and sipregwatch (watchfail.c). */
#ifndef SR_REGISTRARS_H
#define SR_REGISTRARS_H

#include <stddef.h>

#include "model/result.h"
#include "model/settings.h"
#include "proto/target.h"

/* The order of sv's servers into order (at most max): the highest weight
 * first, random among equal weights (JsSIP). Returns how many. */
size_t sr_servers_order(const struct sr_servers *sv, size_t *order, size_t max);

/* copy: reg sent to server uri (not copied: reg and uri must outlive it).
 * With a server_uri the servers are where to send and the Request-URI
 * stays the registrar's; without one each server is the registrar. */
void sr_reg_at_server(struct sr_reg *copy, const struct sr_reg *reg, const char *uri);

/* A failure that is the server's, not the registration's: no answer, the
 * transport, DNS, TLS, or 503 (JsSIP: the socket failed). The next server
 * is tried for these. */
int sr_failover_worthy(const struct sr_result *res);

/* RFC 3263 without NAPTR: the registrar of t is a name without a port,
 * not known locally, over UDP, TCP or TLS, so its SRV records say where
 * to send. The service queried (_sip._udp.DOMAIN, ...) into q; 0 when
 * SRV does not apply. */
int sr_srv_query_name(const struct sr_target *t, char *q, size_t qlen);

/* The targets of SRV query q through Sofia's resolver (SIPREG_RESOLV_CONF),
 * as "sip:HOST:PORT;transport=x" in RFC 2782's order (priority, then
 * weight), added to out. Returns how many; 0 when none or no answer. */
size_t sr_srv_targets(const char *q, enum sr_transport tp, struct sr_strv *out);

#endif
