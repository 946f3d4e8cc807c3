/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of the wire pieces without I/O: WebSocket handshake and
 * framing (ws.c), SIP framing on streams (sipstream.c), SIP URI checks
 * (uri.c), HEPv3 packets and capture records (hep.c). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/hep.h"
#include "proto/shard.h"
#include "proto/sipstream.h"
#include "proto/window.h"
#include "proto/ws.h"
#include "util/uri.h"

static void test_ws_accept(void **state)
{
	char acc[29], key[25];

	(void)state;
	/* RFC 6455, 1.3 */
	sr_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", acc);
	assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	sr_ws_key(key);
	assert_int_equal(strlen(key), 24);
	assert_int_equal(key[22], '=');
}

static void test_ws_request(void **state)
{
	char buf[512];
	int n;

	(void)state;
	n = sr_ws_request(buf, sizeof buf, "example.org:8443", "/ws", "dGhlIHNhbXBsZSBub25jZQ==");
	assert_true(n > 0);
	assert_non_null(strstr(buf, "GET /ws HTTP/1.1\r\nHost: example.org:8443\r\n"));
	assert_non_null(strstr(buf, "Sec-WebSocket-Protocol: sip\r\n"));
	assert_non_null(strstr(buf, "Sec-WebSocket-Version: 13\r\n"));
	assert_int_equal(sr_ws_request(buf, 40, "example.org", "/", "k"), -1);
}

static int answer(const char *resp, char *err, int *status)
{
	return sr_ws_response(resp, strlen(resp), "dGhlIHNhbXBsZSBub25jZQ==", status, err, 200);
}

static void test_ws_response(void **state)
{
	char err[200];
	int st;
	const char *good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
			   "Connection: keep-alive, Upgrade\r\n"
			   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
			   "Sec-WebSocket-Protocol: sip\r\n\r\n\x81\x00";

	(void)state;
	assert_int_equal(answer(good, err, &st), (int)strlen(good) - 1); /* the frame byte is not */
	assert_int_equal(st, 101);
	assert_int_equal(answer("HTTP/1.1 101 Switching", err, &st), 0);
	assert_int_equal(answer("HTTP/1.1 404 Not Found\r\n\r\n", err, &st), -1);
	assert_int_equal(st, 404);
	assert_string_equal(err, "WebSocket handshake refused: HTTP 404 Not Found");
	assert_int_equal(answer("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: AAAA\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
				err, &st),
			 -1);
	assert_non_null(strstr(err, "wrong Sec-WebSocket-Accept"));
	assert_int_equal(answer("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
				err, &st),
			 -1);
	assert_non_null(strstr(err, "subprotocol sip"));
	assert_int_equal(answer("SIP/2.0 200 OK\r\n\r\n", err, &st), -1);
	assert_non_null(strstr(err, "did not answer in HTTP"));
}

static void test_ws_frames(void **state)
{
	uint8_t hdr[14], payload[300], buf[400];
	const uint8_t mask[4] = {1, 2, 3, 4};
	struct sr_ws_frame f;
	char err[200];
	size_t hl, i;

	(void)state;
	memset(payload, 'a', sizeof payload);
	hl = sr_ws_frame_head(hdr, SR_WS_TEXT, 5, mask);
	sr_ws_mask(payload, 5, mask);
	assert_int_equal(hl, 6);
	assert_int_equal(hdr[0], 0x81);
	assert_int_equal(hdr[1], 0x80 | 5);
	assert_int_equal(payload[0], 'a' ^ 1);
	assert_int_equal(payload[3], 'a' ^ 4);
	hl = sr_ws_frame_head(hdr, SR_WS_TEXT, 300, mask);
	assert_int_equal(hl, 8);
	assert_int_equal(hdr[1], 0x80 | 126);
	assert_int_equal(hdr[2] << 8 | hdr[3], 300);

	/* a server's frame: unmasked; incomplete until whole */
	buf[0] = 0x81;
	buf[1] = 126;
	buf[2] = 1;
	buf[3] = 44;
	for (i = 0; i < 300; i++)
		buf[4 + i] = 'b';
	assert_int_equal(sr_ws_parse(buf, 3, &f, err, sizeof err), 0);
	assert_int_equal(sr_ws_parse(buf, 100, &f, err, sizeof err), 0);
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), 304);
	assert_int_equal(f.len, 300);
	assert_true(f.fin);
	assert_int_equal(f.op, SR_WS_TEXT);
	/* masked, reserved bits, big control frames, oversize: refused */
	buf[1] = 0x85;
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), -1);
	assert_non_null(strstr(err, "masked"));
	buf[0] = 0xc1;
	buf[1] = 5;
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), -1);
	buf[0] = 0x89;
	buf[1] = 126;
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), -1);
	buf[0] = 0x09; /* a ping without FIN */
	buf[1] = 1;
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), -1);
	buf[0] = 0x82;
	buf[1] = 127;
	memset(buf + 2, 0, 8);
	buf[7] = 0x10; /* 1 MiB */
	assert_int_equal(sr_ws_parse(buf, 304, &f, err, sizeof err), -1);
	assert_non_null(strstr(err, "1048576"));
}

