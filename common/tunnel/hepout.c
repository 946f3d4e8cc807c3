/* SPDX-License-Identifier: BSD-2-Clause */
/* HEPv3 export: the capture pipe, its reader thread and the collector's
 * socket (hepout.h; docs/evidence.md says why it is built so). */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "model/settings.h"
#include "proto/hep.h"
#include "proto/sipstream.h"
#include "tunnel/hepout.h"
#include "util/log.h"
#include "util/util.h"

#define LOCALS 32  /* our ends learnt per peer, for what does not say it */
#define STREAMS 16 /* TCP connections whose reads are put back into messages */

struct stream {
	char peer[80];
	char *p;
	size_t len;
};

static struct {
	int on, tcp;
	int pr, pw; /* the capture pipe */
	int efd;    /* tells the reader to stop */
	long pipe_cap;
	char path[40];
	char pipe_name[40]; /* "pipe:[INODE]" as /proc/self/fd shows it */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int sock; /* to the collector, -1 while a TCP one is down */
	time_t next_connect;
	unsigned capture_id;
	char password[128];
	pthread_t thread;
	unsigned long long sent, dropped; /* __atomic */
	struct {
		char peer[80], ip[64];
		unsigned port;
	} locals[LOCALS];
	unsigned next_local;
	struct {
		char peer[80];
		unsigned port;
		time_t at;
	} tcp_ports[LOCALS]; /* tcp_local_port's answers, for a second */
	unsigned next_tcp;
	struct stream streams[STREAMS];
} H = {.pr = -1, .pw = -1, .efd = -1, .sock = -1};

static void count(unsigned long long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

void sr_hep_counts(unsigned long long *sent, unsigned long long *dropped)
{
	*sent = __atomic_load_n(&H.sent, __ATOMIC_RELAXED);
	*dropped = __atomic_load_n(&H.dropped, __ATOMIC_RELAXED);
}

int sr_hep_on(void)
{
	return H.on;
}

const char *sr_hep_dump_path(void)
{
	return H.on ? H.path : NULL;
}

/* ---- the collector ---- */

static void collector_connect(void)
{
	int fd;

	if (H.sock >= 0 || time(NULL) < H.next_connect)
		return;
	H.next_connect = time(NULL) + 1;
	fd = socket(H.addr.ss_family, (H.tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (H.tcp) {
		struct timeval tv = {1, 0};

		/* the thread may wait this long for a slow collector, never the loop */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	} else {
		fcntl(fd, F_SETFL, O_NONBLOCK);
	}
	if (connect(fd, (struct sockaddr *)&H.addr, H.addrlen) < 0) {
		sr_debug(1, "HEP collector: cannot connect: %s", strerror(errno));
		close(fd);
		return;
	}
	H.sock = fd;
}

static void collector_send(const uint8_t *p, size_t n)
{
	ssize_t w;

	collector_connect();
	if (H.sock < 0) {
		count(&H.dropped);
		return;
	}
	w = send(H.sock, p, n, MSG_NOSIGNAL);
	if (w == (ssize_t)n) {
		count(&H.sent);
		return;
	}
	count(&H.dropped);
	if (H.tcp) { /* a stream cut mid-packet is no stream: start again */
		close(H.sock);
		H.sock = -1;
	}
}

/* ---- records to packets ---- */

static struct stream *stream_of(const char *peer)
{
	struct stream *free_one = NULL;
	size_t i;

	for (i = 0; i < STREAMS; i++) {
		if (!strcmp(H.streams[i].peer, peer))
			return &H.streams[i];
		if (!free_one && !H.streams[i].peer[0])
			free_one = &H.streams[i];
	}
	if (!free_one) { /* the oldest connections give way */
		free_one = &H.streams[rand() % STREAMS];
		free(free_one->p);
		free_one->p = NULL;
		free_one->len = 0;
	}
	snprintf(free_one->peer, sizeof free_one->peer, "%s", peer);
	return free_one;
}

/* Our end of the record's message: what the message says, else what an
 * earlier message with the same peer said, else nothing (port 0). */
static void our_end(const struct sr_hep_rec *r, const char *peer, const char *msg, size_t len,
		    char *ip, size_t iplen, unsigned *port)
{
	size_t i;

	if (r->local[0]) {
		snprintf(ip, iplen, "%s", r->local);
		*port = r->local_port;
		return;
	}
	if (sr_hep_our_end(msg, len, r->sent, r->proto, ip, iplen, port) == 0) {
		for (i = 0; i < LOCALS; i++)
			if (!strcmp(H.locals[i].peer, peer))
				break;
		if (i == LOCALS)
			i = H.next_local++ % LOCALS;
		snprintf(H.locals[i].peer, sizeof H.locals[i].peer, "%s", peer);
		snprintf(H.locals[i].ip, sizeof H.locals[i].ip, "%s", ip);
		H.locals[i].port = *port;
		return;
	}
	for (i = 0; i < LOCALS; i++)
		if (!strcmp(H.locals[i].peer, peer)) {
			snprintf(ip, iplen, "%s", H.locals[i].ip);
			*port = H.locals[i].port;
			return;
		}
	snprintf(ip, iplen, "%s", strchr(r->remote, ':') ? "::" : "0.0.0.0");
	*port = 0;
}

/* The kernel's spelling of an address in /proc/net/tcp{,6}: each 32-bit
 * word of it in host order, in hex. */
static int proc_addr(const char *ip, int family, char *out, size_t outlen)
{
	uint32_t w[4];
	int i, n = family == AF_INET6 ? 4 : 1;
	size_t len = 0;

	if (inet_pton(family, ip, w) != 1)
		return -1;
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%08X", w[i]);
	return 0;
}

/* Our descriptors whose /proc/self/fd link reads want ("socket:[INODE]",
 * "pipe:[INODE]"): how many, each made non-blocking when nonblock is set. */
static int fds_linked(const char *want, int nonblock)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], link[64];
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want))
			continue;
		found++;
		if (nonblock) {
			int fd = atoi(e->d_name);

			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		}
	}
	closedir(d);
	return found;
}

