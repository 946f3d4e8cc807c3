#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secrets.h"
#include "settings.h"

void sr_setstr(char **dst, const char *src)
{
	char *copy = src ? strdup(src) : NULL;

	free(*dst);
	*dst = copy;
}

int sr_strv_add(struct sr_strv *sv, const char *s)
{
	char **v;

	if (!s)
		return 0;
	v = realloc(sv->v, (sv->n + 1) * sizeof *v);
	if (!v)
		return -1;
	sv->v = v;
	sv->v[sv->n] = strdup(s);
	if (!sv->v[sv->n])
		return -1;
	sv->n++;
	return 0;
}

void sr_strv_free(struct sr_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void sr_reg_defaults(struct sr_reg *r)
{
	memset(r, 0, sizeof *r);
	r->expiration = 3600;
	r->max_retries = 10;
	r->retry_interval = 60;
	r->forbidden_retry_interval = 0;
	r->fatal_retry_interval = 0;
	r->auth_rejection_permanent = true;
	r->max_random_initial_delay = 10;
	r->connection_recovery_min_interval = 2;
	r->connection_recovery_max_interval = 30;
	r->keep_alive_interval = 90;
	r->audit_interval = 60;
	r->transport = SR_TP_AUTO;
	r->tls_verify = true;
}

void sr_run_defaults(struct sr_run *run)
{
	memset(run, 0, sizeof *run);
	run->timeout = 10;
	run->output = SR_OUT_TEXT;
	run->mode = SR_MODE_REGISTER;
	run->shutdown_timeout = 5;
	run->max_rate = 200;
	run->stale = 60;
}

void sr_reg_free(struct sr_reg *r)
{
	size_t i;
	char **strs[] = {
		&r->name, &r->client_uri, &r->server_uri, &r->contact_user, &r->contact_uri,
		&r->contact_header_params, &r->display_name, &r->user_agent, &r->instance_id,
		&r->username, &r->password_file, &r->password_env, &r->realm,
		&r->bearer_token_file, &r->outbound_proxy, &r->local_address, &r->endpoint,
		&r->security_negotiation, &r->tls_ca_file, &r->tls_ca_dir, &r->tls_cert,
		&r->tls_key, &r->tls_server_name, &r->digest_algorithms, &r->min_digest,
		&r->origin,
	};

	sr_secret_free(&r->password);
	sr_secret_free(&r->ha1);
	sr_secret_free(&r->bearer_token);
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	sr_strv_free(&r->extra_headers);
	sr_strv_free(&r->security_mechanisms);
	for (i = 0; i < r->n_servers; i++)
		free(r->servers[i].uri);
	free(r->servers);
	sr_reg_defaults(r);
}

void sr_run_free(struct sr_run *run)
{
	free(run->config_file);
	free(run->pjsip_conf);
	sr_strv_free(&run->names);
	sr_strv_free(&run->contacts);
	free(run->algorithm);
	free(run->events_file);
	free(run->status_file);
	free(run->prometheus_file);
	free(run->warning);
	free(run->critical);
	sr_run_defaults(run);
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
