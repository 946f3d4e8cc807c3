/* SPDX-License-Identifier: BSD-2-Clause */
/* Digest authentication of our own (RFC 7616, RFC 2617, RFC 2069) on
 * OpenSSL EVP, plugged into Sofia-SIP's auth client in place of its MD5-only
 * "Digest" plugin (docs/sofia-sip.md, 1). Credentials never pass through Sofia's
 * colon-separated strings: Sofia carries an opaque key, the plugin looks up
 * the real credentials here. */
#ifndef SR_DIGEST_H
#define SR_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

enum sr_digest_alg {
	SR_ALG_NONE = 0,
	SR_ALG_MD5,
	SR_ALG_SHA256,
	SR_ALG_SHA512_256,
};

/* One challenge as offered. Strings point into caller-owned memory. */
struct sr_offer {
	const char *scheme;
	const char *realm; /* unquoted */
	const char *nonce;
	const char *opaque;
	const char *algorithm; /* as written, NULL when absent (= MD5) */
	const char *qop;       /* the qop list, NULL when absent */
	bool stale;
};

/* What we may use. prefs: algorithms best first (0-terminated);
 * min: weakest acceptable; ha1_hexlen: 0 with a password, else the length
 * of the configured HA1 (it must match the algorithm's hash). */
struct sr_digest_policy {
	enum sr_digest_alg prefs[4];
	enum sr_digest_alg min;
	size_t ha1_hexlen;
};

/* The credentials the plugin answers with, registered under a key. */
struct sr_digest_cred {
	char *username;
	char *password; /* or NULL */
	char *ha1;	/* hex, or NULL */
	struct sr_digest_policy policy;
};

/* Algorithm by name: "MD5", "SHA-256", "SHA-512-256", with or without
 * "-sess" (sess set then). SR_ALG_NONE when unknown. */
enum sr_digest_alg sr_digest_alg_parse(const char *name, bool *sess);
const char *sr_digest_alg_name(enum sr_digest_alg alg);
/* Hex length of the algorithm's hash (32 or 64). */
size_t sr_digest_hexlen(enum sr_digest_alg alg);
/* Rank of an algorithm for min_digest: MD5 < SHA-256 = SHA-512-256. */
int sr_digest_strength(enum sr_digest_alg alg);

/* Parse a preference list "SHA-512-256, SHA-256, MD5" into policy->prefs.
 * 0, or -1 with err naming the bad entry. */
int sr_digest_parse_prefs(const char *list, struct sr_digest_policy *policy, char *err,
			  size_t errlen);
void sr_digest_policy_default(struct sr_digest_policy *policy);

/* 1 when a qop list ("auth, auth-int") has the token. */
int sr_digest_qop_has(const char *list, const char *token);

/* Pick the offer to answer among n (all of one realm): the first of the
 * preferences that is offered and acceptable. Returns its index, or -1. */
int sr_digest_choose(const struct sr_offer *offers, size_t n,
		     const struct sr_digest_policy *policy);

/* What a digest response is computed from (RFC 7616 section 3.4.1). */
struct sr_digest_in {
	enum sr_digest_alg alg;
	bool sess; /* a -sess algorithm: HA1 over nonce and cnonce too */
	const char *user, *realm;
	const char *password; /* or: */
	const char *ha1_hex;  /* an HA1 given instead (the password is not used) */
	const char *method, *uri;
	const char *nonce, *cnonce, *nc;
	const char *qop;  /* NULL (RFC 2069), "auth" or "auth-int" (body hashed) */
	const void *body; /* auth-int's body */
	size_t bodylen;
};

/* The response in lowercase hex into out. Returns 0 or -1. */
int sr_digest_response(const struct sr_digest_in *in, char *out, size_t outlen);

/* H(user:realm:password) in hex, for --print-ha1 and tests. */
int sr_digest_ha1(enum sr_digest_alg alg, const char *user, const char *realm, const char *password,
		  char *out, size_t outlen);

/* Install our plugin under "Digest" (once per process). */
int sr_digest_install(void);
/* Register credentials; returns the key Sofia carries (static storage),
 * or NULL. The struct is copied; secrets are wiped at sr_digest_forget(). */
const char *sr_digest_register(const struct sr_digest_cred *cred);
void sr_digest_forget(const char *key);
void sr_digest_forget_all(void);

/* Facts of the last answer the plugin made, for the report. */
struct sr_digest_used {
	char algorithm[24]; /* "SHA-256-sess" */
	char qop[16];	    /* "" for RFC 2069 */
	int answers;
};
void sr_digest_last_used(struct sr_digest_used *out);

#endif
