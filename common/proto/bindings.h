/* SPDX-License-Identifier: BSD-2-Clause */
/* Which of the bindings a registrar lists is ours: one rule for the
 * report of a REGISTER, the keeper's refreshes and audits, --list-bindings
 * and what sipunreg removes. Pure: no stack. */
#ifndef SR_BINDINGS_H
#define SR_BINDINGS_H

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>

/* What we know of ourselves; NULL fields are not compared. */
struct sr_binding_self {
	const url_t *contact;	    /* our Contact as sent (or as configured), or NULL */
	const char *instance;	    /* our +sip.instance, urn:uuid:... or the bare UUID */
	const char *reg_id;	    /* with instance: the reg-id it must carry, or NULL */
	const char *identity_param; /* a URI parameter that carries our identity */
	const char *identity;	    /* and its value */
};

/* How a binding matches us, weakest first. With an identity or an
 * instance in self, a binding is ours only when it carries one of them,
 * whatever host and port the registrar wrote (NAT fix-up); a binding
 * without them is another device's. Without either (the user configured
 * the whole contact_uri), our URI by RFC 3261's comparison is ours. */
enum sr_binding_match {
	SR_BM_NONE = 0,
	SR_BM_IDENTITY, /* our identity parameter at another URI (rewritten, or an earlier run) */
	SR_BM_INSTANCE, /* our +sip.instance (and reg-id) at another URI */
	SR_BM_URI,	/* our URI, parameters aside */
	SR_BM_EXACT,	/* our URI with its parameters */
};

enum sr_binding_match sr_binding_match(su_home_t *home, sip_contact_t const *m,
				       const struct sr_binding_self *self);
/* 1 when m is ours (any match above SR_BM_NONE). */
int sr_binding_ours(su_home_t *home, sip_contact_t const *m, const struct sr_binding_self *self);
/* The index of our binding in the list: the best match, the first of
 * equals; -1 when none matches. */
int sr_binding_find(su_home_t *home, sip_contact_t const *list, const struct sr_binding_self *self);
/* A UUID without its urn:uuid: (or JsSIP's uuid:) prefix. */
const char *sr_uuid_bare(const char *s);
/* A URI parameter of a Contact without its quotes and <>, in home. */
char *sr_contact_param(su_home_t *home, sip_contact_t const *m, const char *name);

#endif
