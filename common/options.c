#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "digest.h"
#include "log.h"
#include "options.h"
#include "output.h"
#include "secrets.h"

#define T SR_TOOL_ALL
#define T_REG SR_TOOL_SIPREG
#define T_UNREG SR_TOOL_SIPUNREG
#define T_AUTH SR_TOOL_SIPAUTHCHECK
#define T_WATCH SR_TOOL_SIPREGWATCH
#define KEY SR_SC_KEY
#define REGF SR_SC_REGFLAG
#define RUN SR_SC_RUN

/* Seed names first (Asterisk res_pjsip_outbound_registration), JsSIP
 * spellings as aliases. A new option is one row here plus its case in
 * sr_option_apply(). */
const struct sr_option sr_options[] = {
	{SR_O_NAME, "name", NULL, NULL, 0, "NAME", SR_OT_STRING, NULL, "the AOR", KEY, 0, T,
	 "name of the registration in reports"},
	{SR_O_CLIENT_URI, "client_uri", "uri", NULL, 'u', "URI", SR_OT_URI, NULL, NULL, KEY, 0, T,
	 "address of record, used in From and To"},
	{SR_O_SERVER_URI, "server_uri", "registrar_server", NULL, 's', "URI", SR_OT_URI, NULL,
	 "the AOR without its user", KEY, 0, T, "registrar URI (Request-URI)"},
	{SR_O_HOST, "host", NULL, NULL, 'H', "HOST[:PORT]", SR_OT_STRING, NULL, NULL, REGF, 0, T,
	 "shortcut for --server-uri sip:HOST[:PORT]"},
	{SR_O_CONTACT_USER, "contact_user", NULL, NULL, 0, "USER", SR_OT_STRING, NULL, "the AOR user",
	 KEY, 0, T, "user part of our Contact"},
	{SR_O_CONTACT_URI, "contact_uri", NULL, NULL, 0, "URI", SR_OT_URI, NULL, NULL, KEY, 0, T,
	 "the whole Contact URI (overrides contact_user and the local address)"},
	{SR_O_CONTACT_HEADER_PARAMS, "contact_header_params", NULL, NULL, 0, "PARAMS", SR_OT_STRING,
	 NULL, NULL, KEY, 0, T, "parameters added to the Contact header (;a=b;c)"},
	{SR_O_DISPLAY_NAME, "display_name", NULL, NULL, 0, "TEXT", SR_OT_STRING, NULL, NULL, KEY, 0,
	 T, "display name in From and To"},
	{SR_O_USER_AGENT, "user_agent", NULL, NULL, 0, "TEXT", SR_OT_STRING, NULL,
	 "sipreg-tools/VERSION", KEY, 0, T, "User-Agent header"},
	{SR_O_EXTRA_HEADERS, "extra_headers", NULL, "header", 'X', "'NAME: VALUE'", SR_OT_LIST, NULL,
	 NULL, KEY, 0, T, "an extra header for the REGISTER (repeatable)"},
	{SR_O_INSTANCE_ID, "instance_id", NULL, NULL, 0, "UUID", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "instance UUID (+sip.instance), urn:uuid: optional"},
	{SR_O_USERNAME, "username", "authorization_user", NULL, 'U', "USER", SR_OT_STRING, NULL,
	 "the AOR user", KEY, 0, T, "authentication user name"},
	{SR_O_PASSWORD, "password", NULL, NULL, 'p', "PASSWORD", SR_OT_STRING, NULL, NULL, KEY, 1, T,
	 "password (visible to other users: prefer --password-file)"},
	{SR_O_PASSWORD_FILE, "password_file", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, KEY, 0,
	 T, "read the password from FILE (mode 0600, owned by you)"},
	{SR_O_PASSWORD_ENV, "password_env", NULL, NULL, 0, "VAR", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "read the password from environment variable VAR"},
	{SR_O_REALM, "realm", NULL, NULL, 0, "REALM", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "answer challenges of this realm only"},
	{SR_O_HA1, "ha1", NULL, NULL, 0, "HEX", SR_OT_STRING, NULL, NULL, KEY, 1, T,
	 "hex HA1 for the challenge's algorithm, used instead of a password (needs realm)"},
	{SR_O_AUTHORIZATION_JWT, "authorization_jwt", NULL, NULL, 0, "TOKEN", SR_OT_STRING, NULL,
	 NULL, KEY, 1, T, "send Authorization: Bearer TOKEN (visible to other users: prefer the file)"},
	{SR_O_BEARER_TOKEN_FILE, "bearer_token_file", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL,
	 KEY, 0, T, "read the Bearer token from FILE (mode 0600, owned by you)"},
	{SR_O_EXPIRATION, "expiration", "register_expires", NULL, 'x', "SECONDS", SR_OT_UINT, NULL,
	 "3600", KEY, 0, T, "registration expiry to ask for"},
	{SR_O_MAX_RETRIES, "max_retries", NULL, NULL, 0, "N", SR_OT_UINT, NULL, "10", KEY, 0, T,
	 "sipregwatch: attempts after a temporary failure"},
	{SR_O_RETRY_INTERVAL, "retry_interval", NULL, NULL, 0, "SECONDS", SR_OT_UINT, NULL, "60", KEY,
	 0, T, "sipregwatch: wait after a temporary failure"},
	{SR_O_FORBIDDEN_RETRY_INTERVAL, "forbidden_retry_interval", NULL, NULL, 0, "SECONDS",
	 SR_OT_UINT, NULL, "0", KEY, 0, T, "sipregwatch: wait after 403 (0: stop)"},
	{SR_O_FATAL_RETRY_INTERVAL, "fatal_retry_interval", NULL, NULL, 0, "SECONDS", SR_OT_UINT,
	 NULL, "0", KEY, 0, T, "sipregwatch: wait after other final failures (0: stop)"},
	{SR_O_AUTH_REJECTION_PERMANENT, "auth_rejection_permanent", NULL, NULL, 0, "yes|no",
	 SR_OT_BOOL, NULL, "yes", KEY, 0, T, "sipregwatch: stop after credentials are refused"},
	{SR_O_MAX_RANDOM_INITIAL_DELAY, "max_random_initial_delay", NULL, NULL, 0, "SECONDS",
	 SR_OT_UINT, NULL, "10", KEY, 0, T, "sipregwatch: spread the first registrations"},
	{SR_O_CONN_RECOVERY_MIN, "connection_recovery_min_interval", NULL, NULL, 0, "SECONDS",
	 SR_OT_UINT, NULL, "2", KEY, 0, T, "sipregwatch: first wait after a transport failure"},
	{SR_O_CONN_RECOVERY_MAX, "connection_recovery_max_interval", NULL, NULL, 0, "SECONDS",
	 SR_OT_UINT, NULL, "30", KEY, 0, T, "sipregwatch: longest wait after transport failures"},
	{SR_O_KEEP_ALIVE_INTERVAL, "keep_alive_interval", NULL, NULL, 0, "SECONDS", SR_OT_UINT, NULL,
	 "90", KEY, 0, T, "sipregwatch: CRLF keep-alives on TCP/TLS outbound flows (0: none)"},
	{SR_O_AUDIT_INTERVAL, "audit_interval", NULL, NULL, 0, "SECONDS", SR_OT_UINT, NULL, "60", KEY,
	 0, T, "sipregwatch: ask the registrar for our binding this often (0: never)"},
	{SR_O_TRANSPORT, "transport", NULL, NULL, 0, "PROTO", SR_OT_ENUM, "udp tcp tls",
	 "from the URI", KEY, 0, T, "transport: udp, tcp or tls"},
	{SR_O_OUTBOUND_PROXY, "outbound_proxy", NULL, NULL, 0, "URI", SR_OT_URI, NULL, NULL, KEY, 0, T,
	 "send through this proxy (Route, loose routing)"},
	{SR_O_USE_PRELOADED_ROUTE, "use_preloaded_route", NULL, NULL, 0, "yes|no", SR_OT_BOOL, NULL,
	 "no", KEY, 0, T, "keep a preloaded Route set"},
	{SR_O_SERVERS, "servers", NULL, "server", 0, "URI[,WEIGHT]", SR_OT_SERVERS, NULL, NULL, KEY, 0,
	 T, "registrars to fail over between, higher weight first (repeatable)"},
	{SR_O_LINE, "line", NULL, NULL, 0, "yes|no", SR_OT_BOOL, NULL, "no", KEY, 0, T,
	 "add ;line= to the Contact (needs endpoint)"},
	{SR_O_ENDPOINT, "endpoint", NULL, NULL, 0, "NAME", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "endpoint that calls on this line belong to"},
	{SR_O_SUPPORT_PATH, "support_path", NULL, NULL, 0, "yes|no", SR_OT_BOOL, NULL, "no", KEY, 0, T,
	 "send Supported: path"},
	{SR_O_SUPPORT_OUTBOUND, "support_outbound", NULL, NULL, 0, "yes|no", SR_OT_BOOL, NULL, "no",
	 KEY, 0, T, "RFC 5626 outbound: instance, reg-id, keepalives"},
	{SR_O_SECURITY_NEGOTIATION, "security_negotiation", NULL, NULL, 0, "MODE", SR_OT_ENUM,
	 "no mediasec", "no", KEY, 0, T, "RFC 3329 security negotiation: no or mediasec"},
	{SR_O_SECURITY_MECHANISMS, "security_mechanisms", NULL, NULL, 0, "MECH", SR_OT_LIST, NULL,
	 NULL, KEY, 0, T, "a Security-Client mechanism (repeatable)"},
	{SR_O_TLS_CA_FILE, "tls_ca_file", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, "system CAs", KEY,
	 0, T, "CA certificates (PEM) to verify the server with"},
	{SR_O_TLS_CA_DIR, "tls_ca_dir", NULL, NULL, 0, "DIR", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "directory of hashed CA certificates"},
	{SR_O_TLS_CERT, "tls_cert", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "client certificate (PEM)"},
	{SR_O_TLS_KEY, "tls_key", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, KEY, 0, T,
	 "key of the client certificate (PEM)"},
	{SR_O_TLS_SERVER_NAME, "tls_server_name", NULL, NULL, 0, "NAME", SR_OT_STRING, NULL,
	 "the registrar host", KEY, 0, T, "name to verify the server certificate for"},
	{SR_O_TLS_VERIFY, "tls_verify", NULL, NULL, 0, "yes|no", SR_OT_BOOL, NULL, "yes", KEY, 0, T,
	 "verify the server certificate and host name"},
	{SR_O_DIGEST_ALGORITHMS, "digest_algorithms", NULL, NULL, 0, "LIST", SR_OT_STRING, NULL,
	 "SHA-512-256, SHA-256, MD5", KEY, 0, T, "digest algorithms to answer with, best first"},
	{SR_O_MIN_DIGEST, "min_digest", NULL, NULL, 0, "ALG", SR_OT_ENUM, "MD5 SHA-256 SHA-512-256",
	 "MD5", KEY, 0, T, "refuse challenges weaker than ALG"},
	{SR_O_INSECURE, "insecure", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, REGF, 0, T,
	 "same as --tls-verify=no (warns)"},
	{SR_O_IPV4, "ipv4", NULL, NULL, '4', NULL, SR_OT_FLAG, NULL, NULL, REGF, 0, T, "use IPv4 only"},
	{SR_O_IPV6, "ipv6", NULL, NULL, '6', NULL, SR_OT_FLAG, NULL, NULL, REGF, 0, T, "use IPv6 only"},
	{SR_O_LOCAL_ADDRESS, "local_address", NULL, NULL, 0, "ADDR[:PORT]", SR_OT_STRING, NULL, NULL,
	 REGF, 0, T, "local address (and port) to send from"},
	{SR_O_CONFIG, "config", NULL, NULL, 'f', "FILE", SR_OT_STRING, NULL, "$SIPREG_CONFIG", RUN, 0,
	 T, "YAML file of registrations"},
	{SR_O_SELECT_NAME, "name", NULL, NULL, 'n', "NAME", SR_OT_STRING, NULL, "all", RUN, 0, T,
	 "handle this registration of the file (repeatable)"},
	{SR_O_PJSIP_CONF, "pjsip_conf", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, RUN, 0, T,
	 "take the registrations of an Asterisk pjsip.conf"},
	{SR_O_DUMP_CONFIG, "dump_config", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "print the effective settings as YAML (secrets redacted) and exit"},
	{SR_O_PASSWORD_STDIN, "password_stdin", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "read the password from the first line of standard input"},
	{SR_O_TIMEOUT, "timeout", NULL, NULL, 't', "SECONDS", SR_OT_SECONDS, NULL, "10", RUN, 0, T,
	 "whole-run deadline"},
	{SR_O_OUTPUT, "output", NULL, NULL, 'o', "FORMAT", SR_OT_ENUM, "text json env nagios", "text",
	 RUN, 0, T, "output format: text, json, env (for eval) or nagios"},
	{SR_O_JSON, "json", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "same as --output json"},
	{SR_O_VERBOSE, "verbose", NULL, NULL, 'v', NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "more detail; -vv prints SIP messages (secrets redacted), -vvv stack logs"},
	{SR_O_QUIET, "quiet", NULL, NULL, 'q', NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "print nothing; the exit code tells"},
	{SR_O_PROBE, "probe", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T_REG,
	 "register, report, then remove the same binding"},
	{SR_O_LIST_BINDINGS, "list_bindings", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0,
	 T_REG, "REGISTER without Contact: list the bindings, change nothing"},
	{SR_O_CONTACT, "contact", NULL, NULL, 0, "URI", SR_OT_URI, NULL, "ours", RUN, 0, T_UNREG,
	 "remove exactly this binding (repeatable)"},
	{SR_O_ALL, "all", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T_UNREG,
	 "remove every binding of the AOR (Contact: *)"},
	{SR_O_METHOD, "method", NULL, NULL, 0, "METHOD", SR_OT_ENUM, "REGISTER OPTIONS", "REGISTER",
	 RUN, 0, T_AUTH, "request to check with: REGISTER without Contact, or OPTIONS"},
	{SR_O_PRINT_HA1, "print_ha1", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T_AUTH,
	 "print H(username:realm:password) offline and exit"},
	{SR_O_ALGORITHM, "algorithm", NULL, NULL, 0, "ALG", SR_OT_ENUM, "MD5 SHA-256 SHA-512-256",
	 "MD5", RUN, 0, T_AUTH, "hash of --print-ha1"},
	{SR_O_EVENTS, "events", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, "stdout", RUN, 0, T_WATCH,
	 "append the JSON Lines events to FILE"},
	{SR_O_STATUS_FILE, "status_file", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, RUN, 0,
	 T_WATCH, "keep a JSON snapshot of every registration in FILE (replaced atomically)"},
	{SR_O_PROMETHEUS_FILE, "prometheus_file", NULL, NULL, 0, "FILE", SR_OT_STRING, NULL, NULL,
	 RUN, 0, T_WATCH, "keep node_exporter textfile metrics in FILE"},
	{SR_O_CHECK, "check", NULL, NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T_WATCH,
	 "Nagios check of a running watch from its --status-file"},
	{SR_O_WARNING, "warning", NULL, NULL, 'w', "RANGE", SR_OT_STRING, NULL, NULL, RUN, 0, T,
	 "nagios: WARNING when the response time (s) is outside RANGE"},
	{SR_O_CRITICAL, "critical", NULL, NULL, 'c', "RANGE", SR_OT_STRING, NULL, NULL, RUN, 0, T,
	 "nagios: CRITICAL when the response time (s) is outside RANGE"},
	{SR_O_SHUTDOWN_TIMEOUT, "shutdown_timeout", NULL, NULL, 0, "SECONDS", SR_OT_SECONDS, NULL,
	 "5", RUN, 0, T_WATCH, "on SIGTERM, un-register and exit within SECONDS"},
	{SR_O_MAX_RATE, "max_rate", NULL, NULL, 0, "N", SR_OT_SECONDS, NULL, "200", RUN, 0, T_WATCH,
	 "at most N REGISTERs per second"},
	{SR_O_STALE, "stale", NULL, NULL, 0, "SECONDS", SR_OT_SECONDS, NULL, "60", RUN, 0, T_WATCH,
	 "--check: a status file older than SECONDS is CRITICAL"},
	{SR_O_HELP, "help", NULL, NULL, 'h', NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T, "show this help"},
	{SR_O_VERSION, "version", NULL, NULL, 'V', NULL, SR_OT_FLAG, NULL, NULL, RUN, 0, T,
	 "show the version"},
};