/* Is the socket of this inode one of ours? */
static int our_socket(unsigned long inode)
{
	char want[40];

	snprintf(want, sizeof want, "socket:[%lu]", inode);
	return fds_linked(want, 0) > 0;
}

/* Sofia's TCP connections leave from a port of their own, which the dump
 * does not say and the Via does not show (it names the listening port):
 * the port of our established connection to the peer, from the kernel.
 * 0 when none is found. */
static unsigned tcp_local_port(const char *local_ip, const char *remote, unsigned rport)
{
	int family = strchr(remote, ':') ? AF_INET6 : AF_INET;
	char rem[64], loc[64], line[512];
	unsigned port = 0;
	FILE *f;

	if (proc_addr(remote, family, rem, sizeof rem) < 0 ||
	    proc_addr(local_ip, family, loc, sizeof loc) < 0)
		return 0;
	snprintf(rem + strlen(rem), sizeof rem - strlen(rem), ":%04X", rport);
	f = fopen(family == AF_INET6 ? "/proc/self/net/tcp6" : "/proc/self/net/tcp", "r");
	if (!f)
		return 0;
	while (!port && fgets(line, sizeof line, f)) {
		char l[80], r[80], st[8];
		unsigned lp;
		unsigned long inode;
		char *colon;

		if (sscanf(line, " %*s %79s %79s %7s %*s %*s %*s %*s %*s %lu", l, r, st, &inode) !=
			4 ||
		    strcmp(r, rem) || strcmp(st, "01"))
			continue;
		colon = strchr(l, ':');
		if (!colon || strncmp(l, loc, (size_t)(colon - l)))
			continue;
		lp = (unsigned)strtoul(colon + 1, NULL, 16);
		if (our_socket(inode))
			port = lp;
	}
	fclose(f);
	return port;
}

/* tcp_local_port, asked at most once a second per peer: a busy stack's
 * messages do not each read the kernel's table */
