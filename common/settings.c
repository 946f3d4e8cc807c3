#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

void sr_setstr(char **dst, const char *src)
{
	char *copy = src ? strdup(src) : NULL;

	free(*dst);
	*dst = copy;
}

int sr_strv_add(struct sr_strv *sv, const char *s)
{
	char **v;

	if (!s)
		return 0;
	v = realloc(sv->v, (sv->n + 1) * sizeof *v);
	if (!v)
		return -1;
	sv->v = v;
	sv->v[sv->n] = strdup(s);
	if (!sv->v[sv->n])
		return -1;
	sv->n++;
	return 0;
}

void sr_strv_free(struct sr_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

const char *sr_transport_name(enum sr_transport t)
{
	switch (t) {
	case SR_TP_UDP:
		return "udp";
	case SR_TP_TCP:
		return "tcp";
	case SR_TP_TLS:
		return "tls";
	case SR_TP_WS:
		return "ws";
	case SR_TP_WSS:
		return "wss";
	case SR_TP_AUTO:
		break;
	}
	return "udp";
}

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
