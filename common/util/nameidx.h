/* SPDX-License-Identifier: BSD-2-Clause */
/* An index of names (registration names) to positions: what makes loading,
 * duplicate checks and reload diffs O(n) instead of O(n^2) at 100,000
 * registrations. Open addressing; the names are not copied. */
#ifndef SR_NAMEIDX_H
#define SR_NAMEIDX_H

#include <stddef.h>

struct sr_nameidx {
	struct sr_nameidx_ent {
		const char *name;
		size_t val;
	} * v;
	size_t cap, n;
};

/* The value of name, or -1 when it is not in the index. */
long sr_nameidx_get(const struct sr_nameidx *x, const char *name);
/* Add name (kept by pointer: it must outlive the index) with val; a name
 * already there keeps its first value. 0, or -1 out of memory. */
int sr_nameidx_put(struct sr_nameidx *x, const char *name, size_t val);
void sr_nameidx_free(struct sr_nameidx *x);

#endif