static unsigned cached_tcp_port(const char *peer, const char *ip, const struct sr_hep_rec *r)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < LOCALS; i++)
		if (!strcmp(H.tcp_ports[i].peer, peer) && H.tcp_ports[i].at == now &&
		    H.tcp_ports[i].port)
			return H.tcp_ports[i].port;
	for (i = 0; i < LOCALS && strcmp(H.tcp_ports[i].peer, peer); i++)
		;
	if (i == LOCALS)
		i = H.next_tcp++ % LOCALS;
	snprintf(H.tcp_ports[i].peer, sizeof H.tcp_ports[i].peer, "%s", peer);
	H.tcp_ports[i].port = tcp_local_port(ip, r->remote, r->remote_port);
	H.tcp_ports[i].at = now;
	return H.tcp_ports[i].port;
}

static void export_message(const struct sr_hep_rec *r, const char *msg, size_t len, uint32_t sec,
			   uint32_t usec)
{
	static uint8_t pkt[SR_HEP_MAX];
	unsigned char rem[16], loc[16];
	char peer[80], ip[64];
	unsigned port = 0;
	struct sr_hep_msg m = {0};
	size_t n;

	snprintf(peer, sizeof peer, "%s/[%s]:%u", r->proto, r->remote, r->remote_port);
	our_end(r, peer, msg, len, ip, sizeof ip, &port);
	if (!strcmp(r->proto, "tcp") && !r->local[0]) {
		unsigned p = cached_tcp_port(peer, ip, r);

		if (p)
			port = p;
	}
	m.family = strchr(r->remote, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(m.family, r->remote, rem) != 1 || inet_pton(m.family, ip, loc) != 1) {
		count(&H.dropped);
		return;
	}
	m.ip_proto = !strcmp(r->proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	m.src = r->sent ? loc : rem;
	m.dst = r->sent ? rem : loc;
	m.sport = (uint16_t)(r->sent ? port : r->remote_port);
	m.dport = (uint16_t)(r->sent ? r->remote_port : port);
	m.sec = sec;
	m.usec = usec;
	m.capture_id = H.capture_id;
	m.password = H.password;
	m.payload = msg;
	m.len = len;
	if (sr_sip_header_value(msg, len, "Call-ID", "i", &m.call_id, &m.call_id_len) < 0)
		m.call_id = NULL;
	n = sr_hep_encode(&m, pkt, sizeof pkt);
	if (!n) {
		count(&H.dropped);
		return;
	}
	collector_send(pkt, n);
}

/* A record: one message, or (Sofia's reads of a TCP connection) some bytes
 * of a stream, put back into messages here. Keep-alives are no messages. */
static void export_record(const struct sr_hep_rec *r)
{
	struct timeval now;
	uint32_t sec = r->sec;
	struct stream *s;
	char peer[80];
	char *p;

	gettimeofday(&now, NULL);
	if (!r->full_time) {
		struct tm tm;
		time_t t = now.tv_sec;

		localtime_r(&t, &tm);
		sec = sr_hep_dump_time((uint32_t)now.tv_sec, r->hh, r->mm, r->sec, tm.tm_gmtoff);
	}
	if (!strcmp(r->proto, "udp") || r->full_time) {
		int crlf;

		if (sr_sip_next(r->body, r->len, &crlf) > 0 && crlf)
			return;
		export_message(r, r->body, r->len, sec, r->usec);
		return;
	}
	snprintf(peer, sizeof peer, "%s %s/[%s]:%u", r->sent ? ">" : "<", r->proto, r->remote,
		 r->remote_port);
	s = stream_of(peer);
	p = realloc(s->p, s->len + r->len);
	if (!p) {
		count(&H.dropped);
		return;
	}
	s->p = p;
	memcpy(s->p + s->len, r->body, r->len);
	s->len += r->len;
	for (;;) {
		int crlf;
		long n = sr_sip_next(s->p, s->len, &crlf);

		if (n == 0)
			break;
		if (n < 0) { /* not SIP: what we have is dropped */
			count(&H.dropped);
			n = (long)s->len;
		} else if (!crlf) {
			export_message(r, s->p, (size_t)n, sec, r->usec);
		}
		memmove(s->p, s->p + n, s->len - (size_t)n);
		s->len -= (size_t)n;
	}
}

/* ---- the reader thread ---- */

/* The records of buf[0, *len) that are whole, exported; what is left moves
 * to the front. Returns whether anything was taken. */
static int take_records(char *buf, size_t *len)
{
	size_t off = 0;

	while (off < *len) {
		struct sr_hep_rec r;
		size_t k = sr_hep_next(buf + off, *len - off, &r);

		if (!k)
			break;
		if (r.body)
			export_record(&r);
		else if (!strncmp(buf + off, "sent ", 5) || !strncmp(buf + off, "recv ", 5) ||
			 !strncmp(buf + off, "hep ", 4))
			count(&H.dropped); /* a broken record, not "dump started" */
		off += k;
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
	return off > 0;
}

/* The thread: what the pipe brings, as it comes; the eventfd says stop
 * (what the pipe holds then is still taken). A part of a record that waits
 * a second for its rest was cut short (a full pipe): it goes. */
static void *reader(void *arg)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	double still = sr_now();

	(void)arg;
	if (!buf)
		return NULL;
	for (;;) {
		struct pollfd p[2] = {{.fd = H.pr, .events = POLLIN},
				      {.fd = H.efd, .events = POLLIN}};
		int quit, got = 0;

		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		quit = (p[1].revents & POLLIN) != 0;
		while (len < cap) {
			ssize_t n = read(H.pr, buf + len, cap - len);

			if (n <= 0)
				break;
			len += (size_t)n;
			got = 1;
		}
		if (take_records(buf, &len) || got)
			still = sr_now();
		if (len == cap || (len && sr_now() - still > 1.0)) {
			const char *nl = memchr(buf + 1, '\n', len - 1);
			size_t skip = nl ? (size_t)(nl - buf) + 1 : len;

			count(&H.dropped);
			memmove(buf, buf + skip, len - skip);
			len -= skip;
			still = sr_now();
		}
		if (quit)
			break;
	}
	free(buf);
	return NULL;
}

/* ---- the run's side ---- */

static int parse_url(const char *url, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = {0}, *ai = NULL;
	int rc;

	if (sr_hep_url(url, &H.tcp, host, sizeof host, port, sizeof port) < 0)
		goto bad;
	hints.ai_socktype = H.tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc || !ai) {
		snprintf(err, errlen, "--hep \"%s\": cannot resolve %s: %s", url, host,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(&H.addr, ai->ai_addr, ai->ai_addrlen);
	H.addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	snprintf(err, errlen, "--hep \"%s\": expected udp:HOST:PORT or tcp:HOST:PORT", url);
	return -1;
}

int sr_hep_open(const char *url, unsigned capture_id, const char *password, char *err,
		size_t errlen)
{
	int fds[2], rc;
	struct stat st;
	sigset_t all, old;

	if (H.on)
		return 0;
	if (parse_url(url, err, errlen) < 0)
		return -1;
	if (password && strlen(password) >= sizeof H.password) {
		snprintf(err, errlen, "hep_password: longer than %zu characters",
			 sizeof H.password - 1);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "--hep: cannot make the capture pipe: %s", strerror(errno));
		return -1;
	}
	H.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (H.efd < 0 || fstat(fds[0], &st) < 0) {
		snprintf(err, errlen, "--hep: cannot make the capture pipe: %s", strerror(errno));
		goto fail;
	}
	/* room for bursts; a full pipe drops records, never blocks (adopt) */
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	H.pipe_cap = fcntl(fds[1], F_GETPIPE_SZ);
	H.pr = fds[0];
	H.pw = fds[1];
	snprintf(H.path, sizeof H.path, "/proc/self/fd/%d", H.pw);
	snprintf(H.pipe_name, sizeof H.pipe_name, "pipe:[%lu]", (unsigned long)st.st_ino);
	H.capture_id = capture_id;
	snprintf(H.password, sizeof H.password, "%s", password ? password : "");
	/* signals are the loop's: the thread takes none */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&H.thread, NULL, reader, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "--hep: cannot start its thread");
		goto fail;
	}
	H.on = 1;
	return 0;
