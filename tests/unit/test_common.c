/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of what common/ computes: exit codes, the option table,
 * parsers, redaction, targets, secrets and JSON rendering. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sofia-sip/sip_header.h>

#include "config/cli.h"
#include "config/confbuild.h"
#include "config/conffile.h"
#include "config/optfind.h"
#include "config/options.h"
#include "config/pjsipconf.h"
#include "config/regset.h"
#include "model/exitcode.h"
#include "model/result.h"
#include "model/secrets.h"
#include "model/settings.h"
#include "proto/bindings.h"
#include "proto/challenge.h"
#include "proto/digest.h"
#include "proto/retry.h"
#include "proto/target.h"
#include "report/nagios.h"
#include "report/output.h"
#include "util/log.h"
#include "util/util.h"
#include "watch/watch.h"
#include "watch/watchcheck.h"

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(sr_word_exit(SR_W_REGISTERED), 0);
	assert_int_equal(sr_word_exit(SR_W_AUTH_FAILED), 77);
	assert_int_equal(sr_word_exit(SR_W_FORBIDDEN), 77);
	assert_int_equal(sr_word_exit(SR_W_NOT_FOUND), 69);
	assert_int_equal(sr_word_exit(SR_W_INTERVAL_TOO_BRIEF), 69);
	assert_int_equal(sr_word_exit(SR_W_REJECTED), 69);
	assert_int_equal(sr_word_exit(SR_W_TIMEOUT), 75);
	assert_int_equal(sr_word_exit(SR_W_TRANSPORT_ERROR), 75);
	assert_int_equal(sr_word_exit(SR_W_DNS_ERROR), 68);
	assert_int_equal(sr_word_exit(SR_W_TLS_ERROR), 76);
	assert_int_equal(sr_word_exit(SR_W_PROTOCOL_ERROR), 76);
	assert_int_equal(sr_word_exit(SR_W_CONFIG_ERROR), 78);
	assert_int_equal(sr_word_exit(SR_W_INTERNAL_ERROR), 70);
	/* temporary finals keep the word but exit 75 */
	assert_int_equal(sr_word_status_exit(SR_W_REJECTED, 503), 75);
	assert_int_equal(sr_word_status_exit(SR_W_REJECTED, 480), 75);
	assert_int_equal(sr_word_status_exit(SR_W_REJECTED, 488), 69);
	assert_int_equal(sr_word_status_exit(SR_W_REJECTED, 603), 69);
	assert_int_equal(sr_word_for_status(401), SR_W_AUTH_FAILED);
	assert_int_equal(sr_word_for_status(407), SR_W_AUTH_FAILED);
	assert_int_equal(sr_word_for_status(403), SR_W_FORBIDDEN);
	assert_int_equal(sr_word_for_status(404), SR_W_NOT_FOUND);
	assert_int_equal(sr_word_for_status(423), SR_W_INTERVAL_TOO_BRIEF);
	assert_int_equal(sr_word_for_status(500), SR_W_REJECTED);
	assert_string_equal(sr_word_name(SR_W_BINDINGS_LISTED), "bindings_listed");
	assert_string_equal(sr_word_name(SR_W_INTERVAL_TOO_BRIEF), "interval_too_brief");
}

static void test_exit_worst(void **state)
{
	(void)state;
	/* order: 70, 78, 64, 76, 68, 75, 69, 77, 0 */
	assert_int_equal(sr_exit_worst(0, 77), 77);
	assert_int_equal(sr_exit_worst(77, 69), 69);
	assert_int_equal(sr_exit_worst(69, 75), 75);
	assert_int_equal(sr_exit_worst(68, 75), 68);
	assert_int_equal(sr_exit_worst(76, 68), 76);
	assert_int_equal(sr_exit_worst(64, 76), 64);
	assert_int_equal(sr_exit_worst(78, 64), 78);
	assert_int_equal(sr_exit_worst(78, 70), 70);
	assert_int_equal(sr_exit_worst(0, 0), 0);
}

/* Any row of the table by its key (flags included). */
static const struct sr_option *row(const char *key)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++)
		if (!strcmp(sr_options[i].key, key))
			return &sr_options[i];
	fail_msg("no row %s", key);
	return NULL;
}

static void test_option_find(void **state)
{
	(void)state;
	assert_non_null(sr_option_find("client_uri"));
	assert_int_equal(sr_option_find("uri")->id, SR_O_CLIENT_URI);
	assert_int_equal(sr_option_find("client-uri")->id, SR_O_CLIENT_URI);
	assert_string_equal(sr_option_find("registrar_server")->key, "server_uri");
	assert_string_equal(sr_option_find("register_expires")->key, "expiration");
	assert_string_equal(sr_option_find("authorization_user")->key, "username");
	assert_null(sr_option_find("client"));
	assert_null(sr_option_find("client_uri_x"));
	assert_null(sr_option_find(""));
}

static void test_option_table_consistent(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];

		assert_non_null(o->key);
		assert_non_null(o->help);
		/* every key finds its own row */
		if (o->scope == SR_SC_KEY)
			assert_ptr_equal(sr_option_find(o->key), o);
		if (o->type == SR_OT_ENUM)
			assert_non_null(o->choices);
		for (j = i + 1; j < sr_options_count; j++) {
			/* "name": the entry's name as a key, the picker as a flag */
			if (o->id != SR_O_NAME && sr_options[j].id != SR_O_SELECT_NAME)
				assert_string_not_equal(o->key, sr_options[j].key);
			if (o->short_opt)
				assert_int_not_equal(o->short_opt, sr_options[j].short_opt);
		}
	}
}

/* A registration key's value as one string, whatever its type: lists are
 * joined with '|', servers as URI,WEIGHT, secrets in clear. */
static void reg_value(const struct sr_option *o, struct sr_reg *r, char *buf, size_t len)
{
	void *f = sr_option_field(o, r, NULL);
	size_t i, used = 0;

	buf[0] = '\0';
	if (o->type == SR_OT_LIST) {
		const struct sr_strv *sv = f;

		for (i = 0; i < sv->n; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "",
						 sv->v[i]);
	} else if (o->type == SR_OT_SERVERS) {
		const struct sr_servers *sv = f;

		for (i = 0; i < sv->n; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s,%u", i ? "|" : "",
						 sv->v[i].uri, sv->v[i].weight);
	} else if (o->secret) {
		snprintf(buf, len, "%s", *(char **)f ? *(char **)f : "");
	} else {
		char tmp[128];
		const char *v = sr_option_format(o, r, NULL, tmp, sizeof tmp);

		snprintf(buf, len, "%s", v ? v : "");
	}
}

/* A one-registration YAML file of mode 0600 holding "key: value". */
static void write_yaml(const char *path, const char *key, const char *value)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "registrations:\n  - client_uri: '%s'\n",
		strcmp(key, "client_uri") ? "sip:rt@example.org" : value);
	if (strcmp(key, "client_uri"))
		fprintf(f, "    %s: '%s'\n", key, value);
	fclose(f);
	chmod(path, 0600);
}

static void load_one(const char *path, struct sr_config *cfg)
{
	char err[512] = "";
	int rc = sr_config_load_yaml(path, cfg, err, sizeof err);

	if (rc < 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->n, 1);
}

/* Every registration key round-trips: its example, set through YAML, the
 * environment and its flag, reads back the same, and --dump-config writes
 * it so that it loads back the same (secrets: as <redacted>). A row
 * forgotten by any of these paths fails here. */
