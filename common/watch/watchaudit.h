/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's audits of its registrars, and the expiry of bindings whose
 * refresh is late (watchaudit.c). */
#ifndef SR_WATCHAUDIT_H
#define SR_WATCHAUDIT_H

#include "watch/watchdata.h"

/* A registration that became registered: its registrar is audited. */
void sr_watch_audit_note(struct sr_slot *s);
/* A failure of s without any answer (a timeout, no connection): its
 * registrar is noted as stalled. */
void sr_watch_no_answer(struct sr_slot *s);
/* s got an answer from its registrar: the registrations waiting there
 * after no answer go at once (through the queue). */
void sr_watch_answered(struct sr_slot *s);
void sr_watch_audits_run(struct sr_watch *w, double now);
void sr_watch_audits_drop(struct sr_watch *w);
/* A registration leaves S_REGISTERED (a refresh, a retry): its binding is
 * watched until it is renewed or expires. */
void sr_watch_expiry_note(struct sr_slot *s);
/* Each tick: the bindings whose expiry passed without a renewal end
 * (event "expired"); wall: sr_wall_now(). */
void sr_watch_expiry_run(struct sr_watch *w, double wall);

#endif