static void test_ws_uri(void **state)
{
	struct sr_ws_uri u;
	char why[64];

	(void)state;
	assert_int_equal(sr_ws_uri_parse("ws://h/ws?x=1", &u, why, sizeof why), 1);
	assert_string_equal(u.path, "/ws?x=1");
	assert_int_equal(sr_ws_uri_parse("wss://sip.example.org:8443/ws", &u, why, sizeof why), 1);
	assert_true(u.secure);
	assert_string_equal(u.host, "sip.example.org");
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.path, "/ws");
	assert_int_equal(sr_ws_uri_parse("ws://[::1]", &u, why, sizeof why), 1);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 0);
	assert_string_equal(u.path, "/");
	assert_int_equal(sr_ws_uri_parse("sip:x", &u, why, sizeof why), 0);
	assert_int_equal(sr_ws_uri_parse("ws://", &u, why, sizeof why), -1);
	assert_string_equal(why, "has no host");
	assert_int_equal(sr_ws_uri_parse("ws://h:0/", &u, why, sizeof why), -1);
	assert_int_equal(sr_ws_uri_parse("ws://h x/", &u, why, sizeof why), -1);
}

static void test_sip_next(void **state)
{
	const char *m = "REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5;branch=z\r\n"
			"l: 3\r\n\r\nabcREGISTER";
	size_t off, n;
	int crlf, has_len;

	(void)state;
	assert_int_equal(sr_sip_next(m, strlen(m), &crlf), (long)strlen(m) - 8);
	assert_false(crlf);
	assert_int_equal(sr_sip_next(m, 30, &crlf), 0);
	assert_int_equal(sr_sip_next("\r\n\r\nX", 5, &crlf), 4);
	assert_true(crlf);
	assert_int_equal(sr_sip_next("\r", 1, &crlf), 0);
	assert_int_equal(sr_sip_next("\rX", 2, &crlf), -1);
	assert_int_equal(sr_sip_next("A\r\nB: c\r\n\r\n", 11, &crlf), -1);  /* no length */
	assert_int_equal(sr_sip_next("A\r\nl: -1\r\n\r\n", 12, &crlf), -1); /* bad length */
	assert_int_equal(sr_sip_top_via(m, strlen(m), &off, &n), 0);
	assert_int_equal(n, strlen("SIP/2.0/TCP 127.0.0.1:5"));
	assert_memory_equal(m + off, "SIP/2.0/TCP 127.0.0.1:5", n);
	assert_int_equal(sr_sip_top_via("A\r\nB: c\r\n\r\n", 11, &off, &n), -1);
	assert_int_equal(sr_sip_head(m, strlen(m), &has_len), strlen(m) - 11);
	assert_true(has_len);
	assert_true(sr_sip_start_line("SIP/2.0 200 OK\r\n", 16));
	assert_true(sr_sip_start_line("OPTIONS sip:a SIP/2.0\r\n", 23));
	assert_false(sr_sip_start_line("hello, this is not SIP\r\n", 24));
	assert_false(sr_sip_start_line("SIP/2.0 2x\r\n", 12));
}

/* n answers, each after rtt seconds, the clock at *now */
static void answers(struct sr_window *w, int n, double rtt, double *now)
{
	int i;

	for (i = 0; i < n; i++) {
		sr_window_sent(w);
		*now += 0.001;
		sr_window_done(w, SR_WIN_ANSWERED, *now - rtt, *now);
	}
}

