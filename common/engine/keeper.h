/* SPDX-License-Identifier: BSD-2-Clause */
/* The engine's interface for sipregwatch: many registrations on one event
 * loop, sharing a nua per local socket, each driven by the keeper's hooks. */
#ifndef SR_KEEPER_H
#define SR_KEEPER_H

#include <sofia-sip/su_wait.h>

#include "engine/engdata.h"
#include "model/result.h"
#include "model/settings.h"

struct sr_eng;

/* Prepare a registration on root: target, stack (shared by registrations
 * with the same socket and stack settings), Contact and handle. NULL on a
 * failure, with res saying why. */
struct sr_eng *sr_eng_open(su_root_t *root, const struct sr_reg *reg, const struct sr_run *run,
			   struct sr_result *res, const struct sr_eng_hooks *hooks);
/* Send (or send again) the REGISTER; the done hook follows. */
void sr_eng_send(struct sr_eng *e);
/* Un-REGISTER; the done hook follows. 0, or -1 when nothing is registered. */
int sr_eng_unregister(struct sr_eng *e);
/* Forget the registration: the handle goes, nothing is sent (the binding
 * expires by itself unless sr_eng_unregister() removed it). The last
 * registration on a tunnel closes it, the last on a stack shuts it down. */
void sr_eng_close(struct sr_eng *e);
/* Destroy the stacks whose shutdown finished (never from nua's callback:
 * from the watch's tick). */
void sr_eng_reap_stacks(void);
/* Free e at the process's end: its handle is left as it is (no message). */
void sr_eng_free(struct sr_eng *e);
/* The Retry-After of the last final response, -1 when none. */
long sr_eng_retry_after(const struct sr_eng *e);
/* The CRLF keep-alive interval of e's connection in seconds, 0: none. */
double sr_eng_keep_alive(const struct sr_eng *e);
/* Shut every shared stack down, waiting at most until deadline. */
void sr_eng_shutdown_all(su_root_t *root, double deadline);
/* Whether a stack (open or shutting down) still runs on the loop: the
 * loop may be destroyed only when none does. */
int sr_eng_stacks_left(void);

#endif
