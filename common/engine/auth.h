/* SPDX-License-Identifier: BSD-2-Clause */
/* Answering a challenge on the wire (auth.c). */
#ifndef SR_AUTH_H
#define SR_AUTH_H

#include "engine/engdata.h"

/* Answer a 401/407 on handle nh, or set the result and return -1 (dry:
 * report only). */
int sr_eng_answer_challenge(struct sr_eng *e, nua_handle_t *nh, int status, sip_t const *sip,
			    int dry);
/* Forget the credentials filed with the digest plugin (wiped). */
void sr_eng_forget_credentials(struct sr_eng *e);
/* mediasec: the server's Security-Server values as our Security-Verify. */
const char *sr_eng_security_verify(struct sr_eng *e, sip_t const *sip);

#endif
