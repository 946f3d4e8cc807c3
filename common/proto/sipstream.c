/* SPDX-License-Identifier: BSD-2-Clause */
/* SIP framing on streams: where a message ends, where its top Via is. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/sipstream.h"

/* The header line at p is name (full or compact form) followed by ':'. */
static const char *header_value(const char *p, const char *end, const char *name,
				const char *compact)
{
	size_t n = strlen(name), c = strlen(compact);
	const char *q = NULL;

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
	for (p = memmem(msg, len, "\r\n", 2); p && p < end;
	     p = memmem(p + 2, (size_t)(end - p), "\r\n", 2))
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
	for (p = memmem(buf, hl, "\r\n", 2); p && p < end;
	     p = memmem(p + 2, (size_t)(end - p), "\r\n", 2)) {
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
	for (p = memmem(msg, len, "\r\n", 2); p && p < end;
	     p = memmem(p + 2, (size_t)(end - p), "\r\n", 2)) {
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
	for (p = memmem(msg, len, "\r\n", 2); p && p < end;
	     p = memmem(p + 2, (size_t)(end - p), "\r\n", 2)) {
		const char *s = header_value(p + 2, end, name, compact), *e;

		if (!s)
			continue;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		e = s < end ? memmem(s, (size_t)(end - s), "\r\n", 2) : NULL;
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
	const char *eol = memmem(msg, len, "\r\n", 2);
	size_t n = eol ? (size_t)(eol - msg) : 0;

	if (n >= 12 && !memcmp(msg, "SIP/2.0 ", 8))
		return isdigit((unsigned char)msg[8]) && isdigit((unsigned char)msg[9]) &&
		       isdigit((unsigned char)msg[10]);
	return n > 10 && !memcmp(msg + n - 8, " SIP/2.0", 8) && memchr(msg, ' ', n - 8) != NULL &&
	       isupper((unsigned char)msg[0]);
}
