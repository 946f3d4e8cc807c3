/* SPDX-License-Identifier: BSD-2-Clause */
/* The command line and the environment over the option table (cli.c). */
#ifndef SR_CLI_H
#define SR_CLI_H

#include <stdio.h>

#include "config/options.h"

/* The flags of the command line: registration settings are kept to be
 * applied last, over YAML and the environment; run settings apply at once. */
struct sr_cli {
	struct {
		const struct sr_option *o;
		char *value;
	} * items;
	size_t n;
};

/* -o nagios anywhere on the command line (the last -o wins): then even a
 * usage error is a Nagios UNKNOWN. Looked for before the options are parsed. */
enum sr_output sr_argv_output(int argc, char **argv);
/* Parse the command line of `tool`. Returns 0 to go on, 1 when --help or
 * --version was handled (exit 0), -1 on a usage error (message printed). */
int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv, struct sr_cli *cli,
		     struct sr_run *run);
/* Apply the kept flags to one registration. 0, or -1 with err filled. */
int sr_cli_apply(const struct sr_cli *cli, struct sr_reg *reg, struct sr_run *run, char *err,
		 size_t errlen);
/* Apply SIPREG_<KEY> environment variables. 0, or -1 with err filled. */
int sr_env_apply(struct sr_reg *reg, struct sr_run *run, char *err, size_t errlen);
void sr_cli_free(struct sr_cli *cli);

/* Print --help for a tool. */
void sr_options_help(const char *tool, unsigned tool_bit, const char *synopsis, FILE *out);

#endif
