/* SPDX-License-Identifier: BSD-2-Clause */
/* Rendezvous hashing of registration names (shard.h). */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/shard.h"

int sr_shard_parse(const char *s, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long a, b;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != '/' || !isdigit((unsigned char)end[1]))
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > b || b > 10000)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/* FNV-1a of the name, then the shard's number mixed in (splitmix64's
 * finalizer): a weight per (name, shard) that no other pair predicts. */
static uint64_t weight(const char *name, unsigned shard)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= (uint64_t)shard * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

unsigned sr_shard_of(const char *name, unsigned n)
{
	unsigned j, best = 1;
	uint64_t top = 0;

	for (j = 1; j <= n; j++) {
		uint64_t w = weight(name ? name : "", j);

		if (j == 1 || w > top) {
			top = w;
			best = j;
		}
	}
	return best;
}
