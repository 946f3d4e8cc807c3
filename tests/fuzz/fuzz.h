/* SPDX-License-Identifier: BSD-2-Clause */
/* The entry point libFuzzer calls with each input; every target defines it. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
