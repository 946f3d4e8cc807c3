/* SPDX-License-Identifier: BSD-2-Clause */
/* The registrations of a run, built from the loaders, the environment and
 * the flags, and validated before anything is sent. */
#ifndef SR_CONFBUILD_H
#define SR_CONFBUILD_H

#include <stddef.h>

#include "config/cli.h"
#include "config/regset.h"
#include "model/settings.h"

struct sr_cli;

/* Checks that need the whole merged registration (client_uri present,
 * password and ha1 not both, line needs endpoint, ...). 0 or -1. */
int sr_reg_validate(const struct sr_reg *reg, char *err, size_t errlen);

/* Build the registrations of a run: the YAML file (-f, or $SIPREG_CONFIG
 * when no -u is given) and/or --pjsip-conf, or one registration from the
 * flags alone; then the environment and the flags over each; -n picks;
 * every registration is validated before anything is sent. Returns 0, or
 * the exit code (78 config, 64 usage) after printing one line to stderr. */
int sr_config_build(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		    struct sr_config *cfg);

#endif
