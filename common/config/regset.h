/* SPDX-License-Identifier: BSD-2-Clause */
/* The registrations of a run (struct sr_config): adding, selecting by
 * name, keeping one shard, freeing (regset.c). */
#ifndef SR_REGSET_H
#define SR_REGSET_H

#include "model/settings.h"

/* The registrations of a run, in the order the loaders added them. */
struct sr_config {
	struct sr_reg *regs;
	size_t n;
	size_t cap; /* room in regs */
};

/* Add one registration, moved in: the caller's struct is left zeroed, and
 * freed when the add fails. 0 or -1. */
int sr_config_add(struct sr_config *cfg, struct sr_reg *reg);

void sr_config_free(struct sr_config *cfg);

/* Keep only the registrations named in names (all when empty). 0, or -1
 * with err naming the missing one. */
int sr_config_select(struct sr_config *cfg, const struct sr_strv *names, char *err, size_t errlen);

/* Keep only the registrations of shard k of n (the others are freed). */
void sr_config_shard(struct sr_config *cfg, unsigned k, unsigned n);

#endif
