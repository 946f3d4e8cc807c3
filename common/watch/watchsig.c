/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's signals: flags the handler sets and an eventfd it writes
 * (both async-signal-safe), read in the event loop. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "watch/watchsig.h"

static volatile sig_atomic_t g_term, g_hup, g_usr1;
static int g_fd = -1;
static int g_idx;
static su_root_t *g_root;
static void (*g_wake)(void *);
static void *g_arg;

static void on_signal(int sig)
{
	int saved = errno;
	uint64_t one = 1;

	if (sig == SIGHUP)
		g_hup = 1;
	else if (sig == SIGUSR1)
		g_usr1 = 1;
	else
		g_term = 1;
	if (g_fd >= 0 && write(g_fd, &one, sizeof one) < 0) {
		/* the counter is full: a wake-up is pending anyway */
	}
	errno = saved;
}

static int on_ready(su_root_magic_t *magic, su_wait_t *wait, su_wakeup_arg_t *arg)
{
	uint64_t n;

	(void)magic;
	(void)wait;
	(void)arg;
	if (read(g_fd, &n, sizeof n) < 0) {
		/* EAGAIN: another wake-up read it first */
	}
	g_wake(g_arg);
	return 0;
}

int sr_sig_catch(su_root_t *root, void (*wake)(void *), void *arg)
{
	struct sigaction sa;
	su_wait_t wait[1];

	g_wake = wake;
	g_arg = arg;
	g_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g_fd < 0)
		return -1;
	if (su_wait_create(wait, g_fd, SU_WAIT_IN) < 0 ||
	    (g_idx = su_root_register(root, wait, on_ready, NULL, 0)) <= 0) {
		close(g_fd);
		g_fd = -1;
		errno = EMFILE;
		return -1;
	}
	g_root = root;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

unsigned sr_sig_pending(void)
{
	return (g_term ? SR_SIG_TERM : 0) | (g_hup ? SR_SIG_HUP : 0) | (g_usr1 ? SR_SIG_USR1 : 0);
}

int sr_sig_take(enum sr_sig sig)
{
	int was = 0;

	if (sig == SR_SIG_HUP) {
		was = g_hup;
		g_hup = 0;
	} else if (sig == SR_SIG_USR1) {
		was = g_usr1;
		g_usr1 = 0;
	} else {
		was = g_term;
	}
	return was;
}

void sr_sig_release(void)
{
	if (g_root && g_idx > 0)
		su_root_deregister(g_root, g_idx);
	g_root = NULL;
	g_idx = 0;
	/* a signal from here on sets its flag and writes nowhere */
	if (g_fd >= 0) {
		int fd = g_fd;

		g_fd = -1;
		close(fd);
	}
}
