/* SPDX-License-Identifier: BSD-2-Clause */
/* Removals (unreg.c): un-REGISTER, and sipunreg's listing and removal
 * of the bindings it picks. */
#ifndef SR_UNREG_H
#define SR_UNREG_H

#include "engine/engdata.h"

/* A REGISTER with Expires: 0 of these Contacts ("<uri>, <uri>" or "*"). */
void sr_eng_send_removal(struct sr_eng *e, const char *contacts);
/* sipunreg: a 2xx to the listing (pick ours, remove them) or to the
 * removal (check that they are gone). */
void sr_eng_on_unreg_2xx(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);
/* The answer to our own un-REGISTER: removed only when a 2xx no longer
 * lists our binding. */
void sr_eng_on_unregister(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);

#endif
