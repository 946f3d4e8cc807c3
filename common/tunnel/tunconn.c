/* SPDX-License-Identifier: BSD-2-Clause */
/* One connection of a tunnel to the server: TLS and WebSocket handshakes,
 * then SIP messages between nua's loopback connection and the wire. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/sipstream.h"
#include "proto/ws.h"
#include "tunnel/hepout.h"
#include "tunnel/tunbuf.h"
#include "tunnel/tunconn.h"
#include "tunnel/tundata.h"
#include "util/log.h"
#include "util/util.h"

static const char *tp_upper(enum sr_transport tp)
{
	return tp == SR_TP_WS ? "WS" : tp == SR_TP_WSS ? "WSS" : tp == SR_TP_TCP ? "TCP" : "TLS";
}

static const char *tp_lower(enum sr_transport tp)
{
	return tp == SR_TP_WS ? "ws" : tp == SR_TP_WSS ? "wss" : tp == SR_TP_TCP ? "tcp" : "tls";
}

int sr_tun_is_ws(const struct sr_tunnel *t)
{
	return t->tp == SR_TP_WS || t->tp == SR_TP_WSS;
}

int sr_tun_uses_tls(const struct sr_tunnel *t)
{
	return t->tp == SR_TP_TLS || t->tp == SR_TP_WSS;
}

/* ---- the failure a connection ends with ---- */

void sr_tun_fail(struct sr_tunnel *t, enum sr_word w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof t->err, fmt, ap);
	va_end(ap);
	t->err_word = w;
	sr_debug(1, "%s", t->err);
}

/* x's subject and notAfter into t, for the expiry reports. */
static void keep_cert(struct sr_tunnel *t, X509 *x)
{
	const ASN1_TIME *na = X509_get0_notAfter(x);
	struct tm tm;
	BIO *b;
	int n;

	memset(&tm, 0, sizeof tm);
	if (na && ASN1_TIME_to_tm(na, &tm) == 1)
		t->cert_not_after = (double)timegm(&tm);
	b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_read(b, t->cert_subject, (int)sizeof t->cert_subject - 1);
		t->cert_subject[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

int sr_tun_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct sr_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *x = X509_STORE_CTX_get_current_cert(store);

	/* the server's own certificate, also when it is not trusted: an
	 * expired one is exactly what the report must name */
	if (c && x && X509_STORE_CTX_get_error_depth(store) == 0)
		keep_cert(c->tun, x);
	return ok;
}

/* Without verification no callback runs: the certificate the handshake
 * kept. */
static void note_cert(struct sr_conn *c)
{
	X509 *x = c->ssl ? SSL_get1_peer_certificate(c->ssl) : NULL;

	if (!x)
		return;
	keep_cert(c->tun, x);
	X509_free(x);
}

/* What OpenSSL says went wrong on c's handshake or connection. */
static void tls_failure(struct sr_conn *c, int during_handshake)
{
	struct sr_tunnel *t = c->tun;
	long v = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;
	unsigned long oe = ERR_peek_last_error();
	int reason = oe ? ERR_GET_REASON(oe) : 0;
	const char *rs = oe ? ERR_reason_error_string(oe) : NULL;

	if (during_handshake && v != X509_V_OK) {
		sr_tun_fail(t, SR_W_TLS_ERROR, "TLS: server certificate of %s not trusted: %s%s",
			    t->server_name, X509_verify_cert_error_string(v),
			    v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH
				? ""
				: " (give its CA with --tls-ca-file, or --insecure)");
	} else if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
		   (!t->cert && (reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
				 reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE))) {
		sr_tun_fail(t, SR_W_TLS_ERROR, "TLS: %s requires a client certificate%s (%s)",
			    t->conn_name, t->cert ? "" : "; give one with --tls-cert and --tls-key",
			    rs ? rs : "handshake failure");
	} else if (t->cert && (reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
			       reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
			       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED ||
			       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
			       reason == SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE ||
			       reason == SSL_R_TLSV1_ALERT_DECRYPT_ERROR ||
			       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED ||
			       reason == SSL_R_TLSV1_ALERT_ACCESS_DENIED)) {
		sr_tun_fail(t, SR_W_TLS_ERROR, "TLS: %s refused our client certificate %s: %s",
			    t->conn_name, t->cert, rs);
	} else if (during_handshake) {
		sr_tun_fail(t, SR_W_TLS_ERROR, "TLS handshake with %s failed: %s", t->conn_name,
			    rs ? rs : "connection closed by the server");
	} else {
		sr_tun_fail(t, SR_W_TLS_ERROR, "TLS connection to %s failed: %s", t->conn_name,
			    rs ? rs : "closed without close_notify");
	}
	ERR_clear_error();
}

