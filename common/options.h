/* The one option table: long flags, short flags, YAML keys and aliases, help
 * text and defaults. getopt_long and --help are generated from it. */
#ifndef SR_OPTIONS_H
#define SR_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "settings.h"

enum sr_opt_type {
	SR_OT_STRING,
	SR_OT_UINT,
	SR_OT_SECONDS, /* non-negative decimal seconds */
	SR_OT_BOOL,    /* flag form takes an optional yes/no */
	SR_OT_ENUM,
	SR_OT_FLAG,    /* no argument */
};

/* Which tools take the row. */
enum {
	SR_TOOL_SIPREG = 1u << 0,
};

enum sr_opt_id {
	SR_O_CLIENT_URI = 1,
	SR_O_SERVER_URI,
	SR_O_HOST,
	SR_O_CONTACT_USER,
	SR_O_USER_AGENT,
	SR_O_USERNAME,
	SR_O_PASSWORD,
	SR_O_PASSWORD_FILE,
	SR_O_PASSWORD_ENV,
	SR_O_REALM,
	SR_O_HA1,
	SR_O_AUTHORIZATION_JWT,
	SR_O_BEARER_TOKEN_FILE,
	SR_O_DIGEST_ALGORITHMS,
	SR_O_MIN_DIGEST,
	SR_O_EXPIRATION,
	SR_O_TRANSPORT,
	SR_O_TLS_CA_FILE,
	SR_O_TLS_CA_DIR,
	SR_O_TLS_VERIFY,
	SR_O_INSECURE,
	SR_O_IPV4,
	SR_O_IPV6,
	SR_O_LOCAL_ADDRESS,
	SR_O_TIMEOUT,
	SR_O_OUTPUT,
	SR_O_JSON,
	SR_O_VERBOSE,
	SR_O_QUIET,
	SR_O_PROBE,
	SR_O_LIST_BINDINGS,
	SR_O_HELP,
	SR_O_VERSION,
};

struct sr_option {
	enum sr_opt_id id;
	const char *key;     /* YAML key and long flag (with '_' -> '-') */
	const char *aliases; /* other spellings, space separated, or NULL */
	int short_opt;       /* 0: none */
	const char *arg;     /* argument name for --help, NULL: none */
	enum sr_opt_type type;
	const char *choices; /* SR_OT_ENUM: "udp tcp tls" */
	const char *def;     /* default for --help, NULL: none */
	int yaml;            /* 1: a registration key in YAML files */
	unsigned tools;
	const char *help;
};

extern const struct sr_option sr_options[];
extern const size_t sr_options_count;

/* Find a row by YAML key or alias (either '_' or '-' spelling). */
const struct sr_option *sr_option_find(const char *name);

/* Apply one value to the settings. On error returns -1 and writes a message
 * (without the tool prefix) to err. */
int sr_option_apply(const struct sr_option *o, const char *value, struct sr_reg *reg,
		    struct sr_run *run, char *err, size_t errlen);

/* Parse the command line of `tool` into reg and run. Returns 0 to go on,
 * 1 when --help or --version was handled (exit 0), -1 on a usage error
 * (message already printed). */
int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv,
		     struct sr_reg *reg, struct sr_run *run);

/* Print --help for a tool. */
void sr_options_help(const char *tool, unsigned tool_bit, const char *synopsis, FILE *out);

/* Parsers shared with the YAML loader; 0 or -1. */
int sr_parse_uint(const char *s, unsigned long max, unsigned long *out);
int sr_parse_seconds(const char *s, double *out);
int sr_parse_bool(const char *s, int *out);

#endif
