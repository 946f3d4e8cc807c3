/* Loading and wiping of secrets (passwords). */
#ifndef SR_SECRETS_H
#define SR_SECRETS_H

#include <stddef.h>

/* Wipe and free *p, then set it to NULL. */
void sr_secret_free(char **p);
/* Read a password from a file owned by the user and not readable by group or
 * others; strips one trailing newline. 0, or -1 with err filled. */
int sr_secret_read_file(const char *path, char **out, char *err, size_t errlen);
/* Take a password from environment variable `name`, then wipe and unset it. */
int sr_secret_from_env(const char *name, char **out, char *err, size_t errlen);

#endif
