/* SPDX-License-Identifier: BSD-2-Clause */
/* engine.c's functions for the other files of the engine: nua's callback,
 * the set-up before the stack, the REGISTERs. */
#ifndef SR_ENGINE_INT_H
#define SR_ENGINE_INT_H

#include "engine/engdata.h"

void sr_eng_on_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
		     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		     tagi_t tags[]);
/* Target, digest policy, the tunnel (tls, ws, wss), digest plugin: 0, or
 * -1 with the result set (rc_internal 1: the failure is ours, not the
 * settings'). No packet is sent. */
int sr_eng_prepare(struct sr_eng *e, double deadline, int *rc_internal);
/* A tunneled registration: the tunnel's checked connection up, on the
 * stack's loop: 0, or -1 with the result set. */
int sr_eng_tunnel_up(struct sr_eng *e, double deadline);
/* Our Contact, the local address, the handle and the header set. */
int sr_eng_open_handle(struct sr_eng *e);
void sr_eng_send_register(struct sr_eng *e, const char *more);
/* A transient registration's handle for its next request. */
nua_handle_t *sr_eng_handle(struct sr_eng *e);
/* Destroy *nh (a registration's handle, of sr_eng_handle or the clean-up's)
 * and forget it; nothing when it is NULL. */
void sr_eng_drop_handle(nua_handle_t **nh);
/* A transient registration's REGISTER (nua_method(), no usage) with
 * Expires: expires and the extra headers. */
void sr_eng_register_transient(struct sr_eng *e, const char *expires, const char *extra);
void sr_eng_clear_bindings(struct sr_result *res);
/* A registration's engine before its stack (homes, settings, result
 * named); NULL when out of memory. */
struct sr_eng *sr_eng_new(const struct sr_reg *reg, const struct sr_run *run,
			  struct sr_result *res);
/* End the process without taking stacks down (bindings they keep stay). */
void sr_eng_exit_hard(void);

#endif
