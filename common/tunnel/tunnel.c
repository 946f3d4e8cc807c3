/* SPDX-License-Identifier: BSD-2-Clause */
/* Tunnels: nua's TCP on loopback carried over our TLS, WS or WSS
 * connection to the server (tunnel.h; docs/transports.md). This file: the
 * tunnels, their loopback port and nua's connections to it. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <sofia-resolv/sres.h>
#include <sofia-resolv/sres_record.h>

#include "model/secrets.h"
#include "tunnel/keylog.h"
#include "tunnel/tunconn.h"
#include "tunnel/tundata.h"
#include "tunnel/tunnel.h"
#include "util/log.h"
#include "util/util.h"

static struct sr_tunnel *g_tunnels;
static void (*g_drop_hook)(struct sr_tunnel *t);

void sr_tunnel_on_drop(void (*fn)(struct sr_tunnel *t))
{
	struct sr_tunnel *t;

	g_drop_hook = fn;
	for (t = g_tunnels; t; t = t->next)
		t->on_drop = fn;
}

static void reap(struct sr_tunnel *t)
{
	struct sr_conn *c = t->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->dead)
			sr_tun_conn_free(c);
	}
}

/* nua connects to our port: it gets the connection made ready for it, or
 * a new one whose handshakes run while what nua sends waits. */
static int on_accept(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sr_tunnel *t = (struct sr_tunnel *)arg;
	struct sr_conn *c;
	int fd;

	(void)m;
	(void)w;
	reap(t);
	fd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return 0;
	for (c = t->conns; c; c = c->next)
		if (c->down.fd < 0 && !c->dead)
			break;
	if (!c)
		c = sr_tun_conn_new(t, sr_now() + 10);
	if (!c) {
		close(fd);
		return 0;
	}
	c->down.fd = fd;
	if (sr_tun_pump(c) < 0)
		sr_tun_conn_end(c);
	else
		sr_tun_rearm(c);
	return 0;
}

/* ---- tunnels ---- */

/* The first answer of type in a resolver's answers, NULL when none. */
static sres_record_t *first_of(sres_record_t **ans, uint16_t type)
{
	size_t i;

	for (i = 0; ans && ans[i]; i++)
		if (ans[i]->sr_record->r_type == type && ans[i]->sr_record->r_status == SRES_OK)
			return ans[i];
	return NULL;
}

/* The first record of type for name, the answers left in *ans (the
 * caller frees them), or NULL. */
static sres_record_t *query_first(sres_resolver_t *res, uint16_t type, const char *name,
				  sres_record_t ***ans)
{
	if (sres_blocking_query(res, type, name, 0, ans) < 0 || !*ans)
		return NULL;
	return first_of(*ans, type);
}

/* A name by Sofia's resolver, which nua uses too (SIPREG_RESOLV_CONF):
 * _sips._tcp SRV first when asked (the best priority, then weight), then
 * A or AAAA. 0, or -1 with err. */