static void test_window(void **state)
{
	struct sr_window w;
	double now = 100;

	(void)state;
	sr_window_init(&w, 32, 4, 1024);
	assert_true(sr_window_open(&w));
	/* slow start: one more per answer while nothing queues */
	answers(&w, 10, 0.001, &now);
	assert_int_equal((int)w.cwnd, 42);
	/* answers slower than the base RTT: requests queue, slow start ends */
	answers(&w, 1, 0.010, &now);
	assert_int_equal((int)w.cwnd, 42);
	assert_true(w.ssthresh <= 42);
	/* queueing past beta shrinks it, little by little */
	answers(&w, 200, 0.010, &now);
	assert_true(w.cwnd < 42);
	assert_true(w.cwnd >= 4);
	/* a timeout cuts it by half, once per episode */
	{
		double before = w.cwnd, sent = now;

		sr_window_sent(&w);
		sr_window_sent(&w);
		now += 5;
		assert_int_equal(sr_window_done(&w, SR_WIN_CONGESTED, sent, now), 1);
		assert_true(w.cwnd <= before / 2 + 0.5);
		assert_int_equal(sr_window_done(&w, SR_WIN_CONGESTED, sent, now), 0);
		assert_int_equal(w.cuts, 1);
		assert_int_equal(w.inflight, 0);
	}
	/* never below min, never above max, and the window is what is open */
	sr_window_init(&w, 4, 4, 6);
	sr_window_done(&w, SR_WIN_CONGESTED, now, now + 1);
	assert_int_equal((int)w.cwnd, 4);
	answers(&w, 50, 0.001, &now);
	assert_int_equal((int)w.cwnd, 6);
	{
		int i;

		for (i = 0; i < 6; i++)
			sr_window_sent(&w);
		assert_false(sr_window_open(&w));
		sr_window_done(&w, SR_WIN_DROPPED, now, now);
		assert_true(sr_window_open(&w));
	}
}

/* A few requests queued at a registrar are what its workers absorb, not
 * overload: with five waiting beyond the base RTT round after round, the
 * window still grows (Vegas's own 2 and 6 held it). */
static void test_window_queue(void **state)
{
	struct sr_window w;
	double now = 100.0, start;
	int i;

	(void)state;
	sr_window_init(&w, 32, 4, 1024);
	answers(&w, 20, 0.001, &now);
	/* a standing queue past beta ends slow start */
	answers(&w, 1, 0.004, &now);
	assert_false(w.slow_start);
	start = w.cwnd;
	for (i = 0; i < 20; i++) {
		double rtt = 0.001 * w.cwnd / (w.cwnd - 5.0);

		sr_window_sent(&w);
		now += rtt;
		assert_int_equal(sr_window_done(&w, SR_WIN_ANSWERED, now - rtt, now), 0);
	}
	assert_true(w.cwnd >= start + 20);
	/* and one past beta shrinks it */
	start = w.cwnd;
	answers(&w, 50, 0.004, &now);
	assert_true(w.cwnd < start);
}

/* Karn's rule: answers that a retransmission carried (random loss) take
 * no RTT sample and leave the window as it is; a timeout still cuts. */
static void test_window_karn(void **state)
{
	struct sr_window w;
	double now = 100.0, before;
	int i;

	(void)state;
	sr_window_init(&w, 32, 4, 1024);
	answers(&w, 200, 0.0005, &now);
	before = w.cwnd;
	for (i = 0; i < 50; i++) {
		sr_window_sent(&w);
		now += 0.001;
		assert_int_equal(sr_window_done(&w, SR_WIN_RETRANSMITTED, now - 1.5, now), 0);
	}
	assert_true(w.cwnd >= before);
	assert_int_equal(w.cuts, 0);
	assert_true(w.rtt < SR_WINDOW_KARN);
	sr_window_sent(&w);
	now += 1;
	assert_int_equal(sr_window_done(&w, SR_WIN_CONGESTED, now - 0.5, now), 1);
}

/* A request unanswered long after the answers come leaves the window at
 * once; its end later takes nothing from the requests in flight again,
 * and a timeout of it still cuts. */
static void test_window_late(void **state)
{
	struct sr_window w;
	double now = 100.0;

	(void)state;
	sr_window_init(&w, 8, 4, 1024);
	answers(&w, 50, 0.001, &now);
	assert_true(sr_window_late_after(&w) >= SR_WINDOW_LATE_MIN);
	assert_true(sr_window_late_after(&w) < SR_WINDOW_KARN);
	sr_window_sent(&w);
	sr_window_sent(&w);
	assert_int_equal(w.inflight, 2);
	sr_window_late(&w);
	assert_int_equal(w.inflight, 1);
	assert_int_equal(w.late, 1);
	now += 0.6;
	assert_int_equal(sr_window_done_late(&w, SR_WIN_RETRANSMITTED, now - 0.6, now), 0);
	assert_int_equal(w.inflight, 1);
	sr_window_late(&w);
	now += 32;
	assert_int_equal(sr_window_done_late(&w, SR_WIN_CONGESTED, now - 32, now), 1);
	assert_int_equal(w.inflight, 0);
	/* a registrar that answers in 300 ms is slow, not lossy */
	sr_window_init(&w, 8, 4, 1024);
	answers(&w, 50, 0.3, &now);
	assert_true(sr_window_late_after(&w) >= 1.2 - 1e-9);
}

