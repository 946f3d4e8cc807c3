#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets.h"

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
	char buf[4097];
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
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "password file %s: owned by uid %u, not by you (uid %u); "
			 "copy it to a file of your own with mode 0600",
			 path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "password file %s: readable by group or others (mode %04o); "
			 "run: chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
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
