/* SPDX-License-Identifier: BSD-2-Clause */
/* Our logging and SIP traces (secrets redacted), and where Sofia-SIP's
 * own log goes. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_log.h>

#include "util/log.h"
#include "util/util.h"

/* Exported by the library but not declared in its headers (docs/sofia-sip.md, 14). */
extern su_log_t tport_log[];
extern su_log_t nta_log[];
extern su_log_t nua_log[];
extern su_log_t iptsec_log[];

static const char *g_tool = "sipreg";
static int g_verbose;
static int g_quiet; /* -q: no warnings either */

void sr_log_quiet(int quiet)
{
	g_quiet = quiet;
}

int sr_log_verbose(void)
{
	return g_verbose;
}

const char *sr_log_tool(void)
{
	return g_tool;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof buf, fmt, ap);
	fprintf(stderr, "%s: %s%s\n", g_tool, prefix, buf);
}

static char g_first_err[512], g_last_err[512];

void sr_err(const char *fmt, ...)
{
	va_list ap, cp;

	va_start(ap, fmt);
	va_copy(cp, ap);
	vsnprintf(g_last_err, sizeof g_last_err, fmt, cp);
	va_end(cp);
	if (!g_first_err[0])
		memcpy(g_first_err, g_last_err, sizeof g_first_err);
	vprint("", fmt, ap);
	va_end(ap);
}

const char *sr_err_first(void)
{
	return g_first_err[0] ? g_first_err : NULL;
}

const char *sr_err_last(void)
{
	return g_last_err[0] ? g_last_err : NULL;
}

void sr_warn(const char *fmt, ...)
{
	va_list ap;

	if (g_quiet)
		return;
	va_start(ap, fmt);
	vprint("warning: ", fmt, ap);
	va_end(ap);
}

static double g_t0; /* the message flow's clock starts at sr_log_init() */

void sr_debug(int level, const char *fmt, ...)
{
	va_list ap;

	if (g_verbose < level)
		return;
	va_start(ap, fmt);
	if (((fmt[0] == '-' && fmt[1] == '>') || (fmt[0] == '<' && fmt[1] == '-')) &&
	    fmt[2] == ' ') {
		/* the message flow: "-> REGISTER", "<- 200 OK", when they happened */
		char prefix[32];

		snprintf(prefix, sizeof prefix, "%8.1f ms ", (sr_now() - g_t0) * 1000);
		vprint(prefix, fmt, ap);
	} else {
		vprint("", fmt, ap);
	}
	va_end(ap);
}

/* Replace s[from, to) with rep, within a buffer of size bytes. */
static void splice(char *s, size_t size, size_t from, size_t to, const char *rep)
{
	size_t len = strlen(s), rl = strlen(rep), tail = len - to;

	if (from + rl + tail + 1 > size)
		tail = size > from + rl + 1 ? size - from - rl - 1 : 0;
	memmove(s + from + rl, s + to, tail);
	memcpy(s + from, rep, rl);
	s[from + rl + tail] = '\0';
}

int sr_redact_line(char *line, size_t size)
{
	static const char *const names[] = {"authorization:", "proxy-authorization:"};
	char *p = line, *v;
	int done = 0;
	unsigned i;

	while (*p == ' ' || *p == '\t')
		p++;
	for (i = 0; i < 2; i++)
		if (!strncasecmp(p, names[i], strlen(names[i])))
			break;
	if (i == 2)
		return 0;
	v = p + strlen(names[i]);
	while (*v == ' ' || *v == '\t')
		v++;
	if (!strncasecmp(v, "Bearer", 6) && (v[6] == ' ' || v[6] == '\t')) {
		v += 6;
		while (*v == ' ' || *v == '\t')
			v++;
		splice(line, size, (size_t)(v - line), strlen(line), "<redacted>");
		return 1;
	}
	/* Every response= (the digest) wherever it stands among the params. */
	for (p = v; (p = strcasestr(p, "response=")) != NULL;) {
		char *start, *end;

		if (p > v && (isalnum((unsigned char)p[-1]) || p[-1] == '-' || p[-1] == '_')) {
			p += 9; /* e.g. "xresponse=" is another parameter */
			continue;
		}
		start = p + 9;
		if (*start == '"') {
			end = strchr(start + 1, '"');
			end = end ? end + 1 : start + strlen(start);
		} else {
			end = start + strcspn(start, ", \t");
		}
		splice(line, size, (size_t)(start - line), (size_t)(end - line), "\"<redacted>\"");
		p = start + 12;
		done = 1;
	}
	/* Unknown schemes: keep the scheme name only. */
	if (!done && strncasecmp(v, "Digest", 6) != 0) {
		size_t scheme = strcspn(v, " \t");

		splice(line, size, (size_t)(v - line) + scheme, strlen(line), " <redacted>");
		done = 1;
	}
	return done;
}

