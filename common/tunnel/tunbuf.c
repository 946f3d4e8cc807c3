/* SPDX-License-Identifier: BSD-2-Clause */
/* The byte buffers of the tunnel's connections (tunbuf.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tunnel/tunbuf.h"

/* Room for n more bytes in b. */
static int grow(struct sr_buf *b, size_t n)
{
	if (!b->p || b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	return 0;
}

int sr_buf_add(struct sr_buf *b, const void *p, size_t n)
{
	if (grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

uint8_t *sr_buf_reserve(struct sr_buf *b, size_t n)
{
	if (grow(b, n) < 0)
		return NULL;
	b->len += n;
	return b->p + b->len - n;
}

void sr_buf_drop(struct sr_buf *b, size_t n)
{
	if (!n)
		return;
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void sr_buf_free(struct sr_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