static void test_option_round_trip(void **state)
{
	char dir[] = "/tmp/sipreg-rt.XXXXXX", path[64], dump[64];
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/rt.yaml", dir);
	snprintf(dump, sizeof dump, "%s/dump.yaml", dir);
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		struct sr_reg ref, def;
		struct sr_run run;
		struct sr_config cfg = {NULL, 0, 0};
		char want[512], none[512], got[512], err[512], var[80], flag[96], *argv[3];
		struct sr_cli cli = {NULL, 0};
		FILE *f;
		size_t j;

		if (o->scope != SR_SC_KEY)
			continue;
		print_message("row %s\n", o->key);
		assert_non_null(o->example);
		/* the reference: the example applied by the table itself */
		sr_reg_defaults(&ref);
		sr_reg_defaults(&def);
		sr_run_defaults(&run);
		assert_int_equal(sr_option_apply(o, o->example, SR_LAYER_ENTRY, &ref, &run, o->key,
						 err, sizeof err),
				 0);
		reg_value(o, &ref, want, sizeof want);
		reg_value(o, &def, none, sizeof none);
		/* an example equal to the default would prove nothing */
		assert_string_not_equal(want, none);

		/* YAML */
		write_yaml(path, o->key, o->example);
		load_one(path, &cfg);
		reg_value(o, &cfg.regs[0], got, sizeof got);
		assert_string_equal(got, want);

		/* --dump-config, loaded back */
		f = fopen(dump, "w");
		assert_non_null(f);
		assert_int_equal(sr_config_dump(f, cfg.regs, 1), 0);
		fclose(f);
		sr_config_free(&cfg);
		if (o->secret) {
			char text[4096], line[128];
			size_t n;

			f = fopen(dump, "r");
			n = fread(text, 1, sizeof text - 1, f);
			fclose(f);
			text[n] = '\0';
			snprintf(line, sizeof line, "%s: <redacted>\n", o->key);
			assert_non_null(strstr(text, line));
			assert_null(strstr(text, want));
		} else {
			chmod(dump, 0600);
			load_one(dump, &cfg);
			reg_value(o, &cfg.regs[0], got, sizeof got);
			assert_string_equal(got, want);
			sr_config_free(&cfg);
		}

		/* SIPREG_<KEY>: not for secrets (password_env is the way) nor name */
		if (!o->secret && o->id != SR_O_NAME) {
			struct sr_reg r;

			snprintf(var, sizeof var, "SIPREG_%s", o->key);
			for (j = 7; var[j]; j++)
				var[j] = (char)toupper((unsigned char)var[j]);
			setenv(var, o->example, 1);
			sr_reg_defaults(&r);
			assert_int_equal(sr_env_apply(&r, &run, err, sizeof err), 0);
			unsetenv(var);
			reg_value(o, &r, got, sizeof got);
			assert_string_equal(got, want);
			sr_reg_free(&r);
		}

		/* --key=value ("name" as a flag picks entries instead) */
		if (o->id != SR_O_NAME) {
			struct sr_reg r;

			snprintf(flag, sizeof flag, "--%s=%s", o->key, o->example);
			for (j = 2; flag[j] && flag[j] != '='; j++)
				if (flag[j] == '_')
					flag[j] = '-';
			/* a watch-only key is a flag of sipregwatch alone */
			unsigned bit =
			    o->tools & SR_TOOL_SIPREG ? SR_TOOL_SIPREG : SR_TOOL_SIPREGWATCH;
			const char *tool = bit == SR_TOOL_SIPREG ? "sipreg" : "sipregwatch";

			assert_true(o->tools & bit);
			argv[0] = strdup(tool);
			argv[1] = strdup(flag);
			argv[2] = NULL;
			assert_int_equal(sr_options_parse(tool, bit, 2, argv, &cli, &run), 0);
			sr_reg_defaults(&r);
			assert_int_equal(sr_cli_apply(&cli, &r, &run, err, sizeof err), 0);
			reg_value(o, &r, got, sizeof got);
			assert_string_equal(got, want);
			sr_cli_free(&cli);
			sr_reg_free(&r);
			free(argv[0]);
			free(argv[1]);
		}
		sr_reg_free(&ref);
		sr_reg_free(&def);
		sr_run_free(&run);
	}
	unlink(path);
	unlink(dump);
	rmdir(dir);
}

/* Defaults come from the table alone: each row's def, parsed. */
static void test_option_defaults(void **state)
{
	struct sr_reg r;
	struct sr_run run;
	size_t i;

	(void)state;
	sr_reg_defaults(&r);
	sr_run_defaults(&run);
	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		char buf[64];
		const char *v;

		if (!o->def)
			continue;
		assert_true(o->in != SR_IN_NONE);
		v = sr_option_format(o, &r, &run, buf, sizeof buf);
		assert_non_null(v);
		if (o->type == SR_OT_ENUM || o->type == SR_OT_CHOICE)
			assert_true(strcasecmp(v, o->def) == 0);
		else if (o->type != SR_OT_BOOL)
			assert_string_equal(v, o->def);
	}
	assert_int_equal(r.expiration, 3600);
	assert_true(r.tls_verify);
	assert_true(r.auth_rejection_permanent);
	assert_true(run.timeout > 9.9 && run.timeout < 10.1);
	sr_reg_free(&r);
	sr_run_free(&run);
}

/* sr_challenge_plan: one row per way a 401/407 is answered or refused. */
static void test_challenge_plan(void **state)
{
	static const char *const answered_a[] = {"a"};
	static const struct {
		const char *www, *proxy; /* header values ('|' between two), NULL: none */
		int answered, pin, ha1, min_sha256;
		enum sr_word word; /* SR_W_NONE: answered */
		const char *alg;   /* of the first realm, when answered */
		size_t nrealms;
		const char *error; /* a part of the message, when refused */
	} rows[] = {
	    {"Digest realm=\"a\", nonce=\"n\"", NULL, 0, 0, 0, 0, SR_W_NONE, NULL, 1, NULL},
	    {"Digest realm=\"a\", nonce=\"n\", algorithm=MD5|Digest realm=\"a\", nonce=\"m\", "
	     "algorithm=SHA-256",
	     NULL, 0, 0, 0, 0, SR_W_NONE, "SHA-256", 1, NULL},
	    {"Digest realm=\"a\", nonce=\"n\"", "Digest realm=\"b\", nonce=\"m\"", 0, 0, 0, 0,
	     SR_W_NONE, NULL, 2, NULL},
	    {NULL, NULL, 0, 0, 0, 0, SR_W_PROTOCOL_ERROR, NULL, 0, "nothing to answer"},
	    {"Digest realm=\"a\", nonce=\"n\"", NULL, 1, 0, 0, 0, SR_W_AUTH_FAILED, NULL, 0,
	     "challenged again"},
	    {"Digest realm=\"a\"", NULL, 0, 0, 0, 0, SR_W_PROTOCOL_ERROR, NULL, 0, "no nonce"},
	    {"Digest nonce=\"n\"", NULL, 0, 0, 0, 0, SR_W_PROTOCOL_ERROR, NULL, 0, "no realm"},
	    {"Bearer realm=\"a\"", NULL, 0, 0, 0, 0, SR_W_PROTOCOL_ERROR, NULL, 0, "non-Digest"},
	    {"Digest realm=\"other\", nonce=\"n\"", NULL, 0, 1, 0, 0, SR_W_AUTH_FAILED, NULL, 0,
	     "pinned realm"},
	    {"Digest realm=\"a\", nonce=\"n\"", NULL, 0, 0, 0, 1, SR_W_PROTOCOL_ERROR, NULL, 0,
	     "no acceptable Digest challenge"},
	    /* a 32-digit HA1 answers MD5 only */
	    {"Digest realm=\"a\", nonce=\"n\", algorithm=SHA-256", NULL, 0, 0, 1, 0,
	     SR_W_PROTOCOL_ERROR, NULL, 0, "HA1 of this length"},
	    {"Digest realm=\"a\", nonce=\"n\", algorithm=SHA-256|Digest realm=\"a\", nonce=\"n\"",
	     NULL, 0, 0, 1, 0, SR_W_NONE, NULL, 1, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		su_home_t home[1] = {SU_HOME_INIT(home)};
		msg_auth_t *www = NULL;
		msg_auth_t *proxy =
		    rows[i].proxy ? sip_proxy_authenticate_make(home, rows[i].proxy) : NULL;
		struct sr_challenge_creds c = {
		    .user = "alice",
		    .password = rows[i].ha1 ? NULL : "secret",
		    .ha1 = rows[i].ha1 ? "0123456789abcdef0123456789abcdef" : NULL,
		    .realm_pin = rows[i].pin ? "a" : NULL,
		    .answered = answered_a,
		    .n_answered = rows[i].answered ? 1 : 0,
		};
		struct sr_challenge_plan plan;
		int rc;

		print_message("row %zu\n", i);
		if (rows[i].www) {
			char *two = su_strdup(home, rows[i].www), *bar = strchr(two, '|');

			if (bar)
				*bar = '\0';
			www = sip_www_authenticate_make(home, two);
			assert_non_null(www);
			if (bar)
				www->au_next = sip_www_authenticate_make(home, bar + 1);
		}
		sr_digest_policy_default(&c.policy);
		if (rows[i].min_sha256)
			c.policy.min = SR_ALG_SHA256;
		rc = sr_challenge_plan(home, proxy ? 407 : 401, www, proxy, &c, &plan);
		assert_int_equal(plan.word, rows[i].word);
		assert_int_equal(rc, rows[i].word == SR_W_NONE ? 0 : -1);
		if (rows[i].error)
			assert_non_null(strstr(plan.error, rows[i].error));
		if (rc == 0) {
			assert_int_equal(plan.nrealms, rows[i].nrealms);
			assert_string_equal(plan.chosen[0].algorithm ? plan.chosen[0].algorithm
								     : "MD5",
					    rows[i].alg ? rows[i].alg : "MD5");
			assert_non_null(plan.raw_realms[0]);
		}
		su_home_deinit(home);
	}
}

/* sr_binding_match: the one rule of "is this binding ours". With an
 * identity (or an instance), a binding is ours only when it carries it,
 * at whatever URI; without either, our URI is. */
static void test_binding_match(void **state)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *ours = url_make(home, "sip:alice@10.0.0.1:5062;transport=tcp;sipreg-id=0123abcd");
	url_t *configured = url_make(home, "sip:bob@pbx.example:5080");
	struct sr_binding_self ident = {
	    .contact = ours, .identity_param = "sipreg-id", .identity = "0123abcd"};
	struct sr_binding_self ob = {
	    .contact = ours,
	    .instance = "urn:uuid:6f0b8a1e-5d2c-4a57-9c1e-2b7e0d3f4a10",
	    .reg_id = "1",
	    .identity_param = "sipreg-id",
	    .identity = "0123abcd",
	};
	struct sr_binding_self uri_only = {.contact = configured};
	static const struct {
		const char *contact;
		enum sr_binding_match ident, ob, uri_only;
	} rows[] = {
	    {"<sip:alice@10.0.0.1:5062;transport=tcp;sipreg-id=0123abcd>", SR_BM_EXACT, SR_BM_EXACT,
	     SR_BM_NONE},
	    {"<sip:alice@10.0.0.1:5062;transport=tcp;sipreg-id=0123abcd;ob>", SR_BM_URI, SR_BM_URI,
	     SR_BM_NONE},
	    /* the registrar rewrote host and port (NAT fix-up): still ours */
	    {"<sip:alice@192.0.2.9:40000;transport=tcp;sipreg-id=0123abcd>", SR_BM_IDENTITY,
	     SR_BM_IDENTITY, SR_BM_NONE},
	    /* our very URI without our identity: another device's */
	    {"<sip:alice@10.0.0.1:5062;transport=tcp>", SR_BM_NONE, SR_BM_NONE, SR_BM_NONE},
	    {"<sip:alice@10.0.0.1:5070>", SR_BM_NONE, SR_BM_NONE, SR_BM_NONE},
	    {"<sip:alice@10.0.0.1:5062;transport=tcp;sipreg-id=ffff0000>", SR_BM_NONE, SR_BM_NONE,
	     SR_BM_NONE},
	    {"<sip:x@198.51.100.1>;+sip.instance=\"<urn:uuid:6f0b8a1e-5d2c-4a57-9c1e-2b7e0d3f4a10>"
	     "\";reg-id=1",
	     SR_BM_NONE, SR_BM_INSTANCE, SR_BM_NONE},
	    {"<sip:x@198.51.100.1>;+sip.instance=\"<urn:uuid:6f0b8a1e-5d2c-4a57-9c1e-2b7e0d3f4a10>"
	     "\";reg-id=2",
	     SR_BM_NONE, SR_BM_NONE, SR_BM_NONE},
	    {"<sip:bob@pbx.example:5080>", SR_BM_NONE, SR_BM_NONE, SR_BM_EXACT},
	    {"<sip:bob@pbx.example:5080;x=1>", SR_BM_NONE, SR_BM_NONE, SR_BM_URI},
	    {"<sip:bob@other.example:5080>", SR_BM_NONE, SR_BM_NONE, SR_BM_NONE},
	};
	sip_contact_t *list = NULL, **tail = &list;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sip_contact_t *m = sip_contact_make(home, rows[i].contact);

		print_message("row %zu\n", i);
		assert_non_null(m);
		assert_int_equal(sr_binding_match(home, m, &ident), rows[i].ident);
		assert_int_equal(sr_binding_match(home, m, &ob), rows[i].ob);
		assert_int_equal(sr_binding_match(home, m, &uri_only), rows[i].uri_only);
		assert_int_equal(sr_binding_ours(home, m, &ident), rows[i].ident != SR_BM_NONE);
		*tail = m;
		tail = &m->m_next;
	}
	/* the best match wins, wherever it stands in the list */
	assert_int_equal(sr_binding_find(home, list, &ident), 0);
	assert_int_equal(sr_binding_find(home, list->m_next->m_next, &ident), 0);
	assert_int_equal(sr_binding_find(home, list->m_next->m_next->m_next, &ident), -1);
	assert_int_equal(sr_binding_find(home, list->m_next->m_next->m_next, &ob), 3);
	assert_int_equal(sr_binding_find(home, list, &uri_only), 8);
	su_home_deinit(home);
}

