/* SPDX-License-Identifier: BSD-2-Clause */
/* Our own stream transports under Sofia-SIP: TLS, WebSocket (ws) and
 * WebSocket over TLS (wss). nua sends plain SIP over TCP to a loopback
 * port of a tunnel; the tunnel carries each message to the server over a
 * connection it made and checked itself (SNI, chain, host name or IP,
 * client certificate, RFC 6455 handshake), with the Via of the real
 * transport, and brings the answers back. docs/transports.md says why. */
#ifndef SR_TUNNEL_H
#define SR_TUNNEL_H

#include <sofia-sip/su_wait.h>

#include "model/exitcode.h"
#include "model/settings.h"

struct sr_tunnel_params {
	enum sr_transport tp;	  /* SR_TP_TLS, SR_TP_WS or SR_TP_WSS */
	const char *connect_host; /* an IP address or a name to resolve */
	unsigned port;
	int family;		 /* AF_INET, AF_INET6 or 0 */
	const char *local_ip;	 /* bind to it when not "" */
	const char *server_name; /* SNI and the name checked; an IP: its SAN */
	const char *ws_host;	 /* Host: of the WebSocket handshake */
	const char *ws_path;	 /* its path, "/" when NULL */
	const char *ca_file, *ca_dir, *cert, *key;
	int verify;
	int srv; /* look up _sips._tcp.connect_host first (RFC 3263) */
};

struct sr_tunnel;

/* The tunnel for p: the one already made for the same parameters (one
 * more reference), or a new one listening on a loopback port. NULL with
 * err (and *w). No packet is sent. */
struct sr_tunnel *sr_tunnel_get(const struct sr_tunnel_params *p, enum sr_word *w, char *err,
				size_t errlen);
/* One reference less; the last closes it. */
void sr_tunnel_put(struct sr_tunnel *t);

/* Have an open, checked connection ready for nua: make one now unless one
 * is open, running root (the tunnel serves this one loop from now on)
 * until it is up or deadline. SR_W_NONE, or the failure's word with err. */
enum sr_word sr_tunnel_warm(struct sr_tunnel *t, su_root_t *root, double deadline, char *err,
			    size_t errlen);

/* The server certificate of the tunnel's last TLS handshake (kept when
 * it was not trusted too): its notAfter as Unix time and *subject, or 0
 * when none was seen. */
double sr_tunnel_cert(const struct sr_tunnel *t, const char **subject);

/* The loopback port nua sends to. */
unsigned sr_tunnel_port(const struct sr_tunnel *t);

/* Our Contact's host[:port] and transport on this tunnel: "x.invalid" for
 * ws and wss (RFC 7118), our address on the connection for tls. */
const char *sr_tunnel_contact_host(const struct sr_tunnel *t);

/* Our address (ip:port) on the open connection, NULL when none is open. */
const char *sr_tunnel_local(const struct sr_tunnel *t);

/* fn learns of each open connection of a tunnel that ends (the server,
 * the network or nua closed it; not the closing of the tunnel itself):
 * registrations that hold no nua handle have nothing else to tell them
 * that their flow is gone. One hook for all tunnels; NULL: none. */
void sr_tunnel_on_drop(void (*fn)(struct sr_tunnel *t));

/* The last failure of a connection of the tunnel, SR_W_NONE when none (a
 * connection that opens clears it); it is what happened when nua reports
 * a connection lost. */
enum sr_word sr_tunnel_error(const struct sr_tunnel *t, const char **msg);

#endif
