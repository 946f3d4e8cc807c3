/* SPDX-License-Identifier: BSD-2-Clause */
/* sipregwatch's main: a check of a running watch, or the watch. Apart
 * from toolmain.c so that the one-shot tools link nothing of the watch
 * (nor libmicrohttpd, which its metrics endpoint needs). */
#include "config.h"

#include <stdio.h>

#include "config/cli.h"
#include "config/confbuild.h"
#include "config/conffile.h"
#include "config/options.h"
#include "config/regset.h"
#include "engine/engine.h"
#include "model/exitcode.h"
#include "model/secrets.h"
#include "report/nagios.h"
#include "tool/watchmain.h"
#include "tunnel/hepout.h"
#include "tunnel/keylog.h"
#include "util/log.h"
#include "watch/watch.h"
#include "watch/watchcheck.h"

/* sipregwatch: a check of a running watch (--check, -o nagios), or the
 * watch itself until SIGTERM. */
void sr_watch_tool_main(int argc, char **argv)
{
	static const char tool[] = "sipregwatch";
	struct sr_cli cli = {NULL, 0};
	struct sr_run run;
	struct sr_config cfg = {NULL, 0, 0};
	char hep_err[600];
	struct sr_watch_opts opts;
	int rc, code, nagios;

	sr_run_defaults(&run);
	sr_log_init(tool, 0);
	/* -o nagios: the plugin's side, a check of a running watch */
	nagios = sr_argv_output(argc, argv) == SR_OUT_NAGIOS;
	rc = sr_options_parse(tool, SR_TOOL_SIPREGWATCH, argc, argv, &cli, &run);
	if (rc != 0) {
		code = rc > 0		     ? SR_EXIT_OK
		       : nagios || run.check ? sr_nagios_unknown(stdout, tool, SR_EXIT_USAGE)
					     : SR_EXIT_USAGE;
		goto out;
	}
	if (run.check || nagios) {
		if (!run.status_file) {
			sr_nagios_begin(stdout, tool, SR_NAGIOS_UNKNOWN);
			sr_nagios_text(stdout,
				       "%s needs --status-file FILE (of a running sipregwatch)",
				       run.check ? "--check" : "-o nagios");
			fputc('\n', stdout);
			code = SR_NAGIOS_UNKNOWN;
			goto out;
		}
		code = sr_watch_check(stdout, run.status_file, run.stale, run.warning, run.critical,
				      run.unreachable_critical, run.failing_critical,
				      run.cert_warn_days);
		goto out;
	}
	sr_log_init(tool, run.quiet ? 0 : run.verbose);
	sr_log_quiet(run.quiet);
	/* events are JSON Lines unless -o text asks for lines for people */
	if (!run.output_set)
		run.output = SR_OUT_JSON;
	code = sr_config_build(tool, &cli, &run, &cfg);
	if (code)
		goto out;
	if (run.dump_config) {
		code = sr_config_dump(stdout, cfg.regs, cfg.n) < 0 ? SR_EXIT_INTERNAL : SR_EXIT_OK;
		goto out;
	}
	sr_keylog_set(run.tls_keylog);
	if (sr_secrets_load(cfg.regs, cfg.n, run.password_stdin) < 0) {
		code = SR_EXIT_CONFIG;
		goto out;
	}
	if (sr_hep_start(cfg.regs, cfg.n, hep_err, sizeof hep_err) < 0) {
		fprintf(stderr, "%s: %s\n", tool, hep_err);
		code = SR_EXIT_CONFIG;
		goto out;
	}
	opts.events_file = run.events_file;
	opts.status_file = run.status_file;
	opts.prometheus_file = run.prometheus_file;
	opts.shutdown_timeout = run.shutdown_timeout;
	opts.max_rate = run.max_rate;
	code = sr_watch_run(tool, &cli, &run, &cfg, &opts);
	/* the watch took the registrations over; cfg holds nothing more */
	sr_config_free(&cfg);
out:
	sr_cli_free(&cli);
	sr_run_free(&run);
	sr_engine_exit(code);
}
