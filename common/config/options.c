/* SPDX-License-Identifier: BSD-2-Clause */
/* The option table: one row per setting (YAML key, flags, type, field,
 * default, checks, help); applying, defaulting, formatting and freeing
 * settings are loops over it. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/options.h"
#include "model/secrets.h"
#include "proto/digest.h"
#include "proto/hep.h"
#include "proto/shard.h"
#include "proto/ws.h"
#include "report/nagios.h"
#include "util/log.h"
#include "util/uri.h"
#include "util/util.h"

/* A row's field in struct sr_reg or struct sr_run. */
#define REG(f)                                                                                     \
	.in = SR_IN_REG, .off = offsetof(struct sr_reg, f), .size = sizeof(((struct sr_reg *)0)->f)
#define RUN(f)                                                                                     \
	.in = SR_IN_RUN, .off = offsetof(struct sr_run, f), .size = sizeof(((struct sr_run *)0)->f)
#define ALL .tools = SR_TOOL_ALL
/* keys only sipregwatch acts on: in YAML for every tool, a flag of its own */
#define WATCH .tools = SR_TOOL_SIPREGWATCH
#define REGFLAG .scope = SR_SC_REGFLAG
#define RUNFLAG .scope = SR_SC_RUN

static sr_opt_check_fn check_uuid, check_no_break, check_params, check_header, check_ha1,
    check_token, check_digest_list, check_positive, check_one_or_more, check_range, check_uri,
    check_aor, check_shard, check_hep;
static sr_opt_set_fn set_host, set_output;

/* Seed names first (Asterisk res_pjsip_outbound_registration), JsSIP
 * spellings as aliases. A new setting is one row here (plus its use); a
 * row carries its field, type, default and checks. Rows without a scope
 * are registration keys (YAML, environment and flag). */
