/* sipreg: register (or probe, or list bindings) once and report. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
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

int main(int argc, char **argv)
{
	struct sr_cli cli = {NULL, 0};
	struct sr_run run;
	struct sr_config cfg = {NULL, 0};
	struct sr_result *res = NULL;
	double deadline;
	size_t i;
	int rc, code = 0;

	sr_run_defaults(&run);
	sr_log_init(tool, 0);

	rc = sr_options_parse(tool, SR_TOOL_SIPREG, argc, argv, &cli, &run);
	if (rc != 0) {
		code = rc > 0 ? SR_EXIT_OK : SR_EXIT_USAGE;
		goto out;
	}
	sr_log_init(tool, run.quiet ? 0 : run.verbose);
	code = sr_config_build(tool, &cli, &run, &cfg);
	sr_cli_free(&cli);
	if (code)
		goto out;
	if (run.dump_config) {
		code = sr_config_dump(stdout, cfg.regs, cfg.n) < 0 ? SR_EXIT_INTERNAL : SR_EXIT_OK;
		goto out;
	}
	if (sr_secrets_load(tool, cfg.regs, cfg.n, run.password_stdin) < 0) {
		code = SR_EXIT_CONFIG;
		goto out;
	}
	for (i = 0; i < cfg.n; i++)
		if (!cfg.regs[i].tls_verify)
			sr_warn("%s: TLS certificate verification is off (--insecure): anyone on the "
				"path can read and change the registration", cfg.regs[i].name);

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
	if (!run.quiet)
		sr_output_render(stdout, tool, run.output, run.verbose, res, cfg.n, code);
	for (i = 0; i < cfg.n; i++)
		sr_result_free(&res[i]);
	free(res);
out:
	sr_cli_free(&cli);
	sr_config_free(&cfg);
	sr_run_free(&run);
	sr_engine_exit(code);
}
