/* SPDX-License-Identifier: BSD-2-Clause */
/* Where a registration goes: the AOR, the Request-URI, the transport, and the
 * address to send to (our own look-up of /etc/hosts and literals). */
#ifndef SR_TARGET_H
#define SR_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "model/exitcode.h"
#include "model/settings.h"

struct sr_target {
	char aor[512]; /* sip:user@host */
	char aor_user[256];
	char registrar[512]; /* Request-URI as sent */
	enum sr_transport tp;
	char host[256];	       /* host of the registrar, no brackets */
	char verify_host[256]; /* the name TLS checks: the host we connect to */
	unsigned port;	       /* 0: default of the transport */
	bool host_is_ip;
	char connect_ip[64]; /* "" when Sofia resolves the name (SRV/A) */
	int family;	     /* AF_INET, AF_INET6, or 0 unknown */
	char proxy[600];     /* "" or sip:IP:port;transport=x to send to */
	char bind_url[300];  /* NUTAG_URL for our socket */
	char local_ip[64];   /* our address, "" if unknown */
	bool tunneled;	     /* tls, ws, wss: our tunnel carries it (tunnel.c) */
	bool srv;	     /* a name without a port: look its SRV records up */
	char ws_host[300];   /* WebSocket: Host: of the handshake */
	char ws_path[512];   /* and its path */
};

/* Work out the target from the settings; no packet is sent. On failure
 * returns the result word (SR_W_CONFIG_ERROR, SR_W_DNS_ERROR, ...) and
 * writes a message to err; 0 on success. */
enum sr_word sr_target_build(const struct sr_reg *r, struct sr_target *t, char *err, size_t errlen);

/* Split ADDR[:PORT] or [V6]:PORT (--local-address, --metrics-listen): 0 with
 * an IP address in addr and the port, "" when none, in port; -1 when s is
 * not that. */
int sr_split_addr_port(const char *s, char *addr, size_t alen, char *port, size_t plen);

/* Look up a name in a hosts(5) file for the family (0 any); 0 when found. */
int sr_hosts_lookup(const char *file, const char *name, int family, char *ip, size_t iplen);

#endif
