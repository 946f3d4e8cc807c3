/* The settings model: one registration's settings and the run-wide ones. */
#ifndef SR_SETTINGS_H
#define SR_SETTINGS_H

#include <stdbool.h>

enum sr_transport {
	SR_TP_AUTO = 0, /* from the URI: ;transport=, sips:, else udp */
	SR_TP_UDP,
	SR_TP_TCP,
	SR_TP_TLS,
};

enum sr_output {
	SR_OUT_TEXT = 0,
	SR_OUT_JSON,
};

enum sr_mode {
	SR_MODE_REGISTER = 0, /* register and leave the binding */
	SR_MODE_PROBE,        /* register, then remove the same binding */
	SR_MODE_LIST,         /* REGISTER without Contact: list, change nothing */
};

/* One registration, as YAML entries and flags describe it. Strings are
 * heap-allocated and owned by the struct (sr_reg_free). */
struct sr_reg {
	char *name;
	char *client_uri;   /* AOR: From and To */
	char *server_uri;   /* Request-URI; default: AOR without user */
	char *contact_user; /* default: AOR user */
	char *user_agent;
	char *username;     /* default: AOR user */
	char *password;     /* secret: wiped on free */
	char *password_file;
	char *password_env;
	char *realm;        /* pins the realm we answer */
	char *ha1;          /* secret: hex HA1 used instead of a password */
	char *bearer_token; /* secret: Authorization: Bearer (RFC 8898) */
	char *bearer_token_file;
	char *digest_algorithms; /* preference list */
	char *min_digest;
	unsigned expiration;
	enum sr_transport transport;
	char *tls_ca_file;
	char *tls_ca_dir;
	bool tls_verify;
	int af;             /* 0 any, 4 or 6 */
	char *local_address;
	bool password_from_cli; /* secrets given as flags: warned about */
	bool ha1_from_cli;
	bool token_from_cli;
};

/* Settings of the run, not of a registration. */
struct sr_run {
	double timeout;       /* whole-run deadline, seconds */
	enum sr_output output;
	enum sr_mode mode;
	int verbose;
	bool quiet;
};

/* Fill with built-in defaults. */
void sr_reg_defaults(struct sr_reg *r);
void sr_run_defaults(struct sr_run *run);
/* Free every string, wiping secrets first. */
void sr_reg_free(struct sr_reg *r);

const char *sr_transport_name(enum sr_transport t);

#endif
