#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tlscheck.h"
#include "util.h"

static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd pfd = {fd, events, 0};
		double left = deadline - sr_now();
		int rc;

		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		return rc;
	}
}

static int is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static enum sr_word connect_tcp(const struct sr_tls_params *p, double deadline, int *out, char *err,
				size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	enum sr_word w = SR_W_TRANSPORT_ERROR;
	int rc, fd = -1, last = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = p->family ? p->family : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%u", p->port);
	rc = getaddrinfo(p->connect_host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", p->connect_host, gai_strerror(rc));
		return rc == EAI_NONAME || rc == EAI_NODATA ? SR_W_DNS_ERROR : SR_W_TRANSPORT_ERROR;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		socklen_t sl = sizeof last;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc == 0) {
				snprintf(err, errlen,
					 "TCP connection to %s port %s got no answer in time",
					 p->connect_host, port);
				w = SR_W_TIMEOUT;
				close(fd);
				fd = -1;
				break;
			}
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &last, &sl) == 0 && last == 0)
				break;
		} else {
			last = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (w != SR_W_TIMEOUT)
			snprintf(err, errlen, "cannot connect to %s port %s: %s", p->connect_host,
				 port, strerror(last ? last : ECONNREFUSED));
		return w;
	}
	*out = fd;
	return SR_W_NONE;
}

enum sr_word sr_tls_check(const struct sr_tls_params *p, double deadline, char *err, size_t errlen)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	enum sr_word w;
	int fd = -1;

	w = connect_tcp(p, deadline, &fd, err, errlen);
	if (w != SR_W_NONE)
		return w;
	w = SR_W_TLS_ERROR;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "TLS: cannot create a context");
		goto out;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (p->verify) {
		if (p->ca_file || p->ca_dir) {
			if (SSL_CTX_load_verify_locations(ctx, p->ca_file, p->ca_dir) != 1) {
				snprintf(err, errlen, "TLS: cannot load CA certificates from %s",
					 p->ca_file ? p->ca_file : p->ca_dir);
				w = SR_W_CONFIG_ERROR;
				goto out;
			}
		} else {
			SSL_CTX_set_default_verify_paths(ctx);
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	ssl = SSL_new(ctx);
	if (!ssl)
		goto out;
	if (!is_ip(p->verify_name))
		SSL_set_tlsext_host_name(ssl, p->verify_name);
	if (p->verify) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

		if (is_ip(p->verify_name))
			X509_VERIFY_PARAM_set1_ip_asc(vp, p->verify_name);
		else
			X509_VERIFY_PARAM_set1_host(vp, p->verify_name, 0);
	}
	SSL_set_fd(ssl, fd);
	for (;;) {
		int rc = SSL_connect(ssl), e;

		if (rc == 1)
			break;
		e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) ==
			    0) {
				snprintf(err, errlen,
					 "TLS handshake with %s port %u did not finish in time",
					 p->connect_host, p->port);
				w = SR_W_TIMEOUT;
				goto out;
			}
			continue;
		}
		if (SSL_get_verify_result(ssl) != X509_V_OK) {
			long v = SSL_get_verify_result(ssl);

			snprintf(err, errlen, "TLS: server certificate of %s not trusted: %s%s",
				 p->verify_name, X509_verify_cert_error_string(v),
				 v == X509_V_ERR_HOSTNAME_MISMATCH ||
					 v == X509_V_ERR_IP_ADDRESS_MISMATCH
				     ? ""
				     : " (give its CA with --tls-ca-file, or --insecure)");
		} else {
			unsigned long oe = ERR_get_error();

			snprintf(err, errlen, "TLS handshake with %s port %u failed: %s",
				 p->connect_host, p->port,
				 oe ? ERR_reason_error_string(oe)
				    : "connection closed by the server");
		}
		goto out;
	}
	w = SR_W_NONE;
out:
	if (ssl) {
		if (w == SR_W_NONE)
			SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	ERR_clear_error();
	if (fd >= 0)
		close(fd);
	return w;
}
