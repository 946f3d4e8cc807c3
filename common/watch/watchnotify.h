/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch under systemd (watchnotify.c): the notification protocol of
 * sd_notify(3), spoken directly over $NOTIFY_SOCKET (no libsystemd). */
#ifndef SR_WATCHNOTIFY_H
#define SR_WATCHNOTIFY_H

#include "watch/watchdata.h"

/* Read $NOTIFY_SOCKET and $WATCHDOG_USEC; without them every call below
 * does nothing. */
void sr_notify_init(void);
/* One message ("STOPPING=1", "RELOADING=1", ...), best effort. */
void sr_notify(const char *msg);
/* RELOADING=1 with the monotonic time systemd asks it to carry. */
void sr_notify_reloading(void);
/* After a write of the files: READY=1 once every registration of the
 * first round has an outcome (again after a reload), and STATUS= with the
 * counts when they changed. */
void sr_watch_notify_state(struct sr_watch *w);
/* Half the watchdog interval systemd set, in seconds; 0: none. */
double sr_notify_watchdog_every(void);
/* Each tick: WATCHDOG=1 at half the interval systemd set. */
void sr_notify_watchdog(double now);

#endif
