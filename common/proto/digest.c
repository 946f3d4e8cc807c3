/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP Digest for SIP (RFC 7616/8760: MD5, SHA-256, SHA-512-256, HA1):
 * the hashes, the algorithm policy, and the client plugin Sofia calls. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* MD5 and SHA-256 through OpenSSL's one-shot functions: EVP's provider
 * start-up costs a one-shot tool about 5 ms per run, more than the whole
 * registration on loopback. SHA-512-256 goes through EVP. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

/* The library is built with the extended plugin interface (auth_client.c
 * defines it), so the struct layouts must match it. */
#define SOFIA_EXTEND_AUTH_CLIENT 1
#include <sofia-sip/auth_client.h>
#include <sofia-sip/auth_client_plugin.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_config.h>
#include <sofia-sip/url.h>

#include "proto/digest.h"
#include "util/util.h"

enum sr_digest_alg sr_digest_alg_parse(const char *name, bool *sess)
{
	static const struct {
		const char *name;
		enum sr_digest_alg alg;
	} names[] = {
	    {"MD5", SR_ALG_MD5},
	    {"SHA-256", SR_ALG_SHA256},
	    {"SHA-512-256", SR_ALG_SHA512_256},
	};
	size_t len, i;
	bool s = false;

	if (!name)
		return SR_ALG_NONE;
	while (*name == ' ')
		name++;
	len = strlen(name);
	while (len && name[len - 1] == ' ')
		len--;
	if (len > 5 && !strncasecmp(name + len - 5, "-sess", 5)) {
		s = true;
		len -= 5;
	}
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == len && !strncasecmp(name, names[i].name, len)) {
			if (sess)
				*sess = s;
			return names[i].alg;
		}
	return SR_ALG_NONE;
}

const char *sr_digest_alg_name(enum sr_digest_alg alg)
{
	switch (alg) {
	case SR_ALG_MD5:
		return "MD5";
	case SR_ALG_SHA256:
		return "SHA-256";
	case SR_ALG_SHA512_256:
		return "SHA-512-256";
	case SR_ALG_NONE:
		break;
	}
	return "none";
}

size_t sr_digest_hexlen(enum sr_digest_alg alg)
{
	return alg == SR_ALG_MD5 ? 32 : alg == SR_ALG_NONE ? 0 : 64;
}

int sr_digest_strength(enum sr_digest_alg alg)
{
	return alg == SR_ALG_MD5 ? 1 : alg == SR_ALG_NONE ? 0 : 2;
}

void sr_digest_policy_default(struct sr_digest_policy *p)
{
	memset(p, 0, sizeof *p);
	p->prefs[0] = SR_ALG_SHA512_256;
	p->prefs[1] = SR_ALG_SHA256;
	p->prefs[2] = SR_ALG_MD5;
	p->min = SR_ALG_MD5;
}

int sr_digest_parse_prefs(const char *list, struct sr_digest_policy *p, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", list);
	memset(p->prefs, 0, sizeof p->prefs);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		bool sess = false;
		enum sr_digest_alg a = sr_digest_alg_parse(tok, &sess);
		size_t i;

		if (a == SR_ALG_NONE || sess) {
			snprintf(err, errlen,
				 "unknown digest algorithm \"%s\" (MD5, SHA-256, SHA-512-256)",
				 tok);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (p->prefs[i] == a)
				break;
		if (i < n)
			continue;
		if (n >= 3)
			break;
		p->prefs[n++] = a;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty digest algorithm list");
		return -1;
	}
	return 0;
}

int sr_digest_qop_has(const char *list, const char *token)
{
	size_t tl = strlen(token);
	const char *p = list;

	while (p && *p) {
		size_t len;

		p += strspn(p, " ,\t\"");
		len = strcspn(p, " ,\t\"");
		if (len == tl && !strncasecmp(p, token, tl))
			return 1;
		p += len;
	}
	return 0;
}

