/* SPDX-License-Identifier: BSD-2-Clause */
/* The Sofia-SIP stack a registration rides on (stack.c). */
#ifndef SR_STACK_H
#define SR_STACK_H

#include "engine/engdata.h"

/* The Route set and Supported list a stack is made with. */
void sr_stack_strings(struct sr_eng *e, char **route, char **supported);
/* CRLF keep-alives with pongs (RFC 5626 4.4.1): the keeper's registrations
 * over TCP, TLS, WS and WSS, outbound or not, when keep_alive_interval is
 * above 0 (the tunnel turns them into WebSocket pings). */
int sr_stack_wants_keepalive(const struct sr_eng *e, int shared);
/* A stack on root (NULL: a root of its own) for e's registration, its nua
 * started and its parameters read by deadline. NULL with the result set. */
struct sr_stack *sr_stack_open(su_root_t *root, int shared, struct sr_eng *e, double deadline);
/* Shut the stack's nua down by deadline: 0, or -1 when it did not finish. */
int sr_stack_shutdown(struct sr_stack *s, double deadline);
/* Free the stack (its root too when its own). */
void sr_stack_free(struct sr_stack *s);
/* Run root until done(arg) or deadline. */
void sr_step_until(su_root_t *root, int (*done)(const void *), const void *arg, double deadline);

#endif