/* sr_retry_decide: Asterisk's table, row by row, and max_retries at its
 * boundaries for each kind of counted retry. */
static void test_retry_decide(void **state)
{
	static const struct {
		enum sr_word word;
		int status;
		long retry_after;
		unsigned attempts, max_retries, forbidden, fatal;
		int permanent;
		int stop;	 /* 1: rejected */
		double interval; /* otherwise */
		const char *why; /* with stop: a part of it */
	} rows[] = {
	    /* 401/407 after our answer: permanent -> the fatal interval, if any */
	    {SR_W_AUTH_FAILED, 401, -1, 0, 10, 0, 0, 1, 1, 0, "auth_rejection_permanent"},
	    {SR_W_AUTH_FAILED, 401, -1, 0, 10, 0, 30, 1, 0, 30, NULL},
	    {SR_W_AUTH_FAILED, 401, -1, 10, 10, 0, 30, 1, 1, 0, "max_retries"},
	    /* not permanent: temporary, retry_interval */
	    {SR_W_AUTH_FAILED, 407, -1, 0, 10, 0, 30, 0, 0, 60, NULL},
	    {SR_W_AUTH_FAILED, 407, -1, 9, 10, 0, 0, 0, 0, 60, NULL},
	    {SR_W_AUTH_FAILED, 407, -1, 10, 10, 0, 0, 0, 1, 0, "max_retries"},
	    /* 403: forbidden_retry_interval, else the fatal one, else the end */
	    {SR_W_FORBIDDEN, 403, -1, 0, 10, 0, 0, 1, 1, 0, "403"},
	    {SR_W_FORBIDDEN, 403, -1, 0, 10, 0, 45, 1, 0, 45, NULL},
	    {SR_W_FORBIDDEN, 403, -1, 0, 10, 30, 45, 1, 0, 30, NULL},
	    {SR_W_FORBIDDEN, 403, -1, 10, 10, 30, 45, 1, 1, 0, "max_retries"},
	    /* temporary: no answer, 408, 500, 502, 503, 504, 6xx */
	    {SR_W_TIMEOUT, 0, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 408, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 500, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 502, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 503, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 504, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_REJECTED, 603, -1, 0, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_TIMEOUT, 0, -1, 9, 10, 0, 0, 1, 0, 60, NULL},
	    {SR_W_TIMEOUT, 0, -1, 10, 10, 0, 0, 1, 1, 0, "max_retries"},
	    {SR_W_TIMEOUT, 0, -1, 0, 0, 0, 0, 1, 1, 0, "max_retries"},
	    /* every other final failure: fatal_retry_interval, 0 ends */
	    {SR_W_NOT_FOUND, 404, -1, 0, 10, 0, 0, 1, 1, 0, "fatal_retry_interval"},
	    {SR_W_NOT_FOUND, 404, -1, 0, 10, 0, 120, 1, 0, 120, NULL},
	    {SR_W_NOT_FOUND, 404, -1, 9, 10, 0, 120, 1, 0, 120, NULL},
	    {SR_W_NOT_FOUND, 404, -1, 10, 10, 0, 120, 1, 1, 0, "max_retries"},
	    {SR_W_REJECTED, 480, -1, 0, 10, 0, 0, 1, 1, 0, "fatal_retry_interval"},
	    {SR_W_INTERVAL_TOO_BRIEF, 423, -1, 0, 10, 0, 120, 1, 0, 120, NULL},
	    /* errors of ours and of the protocol end at once */
	    {SR_W_PROTOCOL_ERROR, 0, -1, 0, 10, 0, 120, 1, 1, 0, "the error"},
	    {SR_W_CONFIG_ERROR, 0, -1, 0, 10, 0, 120, 1, 1, 0, "the error"},
	    /* Retry-After: honoured, not counted, even past max_retries and
	     * before the permanence of refused credentials */
	    {SR_W_REJECTED, 503, 7, 10, 10, 0, 0, 1, 0, 7, NULL},
	    {SR_W_AUTH_FAILED, 401, 5, 0, 10, 0, 0, 1, 0, 5, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct sr_reg r;
		struct sr_retry_in in = {
		    .word = rows[i].word,
		    .status = rows[i].status,
		    .retry_after = rows[i].retry_after,
		    .attempts = rows[i].attempts,
		    .rand01 = 0.5,
		};
		struct sr_retry_decision d;
		int counted;

		print_message("row %zu\n", i);
		sr_reg_defaults(&r);
		r.max_retries = rows[i].max_retries;
		r.forbidden_retry_interval = rows[i].forbidden;
		r.fatal_retry_interval = rows[i].fatal;
		r.auth_rejection_permanent = rows[i].permanent;
		sr_retry_decide(&r, &in, "the error", &d);
		assert_int_equal(d.stop, rows[i].stop);
		if (d.stop)
			assert_non_null(strstr(d.why, rows[i].why));
		else
			assert_true(fabs(d.interval - rows[i].interval) < 1e-9);
		assert_int_equal(d.retry_after, rows[i].retry_after > 0);
		/* a retry is counted unless it follows a Retry-After */
		counted = !d.stop && rows[i].retry_after <= 0;
		assert_int_equal(d.attempts, rows[i].attempts + (unsigned)counted);
		sr_reg_free(&r);
	}
}

/* Transport failures: JsSIP's doubling, random, within the recovery bounds. */
/* The refresh point: 80 % of a long grant, 40 s before the end of a
 * middling one, half of a short one; spread up to 10 % earlier. */
static void test_refresh_after(void **state)
{
	static const struct {
		long granted;
		double at; /* with rand01 = 0 */
	} t[] = {
	    {3600, 2880}, {600, 480}, {200, 160}, {120, 80}, {90, 50},
	    {60, 30},	  {30, 15},   {10, 5},	  {2, 1},    {1, 0.5},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		double lo = sr_refresh_after(t[i].granted, 0.999999);

		assert_float_equal(sr_refresh_after(t[i].granted, 0), t[i].at, 1e-9);
		assert_true(lo <= t[i].at);
		assert_true(lo >= t[i].at * 0.9 - 1e-6 || lo >= 0.5);
		assert_true(lo < (double)t[i].granted);
	}
}

static void test_retry_backoff(void **state)
{
	struct sr_reg r;
	struct sr_retry_in in = {.word = SR_W_TRANSPORT_ERROR, .retry_after = -1};
	struct sr_retry_decision d;
	unsigned n;

	(void)state;
	sr_reg_defaults(&r); /* recovery 2..30 s */
	for (n = 0; n < 8; n++) {
		in.backoff = n;
		in.rand01 = 0.999999;
		sr_retry_decide(&r, &in, NULL, &d);
		assert_int_equal(d.backoff, n + 1);
		/* the top of [1, 2^(n+1)], clamped to 2..30 */
		assert_true(fabs(d.interval -
				 fmin(30, fmax(2, 1 + 0.999999 * (ldexp(1, (int)n + 1) - 1)))) <
			    1e-6);
		in.rand01 = 0;
		sr_retry_decide(&r, &in, NULL, &d);
		assert_true(fabs(d.interval - 2) < 1e-9);
	}
	in.backoff = 20;
	sr_retry_decide(&r, &in, NULL, &d);
	assert_int_equal(d.backoff, 20);
	sr_reg_free(&r);
}

/* One Nagios renderer: a ' or | in a registration's name neither breaks
 * the text nor the perfdata labels, in sipreg's output and in the watch's
 * --check alike. */
static void test_nagios_render(void **state)
{
	struct sr_result res[2];
	char *buf = NULL, *bar, dir[] = "/tmp/sipreg-ng.XXXXXX", path[64];
	size_t len = 0;
	FILE *f;
	int code;

	(void)state;
	sr_result_init(&res[0]);
	sr_result_init(&res[1]);
	res[0].name = strdup("it's");
	res[0].word = SR_W_REGISTERED;
	res[0].status = 200;
	res[0].t_total = 12;
	res[0].expires_granted = 600;
	res[1].name = strdup("a|b=c");
	res[1].word = SR_W_TIMEOUT;
	res[1].t_total = 2000;
	f = open_memstream(&buf, &len);
	{
		struct sr_nagios_opts no = {.warn = "1"};

		code = sr_output_nagios(f, "sipreg", res, 2, &no);
	}
	fclose(f);
	assert_int_equal(code, 2);
	/* exactly one '|': the one before the perfdata */
	bar = strchr(buf, '|');
	assert_non_null(bar);
	assert_null(strchr(bar + 1, '|'));
	assert_non_null(
	    strstr(buf, "SIPREG CRITICAL - 1 of 2 ok; a/b=c timeout; time 2 s outside -w 1 |"));
	assert_non_null(strstr(buf, " 'time'=2.000s;1;;0"));
	/* each registration's time carries the thresholds too */
	assert_non_null(strstr(buf, " 'it''s time'=0.012s;1;;0"));
	assert_non_null(strstr(buf, " 'it''s expires'=600s;;;0"));
	assert_non_null(strstr(buf, " 'a/b_c time'=2.000s;1;;0"));
	assert_null(strstr(buf, "'a/b_c expires'"));
	free(buf);
	sr_result_free(&res[0]);
	sr_result_free(&res[1]);

	/* the watch's check, from a status file */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/st.json", dir);
	f = fopen(path, "w");
	fprintf(f,
		"{\"updated\": %.3f, \"registrations\": ["
		"{\"name\": \"it's\", \"state\": \"registered\", \"rtt\": 0.5, \"expires\": 60},"
		"{\"name\": \"a|b\", \"state\": \"retry\", \"rtt\": 0, \"expires\": 0}]}",
		sr_wall_now());
	fclose(f);
	buf = NULL;
	f = open_memstream(&buf, &len);
	code = sr_watch_check(f, path, 60, NULL, "0.4", 60, 300, 21);
	fclose(f);
	assert_int_equal(code, 2);
	bar = strchr(buf, '|');
	assert_non_null(bar);
	assert_null(strchr(bar + 1, '|'));
	assert_non_null(strstr(buf, "SIPREGWATCH CRITICAL - 1 of 2 registered, 0 rejected, 1 "
				    "failing: a/b retry; time 0.5 s outside -c 0.4 |"));
	assert_non_null(strstr(buf, " 'registered'=1;;;0;2"));
	assert_non_null(strstr(buf, " 'it''s time'=0.500000s;;0.4;0"));
	assert_non_null(strstr(buf, " 'a/b expires'=0s;;;0"));
	free(buf);
	unlink(path);
	rmdir(dir);
}

/* The Nagios line of one result as TOOL renders it, and its state in st. */
static char *nagios_line(const char *tool, const struct sr_result *r,
			 const struct sr_nagios_opts *no, int *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*st = sr_output_nagios(f, tool, r, 1, no);
	fclose(f);
	return buf;
}

/* The status line's words: an '@' range fires inside, a timeout is said
 * once, --min-expires and a registrar's Min-Expires are in the perfdata,
 * and the line begins with the tool's own name. */
static void test_nagios_texts(void **state)
{
	struct sr_result r;
	char *buf;
	int st;
	struct sr_nagios_opts no = {.warn = "@0:1", .min_expires = 60};

	(void)state;
	sr_result_init(&r);
	r.name = strdup("alice");
	r.word = SR_W_REGISTERED;
	r.status = 200;
	r.t_total = 500;
	r.expires_granted = 600;
	buf = nagios_line("sipauthcheck", &r, &no, &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(buf, "SIPAUTHCHECK WARNING - alice registered"));
	assert_non_null(strstr(buf, "; time 0.5 s inside -w @0:1 |"));
	assert_non_null(strstr(buf, " 'expires'=600s;;60:;0"));
	free(buf);

	r.word = SR_W_TIMEOUT;
	r.status = 0;
	r.t_total = 3000;
	r.expires_granted = -1;
	r.min_expires = 120;
	buf = nagios_line("sipreg", &r, &no, &st);
	assert_int_equal(st, 2);
	assert_non_null(strstr(buf, "SIPREG CRITICAL - alice timeout after 3.0 s"));
	assert_null(strstr(buf, "timeout timeout"));
	assert_non_null(strstr(buf, " 'min_expires'=120s;;;0"));
	free(buf);
	sr_result_free(&r);
}

/* Credentials per realm: each realm of a challenge is answered with the
 * credential that names it, else the one that names none. */
static void test_challenge_realms(void **state)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct sr_cred more[1] = {{.username = "bob", .password = "bob-pw", .realm = (char *)"b"}};
	struct sr_challenge_creds c = {
	    .user = "alice",
	    .password = "alice-pw",
	    .realm_pin = "a",
	    .more = more,
	    .n_more = 1,
	};
	msg_auth_t *www = sip_www_authenticate_make(home, "Digest realm=\"a\", nonce=\"n1\"");
	msg_auth_t *proxy = sip_proxy_authenticate_make(home, "Digest realm=\"b\", nonce=\"n2\"");
	msg_auth_t *other = sip_www_authenticate_make(home, "Digest realm=\"c\", nonce=\"n3\"");
	static const char *const answered_b[] = {"b"};
	struct sr_challenge_plan plan;
	struct sr_challenge_cred cr;

	(void)state;
	sr_digest_policy_default(&c.policy);
	/* WWW for a and Proxy for b in one response: each its own */
	assert_int_equal(sr_challenge_plan(home, 407, www, proxy, &c, &plan), 0);
	assert_int_equal(plan.nrealms, 2);
	assert_int_equal(plan.cred[0], -1);
	assert_int_equal(plan.cred[1], 0);
	sr_challenge_cred(&c, plan.cred[1], &cr);
	assert_string_equal(cr.user, "bob");
	assert_string_equal(cr.password, "bob-pw");
	/* a realm nobody names: refused, saying so */
	assert_int_equal(sr_challenge_plan(home, 401, other, NULL, &c, &plan), -1);
	assert_int_equal(plan.word, SR_W_AUTH_FAILED);
	assert_non_null(strstr(plan.error, "no outbound_auth entry names it"));
	/* the first credential without a realm answers the realms no other names */
	c.realm_pin = NULL;
	assert_int_equal(sr_challenge_plan(home, 401, other, NULL, &c, &plan), 0);
	assert_int_equal(plan.cred[0], -1);
	/* the proxy answered before, now the registrar: a new realm is answered;
	 * the same realm again means refused credentials */
	c.answered = answered_b;
	c.n_answered = 1;
	assert_int_equal(sr_challenge_plan(home, 401, www, NULL, &c, &plan), 0);
	assert_int_equal(sr_challenge_plan(home, 407, NULL, proxy, &c, &plan), -1);
	assert_non_null(strstr(plan.error, "username \"bob\""));
	su_home_deinit(home);
}

