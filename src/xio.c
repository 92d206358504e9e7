/* xio: see xio.h. */
#include "xio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

unsigned xio_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
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
