/* SPDX-License-Identifier: BSD-2-Clause */
/* --shard K/N: N sipregwatch processes split one file by rendezvous
 * (highest random weight) hashing of the registration names, so that
 * changing N moves about 1/N of them. Pure. */
#ifndef SR_SHARD_H
#define SR_SHARD_H

/* "K/N" with 1 <= K <= N <= 10000: 0 and k, n; -1 when it is not. */
int sr_shard_parse(const char *s, unsigned *k, unsigned *n);
/* The shard (1..n) of a name. */
unsigned sr_shard_of(const char *name, unsigned n);

#endif