fail:
	close(fds[0]);
	close(fds[1]);
	if (H.efd >= 0)
		close(H.efd);
	H.pr = H.pw = H.efd = -1;
	explicit_bzero(H.password, sizeof H.password);
	return -1;
}

int sr_hep_start(const struct sr_reg *regs, size_t n, char *err, size_t errlen)
{
	const struct sr_reg *first = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct sr_reg *r = &regs[i];

		if (!r->hep)
			continue;
		if (!first) {
			first = r;
			continue;
		}
		if (strcmp(r->hep, first->hep) || r->hep_capture_id != first->hep_capture_id ||
		    strcmp(r->hep_password ? r->hep_password : "",
			   first->hep_password ? first->hep_password : "")) {
			snprintf(err, errlen,
				 "%s: hep, hep_capture_id and hep_password differ from those of "
				 "%s: one collector serves the whole run",
				 r->origin ? r->origin : r->name, first->name);
			return -1;
		}
	}
	for (i = 0; first && i < n; i++)
		if (!regs[i].hep) {
			snprintf(err, errlen,
				 "%s: no hep where %s has one: one collector serves the whole run "
				 "(put hep under defaults:)",
				 regs[i].origin ? regs[i].origin : regs[i].name, first->name);
			return -1;
		}
	return first ? sr_hep_open(first->hep, first->hep_capture_id, first->hep_password, err,
				   errlen)
		     : 0;
}