const size_t sr_options_count = sizeof sr_options / sizeof sr_options[0];

/* Compare with '-' and '_' taken as the same character. */
static int name_eq(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y || !x)
			return 0;
	}
	return a[blen] == '\0';
}

static int in_list(const char *name, const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, " ");

		if (name_eq(name, p, len))
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

const struct sr_option *sr_option_find(const char *name)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];

		if (o->scope != SR_SC_KEY)
			continue;
		if (name_eq(name, o->key, strlen(o->key)) || in_list(name, o->aliases))
			return o;
	}
	return NULL;
}

const struct sr_option *sr_option_by_id(enum sr_opt_id id)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++)
		if (sr_options[i].id == id)
			return &sr_options[i];
	return NULL;
}

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= 63 || la >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ||
						      (a[i - 1] == '-' && b[j - 1] == '_')
					      ? 0
					      : 1;
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *sr_option_suggest(const char *name)
{
	const char *best = NULL;
	size_t bestd = 99, i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *spell[2] = {o->key, o->aliases};
		unsigned k;

		if (o->scope != SR_SC_KEY)
			continue;
		for (k = 0; k < 2; k++) {
			const char *p = spell[k];

			while (p && *p) {
				size_t len = strcspn(p, " ");
				char buf[64];
				size_t d;

				snprintf(buf, sizeof buf, "%.*s", (int)len, p);
				d = distance(name, buf);
				if (d < bestd) {
					bestd = d;
					best = k == 0 ? o->key : NULL;
					if (!best) {
						static char alias[64];

						snprintf(alias, sizeof alias, "%s", buf);
						best = alias;
					}
				}
				p += len;
				p += strspn(p, " ");
			}
		}
	}
	/* close enough to be a typo: at most a third of the name wrong */
	return best && bestd <= (strlen(name) + 2) / 3 ? best : NULL;
}

