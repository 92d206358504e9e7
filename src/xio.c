/* xio: see xio.h. */
#include "xio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/resource.h>
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

unsigned xio_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX)
		return INT_MAX;
	return (unsigned)rl.rlim_cur;
}

static bool fd_free(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

/* poll() marks the numbers that are not open POLLNVAL: one system call for
 * a block of them, not one each. */
unsigned xio_fds_free(unsigned below, unsigned most)
{
	struct pollfd p[256];
	unsigned n = 0;

	for (unsigned at = 0; at < below && n < most;) {
		unsigned k = below - at < 256 ? below - at : 256;
		for (unsigned i = 0; i < k; i++)
			p[i] = (struct pollfd){ .fd = (int)(at + i) };
		int r = poll(p, k, 0);
		if (r < 0 && errno == EINTR)
			continue;
		for (unsigned i = 0; i < k; i++)
			n += r < 0 ? fd_free((int)(at + i)) : (p[i].revents & POLLNVAL) != 0;
		at += k;
	}
	return n < most ? n : most;
}

unsigned xio_fds_limit_for(unsigned n)
{
	unsigned fd = 0;

	for (; n > 0 && fd < INT_MAX; fd++)
		if (fd_free((int)fd))
			n--;
	return fd;
}