static int offer_usable(const struct sr_offer *o, const struct sr_digest_policy *policy,
			enum sr_digest_alg *alg)
{
	bool sess = false;
	enum sr_digest_alg a = o->algorithm ? sr_digest_alg_parse(o->algorithm, &sess) : SR_ALG_MD5;

	if (!o->scheme || strcasecmp(o->scheme, "Digest") || !o->nonce || !o->realm)
		return 0;
	if (a == SR_ALG_NONE)
		return 0;
	if (sr_digest_strength(a) < sr_digest_strength(policy->min))
		return 0;
	if (o->qop && !sr_digest_qop_has(o->qop, "auth") && !sr_digest_qop_has(o->qop, "auth-int"))
		return 0;
	if (policy->ha1_hexlen && policy->ha1_hexlen != sr_digest_hexlen(a))
		return 0;
	*alg = a;
	return 1;
}

int sr_digest_choose(const struct sr_offer *offers, size_t n, const struct sr_digest_policy *policy)
{
	size_t p, i;

	for (p = 0; p < 4 && policy->prefs[p] != SR_ALG_NONE; p++) {
		for (i = 0; i < n; i++) {
			enum sr_digest_alg a;

			if (offer_usable(&offers[i], policy, &a) && a == policy->prefs[p])
				return (int)i;
		}
	}
	return -1;
}

static const EVP_MD *md_of(enum sr_digest_alg alg)
{
	switch (alg) {
	case SR_ALG_MD5:
		return EVP_md5();
	case SR_ALG_SHA256:
		return EVP_sha256();
	case SR_ALG_SHA512_256:
		return EVP_sha512_256();
	case SR_ALG_NONE:
		break;
	}
	return NULL;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* H(p[0] ":" p[1] ":" ...) in lowercase hex. */
static int hash_join(enum sr_digest_alg alg, char *out, size_t outlen, size_t n,
		     const char *const *parts, const size_t *lens)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t k;
	int ok = 1;

	if (alg == SR_ALG_MD5) {
		MD5_CTX c;

		MD5_Init(&c);
		for (k = 0; k < n; k++) {
			if (k)
				MD5_Update(&c, ":", 1);
			MD5_Update(&c, parts[k], lens ? lens[k] : strlen(parts[k]));
		}
		MD5_Final(md, &c);
		mdlen = MD5_DIGEST_LENGTH;
		explicit_bzero(&c, sizeof c);
	} else if (alg == SR_ALG_SHA256) {
		SHA256_CTX c;

		SHA256_Init(&c);
		for (k = 0; k < n; k++) {
			if (k)
				SHA256_Update(&c, ":", 1);
			SHA256_Update(&c, parts[k], lens ? lens[k] : strlen(parts[k]));
		}
		SHA256_Final(md, &c);
		mdlen = SHA256_DIGEST_LENGTH;
		explicit_bzero(&c, sizeof c);
	} else {
		const EVP_MD *type = md_of(alg);
		EVP_MD_CTX *ctx;

		if (!type)
			return -1;
		ctx = EVP_MD_CTX_new();
		if (!ctx)
			return -1;
		ok &= EVP_DigestInit_ex(ctx, type, NULL);
		for (k = 0; k < n; k++) {
			if (k)
				ok &= EVP_DigestUpdate(ctx, ":", 1);
			ok &= EVP_DigestUpdate(ctx, parts[k], lens ? lens[k] : strlen(parts[k]));
		}
		ok &= EVP_DigestFinal_ex(ctx, md, &mdlen);
		EVP_MD_CTX_free(ctx);
	}
	if (!ok || outlen < 2 * (size_t)mdlen + 1)
		return -1;
	to_hex(md, mdlen, out);
	explicit_bzero(md, sizeof md);
	return 0;
}

int sr_digest_ha1(enum sr_digest_alg alg, const char *user, const char *realm, const char *password,
		  char *out, size_t outlen)
{
	const char *parts[3] = {user, realm, password};

	return hash_join(alg, out, outlen, 3, parts, NULL);
}