static void test_parsers(void **state)
{
	unsigned long u;
	double d;
	int b;

	(void)state;
	assert_int_equal(sr_parse_uint("3600", 100000, &u), 0);
	assert_int_equal(u, 3600);
	assert_int_equal(sr_parse_uint("0", 10, &u), 0);
	assert_int_equal(sr_parse_uint("-1", 10, &u), -1);
	assert_int_equal(sr_parse_uint("11", 10, &u), -1);
	assert_int_equal(sr_parse_uint("1x", 10, &u), -1);
	assert_int_equal(sr_parse_uint("", 10, &u), -1);
	assert_int_equal(sr_parse_uint(" 1", 10, &u), -1);
	assert_int_equal(sr_parse_uint("99999999999999999999999", ~0UL, &u), -1);
	assert_int_equal(sr_parse_seconds("2.5", &d), 0);
	assert_true(d > 2.49 && d < 2.51);
	assert_int_equal(sr_parse_seconds("nan", &d), -1);
	assert_int_equal(sr_parse_seconds("1e9", &d), -1);
	assert_int_equal(sr_parse_seconds("-2", &d), -1);
	assert_int_equal(sr_parse_bool("yes", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(sr_parse_bool("FALSE", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(sr_parse_bool("maybe", &b), -1);
}

static void test_option_apply(void **state)
{
	struct sr_reg r;
	struct sr_run run;
	char err[256];

	(void)state;
	sr_reg_defaults(&r);
	sr_run_defaults(&run);
	assert_int_equal(r.expiration, 3600);
	assert_true(r.tls_verify);
	assert_int_equal(sr_option_apply(sr_option_find("expiration"), "60", SR_LAYER_CLI, &r, &run,
					 "--expiration", err, sizeof err),
			 0);
	assert_int_equal(r.expiration, 60);
	assert_int_equal(sr_option_apply(sr_option_find("expiration"), "soon", SR_LAYER_CLI, &r,
					 &run, "--expiration", err, sizeof err),
			 -1);
	assert_string_equal(err, "--expiration: expected a non-negative integer, got \"soon\"");
	assert_int_equal(sr_option_apply(sr_option_find("transport"), "TCP", SR_LAYER_CLI, &r, &run,
					 "--transport", err, sizeof err),
			 0);
	assert_int_equal(r.transport, SR_TP_TCP);
	assert_int_equal(sr_option_apply(sr_option_find("transport"), "wss", SR_LAYER_CLI, &r, &run,
					 "--transport", err, sizeof err),
			 0);
	assert_int_equal(r.transport, SR_TP_WSS);
	assert_int_equal(sr_option_apply(sr_option_find("server_uri"), "ws://[::1", SR_LAYER_CLI,
					 &r, &run, "--server-uri", err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "without its ']'"));
	assert_int_equal(sr_option_apply(row("host"), "10.0.0.1:5080", SR_LAYER_CLI, &r, &run,
					 "--host", err, sizeof err),
			 0);
	assert_string_equal(r.server_uri, "sip:10.0.0.1:5080");
	assert_int_equal(sr_option_apply(row("insecure"), NULL, SR_LAYER_CLI, &r, &run,
					 "--insecure", err, sizeof err),
			 0);
	assert_false(r.tls_verify);
	assert_int_equal(sr_option_apply(row("timeout"), "0", SR_LAYER_CLI, &r, &run, "--timeout",
					 err, sizeof err),
			 -1);
	sr_reg_free(&r);
}

static void test_redact(void **state)
{
	char l1[256] = "   Authorization: Digest username=\"alice\", realm=\"x\", nonce=\"n\", "
		       "uri=\"sip:x\", response=\"0123456789abcdef0123456789abcdef\", qop=auth";
	char l2[256] = "Proxy-Authorization: Bearer eyJhbGciOi.secret.token";
	char l3[256] = "authorization: digest response=abcdef,username=\"bob\"";
	char l4[256] = "Via: SIP/2.0/UDP 1.2.3.4;response=keep";
	char l5[256] = "Authorization: Basic YWxpY2U6c2VjcmV0";

	(void)state;
	assert_int_equal(sr_redact_line(l1, sizeof l1), 1);
	assert_null(strstr(l1, "0123456789abcdef"));
	assert_non_null(strstr(l1, "response=\"<redacted>\", qop=auth"));
	assert_non_null(strstr(l1, "username=\"alice\""));
	assert_int_equal(sr_redact_line(l2, sizeof l2), 1);
	assert_string_equal(l2, "Proxy-Authorization: Bearer <redacted>");
	assert_int_equal(sr_redact_line(l3, sizeof l3), 1);
	assert_string_equal(l3, "authorization: digest response=\"<redacted>\",username=\"bob\"");
	assert_int_equal(sr_redact_line(l4, sizeof l4), 0);
	assert_string_equal(l4, "Via: SIP/2.0/UDP 1.2.3.4;response=keep");
	assert_int_equal(sr_redact_line(l5, sizeof l5), 1);
	assert_null(strstr(l5, "YWxpY2U6c2VjcmV0"));
}

/* The target of a registration (through proxy when not NULL). */
static void target_via(const char *client, const char *server, const char *proxy,
		       enum sr_transport tp, struct sr_target *t, enum sr_word expect)
{
	struct sr_reg r;
	char err[512] = "";

	sr_reg_defaults(&r);
	r.client_uri = client ? strdup(client) : NULL;
	r.server_uri = server ? strdup(server) : NULL;
	r.outbound_proxy = proxy ? strdup(proxy) : NULL;
	r.transport = tp;
	assert_int_equal(sr_target_build(&r, t, err, sizeof err), expect);
	if (expect != SR_W_NONE)
		assert_true(err[0] != '\0');
	sr_reg_free(&r);
}

static void target_of(const char *client, const char *server, enum sr_transport tp,
		      struct sr_target *t, enum sr_word expect)
{
	target_via(client, server, NULL, tp, t, expect);
}

static void test_target(void **state)
{
	struct sr_target t;

	(void)state;
	target_of("sip:alice@127.0.0.1", NULL, SR_TP_AUTO, &t, SR_W_NONE);
	assert_string_equal(t.aor, "sip:alice@127.0.0.1");
	assert_string_equal(t.aor_user, "alice");
	assert_string_equal(t.registrar, "sip:127.0.0.1");
	assert_int_equal(t.tp, SR_TP_UDP);
	assert_string_equal(t.connect_ip, "127.0.0.1");
	assert_string_equal(t.local_ip, "127.0.0.1");

	target_of("sip:alice@example.com", "sip:127.0.0.1:5080;transport=tcp", SR_TP_AUTO, &t,
		  SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_TCP);
	assert_int_equal(t.port, 5080);
	assert_string_equal(t.registrar, "sip:127.0.0.1:5080;transport=tcp");

	target_of("sip:alice@example.com", "sips:127.0.0.1", SR_TP_AUTO, &t, SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_TLS);
	assert_string_equal(t.registrar, "sips:127.0.0.1");

	target_of("sip:alice@example.com", "sip:127.0.0.1", SR_TP_TLS, &t, SR_W_NONE);
	assert_string_equal(t.registrar, "sip:127.0.0.1;transport=tls");

	target_of("sip:alice@example.com", "sip:[::1]:5060", SR_TP_AUTO, &t, SR_W_NONE);
	assert_string_equal(t.host, "::1");
	assert_string_equal(t.bind_url, "sip:[::1]:0;transport=udp");

	/* localhost: our own look-up, Request-URI keeps the name */
	target_of("sip:alice@example.com", "sip:localhost:5070", SR_TP_AUTO, &t, SR_W_NONE);
	assert_string_equal(t.registrar, "sip:localhost:5070");
	assert_true(t.connect_ip[0] != '\0');
	assert_non_null(strstr(t.proxy, ":5070;transport=udp"));

	target_of("sip:alice@example.com", "sips:127.0.0.1", SR_TP_UDP, &t, SR_W_CONFIG_ERROR);
	target_of("sip:alice@example.com", "sip:127.0.0.1;transport=tcp", SR_TP_UDP, &t,
		  SR_W_CONFIG_ERROR);
	/* WebSocket: JsSIP's URI and the SIP URI of the same server */
	target_of("sip:alice@example.com", "wss://127.0.0.1:8443/sip/ws", SR_TP_AUTO, &t,
		  SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_WSS);
	assert_true(t.tunneled);
	assert_string_equal(t.registrar, "sip:127.0.0.1:8443;transport=wss");
	assert_string_equal(t.ws_path, "/sip/ws");
	assert_string_equal(t.ws_host, "127.0.0.1:8443");
	assert_string_equal(t.bind_url, "sip:127.0.0.1:0;transport=tcp");
	target_of("sip:alice@example.com", "sip:127.0.0.1;transport=ws", SR_TP_AUTO, &t, SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_WS);
	assert_int_equal(t.port, 80);
	assert_string_equal(t.ws_path, "/");
	target_of("sip:alice@example.com", "sips:127.0.0.1;transport=ws", SR_TP_AUTO, &t,
		  SR_W_CONFIG_ERROR);
	target_of("sip:alice@example.com", "ws://127.0.0.1:0/", SR_TP_AUTO, &t, SR_W_CONFIG_ERROR);
	target_of("sip:alice@example.com", "sip:127.0.0.1;transport=sctp", SR_TP_AUTO, &t,
		  SR_W_CONFIG_ERROR);
	target_of("sip:alice@example.com", "sip:127.0.0.1:99999", SR_TP_AUTO, &t,
		  SR_W_CONFIG_ERROR);
	target_of("http://alice@example.com", NULL, SR_TP_AUTO, &t, SR_W_CONFIG_ERROR);
	target_of("sip:example.com", NULL, SR_TP_AUTO, &t, SR_W_CONFIG_ERROR);
	target_of(NULL, NULL, SR_TP_AUTO, &t, SR_W_CONFIG_ERROR);
	target_of("sip:alice@host.invalid", NULL, SR_TP_AUTO, &t, SR_W_DNS_ERROR);
}

/* The outbound proxy is the first hop: its address and ;transport=, the
 * registrar's Request-URI. */
static void proxy_target(const char *server, const char *proxy, enum sr_transport tp,
			 struct sr_target *t, enum sr_word expect)
{
	target_via("sip:alice@example.com", server, proxy, tp, t, expect);
}

static void test_target_proxy(void **state)
{
	struct sr_target t;

	(void)state;
	proxy_target("sip:registrar.example.com", "sip:127.0.0.1:5070;transport=tcp", SR_TP_AUTO,
		     &t, SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_TCP);
	assert_true(t.tunneled);
	assert_int_equal(t.port, 5070);
	assert_string_equal(t.verify_host, "127.0.0.1");
	assert_string_equal(t.registrar, "sip:registrar.example.com");
	proxy_target("sips:registrar.example.com", "sip:127.0.0.1:5071;transport=tls", SR_TP_AUTO,
		     &t, SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_TLS);
	assert_string_equal(t.verify_host, "127.0.0.1");
	/* no ;transport=: the registration's, UDP straight to the proxy */
	proxy_target("sip:registrar.example.com", "sip:127.0.0.1:5072", SR_TP_AUTO, &t, SR_W_NONE);
	assert_int_equal(t.tp, SR_TP_UDP);
	assert_false(t.tunneled);
	assert_string_equal(t.proxy, "sip:127.0.0.1:5072;transport=udp");
	proxy_target("sip:registrar.example.com", "sip:127.0.0.1;transport=tcp", SR_TP_UDP, &t,
		     SR_W_CONFIG_ERROR);
	proxy_target("sip:registrar.example.com", "sip:127.0.0.1;transport=sctp", SR_TP_AUTO, &t,
		     SR_W_CONFIG_ERROR);
	proxy_target("sips:registrar.example.com", "sip:127.0.0.1;transport=tcp", SR_TP_AUTO, &t,
		     SR_W_CONFIG_ERROR);
}

static void test_hosts_lookup(void **state)
{
	char path[] = "/tmp/sipreg-hosts-XXXXXX", ip[64];
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n"
	      "10.1.2.3  registrar.lab  reg # trailing\n",
	      f);
	fclose(f);
	assert_int_equal(sr_hosts_lookup(path, "registrar.lab", 0, ip, sizeof ip), 0);
	assert_string_equal(ip, "10.1.2.3");
	assert_int_equal(sr_hosts_lookup(path, "REG", 0, ip, sizeof ip), 0);
	assert_int_equal(sr_hosts_lookup(path, "localhost", AF_INET6, ip, sizeof ip), 0);
	assert_string_equal(ip, "::1");
	assert_int_equal(sr_hosts_lookup(path, "ip6-localhost", AF_INET, ip, sizeof ip), -1);
	assert_int_equal(sr_hosts_lookup(path, "trailing", 0, ip, sizeof ip), -1);
	assert_int_equal(sr_hosts_lookup(path, "nothere", 0, ip, sizeof ip), -1);
	unlink(path);
}

static void test_secret_file(void **state)
{
	char path[] = "/tmp/sipreg-pw-XXXXXX", err[512];
	char *pw = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "p:a\"s s\\w\xc3\xa4\n", 12), 12);
	close(fd);
	chmod(path, 0600);
	assert_int_equal(sr_secret_read_file(path, &pw, err, sizeof err), 0);
	assert_string_equal(pw, "p:a\"s s\\w\xc3\xa4");
	sr_secret_free(&pw);
	assert_null(pw);
	chmod(path, 0640);
	assert_int_equal(sr_secret_read_file(path, &pw, err, sizeof err), -1);
	assert_non_null(strstr(err, "chmod 600"));
	assert_null(strstr(err, "p:a"));
	chmod(path, 0600);
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	assert_int_equal(sr_secret_read_file(path, &pw, err, sizeof err), -1);
	assert_non_null(strstr(err, "empty"));
	unlink(path);
	assert_int_equal(sr_secret_read_file(path, &pw, err, sizeof err), -1);
}

static void test_secret_env(void **state)
{
	char err[256];
	char *pw = NULL;

	(void)state;
	setenv("SIPREG_UNIT_PW", "s3cret", 1);
	assert_int_equal(sr_secret_from_env("SIPREG_UNIT_PW", &pw, err, sizeof err), 0);
	assert_string_equal(pw, "s3cret");
	assert_null(getenv("SIPREG_UNIT_PW"));
	sr_secret_free(&pw);
	assert_int_equal(sr_secret_from_env("SIPREG_UNIT_PW", &pw, err, sizeof err), -1);
}

static void test_json_render(void **state)
{
	struct sr_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc, *res, *b;
	json_error_t je;

	(void)state;
	sr_result_init(&r);
	r.mode = SR_MODE_REGISTER;
	r.transport = SR_TP_TCP;
	sr_setstr(&r.name, "trunk");
	sr_setstr(&r.aor, "sip:alice@example.com");
	r.word = SR_W_REGISTERED;
	r.status = 200;
	sr_setstr(&r.reason, "OK");
	r.expires_requested = 600;
	r.expires_granted = 300;
	r.bindings = calloc(1, sizeof *r.bindings);
	r.n_bindings = 1;
	r.bindings[0].uri = strdup("sip:alice@10.0.0.1:5060");
	r.bindings[0].expires = 300;
	r.bindings[0].q = strdup("0.5");
	r.bindings[0].reg_id = strdup("1");
	r.bindings[0].own = true;
	sr_strv_add(&r.service_route, "<sip:orig@10.0.0.9;lr>");
	r.t_total = 5;
	assert_int_equal(sr_output_render(f, "sipreg", SR_OUT_JSON, 0, &r, 1, 0), 0);
	fclose(f);
	doc = json_loads(buf, 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "tool")), "sipreg");
	assert_int_equal(json_integer_value(json_object_get(doc, "exit_code")), 0);
	res = json_array_get(json_object_get(doc, "results"), 0);
	assert_true(json_is_true(json_object_get(res, "ok")));
	assert_string_equal(json_string_value(json_object_get(res, "transport")), "tcp");
	assert_true(json_is_null(json_object_get(res, "error")));
	assert_true(json_is_null(json_object_get(res, "contact")));
	b = json_array_get(json_object_get(res, "bindings"), 0);
	assert_true(json_is_true(json_object_get(b, "own")));
	assert_int_equal(json_integer_value(json_object_get(b, "reg_id")), 1);
	assert_true(json_real_value(json_object_get(b, "q")) == 0.5);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(res, "service_route"), 0)),
	    "<sip:orig@10.0.0.9;lr>");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(res, "timing_ms"), "total")), 5);
	json_decref(doc);
	free(buf);
	sr_result_free(&r);
}

