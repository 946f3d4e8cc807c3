/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch --metrics-listen ADDR:PORT: /metrics, /status and /healthz
 * over HTTP (libmicrohttpd), served from the watch's own event loop: a
 * scrape reads the watch's state in its thread, and a slow or hostile
 * client costs only its own connection. */
#ifndef SR_WATCHHTTP_H
#define SR_WATCHHTTP_H

#include <sofia-sip/su_wait.h>

struct sr_watch;
struct sr_http;

/* Listen on addr ("127.0.0.1:9101", "[::1]:9101"); NULL with err. */
struct sr_http *sr_http_start(struct sr_watch *w, su_root_t *root, const char *addr, char *err,
			      size_t errlen);
/* Let MHD run its timers (closes idle and slow connections). */
void sr_http_tick(struct sr_http *h);
void sr_http_stop(struct sr_http *h);

#endif
