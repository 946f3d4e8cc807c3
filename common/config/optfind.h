/* SPDX-License-Identifier: BSD-2-Clause */
/* Finding a row of the option table by any spelling of its key, and the
 * "did you mean" of unknown keys (optfind.c). */
#ifndef SR_OPTFIND_H
#define SR_OPTFIND_H

#include "config/options.h"

/* Find a registration key by YAML key or alias ('_' or '-' alike). */
const struct sr_option *sr_option_find(const char *name);
/* The known key closest to name (for "did you mean"), or NULL. */
const char *sr_option_suggest(const char *name);

#endif
