/* Small helpers the modules share: clocks and jitter. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

/* CLOCK_MONOTONIC in seconds. */
double sr_now(void);
/* CLOCK_REALTIME in seconds (timestamps in reports). */
double sr_wall_now(void);
/* Uniform in [0, 1), from OpenSSL's generator (jitter, backoff). */
double sr_rand01(void);

/* Is s an IPv4 or IPv6 address (no brackets)? */
int sr_is_ip(const char *s);

#endif