/* a table reads best as rows */
/* clang-format off */
const struct sr_option sr_options[] = {
	{.id = SR_O_NAME, .key = "name", .arg = "NAME", .type = SR_OT_STRING, REG(name),
	 .def_doc = "the AOR", .example = "trunk-1", ALL, .help = "name of the registration in reports"},
	{.id = SR_O_CLIENT_URI, .key = "client_uri", .aliases = "uri", .short_opt = 'u', .arg = "URI",
	 .type = SR_OT_URI, REG(client_uri), .check = check_aor, .example = "sip:alice@example.org", ALL,
	 .help = "address of record, used in From and To"},
	{.key = "server_uri", .aliases = "registrar_server", .short_opt = 's',
	 .arg = "URI", .type = SR_OT_URI, REG(server_uri), .def_doc = "the AOR without its user",
	 .example = "sip:registrar.example.org:5080", ALL, .help = "registrar URI (Request-URI)"},
	{.key = "host", .short_opt = 'H', .arg = "HOST[:PORT]", .type = SR_OT_STRING,
	 .set = set_host, REGFLAG, ALL, .help = "shortcut for --server-uri sip:HOST[:PORT]"},
	{.key = "contact_user", .arg = "USER", .type = SR_OT_STRING, REG(contact_user),
	 .def_doc = "the AOR user", .example = "alice-desk", ALL, .help = "user part of our Contact"},
	{.key = "contact_uri", .arg = "URI", .type = SR_OT_URI, REG(contact_uri),
	 .example = "sip:alice@192.0.2.7:5062", ALL,
	 .help = "the whole Contact URI (overrides contact_user and the local address)"},
	{.key = "contact_header_params", .arg = "PARAMS", .type = SR_OT_STRING,
	 REG(contact_header_params), .check = check_params, .example = ";q=0.5", ALL,
	 .help = "parameters added to the Contact header (;a=b;c)"},
	{.key = "display_name", .arg = "TEXT", .type = SR_OT_STRING, REG(display_name),
	 .check = check_no_break, .example = "Alice Example", ALL,
	 .help = "display name in From and To"},
	{.key = "user_agent", .arg = "TEXT", .type = SR_OT_STRING, REG(user_agent),
	 .check = check_no_break, .def_doc = "sipreg-tools/VERSION", .example = "probe/1.0", ALL,
	 .help = "User-Agent header"},
	{.key = "extra_headers", .cli_aliases = "header", .short_opt = 'X',
	 .arg = "'NAME: VALUE'", .type = SR_OT_LIST, REG(extra_headers), .check = check_header,
	 .example = "X-Site: lab", ALL, .help = "an extra header for the REGISTER (repeatable)"},
	{.key = "instance_id", .arg = "UUID", .type = SR_OT_STRING, REG(instance_id),
	 .check = check_uuid, .example = "urn:uuid:6f0b8a1e-5d2c-4a57-9c1e-2b7e0d3f4a10", ALL,
	 .help = "instance UUID (+sip.instance), urn:uuid: optional"},
	{.key = "username", .aliases = "authorization_user", .short_opt = 'U',
	 .arg = "USER", .type = SR_OT_STRING, REG(username), .def_doc = "the AOR user",
	 .example = "alice-auth", .credential = 1, ALL, .help = "authentication user name"},
	{.id = SR_O_PASSWORD, .key = "password", .short_opt = 'p', .arg = "PASSWORD",
	 .type = SR_OT_STRING, REG(password), .secret = 1, .credential = 1, .example = "s3cret", ALL,
	 .help = "password (visible to other users: prefer --password-file)"},
	{.key = "password_file", .arg = "FILE", .type = SR_OT_STRING, .path = 1, REG(password_file),
	 .credential = 1, .example = "/etc/sipreg/alice.pw", ALL,
	 .help = "read the password from FILE (mode 0600, yours unless you are root)"},
	{.key = "password_env", .arg = "VAR", .type = SR_OT_STRING, REG(password_env),
	 .credential = 1, .example = "ALICE_PW", ALL,
	 .help = "read the password from environment variable VAR"},
	{.key = "realm", .arg = "REALM", .type = SR_OT_STRING, REG(realm),
	 .credential = 1, .example = "example.org", ALL, .help = "answer challenges of this realm only"},
	{.id = SR_O_HA1, .key = "ha1", .arg = "HEX", .type = SR_OT_STRING, REG(ha1),
	 .check = check_ha1, .secret = 1, .credential = 1,
	 .example = "0123456789abcdef0123456789abcdef", ALL,
	 .help = "hex HA1 for the challenge's algorithm, used instead of a password (needs realm)"},
	{.id = SR_O_AUTHORIZATION_JWT, .key = "authorization_jwt", .arg = "TOKEN",
	 .type = SR_OT_STRING, REG(bearer_token), .check = check_token, .secret = 1,
	 .credential = 1, .example = "eyJhbGciOi.e30.sig", ALL,
	 .help = "send Authorization: Bearer TOKEN (visible to other users: prefer the file)"},
	{.key = "bearer_token_file", .arg = "FILE", .type = SR_OT_STRING, .path = 1, REG(bearer_token_file),
	 .credential = 1, .example = "/etc/sipreg/token", ALL,
	 .help = "read the Bearer token from FILE (mode 0600, yours unless you are root)"},
	{.key = "expiration", .aliases = "register_expires", .short_opt = 'x',
	 .arg = "SECONDS", .type = SR_OT_UINT, REG(expiration), .def = "3600", .example = "600", ALL,
	 .help = "registration expiry to ask for"},
	{.key = "max_retries", .arg = "N", .type = SR_OT_UINT, REG(max_retries), .def = "10",
	 .example = "3", WATCH, .help = "attempts after a temporary failure"},
	{.key = "retry_interval", .arg = "SECONDS", .type = SR_OT_UINT, REG(retry_interval),
	 .def = "60", .example = "20", WATCH, .help = "wait after a temporary failure"},
	{.key = "forbidden_retry_interval", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(forbidden_retry_interval), .def = "0", .example = "300", WATCH,
	 .help = "wait after 403 (0: stop)"},
	{.key = "fatal_retry_interval", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(fatal_retry_interval), .def = "0", .example = "900", WATCH,
	 .help = "wait after other final failures (0: stop)"},
	{.key = "auth_rejection_permanent", .arg = "yes|no", .type = SR_OT_BOOL,
	 REG(auth_rejection_permanent), .def = "yes", .example = "no", WATCH,
	 .help = "stop after credentials are refused"},
	{.key = "max_random_initial_delay", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(max_random_initial_delay), .def = "10", .example = "0", WATCH,
	 .help = "spread the first registrations"},
	{.key = "connection_recovery_min_interval", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(connection_recovery_min_interval), .def = "2", .example = "5", WATCH,
	 .help = "first wait after a transport failure"},
	{.key = "connection_recovery_max_interval", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(connection_recovery_max_interval), .def = "30", .example = "120", WATCH,
	 .help = "longest wait after transport failures"},
	{.key = "keep_alive_interval", .arg = "SECONDS", .type = SR_OT_UINT,
	 REG(keep_alive_interval), .def = "90", .example = "25", WATCH,
	 .help = "CRLF keep-alives on TCP, TLS, WS and WSS connections, a pong expected within 10 s (over WebSocket: pings) (0: none)"},
	{.key = "audit_interval", .arg = "SECONDS", .type = SR_OT_UINT, REG(audit_interval),
	 .def = "60", .example = "0", WATCH,
	 .help = "ask the registrar for our binding this often (0: never)"},
	{.id = SR_O_TRANSPORT, .key = "transport", .arg = "PROTO", .type = SR_OT_ENUM,
	 .choices = "udp tcp tls ws wss", .base = SR_TP_UDP, REG(transport), .def_doc = "from the URI",
	 .example = "tcp", ALL, .help = "transport: udp, tcp, tls, ws or wss"},
	{.key = "outbound_proxy", .arg = "URI", .type = SR_OT_URI, REG(outbound_proxy),
	 .example = "sip:proxy.example.org;lr", ALL,
	 .help = "send through this proxy (Route, loose routing), over its ;transport="},
	{.key = "use_preloaded_route", .arg = "yes|no", .type = SR_OT_BOOL, REG(use_preloaded_route),
	 .def = "no", .example = "yes", ALL, .help = "keep a preloaded Route set"},
	{.key = "servers", .aliases = "sockets", .cli_aliases = "server", .arg = "URI[,WEIGHT]", .type = SR_OT_SERVERS,
	 REG(servers), .example = "sip:backup.example.org,5", ALL,
	 .help = "registrars to fail over between, higher weight first (repeatable)"},
	{.key = "line", .arg = "yes|no", .type = SR_OT_BOOL, REG(line), .def = "no", .example = "yes",
	 ALL, .help = "add ;line= to the Contact (needs endpoint)"},
	{.key = "endpoint", .arg = "NAME", .type = SR_OT_STRING, REG(endpoint), .example = "alice-ep",
	 ALL, .help = "endpoint that calls on this line belong to"},
	{.key = "support_path", .arg = "yes|no", .type = SR_OT_BOOL, REG(support_path), .def = "no",
	 .example = "yes", ALL, .help = "send Supported: path"},
	{.key = "support_outbound", .arg = "yes|no", .type = SR_OT_BOOL, REG(support_outbound),
	 .def = "no", .example = "yes", ALL, .help = "RFC 5626 outbound: instance, reg-id, keepalives"},
	{.key = "security_negotiation", .arg = "MODE", .type = SR_OT_CHOICE, .choices = "no mediasec",
	 REG(security_negotiation), .def = "no", .example = "mediasec", ALL,
	 .help = "RFC 3329 security negotiation: no or mediasec"},
	{.key = "security_mechanisms", .arg = "MECH",
	 .type = SR_OT_LIST, REG(security_mechanisms), .example = "sdes-srtp;mediasec", ALL,
	 .help = "a Security-Client mechanism (repeatable)"},
	{.key = "tls_ca_file", .arg = "FILE", .type = SR_OT_STRING, .path = 1, REG(tls_ca_file),
	 .def_doc = "system CAs", .example = "/etc/ssl/certs/trunk-ca.pem", ALL,
	 .help = "CA certificates (PEM) to verify the server with"},
	{.key = "tls_ca_dir", .arg = "DIR", .type = SR_OT_STRING, .path = 1, REG(tls_ca_dir),
	 .example = "/etc/ssl/certs", ALL, .help = "directory of hashed CA certificates"},
	{.key = "tls_cert", .arg = "FILE", .type = SR_OT_STRING, .path = 1, REG(tls_cert),
	 .example = "/etc/sipreg/client.crt", ALL, .help = "client certificate (PEM)"},
	{.key = "tls_key", .arg = "FILE", .type = SR_OT_STRING, .path = 1, REG(tls_key),
	 .example = "/etc/sipreg/client.key", ALL, .help = "key of the client certificate (PEM)"},
	{.key = "tls_server_name", .arg = "NAME", .type = SR_OT_STRING, REG(tls_server_name),
	 .def_doc = "the registrar host", .example = "sip.example.org", ALL,
	 .help = "name to verify the server certificate for"},
	{.key = "tls_verify", .arg = "yes|no", .type = SR_OT_BOOL, REG(tls_verify), .def = "yes",
	 .example = "no", ALL, .help = "verify the server certificate and host name"},
	{.id = SR_O_DIGEST_ALGORITHMS, .key = "digest_algorithms", .arg = "LIST",
	 .type = SR_OT_STRING, REG(digest_algorithms), .check = check_digest_list,
	 .def = "SHA-512-256, SHA-256, MD5", .example = "SHA-256", ALL,
	 .help = "digest algorithms to answer with, best first"},
	{.key = "min_digest", .arg = "ALG", .type = SR_OT_CHOICE, .choices = "MD5 SHA-256 SHA-512-256",
	 REG(min_digest), .def = "MD5", .example = "SHA-256", ALL,
	 .help = "refuse challenges weaker than ALG"},
	{.key = "insecure", .type = SR_OT_FLAG, .base = 0, REG(tls_verify), REGFLAG, ALL,
	 .help = "same as --tls-verify=no (warns)"},
	{.key = "ipv4", .short_opt = '4', .type = SR_OT_FLAG, .base = 4, REG(af), REGFLAG, ALL,
	 .help = "use IPv4 only"},
	{.key = "ipv6", .short_opt = '6', .type = SR_OT_FLAG, .base = 6, REG(af), REGFLAG, ALL,
	 .help = "use IPv6 only"},
	{.key = "local_address", .arg = "ADDR[:PORT]", .type = SR_OT_STRING, REG(local_address),
	 .example = "127.0.0.2", ALL,
	 .help = "local address (and port) to send from; part of the registration's identity"},
	{.key = "hep", .arg = "udp|tcp:HOST:PORT", .type = SR_OT_STRING, REG(hep),
	 .check = check_hep, .example = "udp:192.0.2.10:9060", ALL,
	 .help = "copy every SIP message sent and received to this HEPv3 collector (Homer)"},
	{.key = "hep_capture_id", .arg = "N", .type = SR_OT_UINT, REG(hep_capture_id), .def = "0",
	 .example = "2001", ALL, .help = "HEP capture agent id"},
	{.key = "hep_password", .arg = "KEY", .type = SR_OT_STRING, REG(hep_password), .secret = 1,
	 .example = "myHep", ALL, .help = "HEP authentication key the collector expects"},
	{.key = "config", .short_opt = 'f', .arg = "FILE", .type = SR_OT_STRING,
	 RUN(config_file), .def_doc = "$SIPREG_CONFIG", RUNFLAG, ALL,
	 .help = "YAML file of registrations"},
	{.id = SR_O_SELECT_NAME, .key = "name", .short_opt = 'n', .arg = "NAME", .type = SR_OT_LIST,
	 RUN(names), .def_doc = "all", RUNFLAG, .tools = SR_TOOL_ALL,
	 .help = "handle this registration of the file (repeatable)"},
	{.key = "pjsip_conf", .arg = "FILE", .type = SR_OT_STRING, RUN(pjsip_conf), RUNFLAG, ALL,
	 .help = "take the registrations of an Asterisk pjsip.conf"},
	{.key = "tls_keylog", .arg = "FILE", .type = SR_OT_STRING, .path = 1, RUN(tls_keylog),
	 .def_doc = "$SSLKEYLOGFILE", RUNFLAG, ALL,
	 .help = "append the TLS session secrets (NSS key log) of every TLS and WSS connection"},
	{.key = "dump_config", .type = SR_OT_FLAG, .base = 1, RUN(dump_config), RUNFLAG, ALL,
	 .help = "print the effective settings as YAML (secrets redacted) and exit"},
	{.key = "password_stdin", .type = SR_OT_FLAG, .base = 1, RUN(password_stdin), RUNFLAG, ALL,
	 .help = "read the password from the first line of standard input"},
	{.key = "timeout", .short_opt = 't', .arg = "SECONDS", .type = SR_OT_SECONDS, RUN(timeout),
	 .check = check_positive, .def = "10", RUNFLAG, ALL, .help = "whole-run deadline"},
	{.key = "output", .short_opt = 'o', .arg = "FORMAT", .type = SR_OT_ENUM,
	 .choices = "text json env nagios", .base = SR_OUT_TEXT, RUN(output), .set = set_output,
	 .def = "text", .def_doc = "text; sipregwatch: JSON Lines events", RUNFLAG, ALL,
	 .help = "output format: text, json, env (for eval) or nagios"},
	{.key = "json", .type = SR_OT_FLAG, .base = SR_OUT_JSON, RUN(output), RUNFLAG, ALL,
	 .help = "same as --output json"},
	{.key = "verbose", .short_opt = 'v', .type = SR_OT_COUNT, RUN(verbose), RUNFLAG, ALL,
	 .help = "more detail; -vv prints SIP messages (secrets redacted), -vvv stack logs"},
	{.key = "quiet", .short_opt = 'q', .type = SR_OT_FLAG, .base = 1, RUN(quiet), RUNFLAG, ALL,
	 .help = "print nothing; the exit code tells"},
	{.id = SR_O_PROBE, .key = "probe", .type = SR_OT_FLAG, .base = SR_MODE_PROBE, RUN(mode),
	 RUNFLAG, .tools = SR_TOOL_SIPREG, .help = "register, report, then remove the same binding"},
	{.id = SR_O_LIST_BINDINGS, .key = "list_bindings", .type = SR_OT_FLAG, .base = SR_MODE_LIST,
	 RUN(mode), RUNFLAG, .tools = SR_TOOL_SIPREG,
	 .help = "REGISTER without Contact: list the bindings, change nothing"},
	{.key = "contact", .arg = "URI", .type = SR_OT_LIST, RUN(contacts), .check = check_uri,
	 .def_doc = "ours", RUNFLAG, .tools = SR_TOOL_SIPUNREG,
	 .help = "remove exactly this binding (repeatable)"},
	{.key = "all", .type = SR_OT_FLAG, .base = 1, RUN(unreg_all), RUNFLAG,
	 .tools = SR_TOOL_SIPUNREG, .help = "remove every binding of the AOR (Contact: *)"},
	{.key = "method", .arg = "METHOD", .type = SR_OT_ENUM, .choices = "REGISTER OPTIONS",
	 RUN(method_options), .def = "REGISTER", RUNFLAG, .tools = SR_TOOL_SIPAUTHCHECK,
	 .help = "request to check with: REGISTER without Contact, or OPTIONS"},
	{.key = "min_bindings", .arg = "N", .type = SR_OT_UINT, RUN(min_bindings), RUNFLAG,
	 .tools = SR_TOOL_SIPREG,
	 .help = "nagios: CRITICAL when fewer than N bindings are listed"},
	{.key = "min_expires", .arg = "SECONDS", .type = SR_OT_UINT, RUN(min_expires), RUNFLAG,
	 .tools = SR_TOOL_SIPREG,
	 .help = "nagios: CRITICAL when the expiry (with --list-bindings: the longest listed) is shorter"},
	{.key = "cert_warn_days", .arg = "DAYS", .type = SR_OT_UINT, RUN(cert_warn_days), .def = "21",
	 RUNFLAG, .tools = SR_TOOL_SIPREG | SR_TOOL_SIPAUTHCHECK | SR_TOOL_SIPREGWATCH,
	 .help = "nagios: WARNING when the registrar's TLS certificate expires within DAYS "
		 "(CRITICAL once expired)"},
	{.key = "strict", .type = SR_OT_FLAG, .base = 1, RUN(strict), RUNFLAG,
	 .tools = SR_TOOL_SIPAUTHCHECK,
	 .help = "nagios: WARNING for the server's weak spots (only MD5, no challenge)"},
	{.key = "print_ha1", .type = SR_OT_FLAG, .base = 1, RUN(print_ha1), RUNFLAG,
	 .tools = SR_TOOL_SIPAUTHCHECK, .help = "print H(username:realm:password) offline and exit"},
	{.key = "algorithm", .arg = "ALG", .type = SR_OT_CHOICE, .choices = "MD5 SHA-256 SHA-512-256",
	 RUN(algorithm), .def_doc = "MD5", RUNFLAG, .tools = SR_TOOL_SIPAUTHCHECK,
	 .help = "hash of --print-ha1"},
	{.key = "events", .arg = "FILE", .type = SR_OT_STRING, RUN(events_file), .def_doc = "stdout",
	 RUNFLAG, .tools = SR_TOOL_SIPREGWATCH, .help = "append the JSON Lines events to FILE"},
	{.key = "status_file", .arg = "FILE", .type = SR_OT_STRING, RUN(status_file), RUNFLAG,
	 .tools = SR_TOOL_SIPREGWATCH,
	 .help = "keep a JSON snapshot of every registration in FILE (replaced atomically)"},
	{.key = "prometheus_file", .arg = "FILE", .type = SR_OT_STRING, RUN(prometheus_file), RUNFLAG,
	 .tools = SR_TOOL_SIPREGWATCH, .help = "keep node_exporter textfile metrics in FILE"},
	{.key = "check", .type = SR_OT_FLAG, .base = 1, RUN(check), RUNFLAG,
	 .tools = SR_TOOL_SIPREGWATCH, .help = "Nagios check of a running watch from its --status-file"},
	{.key = "warning", .short_opt = 'w', .arg = "RANGE", .type = SR_OT_STRING, RUN(warning),
	 .check = check_range, RUNFLAG, ALL,
	 .help = "nagios: WARNING when the response time (s) is outside RANGE"},
	{.key = "critical", .short_opt = 'c', .arg = "RANGE", .type = SR_OT_STRING, RUN(critical),
	 .check = check_range, RUNFLAG, ALL,
	 .help = "nagios: CRITICAL when the response time (s) is outside RANGE"},
	{.key = "shutdown_timeout", .arg = "SECONDS", .type = SR_OT_SECONDS, RUN(shutdown_timeout),
	 .def = "5", RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "on SIGTERM, un-register and exit within SECONDS"},
	{.key = "metrics_listen", .arg = "ADDR:PORT", .type = SR_OT_STRING, RUN(metrics_listen),
	 RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "serve /metrics, /status and /healthz over HTTP there (no default)"},
	{.key = "shard", .arg = "K/N", .type = SR_OT_STRING, RUN(shard), .check = check_shard,
	 RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "keep only shard K of N of the registrations (rendezvous hashing of names)"},
	{.key = "max_rate", .arg = "N", .type = SR_OT_RATE, RUN(max_rate),
	 .check = check_one_or_more, .def = "200", RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "at most N REGISTERs per second"},
	{.key = "unreachable_critical", .arg = "SECONDS", .type = SR_OT_SECONDS,
	 RUN(unreachable_critical), .def = "60", RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "--check: a registrar that answers no audit is WARNING, CRITICAL after SECONDS"},
	{.key = "failing_critical", .arg = "SECONDS", .type = SR_OT_SECONDS,
	 RUN(failing_critical), .def = "300", RUNFLAG, .tools = SR_TOOL_SIPREGWATCH,
	 .help = "--check: a registration failing for longer than SECONDS is CRITICAL"},
	{.key = "stale", .arg = "SECONDS", .type = SR_OT_SECONDS, RUN(stale), .def = "60", RUNFLAG,
	 .tools = SR_TOOL_SIPREGWATCH, .help = "--check: a status file older than SECONDS is CRITICAL"},
	{.id = SR_O_HELP, .key = "help", .short_opt = 'h', .type = SR_OT_FLAG, RUNFLAG, ALL,
	 .help = "show this help"},
	{.id = SR_O_VERSION, .key = "version", .short_opt = 'V', .type = SR_OT_FLAG, RUNFLAG, ALL,
	 .help = "show the version"},
};
/* clang-format on */

