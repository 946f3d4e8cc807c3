/* libFuzzer target: the pjsip.conf importer (sr_pjsip_load) on any bytes. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "conffile.h"
#include "fuzz_file.h"
#include "pjsipconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sr_config cfg = {NULL, 0};
	char path[64], err[600];

	if (fuzz_file(data, size, path, sizeof path) < 0)
		return 0;
	sr_pjsip_load(path, &cfg, err, sizeof err);
	sr_config_free(&cfg);
	return 0;
}
