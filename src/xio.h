/* xio: system-call shims that retry on EINTR and finish short transfers. */
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

/* Online CPUs, at least 1. */
unsigned xio_ncpu(void);

#endif
