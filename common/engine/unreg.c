/* SPDX-License-Identifier: BSD-2-Clause */
/* Removing bindings: sipunreg's choice of what to remove and its check
 * that it is gone, and the answer to our own un-REGISTER (--probe,
 * sipregwatch's stop and reloads), judged by bindings.c's one rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "engine/auth.h"
#include "engine/contact.h"
#include "engine/engdata.h"
#include "engine/response.h"
#include "engine/unreg.h"
#include "proto/bindings.h"
#include "util/log.h"

/* What sipunreg removes of the listed bindings: those --contact names
 * (as the registrar lists them), else those of our identity. */
static int to_remove(struct sr_eng *e, sip_contact_t const *m)
{
	const struct sr_strv *named = &e->run->contacts;
	size_t i;

	if (!named->n) {
		struct sr_binding_self self;

		sr_contact_self(e, &self);
		return sr_binding_ours(e->scratch, m, &self);
	}
	for (i = 0; i < named->n; i++) {
		url_t *u = url_make(e->scratch, named->v[i]);

		if (u && url_cmp(m->m_url, u) == 0)
			return 1;
	}
	return 0;
}

void sr_eng_send_removal(struct sr_eng *e, const char *contacts)
{
	e->removing = 1;
	e->res->requests++;
	sr_debug(1, "-> REGISTER %s (Expires: 0, removing %s)", e->registrar, contacts);
	nua_register(e->nh, NUTAG_REGISTRAR(e->registrar), SIPTAG_CONTACT_STR(contacts),
		     SIPTAG_EXPIRES_STR("0"), TAG_IF(e->extra, SIPTAG_HEADER_STR(e->extra)),
		     TAG_END());
}

/* sipunreg: a 2xx to the listing (pick ours, remove them) or to the removal
 * (check that they are gone). */
void sr_eng_on_unreg_2xx(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;
	sip_contact_t const *m;
	size_t i;

	sr_eng_note_final(e, status, phrase, sip);
	sr_eng_note_auth_used(e);
	if (!e->removing) {
		char *list = NULL;

		for (m = sip->sip_contact; m; m = m->m_next) {
			char *uri;

			if (!to_remove(e, m))
				continue;
			uri = url_as_string(e->scratch, m->m_url);
			sr_strv_add(&res->removed, uri);
			list = su_sprintf(e->scratch, "%s%s<%s>", list ? list : "",
					  list ? ", " : "", uri);
		}
		if (!list) {
			sr_eng_note_bindings(e, sip);
			res->word = SR_W_UNREGISTERED;
			sr_debug(1, "none of the %zu bindings is %s: nothing to remove",
				 res->n_bindings, e->run->contacts.n ? "one named" : "ours");
			e->state = ST_DONE;
			return;
		}
		sr_eng_send_removal(e, list);
		return;
	}
	/* what the registrar still holds */
	sr_result_clear_bindings(res);
	sr_eng_note_bindings(e, sip);
	res->expires_granted = -1;
	for (i = 0; i < res->removed.n; i++) {
		url_t *u = url_make(e->scratch, res->removed.v[i]);

		for (m = sip->sip_contact; m; m = m->m_next) {
			if (!strcmp(res->removed.v[i], "*") || (u && url_cmp(m->m_url, u) == 0)) {
				sr_result_fail(res, SR_W_REJECTED,
					       "the registrar still holds %s after the removal",
					       url_as_string(e->scratch, m->m_url));
				e->state = ST_DONE;
				return;
			}
		}
	}
	res->word = SR_W_UNREGISTERED;
	e->state = ST_DONE;
}

/* A 2xx to our removal that still lists the binding we removed with time
 * left. */
static int still_ours(struct sr_eng *e, sip_t const *sip)
{
	struct sr_binding_self self;
	sip_contact_t const *m;

	sr_contact_self(e, &self);
	for (m = sip->sip_contact; m; m = m->m_next) {
		long left = m->m_expires       ? strtol(m->m_expires, NULL, 10)
			    : sip->sip_expires ? (long)sip->sip_expires->ex_delta
					       : 1;

		/* the binding we removed: our URI. An earlier binding of our
		 * identity (a kept one, beside a --probe) may rightly stay. */
		if (left > 0 && sr_binding_match(e->scratch, m, &self) >= SR_BM_URI)
			return 1;
	}
	return 0;
}

void sr_eng_on_unregister(struct sr_eng *e, int status, char const *phrase, sip_t const *sip)
{
	struct sr_result *res = e->res;

	sr_debug(1, "<- %d %s (un-REGISTER)", status, phrase);
	if (status < 200) {
		if (status == 100 && phrase && strstr(phrase, "Cache"))
			res->requests++;
		return;
	}
	/* a transient handle has no credentials yet: answer as for a REGISTER */
	if ((status == 401 || status == 407) && e->transient && !sr_eng_is_local_response(sip) &&
	    sr_eng_answer_challenge(e, e->nh, status, sip, 0) == 0)
		return;
	res->unreg_status = sr_eng_is_local_response(sip) ? 0 : status;
	if (status >= 200 && status < 300)
		e->held = 0;
	sr_setstr(&res->unreg_reason, phrase);
	if (status >= 200 && status < 300 && still_ours(e, sip)) {
		res->unreg_left = true;
		sr_result_fail(
		    res, SR_W_REJECTED,
		    "the registrar still lists our binding after the removal (%d %s): it "
		    "may stay until it expires",
		    status, phrase);
	}
	if (status >= 300) {
		if (sr_eng_is_local_response(sip) && status == 408)
			sr_result_fail(
			    res, SR_W_TIMEOUT,
			    "registered, but the un-REGISTER got no answer: the binding may stay "
			    "until it expires in %ld s",
			    res->expires_granted);
		else
			sr_result_fail(
			    res,
			    sr_word_for_status(status) == SR_W_REGISTERED
				? SR_W_REJECTED
				: sr_word_for_status(status),
			    "registered, but removing the binding failed (%d %s): it may stay "
			    "until it expires in %ld s",
			    status, phrase, res->expires_granted);
	}
	e->state = ST_DONE;
}
