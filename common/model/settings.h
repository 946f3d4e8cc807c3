/* SPDX-License-Identifier: BSD-2-Clause */
/* The settings model: one registration's settings and the run-wide ones. */
#ifndef SR_SETTINGS_H
#define SR_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

enum sr_transport {
	SR_TP_AUTO = 0, /* from the URI: ;transport=, sips:, else udp */
	SR_TP_UDP,
	SR_TP_TCP,
	SR_TP_TLS,
	SR_TP_WS,  /* RFC 7118 SIP over WebSocket, our tunnel (tunnel.c) */
	SR_TP_WSS, /* the same over TLS */
};

enum sr_output {
	SR_OUT_TEXT = 0,
	SR_OUT_JSON,
	SR_OUT_ENV,
	SR_OUT_NAGIOS,
};

enum sr_mode {
	SR_MODE_REGISTER = 0, /* register and leave the binding */
	SR_MODE_PROBE,	      /* register, then remove the same binding */
	SR_MODE_LIST,	      /* REGISTER without Contact: list, change nothing */
	SR_MODE_UNREGISTER,   /* sipunreg: ours, --contact, or --all */
	SR_MODE_AUTHCHECK,    /* sipauthcheck: no binding touched */
};

/* A list setting. layer: the layer that set it, so that a later layer
 * replaces the list instead of adding to it. */
struct sr_strv {
	char **v;
	size_t n;
	unsigned char layer;
};

struct sr_server {
	char *uri;
	unsigned weight;
};

struct sr_servers {
	struct sr_server *v;
	size_t n;
	unsigned char layer;
};

/* One more credential of a registration (outbound_auth: a list, or
 * pjsip.conf's outbound_auth=a,b): answers the challenges of its realm.
 * The first credential is the registration's own keys. */
struct sr_cred {
	char *username;
	char *password; /* secret */
	char *password_file;
	char *password_env;
	char *realm;
	char *ha1; /* secret */
};

/* Layers of the settings, weakest first: a later layer replaces lists set
 * by an earlier one instead of adding to them. */
enum sr_layer {
	SR_LAYER_DEFAULT = 0,
	SR_LAYER_DEFAULTS, /* YAML defaults: */
	SR_LAYER_ENTRY,	   /* YAML registration entry */
	SR_LAYER_ENV,	   /* SIPREG_<KEY> environment variables */
	SR_LAYER_CLI,	   /* flags */
};

/* One registration, as YAML entries and flags describe it. Strings are
 * heap-allocated and owned by the struct (sr_reg_free). */
struct sr_reg {
	char *name;
	/* identity */
	char *client_uri;   /* AOR: From and To */
	char *server_uri;   /* Request-URI; default: AOR without user */
	char *contact_user; /* default: AOR user */
	char *contact_uri;
	char *contact_header_params;
	char *display_name;
	char *user_agent;
	struct sr_strv extra_headers;
	char *instance_id;
	/* credentials */
	char *username; /* default: AOR user */
	char *password; /* secret: wiped on free */
	char *password_file;
	char *password_env;
	char *realm;	    /* pins the realm we answer */
	char *ha1;	    /* secret: hex HA1 used instead of a password */
	char *bearer_token; /* secret: Authorization: Bearer (RFC 8898) */
	char *bearer_token_file;
	struct sr_cred *more_auth; /* further outbound_auth entries, by realm */
	size_t n_more_auth;
	/* timing and policy */
	unsigned expiration;
	unsigned max_retries;
	unsigned retry_interval;
	unsigned forbidden_retry_interval;
	unsigned fatal_retry_interval;
	bool auth_rejection_permanent;
	unsigned max_random_initial_delay;
	unsigned connection_recovery_min_interval;
	unsigned connection_recovery_max_interval;
	unsigned keep_alive_interval; /* RFC 5626 CRLF pings on TCP/TLS flows, 0: none */
	unsigned audit_interval;      /* sipregwatch: query our binding, 0: never */
	/* routing */
	enum sr_transport transport;
	char *outbound_proxy;
	bool use_preloaded_route;
	struct sr_servers servers;
	int af; /* 0 any, 4 or 6 */
	char *local_address;
	/* HEPv3 export: one collector for the whole run */
	char *hep; /* udp:HOST:PORT or tcp:HOST:PORT */
	unsigned hep_capture_id;
	char *hep_password;
	/* features */
	bool line;
	char *endpoint;
	bool support_path;
	bool support_outbound;
	char *security_negotiation; /* "no" or "mediasec" */
	struct sr_strv security_mechanisms;
	/* TLS */
	char *tls_ca_file;
	char *tls_ca_dir;
	char *tls_cert;
	char *tls_key;
	char *tls_server_name;
	bool tls_verify;
	/* digest */
	char *digest_algorithms; /* preference list */
	char *min_digest;

	/* not a key: the server of servers: to send to (set per attempt) */
	char *connect_uri;

	/* where the settings came from, for messages */
	char *origin;		/* "file:line:col" of the YAML entry, or NULL */
	bool password_from_cli; /* secrets given as flags: warned about */
	bool ha1_from_cli;
	bool token_from_cli;
};

/* Settings of the run, not of a registration. */
struct sr_run {
	double timeout; /* whole-run deadline, seconds */
	enum sr_output output;
	enum sr_mode mode;
	int verbose;
	bool quiet;
	char *config_file; /* -f, or $SIPREG_CONFIG */
	char *pjsip_conf;
	char *tls_keylog;     /* --tls-keylog, or $SSLKEYLOGFILE */
	struct sr_strv names; /* -n, repeatable */
	bool dump_config;
	bool password_stdin;
	struct sr_strv contacts; /* sipunreg --contact */
	bool unreg_all;		 /* sipunreg --all */
	bool method_options;	 /* sipauthcheck --method OPTIONS (index 1 of the choices) */
	bool print_ha1;
	bool strict;		 /* -o nagios: the server's weak spots make WARNING */
	unsigned min_bindings;	 /* -o nagios: CRITICAL with fewer bindings */
	unsigned min_expires;	 /* -o nagios: CRITICAL with a shorter expiry */
	unsigned cert_warn_days; /* -o nagios: WARNING when the TLS certificate expires sooner */
	char *algorithm;	 /* --print-ha1 */
	bool output_set;	 /* -o given (sipregwatch: events as text) */
	/* sipregwatch */
	char *events_file;
	char *shard;		   /* --shard K/N (sipregwatch), NULL: all */
	char *metrics_listen;	   /* --metrics-listen ADDR:PORT (sipregwatch) */
	unsigned shard_k, shard_n; /* parsed, 0 without --shard */
	char *status_file;
	char *prometheus_file;
	bool check;
	char *warning;
	char *critical;
	double shutdown_timeout;
	double max_rate;
	double stale;
	double unreachable_critical; /* --check: a silent registrar is CRITICAL after it */
	double failing_critical;     /* --check: a failing registration is CRITICAL after it */
};

const char *sr_transport_name(enum sr_transport t);

/* Append a copy of s (may be NULL: ignored). 0 or -1. */
int sr_strv_add(struct sr_strv *sv, const char *s);
void sr_strv_free(struct sr_strv *sv);
/* Replace *dst with a copy of src. */
void sr_setstr(char **dst, const char *src);

#endif
