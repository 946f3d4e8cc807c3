/* SPDX-License-Identifier: BSD-2-Clause */
/* YAML files of registrations: loading with positions for every error,
 * merging (defaults: < entry), and --dump-config. */
#ifndef SR_CONFFILE_H
#define SR_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

#include "config/regset.h"
#include "model/settings.h"

struct sr_config;

/* Load a YAML file: every registration gets the built-in defaults, then
 * the file's defaults:, then its own keys. 0, or -1 with "file:line:col:
 * key: what was expected" in err. */
int sr_config_load_yaml(const char *path, struct sr_config *cfg, char *err, size_t errlen);

/* Print the settings as YAML that loads back to the same; secrets as
 * <redacted>. 0 or -1. */
int sr_config_dump(FILE *out, const struct sr_reg *regs, size_t n);
/* A digest (hex SHA-256) of everything that makes a registration what it
 * is, its secrets too, so that a reload tells a changed one from the same
 * one; NULL when out of memory. */
char *sr_reg_fingerprint(const struct sr_reg *r);

#endif
