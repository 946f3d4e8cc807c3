/* YAML files of registrations: loading with positions for every error,
 * merging (defaults: < entry), and --dump-config. */
#ifndef SR_CONFFILE_H
#define SR_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

#include "settings.h"

struct sr_config {
	struct sr_reg *regs;
	size_t n;
};

/* Load a YAML file: every registration gets the built-in defaults, then
 * the file's defaults:, then its own keys. 0, or -1 with "file:line:col:
 * key: what was expected" in err. */
int sr_config_load_yaml(const char *path, struct sr_config *cfg, char *err, size_t errlen);
/* Add one registration, moved in: the caller's struct is left zeroed, and
 * freed when the add fails. 0 or -1. */
int sr_config_add(struct sr_config *cfg, struct sr_reg *reg);
void sr_config_free(struct sr_config *cfg);

/* Keep only the registrations named in names (all when empty). 0, or -1
 * with err naming the missing one. */
int sr_config_select(struct sr_config *cfg, const struct sr_strv *names, char *err,
		     size_t errlen);

/* Checks that need the whole merged registration (client_uri present,
 * password and ha1 not both, line needs endpoint, ...). 0 or -1. */
int sr_reg_validate(const struct sr_reg *reg, char *err, size_t errlen);

/* Print the settings as YAML that loads back to the same; secrets as
 * <redacted>. 0 or -1. */
int sr_config_dump(FILE *out, const struct sr_reg *regs, size_t n);

struct sr_cli;
struct sr_run;

/* Build the registrations of a run: the YAML file (-f, or $SIPREG_CONFIG
 * when no -u is given) and/or --pjsip-conf, or one registration from the
 * flags alone; then the environment and the flags over each; -n picks;
 * every registration is validated before anything is sent. Returns 0, or
 * the exit code (78 config, 64 usage) after printing one line to stderr. */
int sr_config_build(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		    struct sr_config *cfg);

#endif
