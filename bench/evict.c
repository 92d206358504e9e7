/* evict: drop files from the page cache, for cold-cache benchmarks.
 *
 *   find DIR -type f -print0 | evict
 *
 * Each NUL-terminated path read from standard input is opened and handed to
 * posix_fadvise(POSIX_FADV_DONTNEED), which drops its clean cached pages.
 * Directories and inodes stay cached; only file data is evicted.  Exits 1
 * if any path could not be evicted. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char *path = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = 0;

	while ((len = getdelim(&path, &cap, '\0', stdin)) > 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		int err = fd < 0 ? -1 : posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (fd < 0 || err) {
			fprintf(stderr, "evict: %s: cannot evict\n", path);
			status = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return status;
}
