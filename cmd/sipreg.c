/* sipreg: register (or probe, or list bindings) once and report. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "exitcode.h"
#include "log.h"
#include "options.h"
#include "output.h"
#include "result.h"
#include "secrets.h"
#include "settings.h"
#include "tlscheck.h"

static const char tool[] = "sipreg";

/* Password from the sources the settings name; 0 or -1 (message printed). */
static int load_password(struct sr_reg *reg)
{
	char err[512];

	if (reg->password_file) {
		sr_secret_free(&reg->password);
		if (sr_secret_read_file(reg->password_file, &reg->password, err, sizeof err) < 0) {
			sr_err("%s", err);
			return -1;
		}
	} else if (reg->password_env) {
		sr_secret_free(&reg->password);
		if (sr_secret_from_env(reg->password_env, &reg->password, err, sizeof err) < 0) {
			sr_err("%s", err);
			return -1;
		}
	} else if (reg->password && reg->password_from_cli) {
		sr_warn("a password given with -p/--password is visible to other users; "
			"use --password-file or --password-env");
	}
	if (reg->ha1 && reg->ha1_from_cli)
		sr_warn("an HA1 given with --ha1 is visible to other users and works like a password");
	if (reg->bearer_token_file) {
		sr_secret_free(&reg->bearer_token);
		if (sr_secret_read_file(reg->bearer_token_file, &reg->bearer_token, err,
					sizeof err) < 0) {
			sr_err("%s", err);
			return -1;
		}
	} else if (reg->bearer_token && reg->token_from_cli) {
		sr_warn("a token given with --authorization-jwt is visible to other users; "
			"use --bearer-token-file");
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sr_reg reg;
	struct sr_run run;
	struct sr_result res;
	double deadline;
	int rc, code;

	sr_reg_defaults(&reg);
	sr_run_defaults(&run);
	sr_result_init(&res);
	sr_log_init(tool, 0);

	rc = sr_options_parse(tool, SR_TOOL_SIPREG, argc, argv, &reg, &run);
	if (rc != 0) {
		sr_reg_free(&reg);
		return rc > 0 ? SR_EXIT_OK : SR_EXIT_USAGE;
	}
	sr_log_init(tool, run.quiet ? 0 : run.verbose);
	if (!reg.client_uri) {
		sr_err("no address of record: give -u/--client-uri sip:user@domain");
		fprintf(stderr, "Try '%s --help' for more information.\n", tool);
		sr_reg_free(&reg);
		return SR_EXIT_USAGE;
	}
	if (!reg.tls_verify)
		sr_warn("TLS certificate verification is off (--insecure): "
			"anyone on the path can read and change the registration");
	deadline = sr_now() + run.timeout;
	if (load_password(&reg) < 0) {
		sr_result_fail(&res, SR_W_CONFIG_ERROR, "cannot read the password");
		sr_setstr(&res.name, reg.client_uri);
	} else {
		sr_engine_run(&reg, &run, deadline, &res);
	}
	sr_secret_free(&reg.password);
	sr_secret_free(&reg.ha1);
	sr_secret_free(&reg.bearer_token);

	code = sr_result_exit(&res);
	if (!run.quiet)
		sr_output_render(stdout, tool, run.output, run.verbose, &res, 1, code);
	sr_result_free(&res);
	sr_reg_free(&reg);
	sr_engine_exit(code);
}
