#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/rand.h>

#include "util.h"

double sr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sr_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sr_rand01(void)
{
	unsigned int r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (unsigned int)random();
	return (double)r / 4294967296.0;
}

int sr_ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return 0;
}
