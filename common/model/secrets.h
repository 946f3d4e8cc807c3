/* SPDX-License-Identifier: BSD-2-Clause */
/* Loading and wiping of secrets (passwords). */
#ifndef SR_SECRETS_H
#define SR_SECRETS_H

#include <stddef.h>

#include "model/settings.h"

/* Wipe and free *p, then set it to NULL. */
void sr_secret_free(char **p);
/* Read a password from a file owned by the user and not readable by group or
 * others; strips one trailing newline. 0, or -1 with err filled. */
int sr_secret_read_file(const char *path, char **out, char *err, size_t errlen);
/* Take a password from environment variable `name`, then wipe and unset it. */
int sr_secret_from_env(const char *name, char **out, char *err, size_t errlen);

struct sr_reg;

/* 1 when path may hold a secret inline: neither group nor others may read
 * it (mode 0600 or stricter) and it is ours, or we are root (root reads an
 * Asterisk pjsip.conf of the asterisk user); else 0 with the cause in why. */
int sr_file_private(const char *path, char *why, size_t len);
/* 0 when a file of uid may hold our secrets: ours, or we are root; else -1
 * with "FILE is owned by uid N, not by you (uid M)" in why. */
int sr_file_owner_ok(const char *path, unsigned uid, char *why, size_t len);
/* A secret's file mode (a password file, a TLS key): 0 when neither group
 * nor others may read it, else -1 with what to do in err. */
int sr_mode_private(const char *what, const char *path, unsigned mode, char *err, size_t errlen);

/* Load the secrets of every registration from where its settings say:
 * password_file, password_env, --password-stdin (read once, for those with
 * no other source), bearer_token_file; prompt on a terminal (echo off) when
 * nothing else gives a password. Warns about secrets given as flags.
 * 0, or -1 after printing one line to stderr. */
int sr_secrets_load(struct sr_reg *regs, size_t n, int password_stdin);
/* Free n credentials, wiping their secrets. */
void sr_creds_free(struct sr_cred *c, size_t n);
/* Move the credential keys of from (username, password, files, realm,
 * HA1) into a new entry of to->more_auth. 0 or -1. */
int sr_creds_take(struct sr_reg *to, struct sr_reg *from);
/* Wipe the secrets of a registration once it has run. */
void sr_secrets_wipe(struct sr_reg *reg);

#endif
