/* SPDX-License-Identifier: BSD-2-Clause */
/* Where a registration goes: AOR, Request-URI, transport, the address to
 * send to and our own socket. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "proto/target.h"
#include "proto/ws.h"
#include "util/util.h"

int sr_hosts_lookup(const char *file, const char *name, int family, char *ip, size_t iplen)
{
	char line[1024];
	FILE *f = fopen(file, "re");
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		char *save = NULL, *addr, *tok;
		int fam;

		line[strcspn(line, "#\n")] = '\0';
		addr = strtok_r(line, " \t", &save);
		if (!addr)
			continue;
		fam = sr_ip_family(addr);
		if (!fam || (family && fam != family))
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
			if (!strcasecmp(tok, name)) {
				snprintf(ip, iplen, "%s", addr);
				found = 0;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

/* The address the kernel would send from towards ip (no packet is sent).
 * The last answer is kept: thousands of registrations ask for the same. */
static int source_address(const char *ip, int family, char *out, size_t outlen)
{
	static char last_ip[64], last_src[64];
	static int last_family;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, rc = -1;

	if (last_family == family && !strcmp(last_ip, ip)) {
		snprintf(out, outlen, "%s", last_src);
		return 0;
	}
	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(5060);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		sl = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5060);
		inet_pton(AF_INET6, ip, &sin6->sin6_addr);
		sl = sizeof *sin6;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		sl = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
			void *a = family == AF_INET
				      ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
				      : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
			if (inet_ntop(family, a, out, (socklen_t)outlen)) {
				rc = 0;
				snprintf(last_ip, sizeof last_ip, "%s", ip);
				snprintf(last_src, sizeof last_src, "%s", out);
				last_family = family;
			}
		}
	}
	close(fd);
	return rc;
}

static const char *tp_param(enum sr_transport tp)
{
	return sr_transport_name(tp);
}

/* ;transport= as ours, SR_TP_AUTO when unknown. */
static enum sr_transport tp_parse(const char *s)
{
	return !strcasecmp(s, "udp")   ? SR_TP_UDP
	       : !strcasecmp(s, "tcp") ? SR_TP_TCP
	       : !strcasecmp(s, "tls") ? SR_TP_TLS
	       : !strcasecmp(s, "ws")  ? SR_TP_WS
	       : !strcasecmp(s, "wss") ? SR_TP_WSS
				       : SR_TP_AUTO;
}

static unsigned default_port(enum sr_transport tp)
{
	return tp == SR_TP_TLS ? 5061 : tp == SR_TP_WS ? 80 : tp == SR_TP_WSS ? 443 : 5060;
}

/* A WebSocket URI (JsSIP's form) as the SIP URI of the same server:
 * ws://h:p/path -> sip:h:p;transport=ws, the path kept in t. NULL when v
 * is not one; *bad set (with err) when it is a wrong one. */
static char *ws_as_sip(su_home_t *home, const char *v, struct sr_target *t, int *bad, char *err,
		       size_t errlen)
{
	struct sr_ws_uri u;
	char why[64];
	int rc = sr_ws_uri_parse(v, &u, why, sizeof why);
	int v6 = strchr(u.host, ':') != NULL;
	char port[12] = "";

	*bad = rc < 0;
	if (rc < 0)
		snprintf(err, errlen, "server URI \"%s\" %s", v, why);
	if (rc <= 0)
		return NULL;
	if (u.port)
		snprintf(port, sizeof port, ":%u", u.port);
	snprintf(t->ws_path, sizeof t->ws_path, "%s", u.path);
	snprintf(t->ws_host, sizeof t->ws_host, "%s%s%s%s", v6 ? "[" : "", u.host, v6 ? "]" : "",
		 port);
	return su_sprintf(home, "sip:%s%s%s%s;transport=%s", v6 ? "[" : "", u.host, v6 ? "]" : "",
			  port, u.secure ? "wss" : "ws");
}

