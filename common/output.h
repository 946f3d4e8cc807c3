/* Renderers of the result model: text and json. */
#ifndef SR_OUTPUT_H
#define SR_OUTPUT_H

#include <stdio.h>

#include "result.h"


/* Write the results of a run in the chosen format to out. Returns 0 or -1. */
int sr_output_render(FILE *out, const char *tool, enum sr_output fmt, int verbose,
		     const struct sr_result *res, size_t n, int exit_code);

#endif
