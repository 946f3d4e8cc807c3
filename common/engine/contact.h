/* SPDX-License-Identifier: BSD-2-Clause */
/* Our Contact: URI, identity, +sip.instance, header (contact.c). */
#ifndef SR_CONTACT_H
#define SR_CONTACT_H

#include "engine/engdata.h"

/* The Contact URI parameter that carries a registration's identity. */
#define SR_ID_PARAM "sipreg-id"
/* The identity of e on this host (AOR, contact user, transport, our
 * address): 16 hex digits, or NULL with a configured contact_uri. */
const char *sr_contact_identity(struct sr_eng *e);
/* "urn:uuid:..." of our +sip.instance, or NULL when we send none. */
const char *sr_contact_instance(struct sr_eng *e);
/* Our Contact URI and header (e->our_contact, e->contact_hdr). 0 or -1. */
int sr_contact_build(struct sr_eng *e);
/* What makes a listed binding ours (bindings.c): our Contact, identity,
 * instance and reg-id. Every path that asks "is it ours" asks this. */
void sr_contact_self(struct sr_eng *e, struct sr_binding_self *self);

#endif
