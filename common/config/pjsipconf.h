/* SPDX-License-Identifier: BSD-2-Clause */
/* Asterisk pjsip.conf import: every type=registration section with its
 * outbound_auth and transport sections becomes a registration. */
#ifndef SR_PJSIPCONF_H
#define SR_PJSIPCONF_H

#include <stddef.h>

struct sr_config;

/* Read path (INI with templates [name](tmpl), #include, repeated keys) and
 * add its registrations to cfg. 0, or -1 with "file:line: key: ..." in err. */
int sr_pjsip_load(const char *path, struct sr_config *cfg, char *err, size_t errlen);

#endif
