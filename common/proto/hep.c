/* SPDX-License-Identifier: BSD-2-Clause */
/* HEPv3 packets and the capture records they are made from. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "proto/hep.h"
#include "proto/sipstream.h"

/* HEPv3 chunk types of the generic vendor (0) */
enum {
	CH_FAMILY = 1,
	CH_PROTO = 2,
	CH_SRC4 = 3,
	CH_DST4 = 4,
	CH_SRC6 = 5,
	CH_DST6 = 6,
	CH_SPORT = 7,
	CH_DPORT = 8,
	CH_SEC = 9,
	CH_USEC = 10,
	CH_PTYPE = 11, /* 1: SIP */
	CH_CAPTURE_ID = 12,
	CH_AUTH_KEY = 14,
	CH_PAYLOAD = 15,
	CH_CORRELATION = 17,
};

struct out {
	uint8_t *p;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void chunk(struct out *o, unsigned type, const void *p, size_t n)
{
	uint8_t h[6] = {
	    0, 0, (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)((n + 6) >> 8), (uint8_t)(n + 6)};

	if (n + 6 > 0xffff) {
		o->full = 1;
		return;
	}
	put(o, h, sizeof h);
	put(o, p, n);
}

static void chunk8(struct out *o, unsigned type, uint8_t v)
{
	chunk(o, type, &v, 1);
}

static void chunk16(struct out *o, unsigned type, uint16_t v)
{
	uint16_t n = htons(v);

	chunk(o, type, &n, 2);
}

static void chunk32(struct out *o, unsigned type, uint32_t v)
{
	uint32_t n = htonl(v);

	chunk(o, type, &n, 4);
}

size_t sr_hep_encode(const struct sr_hep_msg *m, uint8_t *out, size_t cap)
{
	struct out o = {out, 0, cap > SR_HEP_MAX ? SR_HEP_MAX : cap, 0};
	size_t alen = m->family == AF_INET6 ? 16 : 4;

	put(&o, "HEP3\0\0", 6); /* the length is filled in at the end */
	chunk8(&o, CH_FAMILY, m->family == AF_INET6 ? 10 : 2);
	chunk8(&o, CH_PROTO, m->ip_proto);
	chunk16(&o, CH_SPORT, m->sport);
	chunk16(&o, CH_DPORT, m->dport);
	chunk32(&o, CH_SEC, m->sec);
	chunk32(&o, CH_USEC, m->usec);
	chunk8(&o, CH_PTYPE, 1);
	chunk32(&o, CH_CAPTURE_ID, m->capture_id);
	chunk(&o, m->family == AF_INET6 ? CH_SRC6 : CH_SRC4, m->src, alen);
	chunk(&o, m->family == AF_INET6 ? CH_DST6 : CH_DST4, m->dst, alen);
	if (m->password && *m->password)
		chunk(&o, CH_AUTH_KEY, m->password, strlen(m->password));
	chunk(&o, CH_PAYLOAD, m->payload, m->len);
	if (m->call_id && m->call_id_len)
		chunk(&o, CH_CORRELATION, m->call_id, m->call_id_len);
	if (o.full)
		return 0;
	out[4] = (uint8_t)(o.len >> 8);
	out[5] = (uint8_t)o.len;
	return o.len;
}

/* "[ip]:port" at s: 0 with ip and port */
static int bracketed(const char *s, char *ip, size_t iplen, unsigned *port)
{
	const char *e = s[0] == '[' ? strchr(s, ']') : NULL;
	char *end;
	unsigned long p;

	if (!e || (size_t)(e - s - 1) >= iplen || e[1] != ':')
		return -1;
	memcpy(ip, s + 1, (size_t)(e - s - 1));
	ip[e - s - 1] = '\0';
	p = strtoul(e + 2, &end, 10);
	if (end == e + 2 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return (int)(end - s);
}

/* Sofia-SIP's stamp: "sent N bytes to udp/[ip]:port at HH:MM:SS.usec:" */
static int sofia_head(const char *h, struct sr_hep_rec *r, size_t *n)
{
	char what[8], via[8];
	unsigned hh, mm, ss;
	unsigned long usec;
	int k = 0, at = 0;
	const char *slash;

	if (sscanf(h, "%7s %zu bytes %7s %n", what, n, via, &k) != 3 || !k)
		return -1;
	r->sent = !strcmp(what, "sent") || !strcmp(what, "send");
	if (!r->sent && strcmp(what, "recv"))
		return -1;
	slash = strchr(h + k, '/');
	if (!slash || (size_t)(slash - h - k) >= sizeof r->proto)
		return -1;
	memcpy(r->proto, h + k, (size_t)(slash - h - k));
	r->proto[slash - h - k] = '\0';
	k = bracketed(slash + 1, r->remote, sizeof r->remote, &r->remote_port);
	if (k < 0)
		return -1;
	/* ";comp=sigcomp" or a flow label may stand before " at " */
	if (sscanf(strstr(slash, " at ") ? strstr(slash, " at ") : "", " at %u:%u:%u.%lu:%n", &hh,
		   &mm, &ss, &usec, &at) != 4 ||
	    !at || ss > 60 || usec > 999999)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	r->full_time = 0;
	r->hh = hh;
	r->mm = mm;
	r->sec = ss;
	r->usec = (uint32_t)usec;
	return 0;
}

/* The tunnel's: "hep send tls [ip]:port [ip]:port SEC.USEC N" */
static int our_head(const char *h, struct sr_hep_rec *r, size_t *n)
{
	char what[8];
	unsigned long sec, usec;
	int k = 0, a, b;

	if (sscanf(h, "hep %7s %7s %n", what, r->proto, &k) != 2 || !k)
		return -1;
	r->sent = !strcmp(what, "send");
	if (!r->sent && strcmp(what, "recv"))
		return -1;
	a = bracketed(h + k, r->local, sizeof r->local, &r->local_port);
	if (a < 0 || h[k + a] != ' ')
		return -1;
	b = bracketed(h + k + a + 1, r->remote, sizeof r->remote, &r->remote_port);
	if (b < 0 || sscanf(h + k + a + 1 + b, " %lu.%lu %zu", &sec, &usec, n) != 3 ||
	    usec > 999999)
		return -1;
	r->full_time = 1;
	r->sec = (uint32_t)sec;
	r->usec = (uint32_t)usec;
	return 0;
}

/* Past the next record end ("\v\n") after a broken record, 0 when none
 * has come yet. */
static size_t past_end(const char *buf, size_t len)
{
	const char *e = len > 1 ? memmem(buf + 1, len - 1, "\v\n", 2) : NULL;

	return e ? (size_t)(e - buf) + 2 : 0;
}

size_t sr_hep_next(const char *buf, size_t len, struct sr_hep_rec *rec)
{
	const char *eol = memchr(buf, '\n', len < 512 ? len : 512);
	char head[512];
	size_t hl, n = 0;
	int rc, like_head;

	memset(rec, 0, sizeof *rec);
	like_head = (len >= 5 && (!memcmp(buf, "sent ", 5) || !memcmp(buf, "recv ", 5) ||
				  !memcmp(buf, "send ", 5))) ||
		    (len >= 4 && !memcmp(buf, "hep ", 4));
	if (!eol) /* no record head is that long: a broken one */
		return len < 512 ? 0 : like_head ? past_end(buf, len) : 512;
	hl = (size_t)(eol - buf) + 1;
	if (!like_head)
		return hl; /* "dump started at ...", a blank line */
	memcpy(head, buf, hl - 1);
	head[hl - 1] = '\0';
	rc = !strncmp(head, "hep ", 4) ? our_head(head, rec, &n) : sofia_head(head, rec, &n);
	if (rc < 0 || n > SR_HEP_MAX)
		return past_end(buf, len);
	if (len < hl + n + 2)
		return 0;
	if (memcmp(buf + hl + n, "\v\n", 2)) /* a record cut short: its bytes are lost */
		return past_end(buf, len);
	rec->body = buf + hl;
	rec->len = n;
	return hl + n + 2;
}

/* The latest time not after now whose clock, offset off seconds from UTC,
 * reads hh:mm:ss. */
static uint32_t clock_at(uint32_t now, unsigned hh, unsigned mm, unsigned ss, long off)
{
	int64_t local = (int64_t)now + off;
	int64_t day = local - ((local % 86400) + 86400) % 86400;
	int64_t t = day + (int64_t)hh * 3600 + (int64_t)mm * 60 + (int64_t)ss - off;

	if (t > (int64_t)now)
		t -= 86400;
	return (uint32_t)t;
}

uint32_t sr_hep_dump_time(uint32_t now, unsigned hh, unsigned mm, unsigned ss, long utc_offset)
{
	uint32_t a = clock_at(now, hh, mm, ss, 0), b = clock_at(now, hh, mm, ss, utc_offset);

	return a > b ? a : b;
}

/* host[:port] at s (n bytes): an IP literal and its port (def when none) */
static int host_port(const char *s, size_t n, unsigned def, char *ip, size_t iplen, unsigned *port)
{
	char h[80], *host = h, *p = NULL, *e;
	unsigned char a[16];
	unsigned long v = def;

	if (n >= sizeof h)
		return -1;
	memcpy(h, s, n);
	h[n] = '\0';
	if (h[0] == '[') {
		e = strchr(h, ']');
		if (!e)
			return -1;
		*e = '\0';
		host = h + 1;
		p = e[1] == ':' ? e + 2 : NULL;
	} else {
		e = strchr(h, ':');
		if (e) {
			*e = '\0';
			p = e + 1;
		}
	}
	if (p) {
		v = strtoul(p, &e, 10);
		if (e == p || *e)
			return -1;
	}
	if (!*host || strlen(host) >= iplen || !v || v > 65535 ||
	    inet_pton(strchr(host, ':') ? AF_INET6 : AF_INET, host, a) != 1)
		return -1;
	strcpy(ip, host);
	*port = (unsigned)v;
	return 0;
}

int sr_hep_our_end(const char *msg, size_t len, int sent, const char *proto, char *ip, size_t iplen,
		   unsigned *port)
{
	int request = !(len > 8 && !memcmp(msg, "SIP/2.0 ", 8));
	unsigned def = !strcasecmp(proto, "tls") || !strcasecmp(proto, "wss") ? 5061 : 5060;
	size_t off, n;

	if (sent == request) {
		const char *s;

		if (sr_sip_top_via(msg, len, &off, &n) < 0)
			return -1;
		s = memchr(msg + off, ' ', n); /* after "SIP/2.0/UDP" */
		while (s && s < msg + off + n && *s == ' ')
			s++;
		if (!s || s >= msg + off + n)
			return -1;
		return host_port(s, (size_t)(msg + off + n - s), def, ip, iplen, port);
	}
	if (request) {
		/* "METHOD sip:user@host:port;params SIP/2.0" */
		const char *sp = memchr(msg, ' ', len), *at, *e, *h;

		if (!sp)
			return -1;
		e = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - msg));
		if (!e)
			return -1;
		h = memchr(sp + 1, ':', (size_t)(e - sp - 1));
		at = memchr(sp + 1, '@', (size_t)(e - sp - 1));
		h = at ? at + 1 : h ? h + 1 : NULL;
		if (!h)
			return -1;
		for (off = 0; h + off < e && !strchr(";?>", h[off]); off++)
			;
		return host_port(h, off, def, ip, iplen, port);
	}
	return -1; /* a response we sent: its Via is the peer's */
}

int sr_hep_url(const char *url, int *tcp, char *host, size_t hlen, char *port, size_t plen)
{
	const char *rest = url + 4, *colon;
	size_t hn;

	if (strncmp(url, "udp:", 4) && strncmp(url, "tcp:", 4))
		return -1;
	*tcp = url[0] == 't';
	colon = strrchr(rest, ':');
	if (!colon || colon == rest || (size_t)(colon - rest) >= hlen || !colon[1] ||
	    strlen(colon + 1) >= plen || strlen(colon + 1) > 5 ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strtoul(colon + 1, NULL, 10) < 1 || strtoul(colon + 1, NULL, 10) > 65535)
		return -1;
	snprintf(host, hlen, "%.*s", (int)(colon - rest), rest);
	snprintf(port, plen, "%s", colon + 1);
	hn = strlen(host);
	if (host[0] == '[') { /* [v6]:port */
		if (hn < 3 || host[hn - 1] != ']')
			return -1;
		memmove(host, host + 1, hn - 2);
		host[hn - 2] = '\0';
	} else if (strchr(host, ':')) {
		return -1; /* a v6 address without brackets */
	}
	return 0;
}
