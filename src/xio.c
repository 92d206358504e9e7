/* xio: see xio.h. */
#include "xio.h"

#include <errno.h>
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
