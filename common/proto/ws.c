/* SPDX-License-Identifier: BSD-2-Clause */
/* WebSocket framing and handshake (RFC 6455) for SIP over WebSocket
 * (RFC 7118): pure functions, tested in tests/unit. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "proto/ws.h"
#include "util/util.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_MAX_HEAD 8192

void sr_ws_key(char key[25])
{
	unsigned char raw[16];

	if (sr_random_bytes(raw, sizeof raw) < 0) {
		size_t i;

		for (i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)random();
	}
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw);
}

void sr_ws_accept(const char *key, char accept[29])
{
	char buf[128];
	unsigned char md[SHA_DIGEST_LENGTH];

	snprintf(buf, sizeof buf, "%s%s", key, WS_GUID);
	SHA1((const unsigned char *)buf, strlen(buf), md);
	EVP_EncodeBlock((unsigned char *)accept, md, sizeof md);
}

int sr_ws_request(char *buf, size_t size, const char *host_port, const char *path, const char *key)
{
	int n = snprintf(buf, size,
			 "GET %s HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "Upgrade: websocket\r\n"
			 "Connection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n"
			 "Sec-WebSocket-Protocol: sip\r\n"
			 "\r\n",
			 path && *path ? path : "/", host_port, key);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* The value of header name in the head (lines after the first), trimmed,
 * into out; 0 when absent. */
static int header(const char *head, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p && p[2] != '\r') {
		const char *line = p + 2, *end = strstr(line, "\r\n");

		if (!end)
			break;
		if ((size_t)(end - line) > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
			const char *v = line + nl + 1;
			size_t len;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			len = (size_t)(end - v);
			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			snprintf(out, outlen, "%.*s", (int)len, v);
			return 1;
		}
		p = end;
	}
	return 0;
}

/* Is token one of the comma-separated values of list (any case)? */
static int has_token(const char *list, const char *token)
{
	size_t tl = strlen(token);
	const char *p = list;

	while (*p) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == tl && !strncasecmp(p, token, tl))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

int sr_ws_response(const char *buf, size_t len, const char *key, int *status, char *err,
		   size_t errlen)
{
	char head[WS_MAX_HEAD + 1], v[256], want[29];
	const char *end;
	size_t hl;
	int st = 0, off = 0;

	*status = 0;
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end) {
		if (len < WS_MAX_HEAD)
			return 0;
		snprintf(err, errlen, "WebSocket handshake: the answer's head exceeds %d bytes",
			 WS_MAX_HEAD);
		return -1;
	}
	hl = (size_t)(end - buf) + 4;
	if (hl > WS_MAX_HEAD) {
		snprintf(err, errlen, "WebSocket handshake: the answer's head exceeds %d bytes",
			 WS_MAX_HEAD);
		return -1;
	}
	memcpy(head, buf, hl);
	head[hl] = '\0';
	if (sscanf(head, "HTTP/1.%*1[01] %3d %n", &st, &off) < 1 || st < 100 || st > 599) {
		snprintf(err, errlen, "WebSocket handshake: the server did not answer in HTTP");
		return -1;
	}
	*status = st;
	if (st != 101) {
		const char *reason = head + off;

		snprintf(err, errlen, "WebSocket handshake refused: HTTP %d %.*s", st,
			 (int)strcspn(reason, "\r\n"), reason);
		return -1;
	}
	if (!header(head, "Upgrade", v, sizeof v) || strcasecmp(v, "websocket")) {
		snprintf(err, errlen, "WebSocket handshake: 101 without Upgrade: websocket");
		return -1;
	}
	if (!header(head, "Connection", v, sizeof v) || !has_token(v, "upgrade")) {
		snprintf(err, errlen, "WebSocket handshake: 101 without Connection: Upgrade");
		return -1;
	}
	sr_ws_accept(key, want);
	if (!header(head, "Sec-WebSocket-Accept", v, sizeof v) || strcmp(v, want)) {
		snprintf(err, errlen,
			 "WebSocket handshake: wrong Sec-WebSocket-Accept (not the answer to "
			 "our key)");
		return -1;
	}
	if (!header(head, "Sec-WebSocket-Protocol", v, sizeof v) || strcasecmp(v, "sip")) {
		snprintf(err, errlen,
			 "WebSocket handshake: the server did not agree to subprotocol sip "
			 "(RFC 7118)");
		return -1;
	}
	return (int)hl;
}