static int sres_resolve(struct sr_tunnel *t, const struct sr_tunnel_params *p, char *name,
			size_t namelen, unsigned *port, char *err, size_t errlen)
{
	sres_resolver_t *res = sres_resolver_new(getenv("SIPREG_RESOLV_CONF"));
	sres_record_t **ans = NULL, *r;
	char q[600];
	int rc = -1;

	if (!res) {
		snprintf(err, errlen, "cannot start a DNS resolver: %s", strerror(errno));
		return -1;
	}
	if (p->srv) {
		snprintf(q, sizeof q, "%s._tcp.%s", p->tp == SR_TP_TCP ? "_sip" : "_sips",
			 p->connect_host);
		if (sres_blocking_query(res, sres_type_srv, q, 0, &ans) >= 0 && ans) {
			sres_sort_answers(res, ans);
			r = first_of(ans, sres_type_srv);
			if (r) {
				snprintf(name, namelen, "%s", r->sr_srv->srv_target);
				if (namelen && name[0] && name[strlen(name) - 1] == '.')
					name[strlen(name) - 1] = '\0';
				*port = r->sr_srv->srv_port;
			}
		}
		sres_free_answers(res, ans);
		ans = NULL;
	}
	memset(&t->addr, 0, sizeof t->addr);
	r = p->family != AF_INET6 ? query_first(res, sres_type_a, name, &ans) : NULL;
	if (r) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

		sin->sin_family = AF_INET;
		sin->sin_addr = r->sr_a->a_addr;
		sin->sin_port = htons((uint16_t)*port);
		t->addrlen = sizeof *sin;
		rc = 0;
	}
	sres_free_answers(res, ans);
	ans = NULL;
	r = rc < 0 && p->family != AF_INET ? query_first(res, sres_type_aaaa, name, &ans) : NULL;
	if (r) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, &r->sr_aaaa->aaaa_addr, sizeof sin6->sin6_addr);
		sin6->sin6_port = htons((uint16_t)*port);
		t->addrlen = sizeof *sin6;
		rc = 0;
	}
	sres_free_answers(res, ans);
	sres_resolver_unref(res);
	if (rc < 0)
		snprintf(err, errlen, "cannot resolve %s%s%s", p->connect_host,
			 strcmp(name, p->connect_host) ? " (SRV: " : "",
			 strcmp(name, p->connect_host) ? name : "");
	if (rc < 0 && strcmp(name, p->connect_host))
		snprintf(err + strlen(err), errlen - strlen(err), ")");
	return rc;
}

static enum sr_word resolve(struct sr_tunnel *t, const struct sr_tunnel_params *p, char *err,
			    size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int rc;

	if (!sr_ip_family(p->connect_host)) {
		/* a name: what nua's resolver says for it */
		char name[512];
		unsigned pt = p->port;

		snprintf(name, sizeof name, "%s", p->connect_host);
		if (sres_resolve(t, p, name, sizeof name, &pt, err, errlen) < 0)
			return SR_W_DNS_ERROR;
		if (pt != p->port)
			snprintf(t->conn_name_buf, sizeof t->conn_name_buf,
				 "%s port %u (SRV of %s)", name, pt, p->connect_host);
		goto local;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = p->family ? p->family : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	snprintf(port, sizeof port, "%u", p->port);
	rc = getaddrinfo(p->connect_host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "cannot use %s: %s", p->connect_host,
			 rc ? gai_strerror(rc) : "no address");
		return SR_W_TRANSPORT_ERROR;
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
local:
	if (p->local_ip && *p->local_ip) {
		memset(&hints, 0, sizeof hints);
		hints.ai_family = t->addr.ss_family;
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		if (getaddrinfo(p->local_ip, "0", &hints, &res) == 0 && res) {
			memcpy(&t->local, res->ai_addr, res->ai_addrlen);
			t->locallen = res->ai_addrlen;
			freeaddrinfo(res);
		}
	}
	return SR_W_NONE;
}

/* A client certificate's key: private like a password file. */
static int key_private(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "TLS key %s: %s", path, strerror(errno));
		return -1;
	}
	return sr_mode_private("TLS key", path, st.st_mode, err, errlen);
}

static enum sr_word make_ctx(struct sr_tunnel *t, const struct sr_tunnel_params *p, char *err,
			     size_t errlen)
{
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		snprintf(err, errlen, "TLS: cannot create a context");
		return SR_W_INTERNAL_ERROR;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	if (sr_keylog_ctx(t->ctx, err, errlen) < 0)
		return SR_W_CONFIG_ERROR;
	SSL_CTX_set_mode(t->ctx,
			 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* one read() takes what the kernel holds, many records at once; without
	 * it OpenSSL reads each record's 5-byte header and its body apart, two
	 * system calls per answer (tunconn.c, read_up) */
	SSL_CTX_set_read_ahead(t->ctx, 1);
	if (p->verify) {
		if (p->ca_file || p->ca_dir) {
			if (SSL_CTX_load_verify_locations(t->ctx, p->ca_file, p->ca_dir) != 1) {
				snprintf(err, errlen, "TLS: cannot load CA certificates from %s",
					 p->ca_file ? p->ca_file : p->ca_dir);
				return SR_W_CONFIG_ERROR;
			}
		} else {
			SSL_CTX_set_default_verify_paths(t->ctx);
		}
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, sr_tun_verify_cb);
	} else {
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
	}
	if (p->cert) {
		if (!p->key) { /* the settings check it first: tls_cert and tls_key go together */
			snprintf(err, errlen, "TLS certificate %s: no tls_key with it", p->cert);
			return SR_W_CONFIG_ERROR;
		}
		if (key_private(p->key, err, errlen) < 0)
			return SR_W_CONFIG_ERROR;
		if (SSL_CTX_use_certificate_chain_file(t->ctx, p->cert) != 1) {
			snprintf(err, errlen, "TLS certificate %s: cannot use it: %s", p->cert,
				 ERR_reason_error_string(ERR_peek_last_error()));
			ERR_clear_error();
			return SR_W_CONFIG_ERROR;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ctx, p->key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ctx) != 1) {
			snprintf(err, errlen, "TLS key %s: cannot use it with %s: %s", p->key,
				 p->cert, ERR_reason_error_string(ERR_peek_last_error()));
			ERR_clear_error();
			return SR_W_CONFIG_ERROR;
		}
	}
	return SR_W_NONE;
}

