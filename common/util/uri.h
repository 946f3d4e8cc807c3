/* SPDX-License-Identifier: BSD-2-Clause */
/* Pure: is a SIP URI fit to be sent (RFC 3261 19.1.1 and 25.1)? */
#ifndef SR_URI_H
#define SR_URI_H

#include <stddef.h>

#define SR_URI_NOT_SIP (-2)

/* Is the sip:/sips: URI v fine? 0; -1 with err naming what is wrong as a
 * phrase to follow the URI ("has no host", "contains '>'");
 * SR_URI_NOT_SIP when it is no sip: or sips: URI at all. */
int sr_uri_check(const char *v, char *err, size_t errlen);

#endif
