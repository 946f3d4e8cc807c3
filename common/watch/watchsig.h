/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's signals (watchsig.c): SIGTERM and SIGINT stop, SIGHUP
 * reloads, SIGUSR1 writes the files now. Each also wakes the event loop
 * through an eventfd, so that an idle loop waits a second at a time
 * instead of polling for them. */
#ifndef SR_WATCHSIG_H
#define SR_WATCHSIG_H

#include <sofia-sip/su_wait.h>

enum sr_sig { SR_SIG_TERM = 1, SR_SIG_HUP = 2, SR_SIG_USR1 = 4 };

/* Install the handlers; wake(arg) runs in the loop of root after any of
 * them. -1 (errno set) when the eventfd cannot be made. */
int sr_sig_catch(su_root_t *root, void (*wake)(void *), void *arg);
/* The signals seen and not taken (SR_SIG_TERM is never taken). */
unsigned sr_sig_pending(void);
/* Take one: 1 if it was pending, now cleared. */
int sr_sig_take(enum sr_sig sig);
void sr_sig_release(void);

#endif