int sr_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int sr_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 86400)
		return -1;
	*out = v;
	return 0;
}

int sr_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	unsigned i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

static int enum_index(const char *choices, const char *v)
{
	const char *p = choices;
	int i = 0;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (strlen(v) == len && !strncasecmp(p, v, len))
			return i;
		p += len;
		p += strspn(p, " ");
		i++;
	}
	return -1;
}

static const char *enum_word(const char *choices, int idx, char *buf, size_t len)
{
	const char *p = choices;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (idx-- == 0) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p += n;
		p += strspn(p, " ");
	}
	return NULL;
}

static int uri_ok(const char *v)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u = url_make(home, v);
	int ok = u && (u->url_type == url_sip || u->url_type == url_sips) && u->url_host &&
		 *u->url_host;

	su_home_deinit(home);
	return ok;
}

/* Which slot of list_layer a list option uses. */
static int list_slot(enum sr_opt_id id)
{
	return id == SR_O_EXTRA_HEADERS ? 0 : id == SR_O_SECURITY_MECHANISMS ? 1 : 2;
}

static int check_header(const char *v, const char *label, char *err, size_t errlen)
{
	const char *colon = strchr(v, ':');
	const char *p;

	if (!colon || colon == v) {
		snprintf(err, errlen, "%s: expected \"Name: value\", got \"%s\"", label, v);
		return -1;
	}
	for (p = v; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.!%*+`'~", *p)) {
			snprintf(err, errlen, "%s: bad header name in \"%s\"", label, v);
			return -1;
		}
	if (strpbrk(v, "\r\n")) {
		snprintf(err, errlen, "%s: a header cannot hold a line break", label);
		return -1;
	}
	return 0;
}

static int check_uuid(const char *v)
{
	const char *p = v;
	size_t i;

	if (!strncasecmp(p, "urn:uuid:", 9))
		p += 9;
	if (strlen(p) != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return -1;
		} else if (!isxdigit((unsigned char)p[i])) {
			return -1;
		}
	}
	return 0;
}

int sr_option_apply(const struct sr_option *o, const char *value, enum sr_layer layer,
		    struct sr_reg *reg, struct sr_run *run, const char *label, char *err,
		    size_t errlen)
{
	unsigned long u = 0;
	double d = 0;
	int b = 0, idx = -1;
	char **str = NULL;
	unsigned *uintp = NULL;
	bool *boolp = NULL;
	char word[32];

	switch (o->type) {
	case SR_OT_UINT:
		if (sr_parse_uint(value, 0x7fffffffUL, &u) < 0) {
			snprintf(err, errlen, "%s: expected a non-negative integer, got \"%s\"", label,
				 value ? value : "");
			return -1;
		}
		break;
	case SR_OT_SECONDS:
		if (sr_parse_seconds(value, &d) < 0) {
			snprintf(err, errlen, "%s: expected seconds between 0 and 86400, got \"%s\"",
				 label, value ? value : "");
			return -1;
		}
		break;
	case SR_OT_BOOL:
		if (!value)
			b = 1;
		else if (sr_parse_bool(value, &b) < 0) {
			snprintf(err, errlen, "%s: expected yes or no, got \"%s\"", label, value);
			return -1;
		}
		break;
	case SR_OT_ENUM:
		idx = value ? enum_index(o->choices, value) : -1;
		if (idx < 0) {
			if (o->id == SR_O_TRANSPORT && value &&
			    (!strcasecmp(value, "ws") || !strcasecmp(value, "wss")))
				snprintf(err, errlen,
					 "%s: \"%s\" is not supported by this build (udp, tcp or tls)",
					 label, value);
			else
				snprintf(err, errlen, "%s: expected one of: %s; got \"%s\"", label,
					 o->choices, value ? value : "");
			return -1;
		}
		break;
	case SR_OT_URI:
		if (!value || !uri_ok(value)) {
			snprintf(err, errlen, "%s: expected a sip: or sips: URI, got \"%s\"", label,
				 value ? value : "");
			return -1;
		}
		break;
	case SR_OT_STRING:
	case SR_OT_LIST:
	case SR_OT_SERVERS:
		if (!value || !*value) {
			snprintf(err, errlen, "%s: expected a value, got an empty string", label);
			return -1;
		}
		break;
	case SR_OT_FLAG:
		break;
	}

	switch (o->id) {
	case SR_O_NAME: str = &reg->name; break;
	case SR_O_CLIENT_URI: str = &reg->client_uri; break;
	case SR_O_SERVER_URI: str = &reg->server_uri; break;
	case SR_O_CONTACT_USER: str = &reg->contact_user; break;
	case SR_O_CONTACT_URI: str = &reg->contact_uri; break;
	case SR_O_CONTACT_HEADER_PARAMS:
		if (strpbrk(value, "\r\n<>")) {
			snprintf(err, errlen, "%s: parameters cannot hold <, > or line breaks", label);
			return -1;
		}
		str = &reg->contact_header_params;
		break;
	case SR_O_DISPLAY_NAME:
		if (strpbrk(value, "\r\n")) {
			snprintf(err, errlen, "%s: a display name cannot hold a line break", label);
			return -1;
		}
		str = &reg->display_name;
		break;
	case SR_O_USER_AGENT:
		if (strpbrk(value, "\r\n")) {
			snprintf(err, errlen, "%s: cannot hold a line break", label);
			return -1;
		}
		str = &reg->user_agent;
		break;
	case SR_O_INSTANCE_ID:
		if (check_uuid(value) < 0) {
			snprintf(err, errlen, "%s: expected a UUID (8-4-4-4-12 hex), got \"%s\"", label,
				 value);
			return -1;
		}
		str = &reg->instance_id;
		break;
	case SR_O_USERNAME: str = &reg->username; break;
	case SR_O_PASSWORD_FILE: str = &reg->password_file; break;
	case SR_O_PASSWORD_ENV: str = &reg->password_env; break;
	case SR_O_REALM: str = &reg->realm; break;
	case SR_O_BEARER_TOKEN_FILE: str = &reg->bearer_token_file; break;
	case SR_O_OUTBOUND_PROXY: str = &reg->outbound_proxy; break;
	case SR_O_ENDPOINT: str = &reg->endpoint; break;
	case SR_O_TLS_CA_FILE: str = &reg->tls_ca_file; break;
	case SR_O_TLS_CA_DIR: str = &reg->tls_ca_dir; break;
	case SR_O_TLS_CERT: str = &reg->tls_cert; break;
	case SR_O_TLS_KEY: str = &reg->tls_key; break;
	case SR_O_TLS_SERVER_NAME: str = &reg->tls_server_name; break;
	case SR_O_LOCAL_ADDRESS: str = &reg->local_address; break;
	case SR_O_PASSWORD:
		sr_secret_free(&reg->password);
		reg->password = strdup(value);
		reg->password_inline = layer == SR_LAYER_DEFAULTS || layer == SR_LAYER_ENTRY;
		return reg->password ? 0 : -1;
	case SR_O_HA1: {
		size_t len = strlen(value), i;

		for (i = 0; i < len; i++)
			if (!isxdigit((unsigned char)value[i]))
				break;
		if (i < len || (len != 32 && len != 64)) {
			snprintf(err, errlen,
				 "%s: expected 32 or 64 hex digits (an MD5 or SHA-256/SHA-512-256 HA1)",
				 label);
			return -1;
		}
		sr_secret_free(&reg->ha1);
		reg->ha1 = strdup(value);
		return reg->ha1 ? 0 : -1;
	}
	case SR_O_AUTHORIZATION_JWT:
		if (strpbrk(value, " \t\r\n,\"")) {
			snprintf(err, errlen, "%s: a token cannot hold spaces, commas or quotes", label);
			return -1;
		}
		sr_secret_free(&reg->bearer_token);
		reg->bearer_token = strdup(value);
		return reg->bearer_token ? 0 : -1;
	case SR_O_DIGEST_ALGORITHMS: {
		struct sr_digest_policy p;
		char e2[200];

		if (sr_digest_parse_prefs(value, &p, e2, sizeof e2) < 0) {
			snprintf(err, errlen, "%s: %s", label, e2);
			return -1;
		}
		str = &reg->digest_algorithms;
		break;
	}
	case SR_O_MIN_DIGEST:
		sr_setstr(&reg->min_digest, enum_word(o->choices, idx, word, sizeof word));
		return 0;
	case SR_O_SECURITY_NEGOTIATION:
		sr_setstr(&reg->security_negotiation, enum_word(o->choices, idx, word, sizeof word));
		return 0;
	case SR_O_HOST: {
		size_t len = strlen(value) + 5;
		char *uri = malloc(len);

		if (!uri)
			return -1;
		if (!strncasecmp(value, "sip:", 4) || !strncasecmp(value, "sips:", 5))
			snprintf(uri, len, "%s", value);
		else
			snprintf(uri, len, "sip:%s", value);
		if (!uri_ok(uri)) {
			snprintf(err, errlen, "%s: expected HOST or HOST:PORT, got \"%s\"", label, value);
			free(uri);
			return -1;
		}
		free(reg->server_uri);
		reg->server_uri = uri;
		return 0;
	}
	case SR_O_EXTRA_HEADERS:
	case SR_O_SECURITY_MECHANISMS: {
		struct sr_strv *sv = o->id == SR_O_EXTRA_HEADERS ? &reg->extra_headers
								 : &reg->security_mechanisms;
		int slot = list_slot(o->id);

		if (o->id == SR_O_EXTRA_HEADERS && check_header(value, label, err, errlen) < 0)
			return -1;
		if (reg->list_layer[slot] != layer) {
			sr_strv_free(sv);
			reg->list_layer[slot] = (unsigned char)layer;
		}
		return sr_strv_add(sv, value);
	}
	case SR_O_SERVERS: {
		int slot = list_slot(o->id);
		char *copy = strdup(value), *comma;
		unsigned long w = 0;
		struct sr_server *v;

		if (!copy)
			return -1;
		comma = strrchr(copy, ',');
		if (comma) {
			*comma = '\0';
			if (sr_parse_uint(comma + 1, 65535, &w) < 0) {
				snprintf(err, errlen, "%s: expected URI,WEIGHT with a weight 0..65535, got \"%s\"",
					 label, value);
				free(copy);
				return -1;
			}
		}
		if (!uri_ok(copy)) {
			snprintf(err, errlen, "%s: expected a sip: or sips: URI, got \"%s\"", label, copy);
			free(copy);
			return -1;
		}
		if (reg->list_layer[slot] != layer) {
			size_t i;

			for (i = 0; i < reg->n_servers; i++)
				free(reg->servers[i].uri);
			free(reg->servers);
			reg->servers = NULL;
			reg->n_servers = 0;
			reg->list_layer[slot] = (unsigned char)layer;
		}
		v = realloc(reg->servers, (reg->n_servers + 1) * sizeof *v);
		if (!v) {
			free(copy);
			return -1;
		}
		reg->servers = v;
		v[reg->n_servers].uri = copy;
		v[reg->n_servers].weight = (unsigned)w;
		reg->n_servers++;
		return 0;
	}
	case SR_O_EXPIRATION: uintp = &reg->expiration; break;
	case SR_O_MAX_RETRIES: uintp = &reg->max_retries; break;
	case SR_O_RETRY_INTERVAL: uintp = &reg->retry_interval; break;
	case SR_O_FORBIDDEN_RETRY_INTERVAL: uintp = &reg->forbidden_retry_interval; break;
	case SR_O_FATAL_RETRY_INTERVAL: uintp = &reg->fatal_retry_interval; break;
	case SR_O_MAX_RANDOM_INITIAL_DELAY: uintp = &reg->max_random_initial_delay; break;
	case SR_O_CONN_RECOVERY_MIN: uintp = &reg->connection_recovery_min_interval; break;
	case SR_O_CONN_RECOVERY_MAX: uintp = &reg->connection_recovery_max_interval; break;
	case SR_O_KEEP_ALIVE_INTERVAL: uintp = &reg->keep_alive_interval; break;
	case SR_O_AUDIT_INTERVAL: uintp = &reg->audit_interval; break;
	case SR_O_AUTH_REJECTION_PERMANENT: boolp = &reg->auth_rejection_permanent; break;
	case SR_O_USE_PRELOADED_ROUTE: boolp = &reg->use_preloaded_route; break;
	case SR_O_LINE: boolp = &reg->line; break;
	case SR_O_SUPPORT_PATH: boolp = &reg->support_path; break;
	case SR_O_SUPPORT_OUTBOUND: boolp = &reg->support_outbound; break;
	case SR_O_TLS_VERIFY: boolp = &reg->tls_verify; break;
	case SR_O_TRANSPORT: reg->transport = (enum sr_transport)(idx + SR_TP_UDP); return 0;
	case SR_O_INSECURE: reg->tls_verify = false; return 0;
	case SR_O_IPV4: reg->af = 4; return 0;
	case SR_O_IPV6: reg->af = 6; return 0;
	case SR_O_CONFIG: sr_setstr(&run->config_file, value); return 0;
	case SR_O_PJSIP_CONF: sr_setstr(&run->pjsip_conf, value); return 0;
	case SR_O_SELECT_NAME: return sr_strv_add(&run->names, value);
	case SR_O_DUMP_CONFIG: run->dump_config = true; return 0;
	case SR_O_PASSWORD_STDIN: run->password_stdin = true; return 0;
	case SR_O_TIMEOUT:
		if (d <= 0) {
			snprintf(err, errlen, "%s: must be more than 0", label);
			return -1;
		}
		run->timeout = d;
		return 0;
	case SR_O_OUTPUT: run->output = (enum sr_output)idx; run->output_set = true; return 0;
	case SR_O_EVENTS: sr_setstr(&run->events_file, value); return 0;
	case SR_O_STATUS_FILE: sr_setstr(&run->status_file, value); return 0;
	case SR_O_PROMETHEUS_FILE: sr_setstr(&run->prometheus_file, value); return 0;
	case SR_O_CHECK: run->check = true; return 0;
	case SR_O_WARNING:
	case SR_O_CRITICAL:
		if (sr_range_alert(value, 0) < 0) {
			snprintf(err, errlen, "%s: expected a Nagios range ([@]start:end), got \"%s\"",
				 label, value);
			return -1;
		}
		sr_setstr(o->id == SR_O_WARNING ? &run->warning : &run->critical, value);
		return 0;
	case SR_O_SHUTDOWN_TIMEOUT: run->shutdown_timeout = d; return 0;
	case SR_O_MAX_RATE:
		if (d < 1) {
			snprintf(err, errlen, "%s: must be at least 1", label);
			return -1;
		}
		run->max_rate = d;
		return 0;
	case SR_O_STALE: run->stale = d; return 0;
	case SR_O_JSON: run->output = SR_OUT_JSON; return 0;
	case SR_O_VERBOSE: run->verbose++; return 0;
	case SR_O_QUIET: run->quiet = true; return 0;
	case SR_O_PROBE: run->mode = SR_MODE_PROBE; return 0;
	case SR_O_CONTACT: return sr_strv_add(&run->contacts, value);
	case SR_O_ALL: run->unreg_all = true; return 0;
	case SR_O_METHOD: run->method_options = idx == 1; return 0;
	case SR_O_PRINT_HA1: run->print_ha1 = true; return 0;
	case SR_O_ALGORITHM: sr_setstr(&run->algorithm, enum_word(o->choices, idx, word, sizeof word)); return 0;
	case SR_O_LIST_BINDINGS: run->mode = SR_MODE_LIST; return 0;
	case SR_O_HELP:
	case SR_O_VERSION:
	case SR_O_MAX:
		return 0;
	}
	if (uintp) {
		*uintp = (unsigned)u;
		return 0;
	}
	if (boolp) {
		*boolp = b;
		return 0;
	}
	if (str) {
		sr_setstr(str, value);
		return *str ? 0 : -1;
	}
	snprintf(err, errlen, "%s: not handled", label);
	return -1;
}

static void flag_name(const char *name, size_t len, char *buf, size_t buflen)
{
	size_t i;

	snprintf(buf, buflen, "--%.*s", (int)len, name);
	for (i = 2; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
}

void sr_cli_free(struct sr_cli *cli)
{
	size_t i;

	for (i = 0; i < cli->n; i++) {
		if (cli->items[i].o->secret && cli->items[i].value)
			explicit_bzero(cli->items[i].value, strlen(cli->items[i].value));
		free(cli->items[i].value);
	}
	free(cli->items);
	cli->items = NULL;
	cli->n = 0;
}

static int cli_keep(struct sr_cli *cli, const struct sr_option *o, const char *value)
{
	void *v = realloc(cli->items, (cli->n + 1) * sizeof *cli->items);

	if (!v)
		return -1;
	cli->items = v;
	cli->items[cli->n].o = o;
	cli->items[cli->n].value = value ? strdup(value) : NULL;
	cli->n++;
	return 0;
}

int sr_cli_apply(const struct sr_cli *cli, struct sr_reg *reg, struct sr_run *run, char *err,
		 size_t errlen)
{
	size_t i;

	for (i = 0; i < cli->n; i++) {
		const struct sr_option *o = cli->items[i].o;
		char label[64];

		flag_name(o->key, strlen(o->key), label, sizeof label);
		if (sr_option_apply(o, cli->items[i].value, SR_LAYER_CLI, reg, run, label, err,
				    errlen) < 0)
			return -1;
		if (o->id == SR_O_PASSWORD)
			reg->password_from_cli = true;
		else if (o->id == SR_O_HA1)
			reg->ha1_from_cli = true;
		else if (o->id == SR_O_AUTHORIZATION_JWT)
			reg->token_from_cli = true;
	}
	return 0;
}

int sr_env_apply(struct sr_reg *reg, struct sr_run *run, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		char var[80];
		const char *v;

		/* secrets come through password_env, never as SIPREG_PASSWORD */
		if (o->scope != SR_SC_KEY || o->secret || o->id == SR_O_NAME)
			continue;
		snprintf(var, sizeof var, "SIPREG_%s", o->key);
		for (j = 7; var[j]; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		v = getenv(var);
		if (!v || !*v)
			continue;
		if (sr_option_apply(o, v, SR_LAYER_ENV, reg, run, var, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv,
		     struct sr_cli *cli, struct sr_run *run)
{
	struct option lo[200];
	char names[8192], shorts[128];
	size_t n = 0, used = 0, ns = 0, i;
	int c, rc = 0, help = 0, version = 0, mode_flags = 0;
	char err[512];
	struct sr_reg scratch;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		int has_arg = o->type == SR_OT_FLAG   ? no_argument
			      : o->type == SR_OT_BOOL ? optional_argument
						      : required_argument;
		const char *spell[3] = {o->key, o->aliases, o->cli_aliases};
		unsigned k;

		if (!(o->tools & tool_bit))
			continue;
		/* "name" as a key is the entry's name; the flag --name picks entries */
		if (o->id == SR_O_NAME)
			continue;
		for (k = 0; k < 3; k++) {
			const char *p = spell[k];

			while (p && *p) {
				size_t len = strcspn(p, " "), j;

				if (used + len + 1 > sizeof names || n + 2 >= sizeof lo / sizeof lo[0])
					return -1;
				for (j = 0; j < len; j++)
					names[used + j] = p[j] == '_' ? '-' : p[j];
				names[used + len] = '\0';
				lo[n].name = names + used;
				lo[n].has_arg = has_arg;
				lo[n].flag = NULL;
				lo[n].val = 256 + (int)i;
				n++;
				used += len + 1;
				p += len;
				p += strspn(p, " ");
			}
		}
		if (o->short_opt) {
			shorts[ns++] = (char)o->short_opt;
			if (has_arg == required_argument)
				shorts[ns++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof lo[n]);
	shorts[ns] = '\0';

	sr_reg_defaults(&scratch);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct sr_option *o = NULL;
		char label[64];

		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				sr_err("option -%c %s", optopt,
					strchr(shorts, optopt) ? "needs a value" : "is unknown");
			else
				sr_err("option %s is unknown or needs a value",
					argv[optind - 1]);
			fprintf(stderr, "Try '%s --help' for more information.\n", tool);
			rc = -1;
			goto out;
		}
		if (c >= 256) {
			o = &sr_options[c - 256];
		} else {
			for (i = 0; i < sr_options_count; i++)
				if (sr_options[i].short_opt == c && (sr_options[i].tools & tool_bit))
					o = &sr_options[i];
		}
		if (!o) {
			rc = -1;
			goto out;
		}
		flag_name(o->key, strlen(o->key), label, sizeof label);
		if (o->id == SR_O_HELP)
			help = 1;
		if (o->id == SR_O_VERSION)
			version = 1;
		if (o->id == SR_O_PROBE || o->id == SR_O_LIST_BINDINGS)
			mode_flags |= o->id == SR_O_PROBE ? 1 : 2;
		/* check the value now, so usage errors come before any file */
		if (sr_option_apply(o, optarg, SR_LAYER_CLI, &scratch, run, label, err,
				    sizeof err) < 0) {
			sr_err("%s", err);
			rc = -1;
			goto out;
		}
		if (o->scope != SR_SC_RUN && cli_keep(cli, o, optarg) < 0) {
			rc = -1;
			goto out;
		}
		/* Hide secrets from ps(1) as far as we can. */
		if (o->secret && optarg)
			memset(optarg, 'x', strlen(optarg));
	}
	if (help) {
		sr_options_help(tool, tool_bit, NULL, stdout);
		rc = 1;
		goto out;
	}
	if (version) {
		printf("%s (%s) %s\n", tool, PACKAGE_NAME, PACKAGE_VERSION);
		rc = 1;
		goto out;
	}
	if (mode_flags == 3) {
		sr_err("--probe and --list-bindings exclude each other");
		rc = -1;
		goto out;
	}
	if (optind < argc) {
		sr_err("unexpected argument \"%s\"", argv[optind]);
		fprintf(stderr, "Try '%s --help' for more information.\n", tool);
		rc = -1;
	}
out:
	sr_reg_free(&scratch);
	return rc;
}

void sr_options_help(const char *tool, unsigned tool_bit, const char *synopsis, FILE *out)
{
	size_t i;

	if (!synopsis)
		synopsis = tool_bit == SR_TOOL_SIPUNREG
				   ? "[OPTIONS] -u AOR [--contact URI]... | --all\n"
				     "       sipunreg [OPTIONS] -f FILE [-n NAME]..."
			   : tool_bit == SR_TOOL_SIPREGWATCH
				   ? "[OPTIONS] -f FILE [--status-file F] [--prometheus-file F] [--events F]\n"
				     "       sipregwatch --check --status-file F [-w RANGE] [-c RANGE]"
			   : tool_bit == SR_TOOL_SIPAUTHCHECK
				   ? "[OPTIONS] -u AOR [--method OPTIONS] --password-file FILE\n"
				     "       sipauthcheck --print-ha1 -U USER --realm REALM [--algorithm ALG]"
				   : "[OPTIONS] -u AOR [-s REGISTRAR] [--password-file FILE]\n"
				     "       sipreg [OPTIONS] -f FILE [-n NAME]...";
	fprintf(out, "Usage: %s %s\n\nOptions:\n", tool, synopsis);
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *spell[2] = {o->aliases, o->cli_aliases};
		char left[96], name[64];
		unsigned k;
		int w;

		if (!(o->tools & tool_bit) || o->id == SR_O_NAME)
			continue;
		flag_name(o->key, strlen(o->key), name, sizeof name);
		if (o->short_opt)
			w = snprintf(left, sizeof left, "  -%c, %s", o->short_opt, name);
		else
			w = snprintf(left, sizeof left, "      %s", name);
		if (o->arg && w > 0 && (size_t)w < sizeof left)
			snprintf(left + w, sizeof left - (size_t)w,
				 o->type == SR_OT_BOOL ? "[=%s]" : "=%s", o->arg);
		fprintf(out, "%-34s %s", left, o->help);
		if (o->def)
			fprintf(out, " (default: %s)", o->def);
		fputc('\n', out);
		if (o->aliases || o->cli_aliases) {
			fprintf(out, "%-34s also spelled:", "");
			for (k = 0; k < 2; k++) {
				const char *p = spell[k];

				while (p && *p) {
					size_t len = strcspn(p, " ");

					flag_name(p, len, name, sizeof name);
					fprintf(out, " %s", name);
					p += len;
					p += strspn(p, " ");
				}
			}
			fputc('\n', out);
		}
	}
	fprintf(out, "\nEvery registration key may also come from a YAML file (-f) or from\n"
		     "SIPREG_<KEY> in the environment; flags win over both.\n"
		     "\nExit status: 0 ok, 64 usage, 68 DNS, 69 refused (not credentials), "
		     "70 internal,\n75 timeout/unreachable/temporary, 76 protocol/TLS, "
		     "77 credentials refused, 78 config.\n");
}

int sr_argv_wants_nagios(int argc, char **argv)
{
	int i, yes = 0;

	for (i = 1; i < argc; i++)
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			yes = !strcmp(argv[++i], "nagios");
		else if (!strncmp(argv[i], "--output=", 9) || (!strncmp(argv[i], "-o", 2) && argv[i][2]))
			yes = !strcmp(argv[i] + (argv[i][1] == 'o' ? 2 : 9), "nagios");
	return yes;
}
