/* SPDX-License-Identifier: BSD-2-Clause */
/* The TLS key log: OpenSSL's keylog callback appending NSS key log lines
 * (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, ...) to one file. The
 * file holds session secrets: it is made 0600 and refused when others may
 * write it (they could read a log they replaced, or feed it lines). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tunnel/keylog.h"

static char *g_path;  /* asked for; NULL: $SSLKEYLOGFILE */
static int g_fd = -1; /* open once for the process */
static int g_failed;  /* the file was refused: every context says so */
static char g_why[600];

void sr_keylog_set(const char *path)
{
	free(g_path);
	g_path = path && *path ? strdup(path) : NULL;
}

static void line_cb(const SSL *ssl, const char *line)
{
	char buf[1024];
	size_t n = strlen(line);

	(void)ssl;
	if (g_fd < 0 || n + 1 > sizeof buf)
		return;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	/* one write per line: O_APPEND keeps lines of several processes whole */
	if (write(g_fd, buf, n) < 0)
		return;
}

static int open_log(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		snprintf(g_why, sizeof g_why, "TLS key log %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(g_why, sizeof g_why, "TLS key log %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(g_why, sizeof g_why,
			 "TLS key log %s: writable by others (mode %04o): refused, it holds "
			 "TLS session secrets",
			 path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	g_fd = fd;
	return 0;
}

int sr_keylog_ctx(SSL_CTX *ctx, char *err, size_t errlen)
{
	const char *path = g_path ? g_path : getenv("SSLKEYLOGFILE");

	if (!path || !*path)
		return 0;
	if (g_fd < 0 && !g_failed && open_log(path) < 0)
		g_failed = 1;
	if (g_failed) {
		snprintf(err, errlen, "%s", g_why);
		return -1;
	}
	SSL_CTX_set_keylog_callback(ctx, line_cb);
	return 0;
}
