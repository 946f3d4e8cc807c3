/* SPDX-License-Identifier: BSD-2-Clause */
/* Our diagnostics on stderr, SIP message traces with secrets redacted, and
 * the routing of Sofia-SIP's own logs through the same redaction. */
#ifndef SR_LOG_H
#define SR_LOG_H

#include <stddef.h>

/* Set the tool name and verbosity; clears the environment variables through
 * which Sofia-SIP would log or copy messages (and so secrets) by itself, and
 * routes its log objects to our redacting sink. Call before any Sofia call. */
void sr_log_init(const char *tool, int verbose);
int sr_log_verbose(void);
const char *sr_log_tool(void);

/* "tool: message" on stderr. */
void sr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first error sr_err() reported, NULL when none (Nagios' UNKNOWN line). */
const char *sr_err_first(void);
/* The last error reported (a reload's, say), or NULL. */
const char *sr_err_last(void);
void sr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed at verbosity >= level. */
void sr_debug(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Redact secrets in one line of a SIP message in place: the response= of
 * Digest credentials and Bearer tokens in (Proxy-)Authorization. Returns 1
 * when something was redacted. */
int sr_redact_line(char *line, size_t size);

/* A SIP message we carry ourselves (tunnel.c), as Sofia traces its own at
 * -vv: "send N bytes to PROTO/PEER:", then the lines, redacted. */
void sr_log_message(const char *dir, size_t n, const char *peer, const char *msg, size_t len);

/* -q: warnings are not printed (cron mails every line on stderr). */
void sr_log_quiet(int quiet);

#endif
