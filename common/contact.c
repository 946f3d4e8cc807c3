/* Our Contact: URI, line token, +sip.instance, header parameters. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sofia-sip/su_alloc.h>

#include "engine_int.h"

/* A value stable per registration on this host: SHA-256 of the machine id,
 * the registration's name and AOR, and a purpose. */
static void stable_bytes(const struct eng *e, const char *purpose, unsigned char out[32])
{
	char mid[128] = "";
	FILE *f = fopen("/etc/machine-id", "re");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	const char *parts[4];
	size_t i;

	if (f) {
		if (!fgets(mid, sizeof mid, f))
			mid[0] = '\0';
		fclose(f);
	}
	if (!mid[0])
		gethostname(mid, sizeof mid - 1);
	parts[0] = purpose;
	parts[1] = mid;
	parts[2] = e->reg->name ? e->reg->name : "";
	parts[3] = e->aor;
	memset(out, 0, 32);
	if (!ctx)
		return;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; i < 4; i++)
		EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
}

/* "urn:uuid:..." of our +sip.instance, or NULL when we send none. */
const char *sr_contact_instance(struct eng *e)
{
	const struct sr_reg *r = e->reg;
	unsigned char b[32];

	if (e->instance)
		return e->instance;
	if (r->instance_id) {
		e->instance = su_sprintf(
		    e->home, "%s%s", strncasecmp(r->instance_id, "urn:uuid:", 9) ? "urn:uuid:" : "",
		    r->instance_id);
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

int sr_contact_build(struct eng *e)
{
	const struct sr_reg *r = e->reg;
	url_t *u;

	char *params = NULL;

	if (r->contact_uri) {
		u = url_make(e->home, r->contact_uri);
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
				    r->support_outbound ? ";reg-id=1" : "");
	if (r->contact_header_params)
		params = su_sprintf(e->home, "%s%s%s", params ? params : "",
				    r->contact_header_params[0] == ';' ? "" : ";",
				    r->contact_header_params);
	e->contact_hdr = su_sprintf(e->home, "<%s>%s", e->res->contact, params ? params : "");
	return 0;
}