int sr_split_addr_port(const char *s, char *addr, size_t alen, char *port, size_t plen)
{
	const char *colon;

	port[0] = '\0';
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return -1;
		snprintf(addr, alen, "%.*s", (int)(end - s - 1), s + 1);
		if (end[1] == ':' && strlen(end + 2) < plen)
			snprintf(port, plen, "%s", end + 2);
		else if (end[1])
			return -1;
	} else if (strchr(s, ':') && !strchr(strchr(s, ':') + 1, ':')) {
		colon = strchr(s, ':');
		if (strlen(colon + 1) >= plen)
			return -1; /* not cut short into another port */
		snprintf(addr, alen, "%.*s", (int)(colon - s), s);
		snprintf(port, plen, "%s", colon + 1);
	} else {
		snprintf(addr, alen, "%s", s);
	}
	if (!sr_ip_family(addr))
		return -1;
	if (port[0]) {
		char *end;
		unsigned long p = strtoul(port, &end, 10);

		if (*end || p > 65535 || !isdigit((unsigned char)port[0]))
			return -1;
	}
	return 0;
}

static int host_invalid_tld(const char *host)
{
	size_t len = strlen(host);

	if (len && host[len - 1] == '.')
		len--;
	return (len >= 8 && !strncasecmp(host + len - 8, ".invalid", 8)) ||
	       (len == 7 && !strncasecmp(host, "invalid", 7));
}

/* A bracketed IPv6 host without its brackets. */
static void unbracket(char *dst, size_t len, const char *host)
{
	snprintf(dst, len, "%s", host);
	if (dst[0] == '[') {
		memmove(dst, dst + 1, strlen(dst));
		dst[strcspn(dst, "]")] = '\0';
	}
}

/* The address of host: itself when a literal, else /etc/hosts (or
 * $SIPREG_HOSTS_FILE), localhost as a last resort; "" when only DNS can
 * tell. Returns its family, 0 when not known. */
static int lookup_host(const char *host, int af, char *ip, size_t len)
{
	const char *hosts = getenv("SIPREG_HOSTS_FILE");
	int want = af == 4 ? AF_INET : af == 6 ? AF_INET6 : 0;

	ip[0] = '\0';
	if (sr_ip_family(host)) {
		snprintf(ip, len, "%s", host);
	} else if (sr_hosts_lookup(hosts ? hosts : "/etc/hosts", host, want, ip, len) < 0 &&
		   !strcasecmp(host, "localhost")) {
		snprintf(ip, len, "%s", af == 6 ? "::1" : "127.0.0.1");
	}
	return ip[0] ? sr_ip_family(ip) : 0;
}

/* The URL nua sends to: sip:IP:PORT;transport=x (the port by default that
 * of the transport). */