static void test_shard(void **state)
{
	unsigned k, n, counts[4] = {0}, moved = 0, i;
	char name[32];

	(void)state;
	assert_int_equal(sr_shard_parse("2/3", &k, &n), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 3);
	assert_int_equal(sr_shard_parse("0/3", &k, &n), -1);
	assert_int_equal(sr_shard_parse("4/3", &k, &n), -1);
	assert_int_equal(sr_shard_parse("1/", &k, &n), -1);
	assert_int_equal(sr_shard_parse("1/3x", &k, &n), -1);
	/* 30 names over 3 shards: each in exactly one, each shard within
	 * +-50 % of 10; 3 -> 4 moves at most 40 % of them, and only to 4 */
	for (i = 0; i < 30; i++) {
		unsigned a, b;

		snprintf(name, sizeof name, "trunk-%u", i);
		a = sr_shard_of(name, 3);
		b = sr_shard_of(name, 4);
		assert_true(a >= 1 && a <= 3);
		counts[a]++;
		if (a != b) {
			moved++;
			assert_int_equal(b, 4);
		}
		assert_int_equal(sr_shard_of(name, 3), a); /* stable */
	}
	for (k = 1; k <= 3; k++) {
		assert_true(counts[k] >= 5);
		assert_true(counts[k] <= 15);
	}
	assert_true(moved <= 12);
	assert_int_equal(sr_shard_of("anything", 1), 1);
}

/* uri.c: each URI and the phrase of its problem (NULL: fine). */
static void test_uri_problem(void **state)
{
	static const struct {
		const char *uri, *why;
	} rows[] = {
	    {"sip:alice@127.0.0.1", NULL},
	    {"sips:alice:pw&x@[::1]:5061;transport=tls;lr", NULL},
	    {"sip:+4930123@example.org;user=phone", NULL},
	    {"sip:a-b_c.d!e~f*g'h(i)j&k=l+m$n/o%41@example.org", NULL},
	    {"sip:example.org;lr?Subject=x", NULL},
	    {"sip:alice@@127.0.0.1", "has more than one '@'"},
	    {"sip:alice@example.org;x=a@b", "has more than one '@'"},
	    {"sip:@example.org", "has an empty user before '@'"},
	    {"sip::pw@example.org", "has an empty user before '@'"},
	    {"sip:al[ice@example.org", "has '[' in the user"},
	    {"sip:a;b@example.org", "has ';' in the user"},
	    {"sip:a,b@example.org", "has ',' in the user"},
	    {"sip:a%4@example.org", "has a '%' that is not %XX in the user"},
	    {"sip:alice@example.org;;", "has an empty parameter (';;', a ';' at the end or ';=')"},
	    {"sip:alice@example.org;", "has an empty parameter (';;', a ';' at the end or ';=')"},
	    {"sip:alice@example.org;=x", "has an empty parameter (';;', a ';' at the end or ';=')"},
	    {"sip:alice@example.org;lr;;x",
	     "has an empty parameter (';;', a ';' at the end or ';=')"},
	    {"sip:alice@", "has no host"},
	    {"sip:alice@example.org:0", "has a port that is not 1 to 65535"},
	    {"sip:al ice@example.org", "contains a space"},
	    {"tel:+4930123", "is not a sip: or sips: URI"},
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int rc = sr_uri_check(rows[i].uri, buf, sizeof buf);

		if (!rows[i].why) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, strncmp(rows[i].uri, "sip", 3) ? SR_URI_NOT_SIP : -1);
			assert_string_equal(buf, rows[i].why);
		}
	}
}

/* The chunks of a HEPv3 packet, walked by type: value and length of type t. */
static const uint8_t *hep_chunk(const uint8_t *p, size_t n, unsigned t, size_t *len)
{
	size_t pos = 6;

	while (pos + 6 <= n) {
		unsigned type = (unsigned)(p[pos + 2] << 8 | p[pos + 3]);
		size_t cl = (size_t)(p[pos + 4] << 8 | p[pos + 5]);

		assert_true(cl >= 6 && pos + cl <= n);
		if (type == t) {
			*len = cl - 6;
			return p + pos + 6;
		}
		pos += cl;
	}
	return NULL;
}

