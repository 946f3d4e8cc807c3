/* A TLS handshake of our own before Sofia connects: Sofia reports a failed
 * verification as a 408 after 32 s and checks no IP SANs (docs/sofia-sip.md, 8, 9),
 * so the certificate chain and host name are verified here, quickly and with
 * a message that says what is wrong. */
#ifndef SR_TLSCHECK_H
#define SR_TLSCHECK_H

#include <stddef.h>

#include "exitcode.h"

struct sr_tls_params {
	const char *connect_host; /* IP literal or name to connect to */
	unsigned port;
	const char *verify_name; /* host name or IP to check the certificate for */
	const char *ca_file;	 /* NULL: system store */
	const char *ca_dir;
	int verify; /* 0: no verification (--insecure) */
	int family; /* AF_INET, AF_INET6 or 0 */
};

/* Returns SR_W_NONE when the handshake (and verification) succeeded,
 * SR_W_TLS_ERROR, SR_W_TRANSPORT_ERROR, SR_W_DNS_ERROR or SR_W_TIMEOUT with a
 * message in err otherwise. Gives up at deadline (CLOCK_MONOTONIC seconds). */
enum sr_word sr_tls_check(const struct sr_tls_params *p, double deadline, char *err, size_t errlen);

#endif