/* ---- registration with the event loop ---- */

static int on_up(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg);
static int on_down(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg);

static void side_watch(struct sr_conn *c, struct sr_side *s, int events)
{
	if (s->fd < 0 || (s->idx > 0 && s->events == events))
		return;
	if (s->idx > 0) {
		su_root_eventmask(c->tun->root, s->idx, s->fd, events);
	} else {
		su_wait_create(&s->w, s->fd, events);
		s->idx = su_root_register(c->tun->root, &s->w, s == &c->up ? on_up : on_down,
					  (su_wakeup_arg_t *)c, 0);
	}
	s->events = events;
}

static void side_close(struct sr_conn *c, struct sr_side *s)
{
	if (s->idx > 0)
		su_root_deregister(c->tun->root, s->idx);
	s->idx = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sr_buf_free(&s->in);
	sr_buf_free(&s->out);
}

void sr_tun_conn_free(struct sr_conn *c)
{
	struct sr_conn **pp;

	for (pp = &c->tun->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	sr_tun_conn_end(c); /* a second time for an ended one: nothing left to do */
	if (c->timer)
		su_timer_destroy(c->timer);
	free(c);
}

/* The end of a connection: nua's side closes with it, so that what waits
 * on it fails at once (and asks sr_tunnel_error() why). The memory goes
 * later (reap): a timer is never destroyed in its own callback. */
void sr_tun_conn_end(struct sr_conn *c)
{
	int was_open = c->state == C_OPEN && !c->dead;

	if (c->ssl) {
		if (c->state == C_OPEN)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	c->state = C_CLOSED;
	c->dead = 1;
	side_close(c, &c->up);
	side_close(c, &c->down);
	sr_buf_free(&c->msg);
	sr_buf_free(&c->scratch);
	if (was_open && !c->tun->closing && c->tun->on_drop)
		c->tun->on_drop(c->tun);
}

/* ---- writing ---- */

/* Send what waits for the server; 0, or -1 when the connection failed. */
static int flush_up(struct sr_conn *c)
{
	struct sr_side *s = &c->up;

	while (s->out.len) {
		ssize_t n;

		if (c->ssl) {
			int rc;

			ERR_clear_error();
			rc = SSL_write(c->ssl, s->out.p, (int)s->out.len);
			if (rc <= 0) {
				int e = SSL_get_error(c->ssl, rc);

				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					return 0;
				tls_failure(c, 0);
				return -1;
			}
			n = rc;
		} else {
			n = send(s->fd, s->out.p, s->out.len, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n < 0) {
				sr_tun_fail(c->tun, SR_W_TRANSPORT_ERROR,
					    "connection to %s lost: %s", c->tun->conn_name,
					    strerror(errno));
				return -1;
			}
		}
		sr_buf_drop(&s->out, (size_t)n);
	}
	return 0;
}

static int flush_down(struct sr_conn *c)
{
	struct sr_side *s = &c->down;

	while (s->fd >= 0 && s->out.len) {
		ssize_t n = send(s->fd, s->out.p, s->out.len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return -1;
		sr_buf_drop(&s->out, (size_t)n);
	}
	return 0;
}

/* The events each side waits for, from its state and what it holds. */
void sr_tun_rearm(struct sr_conn *c)
{
	int up = SU_WAIT_IN;

	if (c->state == C_CONNECTING || c->up.out.len)
		up |= SU_WAIT_OUT;
	side_watch(c, &c->up, up);
	side_watch(c, &c->down, SU_WAIT_IN | (c->down.out.len ? SU_WAIT_OUT : 0));
}

/* A frame of ours (masked) to the server. */
static int send_frame(struct sr_conn *c, enum sr_ws_opcode op, const void *p, size_t len)
{
	uint8_t hdr[14], mask[4];
	size_t hl;
	uint8_t *f;

	if (sr_random_bytes(mask, sizeof mask) < 0)
		return -1;
	hl = sr_ws_frame_head(hdr, op, len, mask);
	/* the frame goes straight into what waits for the server, the
	 * payload masked in place there */
	f = sr_buf_reserve(&c->up.out, hl + len);
	if (!f)
		return -1;
	memcpy(f, hdr, hl);
	if (len)
		memcpy(f + hl, p, len);
	sr_ws_mask(f + hl, len, mask);
	return 0;
}

/* ---- messages between nua and the server ---- */

/* msg with the top Via's "SIP/2.0/X sent-by" replaced by to (when it is
 * from, or from is NULL), traced at -vv, appended to out. */
static int pass_message(struct sr_conn *c, const char *msg, size_t len, const char *from,
			const char *to, struct sr_buf *out, int to_server)
{
	size_t off = 0, n = 0, hl;
	int has_len = 0;
	const uint8_t *m = (const uint8_t *)msg;
	size_t mlen = len;

	if (sr_sip_top_via(msg, len, &off, &n) == 0 && to &&
	    (!from || (strlen(from) == n && !memcmp(msg + off, from, n)))) {
		/* rewritten in the connection's scratch buffer, kept between
		 * messages: no allocation per message */
		struct sr_buf *s = &c->scratch;

		if (to_server && !c->nua_via[0])
			snprintf(c->nua_via, sizeof c->nua_via, "%.*s", (int)n, msg + off);
		s->len = 0;
		if (sr_buf_add(s, msg, off) < 0 || sr_buf_add(s, to, strlen(to)) < 0 ||
		    sr_buf_add(s, msg + off + n, len - off - n) < 0)
			return -1;
		m = s->p;
		mlen = s->len;
	}
	/* traced as on the wire: what we send, what we received */
	if (sr_log_verbose() >= 2 && to_server)
		sr_log_message("send", mlen, c->tun->trace_name, (const char *)m, mlen);
	else if (sr_log_verbose() >= 2)
		sr_log_message("recv", len, c->tun->trace_name, msg, len);
	if (to_server)
		sr_hep_note(1, tp_lower(c->tun->tp), c->up.fd, (const char *)m, mlen);
	else
		sr_hep_note(0, tp_lower(c->tun->tp), c->up.fd, msg, len);
	if (to_server && sr_tun_is_ws(c->tun))
		return send_frame(c, SR_WS_TEXT, m, mlen);
	/* RFC 7118 lets a message over WebSocket go without Content-Length;
	 * nua's TCP framing needs it */
	hl = to_server ? 0 : sr_sip_head((const char *)m, mlen, &has_len);
	if (hl && !has_len) {
		char cl[40];

		snprintf(cl, sizeof cl, "Content-Length: %zu\r\n\r\n", mlen - hl);
		return sr_buf_add(out, m, hl - 2) < 0 || sr_buf_add(out, cl, strlen(cl)) < 0 ||
			       sr_buf_add(out, m + hl, mlen - hl) < 0
			   ? -1
			   : 0;
	}
	return sr_buf_add(out, m, mlen);
}

/* What nua sent: messages to the server, CRLF keep-alives as WebSocket
 * pings (over TLS they pass as they are). */
static int from_nua(struct sr_conn *c)
{
	struct sr_side *d = &c->down;
	size_t used = 0; /* dropped once at the end: a burst is not moved per message */

	while (used < d->in.len) {
		int crlf;
		const uint8_t *p = d->in.p + used;
		long n = sr_sip_next((const char *)p, d->in.len - used, &crlf);

		if (n == 0)
			break;
		if (n < 0)
			return -1;
		if (crlf && sr_tun_is_ws(c->tun)) {
			if (n >= 4) {
				sr_debug(2, "-> WebSocket ping to %s (a keep-alive)",
					 c->tun->conn_name);
				c->pings_out++;
				if (send_frame(c, SR_WS_PING, "sipreg", 6) < 0)
					return -1;
			}
		} else if (crlf) {
			if (sr_buf_add(&c->up.out, p, (size_t)n) < 0)
				return -1;
		} else if (pass_message(c, (const char *)p, (size_t)n, NULL, c->wire_via,
					&c->up.out, 1) < 0) {
			return -1;
		}
		used += (size_t)n;
	}
	sr_buf_drop(&d->in, used);
	return 0;
}

/* A whole SIP message from the server, to nua: a response's top Via back
 * to what nua wrote. What is not SIP ends the connection. */
static int to_nua(struct sr_conn *c, const char *msg, size_t len)
{
	const char *eol = msg && len ? memchr(msg, '\r', len) : NULL;

	if (!msg || !len || !sr_sip_start_line(msg, len)) {
		sr_tun_fail(c->tun, SR_W_PROTOCOL_ERROR,
			    "%s sent something that is not SIP: \"%.*s\"", c->tun->conn_name,
			    (int)(eol && eol - msg < 60 ? eol - msg
				  : len < 60		? (int)len
							: 60),
			    msg ? msg : "");
		return -1;
	}
	return pass_message(c, msg, len, c->wire_via, c->nua_via[0] ? c->nua_via : NULL,
			    &c->down.out, 0);
}

/* Frames from the server: messages, pings, pongs, close. */
static int ws_frames(struct sr_conn *c)
{
	struct sr_side *u = &c->up;
	char err[200];
	size_t used = 0; /* dropped once at the end: a burst is not moved per frame */

	for (;;) {
		struct sr_ws_frame f;
		long n = sr_ws_parse(u->in.p + used, u->in.len - used, &f, err, sizeof err);

		if (n == 0) {
			sr_buf_drop(&u->in, used);
			return 0;
		}
		if (n < 0) {
			sr_tun_fail(c->tun, SR_W_PROTOCOL_ERROR, "%s (from %s)", err,
				    c->tun->conn_name);
			return -1;
		}
		switch (f.op) {
		case SR_WS_PING:
			sr_debug(2, "<- WebSocket ping from %s, answered", c->tun->conn_name);
			if (send_frame(c, SR_WS_PONG, f.payload, f.len) < 0)
				return -1;
			break;
		case SR_WS_PONG:
			sr_debug(2, "<- WebSocket pong from %s", c->tun->conn_name);
			if (c->pings_out) {
				c->pings_out--;
				if (sr_buf_add(&c->down.out, "\r\n", 2) < 0)
					return -1; /* nua's pong */
			}
			break;
		case SR_WS_CLOSE: {
			unsigned code =
			    f.len >= 2 ? (unsigned)(f.payload[0] << 8 | f.payload[1]) : 0;

			sr_tun_fail(c->tun, SR_W_TRANSPORT_ERROR,
				    "%s closed the WebSocket (code %u%s%.*s)", c->tun->conn_name,
				    code, f.len > 2 ? ": " : "", f.len > 2 ? (int)(f.len - 2) : 0,
				    f.len > 2 ? (const char *)f.payload + 2 : "");
			if (!c->close_sent)
				send_frame(c, SR_WS_CLOSE, f.payload, f.len >= 2 ? 2 : 0);
			flush_up(c);
			return -1;
		}
		default:
			if ((f.op == SR_WS_CONT) != (c->msg.len > 0 || c->msg.p != NULL)) {
				sr_tun_fail(c->tun, SR_W_PROTOCOL_ERROR, "WebSocket: %s from %s",
					    f.op == SR_WS_CONT
						? "a continuation frame without a message"
						: "a new message inside a fragmented one",
					    c->tun->conn_name);
				return -1;
			}
			if (c->msg.len + f.len > SR_WS_MAX_MESSAGE) {
				sr_tun_fail(c->tun, SR_W_PROTOCOL_ERROR,
					    "WebSocket: a message over %d bytes from %s",
					    SR_WS_MAX_MESSAGE, c->tun->conn_name);
				return -1;
			}
			if (f.fin && !c->msg.p) {
				/* a whole message in one frame: passed from
				 * where it lies, not reassembled */
				if (to_nua(c, (const char *)f.payload, f.len) < 0)
					return -1;
				break;
			}
			if (sr_buf_add(&c->msg, f.payload, f.len) < 0)
				return -1;
			if (f.fin) {
				int rc = to_nua(c, (const char *)c->msg.p, c->msg.len);

				sr_buf_free(&c->msg);
				if (rc < 0)
					return -1;
			}
			break;
		}
		used += (size_t)n;
	}
}

/* Bytes from the server over TLS: SIP messages and CRLF pongs. */
static int tls_stream(struct sr_conn *c)
{
	struct sr_side *u = &c->up;
	size_t used = 0; /* dropped once at the end: a burst is not moved per message */

	while (used < u->in.len) {
		int crlf;
		const uint8_t *p = u->in.p + used;
		long n = sr_sip_next((const char *)p, u->in.len - used, &crlf);

		if (n == 0)
			break;
		if (n < 0) {
			sr_tun_fail(c->tun, SR_W_PROTOCOL_ERROR,
				    "%s sent something that is not SIP (no Content-Length or a "
				    "head over %d bytes)",
				    c->tun->conn_name, SR_SIP_MAX_HEAD);
			return -1;
		}
		if (crlf ? sr_buf_add(&c->down.out, p, (size_t)n) < 0
			 : to_nua(c, (const char *)p, (size_t)n) < 0)
			return -1;
		used += (size_t)n;
	}
	sr_buf_drop(&u->in, used);
	return 0;
}

/* Read what the server sent into up.in: 1 when something came, 0 when
 * nothing, -1 at its end (with the reason). The loop stops when what is
 * read is all there was (a short read, or nothing left in OpenSSL's
 * read-ahead buffer) rather than at a read that fails with EAGAIN: the
 * loop's poll is level-triggered, so more in the kernel wakes us again,
 * and a burst of answers costs one read() where it cost three per
 * answer. */
static int read_up(struct sr_conn *c)
{
	uint8_t b[16384];
	int got = 0, more;

	for (;;) {
		ssize_t n;

		if (c->ssl) {
			int rc;

			ERR_clear_error();
			rc = SSL_read(c->ssl, b, sizeof b);
			if (rc <= 0) {
				int e = SSL_get_error(c->ssl, rc);

				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return got;
				if (e == SSL_ERROR_ZERO_RETURN)
					sr_tun_fail(c->tun, SR_W_TRANSPORT_ERROR,
						    "%s closed the connection", c->tun->conn_name);
				else
					tls_failure(c, 0);
				return -1;
			}
			n = rc;
			more = SSL_has_pending(c->ssl);
		} else {
			n = recv(c->up.fd, b, sizeof b, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return got;
			if (n <= 0) {
				sr_tun_fail(c->tun, SR_W_TRANSPORT_ERROR, "%s %s",
					    c->tun->conn_name,
					    n == 0 ? "closed the connection" : strerror(errno));
				return -1;
			}
			more = (size_t)n == sizeof b;
		}
		if (sr_buf_add(&c->up.in, b, (size_t)n) < 0)
			return -1;
		got = 1;
		if (!more)
			return got;
	}
}

/* ---- the handshakes ---- */

static void on_timeout(su_root_magic_t *m, su_timer_t *tm, su_timer_arg_t *arg)
{
	struct sr_conn *c = (struct sr_conn *)arg;
	struct sr_tunnel *t = c->tun;

	(void)m;
	(void)tm;
	if (c->state == C_OPEN || c->dead)
		return;
	sr_tun_fail(t, SR_W_TIMEOUT, "%s with %s did not finish in time",
		    c->state == C_CONNECTING ? "the TCP connection"
		    : c->state == C_TLS	     ? "the TLS handshake"
					     : "the WebSocket handshake",
		    t->conn_name);
	sr_tun_conn_end(c);
}

static void ws_begin(struct sr_conn *c)
{
	char req[2048];
	int n;

	sr_ws_key(c->key);
	n = sr_ws_request(req, sizeof req, c->tun->ws_host, c->tun->ws_path, c->key);
	if (n > 0)
		sr_buf_add(&c->up.out, req, (size_t)n);
	c->state = C_WS_SEND;
}

static void opened(struct sr_conn *c)
{
	struct sr_tunnel *t = c->tun;

	c->state = C_OPEN;
	t->err_word = SR_W_NONE;
	t->err[0] = '\0';
	if (c->timer)
		su_timer_reset(c->timer);
	if (sr_tun_is_ws(t))
		snprintf(c->wire_via, sizeof c->wire_via, "SIP/2.0/%s %s", tp_upper(t->tp),
			 t->contact_host);
	else
		snprintf(c->wire_via, sizeof c->wire_via, "SIP/2.0/%s %s", tp_upper(t->tp),
			 c->local);
	sr_debug(2, "%s connection to %s open, from %s", tp_upper(t->tp), t->conn_name, c->local);
}

/* One step of the handshakes on an event; -1 when the connection failed. */
static int handshake(struct sr_conn *c)
{
	struct sr_tunnel *t = c->tun;

	if (c->state == C_CONNECTING) {
		int e = 0;
		socklen_t sl = sizeof e;
		struct sockaddr_storage ss;
		char ip[64] = "";

		memset(&ss, 0, sizeof ss);

		if (getsockopt(c->up.fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0 || e) {
			if (e == EINPROGRESS)
				return 0;
			sr_tun_fail(t, SR_W_TRANSPORT_ERROR, "cannot connect to %s: %s",
				    t->conn_name, strerror(e ? e : errno));
			return -1;
		}
		sl = sizeof ss;
		if (getsockname(c->up.fd, (struct sockaddr *)&ss, &sl) == 0) {
			int v6 = ss.ss_family == AF_INET6;

			inet_ntop(ss.ss_family,
				  v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
				     : (void *)&((struct sockaddr_in *)&ss)->sin_addr,
				  ip, sizeof ip);
			snprintf(c->local, sizeof c->local, "%s%s%s:%u", v6 ? "[" : "", ip,
				 v6 ? "]" : "",
				 ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					  : ((struct sockaddr_in *)&ss)->sin_port));
		}
		if (sr_tun_uses_tls(t)) {
			c->ssl = SSL_new(t->ctx);
			if (!c->ssl) {
				sr_tun_fail(t, SR_W_INTERNAL_ERROR, "TLS: cannot make a session");
				return -1;
			}
			SSL_set_app_data(c->ssl, c); /* for sr_tun_verify_cb */
			SSL_set_fd(c->ssl, c->up.fd);
			if (!sr_ip_family(t->server_name))
				SSL_set_tlsext_host_name(c->ssl, t->server_name);
			if (SSL_get0_param(c->ssl) && !sr_ip_family(t->server_name))
				X509_VERIFY_PARAM_set1_host(SSL_get0_param(c->ssl), t->server_name,
							    0);
			else if (SSL_get0_param(c->ssl))
				X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
							      t->server_name);
			c->state = C_TLS;
		} else if (sr_tun_is_ws(t)) {
			ws_begin(c);
		} else {
			opened(c); /* tcp: nothing to shake hands over */
		}
	}
	if (c->state == C_TLS) {
		int rc, e;

		ERR_clear_error();
		rc = SSL_connect(c->ssl);
		if (rc != 1) {
			e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				side_watch(c, &c->up,
					   e == SSL_ERROR_WANT_READ ? SU_WAIT_IN : SU_WAIT_OUT);
				return 1;
			}
			tls_failure(c, 1);
			return -1;
		}
		note_cert(c);
		if (sr_tun_is_ws(t))
			ws_begin(c);
		else
			opened(c);
	}
	if (c->state == C_WS_SEND) {
		if (flush_up(c) < 0)
			return -1;
		if (!c->up.out.len)
			c->state = C_WS_RECV;
	}
	if (c->state == C_WS_RECV) {
		char err[300];
		int st, hl, r = read_up(c);

		hl = c->up.in.len ? sr_ws_response((const char *)c->up.in.p, c->up.in.len, c->key,
						   &st, err, sizeof err)
				  : 0;
		if (hl < 0) {
			sr_tun_fail(t, SR_W_PROTOCOL_ERROR, "%s (from %s%s)", err, t->conn_name,
				    t->ws_path);
			return -1;
		}
		if (hl == 0 && r < 0) {
			sr_tun_fail(t, SR_W_PROTOCOL_ERROR,
				    "WebSocket handshake: %s closed the connection before it "
				    "answered",
				    t->conn_name);
			return -1;
		}
		if (hl > 0) {
			sr_buf_drop(&c->up.in, (size_t)hl);
			opened(c);
		}
	}
	return 0;
}

/* ---- events ---- */

/* Pass whatever can pass; -1 when the connection is over. */
int sr_tun_pump(struct sr_conn *c)
{
	if (c->state != C_OPEN)
		return 0;
	if (c->down.fd >= 0 && from_nua(c) < 0)
		return -1;
	if (c->up.in.len && (sr_tun_is_ws(c->tun) ? ws_frames(c) : tls_stream(c)) < 0)
		return -1;
	if (flush_up(c) < 0 || flush_down(c) < 0)
		return -1;
	return 0;
}

/* After an event: pass what can pass, then wait for what comes next; or
 * end the connection, what nua is owed handed over first. */
static int settle(struct sr_conn *c)
{
	if (sr_tun_pump(c) < 0) {
		flush_down(c);
		sr_tun_conn_end(c);
	} else {
		sr_tun_rearm(c);
	}
	return 0;
}

static int on_up(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sr_conn *c = (struct sr_conn *)arg;
	int ev = su_wait_events(w, c->up.fd);

	(void)m;
	if (c->state != C_OPEN) {
		int rc = handshake(c);

		if (rc < 0) {
			sr_tun_conn_end(c);
			return 0;
		}
		if (rc > 0)
			return 0; /* the TLS handshake set its own events */
	} else if ((ev & (SU_WAIT_IN | SU_WAIT_HUP | SU_WAIT_ERR)) && read_up(c) < 0) {
		/* the end of the connection: what came before it still reaches nua */
		sr_tun_pump(c);
		flush_down(c);
		sr_tun_conn_end(c);
		return 0;
	}
	return settle(c);
}

static int on_down(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sr_conn *c = (struct sr_conn *)arg;
	int ev = su_wait_events(w, c->down.fd);

	(void)m;
	if (ev & (SU_WAIT_IN | SU_WAIT_HUP | SU_WAIT_ERR)) {
		uint8_t b[16384];
		ssize_t n;

		/* a short read took all there was (read_up) */
		do {
			n = recv(c->down.fd, b, sizeof b, 0);
			if (n > 0 && sr_buf_add(&c->down.in, b, (size_t)n) < 0)
				break;
		} while (n == (ssize_t)sizeof b);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* nua let the connection go: so do we, politely */
			sr_tun_pump(c);
			if (c->state == C_OPEN && sr_tun_is_ws(c->tun) && !c->close_sent) {
				c->close_sent = 1;
				send_frame(c, SR_WS_CLOSE, "\x03\xe8", 2);
			}
			if (c->state == C_OPEN)
				flush_up(c);
			sr_tun_conn_end(c);
			return 0;
		}
	}
	return settle(c);
}

/* A new connection to the server; NULL when it cannot even start. */
struct sr_conn *sr_tun_conn_new(struct sr_tunnel *t, double deadline)
{
	struct sr_conn *c = calloc(1, sizeof *c);
	double left = deadline - sr_now();

	if (!c)
		return NULL;
	c->tun = t;
	c->up.fd = c->down.fd = -1;
	c->up.fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->up.fd < 0) {
		sr_tun_fail(t, SR_W_TRANSPORT_ERROR, "cannot open a socket: %s", strerror(errno));
		free(c);
		return NULL;
	}
	if (t->locallen && bind(c->up.fd, (struct sockaddr *)&t->local, t->locallen) < 0) {
		sr_tun_fail(t, SR_W_TRANSPORT_ERROR, "cannot bind to the local address: %s",
			    strerror(errno));
		close(c->up.fd);
		free(c);
		return NULL;
	}
	{
		int one = 1;

		setsockopt(c->up.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	c->next = t->conns;
	t->conns = c;
	c->state = C_CONNECTING;
	if (connect(c->up.fd, (struct sockaddr *)&t->addr, t->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		sr_tun_fail(t, SR_W_TRANSPORT_ERROR, "cannot connect to %s: %s", t->conn_name,
			    strerror(errno));
		sr_tun_conn_free(c);
		return NULL;
	}
	c->timer =
	    su_timer_create(su_root_task(t->root), (su_duration_t)(left > 0.2 ? left * 1000 : 200));
	if (c->timer)
		su_timer_set(c->timer, on_timeout, (su_timer_arg_t *)c);
	sr_tun_rearm(c);
	return c;
}
