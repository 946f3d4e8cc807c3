#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "digest.h"
#include "secrets.h"

#define T_REG SR_TOOL_SIPREG

/* Seed names first (Asterisk res_pjsip_outbound_registration), JsSIP
 * spellings as aliases. A new option is one row here plus its case in
 * sr_option_apply(). */
const struct sr_option sr_options[] = {
	{SR_O_CLIENT_URI, "client_uri", "uri", 'u', "URI", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "address of record, used in From and To"},
	{SR_O_SERVER_URI, "server_uri", "registrar_server", 's', "URI", SR_OT_STRING, NULL,
	 "the AOR without its user", 1, T_REG, "registrar URI (Request-URI)"},
	{SR_O_HOST, "host", NULL, 'H', "HOST[:PORT]", SR_OT_STRING, NULL, NULL, 0, T_REG,
	 "shortcut for --server-uri sip:HOST[:PORT]"},
	{SR_O_CONTACT_USER, "contact_user", NULL, 0, "USER", SR_OT_STRING, NULL, "the AOR user", 1,
	 T_REG, "user part of our Contact"},
	{SR_O_USER_AGENT, "user_agent", NULL, 0, "TEXT", SR_OT_STRING, NULL, "sipreg-tools/VERSION",
	 1, T_REG, "User-Agent header"},
	{SR_O_USERNAME, "username", "authorization_user", 'U', "USER", SR_OT_STRING, NULL,
	 "the AOR user", 1, T_REG, "authentication user name"},
	{SR_O_PASSWORD, "password", NULL, 'p', "PASSWORD", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "password (visible to other users: prefer --password-file)"},
	{SR_O_PASSWORD_FILE, "password_file", NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "read the password from FILE (mode 0600, owned by you)"},
	{SR_O_PASSWORD_ENV, "password_env", NULL, 0, "VAR", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "read the password from environment variable VAR"},
	{SR_O_REALM, "realm", NULL, 0, "REALM", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "answer challenges of this realm only"},
	{SR_O_HA1, "ha1", NULL, 0, "HEX", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "hex HA1 for the challenge's algorithm, used instead of a password (needs --realm)"},
	{SR_O_AUTHORIZATION_JWT, "authorization_jwt", NULL, 0, "TOKEN", SR_OT_STRING, NULL, NULL, 1,
	 T_REG, "send Authorization: Bearer TOKEN (visible to other users: prefer the file)"},
	{SR_O_BEARER_TOKEN_FILE, "bearer_token_file", NULL, 0, "FILE", SR_OT_STRING, NULL, NULL, 1,
	 T_REG, "read the Bearer token from FILE (mode 0600, owned by you)"},
	{SR_O_DIGEST_ALGORITHMS, "digest_algorithms", NULL, 0, "LIST", SR_OT_STRING, NULL,
	 "SHA-512-256, SHA-256, MD5", 1, T_REG, "digest algorithms to answer with, best first"},
	{SR_O_MIN_DIGEST, "min_digest", NULL, 0, "ALG", SR_OT_ENUM, "MD5 SHA-256 SHA-512-256", "MD5",
	 1, T_REG, "refuse challenges weaker than ALG"},
	{SR_O_EXPIRATION, "expiration", "register_expires", 'x', "SECONDS", SR_OT_UINT, NULL, "3600",
	 1, T_REG, "registration expiry to ask for"},
	{SR_O_TRANSPORT, "transport", NULL, 0, "PROTO", SR_OT_ENUM, "udp tcp tls", "from the URI",
	 1, T_REG, "transport: udp, tcp or tls"},
	{SR_O_TLS_CA_FILE, "tls_ca_file", NULL, 0, "FILE", SR_OT_STRING, NULL, "system CAs", 1,
	 T_REG, "CA certificates (PEM) to verify the server with"},
	{SR_O_TLS_CA_DIR, "tls_ca_dir", NULL, 0, "DIR", SR_OT_STRING, NULL, NULL, 1, T_REG,
	 "directory of hashed CA certificates"},
	{SR_O_TLS_VERIFY, "tls_verify", NULL, 0, "yes|no", SR_OT_BOOL, NULL, "yes", 1, T_REG,
	 "verify the server certificate and host name"},
	{SR_O_INSECURE, "insecure", NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
	 "same as --tls-verify=no (warns)"},
	{SR_O_IPV4, "ipv4", NULL, '4', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG, "use IPv4 only"},
	{SR_O_IPV6, "ipv6", NULL, '6', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG, "use IPv6 only"},
	{SR_O_LOCAL_ADDRESS, "local_address", NULL, 0, "ADDR[:PORT]", SR_OT_STRING, NULL, NULL, 0,
	 T_REG, "local address (and port) to send from"},
	{SR_O_TIMEOUT, "timeout", NULL, 't', "SECONDS", SR_OT_SECONDS, NULL, "10", 0, T_REG,
	 "whole-run deadline"},
	{SR_O_OUTPUT, "output", NULL, 'o', "FORMAT", SR_OT_ENUM, "text json", "text", 0, T_REG,
	 "output format: text or json"},
	{SR_O_JSON, "json", NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG, "same as --output json"},
	{SR_O_VERBOSE, "verbose", NULL, 'v', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
	 "more detail; -vv prints SIP messages (secrets redacted), -vvv stack logs"},
	{SR_O_QUIET, "quiet", NULL, 'q', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
	 "print nothing; the exit code tells"},
	{SR_O_PROBE, "probe", NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
	 "register, report, then remove the same binding"},
	{SR_O_LIST_BINDINGS, "list_bindings", NULL, 0, NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
	 "REGISTER without Contact: list the bindings, change nothing"},
	{SR_O_HELP, "help", NULL, 'h', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG, "show this help"},
	{SR_O_VERSION, "version", NULL, 'V', NULL, SR_OT_FLAG, NULL, NULL, 0, T_REG,
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

const struct sr_option *sr_option_find(const char *name)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *p = o->aliases;

		if (name_eq(name, o->key, strlen(o->key)))
			return o;
		while (p && *p) {
			size_t len = strcspn(p, " ");

			if (name_eq(name, p, len))
				return o;
			p += len;
			p += strspn(p, " ");
		}
	}
	return NULL;
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

static void flag_name(const struct sr_option *o, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "--%s", o->key);
	for (i = 2; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';
}

int sr_option_apply(const struct sr_option *o, const char *value, struct sr_reg *reg,
		    struct sr_run *run, char *err, size_t errlen)
{
	char name[64];
	unsigned long u = 0;
	double d = 0;
	int b = 0, idx = -1;
	char **str = NULL;

	flag_name(o, name, sizeof name);
	switch (o->type) {
	case SR_OT_UINT:
		if (sr_parse_uint(value, 0x7fffffffUL, &u) < 0) {
			snprintf(err, errlen, "%s: expected a non-negative integer, got \"%s\"", name,
				 value);
			return -1;
		}
		break;
	case SR_OT_SECONDS:
		if (sr_parse_seconds(value, &d) < 0) {
			snprintf(err, errlen, "%s: expected seconds between 0 and 86400, got \"%s\"",
				 name, value);
			return -1;
		}
		break;
	case SR_OT_BOOL:
		if (!value)
			b = 1;
		else if (sr_parse_bool(value, &b) < 0) {
			snprintf(err, errlen, "%s: expected yes or no, got \"%s\"", name, value);
			return -1;
		}
		break;
	case SR_OT_ENUM:
		idx = enum_index(o->choices, value);
		if (idx < 0) {
			if (o->id == SR_O_TRANSPORT &&
			    (!strcasecmp(value, "ws") || !strcasecmp(value, "wss")))
				snprintf(err, errlen,
					 "%s: \"%s\" is not supported by this build (udp, tcp or tls)",
					 name, value);
			else
				snprintf(err, errlen, "%s: expected one of: %s; got \"%s\"", name,
					 o->choices, value);
			return -1;
		}
		break;
	case SR_OT_STRING:
		if (!value || !*value) {
			snprintf(err, errlen, "%s: expected a value, got an empty string", name);
			return -1;
		}
		break;
	case SR_OT_FLAG:
		break;
	}

	switch (o->id) {
	case SR_O_CLIENT_URI: str = &reg->client_uri; break;
	case SR_O_SERVER_URI: str = &reg->server_uri; break;
	case SR_O_CONTACT_USER: str = &reg->contact_user; break;
	case SR_O_USER_AGENT: str = &reg->user_agent; break;
	case SR_O_USERNAME: str = &reg->username; break;
	case SR_O_PASSWORD_FILE: str = &reg->password_file; break;
	case SR_O_PASSWORD_ENV: str = &reg->password_env; break;
	case SR_O_REALM: str = &reg->realm; break;
	case SR_O_TLS_CA_FILE: str = &reg->tls_ca_file; break;
	case SR_O_TLS_CA_DIR: str = &reg->tls_ca_dir; break;
	case SR_O_LOCAL_ADDRESS: str = &reg->local_address; break;
	case SR_O_PASSWORD:
		sr_secret_free(&reg->password);
		reg->password = strdup(value);
		return reg->password ? 0 : -1;
	case SR_O_HA1: {
		size_t len = strlen(value), i;

		for (i = 0; i < len; i++)
			if (!isxdigit((unsigned char)value[i]))
				break;
		if (i < len || (len != 32 && len != 64)) {
			snprintf(err, errlen, "%s: expected 32 or 64 hex digits (an MD5 or SHA-256/SHA-512-256 HA1)",
				 name);
			return -1;
		}
		sr_secret_free(&reg->ha1);
		reg->ha1 = strdup(value);
		return reg->ha1 ? 0 : -1;
	}
	case SR_O_AUTHORIZATION_JWT:
		if (strpbrk(value, " \t\r\n,\"")) {
			snprintf(err, errlen, "%s: a token cannot hold spaces, commas or quotes", name);
			return -1;
		}
		sr_secret_free(&reg->bearer_token);
		reg->bearer_token = strdup(value);
		return reg->bearer_token ? 0 : -1;
	case SR_O_BEARER_TOKEN_FILE: str = &reg->bearer_token_file; break;
	case SR_O_DIGEST_ALGORITHMS: {
		struct sr_digest_policy p;
		char e2[200];

		if (sr_digest_parse_prefs(value, &p, e2, sizeof e2) < 0) {
			snprintf(err, errlen, "%s: %s", name, e2);
			return -1;
		}
		str = &reg->digest_algorithms;
		break;
	}
	case SR_O_MIN_DIGEST: str = &reg->min_digest; break;
	case SR_O_HOST: {
		size_t len = strlen(value) + 5;
		char *uri = malloc(len);

		if (!uri)
			return -1;
		if (!strncasecmp(value, "sip:", 4) || !strncasecmp(value, "sips:", 5))
			snprintf(uri, len, "%s", value);
		else
			snprintf(uri, len, "sip:%s", value);
		free(reg->server_uri);
		reg->server_uri = uri;
		return 0;
	}
	case SR_O_EXPIRATION: reg->expiration = (unsigned)u; return 0;
	case SR_O_TRANSPORT: reg->transport = (enum sr_transport)(idx + SR_TP_UDP); return 0;
	case SR_O_TLS_VERIFY: reg->tls_verify = b; return 0;
	case SR_O_INSECURE: reg->tls_verify = false; return 0;
	case SR_O_IPV4: reg->af = 4; return 0;
	case SR_O_IPV6: reg->af = 6; return 0;
	case SR_O_TIMEOUT:
		if (d <= 0) {
			snprintf(err, errlen, "%s: must be more than 0", name);
			return -1;
		}
		run->timeout = d;
		return 0;
	case SR_O_OUTPUT: run->output = (enum sr_output)idx; return 0;
	case SR_O_JSON: run->output = SR_OUT_JSON; return 0;
	case SR_O_VERBOSE: run->verbose++; return 0;
	case SR_O_QUIET: run->quiet = true; return 0;
	case SR_O_PROBE: run->mode = SR_MODE_PROBE; return 0;
	case SR_O_LIST_BINDINGS: run->mode = SR_MODE_LIST; return 0;
	case SR_O_HELP:
	case SR_O_VERSION:
		return 0;
	}
	if (str) {
		char *copy = strdup(value);

		if (!copy)
			return -1;
		free(*str);
		*str = copy;
		return 0;
	}
	snprintf(err, errlen, "%s: not handled", name);
	return -1;
}

static void add_long(struct option *lo, size_t *n, const char *name, int has_arg, int val)
{
	lo[*n].name = name;
	lo[*n].has_arg = has_arg;
	lo[*n].flag = NULL;
	lo[*n].val = val;
	(*n)++;
}

/* Long names live as long as the parse: built into one buffer. */
int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv,
		     struct sr_reg *reg, struct sr_run *run)
{
	struct option lo[128];
	char names[4096], shorts[128];
	size_t n = 0, used = 0, ns = 0, i;
	int c, rc = 0, help = 0, version = 0, mode_flags = 0;
	char err[512];

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		int has_arg = o->type == SR_OT_FLAG	? no_argument
			      : o->type == SR_OT_BOOL ? optional_argument
						      : required_argument;
		const char *spell[2] = {o->key, o->aliases};
		unsigned k;

