/* SPDX-License-Identifier: BSD-2-Clause */
/* One connection of a tunnel to the server (tunconn.c): its handshakes and
 * the messages it carries between nua and the wire. */
#ifndef SR_TUNCONN_H
#define SR_TUNCONN_H

#include <openssl/ssl.h>

#include "tunnel/tundata.h"

/* Does t speak WebSocket (ws, wss)? TLS (tls, wss)? */
int sr_tun_is_ws(const struct sr_tunnel *t);
int sr_tun_uses_tls(const struct sr_tunnel *t);
/* OpenSSL's verify callback of the tunnels' contexts: keeps the server's
 * certificate (subject, notAfter), trusted or not; returns ok. */
int sr_tun_verify_cb(int ok, X509_STORE_CTX *store);
/* Note the failure a connection of t ends with (sr_tunnel_error). */
void sr_tun_fail(struct sr_tunnel *t, enum sr_word w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A new connection to the server, its handshakes under way (deadline);
 * NULL when it cannot even start. */
struct sr_conn *sr_tun_conn_new(struct sr_tunnel *t, double deadline);
/* Close both sides; the memory goes with sr_tun_conn_free (never from a
 * timer's own callback). */
void sr_tun_conn_end(struct sr_conn *c);
void sr_tun_conn_free(struct sr_conn *c);
/* Pass what can pass between nua and the server; -1 when it is over. */
int sr_tun_pump(struct sr_conn *c);
/* Wait for the events each side needs now. */
void sr_tun_rearm(struct sr_conn *c);

#endif
