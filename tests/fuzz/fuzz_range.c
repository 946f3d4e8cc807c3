/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: Nagios threshold ranges (sr_range_alert). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/nagios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double values[] = {0, -1, 1, 0.5, 10, 1e300, -1e300};
	char *s = malloc(size + 1);
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < sizeof values / sizeof values[0]; i++)
		sr_range_alert(s, values[i]);
	free(s);
	return 0;
}
