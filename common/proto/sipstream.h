/* SPDX-License-Identifier: BSD-2-Clause */
/* SIP messages on a byte stream (RFC 3261 18.3): where one ends, where its
 * top Via stands. Pure functions for tunnel.c, tested in tests/unit. */
#ifndef SR_SIPSTREAM_H
#define SR_SIPSTREAM_H

#include <stddef.h>

/* The largest message head we take on a stream. */
#define SR_SIP_MAX_HEAD (64 * 1024)

/* The next item of buf[0, len): a run of CRLFs (RFC 5626 keep-alives,
 * *crlf set) or a whole message, head and Content-Length body. Returns its
 * length, 0 when more is needed, -1 on a head over SR_SIP_MAX_HEAD or a
 * message without a valid Content-Length. */
long sr_sip_next(const char *buf, size_t len, int *crlf);

/* Where the top Via's "SIP/2.0/PROTO sent-by" stands in msg: offset and
 * length; -1 when the message has no Via. */
int sr_sip_top_via(const char *msg, size_t len, size_t *off, size_t *n);

/* The length of msg's head (up to and with the empty line), 0 if none;
 * *has_length is set when it has a Content-Length (or l:) header. */
size_t sr_sip_head(const char *msg, size_t len, int *has_length);

/* The value of msg's first header name (or its compact form), without
 * the spaces around it: 0 with *v and *n, -1 when the head has none. */
int sr_sip_header_value(const char *msg, size_t len, const char *name, const char *compact,
			const char **v, size_t *n);

/* Does msg start with a SIP request or status line? */
int sr_sip_start_line(const char *msg, size_t len);

#endif