size_t sr_ws_frame_head(uint8_t hdr[14], enum sr_ws_opcode op, size_t len, const uint8_t mask[4])
{
	size_t n = 0, i;

	hdr[n++] = (uint8_t)(0x80 | (op & 0x0f));
	if (len < 126) {
		hdr[n++] = (uint8_t)(0x80 | len);
	} else if (len <= 0xffff) {
		hdr[n++] = 0x80 | 126;
		hdr[n++] = (uint8_t)(len >> 8);
		hdr[n++] = (uint8_t)len;
	} else {
		hdr[n++] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			hdr[n++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	memcpy(hdr + n, mask, 4);
	return n + 4;
}

void sr_ws_mask(uint8_t *payload, size_t len, const uint8_t mask[4])
{
	size_t i;

	for (i = 0; i < len; i++)
		payload[i] ^= mask[i & 3];
}

long sr_ws_parse(const uint8_t *buf, size_t len, struct sr_ws_frame *f, char *err, size_t errlen)
{
	uint64_t plen;
	size_t n = 2;

	if (len < 2)
		return 0;
	if (buf[0] & 0x70) {
		snprintf(err, errlen, "WebSocket: a frame with reserved bits set");
		return -1;
	}
	if (buf[1] & 0x80) {
		snprintf(err, errlen, "WebSocket: a masked frame from the server");
		return -1;
	}
	f->fin = !!(buf[0] & 0x80);
	f->op = (enum sr_ws_opcode)(buf[0] & 0x0f);
	plen = buf[1] & 0x7f;
	if (plen == 126) {
		if (len < 4)
			return 0;
		plen = (uint64_t)buf[2] << 8 | buf[3];
		n = 4;
	} else if (plen == 127) {
		size_t i;

		if (len < 10)
			return 0;
		for (plen = 0, i = 0; i < 8; i++)
			plen = plen << 8 | buf[2 + i];
		n = 10;
	}
	if (f->op >= 0x8) {
		if (f->op != SR_WS_CLOSE && f->op != SR_WS_PING && f->op != SR_WS_PONG) {
			snprintf(err, errlen, "WebSocket: unknown control opcode %d", f->op);
			return -1;
		}
		if (!f->fin || plen > 125) {
			snprintf(err, errlen,
				 "WebSocket: a control frame fragmented or over 125 "
				 "bytes");
			return -1;
		}
	} else if (f->op > SR_WS_BINARY) {
		snprintf(err, errlen, "WebSocket: unknown opcode %d", f->op);
		return -1;
	}
	if (plen > SR_WS_MAX_MESSAGE) {
		snprintf(err, errlen, "WebSocket: a frame of %llu bytes (at most %d taken)",
			 (unsigned long long)plen, SR_WS_MAX_MESSAGE);
		return -1;
	}
	if (len - n < plen)
		return 0;
	f->payload = buf + n;
	f->len = (size_t)plen;
	return (long)(n + plen);
}

int sr_ws_uri_parse(const char *v, struct sr_ws_uri *u, char *why, size_t len)
{
	const char *p, *h, *he;
	size_t hl;

	memset(u, 0, sizeof *u);
	if (!strncasecmp(v, "wss://", 6)) {
		u->secure = 1;
		p = v + 6;
	} else if (!strncasecmp(v, "ws://", 5)) {
		p = v + 5;
	} else {
		return 0;
	}
	for (h = v; *h; h++)
		if ((unsigned char)*h <= 0x20 || *h == 0x7f || strchr("<>\"", *h)) {
			snprintf(why, len, "contains '%s'",
				 *h == ' '		    ? "a space"
				 : (unsigned char)*h < 0x20 ? "a control character"
							    : "<, > or \"");
			return -1;
		}
	h = p;
	if (*h == '[') {
		he = strchr(h, ']');
		if (!he) {
			snprintf(why, len, "has an IPv6 host without its ']'");
			return -1;
		}
		h++;
		hl = (size_t)(he - h);
		p = he + 1;
	} else {
		hl = strcspn(h, ":/?#");
		p = h + hl;
	}
	if (!hl || hl >= sizeof u->host) {
		snprintf(why, len, "has no host");
		return -1;
	}
	snprintf(u->host, sizeof u->host, "%.*s", (int)hl, h);
	if (*p == ':') {
		char *end;
		unsigned long port = strtoul(p + 1, &end, 10);

		if (!isdigit((unsigned char)p[1]) || port == 0 || port > 65535 ||
		    (*end && *end != '/')) {
			snprintf(why, len, "has a port that is not 1 to 65535");
			return -1;
		}
		u->port = (unsigned)port;
		p = end;
	}
	if (*p && *p != '/') {
		snprintf(why, len, "has something after the host that is not a path");
		return -1;
	}
	if (strlen(p) >= sizeof u->path) {
		snprintf(why, len, "has a path that is too long");
		return -1;
	}
	snprintf(u->path, sizeof u->path, "%s", *p ? p : "/");
	return 1;
}
