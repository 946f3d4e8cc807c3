/* SPDX-License-Identifier: BSD-2-Clause */
/* Strings and string lists of the settings, and transport names. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/settings.h"

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
