/* SPDX-License-Identifier: BSD-2-Clause */
/* Checks of a SIP URI before it is used: Sofia's parser takes a second '@',
 * spaces, '>', empty parameters and a missing host, which then go on the
 * wire broken (a registrar answers 4xx) or fail deep in the stack as a
 * DNS error. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "util/uri.h"

/* RFC 3261 unreserved (alphanum and mark) */
static int unreserved(int c)
{
	return isalnum(c) || (c && strchr("-_.!~*'()", c));
}

/* The userinfo [user[:password]] up to end: user = 1*(unreserved / escaped
 * / user-unreserved), password = *(unreserved / escaped / "&=+$,"). Of
 * user-unreserved, ';' and '?' are refused: Sofia takes them for the
 * start of parameters or headers and cannot make a handle of the URI. */
static const char *userinfo_problem(const char *p, const char *end, char *buf, size_t len)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));

	if (p == end || p == colon)
		return "has an empty user before '@'";
	for (; p < end; p++) {
		const char *ok = p < colon || !colon ? "&=+$/" : "&=+$,";

		if (p == colon)
			continue;
		if (*p == '%') {
			if (end - p < 3 || !isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]))
				return "has a '%' that is not %XX in the user";
			p += 2;
		} else if (!unreserved((unsigned char)*p) && !strchr(ok, *p)) {
			snprintf(buf, len, "has '%c' in the user", *p);
			return buf;
		}
	}
	return NULL;
}

/* ;name[=value] parameters from p up to '?' or the end: none empty. */
static const char *params_problem(const char *p)
{
	while (*p == ';') {
		size_t n = strcspn(p + 1, ";?");

		if (n == 0 || p[1] == '=')
			return "has an empty parameter (';;', a ';' at the end or ';=')";
		p += 1 + n;
	}
	return NULL;
}

static const char *problem(const char *v, char *buf, size_t len)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	const char *p, *at, *rest, *why = NULL;
	url_t *u;

	if (strncasecmp(v, "sip:", 4) && strncasecmp(v, "sips:", 5))
		return "scheme";
	for (p = v; *p && !why; p++)
		if (*p == ' ' || *p == '\t')
			why = "contains a space";
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "contains a control character";
		else if (strchr("<>\"", *p))
			snprintf(buf, len, "contains '%c'", *p), why = buf;
	if (why)
		return why;
	rest = strchr(v, ':') + 1;
	at = strchr(rest, '@');
	if (at && strchr(at + 1, '@'))
		return "has more than one '@'";
	why = at ? userinfo_problem(rest, at, buf, len) : NULL;
	if (why)
		return why;
	p = at ? at + 1 : rest;
	if (!*p || strchr(";?:", *p))
		return "has no host";
	why = params_problem(p + strcspn(p, ";?"));
	if (why)
		return why;
	u = url_make(home, v);
	if (!u || (u->url_type != url_sip && u->url_type != url_sips))
		why = "is not a SIP URI";
	else if (!u->url_host || !*u->url_host)
		why = "has no host";
	else if (u->url_port) {
		char *end;
		unsigned long port = strtoul(u->url_port, &end, 10);

		if (!*u->url_port || *end || port == 0 || port > 65535)
			why = "has a port that is not 1 to 65535";
	}
	su_home_deinit(home);
	return why;
}

int sr_uri_check(const char *v, char *err, size_t errlen)
{
	char buf[64];
	const char *why = problem(v, buf, sizeof buf);

	if (!why)
		return 0;
	if (!strcmp(why, "scheme")) {
		snprintf(err, errlen, "is not a sip: or sips: URI");
		return SR_URI_NOT_SIP;
	}
	snprintf(err, errlen, "%s", why);
	return -1;
}
