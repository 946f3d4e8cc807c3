/* SPDX-License-Identifier: BSD-2-Clause */
/* The registrations of a run: what the loaders (YAML, pjsip.conf) add,
 * the environment and the flags laid over each, and the checks that need
 * the whole registration. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cli.h"
#include "config/confbuild.h"
#include "config/conffile.h"
#include "config/options.h"
#include "config/pjsipconf.h"
#include "config/regset.h"
#include "model/exitcode.h"
#include "proto/shard.h"
#include "proto/target.h"
#include "util/log.h"

/* Several credentials: each complete, one per realm, at most one without
 * a realm (it answers the realms no other names). */
static int validate_more_auth(const struct sr_reg *r, const char *where, char *err, size_t errlen)
{
	size_t i, j, no_realm = r->realm ? 0 : 1;

	for (i = 0; i < r->n_more_auth; i++) {
		const struct sr_cred *c = &r->more_auth[i];
		int pw = c->password || c->password_file || c->password_env;

		if (pw == !!c->ha1) {
			snprintf(err, errlen,
				 "%soutbound_auth entry %zu: give a password (or its file or "
				 "variable) or an ha1, one of them",
				 where, i + 2);
			return -1;
		}
		if (c->ha1 && !c->realm) {
			snprintf(err, errlen,
				 "%soutbound_auth entry %zu: ha1 is bound to a realm: give "
				 "realm with it",
				 where, i + 2);
			return -1;
		}
		no_realm += c->realm ? 0 : 1;
		for (j = 0; c->realm && j <= i; j++) {
			const char *other = j == 0 ? r->realm : r->more_auth[j - 1].realm;

			if (other && !strcmp(other, c->realm)) {
				snprintf(err, errlen,
					 "%soutbound_auth: two credentials for realm \"%s\"", where,
					 c->realm);
				return -1;
			}
		}
	}
	if (r->n_more_auth && no_realm > 1) {
		snprintf(err, errlen,
			 "%soutbound_auth: %zu credentials without a realm; give each but "
			 "one the realm it answers",
			 where, no_realm);
		return -1;
	}
	return 0;
}

int sr_reg_validate(const struct sr_reg *r, char *err, size_t errlen)
{
	char where[700];

	if (r->origin)
		snprintf(where, sizeof where, "%s: registration \"%s\": ", r->origin,
			 r->name ? r->name : "?");
	else
		where[0] = '\0';
	if (!r->client_uri) {
		snprintf(err, errlen, "%sno client_uri (the address of record: sip:user@domain)",
			 where);
		return -1;
	}
	if ((r->password || r->password_file || r->password_env) && r->ha1) {
		snprintf(err, errlen, "%sboth password and ha1 are given: keep one", where);
		return -1;
	}
	if (r->ha1 && !r->realm) {
		snprintf(err, errlen, "%sha1 is bound to a realm: give realm with it", where);
		return -1;
	}
	if (validate_more_auth(r, where, err, errlen) < 0)
		return -1;
	if (r->line && !r->endpoint) {
		snprintf(err, errlen, "%sline needs endpoint (the endpoint its calls belong to)",
			 where);
		return -1;
	}
	if (r->connection_recovery_min_interval > r->connection_recovery_max_interval) {
		snprintf(err, errlen,
			 "%sconnection_recovery_min_interval (%u) is above "
			 "connection_recovery_max_interval (%u)",
			 where, r->connection_recovery_min_interval,
			 r->connection_recovery_max_interval);
		return -1;
	}
	if (r->keep_alive_interval > 3600) {
		snprintf(err, errlen,
			 "%skeep_alive_interval: expected 0 (none) to 3600 seconds, got %u", where,
			 r->keep_alive_interval);
		return -1;
	}
	if (r->security_mechanisms.n &&
	    (!r->security_negotiation || strcmp(r->security_negotiation, "mediasec"))) {
		snprintf(err, errlen, "%ssecurity_mechanisms needs security_negotiation: mediasec",
			 where);
		return -1;
	}
	if ((r->tls_cert == NULL) != (r->tls_key == NULL)) {
		snprintf(err, errlen, "%stls_cert and tls_key go together", where);
		return -1;
	}
	return 0;
}

