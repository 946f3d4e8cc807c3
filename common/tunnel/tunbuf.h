/* SPDX-License-Identifier: BSD-2-Clause */
/* The byte buffers of the tunnel's connections (tunbuf.c): what was read
 * and not yet passed on, what waits to be written. */
#ifndef SR_TUNBUF_H
#define SR_TUNBUF_H

#include <stddef.h>
#include <stdint.h>

struct sr_buf {
	uint8_t *p;
	size_t len, cap;
};

/* n bytes of p appended: 0, or -1 when out of memory. */
int sr_buf_add(struct sr_buf *b, const void *p, size_t n);
/* n more bytes at the end of b, for the caller to fill; NULL when out of
 * memory. */
uint8_t *sr_buf_reserve(struct sr_buf *b, size_t n);
/* The first n bytes gone. */
void sr_buf_drop(struct sr_buf *b, size_t n);
void sr_buf_free(struct sr_buf *b);

#endif
