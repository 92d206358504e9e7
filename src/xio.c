/* xio: see xio.h. */
#include "xio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int xwrite_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xclose(int fd)
{
	if (close(fd) < 0 && errno != EINTR)
		return -1;
	return 0;
}

int xio_reserve_std(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* Not O_CLOEXEC: a program we run sees them closed too. */
		int got = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
		if (got < 0)
			return -1;
		if (got != fd) {        /* only if another thread opened one */
			int r = dup2(got, fd);
			int err = errno;
			xclose(got);
			if (r < 0) {
				errno = err;
				return -1;
			}
		}
	}
	return 0;
}

unsigned xio_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}

int xio_open_parent(const char *path, const char **name)
{
	const char *last = strrchr(path, '/');
	if (!last) {
		*name = path;
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	*name = last + 1;
	if (last == path)
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Each step takes as many whole names as fit in PATH_MAX. */
	int dfd = path[0] == '/' ? open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : AT_FDCWD;
	const char *p = path;
	while (*p == '/')
		p++;
	while (dfd != -1 && p < last) {
		const char *end = last;
		if ((size_t)(end - p) >= PATH_MAX) {
			end = p + PATH_MAX - 1;
			while (end > p && *end != '/')
				end--;
			if (end == p) {
				if (dfd != AT_FDCWD)
					xclose(dfd);
				errno = ENAMETOOLONG;
				return -1;
			}
		}
		char *part = strndup(p, (size_t)(end - p));
		if (!part) {
			if (dfd != AT_FDCWD)
				xclose(dfd);
			return -1;
		}
		int next = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int err = errno;
		free(part);
		if (dfd != AT_FDCWD)
			xclose(dfd);
		if (next < 0) {
			errno = err;
			return -1;
		}
		dfd = next;
		p = end;
		while (*p == '/')
			p++;
	}
	return dfd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : dfd;
}