static void test_hep_encode(void **state)
{
	static const char msg[] = "REGISTER sip:example.org SIP/2.0\r\nCall-ID: abc@h\r\n\r\n";
	uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {192, 0, 2, 2}, out[512], small[40];
	struct sr_hep_msg m = {.family = AF_INET,
			       .ip_proto = 17,
			       .src = src,
			       .dst = dst,
			       .sport = 5070,
			       .dport = 5060,
			       .sec = 1700000000,
			       .usec = 123456,
			       .capture_id = 2001,
			       .password = "k3y",
			       .payload = msg,
			       .len = sizeof msg - 1,
			       .call_id = "abc@h",
			       .call_id_len = 5};
	const uint8_t *v;
	size_t n, len;

	(void)state;
	n = sr_hep_encode(&m, out, sizeof out);
	assert_true(n > 0);
	assert_memory_equal(out, "HEP3", 4);
	assert_int_equal(out[4] << 8 | out[5], n);
	v = hep_chunk(out, n, 1, &len);
	assert_non_null(v);
	assert_int_equal(v[0], 2); /* AF_INET as HEP says it */
	v = hep_chunk(out, n, 3, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(v, src, 4);
	v = hep_chunk(out, n, 8, &len);
	assert_int_equal(v[0] << 8 | v[1], 5060);
	v = hep_chunk(out, n, 10, &len);
	assert_int_equal((uint32_t)(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]), 123456);
	v = hep_chunk(out, n, 12, &len);
	assert_int_equal((uint32_t)(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]), 2001);
	v = hep_chunk(out, n, 14, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "k3y", 3);
	v = hep_chunk(out, n, 15, &len);
	assert_int_equal(len, sizeof msg - 1);
	v = hep_chunk(out, n, 17, &len);
	assert_int_equal(len, 5);
	/* what does not fit is not cut: it is not sent */
	assert_int_equal(sr_hep_encode(&m, small, sizeof small), 0);
	m.password = NULL;
	n = sr_hep_encode(&m, out, sizeof out);
	assert_null(hep_chunk(out, n, 14, &len));
}

static void test_hep_records(void **state)
{
	static const char dump[] =
	    "dump started at Sun Dec  6 02:10:02 2026\n\n\n"
	    "sent 5 bytes to udp/[192.0.2.9]:5060 at 02:10:02.770740:\n"
	    "hello\v\n"
	    "recv 3 bytes from tcp/[2001:db8::1]:5061 at 23:59:59.000001:\n"
	    "abc\v\n"
	    "hep send wss [192.0.2.1]:40000 [192.0.2.2]:443 1700000000.000042 2\n"
	    "hi\v\n"
	    "sent 9 bytes to udp/[192.0.2.9]:5060 at 02:10:02.770740:\n"
	    "cut\v\n"
	    "recv 2 bytes from udp/[192.0.2.9]:5060 at 02:10:03.000000:\n";
	struct sr_hep_rec r;
	size_t off = 0, k;
	int seen = 0;

	(void)state;
	while (off < sizeof dump - 1) {
		k = sr_hep_next(dump + off, sizeof dump - 1 - off, &r);
		if (!k)
			break;
		off += k;
		if (!r.body)
			continue;
		seen++;
		if (seen == 1) {
			assert_int_equal(r.sent, 1);
			assert_string_equal(r.proto, "udp");
			assert_string_equal(r.remote, "192.0.2.9");
			assert_int_equal(r.remote_port, 5060);
			assert_int_equal(r.hh, 2);
			assert_int_equal(r.mm, 10);
			assert_int_equal(r.sec, 2);
			assert_int_equal(r.usec, 770740);
			assert_int_equal(r.full_time, 0);
			assert_memory_equal(r.body, "hello", 5);
		} else if (seen == 2) {
			assert_int_equal(r.sent, 0);
			assert_string_equal(r.proto, "tcp");
			assert_string_equal(r.remote, "2001:db8::1");
			assert_int_equal(r.len, 3);
		} else {
			assert_string_equal(r.proto, "wss");
			assert_string_equal(r.local, "192.0.2.1");
			assert_int_equal(r.local_port, 40000);
			assert_int_equal(r.remote_port, 443);
			assert_int_equal(r.full_time, 1);
			assert_int_equal(r.sec, 1700000000);
			assert_int_equal(r.usec, 42);
		}
	}
	/* the record cut short is skipped; the last one waits for its body */
	assert_int_equal(seen, 3);
	assert_true(off < sizeof dump - 1);
	/* 1700000000 is 22:13:20 UTC; 1699920000 starts its day */
	assert_int_equal(sr_hep_dump_time(1700000000, 22, 13, 10, 0), 1699999990);
	assert_int_equal(sr_hep_dump_time(1700000000, 22, 13, 20, 0), 1700000000);
	/* a stamp of yesterday's last second */
	assert_int_equal(sr_hep_dump_time(1700000000, 23, 59, 59, 0), 1699919999);
	/* Sofia-SIP's clock in local time, an hour east: 23:13:10 is 22:13:10 UTC */
	assert_int_equal(sr_hep_dump_time(1700000000, 23, 13, 10, 3600), 1699999990);
	/* ... or in UTC on that machine: the same answer */
	assert_int_equal(sr_hep_dump_time(1700000000, 22, 13, 10, 3600), 1699999990);
	/* an hour west */
	assert_int_equal(sr_hep_dump_time(1700000000, 21, 13, 10, -3600), 1699999990);
}

