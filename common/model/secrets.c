/* SPDX-License-Identifier: BSD-2-Clause */
/* Passwords, HA1 and tokens: read from files (mode rules) and variables,
 * kept per realm, wiped when freed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <termios.h>

#include "model/secrets.h"
#include "model/settings.h"
#include "util/log.h"

void sr_secret_free(char **p)
{
	if (!*p)
		return;
	explicit_bzero(*p, strlen(*p));
	free(*p);
	*p = NULL;
}

static void strip_newline(char *s, size_t *len)
{
	if (*len && s[*len - 1] == '\n')
		s[--*len] = '\0';
	if (*len && s[*len - 1] == '\r')
		s[--*len] = '\0';
}

int sr_secret_read_file(const char *path, char **out, char *err, size_t errlen)
{
	char buf[4097], why[300];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "password file %s: not a regular file", path);
		goto out;
	}
	if (sr_file_owner_ok(path, (unsigned)st.st_uid, why, sizeof why) < 0) {
		snprintf(err, errlen,
			 "password file %s; copy it to a file of your own with mode 0600", why);
		goto out;
	}
	if (sr_mode_private("password file", path, st.st_mode, err, errlen) < 0)
		goto out;
	while (len < sizeof buf - 1) {
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len >= sizeof buf - 1) {
		snprintf(err, errlen, "password file %s: longer than 4095 bytes", path);
		goto out;
	}
	buf[len % sizeof buf] = '\0';
	strip_newline(buf, &len);
	if (len == 0) {
		snprintf(err, errlen, "password file %s: empty", path);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "password file %s: contains a NUL byte", path);
		goto out;
	}
	/* one line: a second one (an empty line at the end, say) would go into
	 * the password and be sent wrong without a word */
	if (strpbrk(buf, "\r\n")) {
		snprintf(err, errlen,
			 "password file %s: holds more than one line; the password is the file's "
			 "one line (an empty line at its end counts)",
			 path);
		goto out;
	}
	*out = strdup(buf);
	rc = *out ? 0 : -1;
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return rc;
}

int sr_secret_from_env(const char *name, char **out, char *err, size_t errlen)
{
	char *v = getenv(name);

	if (!v || !*v) {
		snprintf(err, errlen, "environment variable %s (password_env) is %s", name,
			 v ? "empty" : "not set");
		return -1;
	}
	*out = strdup(v);
	explicit_bzero(v, strlen(v));
	unsetenv(name);
	return *out ? 0 : -1;
}

/* One line of standard input, without its newline. */
static int read_stdin_line(char **out, char *err, size_t errlen)
{
	char buf[4097];
	size_t len;

	if (!fgets(buf, sizeof buf, stdin)) {
		snprintf(err, errlen, "--password-stdin: nothing on standard input");
		return -1;
	}
	len = strlen(buf);
	strip_newline(buf, &len);
	if (!len) {
		snprintf(err, errlen, "--password-stdin: the first line is empty");
		explicit_bzero(buf, sizeof buf);
		return -1;
	}
	*out = strdup(buf);
	explicit_bzero(buf, sizeof buf);
	return *out ? 0 : -1;
}

