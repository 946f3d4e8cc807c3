/* SPDX-License-Identifier: BSD-2-Clause */
/* HEPv3 (Homer's encapsulation of captured SIP) and the records it is made
 * from: pure functions for tunnel/hepout.c, tested in tests/unit. */
#ifndef SR_HEP_H
#define SR_HEP_H

#include <stddef.h>
#include <stdint.h>

/* The largest HEP packet: its length field has 16 bits. */
#define SR_HEP_MAX 65535

/* One captured message and where it went. */
struct sr_hep_msg {
	int family;		  /* AF_INET or AF_INET6 */
	uint8_t ip_proto;	  /* IPPROTO_UDP or IPPROTO_TCP */
	const uint8_t *src, *dst; /* 4 or 16 bytes, network order */
	uint16_t sport, dport;
	uint32_t sec, usec; /* when it was sent or received */
	uint32_t capture_id;
	const char *password; /* the collector's auth key, NULL: none */
	const char *payload;
	size_t len;
	const char *call_id; /* correlation: the message's Call-ID, or NULL */
	size_t call_id_len;
};

/* m as one HEPv3 packet in out[0, cap): its length, 0 when it does not
 * fit (or is over SR_HEP_MAX). The chunks go in the order sngrep's
 * listener reads them, the correlation id after the payload. */
size_t sr_hep_encode(const struct sr_hep_msg *m, uint8_t *out, size_t cap);

/* A record of the capture stream: Sofia-SIP's message dump ("sent 412
 * bytes to udp/[192.0.2.1]:5060 at 12:00:01.000123:\n" MESSAGE "\v\n") or
 * the tunnel's ("hep send tls [LOCAL]:P [REMOTE]:P SEC.USEC N\n" MESSAGE
 * "\v\n"). */
struct sr_hep_rec {
	int sent;	 /* 1: we sent it, 0: we received it */
	char proto[8];	 /* udp, tcp, tls, ws, wss */
	char remote[64]; /* the peer's IP address */
	unsigned remote_port;
	char local[64]; /* ours: the tunnel's records only, else "" */
	unsigned local_port;
	int full_time; /* sec is Unix time (ours); else a clock's hh:mm:sec */
	unsigned hh, mm;
	uint32_t sec, usec;
	const char *body; /* the message, inside the buffer */
	size_t len;
};

/* The next record of buf[0, len): returns how many bytes it took, with
 * rec->body set when they were a record, NULL when they were not (a line
 * that is no record head is skipped; a broken or cut record up to the next
 * record end); 0 when more bytes are needed. */
size_t sr_hep_next(const char *buf, size_t len, struct sr_hep_rec *rec);

/* The Unix time of a dump record stamped hh:mm:ss (Sofia-SIP's clock is
 * UTC or local time, utc_offset seconds east, as it was built), seen now:
 * the later of both readings not after now. Right while the record is
 * younger than the offset (and always when it is 0). */
uint32_t sr_hep_dump_time(uint32_t now, unsigned hh, unsigned mm, unsigned ss, long utc_offset);

/* Our end of a message from its head: the top Via's sent-by for what we
 * sent as a request or received as a response; the Request-URI's host
 * for a request we received. 0 with ip (a literal) and *port, -1 when the
 * message does not say. */
int sr_hep_our_end(const char *msg, size_t len, int sent, const char *proto, char *ip, size_t iplen,
		   unsigned *port);

/* url "udp:HOST:PORT" or "tcp:HOST:PORT" (HOST may be [v6]): 0 with its
 * parts, -1 when it is not one. */
int sr_hep_url(const char *url, int *tcp, char *host, size_t hlen, char *port, size_t plen);

#endif
