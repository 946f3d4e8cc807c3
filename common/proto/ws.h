/* SPDX-License-Identifier: BSD-2-Clause */
/* WebSocket (RFC 6455) as a SIP client needs it (RFC 7118): the opening
 * handshake and the framing, without I/O. tunnel.c does the I/O. */
#ifndef SR_WS_H
#define SR_WS_H

#include <stddef.h>
#include <stdint.h>

/* The largest message we take from a server: a SIP message is a few KB. */
#define SR_WS_MAX_MESSAGE (256 * 1024)

enum sr_ws_opcode {
	SR_WS_CONT = 0x0,
	SR_WS_TEXT = 0x1,
	SR_WS_BINARY = 0x2,
	SR_WS_CLOSE = 0x8,
	SR_WS_PING = 0x9,
	SR_WS_PONG = 0xa,
};

/* A random Sec-WebSocket-Key (base64 of 16 bytes, 24 characters). */
void sr_ws_key(char key[25]);
/* The Sec-WebSocket-Accept a server must answer to key. */
void sr_ws_accept(const char *key, char accept[29]);

/* The GET that asks to open a WebSocket with subprotocol sip. Returns its
 * length, or -1 when it does not fit. */
int sr_ws_request(char *buf, size_t size, const char *host_port, const char *path, const char *key);

/* The server's answer to it, in buf[0, len). Returns the length of the
 * answer's head when it accepts (101, Upgrade, Connection, the right
 * Sec-WebSocket-Accept, subprotocol sip), 0 when more is needed, -1 with
 * err (and *status, the HTTP status, or 0) when it refuses or is wrong. */
int sr_ws_response(const char *buf, size_t len, const char *key, int *status, char *err,
		   size_t errlen);

/* One frame header of ours (a client's: masked, FIN set) for a payload of
 * len bytes into hdr (at most 14 bytes). Returns the header length. */
size_t sr_ws_frame_head(uint8_t hdr[14], enum sr_ws_opcode op, size_t len, const uint8_t mask[4]);
/* The payload masked in place with the mask its header names. */
void sr_ws_mask(uint8_t *payload, size_t len, const uint8_t mask[4]);

/* One frame of a server, parsed from buf[0, len). */
struct sr_ws_frame {
	int fin;
	enum sr_ws_opcode op;
	const uint8_t *payload;
	size_t len;
};
/* Returns the frame's total length when whole, 0 when more is needed, -1
 * with err on a protocol error (a masked or reserved-bit frame, a control
 * frame that is fragmented or over 125 bytes, one over SR_WS_MAX_MESSAGE). */
long sr_ws_parse(const uint8_t *buf, size_t len, struct sr_ws_frame *f, char *err, size_t errlen);

/* A WebSocket URI as JsSIP takes them: ws://host[:port][/path] or wss://. */
struct sr_ws_uri {
	int secure;
	char host[256]; /* without brackets */
	unsigned port;	/* 0: the scheme's (80, 443) */
	char path[512]; /* "/" at least */
};
/* 1 when v is a ws: or wss: URI; then 0 and u, or -1 with what is wrong
 * in why. 0 when v is not one (another scheme). */
int sr_ws_uri_parse(const char *v, struct sr_ws_uri *u, char *why, size_t len);

#endif
