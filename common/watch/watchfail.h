/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's registrar sets: a registration with `servers` (JsSIP's
 * sockets) or a domain with SRV targets has several servers; it uses one
 * at a time, moves to the next when the one in use stops answering, and
 * stays where its binding is (watchfail.c). */
#ifndef SR_WATCHFAIL_H
#define SR_WATCHFAIL_H

#include "model/settings.h"

struct sr_slot;
struct sr_watch;

/* The servers of a new slot: none (its registrar is its settings'), the
 * ordered `servers`, or the SRV targets of its registrar's domain. */
void sr_watch_fo_init(struct sr_slot *s);
void sr_watch_fo_free(struct sr_slot *s);
/* Before a REGISTER goes: a registration moved to another server leaves
 * its engine (stack, connection) for one aimed at the new server. */
void sr_watch_fo_reopen(struct sr_slot *s);
/* A 2xx: the server in use holds the binding. 1 when that is another
 * server than the last 2xx's (a new binding, not a renewal). */
int sr_watch_fo_registered(struct sr_slot *s);
/* After a failure the server is to blame for (registrars.h): 1 when the
 * registration moved to the next server and is queued at once; 0 when
 * there is none left to try this round (the retry rules decide when,
 * and the next attempt goes to the next server). */
int sr_watch_fo_failed(struct sr_slot *s);
/* An audit of registrar got no answer: the registrations held there that
 * have another server move to it now, without waiting for their refresh. */
void sr_watch_fo_unreachable(struct sr_watch *w, const char *registrar);

#endif
