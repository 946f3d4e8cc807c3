/* SPDX-License-Identifier: BSD-2-Clause */
/* HEPv3 export (hepout.c): every SIP message we send or receive, to a
 * Homer-style collector. Sofia-SIP dumps its UDP (and TCP) messages into a
 * pipe; the tunnels (tcp, tls, ws, wss) write theirs there too, with the outer connection's
 * addresses; one thread of ours reads the pipe and sends. The loop never
 * waits for the collector: what cannot go is counted and dropped. */
#ifndef SR_HEPOUT_H
#define SR_HEPOUT_H

#include <stddef.h>

/* Start the export to url ("udp:HOST:PORT" or "tcp:HOST:PORT"). 0, or -1
 * with err naming what is wrong in url. The password is copied. */
int sr_hep_open(const char *url, unsigned capture_id, const char *password, char *err,
		size_t errlen);

struct sr_reg;

/* Start the export the registrations name (all the same collector, or
 * none): 0, or -1 with err. */
int sr_hep_start(const struct sr_reg *regs, size_t n, char *err, size_t errlen);

/* Is the export on? */
int sr_hep_on(void);

/* What a nua stack is given as TPTAG_DUMP, NULL when the export is off. */
const char *sr_hep_dump_path(void);

/* After a nua stack was made: its dump descriptors on the pipe made
 * non-blocking, so that a full pipe costs a record, never a wait. */
void sr_hep_adopt(void);

/* A message a tunnel sent (sent 1) or received on the connection fd,
 * proto "tls", "ws" or "wss". */
void sr_hep_note(int sent, const char *proto, int fd, const char *msg, size_t len);

/* Send what is still in the pipe, until deadline (sr_now() time), and stop. */
void sr_hep_close(double deadline);

/* Messages sent to the collector, and those that could not be. */
void sr_hep_counts(unsigned long long *sent, unsigned long long *dropped);

#endif
