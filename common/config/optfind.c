/* SPDX-License-Identifier: BSD-2-Clause */
/* Finding a row of the option table by any spelling of its key, the
 * "did you mean" of unknown keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/optfind.h"

/* Compare with '-' and '_' taken as the same character. */
static int name_eq(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y || !x)
			return 0;
	}
	return a[blen] == '\0';
}

static int in_list(const char *name, const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, " ");

		if (name_eq(name, p, len))
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

const struct sr_option *sr_option_find(const char *name)
{
	size_t i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];

		if (o->scope != SR_SC_KEY)
			continue;
		if (name_eq(name, o->key, strlen(o->key)) || in_list(name, o->aliases))
			return o;
	}
	return NULL;
}

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= 63 || la >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ||
				    (a[i - 1] == '-' && b[j - 1] == '_')
				? 0
				: 1;
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *sr_option_suggest(const char *name)
{
	const char *best = NULL;
	size_t bestd = 99, i;

	for (i = 0; i < sr_options_count; i++) {
		const struct sr_option *o = &sr_options[i];
		const char *spell[2] = {o->key, o->aliases};
		unsigned k;

		if (o->scope != SR_SC_KEY)
			continue;
		for (k = 0; k < 2; k++) {
			const char *p = spell[k];

			while (p && *p) {
				size_t len = strcspn(p, " ");
				char buf[64];
				size_t d;

				snprintf(buf, sizeof buf, "%.*s", (int)len, p);
				d = distance(name, buf);
				if (d < bestd) {
					bestd = d;
					best = k == 0 ? o->key : NULL;
					if (!best) {
						static char alias[64];

						snprintf(alias, sizeof alias, "%s", buf);
						best = alias;
					}
				}
				p += len;
				p += strspn(p, " ");
			}
		}
	}
	/* close enough to be a typo: at most a third of the name wrong */
	return best && bestd <= (strlen(name) + 2) / 3 ? best : NULL;
}
