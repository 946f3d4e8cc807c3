/* The fuzz input as a regular file the loaders can open, alone in a private
 * directory (an #include of anything else finds nothing). */
#ifndef FUZZ_FILE_H
#define FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

#endif