/* The flags set the key (any spelling of it). */
static int cli_has(const struct sr_cli *cli, const char *key)
{
	size_t i;

	for (i = 0; i < cli->n; i++)
		if (!strcmp(cli->items[i].o->key, key))
			return 1;
	return 0;
}
int sr_config_build(const char *tool, const struct sr_cli *cli, struct sr_run *run,
		    struct sr_config *cfg)
{
	char err[1024];
	const char *file = run->config_file, *env = getenv("SIPREG_CONFIG");
	size_t i;

	if (!file && !run->pjsip_conf && !cli_has(cli, "client_uri") && env && *env)
		file = env;
	if (file && sr_config_load_yaml(file, cfg, err, sizeof err) < 0) {
		sr_err("%s", err);
		return SR_EXIT_CONFIG;
	}
	if (run->pjsip_conf && sr_pjsip_load(run->pjsip_conf, cfg, err, sizeof err) < 0) {
		sr_err("%s", err);
		return SR_EXIT_CONFIG;
	}
	if (!file && !run->pjsip_conf) {
		struct sr_reg reg;

		if (run->names.n) {
			sr_err("-n/--name picks registrations of a file: give -f FILE");
			return SR_EXIT_USAGE;
		}
		sr_reg_defaults(&reg);
		if (sr_config_add(cfg, &reg) < 0)
			return SR_EXIT_INTERNAL;
	}
	if (sr_config_select(cfg, &run->names, err, sizeof err) < 0) {
		sr_err("%s%s%s", file ? file : run->pjsip_conf, ": ", err);
		return SR_EXIT_CONFIG;
	}
	if (run->shard && sr_shard_parse(run->shard, &run->shard_k, &run->shard_n) == 0)
		sr_config_shard(cfg, run->shard_k, run->shard_n);
	for (i = 0; i < cfg->n; i++) {
		struct sr_reg *r = &cfg->regs[i];
		struct sr_target t;

		if (sr_env_apply(r, run, err, sizeof err) < 0) {
			sr_err("environment: %s", err);
			return SR_EXIT_CONFIG;
		}
		if (sr_cli_apply(cli, r, run, err, sizeof err) < 0) {
			sr_err("%s", err);
			return SR_EXIT_USAGE;
		}
		/* --print-ha1 is offline: it checks what it needs itself */
		if (run->print_ha1)
			continue;
		if (!r->client_uri && !r->origin) {
			sr_err("no address of record: give -u/--client-uri sip:user@domain (or -f "
			       "FILE)");
			fprintf(stderr, "Try '%s --help' for more information.\n", tool);
			return SR_EXIT_USAGE;
		}
		/* Expires 0 removes: asking to register with it would report
		 * "registered" with nothing registered */
		if (r->expiration == 0 &&
		    (run->mode == SR_MODE_REGISTER || run->mode == SR_MODE_PROBE)) {
			int flag = cli_has(cli, "expiration");

			sr_err("%s%sexpiration 0 would remove the binding, not register it: use "
			       "sipunreg to remove bindings",
			       flag || !r->origin ? "" : r->origin, flag || !r->origin ? "" : ": ");
			return flag ? SR_EXIT_USAGE : SR_EXIT_CONFIG;
		}
		if (sr_reg_validate(r, err, sizeof err) < 0) {
			sr_err("%s", err);
			return SR_EXIT_CONFIG;
		}
		/* URI and transport combinations: no packet is sent for this */
		if (sr_target_build(r, &t, err, sizeof err) == SR_W_CONFIG_ERROR) {
			if (r->origin)
				sr_err("%s: registration \"%s\": %s", r->origin, r->name, err);
			else
				sr_err("%s", err);
			return SR_EXIT_CONFIG;
		}
		if (!r->name && r->client_uri)
			sr_setstr(&r->name, r->client_uri);
	}
	return 0;
}