const size_t sr_options_count = sizeof sr_options / sizeof sr_options[0];

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
	char buf[32];

	return sr_uri_check(v, buf, sizeof buf) == 0;
}

/* ------------------------------------------------------------------ */
/* Checks of single rows: what is wrong, without the setting's name. */

/* v holds none of the characters of set; else what (a sentence) in msg. */
static int forbid(const char *v, const char *set, const char *what, char *msg, size_t len)
{
	if (!strpbrk(v, set))
		return 0;
	snprintf(msg, len, "%s", what);
	return -1;
}

static int check_no_break(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	return forbid(v, "\r\n", "cannot hold a line break", msg, len);
}

static int check_params(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	return forbid(v, "\r\n<>", "parameters cannot hold <, > or line breaks", msg, len);
}

static int check_header(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	const char *colon = strchr(v, ':');
	const char *p;

	(void)o;
	if (!colon || colon == v) {
		snprintf(msg, len, "expected \"Name: value\", got \"%s\"", v);
		return -1;
	}
	for (p = v; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.!%*+`'~", *p)) {
			snprintf(msg, len, "bad header name in \"%s\"", v);
			return -1;
		}
	return forbid(v, "\r\n", "a header cannot hold a line break", msg, len);
}

static int check_uuid(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	const char *p = v;
	size_t i;

	(void)o;
	if (!strncasecmp(p, "urn:uuid:", 9))
		p += 9;
	else if (!strncasecmp(p, "uuid:", 5)) /* JsSIP's spelling */
		p += 5;
	for (i = 0; i < 36 && strlen(p) == 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23 ? p[i] != '-'
							    : !isxdigit((unsigned char)p[i]))
			break;
	}
	if (i == 36)
		return 0;
	snprintf(msg, len, "expected a UUID (8-4-4-4-12 hex), got \"%s\"", v);
	return -1;
}

static int check_ha1(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	size_t n = strspn(v, "0123456789abcdefABCDEF");

	(void)o;
	if (v[n] || (n != 32 && n != 64)) {
		snprintf(msg, len,
			 "expected 32 or 64 hex digits (an MD5 or SHA-256/SHA-512-256 HA1)");
		return -1;
	}
	return 0;
}

static int check_token(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	return forbid(v, " \t\r\n,\"", "a token cannot hold spaces, commas or quotes", msg, len);
}

static int check_digest_list(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	struct sr_digest_policy p;

	(void)o;
	return sr_digest_parse_prefs(v, &p, msg, len);
}

static int check_positive(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	if (strtod(v, NULL) <= 0) {
		snprintf(msg, len, "must be more than 0");
		return -1;
	}
	return 0;
}

static int check_shard(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	unsigned k, n;

	(void)o;
	if (sr_shard_parse(v, &k, &n) == 0)
		return 0;
	snprintf(msg, len, "expected K/N with 1 <= K <= N <= 10000, got \"%s\"", v);
	return -1;
}

static int check_hep(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	char host[256], port[8];
	int tcp;

	(void)o;
	if (sr_hep_url(v, &tcp, host, sizeof host, port, sizeof port) == 0)
		return 0;
	snprintf(msg, len, "expected udp:HOST:PORT or tcp:HOST:PORT, got \"%s\"", v);
	return -1;
}

static int check_one_or_more(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	if (strtod(v, NULL) < 1) {
		snprintf(msg, len, "must be at least 1");
		return -1;
	}
	return 0;
}

static int check_range(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	(void)o;
	if (sr_range_alert(v, 0) < 0) {
		snprintf(msg, len, "expected a Nagios range ([@]start:end), got \"%s\"", v);
		return -1;
	}
	return 0;
}

static int check_uri(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	char buf[64];
	/* the server may be a WebSocket URI (JsSIP's sockets); o is NULL for
	 * an entry of servers */
	int ws_ok = !o || !strcmp(o->key, "server_uri"), rc;
	struct sr_ws_uri wu;

	if (ws_ok) {
		rc = sr_ws_uri_parse(v, &wu, buf, sizeof buf);
		if (rc > 0)
			return 0;
		if (rc < 0) {
			snprintf(msg, len, "\"%s\" %s", v, buf);
			return -1;
		}
	}
	rc = sr_uri_check(v, buf, sizeof buf);
	if (rc == 0)
		return 0;
	if (rc == SR_URI_NOT_SIP)
		snprintf(msg, len, "expected a sip: or sips: URI%s, got \"%s\"",
			 ws_ok ? " (or ws:, wss:)" : "", v);
	else
		snprintf(msg, len, "\"%s\" %s", v, buf);
	return -1;
}

/* An address of record: a SIP URI with a user. */
static int check_aor(const struct sr_option *o, const char *v, char *msg, size_t len)
{
	const char *at = strchr(v, '@');

	if (check_uri(o, v, msg, len) < 0)
		return -1;
	if (!at || at == strchr(v, ':') + 1) {
		snprintf(msg, len, "\"%s\" has no user: an address of record is sip:user@domain",
			 v);
		return -1;
	}
	return 0;
}

/* --host HOST[:PORT]: the server URI sip:HOST[:PORT]. */
static int set_host(const struct sr_option *o, const char *v, enum sr_layer layer,
		    struct sr_reg *reg, struct sr_run *run, char *msg, size_t len)
{
	size_t n = strlen(v) + 5;
	char *uri = malloc(n);

	(void)o, (void)layer, (void)run;
	if (!uri)
		return -1;
	snprintf(uri, n, "%s%s",
		 strncasecmp(v, "sip:", 4) && strncasecmp(v, "sips:", 5) ? "sip:" : "", v);
	if (!uri_ok(uri)) {
		snprintf(msg, len, "expected HOST or HOST:PORT, got \"%s\"", v);
		free(uri);
		return -1;
	}
	free(reg->server_uri);
	reg->server_uri = uri;
	return 0;
}

/* -o also says that a format was asked for (sipregwatch: events as text). */
static int set_output(const struct sr_option *o, const char *v, enum sr_layer layer,
		      struct sr_reg *reg, struct sr_run *run, char *msg, size_t len)
{
	(void)layer, (void)reg, (void)msg, (void)len;
	run->output = (enum sr_output)(o->base + enum_index(o->choices, v));
	run->output_set = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The generic walkers of the table. */

void *sr_option_field(const struct sr_option *o, struct sr_reg *reg, struct sr_run *run)
{
	char *base = o->in == SR_IN_REG ? (char *)reg : o->in == SR_IN_RUN ? (char *)run : NULL;

	return base ? base + o->off : NULL;
}

/* An int-like field of 1 (bool) or sizeof(int) bytes (int, enum). */
static void store_int(const struct sr_option *o, void *f, int v)
{
	if (o->size == sizeof(bool))
		*(bool *)f = v != 0;
	else
		*(int *)f = v;
}

static int load_int(const struct sr_option *o, const void *f)
{
	return o->size == sizeof(bool) ? *(const bool *)f : *(const int *)f;
}

static void free_servers(struct sr_servers *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i].uri);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* One URI[,WEIGHT] appended to a server list. */
static int add_server(struct sr_servers *sv, const char *value, char *msg, size_t len)
{
	char *copy = strdup(value), *comma;
	unsigned long w = 0;
	struct sr_server *v;

	if (!copy)
		return -1;
	comma = strrchr(copy, ',');
	if (comma) {
		*comma = '\0';
		if (sr_parse_uint(comma + 1, 65535, &w) < 0) {
			snprintf(msg, len, "expected URI,WEIGHT with a weight 0..65535, got \"%s\"",
				 value);
			goto fail;
		}
	}
	if (check_uri(NULL, copy, msg, len) < 0)
		goto fail;
	v = realloc(sv->v, (sv->n + 1) * sizeof *v);
	if (!v)
		goto fail;
	sv->v = v;
	v[sv->n].uri = copy;
	v[sv->n].weight = (unsigned)w;
	sv->n++;
	return 0;
fail:
	free(copy);
	return -1;
}

/* Parse value as the row's type: 0, or -1 with what was expected in msg. */
static int parse_value(const struct sr_option *o, const char *value, unsigned long *u, double *d,
		       int *i, char *msg, size_t len)
{
	const char *v = value ? value : "";

	switch (o->type) {
	case SR_OT_UINT:
		if (sr_parse_uint(value, 0x7fffffffUL, u) < 0)
			return snprintf(msg, len, "expected a non-negative integer, got \"%s\"", v),
			       -1;
		return 0;
	case SR_OT_SECONDS:
		if (sr_parse_seconds(value, d) < 0)
			return snprintf(msg, len,
					"expected seconds between 0 and 86400, got \"%s\"", v),
			       -1;
		return 0;
	case SR_OT_RATE:
		/* decimal only: strtod() would take 0x10 and inf */
		if (value && isdigit((unsigned char)value[0]) &&
		    strspn(value, "0123456789.eE+-") == strlen(value)) {
			char *end;

			errno = 0;
			*d = strtod(value, &end);
			if (!errno && !*end && isfinite(*d) && *d > 0 && *d <= 1e9)
				return 0;
		}
		return snprintf(
			   msg, len,
			   "expected a number of REGISTERs per second (at least 1), got \"%s\"", v),
		       -1;
	case SR_OT_BOOL:
		*i = 1;
		if (value && sr_parse_bool(value, i) < 0)
			return snprintf(msg, len, "expected yes or no, got \"%s\"", v), -1;
		return 0;
	case SR_OT_ENUM:
	case SR_OT_CHOICE:
		*i = value ? enum_index(o->choices, value) : -1;
		if (*i >= 0)
			return 0;
		snprintf(msg, len, "expected one of: %s; got \"%s\"", o->choices, v);
		return -1;
	case SR_OT_URI:
		return check_uri(o, v, msg, len);
	case SR_OT_STRING:
	case SR_OT_LIST:
	case SR_OT_SERVERS:
		if (!*v)
			return snprintf(msg, len, "expected a value, got an empty string"), -1;
		return 0;
	case SR_OT_FLAG:
	case SR_OT_COUNT:
		return 0;
	}
	return 0;
}

/* Store an already checked value into the row's field. 0 or -1. */
static int store_value(const struct sr_option *o, void *f, const char *value, enum sr_layer layer,
		       unsigned long u, double d, int i, char *msg, size_t len)
{
	char word[32];

	switch (o->type) {
	case SR_OT_STRING:
	case SR_OT_URI:
		if (o->secret)
			sr_secret_free((char **)f);
		sr_setstr((char **)f, value);
		return *(char **)f ? 0 : -1;
	case SR_OT_CHOICE:
		sr_setstr((char **)f, enum_word(o->choices, i, word, sizeof word));
		return 0;
	case SR_OT_UINT:
		*(unsigned *)f = (unsigned)u;
		return 0;
	case SR_OT_SECONDS:
	case SR_OT_RATE:
		*(double *)f = d;
		return 0;
	case SR_OT_BOOL:
		*(bool *)f = i != 0;
		return 0;
	case SR_OT_ENUM:
		store_int(o, f, o->base + i);
		return 0;
	case SR_OT_FLAG:
		store_int(o, f, o->base);
		return 0;
	case SR_OT_COUNT:
		(*(int *)f)++;
		return 0;
	case SR_OT_LIST: {
		struct sr_strv *sv = f;

		if (sv->layer != layer) {
			sr_strv_free(sv);
			sv->layer = (unsigned char)layer;
		}
		return sr_strv_add(sv, value);
	}
	case SR_OT_SERVERS: {
		struct sr_servers *sv = f;

		if (sv->layer != layer) {
			free_servers(sv);
			sv->layer = (unsigned char)layer;
		}
		return add_server(sv, value, msg, len);
	}
	}
	return -1;
}

int sr_option_apply(const struct sr_option *o, const char *value, enum sr_layer layer,
		    struct sr_reg *reg, struct sr_run *run, const char *label, char *err,
		    size_t errlen)
{
	char msg[400] = "";
	unsigned long u = 0;
	double d = 0;
	int i = 0, rc;
	void *f;

	if (parse_value(o, value, &u, &d, &i, msg, sizeof msg) < 0 ||
	    (o->check && value && o->check(o, value, msg, sizeof msg) < 0))
		goto fail;
	f = sr_option_field(o, reg, run);
	if (o->set)
		rc = o->set(o, value, layer, reg, run, msg, sizeof msg);
	else if (f)
		rc = store_value(o, f, value, layer, u, d, i, msg, sizeof msg);
	else
		rc = 0; /* --help, --version: the parser acts on them */
	if (rc == 0)
		return 0;
	if (!*msg)
		snprintf(msg, sizeof msg, "out of memory");
fail:
	snprintf(err, errlen, "%s: %s", label, msg);
	return -1;
}

const char *sr_option_format(const struct sr_option *o, const struct sr_reg *reg,
			     const struct sr_run *run, char *buf, size_t len)
{
	const void *f = sr_option_field(o, (struct sr_reg *)reg, (struct sr_run *)run);
	int v;

	if (!f)
		return NULL;
	switch (o->type) {
	case SR_OT_STRING:
	case SR_OT_URI:
	case SR_OT_CHOICE:
		if (!*(char *const *)f)
			return NULL;
		return o->secret ? "<redacted>" : *(char *const *)f;
	case SR_OT_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)f);
		return buf;
	case SR_OT_SECONDS:
	case SR_OT_RATE:
		snprintf(buf, len, "%g", *(const double *)f);
		return buf;
	case SR_OT_BOOL:
		return *(const bool *)f ? "yes" : "no";
	case SR_OT_ENUM:
		v = load_int(o, f) - o->base;
		return v < 0 ? NULL : enum_word(o->choices, v, buf, len);
	case SR_OT_FLAG:
	case SR_OT_COUNT:
	case SR_OT_LIST:
	case SR_OT_SERVERS:
		break;
	}
	return NULL;
}

/* A default fills the field directly (set() is for the layers above it);
 * one that does not parse is a bug the unit tests catch. */
void sr_options_defaults(enum sr_opt_in in, void *obj)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		unsigned long u = 0;
		double d = 0;
		int v = 0;
		char msg[256];

		if (o->in != in || !o->def)
			continue;
		if (parse_value(o, o->def, &u, &d, &v, msg, sizeof msg) < 0 ||
		    store_value(o, (char *)obj + o->off, o->def, SR_LAYER_DEFAULT, u, d, v, msg,
				sizeof msg) < 0)
			abort();
	}
}

void sr_options_free(enum sr_opt_in in, void *obj)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		void *f = (char *)obj + o->off;

		if (o->in != in)
			continue;
		switch (o->type) {
		case SR_OT_STRING:
		case SR_OT_URI:
		case SR_OT_CHOICE:
			if (o->secret)
				sr_secret_free(f);
			free(*(char **)f);
			*(char **)f = NULL;
			break;
		case SR_OT_LIST:
			sr_strv_free(f);
			break;
		case SR_OT_SERVERS:
			free_servers(f);
			break;
		default:
			break;
		}
	}
}

void sr_reg_defaults(struct sr_reg *r)
{
	memset(r, 0, sizeof *r);
	sr_options_defaults(SR_IN_REG, r);
}

void sr_run_defaults(struct sr_run *run)
{
	memset(run, 0, sizeof *run);
	sr_options_defaults(SR_IN_RUN, run);
}

void sr_reg_free(struct sr_reg *r)
{
	sr_options_free(SR_IN_REG, r);
	sr_creds_free(r->more_auth, r->n_more_auth);
	free(r->origin);
	memset(r, 0, sizeof *r);
}

void sr_run_free(struct sr_run *run)
{
	sr_options_free(SR_IN_RUN, run);
	memset(run, 0, sizeof *run);
}