static void test_text_render(void **state)
{
	struct sr_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	sr_result_init(&r);
	sr_setstr(&r.name, "trunk");
	r.word = SR_W_AUTH_FAILED;
	r.status = 401;
	sr_setstr(&r.reason, "Unauthorized");
	sr_setstr(&r.error, "credentials refused");
	assert_int_equal(sr_output_render(f, "sipreg", SR_OUT_TEXT, 0, &r, 1, 77), 0);
	fclose(f);
	assert_non_null(strstr(buf, "trunk: auth_failed (401 Unauthorized)"));
	assert_non_null(strstr(buf, ": credentials refused\n"));
	free(buf);
	sr_result_free(&r);
}

/* RFC 2617 section 3.5 */
static void test_digest_rfc2617(void **state)
{
	char out[129];

	(void)state;
	assert_int_equal(
	    sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_MD5,
						      .user = "Mufasa",
						      .realm = "testrealm@host.com",
						      .password = "Circle Of Life",
						      .method = "GET",
						      .uri = "/dir/index.html",
						      .nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
						      .cnonce = "0a4f113b",
						      .nc = "00000001",
						      .qop = "auth"},
			       out, sizeof out),
	    0);
	assert_string_equal(out, "6629fae49393a05397450978507c4ef1");
	/* RFC 2069 form: no qop, no cnonce */
	assert_int_equal(sr_digest_response(
			     &(struct sr_digest_in){.alg = SR_ALG_MD5,
						    .user = "Mufasa",
						    .realm = "testrealm@host.com",
						    .password = "Circle Of Life",
						    .method = "GET",
						    .uri = "/dir/index.html",
						    .nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"},
			     out, sizeof out),
			 0);
	/* computed independently: MD5(HA1 ":" nonce ":" HA2) */
	assert_string_equal(out, "670fd8c2df070c60b045671b8b24ff02");
}

