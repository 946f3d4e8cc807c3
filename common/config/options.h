/* SPDX-License-Identifier: BSD-2-Clause */
/* The one option table: YAML keys and their aliases, long and short flags,
 * help text and defaults. getopt_long, --help, the YAML key look-up and the
 * man pages' option lists (checked by a test) all come from it. */
#ifndef SR_OPTIONS_H
#define SR_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "model/settings.h"

/* What a row's value is, and so how it is parsed, stored, dumped and freed. */
enum sr_opt_type {
	SR_OT_STRING,  /* char * */
	SR_OT_URI,     /* char *: a sip: or sips: URI */
	SR_OT_UINT,    /* unsigned */
	SR_OT_SECONDS, /* double: non-negative decimal seconds */
	SR_OT_RATE,    /* double: a positive number per second */
	SR_OT_BOOL,    /* bool; the flag form takes an optional yes/no */
	SR_OT_ENUM,    /* int: base + index of the value in choices */
	SR_OT_CHOICE,  /* char *: one of choices, as choices spells it */
	SR_OT_FLAG,    /* no argument: stores base into the field, if any */
	SR_OT_COUNT,   /* no argument: adds one to an int field (-v -v) */
	SR_OT_LIST,    /* struct sr_strv; a later layer replaces, flags repeat */
	SR_OT_SERVERS, /* struct sr_server[] of {uri, weight}; flag: URI[,WEIGHT] */
};

/* Which struct a row's field lives in. */
enum sr_opt_in {
	SR_IN_NONE = 0, /* no field: the row's set() or the parser acts */
	SR_IN_REG,	/* struct sr_reg */
	SR_IN_RUN,	/* struct sr_run */
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
	SR_TOOL_ALL =
	    SR_TOOL_SIPREG | SR_TOOL_SIPUNREG | SR_TOOL_SIPAUTHCHECK | SR_TOOL_SIPREGWATCH,
};

/* Ids of the rows the code names; other rows need none. */
enum sr_opt_id {
	SR_O_NONE = 0,
	SR_O_NAME,
	SR_O_CLIENT_URI,
	SR_O_PASSWORD,
	SR_O_HA1,
	SR_O_AUTHORIZATION_JWT,
	SR_O_TRANSPORT,
	SR_O_DIGEST_ALGORITHMS,
	SR_O_SELECT_NAME,
	SR_O_PROBE,
	SR_O_LIST_BINDINGS,
	SR_O_HELP,
	SR_O_VERSION,
};

struct sr_option;

/* An extra check of a value already parsed as its type: 0, or -1 with
 * what is wrong in msg (the caller names the setting). */
typedef int sr_opt_check_fn(const struct sr_option *o, const char *value, char *msg, size_t msglen);
/* A row whose value is not simply stored in its field: 0, or -1 with msg. */
typedef int sr_opt_set_fn(const struct sr_option *o, const char *value, enum sr_layer layer,
			  struct sr_reg *reg, struct sr_run *run, char *msg, size_t msglen);

/* One row: a setting and everything about it. apply, defaults, dump, free
 * and help are loops over these rows. */
struct sr_option {
	enum sr_opt_id id;	 /* only for rows the code names; 0 otherwise */
	const char *key;	 /* YAML key and long flag (with '_' -> '-') */
	const char *aliases;	 /* other spellings (YAML and flag), or NULL */
	const char *cli_aliases; /* flag-only spellings, or NULL */
	int short_opt;		 /* 0: none */
	const char *arg;	 /* argument name for --help, NULL: none */
	enum sr_opt_type type;
	const char *choices;	/* SR_OT_ENUM, SR_OT_CHOICE: "udp tcp tls" */
	int base;		/* SR_OT_ENUM: value of the first choice; SR_OT_FLAG: value set */
	enum sr_opt_in in;	/* the struct of the field */
	size_t off, size;	/* the field: offsetof and sizeof */
	const char *def;	/* the default, parsed like any value; NULL: none (zero) */
	const char *def_doc;	/* the default in words, when it is not a value */
	const char *example;	/* a valid value other than the default (tests) */
	sr_opt_check_fn *check; /* optional extra validation */
	sr_opt_set_fn *set;	/* optional: instead of storing into the field */
	enum sr_opt_scope scope;
	unsigned secret : 1;	 /* wiped on free, <redacted> in dumps */
	unsigned credential : 1; /* may stand under outbound_auth: */
	unsigned path : 1;	 /* a file name: relative to the YAML file that gives it */
	unsigned tools;
	const char *help;
};

extern const struct sr_option sr_options[];
extern const size_t sr_options_count;

/* Apply one value to the settings from a layer. label names the setting in
 * messages ("--expiration" or "expiration"). On error returns -1 and writes
 * "label: what was expected, got ..." to err. */
int sr_option_apply(const struct sr_option *o, const char *value, enum sr_layer layer,
		    struct sr_reg *reg, struct sr_run *run, const char *label, char *err,
		    size_t errlen);

/* The field of a row in reg or run, or NULL for a row without one. */
void *sr_option_field(const struct sr_option *o, struct sr_reg *reg, struct sr_run *run);
/* The value of a scalar row as it would be written in YAML, in buf; NULL
 * when unset (lists and servers: NULL, walk them yourself). Secrets come
 * out as "<redacted>". */
const char *sr_option_format(const struct sr_option *o, const struct sr_reg *reg,
			     const struct sr_run *run, char *buf, size_t len);
/* Fill with the option table's defaults. */
void sr_reg_defaults(struct sr_reg *r);
void sr_run_defaults(struct sr_run *run);
/* Free every string, wiping secrets first; the struct is left zeroed. */
void sr_reg_free(struct sr_reg *r);
void sr_run_free(struct sr_run *run);

/* Set every field of one struct to its row's default (the only defaults). */
void sr_options_defaults(enum sr_opt_in in, void *obj);
/* Free every field of one struct the table owns (secrets wiped first). */
void sr_options_free(enum sr_opt_in in, void *obj);

#endif
