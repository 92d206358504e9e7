/* out: see out.h. */
#include "out.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "xio.h"

void out_init(struct out *o, int fd)
{
	o->fd = fd;
	o->error = 0;
	o->len = 0;
	o->line_buffered = isatty(fd);
}

int out_flush(struct out *o)
{
	if (o->error)
		return -1;
	/* A terminal's status line goes before the text comes. */
	if (o->line_buffered && o->len)
		progress_clear();
	if (o->len && xwrite_all(o->fd, o->buf, o->len) < 0) {
		o->error = errno;
		return -1;
	}
	o->len = 0;
	return 0;
}

int out_add(struct out *o, const void *p, size_t n)
{
	if (o->error)
		return -1;
	if (o->len + n > sizeof o->buf && out_flush(o) < 0)
		return -1;
	if (n > sizeof o->buf) {
		if (o->line_buffered)
			progress_clear();
		if (xwrite_all(o->fd, p, n) < 0) {
			o->error = errno;
			return -1;
		}
		return 0;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

int out_end_record(struct out *o)
{
	if (o->error)
		return -1;
	return o->line_buffered ? out_flush(o) : 0;
}
