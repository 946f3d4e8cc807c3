/* SPDX-License-Identifier: BSD-2-Clause */
/* The command line and the environment: getopt_long over the option
 * table, --help per tool, SIPREG_<KEY> variables. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cli.h"
#include "config/options.h"
#include "util/log.h"

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

/* getopt_long's tables for a tool, from the rows it takes. */
struct getopt_tables {
	struct option lo[200];
	char names[8192];
	char shorts[128];
};

static int getopt_tables(unsigned tool_bit, struct getopt_tables *g)
{
	size_t n = 0, used = 0, ns = 0, i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		int has_arg = o->type == SR_OT_FLAG || o->type == SR_OT_COUNT ? no_argument
			      : o->type == SR_OT_BOOL			      ? optional_argument
									      : required_argument;
		const char *spell[3] = {o->key, o->aliases, o->cli_aliases};
		unsigned k;

		/* "name" as a key is the entry's name; the flag --name picks entries */
		if (!(o->tools & tool_bit) || o->id == SR_O_NAME)
			continue;
		for (k = 0; k < 3; k++) {
			const char *p = spell[k];

			while (p && *p) {
				size_t len = strcspn(p, " "), j;

				if (used + len + 1 > sizeof g->names ||
				    n + 2 >= sizeof g->lo / sizeof g->lo[0])
					return -1;
				for (j = 0; j < len; j++)
					g->names[used + j] = p[j] == '_' ? '-' : p[j];
				g->names[used + len] = '\0';
				g->lo[n].name = g->names + used;
				g->lo[n].has_arg = has_arg;
				g->lo[n].flag = NULL;
				g->lo[n].val = 256 + (int)i;
				n++;
				used += len + 1;
				p += len;
				p += strspn(p, " ");
			}
		}
		if (o->short_opt) {
			g->shorts[ns++] = (char)o->short_opt;
			if (has_arg == required_argument)
				g->shorts[ns++] = ':';
		}
	}
	memset(&g->lo[n], 0, sizeof g->lo[n]);
	g->shorts[ns] = '\0';
	return 0;
}

int sr_options_parse(const char *tool, unsigned tool_bit, int argc, char **argv, struct sr_cli *cli,
		     struct sr_run *run)
{
	static struct getopt_tables g;
	const char *shorts = g.shorts;
	const struct option *lo = g.lo;
	size_t i;
	int c, rc = 0, help = 0, version = 0, mode_flags = 0;
	char err[512];
	struct sr_reg scratch;

	if (getopt_tables(tool_bit, &g) < 0)
		return -1;
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
				sr_err("option %s is unknown or needs a value", argv[optind - 1]);
			fprintf(stderr, "Try '%s --help' for more information.\n", tool);
			rc = -1;
			goto out;
		}
		if (c >= 256) {
			o = &sr_options[c - 256];
		} else {
			for (i = 0; i < sr_options_count; i++)
				if (sr_options[i].short_opt == c &&
				    (sr_options[i].tools & tool_bit))
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
		synopsis =
		    tool_bit == SR_TOOL_SIPUNREG ? "[OPTIONS] -u AOR [--contact URI]... | --all\n"
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
		if (o->def_doc || o->def)
			fprintf(out, " (default: %s)", o->def_doc ? o->def_doc : o->def);
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

enum sr_output sr_argv_output(int argc, char **argv)
{
	static const char *const names[] = {"text", "json", "env", "nagios"};
	enum sr_output fmt = SR_OUT_TEXT;
	const char *v;
	int i;
	unsigned k;

	for (i = 1; i < argc; i++) {
		v = NULL;
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--output=", 9))
			v = argv[i] + 9;
		else if (!strncmp(argv[i], "-o", 2) && argv[i][2])
			v = argv[i] + 2;
		else if (!strcmp(argv[i], "--json"))
			fmt = SR_OUT_JSON;
		for (k = 0; v && k < 4; k++)
			if (!strcmp(v, names[k]))
				fmt = (enum sr_output)k;
	}
	return fmt;
}