int sr_digest_response(const struct sr_digest_in *in, char *out, size_t outlen)
{
	enum sr_digest_alg alg = in->alg;
	const char *nonce = in->nonce, *cnonce = in->cnonce, *qop = in->qop;
	char ha1[129], ha2[129], hbody[129];
	int rc = -1;

	if (in->ha1_hex) {
		size_t i, len = strlen(in->ha1_hex);

		if (len != sr_digest_hexlen(alg))
			return -1;
		for (i = 0; i < len; i++)
			ha1[i] = (char)tolower((unsigned char)in->ha1_hex[i]);
		ha1[len] = '\0';
	} else if (!in->password ||
		   sr_digest_ha1(alg, in->user, in->realm, in->password, ha1, sizeof ha1) < 0) {
		return -1;
	}
	if (in->sess) {
		const char *p[3] = {ha1, nonce, cnonce ? cnonce : ""};
		char tmp[129];

		if (hash_join(alg, tmp, sizeof tmp, 3, p, NULL) < 0)
			goto out;
		memcpy(ha1, tmp, sizeof tmp);
		explicit_bzero(tmp, sizeof tmp);
	}
	if (qop && !strcasecmp(qop, "auth-int")) {
		const char *b[1] = {in->body ? (const char *)in->body : ""};
		size_t bl[1] = {in->body ? in->bodylen : 0};
		const char *p[3] = {in->method, in->uri, hbody};

		if (hash_join(alg, hbody, sizeof hbody, 1, b, bl) < 0 ||
		    hash_join(alg, ha2, sizeof ha2, 3, p, NULL) < 0)
			goto out;
	} else {
		const char *p[2] = {in->method, in->uri};

		if (hash_join(alg, ha2, sizeof ha2, 2, p, NULL) < 0)
			goto out;
	}
	if (qop) {
		const char *p[6] = {ha1, nonce, in->nc, cnonce, qop, ha2};

		rc = hash_join(alg, out, outlen, 6, p, NULL);
	} else {
		const char *p[3] = {ha1, nonce, ha2};

		rc = hash_join(alg, out, outlen, 3, p, NULL);
	}
out:
	explicit_bzero(ha1, sizeof ha1);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Credentials registry: Sofia carries "kN" in place of user and password. */

struct cred_slot {
	char key[16];
	struct sr_digest_cred cred;
	int used;
};

static struct cred_slot *g_creds;
static size_t g_ncreds;
static size_t g_free_hint;
static unsigned g_next_key;
static struct sr_digest_used g_last;

static void wipe_free(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

const char *sr_digest_register(const struct sr_digest_cred *cred)
{
	size_t i;

	/* a free slot: start after the last one given, wrap once */
	for (i = g_free_hint; i < g_ncreds; i++)
		if (!g_creds[i].used)
			break;
	if (i == g_ncreds)
		for (i = 0; i < g_free_hint && i < g_ncreds; i++)
			if (!g_creds[i].used)
				break;
	if (i >= g_ncreds || g_creds[i].used) {
		i = g_ncreds;
		size_t n = g_ncreds ? 2 * g_ncreds : 16;
		struct cred_slot *v = realloc(g_creds, n * sizeof *v);

		if (!v)
			return NULL;
		memset(v + g_ncreds, 0, (n - g_ncreds) * sizeof *v);
		g_creds = v;
		g_ncreds = n;
	}
	memset(&g_creds[i], 0, sizeof g_creds[i]);
	g_creds[i].cred.policy = cred->policy;
	g_creds[i].cred.username = strdup(cred->username ? cred->username : "");
	if (cred->password)
		g_creds[i].cred.password = strdup(cred->password);
	if (cred->ha1)
		g_creds[i].cred.ha1 = strdup(cred->ha1);
	/* the slot's index in the key: look-ups are direct, not a search */
	snprintf(g_creds[i].key, sizeof g_creds[i].key, "k%zu.%u", i, ++g_next_key % 100000);
	g_creds[i].used = 1;
	g_free_hint = i + 1;
	return g_creds[i].key;
}

static const struct sr_digest_cred *lookup(const char *key)
{
	char *end;
	size_t i;

	if (!key || key[0] != 'k')
		return NULL;
	i = strtoul(key + 1, &end, 10);
	if (*end != '.' || i >= g_ncreds || !g_creds[i].used || strcmp(g_creds[i].key, key))
		return NULL;
	return &g_creds[i].cred;
}

static void forget(struct cred_slot *c)
{
	free(c->cred.username);
	wipe_free(&c->cred.password);
	wipe_free(&c->cred.ha1);
	memset(c, 0, sizeof *c);
}

void sr_digest_forget(const char *key)
{
	if (lookup(key))
		forget(&g_creds[strtoul(key + 1, NULL, 10)]);
}

void sr_digest_forget_all(void)
{
	size_t i;

	for (i = 0; i < g_ncreds; i++)
		if (g_creds[i].used)
			forget(&g_creds[i]);
	free(g_creds);
	g_creds = NULL;
	g_ncreds = 0;
	g_free_hint = 0;
}

void sr_digest_last_used(struct sr_digest_used *out)
{
	*out = g_last;
}

/* ------------------------------------------------------------------ */
/* The plugin. */

#define MAX_OFFERS 8

struct stored_offer {
	char *realm, *nonce, *opaque, *algorithm, *qop;
	bool stale;
};

typedef struct {
	auth_client_t ca;
	struct stored_offer offers[MAX_OFFERS];
	size_t n;
	const void *expect_next; /* a pointer value only, never followed */
	char *nonce_used;
	unsigned nc;
	char cnonce[33];
	int answered;
	int stale_used;
} sr_dca_t;

static char *param_dup(su_home_t *home, msg_param_t const *params, const char *name)
{
	const char *v = msg_params_find(params, name);
	char *s;

	if (!v)
		return NULL;
	if (*v == '"')
		return msg_unquote_dup(home, v);
	s = su_strdup(home, v);
	return s;
}

static void new_cnonce(sr_dca_t *d)
{
	unsigned char r[16];
	size_t i;

	if (sr_random_bytes(r, sizeof r) < 0) {
		for (i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)random();
	}
	to_hex(r, sizeof r, d->cnonce);
}

static void clear_offers(sr_dca_t *d)
{
	su_home_t *home = d->ca.ca_home;
	size_t i;

	for (i = 0; i < d->n; i++) {
		su_free(home, d->offers[i].realm);
		su_free(home, d->offers[i].nonce);
		su_free(home, d->offers[i].opaque);
		su_free(home, d->offers[i].algorithm);
		su_free(home, d->offers[i].qop);
	}
	memset(d->offers, 0, sizeof d->offers);
	d->n = 0;
}

static int plug_challenge(auth_client_t *ca, msg_auth_t const *ch)
{
	sr_dca_t *d = (sr_dca_t *)ca;
	su_home_t *home = ca->ca_home;
	struct stored_offer o;
	const char *stale;

	if ((const void *)ch != d->expect_next) {
		/* the first challenge of a new response */
		clear_offers(d);
		new_cnonce(d);
	}
	d->expect_next = (const void *)ch->au_next;

	memset(&o, 0, sizeof o);
	o.nonce = param_dup(home, ch->au_params, "nonce=");
	if (!o.nonce)
		return -1; /* malformed: reported as the final 401/407 */
	o.realm = param_dup(home, ch->au_params, "realm=");
	o.opaque = param_dup(home, ch->au_params, "opaque=");
	o.algorithm = param_dup(home, ch->au_params, "algorithm=");
	o.qop = param_dup(home, ch->au_params, "qop=");
	stale = msg_params_find(ch->au_params, "stale=");
	o.stale = stale && (!strcasecmp(stale, "true") || !strcasecmp(stale, "\"true\""));
	if (d->n < MAX_OFFERS)
		d->offers[d->n++] = o;

	if (!d->answered)
		return 2;
	/* A challenge to an answer we made: only a stale nonce, once, may be
	 * answered again; anything else means the credentials were refused. */
	if (o.stale && !d->stale_used && (!d->nonce_used || strcmp(o.nonce, d->nonce_used))) {
		d->stale_used = 1;
		return 2;
	}
	return 1;
}

static char *quote(su_home_t *home, const char *s)
{
	size_t n = 0;
	const char *p;
	char *out, *q;

	for (p = s; *p; p++)
		n += (*p == '"' || *p == '\\') ? 2 : 1;
	out = su_alloc(home, n + 3);
	if (!out)
		return NULL;
	q = out;
	*q++ = '"';
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		*q++ = *p;
	}
	*q++ = '"';
	*q = '\0';
	return out;
}

static int plug_authorize(auth_client_t *ca, su_home_t *h, char const *method, url_t const *url,
			  msg_payload_t const *body, msg_header_t **return_headers)
{
	sr_dca_t *d = (sr_dca_t *)ca;
	const struct sr_digest_cred *cred = lookup(ca->ca_user);
	struct sr_offer offers[MAX_OFFERS];
	struct sr_digest_policy policy;
	const struct stored_offer *o;
	char response[129], ncbuf[9];
	const char *qop = NULL, *uri;
	struct sr_digest_in in;
	enum sr_digest_alg alg;
	bool sess = false;
	char *value;
	size_t i;
	int idx;

	*return_headers = NULL;
	if (!cred)
		return -1;
	for (i = 0; i < d->n; i++) {
		offers[i].scheme = "Digest";
		offers[i].realm = d->offers[i].realm;
		offers[i].nonce = d->offers[i].nonce;
		offers[i].opaque = d->offers[i].opaque;
		offers[i].algorithm = d->offers[i].algorithm;
		offers[i].qop = d->offers[i].qop;
		offers[i].stale = d->offers[i].stale;
	}
	policy = cred->policy;
	policy.ha1_hexlen = cred->ha1 ? strlen(cred->ha1) : 0;
	idx = sr_digest_choose(offers, d->n, &policy);
	if (idx < 0)
		return -1;
	o = &d->offers[idx];
	alg = o->algorithm ? sr_digest_alg_parse(o->algorithm, &sess) : SR_ALG_MD5;
	if (o->qop)
		qop = sr_digest_qop_has(o->qop, "auth") ? "auth" : "auth-int";
	if (d->nonce_used && !strcmp(d->nonce_used, o->nonce)) {
		d->nc++;
	} else {
		su_free(ca->ca_home, d->nonce_used);
		d->nonce_used = su_strdup(ca->ca_home, o->nonce);
		d->nc = 1;
	}
	snprintf(ncbuf, sizeof ncbuf, "%08x", d->nc);
	uri = url_as_string(h, url);
	if (!uri)
		return -1;
	in.alg = alg;
	in.sess = sess;
	in.user = cred->username;
	in.realm = o->realm ? o->realm : "";
	in.password = cred->password;
	in.ha1_hex = cred->ha1;
	in.method = method;
	in.uri = uri;
	in.nonce = o->nonce;
	in.cnonce = d->cnonce;
	in.nc = ncbuf;
	in.qop = qop;
	in.body = body ? body->pl_data : NULL;
	in.bodylen = body ? body->pl_len : 0;
	if (sr_digest_response(&in, response, sizeof response) < 0)
		return -1;
	value = su_sprintf(
	    h,
	    "Digest username=%s, realm=%s, nonce=%s, uri=%s, response=\"%s\", "
	    "algorithm=%s%s%s%s%s%s%s%s%s",
	    quote(h, cred->username), quote(h, o->realm ? o->realm : ""), quote(h, o->nonce),
	    quote(h, uri), response, o->algorithm ? o->algorithm : "MD5", qop ? ", cnonce=\"" : "",
	    qop ? d->cnonce : "", qop ? "\", qop=" : "", qop ? qop : "", qop ? ", nc=" : "",
	    qop ? ncbuf : "", o->opaque ? ", opaque=" : "", o->opaque ? quote(h, o->opaque) : "");
	explicit_bzero(response, sizeof response);
	if (!value)
		return -1;
	*return_headers = msg_header_make(h, ca->ca_credential_class, value);
	if (!*return_headers)
		return -1;
	d->answered++;
	snprintf(g_last.algorithm, sizeof g_last.algorithm, "%s%s", sr_digest_alg_name(alg),
		 sess ? "-sess" : "");
	snprintf(g_last.qop, sizeof g_last.qop, "%s", qop ? qop : "");
	g_last.answers++;
	return 0;
}

static int plug_info(auth_client_t *ca, msg_auth_info_t const *ai)
{
	sr_dca_t *d = (sr_dca_t *)ca;
	char *next = param_dup(ca->ca_home, ai->ai_params, "nextnonce=");
	size_t i;

	if (!next)
		return 0;
	/* RFC 7616 3.5: the next request uses nextnonce, with nc from 1 */
	for (i = 0; i < d->n; i++) {
		su_free(ca->ca_home, d->offers[i].nonce);
		d->offers[i].nonce = su_strdup(ca->ca_home, next);
	}
	su_free(ca->ca_home, next);
	return 1;
}

static int plug_clear(auth_client_t *ca)
{
	ca->ca_clear = 1;
	return 1;
}

static int plug_save(auth_client_t *ca, char const *scheme, char const *realm, char const *user,
		     char const *pass)
{
	if (scheme && strcasecmp(scheme, "Digest"))
		return 0;
	if (realm && strcmp(realm, ca->ca_realm))
		return 0;
	return auth_client_save_credentials(ca, NULL, NULL, user, pass);
}

static int plug_copy(auth_client_t *dst, auth_client_t const *src)
{
	return auth_client_save_credentials(dst, NULL, NULL, src->ca_user, src->ca_pass);
}

static const auth_client_plugin_t sr_digest_plugin = {
    .auc_plugin_size = sizeof sr_digest_plugin,
    .auc_size = sizeof(sr_dca_t),
    .auc_name = "Digest",
    .auc_challenge = plug_challenge,
    .auc_authorize = plug_authorize,
    .auc_info = plug_info,
    .auc_clear = plug_clear,
    .auc_save_credentials = plug_save,
    .auc_copy_credentials = plug_copy,
};

static int unused_authorize(auth_client_t *ca, su_home_t *h, char const *method, url_t const *url,
			    msg_payload_t const *body, msg_header_t **hdr)
{
	(void)ca, (void)h, (void)method, (void)url, (void)body;
	*hdr = NULL;
	return 0;
}

/* A placeholder that takes slot 0 from Sofia's own Digest plugin. */
static const auth_client_plugin_t sr_unused_plugin = {
    .auc_plugin_size = sizeof sr_unused_plugin,
    .auc_size = sizeof(auth_client_t),
    .auc_name = "x-sipreg-unused",
    .auc_authorize = unused_authorize,
};

int sr_digest_install(void)
{
	static int done;

	if (done)
		return 0;
	/* auc_register_plugin() in Debian's 1.12.11 does not replace the plugin
	 * of the same name: it takes the first slot whose name differs (a
	 * reversed test). Slots start as [Digest, Basic]. Our Digest lands in
	 * Basic's slot; a placeholder of another name then takes slot 0, so the
	 * look-up by scheme ("first match wins") finds ours. Basic, which RFC
	 * 3261 forbids, is left without a plugin. */
	if (auc_register_plugin(&sr_digest_plugin) < 0)
		return -1;
	if (auc_register_plugin(&sr_unused_plugin) < 0)
		return -1;
	done = 1;
	return 0;
}