/* RFC 7616 section 3.9.1 */
static void test_digest_rfc7616(void **state)
{
	const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	char out[129], ha1[129];

	(void)state;
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_MD5,
								   .user = "Mufasa",
								   .realm = "http-auth@example.org",
								   .password = "Circle of Life",
								   .method = "GET",
								   .uri = "/dir/index.html",
								   .nonce = nonce,
								   .cnonce = cnonce,
								   .nc = "00000001",
								   .qop = "auth"},
					    out, sizeof out),
			 0);
	assert_string_equal(out, "8ca523f5e9506fed4657c9700eebdbec");
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_SHA256,
								   .user = "Mufasa",
								   .realm = "http-auth@example.org",
								   .password = "Circle of Life",
								   .method = "GET",
								   .uri = "/dir/index.html",
								   .nonce = nonce,
								   .cnonce = cnonce,
								   .nc = "00000001",
								   .qop = "auth"},
					    out, sizeof out),
			 0);
	assert_string_equal(out,
			    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	/* the same through a precomputed HA1 */
	assert_int_equal(sr_digest_ha1(SR_ALG_SHA256, "Mufasa", "http-auth@example.org",
				       "Circle of Life", ha1, sizeof ha1),
			 0);
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_SHA256,
								   .user = "Mufasa",
								   .realm = "http-auth@example.org",
								   .ha1_hex = ha1,
								   .method = "GET",
								   .uri = "/dir/index.html",
								   .nonce = nonce,
								   .cnonce = cnonce,
								   .nc = "00000001",
								   .qop = "auth"},
					    out, sizeof out),
			 0);
	assert_string_equal(out,
			    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	/* an HA1 of the wrong length is refused */
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_MD5,
								   .user = "Mufasa",
								   .realm = "x",
								   .ha1_hex = ha1,
								   .method = "GET",
								   .uri = "/",
								   .nonce = nonce,
								   .cnonce = cnonce,
								   .nc = "00000001",
								   .qop = "auth"},
					    out, sizeof out),
			 -1);
}

