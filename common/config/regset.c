/* SPDX-License-Identifier: BSD-2-Clause */
/* The registrations of a run: added by the loaders, selected by name
 * (-n), one shard kept (--shard), freed with the option table's rules. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/options.h"
#include "config/regset.h"
#include "proto/shard.h"

int sr_config_add(struct sr_config *cfg, struct sr_reg *reg)
{
	/* capacity by doubling: 100,000 entries are not 100,000 copies */
	if (cfg->n == cfg->cap) {
		size_t cap = cfg->cap ? 2 * cfg->cap : 16;
		struct sr_reg *v = realloc(cfg->regs, cap * sizeof *v);

		if (!v) {
			sr_reg_free(reg);
			return -1;
		}
		cfg->regs = v;
		cfg->cap = cap;
	}
	cfg->regs[cfg->n++] = *reg;
	memset(reg, 0, sizeof *reg);
	return 0;
}

void sr_config_free(struct sr_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n; i++)
		sr_reg_free(&cfg->regs[i]);
	free(cfg->regs);
	cfg->regs = NULL;
	cfg->n = 0;
	cfg->cap = 0;
}

int sr_config_select(struct sr_config *cfg, const struct sr_strv *names, char *err, size_t errlen)
{
	size_t i, j, k = 0;
	char have[300] = "";

	if (names->n == 0)
		return 0;
	for (j = 0; j < names->n; j++) {
		for (i = 0; i < cfg->n; i++)
			if (cfg->regs[i].name && !strcmp(cfg->regs[i].name, names->v[j]))
				break;
		if (i == cfg->n) {
			for (i = 0; i < cfg->n; i++)
				snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s",
					 i ? ", " : "", cfg->regs[i].name);
			snprintf(err, errlen, "no registration named \"%s\" (there are: %s)",
				 names->v[j], have);
			return -1;
		}
	}
	for (i = 0; i < cfg->n; i++) {
		int keep = 0;

		for (j = 0; j < names->n; j++)
			keep |= cfg->regs[i].name && !strcmp(cfg->regs[i].name, names->v[j]);
		if (keep)
			cfg->regs[k++] = cfg->regs[i];
		else
			sr_reg_free(&cfg->regs[i]);
	}
	cfg->n = k;
	return 0;
}

void sr_config_shard(struct sr_config *cfg, unsigned k, unsigned n)
{
	size_t i, keep = 0;

	for (i = 0; i < cfg->n; i++) {
		if (sr_shard_of(cfg->regs[i].name, n) == k)
			cfg->regs[keep++] = cfg->regs[i];
		else
			sr_reg_free(&cfg->regs[i]);
	}
	cfg->n = keep;
}
