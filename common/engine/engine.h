/* SPDX-License-Identifier: BSD-2-Clause */
/* The Sofia-SIP nua engine: registrations to a result within a deadline
 * (a one-shot run: oneshot.h; the watch's keeper: keeper.h), and the end
 * of the process without letting the stack un-register bindings that
 * must stay (docs/sofia-sip.md, 7). */
#ifndef SR_ENGINE_H
#define SR_ENGINE_H

/* End the process with code. When a stack had to be left running (a kept
 * binding), this leaves without its teardown, after flushing stdio. */
void sr_engine_exit(int code) __attribute__((noreturn));

/* Calls to a Contact of ours are answered 480; fn(arg, method, request URI,
 * From URI) hears of each (either URI may be NULL). */
typedef void sr_eng_call_fn(void *arg, const char *method, const char *request_uri,
			    const char *from);
void sr_eng_on_calls(sr_eng_call_fn *fn, void *arg);

/* nua handles the registrations and audits hold now: one only while a
 * request is out, for those at rest over UDP and tunnels. */
unsigned long sr_eng_handles(void);

#endif
