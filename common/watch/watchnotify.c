/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's notifications to systemd: readiness once the first round
 * of registrations has an outcome, a status line with the counts, reloads,
 * the stop and the watchdog, as datagrams to $NOTIFY_SOCKET. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "watch/watchnotify.h"
#include "watch/watchslot.h"

static int g_fd = -1;
static struct sockaddr_un g_addr;
static socklen_t g_len;
static double g_wd_every; /* seconds between WATCHDOG=1, 0: none */
static double g_wd_last;
static int g_ready;	   /* READY=1 sent since the start or the last reload */
static char g_status[160]; /* the last STATUS= sent */

void sr_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	size_t n;

	if (usec && (!pid || strtol(pid, NULL, 10) == (long)getpid()))
		g_wd_every = strtod(usec, NULL) / 1e6 / 2;
	if (!path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof g_addr.sun_path)
		return;
	g_addr.sun_family = AF_UNIX;
	memcpy(g_addr.sun_path, path, n);
	if (path[0] == '@')
		g_addr.sun_path[0] = '\0'; /* the abstract namespace */
	g_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	g_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

void sr_notify(const char *msg)
{
	if (g_fd >= 0)
		(void)sendto(g_fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&g_addr,
			     g_len);
}

void sr_notify_reloading(void)
{
	struct timespec ts;
	char msg[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
		     (unsigned long long)ts.tv_nsec / 1000);
	sr_notify(msg);
	g_ready = 0;
}

/* A registration whose first round is over: it was registered, failed or
 * was rejected, or a reload dropped it. */
static int has_outcome(const struct sr_slot *s)
{
	return s->ever_registered || s->failures_total || s->st == S_REJECTED || s->removed;
}

void sr_watch_notify_state(struct sr_watch *w)
{
	double wall = sr_wall_now();
	size_t i, registered = 0, failing = 0, done = 0;
	char status[160], msg[200];

	if (g_fd < 0)
		return;
	for (i = 0; i < w->n; i++) {
		const struct sr_slot *s = w->slots[i];

		if (sr_watch_shown_state(s, wall) == S_REGISTERED)
			registered++;
		else if (s->failing_since || s->st == S_REJECTED)
			failing++;
		done += has_outcome(s) != 0;
	}
	snprintf(status, sizeof status, "%zu of %zu registered, %zu failing", registered, w->n,
		 failing);
	if (!g_ready && done == w->n) {
		snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", status);
		sr_notify(msg);
		g_ready = 1;
	} else if (strcmp(status, g_status) != 0) {
		snprintf(msg, sizeof msg, "STATUS=%s", status);
		sr_notify(msg);
	}
	snprintf(g_status, sizeof g_status, "%s", status);
}

double sr_notify_watchdog_every(void)
{
	return g_fd < 0 ? 0 : g_wd_every;
}

void sr_notify_watchdog(double now)
{
	if (g_fd < 0 || g_wd_every <= 0 || now - g_wd_last < g_wd_every)
		return;
	g_wd_last = now;
	sr_notify("WATCHDOG=1");
}