void sr_hep_adopt(void)
{
	/* the read end is non-blocking already (pipe2) */
	if (H.on)
		fds_linked(H.pipe_name, 1);
}

void sr_hep_note(int sent, const char *proto, int fd, const char *msg, size_t len)
{
	struct sockaddr_storage a, b;
	socklen_t al = sizeof a, bl = sizeof b;
	char la[64], ra[64], head[256];
	struct timeval now;
	int hl;

	if (!H.on || len > SR_HEP_MAX)
		return;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (getsockname(fd, (struct sockaddr *)&a, &al) < 0 ||
	    getpeername(fd, (struct sockaddr *)&b, &bl) < 0 || a.ss_family != b.ss_family) {
		count(&H.dropped);
		return;
	}
	if (a.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, la, sizeof la);
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&b)->sin6_addr, ra, sizeof ra);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, la, sizeof la);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&b)->sin_addr, ra, sizeof ra);
	}
	gettimeofday(&now, NULL);
	/* sin_port and sin6_port stand at the same place */
	hl =
	    snprintf(head, sizeof head, "hep %s %s [%s]:%u [%s]:%u %lu.%06lu %zu\n",
		     sent ? "send" : "recv", proto, la, ntohs(((struct sockaddr_in *)&a)->sin_port),
		     ra, ntohs(((struct sockaddr_in *)&b)->sin_port), (unsigned long)now.tv_sec,
		     (unsigned long)now.tv_usec, len);
	{
		struct iovec iov[3] = {{head, (size_t)hl}, {(void *)msg, len}, {"\v\n", 2}};
		size_t total = (size_t)hl + len + 2;
		int queued = 0;
		ssize_t w;

		/* the whole record or nothing: one cut short would cost the
		 * next ones too (only this thread writes, the reader only frees) */
		if (ioctl(H.pw, FIONREAD, &queued) < 0 || queued < 0 ||
		    (long)total > H.pipe_cap - queued) {
			count(&H.dropped);
			return;
		}
		w = writev(H.pw, iov, 3);
		if (w != (ssize_t)total)
			count(&H.dropped);
	}
}

void sr_hep_close(double deadline)
{
	struct timespec ts;
	double left;
	size_t i;

	if (!H.on)
		return;
	H.on = 0;
	/* the reader takes what the pipe holds, then ends */
	if (eventfd_write(H.efd, 1) < 0) {
		pthread_detach(H.thread);
		return;
	}
	left = deadline - sr_now();
	if (left < 0.05)
		left = 0.05;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)left;
	ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(H.thread, NULL, &ts) != 0) {
		pthread_detach(H.thread); /* the process ends without it */
		return;
	}
	for (i = 0; i < STREAMS; i++)
		free(H.streams[i].p);
	if (H.sock >= 0)
		close(H.sock);
	/* Sofia's dump descriptors stay until its stacks go: written to
	 * without a reader, they fail (non-blocking), never wait */
	close(H.efd);
	H.sock = H.efd = -1;
	explicit_bzero(H.password, sizeof H.password);
}
