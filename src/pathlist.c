/* pathlist: see pathlist.h. */
#include "pathlist.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pathlist_init(struct pathlist *pl, int fd, char delim)
{
	memset(pl, 0, sizeof *pl);
	pl->fd = fd;
	pl->delim = delim;
	pl->cap = 1 << 16;
	pl->buf = malloc(pl->cap);
	return pl->buf ? 0 : -1;
}

void pathlist_release(struct pathlist *pl)
{
	free(pl->buf);
	pl->buf = NULL;
}

const char *pathlist_next(struct pathlist *pl, int *error)
{
	for (;;) {
		char *start = pl->buf + pl->pos;
		char *end = memchr(start, pl->delim, pl->len - pl->pos);
		if (end) {
			*end = '\0';
			pl->pos = (size_t)(end - pl->buf) + 1;
			if (end == start)
				continue;
			return start;
		}
		if (pl->eof) {
			if (pl->pos == pl->len)
				return NULL;
			/* A last path without a delimiter. */
			if (pl->len == pl->cap) {
				char *nb = realloc(pl->buf, pl->cap + 1);
				if (!nb) {
					*error = ENOMEM;
					return NULL;
				}
				pl->buf = nb;
				pl->cap++;
			}
			pl->buf[pl->len] = '\0';
			start = pl->buf + pl->pos;
			pl->pos = pl->len;
			return start;
		}
		/* Move the partial path to the front, grow if it fills the buffer. */
		memmove(pl->buf, pl->buf + pl->pos, pl->len - pl->pos);
		pl->len -= pl->pos;
		pl->pos = 0;
		if (pl->len == pl->cap) {
			char *nb = realloc(pl->buf, pl->cap * 2);
			if (!nb) {
				*error = ENOMEM;
				return NULL;
			}
			pl->buf = nb;
			pl->cap *= 2;
		}
		struct pollfd pfd = { .fd = pl->fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) == 0) {
			*error = EAGAIN;
			return NULL;
		}
		ssize_t n = read(pl->fd, pl->buf + pl->len, pl->cap - pl->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error = errno;
			return NULL;
		}
		if (n == 0)
			pl->eof = true;
		pl->len += (size_t)n;
	}
}
