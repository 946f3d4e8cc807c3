/* The one option table: YAML keys and their aliases, long and short flags,
 * help text and defaults. getopt_long, --help, the YAML key look-up and the
 * man pages' option lists (checked by a test) all come from it. */
#ifndef SR_OPTIONS_H
#define SR_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "settings.h"

enum sr_opt_type {
	SR_OT_STRING,
	SR_OT_URI,     /* a sip: or sips: URI */
	SR_OT_UINT,
	SR_OT_SECONDS, /* non-negative decimal seconds */
	SR_OT_BOOL,    /* flag form takes an optional yes/no */
	SR_OT_ENUM,
	SR_OT_FLAG,    /* no argument */
	SR_OT_LIST,    /* a list of strings; flags repeat */
	SR_OT_SERVERS, /* a list of {uri, weight}; flag: URI[,WEIGHT] */
};

enum sr_opt_scope {
	SR_SC_KEY,     /* a registration key: YAML and flag */
	SR_SC_REGFLAG, /* a registration setting given as a flag only */
	SR_SC_RUN,     /* a setting of the run: flag only */
};

/* Which tools take the row. */
enum {
	SR_TOOL_SIPREG = 1u << 0,
	SR_TOOL_SIPUNREG = 1u << 1,
	SR_TOOL_SIPAUTHCHECK = 1u << 2,
	SR_TOOL_SIPREGWATCH = 1u << 3,
	SR_TOOL_ALL = SR_TOOL_SIPREG | SR_TOOL_SIPUNREG | SR_TOOL_SIPAUTHCHECK | SR_TOOL_SIPREGWATCH,
};

enum sr_opt_id {
	SR_O_NAME = 1,
	SR_O_CLIENT_URI,
	SR_O_SERVER_URI,
	SR_O_HOST,
	SR_O_CONTACT_USER,
	SR_O_CONTACT_URI,
	SR_O_CONTACT_HEADER_PARAMS,
	SR_O_DISPLAY_NAME,
	SR_O_USER_AGENT,
	SR_O_EXTRA_HEADERS,
	SR_O_INSTANCE_ID,
	SR_O_USERNAME,
	SR_O_PASSWORD,
	SR_O_PASSWORD_FILE,
	SR_O_PASSWORD_ENV,
	SR_O_REALM,
	SR_O_HA1,
	SR_O_AUTHORIZATION_JWT,
	SR_O_BEARER_TOKEN_FILE,
	SR_O_EXPIRATION,
	SR_O_MAX_RETRIES,
	SR_O_RETRY_INTERVAL,
	SR_O_FORBIDDEN_RETRY_INTERVAL,
	SR_O_FATAL_RETRY_INTERVAL,
	SR_O_AUTH_REJECTION_PERMANENT,
	SR_O_MAX_RANDOM_INITIAL_DELAY,
	SR_O_CONN_RECOVERY_MIN,
	SR_O_CONN_RECOVERY_MAX,
	SR_O_KEEP_ALIVE_INTERVAL,
	SR_O_AUDIT_INTERVAL,
	SR_O_TRANSPORT,
	SR_O_OUTBOUND_PROXY,
	SR_O_USE_PRELOADED_ROUTE,
	SR_O_SERVERS,
	SR_O_LINE,
	SR_O_ENDPOINT,
	SR_O_SUPPORT_PATH,
	SR_O_SUPPORT_OUTBOUND,
	SR_O_SECURITY_NEGOTIATION,
	SR_O_SECURITY_MECHANISMS,
	SR_O_TLS_CA_FILE,
	SR_O_TLS_CA_DIR,
	SR_O_TLS_CERT,
	SR_O_TLS_KEY,
	SR_O_TLS_SERVER_NAME,
	SR_O_TLS_VERIFY,
	SR_O_DIGEST_ALGORITHMS,
	SR_O_MIN_DIGEST,
	SR_O_INSECURE,
	SR_O_IPV4,
	SR_O_IPV6,
	SR_O_LOCAL_ADDRESS,
	SR_O_CONFIG,
	SR_O_SELECT_NAME,
	SR_O_PJSIP_CONF,
	SR_O_DUMP_CONFIG,
	SR_O_PASSWORD_STDIN,
	SR_O_TIMEOUT,
	SR_O_OUTPUT,
	SR_O_JSON,
	SR_O_VERBOSE,
	SR_O_QUIET,
	SR_O_PROBE,
	SR_O_LIST_BINDINGS,
	SR_O_CONTACT,
	SR_O_ALL,
	SR_O_METHOD,
	SR_O_PRINT_HA1,
	SR_O_ALGORITHM,
	SR_O_EVENTS,
	SR_O_STATUS_FILE,
	SR_O_PROMETHEUS_FILE,
	SR_O_CHECK,
	SR_O_WARNING,
	SR_O_CRITICAL,
	SR_O_SHUTDOWN_TIMEOUT,
	SR_O_MAX_RATE,
	SR_O_STALE,
	SR_O_HELP,
	SR_O_VERSION,
	SR_O_MAX,
};

