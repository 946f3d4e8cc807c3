/* libFuzzer target: a WWW-Authenticate header as a server may send it,
 * parsed by Sofia-SIP and answered by our digest code (choose an offer,
 * compute the response), as the engine does with each challenge. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "digest.h"

static char *unquote(su_home_t *home, msg_param_t const *params, const char *name)
{
	const char *v = msg_params_find(params, name);

	return v ? msg_unquote_dup(home, v) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct sr_digest_policy policy;
	struct sr_offer offers[8];
	msg_auth_t *au, *a;
	char *text = malloc(size + 1), out[200];
	size_t n = 0;
	int idx;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	au = sip_www_authenticate_make(home, text);
	for (a = au; a && n < 8; a = a->au_next) {
		struct sr_offer *o = &offers[n];

		if (!a->au_scheme || strcasecmp(a->au_scheme, "Digest"))
			continue;
		o->scheme = "Digest";
		o->realm = unquote(home, a->au_params, "realm=");
		o->nonce = unquote(home, a->au_params, "nonce=");
		o->opaque = unquote(home, a->au_params, "opaque=");
		o->algorithm = unquote(home, a->au_params, "algorithm=");
		o->qop = unquote(home, a->au_params, "qop=");
		o->stale = false;
		if (o->realm && o->nonce)
			n++;
	}
	sr_digest_policy_default(&policy);
	idx = sr_digest_choose(offers, n, &policy);
	if (idx >= 0) {
		bool sess = false;
		enum sr_digest_alg alg = sr_digest_alg_parse(offers[idx].algorithm ? offers[idx].algorithm : "MD5", &sess);
		const char *qop = offers[idx].qop && sr_digest_qop_has(offers[idx].qop, "auth") ? "auth" : NULL;

		sr_digest_response(alg, sess, "alice", offers[idx].realm, "secret", NULL, "REGISTER",
				   "sip:example.com", offers[idx].nonce, "0a4f113b", qop ? "00000001" : NULL,
				   qop, NULL, 0, out, sizeof out);
	}
	su_home_deinit(home);
	free(text);
	return 0;
}