		if (!(o->tools & tool_bit))
			continue;
		for (k = 0; k < 2; k++) {
			const char *p = spell[k];

			while (p && *p) {
				size_t len = strcspn(p, " "), j;

				if (used + len + 1 > sizeof names || n + 2 >= 128)
					return -1;
				for (j = 0; j < len; j++)
					names[used + j] = p[j] == '_' ? '-' : p[j];
				names[used + len] = '\0';
				add_long(lo, &n, names + used, has_arg, 256 + (int)i);
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
	lo[n].name = NULL;
	lo[n].has_arg = 0;
	lo[n].flag = NULL;
	lo[n].val = 0;
	shorts[ns] = '\0';

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct sr_option *o = NULL;

		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				fprintf(stderr, "%s: option -%c %s\n", tool, optopt,
					strchr(shorts, optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "%s: option %s is unknown or needs a value\n", tool,
					argv[optind - 1]);
			fprintf(stderr, "Try '%s --help' for more information.\n", tool);
			return -1;
		}
		if (c >= 256) {
			o = &sr_options[c - 256];
		} else {
			for (i = 0; i < sr_options_count; i++)
				if (sr_options[i].short_opt == c && (sr_options[i].tools & tool_bit))
					o = &sr_options[i];
		}
		if (!o)
			return -1;
		if (o->id == SR_O_HELP)
			help = 1;
		if (o->id == SR_O_VERSION)
			version = 1;
		if (o->id == SR_O_PROBE || o->id == SR_O_LIST_BINDINGS)
			mode_flags |= o->id == SR_O_PROBE ? 1 : 2;
		if (o->id == SR_O_PASSWORD || o->id == SR_O_HA1 || o->id == SR_O_AUTHORIZATION_JWT) {
			if (o->id == SR_O_PASSWORD)
				reg->password_from_cli = true;
			else if (o->id == SR_O_HA1)
				reg->ha1_from_cli = true;
			else
				reg->token_from_cli = true;
			rc = sr_option_apply(o, optarg, reg, run, err, sizeof err);
			/* Hide it from ps(1) as far as we can. */
			if (optarg)
				memset(optarg, 'x', strlen(optarg));
		} else {
			rc = sr_option_apply(o, optarg, reg, run, err, sizeof err);
		}
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", tool, err);
			return -1;
		}
	}
	if (help) {
		sr_options_help(tool, tool_bit, NULL, stdout);
		return 1;
	}
	if (version) {
		printf("%s (%s) %s\n", tool, PACKAGE_NAME, PACKAGE_VERSION);
		return 1;
	}
	if (mode_flags == 3) {
		fprintf(stderr, "%s: --probe and --list-bindings exclude each other\n", tool);
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", tool, argv[optind]);
		fprintf(stderr, "Try '%s --help' for more information.\n", tool);
		return -1;
	}
	return 0;
}

void sr_options_help(const char *tool, unsigned tool_bit, const char *synopsis, FILE *out)
{
	size_t i;

	fprintf(out, "Usage: %s %s\n\nOptions:\n", tool,
		synopsis ? synopsis : "[OPTIONS] -u AOR [-s REGISTRAR] [--password-file FILE]");
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		char left[96], name[64];
		int w;

		if (!(o->tools & tool_bit))
			continue;
		flag_name(o, name, sizeof name);
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
		if (o->aliases) {
			const char *p = o->aliases;

			fprintf(out, "%-34s also spelled:", "");
			while (*p) {
				size_t len = strcspn(p, " "), j;

				fputs(" --", out);
				for (j = 0; j < len; j++)
					fputc(p[j] == '_' ? '-' : p[j], out);
				p += len;
				p += strspn(p, " ");
			}
			fputc('\n', out);
		}
	}
	fprintf(out, "\nExit status: 0 ok, 64 usage, 68 DNS, 69 refused (not credentials), "
		     "70 internal,\n75 timeout/unreachable/temporary, 76 protocol/TLS, "
		     "77 credentials refused, 78 config.\n");
}