/* Sofia logs a message line by line in pieces: collect up to a newline,
 * redact the whole line, then print. */
static char g_line[8192];
static size_t g_linelen;

static void flush_line(void)
{
	g_line[g_linelen] = '\0';
	sr_redact_line(g_line, sizeof g_line);
	fprintf(stderr, "%s\n", g_line);
	g_linelen = 0;
}

static void sofia_sink(void *magic, char const *fmt, va_list ap)
{
	char buf[4096];
	char *p, *nl;
	int n;

	(void)magic;
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	for (p = buf; *p; p = nl + 1) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (g_linelen + len >= sizeof g_line - 1)
			len = sizeof g_line - 1 - g_linelen;
		memcpy(g_line + g_linelen, p, len);
		g_linelen += len;
		if (!nl)
			break;
		flush_line();
	}
}

void sr_log_message(const char *dir, size_t n, const char *peer, const char *msg, size_t len)
{
	char line[8192];
	size_t i = 0;

	fprintf(stderr, "%s %zu bytes %s %s:\n", dir, n, !strcmp(dir, "send") ? "to" : "from",
		peer);
	while (i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (msg + i)) : len - i;

		snprintf(line, sizeof line, "   %.*s",
			 (int)(l && msg[i + l - 1] == '\r' ? l - 1 : l), msg + i);
		sr_redact_line(line, sizeof line);
		fprintf(stderr, "%s\n", line);
		i += l + 1;
	}
}

void sr_log_init(const char *tool, int verbose)
{
	static const char *const dangerous[] = {
	    "TPORT_LOG",    "TPORT_DUMP",    "TPORT_CAPT", "MSG_DUMP",	"MSG_STREAM_LOG",
	    "IPTSEC_DEBUG", "SOFIA_DEBUG",   "NUA_DEBUG",  "NTA_DEBUG", "TPORT_DEBUG",
	    "NEA_DEBUG",    "SRESOLV_DEBUG", "SU_DEBUG",   "SOA_DEBUG", "NTH_DEBUG",
	    "STUN_DEBUG",   "TPORT_SSL",
	};
	su_log_t *logs[] = {su_log_default, tport_log, nta_log, nua_log, iptsec_log};
	unsigned i;
	unsigned level = verbose >= 3 ? 5 : 0;

	g_tool = tool;
	g_verbose = verbose;
	if (g_t0 == 0)
		g_t0 = sr_now();
	for (i = 0; i < sizeof dangerous / sizeof dangerous[0]; i++)
		unsetenv(dangerous[i]);
	for (i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		su_log_redirect(logs[i], sofia_sink, NULL);
		su_log_set_level(logs[i], level);
	}
	/* iptsec logs password material from level 5 on (docs/sofia-sip.md, 14). */
	su_log_set_level(iptsec_log, verbose >= 3 ? 3 : 0);
	/* su_log_default carries the message traces of TPTAG_LOG: always on,
	 * they are only produced at -vv. */
	su_log_set_level(su_log_default, verbose >= 3 ? 5 : 1);
}