/* Our WebSocket host: a name under .invalid (RFC 7118), the same for a
 * tunnel across runs on this host so that our Contact keeps its identity. */
static void invalid_host(struct sr_tunnel *t)
{
	char hn[256] = "", in[1700];
	unsigned char md[32];
	unsigned int len = 0;

	gethostname(hn, sizeof hn - 1);
	snprintf(in, sizeof in, "sipreg-ws|%s|%s", hn, t->key);
	EVP_Digest(in, strlen(in), md, &len, EVP_sha256(), NULL);
	snprintf(t->contact_host, sizeof t->contact_host, "%02x%02x%02x%02x%02x%02x.invalid", md[0],
		 md[1], md[2], md[3], md[4], md[5]);
}

static int listen_loopback(struct sr_tunnel *t, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->lfd < 0 || bind(t->lfd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    listen(t->lfd, 16) < 0 || getsockname(t->lfd, (struct sockaddr *)&sin, &sl) < 0) {
		snprintf(err, errlen, "cannot listen on loopback for nua: %s", strerror(errno));
		return -1;
	}
	t->lport = ntohs(sin.sin_port);
	return 0;
}

static void tunnel_free(struct sr_tunnel *t)
{
	while (t->conns) {
		struct sr_conn *c = t->conns;

		sr_tun_conn_end(c);
		sr_tun_conn_free(c);
	}
	if (t->lidx > 0 && t->root)
		su_root_deregister(t->root, t->lidx);
	if (t->lfd >= 0)
		close(t->lfd);
	SSL_CTX_free(t->ctx);
	free(t->server_name);
	free(t->ws_host);
	free(t->ws_path);
	free(t->cert);
	free(t->conn_name);
	free(t);
}