static void test_digest_sess_int_512(void **state)
{
	char a[129], b[129], ha1[129], ha1s[129], ha2[129], hb[129];

	(void)state;
	/* SHA-512-256 yields 64 hex digits and differs from SHA-256 */
	assert_int_equal(sr_digest_ha1(SR_ALG_SHA512_256, "u", "r", "p", a, sizeof a), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(sr_digest_ha1(SR_ALG_SHA256, "u", "r", "p", b, sizeof b), 0);
	assert_string_not_equal(a, b);
	/* SHA-512/256 of "abc" (FIPS 180-4 example) through the join of one part */
	assert_int_equal(sr_digest_ha1(SR_ALG_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life",
				       ha1, sizeof ha1),
			 0);
	assert_string_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
	/* -sess: HA1 = H(H(u:r:p):nonce:cnonce); check against a hand-built chain */
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_MD5,
								   .sess = true,
								   .user = "Mufasa",
								   .realm = "testrealm@host.com",
								   .password = "Circle Of Life",
								   .method = "REGISTER",
								   .uri = "sip:x",
								   .nonce = "n1",
								   .cnonce = "c1",
								   .nc = "00000001",
								   .qop = "auth"},
					    a, sizeof a),
			 0);
	{
		char tmp[200];

		snprintf(tmp, sizeof tmp, "%s", ha1);
		assert_int_equal(sr_digest_ha1(SR_ALG_MD5, tmp, "n1", "c1", ha1s, sizeof ha1s), 0);
		assert_int_equal(
		    sr_digest_ha1(SR_ALG_MD5, "REGISTER", "sip:x", "", ha2, sizeof ha2), 0);
	}
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_MD5,
								   .user = "x",
								   .realm = "y",
								   .ha1_hex = ha1s,
								   .method = "REGISTER",
								   .uri = "sip:x",
								   .nonce = "n1",
								   .cnonce = "c1",
								   .nc = "00000001",
								   .qop = "auth"},
					    b, sizeof b),
			 0);
	assert_string_equal(a, b);
	/* auth-int hashes the body: differs from auth, and from another body */
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_SHA256,
								   .user = "u",
								   .realm = "r",
								   .password = "p",
								   .method = "REGISTER",
								   .uri = "sip:x",
								   .nonce = "n",
								   .cnonce = "c",
								   .nc = "00000001",
								   .qop = "auth-int",
								   .body = "body",
								   .bodylen = 4},
					    a, sizeof a),
			 0);
	assert_int_equal(sr_digest_response(&(struct sr_digest_in){.alg = SR_ALG_SHA256,
								   .user = "u",
								   .realm = "r",
								   .password = "p",
								   .method = "REGISTER",
								   .uri = "sip:x",
								   .nonce = "n",
								   .cnonce = "c",
								   .nc = "00000001",
								   .qop = "auth-int",
								   .body = "bodY",
								   .bodylen = 4},
					    b, sizeof b),
			 0);
	assert_string_not_equal(a, b);
	(void)hb;
}

static void test_digest_passwords_any_bytes(void **state)
{
	char a[129], b[129];

	(void)state;
	/* ':' quotes, backslash, spaces, UTF-8 go into the hash as they are */
	assert_int_equal(
	    sr_digest_ha1(SR_ALG_MD5, "carol", "r", "a:b\"c\\d e\xc3\xa4", a, sizeof a), 0);
	assert_int_equal(sr_digest_ha1(SR_ALG_MD5, "carol", "r", "a:b", b, sizeof b), 0);
	assert_string_not_equal(a, b);
}

static void test_digest_choose(void **state)
{
	struct sr_digest_policy p;
	struct sr_offer o[4];
	char err[128];

	(void)state;
	memset(o, 0, sizeof o);
	o[0] = (struct sr_offer){"Digest", "r", "n1", NULL, "MD5", "auth", false};
	o[1] = (struct sr_offer){"Digest", "r", "n2", NULL, "SHA-256", "auth", false};
	o[2] = (struct sr_offer){"Digest", "r", "n3", NULL, "SHA-1", "auth", false};
	o[3] = (struct sr_offer){"Foo", "r", "n4", NULL, NULL, NULL, false};
	sr_digest_policy_default(&p);
	assert_int_equal(sr_digest_choose(o, 4, &p), 1);
	assert_int_equal(sr_digest_choose(o, 1, &p), 0);
	assert_int_equal(sr_digest_parse_prefs("MD5, SHA-256", &p, err, sizeof err), 0);
	assert_int_equal(sr_digest_choose(o, 4, &p), 0);
	p.min = SR_ALG_SHA256;
	assert_int_equal(sr_digest_choose(o, 1, &p), -1);
	assert_int_equal(sr_digest_choose(o, 4, &p), 1);
	/* an MD5 HA1 (32 hex) rules out SHA-256 */
	sr_digest_policy_default(&p);
	p.ha1_hexlen = 32;
	assert_int_equal(sr_digest_choose(o, 4, &p), 0);
	/* no algorithm means MD5; qop without auth or auth-int is unusable */
	o[0].algorithm = NULL;
	o[0].qop = "auth-conf";
	p.ha1_hexlen = 0;
	assert_int_equal(sr_digest_choose(o, 1, &p), -1);
	o[0].qop = NULL;
	assert_int_equal(sr_digest_choose(o, 1, &p), 0);
	o[0].nonce = NULL;
	assert_int_equal(sr_digest_choose(o, 1, &p), -1);
	assert_int_equal(sr_digest_parse_prefs("SHA-256, SHA-1", &p, err, sizeof err), -1);
	assert_non_null(strstr(err, "SHA-1"));
	assert_int_equal(sr_digest_alg_parse("sha-512-256-SESS", NULL), SR_ALG_SHA512_256);
	assert_true(sr_digest_qop_has("auth-int, auth", "auth"));
	assert_false(sr_digest_qop_has("auth-int", "auth"));
}

static const char *srcdir(void)
{
	const char *d = getenv("SIPREG_SRCDIR");

	return d ? d : "..";
}

/* The first line of a fixture: "# expect: MESSAGE" or "# expect-count: N". */
static void fixture_expect(const char *path, char *expect, size_t len, long *count)
{
	char line[512] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	expect[0] = '\0';
	*count = -1;
	if (!strncmp(line + 2, "expect: ", 8))
		snprintf(expect, len, "%s", line + 10);
	else if (!strncmp(line + 2, "expect-count: ", 14))
		*count = strtol(line + 16, NULL, 10);
}

/* Load a fixture as sipreg would: the file, then every registration's own
 * checks. Returns 0 or -1 with err. */
static int load_fixture(const char *path, int pjsip, struct sr_config *cfg, char *err, size_t len)
{
	size_t i;

	if ((pjsip ? sr_pjsip_load(path, cfg, err, len)
		   : sr_config_load_yaml(path, cfg, err, len)) < 0)
		return -1;
	for (i = 0; i < cfg->n; i++)
		if (sr_reg_validate(&cfg->regs[i], err, len) < 0)
			return -1;
	return 0;
}

