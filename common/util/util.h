/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers the modules share: clocks, jitter, addresses, numbers. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

#include <stddef.h>

/* CLOCK_MONOTONIC in seconds. */
double sr_now(void);
/* CLOCK_REALTIME in seconds (timestamps in reports). */
double sr_wall_now(void);
/* Uniform in [0, 1), from sr_random_bytes() (jitter, backoff). */
double sr_rand01(void);
/* n random bytes (the kernel's getrandom, 256 at a time; OpenSSL's as a
 * fallback): 0 or -1. */
int sr_random_bytes(void *buf, size_t n);

/* AF_INET or AF_INET6 when s is an IPv4 or IPv6 address (no brackets),
 * else 0. */
int sr_ip_family(const char *s);

/* Text to numbers and yes/no, for the option table and the loaders;
 * 0 or -1. */
int sr_parse_uint(const char *s, unsigned long max, unsigned long *out);
int sr_parse_seconds(const char *s, double *out);
int sr_parse_bool(const char *s, int *out);

#endif
