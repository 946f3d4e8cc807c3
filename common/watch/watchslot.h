/* SPDX-License-Identifier: BSD-2-Clause */
/* What a registration of the watch shows (watchslot.c). */
#ifndef SR_WATCHSLOT_H
#define SR_WATCHSLOT_H

#include "watch/watchdata.h"

/* The state names of the events, status file and metrics. */
extern const char *const sr_watch_state_names[];
/* What a report shows of a slot at wall-clock time wall: a registration
 * whose binding still holds is registered, whatever refresh is on its way;
 * refreshing says that one is. */
enum slot_state sr_watch_shown_state(const struct sr_slot *s, double wall);
int sr_watch_refreshing(const struct sr_slot *s, double wall);
const char *sr_watch_own_binding(const struct sr_slot *s);
/* A registration that holds a binding at registrar (not one a reload
 * dropped). */
int sr_watch_holds_at(const struct sr_slot *s, const char *registrar);
/* The settings the engine is opened with: the slot's, aimed at the server
 * in use. */
const struct sr_reg *sr_watch_reg(const struct sr_slot *s);
/* The server in use (tried now, or holding the binding): a URI of the
 * set, else the Request-URI; NULL before the first attempt. */
const char *sr_watch_server(const struct sr_slot *s);
/* The server that holds the binding while the registration shows
 * registered (a refresh may be trying the next one), else the server in
 * use: the status file's "registrar". */
const char *sr_watch_registrar(const struct sr_slot *s);

/* What an attempt of s says of the registrar's load (window.h). */
enum sr_window_outcome sr_watch_outcome(const struct sr_slot *s);

#endif
