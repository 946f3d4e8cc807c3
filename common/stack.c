/* The Sofia-SIP stack a registration rides on: its socket, Route, TLS
 * settings, keep-alives and timers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/tport_tag.h>

#include "engine_int.h"
#include "util.h"

/* Sofia reads CAs from <dir>/cafile.pem and hashed files in <dir>
 * (docs/sofia-sip.md, 9): give it a private directory naming the user's file. */
const char *sr_stack_cert_dir(struct eng *e)
{
	const struct sr_reg *r = e->reg;
	char target[4096];

	if (!r->tls_ca_file)
		return r->tls_ca_dir ? r->tls_ca_dir : "/etc/ssl/certs";
	if (!realpath(r->tls_ca_file, target))
		return NULL;
	snprintf(e->cadir, sizeof e->cadir, "%s/sipreg-ca.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (strlen(e->cadir) + 12 >= sizeof e->cadir || !mkdtemp(e->cadir)) {
		e->cadir[0] = '\0';
		return NULL;
	}
	{
		char link[128];

		snprintf(link, sizeof link, "%s/cafile.pem", e->cadir);
		if (symlink(target, link) < 0)
			return NULL;
	}
	return e->cadir;
}

void sr_stack_cert_dir_remove(struct eng *e)
{
	char link[128];

	if (!e->cadir[0])
		return;
	snprintf(link, sizeof link, "%s/cafile.pem", e->cadir);
	unlink(link);
	rmdir(e->cadir);
	e->cadir[0] = '\0';
}

/* The Route set and Supported list a stack is made with: what decides
 * whether two registrations can share one (group_key). */
void sr_stack_strings(struct eng *e, char **route, char **supported)
{
	const struct sr_reg *reg = e->reg;

	*route = NULL;
	if (reg->outbound_proxy)
		*route = su_sprintf(e->home, "<%s%s>", reg->outbound_proxy,
				    strstr(reg->outbound_proxy, ";lr") ? "" : ";lr");
	else if (reg->use_preloaded_route)
		/* JsSIP: a Route to the server we connect to on every request */
		*route = su_sprintf(e->home, "<%s;lr>", e->registrar);
	/* nua's default claims timer, 100rel and path: say only what is true */
	*supported = su_sprintf(e->home, "%s%s%s%s%s", reg->support_path ? "path" : "",
				reg->support_path && reg->support_outbound ? ", " : "",
				reg->support_outbound ? "outbound" : "",
				(reg->support_path || reg->support_outbound) &&
					(reg->instance_id || reg->support_outbound)
				    ? ", "
				    : "",
				reg->instance_id || reg->support_outbound ? "gruu" : "");
}

/* RFC 5626 keep-alives: the keeper's outbound registrations over TCP/TLS. */
int sr_stack_wants_keepalive(const struct eng *e)
{
	return e->shared && e->reg->support_outbound && e->reg->keep_alive_interval &&
	       (e->tp == SR_TP_TCP || e->tp == SR_TP_TLS);
}

/* A nua on root for e's registration (magic receives its events). */
nua_t *sr_stack_create(struct eng *e, su_root_t *root, nua_magic_t *magic, double deadline,
		       const char *certdir)
{
	const struct sr_reg *reg = e->reg;
	const struct sr_run *run = e->run;
	char *route = NULL, *supported = NULL;
	unsigned t1x64;
	nua_t *nua;

	sr_stack_strings(e, &route, &supported);
	if (sr_stack_wants_keepalive(e)) {
		/* a CRLF ping at 80-100 % of the interval (RFC 5626 4.4.1) */
		e->ka_ms =
		    (unsigned)(reg->keep_alive_interval * 1000.0 * (0.8 + 0.2 * sr_rand01()));
		e->pong_ms = SR_PONG_MS;
	}
	t1x64 = (unsigned)((deadline - sr_now()) * 1000);
	if (t1x64 > 32000)
		t1x64 = 32000;
	if (t1x64 < 500)
		t1x64 = 500;
	nua = nua_create(
	    root, sr_eng_on_event, magic, NUTAG_URL(e->t->bind_url),
	    TAG_IF(e->t->proxy[0] && !route, NUTAG_PROXY(e->t->proxy)),
	    SIPTAG_USER_AGENT_STR(reg->user_agent ? reg->user_agent
						  : PACKAGE_NAME "/" PACKAGE_VERSION),
	    NUTAG_MAX_RETRY_AFTER(0), NUTAG_OUTBOUND("no-validate no-options-keepalive no-natify"),
	    /* nua's default claims timer, 100rel and path: say only what is true */
	    SIPTAG_SUPPORTED_STR(supported), NUTAG_PATH_ENABLE(reg->support_path),
	    TAG_IF(route, NUTAG_INITIAL_ROUTE_STR(route)), NUTAG_KEEPALIVE(0),
	    NTATAG_SIP_T1X64(t1x64), NTATAG_UDP_MTU(65535),
	    /* registrations only: no SDP offer/answer engine per handle */
	    NUTAG_MEDIA_ENABLE(0), NUTAG_ENABLEINVITE(0), NUTAG_ENABLEMESSAGE(0),
	    /* the keeper holds thousands of transactions: let finished ones go
	     * after 1 s instead of T4's 5 s (Timer K only absorbs response
	     * retransmissions) */
	    TAG_IF(e->shared, NTATAG_SIP_T4(1000)),
	    /* A closed connection is an error for what waits on it. Set on the
	     * stack, nua's own TPTAG_SDWN_ERROR(1) on a registration's
	     * connection changes nothing, so the connection keeps sharing the
	     * stack's parameters and a later nua_set_params() (a Flow-Timer,
	     * pongs not expected) reaches it. */
	    TAG_IF(e->shared, TPTAG_SDWN_ERROR(1)), TAG_IF(e->ka_ms, TPTAG_KEEPALIVE(e->ka_ms)),
	    TAG_IF(e->ka_ms, TPTAG_PINGPONG(e->pong_ms)), TPTAG_LOG(run->verbose >= 2),
	    TAG_IF(certdir, TPTAG_CERTIFICATE(certdir)),
	    /* SIPREG_RESOLV_CONF: a resolv.conf for SIP's DNS (NAPTR, SRV),
	     * e.g. a test's own name server on another port ("port N") */
	    TAG_IF(getenv("SIPREG_RESOLV_CONF"), SRESTAG_RESOLV_CONF(getenv("SIPREG_RESOLV_CONF"))),
	    TAG_IF(e->tp == SR_TP_TLS,
		   TPTAG_TLS_VERIFY_POLICY(reg->tls_verify ? TPTLS_VERIFY_OUT : TPTLS_VERIFY_NONE)),
	    TAG_END());
	return nua;
}