/* Ask on the terminal with echo off; an empty answer means no password. */
static int prompt(const char *what, char **out)
{
	struct termios old, quiet;
	char buf[4097];
	size_t len;
	FILE *tty = fopen("/dev/tty", "r+e");
	int rc = -1;

	if (!tty)
		return -1;
	/* echo off before the prompt shows: what is typed once it shows is
	 * never echoed, however soon (what was typed before is dropped) */
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	fprintf(tty, "Password for %s: ", what);
	fflush(tty);
	if (fgets(buf, sizeof buf, tty)) {
		len = strlen(buf);
		strip_newline(buf, &len);
		*out = len ? strdup(buf) : NULL;
		rc = 0;
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	explicit_bzero(buf, sizeof buf);
	fclose(tty);
	return rc;
}

int sr_mode_private(const char *what, const char *path, unsigned mode, char *err, size_t errlen)
{
	if (!(mode & 077))
		return 0;
	snprintf(err, errlen, "%s %s: readable by group or others (mode %04o); run: chmod 600 %s",
		 what, path, mode & 07777, path);
	return -1;
}

int sr_file_owner_ok(const char *path, unsigned uid, char *why, size_t len)
{
	if (uid == (unsigned)geteuid() || geteuid() == 0)
		return 0;
	snprintf(why, len, "%s is owned by uid %u, not by you (uid %u)", path, uid,
		 (unsigned)geteuid());
	return -1;
}

int sr_file_private(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (st.st_mode & 077) {
		snprintf(why, len, "%s is mode %04o, readable by group or others (chmod 600 %s)",
			 path, (unsigned)(st.st_mode & 07777), path);
		return 0;
	}
	return sr_file_owner_ok(path, (unsigned)st.st_uid, why, len) == 0;
}

/* The secret files read in one load and what they held: the registrations
 * of a file mostly share theirs (a password file, a Bearer token file, the
 * credentials of other realms, from defaults), each read once, not opened
 * and checked 100,000 times. The values belong to the registration that
 * read them first, which keeps them for the whole load. */
#define SR_MEMO_FILES 8

struct file_memo {
	const char *path[SR_MEMO_FILES];
	const char *value[SR_MEMO_FILES];
	unsigned next;
};

/* *out, freed first, takes what the file at path holds. */
static int read_memo(struct file_memo *m, const char *path, char **out, char *err, size_t errlen)
{
	unsigned i;

	sr_secret_free(out);
	for (i = 0; i < SR_MEMO_FILES; i++)
		if (m->path[i] && !strcmp(m->path[i], path)) {
			*out = strdup(m->value[i]);
			if (!*out)
				snprintf(err, errlen, "%s: out of memory", path);
			return *out ? 0 : -1;
		}
	if (sr_secret_read_file(path, out, err, errlen) < 0)
		return -1;
	i = m->next++ % SR_MEMO_FILES;
	m->path[i] = path;
	m->value[i] = *out;
	return 0;
}

/* The passwords of further credentials, from their files or variables. */
static int load_more_auth(struct file_memo *m, struct sr_reg *r, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < r->n_more_auth; i++) {
		struct sr_cred *c = &r->more_auth[i];

		if (c->password_file) {
			if (read_memo(m, c->password_file, &c->password, err, errlen) < 0)
				return -1;
		} else if (c->password_env) {
			sr_secret_free(&c->password);
			if (sr_secret_from_env(c->password_env, &c->password, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int sr_secrets_load(struct sr_reg *regs, size_t n, int password_stdin)
{
	char err[600], *stdin_pw = NULL;
	struct file_memo memo = {{NULL}, {NULL}, 0};
	size_t i;
	int rc = -1;

	if (password_stdin && read_stdin_line(&stdin_pw, err, sizeof err) < 0) {
		sr_err("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct sr_reg *r = &regs[i];

		if (r->password_file) {
			if (read_memo(&memo, r->password_file, &r->password, err, sizeof err) < 0)
				goto fail;
		} else if (r->password_env) {
			sr_secret_free(&r->password);
			if (sr_secret_from_env(r->password_env, &r->password, err, sizeof err) < 0)
				goto fail;
		} else if (stdin_pw && !r->password && !r->ha1) {
			r->password = strdup(stdin_pw);
		} else if (r->password && r->password_from_cli) {
			sr_warn("a password given with -p/--password is visible to other users; "
				"use --password-file, --password-env or --password-stdin");
		}
		if (load_more_auth(&memo, r, err, sizeof err) < 0)
			goto fail;
		if (r->ha1 && r->ha1_from_cli)
			sr_warn("an HA1 given with --ha1 is visible to other users and works like "
				"a password");
		if (r->bearer_token_file) {
			if (read_memo(&memo, r->bearer_token_file, &r->bearer_token, err,
				      sizeof err) < 0)
				goto fail;
		} else if (r->bearer_token && r->token_from_cli) {
			sr_warn("a token given with --authorization-jwt is visible to other users; "
				"use --bearer-token-file");
		}
		if (!r->password && !r->ha1 && !r->bearer_token && !password_stdin &&
		    isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
			char what[600];

			snprintf(what, sizeof what, "%s (Enter for none)",
				 r->username	 ? r->username
				 : r->client_uri ? r->client_uri
						 : r->name);
			prompt(what, &r->password);
		}
		continue;
	fail:
		if (r->origin)
			sr_err("%s: registration \"%s\": %s", r->origin, r->name, err);
		else
			sr_err("%s", err);
		goto out;
	}
	rc = 0;
out:
	sr_secret_free(&stdin_pw);
	return rc;
}

void sr_secrets_wipe(struct sr_reg *r)
{
	size_t i;

	sr_secret_free(&r->password);
	sr_secret_free(&r->ha1);
	sr_secret_free(&r->bearer_token);
	for (i = 0; i < r->n_more_auth; i++) {
		sr_secret_free(&r->more_auth[i].password);
		sr_secret_free(&r->more_auth[i].ha1);
	}
}

void sr_creds_free(struct sr_cred *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sr_secret_free(&c[i].password);
		sr_secret_free(&c[i].ha1);
		free(c[i].username);
		free(c[i].password_file);
		free(c[i].password_env);
		free(c[i].realm);
	}
	free(c);
}

int sr_creds_take(struct sr_reg *to, struct sr_reg *from)
{
	struct sr_cred *v = realloc(to->more_auth, (to->n_more_auth + 1) * sizeof *v);

	if (!v)
		return -1;
	to->more_auth = v;
	v[to->n_more_auth++] = (struct sr_cred){
	    .username = from->username,
	    .password = from->password,
	    .password_file = from->password_file,
	    .password_env = from->password_env,
	    .realm = from->realm,
	    .ha1 = from->ha1,
	};
	from->username = from->password = from->password_file = NULL;
	from->password_env = from->realm = from->ha1 = NULL;
	return 0;
}
