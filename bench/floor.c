/* SPDX-License-Identifier: BSD-2-Clause */
/* The floor of a one-shot tool's start: a program that does nothing but is
 * linked with what sipreg needs (Sofia-SIP, OpenSSL, libyaml, jansson), so
 * that the dynamic loader maps and relocates the same libraries. Built with
 * -DFLOOR_MHD it also links libmicrohttpd, to show what that library costs
 * by itself. bench/startup runs it side by side with sipreg --probe. */
#include <jansson.h>
#include <openssl/ssl.h>
#include <sofia-sip/su.h>
#include <yaml.h>
#ifdef FLOOR_MHD
#include <microhttpd.h>
#endif

int main(int argc, char **argv)
{
	(void)argv;
	/* never taken: a use of each library, so that no linker drops one */
	if (argc > 1000) {
		su_init();
		OPENSSL_init_ssl(0, NULL);
		json_decref(json_object());
		(void)yaml_get_version_string();
#ifdef FLOOR_MHD
		(void)MHD_get_version();
#endif
	}
	return 0;
}
