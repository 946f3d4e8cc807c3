/* SPDX-License-Identifier: BSD-2-Clause */
/* Which of the bindings a registrar lists is ours: one rule for the
 * reports and for removal. Pure. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>

#include "proto/bindings.h"
#include "proto/challenge.h"

char *sr_contact_param(su_home_t *home, sip_contact_t const *m, const char *name)
{
	char *v = sr_auth_param(home, m->m_params, name);
	size_t len;

	if (v && v[0] == '<') {
		v++;
		len = strlen(v);
		if (len && v[len - 1] == '>')
			v[len - 1] = '\0';
	}
	return v;
}

const char *sr_uuid_bare(const char *s)
{
	if (s && !strncasecmp(s, "urn:uuid:", 9))
		return s + 9;
	if (s && !strncasecmp(s, "uuid:", 5))
		return s + 5;
	return s;
}

static int same_instance(su_home_t *home, sip_contact_t const *m,
			 const struct sr_binding_self *self)
{
	const char *inst = sr_contact_param(home, m, "+sip.instance=");
	const char *rid;

	if (!inst || strncasecmp(inst, "urn:uuid:", 9) ||
	    strcasecmp(inst + 9, sr_uuid_bare(self->instance)))
		return 0;
	if (!self->reg_id)
		return 1;
	rid = sr_auth_param(home, m->m_params, "reg-id=");
	return rid && !strcmp(rid, self->reg_id);
}

static int same_identity(sip_contact_t const *m, const struct sr_binding_self *self)
{
	char v[64];

	return url_param(m->m_url->url_params, self->identity_param, v, sizeof v) > 0 &&
	       !strcmp(v, self->identity);
}

enum sr_binding_match sr_binding_match(su_home_t *home, sip_contact_t const *m,
				       const struct sr_binding_self *self)
{
	int id = self->identity && self->identity_param && same_identity(m, self);
	int inst = self->instance && same_instance(home, m, self);

	/* an identity of ours that the binding does not carry: another
	 * device's, even at our very URI */
	if ((self->identity || self->instance) && !id && !inst)
		return SR_BM_NONE;
	if (self->contact && url_cmp_all(m->m_url, self->contact) == 0)
		return SR_BM_EXACT;
	if (self->contact && url_cmp(m->m_url, self->contact) == 0)
		return SR_BM_URI;
	if (inst)
		return SR_BM_INSTANCE;
	if (id)
		return SR_BM_IDENTITY;
	return SR_BM_NONE;
}

int sr_binding_ours(su_home_t *home, sip_contact_t const *m, const struct sr_binding_self *self)
{
	return sr_binding_match(home, m, self) != SR_BM_NONE;
}

int sr_binding_find(su_home_t *home, sip_contact_t const *list, const struct sr_binding_self *self)
{
	enum sr_binding_match best = SR_BM_NONE, b;
	int i, at = -1;

	for (i = 0; list; list = list->m_next, i++) {
		b = sr_binding_match(home, list, self);
		if (b > best) {
			best = b;
			at = i;
		}
	}
	return at;
}
