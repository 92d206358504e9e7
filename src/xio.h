/* xio: system-call shims that retry on EINTR and finish short transfers. */
#ifndef PTOOL_XIO_H
#define PTOOL_XIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all of buf.  Returns 0, or -1 with errno. */
int xwrite_all(int fd, const void *buf, size_t len);

/* close(2) that treats EINTR as done (Linux closes the descriptor anyway). */
int xclose(int fd);

/* Online CPUs, at least 1. */
unsigned xio_ncpu(void);

#endif
