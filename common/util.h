/* Small helpers the modules share: a monotonic clock and jitter. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

/* CLOCK_MONOTONIC in seconds. */
double sr_now(void);
/* Uniform in [0, 1), from OpenSSL's generator (jitter, backoff). */
double sr_rand01(void);

#endif
