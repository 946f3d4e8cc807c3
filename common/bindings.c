#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>

#include "bindings.h"
#include "challenge.h"

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

static int same_address(sip_contact_t const *m, const struct sr_binding_self *self)
{
	url_t const *u = m->m_url;
	char hp[300];

	if (!u->url_user || !u->url_host || strcmp(u->url_user, self->user))
		return 0;
	snprintf(hp, sizeof hp, "%s%s%s", u->url_host, u->url_port ? ":" : "",
		 u->url_port ? u->url_port : "");
	return !strcasecmp(hp, self->address);
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
	if (self->contact && url_cmp_all(m->m_url, self->contact) == 0)
		return SR_BM_EXACT;
	if (self->contact && url_cmp(m->m_url, self->contact) == 0)
		return SR_BM_URI;
	if (self->instance && same_instance(home, m, self))
		return SR_BM_INSTANCE;
	if (self->identity && same_identity(m, self))
		return SR_BM_IDENTITY;
	if (self->user && self->address && same_address(m, self))
		return SR_BM_ADDRESS;
	return SR_BM_NONE;
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