struct sr_tunnel *sr_tunnel_get(const struct sr_tunnel_params *p, enum sr_word *w, char *err,
				size_t errlen)
{
	struct sr_tunnel *t;
	char key[sizeof t->key];
	char name[600];

	snprintf(key, sizeof key, "%d|%s|%u|%d|%s|%s|%s|%s|%s|%s|%s|%d|%s", p->tp, p->connect_host,
		 p->port, p->family, p->local_ip ? p->local_ip : "", p->server_name,
		 p->ws_host ? p->ws_host : "", p->ws_path ? p->ws_path : "",
		 p->ca_file ? p->ca_file : "", p->ca_dir ? p->ca_dir : "", p->cert ? p->cert : "",
		 p->verify, p->key ? p->key : "");
	for (t = g_tunnels; t; t = t->next)
		if (!strcmp(t->key, key)) {
			t->refs++;
			return t;
		}
	t = calloc(1, sizeof *t);
	if (!t) {
		*w = SR_W_INTERNAL_ERROR;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->lfd = -1;
	t->refs = 1;
	t->on_drop = g_drop_hook;
	t->tp = p->tp;
	snprintf(t->key, sizeof t->key, "%s", key);
	snprintf(name, sizeof name, "%s%s%s port %u", strchr(p->connect_host, ':') ? "[" : "",
		 p->connect_host, strchr(p->connect_host, ':') ? "]" : "", p->port);
	t->conn_name = strdup(name);
	snprintf(t->trace_name, sizeof t->trace_name, "%s/[%s]:%u", sr_transport_name(p->tp),
		 p->connect_host, p->port);
	t->server_name = strdup(p->server_name);
	t->ws_host = p->ws_host ? strdup(p->ws_host) : NULL;
	t->ws_path = strdup(p->ws_path && *p->ws_path ? p->ws_path : "/");
	t->cert = p->cert ? strdup(p->cert) : NULL;
	invalid_host(t);
	*w = resolve(t, p, err, errlen);
	if (t->conn_name_buf[0]) {
		free(t->conn_name);
		t->conn_name = strdup(t->conn_name_buf);
	}
	if (*w == SR_W_NONE && sr_tun_uses_tls(t))
		*w = make_ctx(t, p, err, errlen);
	if (*w == SR_W_NONE && listen_loopback(t, err, errlen) < 0)
		*w = SR_W_INTERNAL_ERROR;
	if (*w != SR_W_NONE || !t->conn_name || !t->server_name || !t->ws_path) {
		if (*w == SR_W_NONE) {
			*w = SR_W_INTERNAL_ERROR;
			snprintf(err, errlen, "out of memory");
		}
		tunnel_free(t);
		return NULL;
	}
	t->next = g_tunnels;
	g_tunnels = t;
	return t;
}

static int warm_done(const void *arg)
{
	const struct sr_conn *c = arg;

	return c->state == C_OPEN || c->dead;
}

enum sr_word sr_tunnel_warm(struct sr_tunnel *t, su_root_t *root, double deadline, char *err,
			    size_t errlen)
{
	struct sr_conn *c;

	if (!t->root) {
		t->root = root;
		su_wait_create(&t->lw, t->lfd, SU_WAIT_ACCEPT);
		t->lidx = su_root_register(root, &t->lw, on_accept, (su_wakeup_arg_t *)t, 0);
	}
	if (t->root != root || t->lidx <= 0) {
		snprintf(err, errlen, "the tunnel to %s cannot serve this event loop",
			 t->conn_name);
		return SR_W_INTERNAL_ERROR;
	}
	reap(t);
	for (c = t->conns; c; c = c->next)
		if (c->state == C_OPEN)
			return SR_W_NONE;
	t->err_word = SR_W_NONE;
	c = sr_tun_conn_new(t, deadline);
	while (c && !warm_done(c) && sr_now() < deadline + 0.5)
		su_root_step(t->root, (su_duration_t)((deadline + 0.5 - sr_now()) * 1000) + 1);
	if (c && c->state == C_OPEN)
		return SR_W_NONE;
	if (c && !c->dead && t->err_word == SR_W_NONE)
		sr_tun_fail(t, SR_W_TIMEOUT, "no connection to %s in time", t->conn_name);
	if (c && !c->dead)
		sr_tun_conn_end(c);
	snprintf(err, errlen, "%s", t->err);
	return t->err_word != SR_W_NONE ? t->err_word : SR_W_TRANSPORT_ERROR;
}

unsigned sr_tunnel_port(const struct sr_tunnel *t)
{
	return t->lport;
}

const char *sr_tunnel_local(const struct sr_tunnel *t)
{
	const struct sr_conn *c;

	for (c = t->conns; c; c = c->next)
		if (c->state == C_OPEN && c->local[0])
			return c->local;
	return NULL;
}

const char *sr_tunnel_contact_host(const struct sr_tunnel *t)
{
	const char *local = sr_tun_is_ws(t) ? NULL : sr_tunnel_local(t);

	return local ? local : t->contact_host;
}

enum sr_word sr_tunnel_error(const struct sr_tunnel *t, const char **msg)
{
	*msg = t->err;
	return t->err_word;
}

void sr_tunnel_put(struct sr_tunnel *t)
{
	struct sr_tunnel **pp;

	if (!t || --t->refs)
		return;
	t->closing = 1;
	for (pp = &g_tunnels; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	tunnel_free(t);
}

double sr_tunnel_cert(const struct sr_tunnel *t, const char **subject)
{
	*subject = t && t->cert_not_after > 0 ? t->cert_subject : NULL;
	return t ? t->cert_not_after : 0;
}
