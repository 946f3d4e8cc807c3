#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secrets.h"
#include "settings.h"

void sr_reg_defaults(struct sr_reg *r)
{
	memset(r, 0, sizeof *r);
	r->expiration = 3600;
	r->transport = SR_TP_AUTO;
	r->tls_verify = true;
}

void sr_run_defaults(struct sr_run *run)
{
	memset(run, 0, sizeof *run);
	run->timeout = 10;
	run->output = SR_OUT_TEXT;
	run->mode = SR_MODE_REGISTER;
}

void sr_reg_free(struct sr_reg *r)
{
	sr_secret_free(&r->password);
	sr_secret_free(&r->ha1);
	sr_secret_free(&r->bearer_token);
	free(r->bearer_token_file);
	free(r->digest_algorithms);
	free(r->min_digest);
	free(r->name);
	free(r->client_uri);
	free(r->server_uri);
	free(r->contact_user);
	free(r->user_agent);
	free(r->username);
	free(r->password_file);
	free(r->password_env);
	free(r->realm);
	free(r->tls_ca_file);
	free(r->tls_ca_dir);
	free(r->local_address);
	sr_reg_defaults(r);
}

const char *sr_transport_name(enum sr_transport t)
{
	switch (t) {
	case SR_TP_UDP: return "udp";
	case SR_TP_TCP: return "tcp";
	case SR_TP_TLS: return "tls";
	case SR_TP_AUTO: break;
	}
	return "udp";
}
