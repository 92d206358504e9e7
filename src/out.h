/* out: buffered output to a descriptor, with honest errors.
 *
 * A write error is kept (errno in .error) and later writes are dropped, so
 * the caller checks once; EPIPE means the reader went away. */
#ifndef PTOOL_OUT_H
#define PTOOL_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct out {
	int fd;
	bool line_buffered;     /* flush after every record (a terminal) */
	int error;
	size_t len;
	char buf[1 << 16];
};

void out_init(struct out *o, int fd);
/* 0, or -1 once a write has failed (o->error holds the errno). */
int out_add(struct out *o, const void *p, size_t n);
int out_flush(struct out *o);
/* Flush if line buffered; call at the end of each record. */
int out_end_record(struct out *o);

#endif
