/* SPDX-License-Identifier: BSD-2-Clause */
/* Result words (registered, auth_failed, ...) and the exit code of each. */
#include "config.h"

#include "model/exitcode.h"

static const char *const word_names[] = {
    [SR_W_NONE] = "none",
    [SR_W_REGISTERED] = "registered",
    [SR_W_UNREGISTERED] = "unregistered",
    [SR_W_BINDINGS_LISTED] = "bindings_listed",
    [SR_W_CREDENTIALS_VALID] = "credentials_valid",
    [SR_W_AUTH_FAILED] = "auth_failed",
    [SR_W_FORBIDDEN] = "forbidden",
    [SR_W_NOT_FOUND] = "not_found",
    [SR_W_INTERVAL_TOO_BRIEF] = "interval_too_brief",
    [SR_W_REJECTED] = "rejected",
    [SR_W_TIMEOUT] = "timeout",
    [SR_W_TRANSPORT_ERROR] = "transport_error",
    [SR_W_DNS_ERROR] = "dns_error",
    [SR_W_TLS_ERROR] = "tls_error",
    [SR_W_PROTOCOL_ERROR] = "protocol_error",
    [SR_W_CONFIG_ERROR] = "config_error",
    [SR_W_INTERNAL_ERROR] = "internal_error",
    [SR_W_NOT_BOUND] = "not_bound",
    [SR_W_CREDENTIALS_UNCHECKED] = "credentials_unchecked",
};

const char *sr_word_name(enum sr_word w)
{
	if ((unsigned)w >= sizeof word_names / sizeof word_names[0])
		return "internal_error";
	return word_names[w];
}

int sr_word_ok(enum sr_word w)
{
	return w == SR_W_REGISTERED || w == SR_W_UNREGISTERED || w == SR_W_BINDINGS_LISTED ||
	       w == SR_W_CREDENTIALS_VALID;
}

int sr_word_exit(enum sr_word w)
{
	switch (w) {
	case SR_W_REGISTERED:
	case SR_W_UNREGISTERED:
	case SR_W_BINDINGS_LISTED:
	case SR_W_CREDENTIALS_VALID:
		return SR_EXIT_OK;
	case SR_W_AUTH_FAILED:
	case SR_W_FORBIDDEN:
		return SR_EXIT_AUTH;
	case SR_W_NOT_FOUND:
	case SR_W_INTERVAL_TOO_BRIEF:
	case SR_W_REJECTED:
	case SR_W_NOT_BOUND:
	case SR_W_CREDENTIALS_UNCHECKED:
		return SR_EXIT_FINAL;
	case SR_W_TIMEOUT:
	case SR_W_TRANSPORT_ERROR:
		return SR_EXIT_TEMP;
	case SR_W_DNS_ERROR:
		return SR_EXIT_DNS;
	case SR_W_TLS_ERROR:
	case SR_W_PROTOCOL_ERROR:
		return SR_EXIT_PROTOCOL;
	case SR_W_CONFIG_ERROR:
		return SR_EXIT_CONFIG;
	case SR_W_NONE:
	case SR_W_INTERNAL_ERROR:
	default:
		return SR_EXIT_INTERNAL;
	}
}

enum sr_word sr_word_for_status(int status)
{
	if (status >= 200 && status < 300)
		return SR_W_REGISTERED;
	switch (status) {
	case 401:
	case 407:
		return SR_W_AUTH_FAILED;
	case 403:
		return SR_W_FORBIDDEN;
	case 404:
		return SR_W_NOT_FOUND;
	case 423:
		return SR_W_INTERVAL_TOO_BRIEF;
	case 408:
		return SR_W_TIMEOUT;
	default:
		break;
	}
	/* Temporary failures keep the word "rejected" but exit 75: see
	 * sr_status_temporary(). */
	return SR_W_REJECTED;
}

int sr_status_temporary(int status)
{
	switch (status) {
	case 408:
	case 480:
	case 486:
	case 500:
	case 502:
	case 503:
	case 504:
	case 580:
		return 1;
	default:
		return 0;
	}
}

int sr_word_status_exit(enum sr_word w, int status)
{
	if (w == SR_W_REJECTED && sr_status_temporary(status))
		return SR_EXIT_TEMP;
	return sr_word_exit(w);
}

static int severity(int code)
{
	static const int order[] = {SR_EXIT_INTERNAL, SR_EXIT_CONFIG, SR_EXIT_USAGE,
				    SR_EXIT_PROTOCOL, SR_EXIT_DNS,    SR_EXIT_TEMP,
				    SR_EXIT_FINAL,    SR_EXIT_AUTH,   SR_EXIT_OK};
	unsigned i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i] == code)
			return (int)(sizeof order / sizeof order[0]) - (int)i;
	return 100; /* unknown codes are treated as the most severe */
}

int sr_exit_worst(int a, int b)
{
	return severity(a) >= severity(b) ? a : b;
}
