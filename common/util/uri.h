/* SPDX-License-Identifier: BSD-2-Clause */
/* Pure: is a SIP URI fit to be sent (RFC 3261 19.1.1 and 25.1)? */
#ifndef SR_URI_H
#define SR_URI_H

#include <stddef.h>

/* What is wrong with the sip:/sips: URI v, as a phrase after the URI
 * ("has no host", "contains '>'"), or NULL when it is fine; "scheme" when
 * it is no sip: or sips: URI at all. buf (len bytes) may hold the phrase. */
const char *sr_uri_problem(const char *v, char *buf, size_t len);

#endif
