/* xio: system-call shims that retry on EINTR and finish short transfers,
 * and the arithmetic of the descriptor limit. */
#ifndef PTOOL_XIO_H
#define PTOOL_XIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all of buf.  Returns 0, or -1 with errno. */
int xwrite_all(int fd, const void *buf, size_t len);

/* close(2) that treats EINTR as done (Linux closes the descriptor anyway). */
int xclose(int fd);

/* The folder that holds path's last name, opened a part at a time for a
 * path too long for one lookup (PATH_MAX and more), symlinks followed as
 * open(2) would; *name points at that last name in path.  The descriptor,
 * or -1 with errno. */
int xio_open_parent(const char *path, const char **name);
/* Descriptors 0, 1 and 2, where closed, opened on /dev/null in the mode
 * that makes their use fail with EBADF (write-only for 0, read-only for 1
 * and 2), so that no descriptor of our own ever takes their numbers and a
 * closed one keeps behaving as closed.  Call before anything opens a
 * descriptor.  Returns 0, or -1 with errno. */
int xio_reserve_std(void);

/* Online CPUs, at least 1. */
unsigned xio_ncpu(void);

/* The limit on descriptor numbers (RLIMIT_NOFILE), at most INT_MAX. */
unsigned xio_fd_limit(void);

/* How many descriptor numbers below `below` (at most xio_fd_limit()) are
 * free, counted up to `most`. */
unsigned xio_fds_free(unsigned below, unsigned most);

/* The least descriptor limit under which n more descriptors can be open
 * at once beside those open now: a new descriptor takes the lowest free
 * number, and every number must be below the limit. */
unsigned xio_fds_limit_for(unsigned n);

#endif
