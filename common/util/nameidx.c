/* SPDX-License-Identifier: BSD-2-Clause */
/* The name index (nameidx.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/nameidx.h"

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

long sr_nameidx_get(const struct sr_nameidx *x, const char *name)
{
	size_t i;

	if (!x->cap || !name)
		return -1;
	for (i = hash(name) & (x->cap - 1); x->v[i].name; i = (i + 1) & (x->cap - 1))
		if (!strcmp(x->v[i].name, name))
			return (long)x->v[i].val;
	return -1;
}

static int grow(struct sr_nameidx *x)
{
	struct sr_nameidx old = *x;
	size_t i;

	x->cap = old.cap ? 2 * old.cap : 64;
	x->v = calloc(x->cap, sizeof *x->v);
	x->n = 0;
	if (!x->v) {
		*x = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.v[i].name)
			sr_nameidx_put(x, old.v[i].name, old.v[i].val);
	free(old.v);
	return 0;
}

int sr_nameidx_put(struct sr_nameidx *x, const char *name, size_t val)
{
	size_t i;

	if (!name)
		return 0;
	if ((x->n + 1) * 2 > x->cap && grow(x) < 0)
		return -1;
	for (i = hash(name) & (x->cap - 1); x->v[i].name; i = (i + 1) & (x->cap - 1))
		if (!strcmp(x->v[i].name, name))
			return 0;
	x->v[i].name = name;
	x->v[i].val = val;
	x->n++;
	return 0;
}

void sr_nameidx_free(struct sr_nameidx *x)
{
	free(x->v);
	memset(x, 0, sizeof *x);
}
