/* Small helpers the modules share: clocks and jitter. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

/* CLOCK_MONOTONIC in seconds. */
double sr_now(void);
/* CLOCK_REALTIME in seconds (timestamps in reports). */
double sr_wall_now(void);
/* Uniform in [0, 1), from OpenSSL's generator (jitter, backoff). */
double sr_rand01(void);

/* AF_INET or AF_INET6 when s is an IPv4 or IPv6 address (no brackets),
 * else 0. */
int sr_ip_family(const char *s);

#endif