static void proxy_url(struct sr_target *t, int sips)
{
	int v6 = sr_ip_family(t->connect_ip) == AF_INET6;

	snprintf(t->proxy, sizeof t->proxy, "%s:%s%s%s:%u;transport=%s", sips ? "sips" : "sip",
		 v6 ? "[" : "", t->connect_ip, v6 ? "]" : "",
		 t->port ? t->port : default_port(t->tp), tp_param(t->tp));
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The AOR of the registration. */
static url_t *aor_of(su_home_t *home, const struct sr_reg *r, struct sr_target *t, char *err,
		     size_t errlen)
{
	url_t *aor;

	if (!r->client_uri)
		return fail(err, errlen, "no client URI: give -u/--client-uri sip:user@domain"),
		       NULL;
	aor = url_make(home, r->client_uri);
	if (!aor || (aor->url_type != url_sip && aor->url_type != url_sips) || !aor->url_host ||
	    !aor->url_user || !*aor->url_user || !*aor->url_host)
		return fail(err, errlen,
			    "client URI \"%s\": expected sip:user@domain or sips:user@domain",
			    r->client_uri),
		       NULL;
	snprintf(t->aor, sizeof t->aor, "%s:%s@%s%s%s", aor->url_type == url_sips ? "sips" : "sip",
		 aor->url_user, aor->url_host, aor->url_port ? ":" : "",
		 aor->url_port ? aor->url_port : "");
	snprintf(t->aor_user, sizeof t->aor_user, "%s", aor->url_user);
	return aor;
}

/* The registrar's URI (server_uri, else the AOR's domain), its port and
 * the transport: settings, then ;transport=, then sips:, then UDP. */
static url_t *registrar_of(su_home_t *home, const struct sr_reg *r, url_t const *aor,
			   struct sr_target *t, enum sr_transport *uri_tp, char *err, size_t errlen)
{
	char tpbuf[16] = "";
	url_t *reg;

	if (r->server_uri) {
		int bad;
		char *sip = ws_as_sip(home, r->server_uri, t, &bad, err, errlen);

		if (bad)
			return NULL;
		reg = url_make(home, sip ? sip : r->server_uri);
		if (!reg || (reg->url_type != url_sip && reg->url_type != url_sips) ||
		    !reg->url_host || !*reg->url_host)
			return fail(err, errlen,
				    "server URI \"%s\": expected sip:host[:port] or "
				    "sips:host[:port]",
				    r->server_uri),
			       NULL;
	} else {
		reg = url_hdup(home, aor);
		if (!reg)
			return fail(err, errlen, "out of memory"), NULL;
		reg->url_user = reg->url_password = NULL;
		reg->url_params = reg->url_headers = NULL;
	}
	if (reg->url_port && *reg->url_port) {
		char *end;
		unsigned long p = strtoul(reg->url_port, &end, 10);

		if (*end || p == 0 || p > 65535)
			return fail(err, errlen, "server URI: bad port \"%s\"", reg->url_port),
			       NULL;
		t->port = (unsigned)p;
	}
	*uri_tp = SR_TP_AUTO;
	if (url_param(reg->url_params, "transport", tpbuf, sizeof tpbuf) > 0) {
		*uri_tp = tp_parse(tpbuf);
		if (*uri_tp == SR_TP_AUTO)
			return fail(err, errlen,
				    "server URI: unknown transport \"%s\" (udp, tcp, tls, ws or "
				    "wss)",
				    tpbuf),
			       NULL;
	}
	t->tp = r->transport != SR_TP_AUTO  ? r->transport
		: *uri_tp != SR_TP_AUTO	    ? *uri_tp
		: reg->url_type == url_sips ? SR_TP_TLS
					    : SR_TP_UDP;
	if (*uri_tp != SR_TP_AUTO && r->transport != SR_TP_AUTO && *uri_tp != r->transport)
		return fail(err, errlen,
			    "--transport %s contradicts ;transport=%s in the server URI",
			    tp_param(r->transport), tpbuf),
		       NULL;
	if (reg->url_type == url_sips && t->tp != SR_TP_TLS && t->tp != SR_TP_WSS)
		return fail(err, errlen, "a sips: server URI needs transport tls or wss, not %s",
			    tp_param(t->tp)),
		       NULL;
	return reg;
}

/* Request-URI: as given, with the transport made explicit unless the
 * scheme's default (UDP for sip:, TLS for sips:) was taken. */
static void request_uri(su_home_t *home, url_t const *reg, enum sr_transport uri_tp,
			struct sr_target *t)
{
	url_t *ru = url_hdup(home, reg);
	char *params = ru && ru->url_params ? su_strdup(home, ru->url_params) : NULL;
	char *np = su_strdup(home, ""), *save = NULL, *p, *s;
	int implicit = uri_tp == SR_TP_AUTO &&
		       (t->tp == SR_TP_UDP || (t->tp == SR_TP_TLS && reg->url_type == url_sips));

	if (!ru || !np)
		return;
	for (p = params ? strtok_r(params, ";", &save) : NULL; p; p = strtok_r(NULL, ";", &save))
		if (strncasecmp(p, "transport=", 10))
			np = su_sprintf(home, "%s%s%s", np, *np ? ";" : "", p);
	ru->url_params = NULL;
	s = url_as_string(home, ru);
	snprintf(t->registrar, sizeof t->registrar, "%s%s%s%s%s", s, *np ? ";" : "", np,
		 implicit ? "" : ";transport=", implicit ? "" : tp_param(t->tp));
}

/* servers, or the outbound proxy (what names it, for errors): send to
 * uri; the Request-URI stays the registrar's. */
static int connect_to(su_home_t *home, const struct sr_reg *r, const char *uri, const char *what,
		      struct sr_target *t, char *err, size_t errlen)
{
	int bad;
	char *sip = ws_as_sip(home, uri, t, &bad, err, errlen);
	url_t *cu = bad ? NULL : url_make(home, sip ? sip : uri);
	char ctp[16] = "";
	int cfam;

	if (bad)
		return -1;
	if (!cu || (cu->url_type != url_sip && cu->url_type != url_sips) || !cu->url_host)
		return fail(err, errlen, "%s \"%s\": expected a sip: or sips: URI", what, uri);
	/* JsSIP's sockets and RFC 3261's loose routing: the server or the
	 * proxy says how it is reached, unless the registration names a
	 * transport of its own */
	if (url_param(cu->url_params, "transport", ctp, sizeof ctp) > 0 &&
	    strcasecmp(ctp, tp_param(t->tp))) {
		if (tp_parse(ctp) == SR_TP_AUTO)
			return fail(err, errlen,
				    "%s %s: unknown transport \"%s\" (udp, tcp, tls, ws or wss)",
				    what, uri, ctp);
		if (r->transport != SR_TP_AUTO)
			return fail(err, errlen,
				    "%s %s: transport %s differs from the registration's %s", what,
				    uri, ctp, tp_param(t->tp));
		t->tp = tp_parse(ctp);
	}
	unbracket(t->verify_host, sizeof t->verify_host, cu->url_host);
	t->port = cu->url_port ? (unsigned)strtoul(cu->url_port, NULL, 10) : 0;
	cfam = lookup_host(t->verify_host, r->af, t->connect_ip, sizeof t->connect_ip);
	if (cfam) {
		t->family = cfam;
		proxy_url(t, cu->url_type == url_sips);
	} else {
		snprintf(t->proxy, sizeof t->proxy, "%s%s%s", uri,
			 ctp[0] ? "" : ";transport=", ctp[0] ? "" : tp_param(t->tp));
	}
	return 0;
}

/* Our socket: bound to the address we would send from, in the registrar's
 * family (docs/sofia-sip.md, 11). */
static enum sr_word bind_to(const struct sr_reg *r, struct sr_target *t, char *err, size_t errlen)
{
	char laddr[64] = "", lport[8] = "";
	const char *bind_host;
	int v6;

	if (r->local_address) {
		if (sr_split_addr_port(r->local_address, laddr, sizeof laddr, lport, sizeof lport) <
		    0)
			return fail(err, errlen,
				    "--local-address \"%s\": expected ADDR or ADDR:PORT or "
				    "[ADDR6]:PORT",
				    r->local_address),
			       SR_W_CONFIG_ERROR;
		if (t->family && sr_ip_family(laddr) != t->family)
			return fail(err, errlen,
				    "--local-address %s is not in the family of the server %s",
				    laddr, t->host),
			       SR_W_CONFIG_ERROR;
		t->family = sr_ip_family(laddr);
		snprintf(t->local_ip, sizeof t->local_ip, "%s", laddr);
	} else if (t->connect_ip[0] &&
		   source_address(t->connect_ip, t->family, t->local_ip, sizeof t->local_ip) < 0) {
		fail(err, errlen, "no route to %s", t->connect_ip);
		return SR_W_TRANSPORT_ERROR;
	}
	bind_host = t->local_ip[0] ? t->local_ip : t->family == AF_INET6 ? "::" : "0.0.0.0";
	v6 = sr_ip_family(bind_host) == AF_INET6;
	snprintf(t->bind_url, sizeof t->bind_url, "%s:%s%s%s:%s;transport=%s",
		 t->tp == SR_TP_TLS ? "sips" : "sip", v6 ? "[" : "", bind_host, v6 ? "]" : "",
		 lport[0] ? lport : "0", tp_param(t->tp));
	return SR_W_NONE;
}

enum sr_word sr_target_build(const struct sr_reg *r, struct sr_target *t, char *err, size_t errlen)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	enum sr_transport uri_tp = SR_TP_AUTO;
	enum sr_word rc = SR_W_CONFIG_ERROR;
	url_t *aor, *reg;
	int fam;

	memset(t, 0, sizeof *t);
	aor = aor_of(home, r, t, err, errlen);
	reg = aor ? registrar_of(home, r, aor, t, &uri_tp, err, errlen) : NULL;
	if (!reg)
		goto out;
	/* the host: a literal, /etc/hosts, or left to Sofia's resolver (SRV, A) */
	unbracket(t->host, sizeof t->host, reg->url_host);
	t->host_is_ip = sr_ip_family(t->host) != 0;
	if (!t->host_is_ip && host_invalid_tld(t->host)) {
		fail(err, errlen, "cannot resolve \"%s\": the .invalid domain never resolves",
		     t->host);
		rc = SR_W_DNS_ERROR;
		goto out;
	}
	fam = lookup_host(t->host, r->af, t->connect_ip, sizeof t->connect_ip);
	if (fam && r->af && fam != (r->af == 4 ? AF_INET : AF_INET6)) {
		fail(err, errlen, "server %s is an IPv%d address but -%d was given", t->host,
		     fam == AF_INET ? 4 : 6, r->af);
		goto out;
	}
	t->family = fam ? fam : r->af == 6 ? AF_INET6 : r->af == 4 ? AF_INET : 0;
	request_uri(home, reg, uri_tp, t);
	if (t->connect_ip[0] && !t->host_is_ip)
		proxy_url(t, reg->url_type == url_sips);
	snprintf(t->verify_host, sizeof t->verify_host, "%s", t->host);
	if (r->connect_uri || r->outbound_proxy) {
		/* a server of servers, else the outbound proxy (its Route stays
		 * in the request), is the first hop: over a connection, the
		 * tunnel's. registrar_of checked the registrar's own transport;
		 * RFC 3261 26.2.2: sips: is TLS on the first hop too */
		int via_proxy = !r->connect_uri;

		if (connect_to(home, r, via_proxy ? r->outbound_proxy : r->connect_uri,
			       via_proxy ? "outbound proxy" : "server", t, err, errlen) < 0)
			goto out;
		if (reg->url_type == url_sips && t->tp != SR_TP_TLS && t->tp != SR_TP_WSS) {
			fail(err, errlen,
			     "a sips: registrar needs tls or wss to its first hop, not %s",
			     tp_param(t->tp));
			goto out;
		}
	}
	rc = bind_to(r, t, err, errlen);
	if (rc == SR_W_NONE &&
	    (t->tp == SR_TP_TCP || t->tp == SR_TP_TLS || t->tp == SR_TP_WS || t->tp == SR_TP_WSS)) {
		/* nua speaks TCP to the tunnel on loopback; the tunnel binds
		 * to local_ip (when given) towards the server */
		int v6 = strchr(t->verify_host, ':') != NULL;

		t->tunneled = true;
		if (!r->local_address)
			t->local_ip[0] = '\0';
		if (!t->ws_host[0] && t->port)
			snprintf(t->ws_host, sizeof t->ws_host, "%s%s%s:%u", v6 ? "[" : "",
				 t->verify_host, v6 ? "]" : "", t->port);
		else if (!t->ws_host[0])
			snprintf(t->ws_host, sizeof t->ws_host, "%s%s%s", v6 ? "[" : "",
				 t->verify_host, v6 ? "]" : "");
		if (!t->ws_path[0])
			snprintf(t->ws_path, sizeof t->ws_path, "/");
		/* RFC 3263: a name without a port (and not known locally) is
		 * looked up by SRV; WebSocket URIs have no SRV */
		t->srv = !t->port && !t->connect_ip[0] && !t->host_is_ip &&
			 (t->tp == SR_TP_TLS || t->tp == SR_TP_TCP);
		if (!t->port)
			t->port = default_port(t->tp);
		snprintf(t->bind_url, sizeof t->bind_url, "sip:127.0.0.1:0;transport=tcp");
	}
out:
	su_home_deinit(home);
	return rc;
}
