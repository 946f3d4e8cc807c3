/* SPDX-License-Identifier: BSD-2-Clause */
/* Result words and the exit code table of docs/contract.md. */
#ifndef SR_EXITCODE_H
#define SR_EXITCODE_H

enum sr_word {
	SR_W_NONE = 0,
	SR_W_REGISTERED,
	SR_W_UNREGISTERED,
	SR_W_BINDINGS_LISTED,
	SR_W_CREDENTIALS_VALID,
	SR_W_AUTH_FAILED,
	SR_W_FORBIDDEN,
	SR_W_NOT_FOUND,
	SR_W_INTERVAL_TOO_BRIEF,
	SR_W_REJECTED,
	SR_W_TIMEOUT,
	SR_W_TRANSPORT_ERROR,
	SR_W_DNS_ERROR,
	SR_W_TLS_ERROR,
	SR_W_PROTOCOL_ERROR,
	SR_W_CONFIG_ERROR,
	SR_W_INTERNAL_ERROR,
	SR_W_NOT_BOUND,		    /* a 2xx that keeps no binding of ours, or grants it 0 s */
	SR_W_CREDENTIALS_UNCHECKED, /* the server never challenged: nothing was checked */
	SR_W_COUNT		    /* not a word: how many there are */
};

enum {
	SR_EXIT_OK = 0,
	SR_EXIT_USAGE = 64,
	SR_EXIT_DNS = 68,
	SR_EXIT_FINAL = 69,
	SR_EXIT_INTERNAL = 70,
	SR_EXIT_CANTCREAT = 73, /* sipregwatch: an output file cannot be created */
	SR_EXIT_TEMP = 75,
	SR_EXIT_PROTOCOL = 76,
	SR_EXIT_AUTH = 77,
	SR_EXIT_CONFIG = 78,
};

/* The word as docs/contract.md spells it ("auth_failed"). */
const char *sr_word_name(enum sr_word w);
/* true for the words that mean success. */
int sr_word_ok(enum sr_word w);
/* Exit code of one result word. */
int sr_word_exit(enum sr_word w);
/* Result word for a final SIP status we could not get past. */
enum sr_word sr_word_for_status(int status);
/* 1 when a final status is worth retrying later (408, 480, 500, 503, ...). */
int sr_status_temporary(int status);
/* Exit code of a result word given the final status (0 when none). */
int sr_word_status_exit(enum sr_word w, int status);
/* Of two exit codes, the more severe (70, 78, 64, 76, 68, 75, 69, 77, 0). */
int sr_exit_worst(int a, int b);

#endif
