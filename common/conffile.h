/* YAML files of registrations: loading with positions for every error,
 * merging (defaults: < entry), and --dump-config. */
#ifndef SR_CONFFILE_H
#define SR_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

#include "regset.h"
#include "settings.h"

struct sr_config;

/* Load a YAML file: every registration gets the built-in defaults, then
 * the file's defaults:, then its own keys. 0, or -1 with "file:line:col:
 * key: what was expected" in err. */
int sr_config_load_yaml(const char *path, struct sr_config *cfg, char *err, size_t errlen);

/* Print the settings as YAML that loads back to the same; secrets as
 * <redacted>. 0 or -1. */
int sr_config_dump(FILE *out, const struct sr_reg *regs, size_t n);

#endif
