/* SPDX-License-Identifier: BSD-2-Clause */
/* Metrics, status and health over HTTP for sipregwatch (watchhttp.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "proto/target.h"
#include "watch/watchdata.h"
#include "watch/watchhttp.h"
#include "watch/watchout.h"

struct sr_http {
	struct sr_watch *w;
	su_root_t *root;
	struct MHD_Daemon *d;
	su_wait_t wait;
	int idx;
	su_timer_t *timer; /* MHD's own next deadline (its timeouts, work left) */
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(c, status, "text/plain; charset=utf-8", body, strlen(body)) : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct sr_http *h = cls;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int metrics;

	(void)version, (void)upload;
	if (!*con_cls) { /* the headers: answer once they are all in */
		*con_cls = h;
		return MHD_YES;
	}
	if (*upload_size) { /* a body: not for us */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics, /status or /healthz\n");
	if (!strcmp(url, "/healthz"))
		return h->w->stopping ? text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping\n")
				      : text(c, MHD_HTTP_OK, "ok\n");
	metrics = !strcmp(url, "/metrics");
	if (!metrics && strcmp(url, "/status"))
		return text(c, MHD_HTTP_NOT_FOUND, "GET /metrics, /status or /healthz\n");
	f = open_memstream(&buf, &len);
	if (!f)
		return MHD_NO;
	if (metrics)
		sr_watch_metrics(h->w, f);
	else
		sr_watch_status_json(h->w, f);
	if (fclose(f) != 0) {
		free(buf);
		return MHD_NO;
	}
	return reply(c, MHD_HTTP_OK,
		     metrics ? "text/plain; version=0.0.4; charset=utf-8" : "application/json", buf,
		     len);
}

static void run_mhd(struct sr_http *h);

static void on_timer(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	(void)m;
	(void)t;
	run_mhd((struct sr_http *)arg);
}

/* MHD runs when its epoll fd is ready, and again when it says it has
 * work left or a connection to time out: a request line read in parts
 * must not wait for the watch's idle tick between its parts. */
static void run_mhd(struct sr_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;

	MHD_run(h->d);
	if (MHD_get_timeout(h->d, &ms) != MHD_YES) {
		su_timer_reset(h->timer);
		return;
	}
	if (ms > 1000)
		ms = 1000;
	su_timer_set_interval(h->timer, on_timer, (su_timer_arg_t *)h, ms ? (su_duration_t)ms : 1);
}

static int on_ready(su_root_magic_t *m, su_wait_t *wt, su_wakeup_arg_t *arg)
{
	(void)m, (void)wt;
	run_mhd((struct sr_http *)arg);
	return 0;
}

/* ADDR:PORT into a socket address: an IPv4 or a bracketed IPv6 literal,
 * split as --local-address is. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[64], port[8];
	uint16_t p;

	memset(ss, 0, sizeof *ss);
	if (sr_split_addr_port(s, host, sizeof host, port, sizeof port) < 0 || !port[0]) {
		snprintf(err, errlen,
			 "--metrics-listen: expected ADDR:PORT with an IP address (127.0.0.1:9101, "
			 "[::1]:9101), got \"%s\"",
			 s);
		return -1;
	}
	p = htons((uint16_t)strtoul(port, NULL, 10));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = p;
	} else {
		inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr);
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = p;
	}
	return 0;
}

struct sr_http *sr_http_start(struct sr_watch *w, su_root_t *root, const char *addr, char *err,
			      size_t errlen)
{
	struct sockaddr_storage ss;
	struct sr_http *h;
	const union MHD_DaemonInfo *info;

	if (parse_addr(addr, &ss, err, errlen) < 0)
		return NULL;
	h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->w = w;
	h->root = root;
	/* no thread of its own: MHD runs when its epoll fd is ready, in our
	 * loop; small requests only, few connections, a 10 s limit each */
	h->d = MHD_start_daemon(
	    MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
	    on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen,
			 "--metrics-listen %s: cannot listen there (in use, or not "
			 "an address of this host)",
			 addr);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	h->timer = su_timer_create(su_root_task(root), 1000);
	if (!info || !h->timer || su_wait_create(&h->wait, info->epoll_fd, SU_WAIT_IN) < 0 ||
	    (h->idx = su_root_register(root, &h->wait, on_ready, (su_wakeup_arg_t *)h, 0)) <= 0) {
		snprintf(err, errlen, "--metrics-listen %s: cannot serve from the event loop",
			 addr);
		su_timer_destroy(h->timer);
		MHD_stop_daemon(h->d);
		free(h);
		return NULL;
	}
	return h;
}

void sr_http_tick(struct sr_http *h)
{
	if (h)
		run_mhd(h);
}

void sr_http_stop(struct sr_http *h)
{
	if (!h)
		return;
	su_root_deregister(h->root, h->idx);
	su_timer_destroy(h->timer);
	MHD_stop_daemon(h->d);
	free(h);
}
