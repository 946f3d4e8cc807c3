/* SPDX-License-Identifier: BSD-2-Clause */
/* What a final response says, into the result (response.c). */
#ifndef SR_RESPONSE_H
#define SR_RESPONSE_H

#include "engine/engdata.h"

/* A Retry-After in seconds (at most a day), -1 when none. */
long sr_retry_after_of(sip_t const *sip);
/* A response the stack made up itself (timeout, transport or DNS error). */
int sr_eng_is_local_response(sip_t const *sip);
/* The registrar's TLS certificate (subject, notAfter) of the tunnel, when
 * one was seen. */
void sr_eng_note_cert(struct sr_eng *e);
/* The status, reason, timing and Retry-After of a final response. */
void sr_eng_note_final(struct sr_eng *e, int status, char const *phrase, sip_t const *sip);
/* The bindings of a 2xx, which is ours, the grant, outbound, GRUUs. */
void sr_eng_note_bindings(struct sr_eng *e, sip_t const *sip);
/* After a 2xx to our REGISTER: 1 when it lists a binding of ours with an
 * expiry above zero; else the result is not_bound and 0. */
int sr_eng_bound(struct sr_eng *e, int status);
/* The digest plugin's record of what it answered with, into the result. */
void sr_eng_note_auth_used(struct sr_eng *e);

#endif
