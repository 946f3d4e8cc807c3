/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: challenges as a server may send them, parsed by
 * Sofia-SIP as WWW-Authenticate and as Proxy-Authenticate, then decided by
 * the engine's own sr_challenge_plan() (with a password, with an HA1 and
 * with a pinned realm) and answered by our digest code for every realm the
 * plan chose, as the digest plugin does. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "fuzz.h"
#include "proto/challenge.h"
#include "proto/digest.h"

static void answer(const struct sr_challenge_plan *plan, const char *password, const char *ha1)
{
	char out[200];
	size_t k;

	for (k = 0; k < plan->nrealms; k++) {
		const struct sr_offer *o = &plan->chosen[k];
		bool sess = false;
		enum sr_digest_alg alg =
		    sr_digest_alg_parse(o->algorithm ? o->algorithm : "MD5", &sess);
		const char *qop = o->qop && sr_digest_qop_has(o->qop, "auth") ? "auth" : NULL;

		sr_digest_response(&(struct sr_digest_in){.alg = alg,
							  .sess = sess,
							  .user = "alice",
							  .realm = o->realm,
							  .password = password,
							  .ha1_hex = ha1,
							  .method = "REGISTER",
							  .uri = "sip:example.com",
							  .nonce = o->nonce,
							  .cnonce = "0a4f113b",
							  .nc = qop ? "00000001" : NULL,
							  .qop = qop},
				   out, sizeof out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ha1[] = "0123456789abcdef0123456789abcdef";
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct sr_challenge_creds creds;
	struct sr_challenge_plan plan;
	msg_auth_t *www, *proxy;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	www = sip_www_authenticate_make(home, text);
	proxy = sip_proxy_authenticate_make(home, text);

	memset(&creds, 0, sizeof creds);
	creds.user = "alice";
	creds.password = "secret";
	sr_digest_policy_default(&creds.policy);
	if (sr_challenge_plan(home, 401, www, NULL, &creds, &plan) == 0)
		answer(&plan, "secret", NULL);
	if (sr_challenge_plan(home, 407, www, proxy, &creds, &plan) == 0)
		answer(&plan, "secret", NULL);

	creds.password = NULL;
	creds.ha1 = ha1;
	creds.realm_pin = "example.com";
	if (sr_challenge_plan(home, 407, NULL, proxy, &creds, &plan) == 0)
		answer(&plan, NULL, ha1);
	su_home_deinit(home);
	free(text);
	return 0;
}
