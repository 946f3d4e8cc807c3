/* SPDX-License-Identifier: BSD-2-Clause */
/* Clocks, jitter, "is it an IP address", and the parsers of numbers,
 * durations and yes/no. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/rand.h>

#include "util/util.h"

double sr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sr_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The kernel's bytes, fetched 256 at a time: a registration takes a few
 * dozen (Call-ID, cnonce, jitter, a WebSocket frame's mask), and a
 * getrandom() each was 2-3 % of a watch registering thousands a second.
 * 256 bytes come whole from one call. Bytes handed out are wiped from the
 * pool. Only the loop's thread draws (the HEP reader thread never does),
 * and the tools never fork. */
static unsigned char g_pool[256];
static size_t g_pool_used = sizeof g_pool;

static int refill(void)
{
	/* OpenSSL's generator only as a fallback: it loads its providers
	 * and configuration (about 2 MB and milliseconds) in every one-shot
	 * run */
	if (getrandom(g_pool, sizeof g_pool, 0) != (ssize_t)sizeof g_pool &&
	    RAND_bytes(g_pool, (int)sizeof g_pool) != 1)
		return -1;
	g_pool_used = 0;
	return 0;
}

int sr_random_bytes(void *buf, size_t n)
{
	unsigned char *out = buf;

	while (n > 0) {
		size_t k;

		if (g_pool_used == sizeof g_pool && refill() < 0)
			return -1;
		k = sizeof g_pool - g_pool_used;
		if (k > n)
			k = n;
		memcpy(out, g_pool + g_pool_used, k);
		explicit_bzero(g_pool + g_pool_used, k);
		g_pool_used += k;
		out += k;
		n -= k;
	}
	return 0;
}

double sr_rand01(void)
{
	unsigned int r = 0;

	if (sr_random_bytes(&r, sizeof r) < 0)
		r = (unsigned int)random();
	return (double)r / 4294967296.0;
}

int sr_ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return 0;
}

int sr_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int sr_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 86400)
		return -1;
	*out = v;
	return 0;
}

int sr_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	unsigned i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