struct sr_option {
	enum sr_opt_id id;
	const char *key;         /* YAML key and long flag (with '_' -> '-') */
	const char *aliases;     /* other spellings (YAML and flag), or NULL */
	const char *cli_aliases; /* flag-only spellings, or NULL */
	int short_opt;           /* 0: none */
	const char *arg;         /* argument name for --help, NULL: none */
	enum sr_opt_type type;
	const char *choices;     /* SR_OT_ENUM: "udp tcp tls" */
	const char *def;         /* default for --help and the man page */
	enum sr_opt_scope scope;
	int secret;              /* shown as <redacted> */
	unsigned tools;
	const char *help;
};

extern const struct sr_option sr_options[];
extern const size_t sr_options_count;

/* Find a registration key by YAML key or alias ('_' or '-' alike). */
const struct sr_option *sr_option_find(const char *name);
/* The known key closest to name (for "did you mean"), or NULL. */
const char *sr_option_suggest(const char *name);
/* The row of an id. */
const struct sr_option *sr_option_by_id(enum sr_opt_id id);

/* Apply one value to the settings from a layer. label names the setting in
 * messages ("--expiration" or "expiration"). On error returns -1 and writes
 * "label: what was expected, got ..." to err. */
int sr_option_apply(const struct sr_option *o, const char *value, enum sr_layer layer,
		    struct sr_reg *reg, struct sr_run *run, const char *label, char *err,
		    size_t errlen);

/* The flags of the command line: registration settings are kept to be
 * applied last, over YAML and the environment; run settings apply at once. */
struct sr_cli {
	struct {
		const struct sr_option *o;
		char *value;
	} *items;
	size_t n;
};

/* Parse the command line of `tool`. Returns 0 to go on, 1 when --help or
 * --version was handled (exit 0), -1 on a usage error (message printed). */
/* -o nagios anywhere on the command line (the last -o wins): then even a
 * usage error is a Nagios UNKNOWN. Looked for before the options are parsed. */
int sr_argv_wants_nagios(int argc, char **argv);
int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv,
		     struct sr_cli *cli, struct sr_run *run);
/* Apply the kept flags to one registration. 0, or -1 with err filled. */
int sr_cli_apply(const struct sr_cli *cli, struct sr_reg *reg, struct sr_run *run, char *err,
		 size_t errlen);
/* Apply SIPREG_<KEY> environment variables. 0, or -1 with err filled. */
int sr_env_apply(struct sr_reg *reg, struct sr_run *run, char *err, size_t errlen);
void sr_cli_free(struct sr_cli *cli);

/* Print --help for a tool. */
void sr_options_help(const char *tool, unsigned tool_bit, const char *synopsis, FILE *out);

/* Parsers shared with the YAML loader; 0 or -1. */
int sr_parse_uint(const char *s, unsigned long max, unsigned long *out);
int sr_parse_seconds(const char *s, double *out);
int sr_parse_bool(const char *s, int *out);

#endif
