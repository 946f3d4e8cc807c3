/* SPDX-License-Identifier: BSD-2-Clause */
/* SIP framing on streams: where a message ends, where its top Via is. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/sipstream.h"

/* The first CRLF in [p, end), or NULL: memchr for the CR is much faster
 * than memmem for a needle of two on lines of a few dozen bytes, and the
 * tunnel looks at every line of every message. */
static const char *find_crlf(const char *p, const char *end)
{
	while (p < end && (p = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/* The header line at p is name (full or compact form) followed by ':'. */
static const char *header_value(const char *p, const char *end, const char *name,
				const char *compact)
{
	size_t n, c;
	const char *q = NULL;

	if (p >= end || ((*p | 0x20) != (name[0] | 0x20) && (*p | 0x20) != (compact[0] | 0x20)))
		return NULL;
	n = strlen(name);
	c = strlen(compact);

	if ((size_t)(end - p) > n && !strncasecmp(p, name, n))
		q = p + n;
	else if ((size_t)(end - p) > c && !strncasecmp(p, compact, c))
		q = p + c;
	if (!q)
		return NULL;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	return q < end && *q == ':' ? q + 1 : NULL;
}

size_t sr_sip_head(const char *msg, size_t len, int *has_length)
{
	const char *end = memmem(msg, len, "\r\n\r\n", 4), *p;

	*has_length = 0;
	if (!end)
		return 0;
	for (p = find_crlf(msg, msg + len); p && p < end; p = find_crlf(p + 2, end))
		if (header_value(p + 2, end, "Content-Length", "l"))
			*has_length = 1;
	return (size_t)(end - msg) + 4;
}

long sr_sip_next(const char *buf, size_t len, int *crlf)
{
	const char *end, *p;
	long body = -1;
	size_t hl;

	*crlf = 0;
	if (len && (buf[0] == '\r' || buf[0] == '\n')) {
		size_t n = 0;

		for (;;) {
			if (n + 1 < len && buf[n] == '\r' && buf[n + 1] == '\n')
				n += 2;
			else if (n < len && buf[n] == '\n')
				n++; /* a bare LF: taken as a line end too */
			else
				break;
		}
		if (n == 0)
			return len < 2 ? 0 : -1; /* a CR: its LF to come, or junk */
		*crlf = 1;
		return (long)n;
	}
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return len > SR_SIP_MAX_HEAD ? -1 : 0;
	hl = (size_t)(end - buf) + 4;
	if (hl > SR_SIP_MAX_HEAD)
		return -1;
	for (p = find_crlf(buf, buf + hl); p && p < end; p = find_crlf(p + 2, end)) {
		const char *v = header_value(p + 2, end, "Content-Length", "l");
		char *e;
		long n;

		if (!v)
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!isdigit((unsigned char)*v))
			return -1;
		n = strtol(v, &e, 10);
		if (n < 0 || n > SR_SIP_MAX_HEAD || (*e != '\r' && *e != ' ' && *e != '\t'))
			return -1;
		body = n;
	}
	if (body < 0)
		return -1;
	if (len < hl + (size_t)body)
		return 0;
	return (long)(hl + (size_t)body);
}

int sr_sip_top_via(const char *msg, size_t len, size_t *off, size_t *n)
{
	const char *end = memmem(msg, len, "\r\n\r\n", 4), *p;

	if (!end)
		end = msg + len;
	for (p = find_crlf(msg, msg + len); p && p < end; p = find_crlf(p + 2, end)) {
		const char *v = header_value(p + 2, end, "Via", "v"), *s;

		if (!v)
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		s = v;
		while (s < end && !isspace((unsigned char)*s))
			s++; /* SIP/2.0/PROTO */
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		while (s < end && !strchr(";, \t\r", *s))
			s++; /* sent-by */
		*off = (size_t)(v - msg);
		*n = (size_t)(s - v);
		return 0;
	}
	return -1;
}

int sr_sip_header_value(const char *msg, size_t len, const char *name, const char *compact,
			const char **v, size_t *n)
{
	const char *end = memmem(msg, len, "\r\n\r\n", 4), *p;

	if (!end)
		end = msg + len;
	for (p = find_crlf(msg, msg + len); p && p < end; p = find_crlf(p + 2, end)) {
		const char *s = header_value(p + 2, end, name, compact), *e;

		if (!s)
			continue;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		e = find_crlf(s, end);
		if (!e)
			e = end;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*v = s;
		*n = (size_t)(e - s);
		return 0;
	}
	return -1;
}

int sr_sip_start_line(const char *msg, size_t len)
{
	const char *eol = find_crlf(msg, msg + len);
	size_t n = eol ? (size_t)(eol - msg) : 0;

	if (n >= 12 && !memcmp(msg, "SIP/2.0 ", 8))
		return isdigit((unsigned char)msg[8]) && isdigit((unsigned char)msg[9]) &&
		       isdigit((unsigned char)msg[10]);
	return n > 10 && !memcmp(msg + n - 8, " SIP/2.0", 8) && memchr(msg, ' ', n - 8) != NULL &&
	       isupper((unsigned char)msg[0]);
}
