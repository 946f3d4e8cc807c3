/* SPDX-License-Identifier: BSD-2-Clause */
/* The fuzz input as a regular file the loaders can open, alone in a private
 * directory (an #include of anything else finds nothing), and a loader of
 * configuration files run on it. */
#ifndef FUZZ_FILE_H
#define FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/confbuild.h"
#include "config/conffile.h"

static int fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	static char dir[64];
	int fd;

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/sipreg-fuzz.XXXXXX");
		if (!mkdtemp(dir))
			return -1;
	}
	snprintf(path, len, "%s/input.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Load the input with load (the YAML loader, the pjsip.conf importer). */
static int fuzz_config(const uint8_t *data, size_t size,
		       int (*load)(const char *path, struct sr_config *cfg, char *err,
				   size_t errlen))
{
	struct sr_config cfg = {NULL, 0, 0};
	char path[64], err[600];

	if (fuzz_file(data, size, path, sizeof path) == 0)
		load(path, &cfg, err, sizeof err);
	sr_config_free(&cfg);
	return 0;
}

#endif
