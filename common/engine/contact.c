/* SPDX-License-Identifier: BSD-2-Clause */
/* Our Contact: URI, line token, +sip.instance, header parameters. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* the low-level SHA-256 (see host_hash) */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <sofia-sip/su_alloc.h>

#include "engine/contact.h"
#include "engine/engdata.h"
#include "proto/bindings.h"
#include "tunnel/tunnel.h"

/* This host: /etc/machine-id, else the host name; read once (a keeper of
 * 100,000 registrations asked for it 100,000 times). */
static void machine_id(char *mid, size_t len)
{
	static char cached[128];

	if (!cached[0]) {
		FILE *f = fopen("/etc/machine-id", "re");

		if (f) {
			if (!fgets(cached, (int)sizeof cached, f))
				cached[0] = '\0';
			fclose(f);
		}
		if (!cached[0])
			gethostname(cached, sizeof cached - 1);
	}
	snprintf(mid, len, "%s", cached);
}

/* SHA-256 of this host and parts (each ended by a NUL). */
static void host_hash(const char *const *parts, size_t n, unsigned char out[32])
{
	char mid[128];
	SHA256_CTX c;
	size_t i;

	/* OpenSSL's SHA-256 itself, not EVP's: EVP would load the providers
	 * and configuration (about 2 MB) in every one-shot run */
	machine_id(mid, sizeof mid);
	SHA256_Init(&c);
	SHA256_Update(&c, mid, strlen(mid) + 1);
	for (i = 0; i < n; i++)
		SHA256_Update(&c, parts[i], strlen(parts[i]) + 1);
	SHA256_Final(out, &c);
}

/* A value stable per registration on this host: its name, AOR and a
 * purpose. */
static void stable_bytes(const struct sr_eng *e, const char *purpose, unsigned char out[32])
{
	const char *parts[3] = {purpose, e->reg->name ? e->reg->name : "", e->aor};

	host_hash(parts, 3, out);
}

/* Our host on the tunnel's connection (a .invalid name for ws, wss). */
static void tunnel_host(const struct sr_eng *e, char *host, size_t len)
{
	const char *h = sr_tunnel_contact_host(e->tunnel), *colon = strrchr(h, ':');

	if (h[0] == '[')
		snprintf(host, len, "%.*s", (int)(strchr(h, ']') ? strchr(h, ']') - h + 1 : 0), h);
	else if (colon)
		snprintf(host, len, "%.*s", (int)(colon - h), h);
	else
		snprintf(host, len, "%s", h);
}

const char *sr_contact_identity(struct sr_eng *e)
{
	const struct sr_reg *r = e->reg;
	const url_t *local = e->stack ? e->stack->default_contact : NULL;
	unsigned char b[32];
	char host[80] = "";

	if (e->identity || r->contact_uri)
		return e->identity;
	if (e->tunnel) /* our address there, without the port */
		tunnel_host(e, host, sizeof host);
	else if (local && local->url_host)
		snprintf(host, sizeof host, "%s", local->url_host);
	{
		const char *parts[5] = {"identity", e->aor,
					r->contact_user ? r->contact_user : e->aor_user,
					sr_transport_name(e->tp), host};

		host_hash(parts, 5, b);
	}
	e->identity = su_sprintf(e->home, "%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
				 b[3], b[4], b[5], b[6], b[7]);
	return e->identity;
}

/* "urn:uuid:..." of our +sip.instance, or NULL when we send none. */
const char *sr_contact_instance(struct sr_eng *e)
{
	const struct sr_reg *r = e->reg;
	unsigned char b[32];

	if (e->instance)
		return e->instance;
	if (r->instance_id) {
		e->instance = su_sprintf(e->home, "urn:uuid:%s", sr_uuid_bare(r->instance_id));
	} else if (r->support_outbound) {
		/* RFC 5626 wants one instance per device and registration: stable
		 * across runs on this host, a name-based (version 5 style) UUID */
		stable_bytes(e, "instance", b);
		b[6] = (unsigned char)((b[6] & 0x0f) | 0x50);
		b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
		e->instance = su_sprintf(e->home,
					 "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
					 "%02x%02x%02x%02x%02x%02x",
					 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
					 b[10], b[11], b[12], b[13], b[14], b[15]);
	}
	return e->instance;
}

int sr_contact_build(struct sr_eng *e)
{
	const struct sr_reg *r = e->reg;
	url_t *u;

	char *params = NULL;

	if (r->contact_uri) {
		u = url_make(e->home, r->contact_uri);
	} else if (e->tunnel) {
		/* RFC 7118: a .invalid host for ws and wss; tls: our address */
		u = url_make(e->home, su_sprintf(e->home, "sip:%s@%s;transport=%s",
						 r->contact_user ? r->contact_user : e->aor_user,
						 sr_tunnel_contact_host(e->tunnel),
						 sr_transport_name(e->tp)));
	} else {
		if (!e->stack->default_contact)
			return -1;
		u = url_hdup(e->home, e->stack->default_contact);
		if (u)
			u->url_user =
			    su_strdup(e->home, r->contact_user ? r->contact_user : e->aor_user);
	}
	if (!u)
		return -1;
	u->url_password = NULL;
	u->url_headers = NULL;
	/* the identity of the registration: a later run of ours on this host
	 * knows its earlier bindings by it (engine.c, stale_bindings) */
	if (sr_contact_identity(e))
		u->url_params = su_sprintf(e->home, "%s%s%s=%s", u->url_params ? u->url_params : "",
					   u->url_params ? ";" : "", SR_ID_PARAM, e->identity);
	if (r->line) {
		/* Asterisk's line support: a token of ours in the Contact URI that
		 * calls on this line carry back; stable per registration */
		unsigned char b[32];
		char tok[24];

		stable_bytes(e, "line", b);
		snprintf(tok, sizeof tok, "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
			 b[5]);
		sr_setstr(&e->res->line, tok);
		u->url_params = u->url_params
				    ? su_sprintf(e->home, "%s;line=%s", u->url_params, tok)
				    : su_sprintf(e->home, "line=%s", tok);
	}
	e->our_contact = u;
	sr_setstr(&e->res->contact, url_as_string(e->home, u));
	if (sr_contact_instance(e))
		params = su_sprintf(e->home, ";+sip.instance=\"<%s>\"%s", sr_contact_instance(e),
				    r->support_outbound && !e->outbound_dropped ? ";reg-id=1" : "");
	if (r->contact_header_params)
		params = su_sprintf(e->home, "%s%s%s", params ? params : "",
				    r->contact_header_params[0] == ';' ? "" : ";",
				    r->contact_header_params);
	e->contact_hdr = su_sprintf(e->home, "<%s>%s", e->res->contact, params ? params : "");
	return 0;
}

void sr_contact_self(struct sr_eng *e, struct sr_binding_self *self)
{
	const struct sr_reg *r = e->reg;

	memset(self, 0, sizeof *self);
	self->contact = e->our_contact;
	if (!self->contact && r->contact_uri)
		self->contact = url_make(e->scratch, r->contact_uri);
	self->instance = sr_contact_instance(e);
	self->reg_id = self->instance && r->support_outbound && !e->outbound_dropped ? "1" : NULL;
	self->identity_param = SR_ID_PARAM;
	self->identity = e->stack ? sr_contact_identity(e) : e->identity;
}
