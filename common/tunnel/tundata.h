/* SPDX-License-Identifier: BSD-2-Clause */
/* What the two tunnel files share: a tunnel and its connections
 * (tunnel.c: tunnels, their port and nua's connections to it; tunconn.c,
 * declared in tunconn.h: one connection to the server). */
#ifndef SR_TUNDATA_H
#define SR_TUNDATA_H

#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include <sofia-sip/su_wait.h>

#include "model/exitcode.h"
#include "model/settings.h"
#include "tunnel/tunbuf.h"

enum cstate { C_CONNECTING, C_TLS, C_WS_SEND, C_WS_RECV, C_OPEN, C_CLOSED };

struct sr_side {
	int fd;
	int idx; /* su_root registration, 0 when none */
	su_wait_t w;
	int events;
	struct sr_buf in, out;
};

struct sr_conn {
	struct sr_tunnel *tun;
	struct sr_conn *next;
	enum cstate state;
	struct sr_side up;   /* to the server */
	struct sr_side down; /* nua's connection to our port; fd -1 until it comes */
	SSL *ssl;
	su_timer_t *timer;     /* the handshake's deadline */
	struct sr_buf msg;     /* a WebSocket message being reassembled */
	struct sr_buf scratch; /* a message with its Via rewritten, reused */
	char key[25];
	char local[80];	    /* our address on the connection, ip:port */
	int dead;	    /* ended: its timer may still be in its callback */
	char nua_via[160];  /* "SIP/2.0/TCP 127.0.0.1:P" as nua writes it */
	char wire_via[200]; /* what the server sees instead */
	unsigned pings_out; /* nua's CRLF pings waiting for a WebSocket pong */
	int close_sent;
};

struct sr_tunnel {
	struct sr_tunnel *next;
	char key[1400];
	su_root_t *root;
	enum sr_transport tp;
	char *server_name, *ws_host, *ws_path, *cert, *conn_name;
	char trace_name[300];	 /* "wss/[127.0.0.1]:8443" */
	char conn_name_buf[600]; /* the name a SRV look-up gave, for messages */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct sockaddr_storage local;
	socklen_t locallen;
	SSL_CTX *ctx;
	int lfd, lidx;
	su_wait_t lw;
	unsigned refs;
	unsigned lport;
	struct sr_conn *conns;
	char contact_host[80];
	enum sr_word err_word;
	char err[480];
	char cert_subject[256];		      /* the server certificate of the last handshake */
	double cert_not_after;		      /* its notAfter (Unix time), 0: none seen */
	int closing;			      /* its last reference went: no drop is news */
	void (*on_drop)(struct sr_tunnel *t); /* sr_tunnel_on_drop's hook */
};

#endif
