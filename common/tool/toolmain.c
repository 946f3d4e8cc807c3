/* SPDX-License-Identifier: BSD-2-Clause */
/* The shared main of sipreg, sipunreg and sipauthcheck: parse, build the
 * registrations, load secrets, run, render, exit. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cli.h"
#include "config/confbuild.h"
#include "config/conffile.h"
#include "config/options.h"
#include "config/regset.h"
#include "engine/engine.h"
#include "engine/oneshot.h"
#include "model/exitcode.h"
#include "model/result.h"
#include "model/secrets.h"
#include "proto/digest.h"
#include "report/nagios.h"
#include "report/output.h"
#include "tool/toolmain.h"
#include "tunnel/hepout.h"
#include "tunnel/keylog.h"
#include "util/log.h"
#include "util/util.h"

/* sipauthcheck --print-ha1: offline, no server. */
static int print_ha1(const char *tool, const struct sr_reg *r, const struct sr_run *run)
{
	enum sr_digest_alg alg = sr_digest_alg_parse(run->algorithm ? run->algorithm : "MD5", NULL);
	const char *user = r->username;
	char out[129];
	char aor_user[256] = "";

	if (!user && r->client_uri) {
		const char *p = strchr(r->client_uri, ':'), *at = strchr(r->client_uri, '@');

		if (p && at && at > p) {
			snprintf(aor_user, sizeof aor_user, "%.*s", (int)(at - p - 1), p + 1);
			user = aor_user;
		}
	}
	if (!user || !r->realm || !r->password) {
		fprintf(stderr,
			"%s: --print-ha1 needs a username (-U or -u), --realm and a password\n",
			tool);
		return SR_EXIT_USAGE;
	}
	if (sr_digest_ha1(alg, user, r->realm, r->password, out, sizeof out) < 0)
		return SR_EXIT_INTERNAL;
	printf("%s\n", out);
	explicit_bzero(out, sizeof out);
	return SR_EXIT_OK;
}

void sr_tool_main(const struct sr_tool *tool, int argc, char **argv)
{
	struct sr_cli cli = {NULL, 0};
	struct sr_run run;
	struct sr_config cfg = {NULL, 0, 0};
	char hep_err[600];
	struct sr_result *res = NULL;
	double deadline;
	size_t i;
	int rc, code = 0;

	sr_run_defaults(&run);
	sr_log_init(tool->name, 0);
	/* -o nagios turns even usage errors into UNKNOWN: look for it first */
	run.output = sr_argv_output(argc, argv);

	rc = sr_options_parse(tool->name, tool->bit, argc, argv, &cli, &run);
	if (rc != 0) {
		code = rc > 0 ? SR_EXIT_OK : SR_EXIT_USAGE;
		goto out;
	}
	if (tool->fixed_mode)
		run.mode = tool->mode;
	if (run.unreg_all && run.contacts.n) {
		fprintf(stderr, "%s: --all and --contact exclude each other\n", tool->name);
		code = SR_EXIT_USAGE;
		goto out;
	}
	sr_log_init(tool->name, run.quiet ? 0 : run.verbose);
	sr_log_quiet(run.quiet);
	code = sr_config_build(tool->name, &cli, &run, &cfg);
	sr_cli_free(&cli);
	if (code)
		goto out;
	if (run.dump_config) {
		code = sr_config_dump(stdout, cfg.regs, cfg.n) < 0 ? SR_EXIT_INTERNAL : SR_EXIT_OK;
		goto out;
	}
	if (tool->one_only && cfg.n != 1) {
		fprintf(stderr,
			"%s: checks one credential per run; the file has %zu: pick one with -n\n",
			tool->name, cfg.n);
		code = SR_EXIT_USAGE;
		goto out;
	}
	sr_keylog_set(run.tls_keylog);
	if (sr_secrets_load(cfg.regs, cfg.n, run.password_stdin) < 0) {
		code = SR_EXIT_CONFIG;
		goto out;
	}
	if (sr_hep_start(cfg.regs, cfg.n, hep_err, sizeof hep_err) < 0) {
		fprintf(stderr, "%s: %s\n", tool->name, hep_err);
		code = SR_EXIT_CONFIG;
		goto out;
	}
	if (run.print_ha1) {
		code = print_ha1(tool->name, &cfg.regs[0], &run);
		goto out;
	}
	for (i = 0; i < cfg.n; i++)
		if (!cfg.regs[i].tls_verify)
			sr_warn(
			    "%s: TLS certificate verification is off (--insecure): anyone on the "
			    "path can read and change the registration",
			    cfg.regs[i].name);

	res = calloc(cfg.n, sizeof *res);
	if (!res) {
		code = SR_EXIT_INTERNAL;
		goto out;
	}
	/* --timeout bounds the whole run, every registration within it */
	deadline = sr_now() + run.timeout;
	for (i = 0; i < cfg.n; i++) {
		sr_result_init(&res[i]);
		sr_engine_run(&cfg.regs[i], &run, deadline, &res[i]);
		sr_secrets_wipe(&cfg.regs[i]);
		code = sr_exit_worst(code, sr_result_exit(&res[i]));
	}
	if (run.output == SR_OUT_NAGIOS) {
		struct sr_nagios_opts no = {run.warning,      run.critical,    run.strict,
					    run.min_bindings, run.min_expires, run.cert_warn_days};

		code = sr_output_nagios(stdout, tool->name, res, cfg.n, &no);
	} else if (!run.quiet) {
		sr_output_render(stdout, tool->name, run.output, run.verbose, res, cfg.n, code);
	}
	for (i = 0; i < cfg.n; i++)
		sr_result_free(&res[i]);
	free(res);
out:
	/* monitoring-plugins: usage, configuration and internal errors are
	 * UNKNOWN; a script that asked for JSON or env gets its document,
	 * except that a configuration error is its line on stderr and no
	 * JSON document (the contract: docs/contract.md) */
	if (run.output == SR_OUT_NAGIOS && !res && code != 0)
		code = sr_nagios_unknown(stdout, tool->name, code);
	else if (((run.output == SR_OUT_JSON && code != SR_EXIT_CONFIG) ||
		  run.output == SR_OUT_ENV) &&
		 !res && code != 0)
		sr_output_error(stdout, tool->name, run.output, code);
	sr_cli_free(&cli);
	sr_config_free(&cfg);
	sr_run_free(&run);
	sr_engine_exit(code);
}
