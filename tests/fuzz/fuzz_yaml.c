/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: the YAML loader (sr_config_load_yaml) on any bytes. */
#include "config.h"

#include <stdint.h>

#include "config/conffile.h"
#include "fuzz.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_config(data, size, sr_config_load_yaml);
}