static void run_fixture_dir(const char *sub, const char *ext, int pjsip, int good)
{
	char dir[1024], path[2048], expect[512], err[1024];
	struct dirent *de;
	DIR *d;
	int seen = 0;

	snprintf(dir, sizeof dir, "%s/tests/fixtures/%s/%s", srcdir(), sub, good ? "good" : "bad");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct sr_config cfg = {NULL, 0, 0};
		size_t elen = strlen(de->d_name);
		long count;
		int rc;

		if (elen < strlen(ext) || strcmp(de->d_name + elen - strlen(ext), ext))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		fixture_expect(path, expect, sizeof expect, &count);
		err[0] = '\0';
		rc = load_fixture(path, pjsip, &cfg, err, sizeof err);
		if (good) {
			if (rc < 0)
				print_error("%s: %s\n", de->d_name, err);
			assert_int_equal(rc, 0);
			assert_int_equal((long)cfg.n, count);
		} else {
			if (rc == 0 || !strstr(err, expect))
				print_error("%s: expected \"%s\", got \"%s\"\n", de->d_name, expect,
					    err);
			assert_int_equal(rc, -1);
			assert_true(expect[0] != '\0');
			assert_non_null(strstr(err, expect));
			/* every message names the file */
			assert_non_null(strstr(err, de->d_name));
		}
		sr_config_free(&cfg);
		seen++;
	}
	closedir(d);
	assert_true(seen > 0);
}

static void test_yaml_good(void **state)
{
	(void)state;
	run_fixture_dir("config", ".yaml", 0, 1);
}

static void test_yaml_bad(void **state)
{
	(void)state;
	run_fixture_dir("config", ".yaml", 0, 0);
}

static void test_pjsip_good(void **state)
{
	(void)state;
	run_fixture_dir("pjsip", ".conf", 1, 1);
}

static void test_pjsip_bad(void **state)
{
	(void)state;
	run_fixture_dir("pjsip", ".conf", 1, 0);
}

static void test_yaml_values(void **state)
{
	struct sr_config cfg = {NULL, 0, 0};
	char path[1024], err[1024];
	const struct sr_reg *a, *b;

	(void)state;
	snprintf(path, sizeof path, "%s/tests/fixtures/config/good/list.yaml", srcdir());
	assert_int_equal(sr_config_load_yaml(path, &cfg, err, sizeof err), 0);
	a = &cfg.regs[0];
	b = &cfg.regs[1];
	assert_string_equal(a->name, "trunk-a");
	assert_int_equal(a->transport, SR_TP_TCP); /* from defaults: */
	assert_int_equal(a->expiration, 600);	   /* from defaults: */
	assert_int_equal(b->expiration, 120);	   /* the entry wins, alias spelling */
	assert_string_equal(b->client_uri, "sip:bob@example.com");
	assert_string_equal(a->password_file,
			    "/etc/sipreg/alice.pw"); /* outbound_auth: in defaults */
	assert_int_equal(a->extra_headers.n, 2);
	assert_string_equal(a->extra_headers.v[1], "X-B: 2");
	assert_int_equal(a->max_retries, 10); /* built-in default */
	assert_non_null(strstr(a->origin, "list.yaml:7:5"));
	sr_config_free(&cfg);

	snprintf(path, sizeof path, "%s/tests/fixtures/pjsip/good/basic.conf", srcdir());
	assert_int_equal(sr_pjsip_load(path, &cfg, err, sizeof err), 0);
	a = &cfg.regs[0];
	assert_string_equal(a->name, "trunk");
	assert_int_equal(a->transport, SR_TP_TLS); /* from the transport section */
	assert_int_equal(a->expiration, 600);	   /* from the template */
	assert_int_equal(a->retry_interval, 30);
	assert_string_equal(a->contact_user, "s"); /* Asterisk's default */
	assert_string_equal(a->username, "1234");
	assert_string_equal(a->ha1, "0123456789abcdef0123456789abcdef");
	assert_string_equal(a->realm, "sip.example.com");
	assert_int_equal(a->security_mechanisms.n, 2); /* a repeated key */
	assert_true(a->line);			       /* from the #include */
	assert_string_equal(a->endpoint, "trunk-endpoint");
	assert_string_equal(cfg.regs[1].contact_user, "5678");
	sr_config_free(&cfg);
}

static void test_nagios_ranges(void **state)
{
	(void)state;
	/* monitoring-plugins: alert when outside start..end; @ inverts */
	assert_int_equal(sr_range_alert("10", 5), 0);
	assert_int_equal(sr_range_alert("10", 11), 1);
	assert_int_equal(sr_range_alert("10", -1), 1);
	assert_int_equal(sr_range_alert("10:", 9), 1);
	assert_int_equal(sr_range_alert("10:", 1e9), 0);
	assert_int_equal(sr_range_alert("~:10", -1e9), 0);
	assert_int_equal(sr_range_alert("~:10", 10.5), 1);
	assert_int_equal(sr_range_alert("10:20", 15), 0);
	assert_int_equal(sr_range_alert("10:20", 21), 1);
	assert_int_equal(sr_range_alert("@10:20", 15), 1);
	assert_int_equal(sr_range_alert("@10:20", 25), 0);
	assert_int_equal(sr_range_alert("0.5", 0.6), 1);
	assert_int_equal(sr_range_alert("20:10", 15), -1);
	assert_int_equal(sr_range_alert("abc", 1), -1);
	assert_int_equal(sr_range_alert("1:x", 1), -1);
}

static void test_shell_quote(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	sr_shell_quote(f, "it's $(x) `y`");
	fclose(f);
	assert_string_equal(buf, "'it'\\''s $(x) `y`'");
	free(buf);
}

static void test_option_suggest(void **state)
{
	(void)state;
	assert_string_equal(sr_option_suggest("retry_intervall"), "retry_interval");
	assert_string_equal(sr_option_suggest("client-uri"), "client_uri");
	assert_string_equal(sr_option_suggest("registrar_sever"), "registrar_server");
	assert_null(sr_option_suggest("completely_unrelated_thing"));
}

/* Random bytes from the pool: draws differ, and a draw longer than the
 * pool, or across its refill, is filled whole. */
static void test_random_bytes(void **state)
{
	unsigned char a[16], b[16], big[1000], zero[16] = {0};
	size_t i, zeros = 0;
	int k;

	(void)state;
	assert_int_equal(sr_random_bytes(a, sizeof a), 0);
	assert_int_equal(sr_random_bytes(b, sizeof b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	assert_memory_not_equal(a, zero, sizeof a);
	for (k = 0; k < 40; k++) { /* 40 x 7 bytes cross the pool's end */
		memset(a, 0, sizeof a);
		assert_int_equal(sr_random_bytes(a, 7), 0);
		assert_memory_not_equal(a, zero, 7);
	}
	memset(big, 0, sizeof big);
	assert_int_equal(sr_random_bytes(big, sizeof big), 0);
	for (i = 0; i < sizeof big; i++)
		zeros += big[i] == 0;
	/* about 4 of 1000 are 0 by chance; a part left unfilled is hundreds */
	assert_true(zeros < 40);
	assert_memory_not_equal(big, big + 256, 256);
	assert_memory_not_equal(big + 256, big + 512, 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_random_bytes),
	    cmocka_unit_test(test_nagios_texts),
	    cmocka_unit_test(test_exit_worst),
	    cmocka_unit_test(test_option_find),
	    cmocka_unit_test(test_option_table_consistent),
	    cmocka_unit_test(test_parsers),
	    cmocka_unit_test(test_option_apply),
	    cmocka_unit_test(test_option_round_trip),
	    cmocka_unit_test(test_option_defaults),
	    cmocka_unit_test(test_challenge_plan),
	    cmocka_unit_test(test_challenge_realms),
	    cmocka_unit_test(test_binding_match),
	    cmocka_unit_test(test_retry_decide),
	    cmocka_unit_test(test_retry_backoff),
	    cmocka_unit_test(test_refresh_after),
	    cmocka_unit_test(test_nagios_render),
	    cmocka_unit_test(test_redact),
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_target_proxy),
	    cmocka_unit_test(test_hosts_lookup),
	    cmocka_unit_test(test_secret_file),
	    cmocka_unit_test(test_secret_env),
	    cmocka_unit_test(test_json_render),
	    cmocka_unit_test(test_text_render),
	    cmocka_unit_test(test_digest_rfc2617),
	    cmocka_unit_test(test_digest_rfc7616),
	    cmocka_unit_test(test_digest_sess_int_512),
	    cmocka_unit_test(test_digest_passwords_any_bytes),
	    cmocka_unit_test(test_digest_choose),
	    cmocka_unit_test(test_yaml_good),
	    cmocka_unit_test(test_yaml_bad),
	    cmocka_unit_test(test_pjsip_good),
	    cmocka_unit_test(test_pjsip_bad),
	    cmocka_unit_test(test_yaml_values),
	    cmocka_unit_test(test_option_suggest),
	    cmocka_unit_test(test_nagios_ranges),
	    cmocka_unit_test(test_shell_quote),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
