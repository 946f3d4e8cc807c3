/* SPDX-License-Identifier: BSD-2-Clause */
/* The TLS key log (keylog.c): the secrets of every TLS and WSS connection
 * of the process, in the NSS key log format that Wireshark and tshark
 * read, appended to one file when --tls-keylog or SSLKEYLOGFILE names it. */
#ifndef SR_KEYLOG_H
#define SR_KEYLOG_H

#include <stddef.h>

#include <openssl/ssl.h>

/* Where the key log goes: path (--tls-keylog), else $SSLKEYLOGFILE, else
 * nowhere. The file is opened at the first TLS context. */
void sr_keylog_set(const char *path);
/* Have ctx log its connections' secrets when a key log is asked for:
 * 0, or -1 with err when the file cannot be used (made 0600; refused when
 * it is not a regular file or others may write it). */
int sr_keylog_ctx(SSL_CTX *ctx, char *err, size_t errlen);

#endif