static void test_hep_our_end(void **state)
{
	static const char req[] = "REGISTER sip:example.org SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bK1\r\n\r\n";
	static const char resp[] = "SIP/2.0 200 OK\r\n"
				   "v: SIP/2.0/TLS [2001:db8::7];branch=z9hG4bK1\r\n\r\n";
	static const char in[] = "OPTIONS sip:u@192.0.2.7:5071;transport=udp SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK2\r\n\r\n";
	static const char named[] = "REGISTER sip:example.org SIP/2.0\r\n"
				    "Via: SIP/2.0/UDP host.example:5070\r\n\r\n";
	char ip[64];
	unsigned port;
	int tcp;
	char h[64], p[8];

	(void)state;
	assert_int_equal(sr_hep_our_end(req, sizeof req - 1, 1, "udp", ip, sizeof ip, &port), 0);
	assert_string_equal(ip, "192.0.2.7");
	assert_int_equal(port, 5070);
	assert_int_equal(sr_hep_our_end(resp, sizeof resp - 1, 0, "tls", ip, sizeof ip, &port), 0);
	assert_string_equal(ip, "2001:db8::7");
	assert_int_equal(port, 5061);
	assert_int_equal(sr_hep_our_end(in, sizeof in - 1, 0, "udp", ip, sizeof ip, &port), 0);
	assert_int_equal(port, 5071);
	assert_int_equal(sr_hep_our_end(resp, sizeof resp - 1, 1, "udp", ip, sizeof ip, &port), -1);
	assert_int_equal(sr_hep_our_end(named, sizeof named - 1, 1, "udp", ip, sizeof ip, &port),
			 -1);
	assert_int_equal(sr_hep_url("udp:192.0.2.1:9060", &tcp, h, sizeof h, p, sizeof p), 0);
	assert_int_equal(tcp, 0);
	assert_int_equal(sr_hep_url("tcp:[2001:db8::1]:9061", &tcp, h, sizeof h, p, sizeof p), 0);
	assert_int_equal(tcp, 1);
	assert_string_equal(h, "2001:db8::1");
	assert_string_equal(p, "9061");
	assert_int_equal(sr_hep_url("192.0.2.1:9060", &tcp, h, sizeof h, p, sizeof p), -1);
	assert_int_equal(sr_hep_url("udp:192.0.2.1:0", &tcp, h, sizeof h, p, sizeof p), -1);
	assert_int_equal(sr_hep_url("udp:192.0.2.1", &tcp, h, sizeof h, p, sizeof p), -1);
	assert_int_equal(sr_hep_url("udp:2001:db8::1:9060", &tcp, h, sizeof h, p, sizeof p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ws_accept),	cmocka_unit_test(test_ws_request),
	    cmocka_unit_test(test_ws_response), cmocka_unit_test(test_ws_frames),
	    cmocka_unit_test(test_ws_uri),	cmocka_unit_test(test_sip_next),
	    cmocka_unit_test(test_window),	cmocka_unit_test(test_window_queue),
	    cmocka_unit_test(test_window_karn), cmocka_unit_test(test_window_late),
	    cmocka_unit_test(test_shard),	cmocka_unit_test(test_uri_problem),
	    cmocka_unit_test(test_hep_encode),	cmocka_unit_test(test_hep_records),
	    cmocka_unit_test(test_hep_our_end),
	};

	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
