/* pathlist: see pathlist.h. */
#include "pathlist.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pathlist_init(struct pathlist *pl, int fd, int delim)
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

/* Settle an automatic delimiter once the unread bytes tell: whichever of
 * NUL and newline ends the first record.  A NUL further on is no sign:
 * it lies inside a line, which the reader finds malformed. */
static void find_delim(struct pathlist *pl)
{
	const char *p = pl->buf + pl->pos;
	size_t n = pl->len - pl->pos;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '\0' || p[i] == '\n') {
			pl->delim = p[i];
			return;
		}
	if (pl->eof)
		pl->delim = '\n';
}

/* Read more: 1 read something (or met the end), 0 nothing yet, -1 error. */
static int fill(struct pathlist *pl, int *error)
{
	/* Move the partial record to the front, grow if it fills the buffer. */
	memmove(pl->buf, pl->buf + pl->pos, pl->len - pl->pos);
	pl->len -= pl->pos;
	pl->pos = 0;
	if (pl->len == pl->cap) {
		char *nb = realloc(pl->buf, pl->cap * 2);
		if (!nb) {
			*error = ENOMEM;
			return -1;
		}
		pl->buf = nb;
		pl->cap *= 2;
	}
	for (;;) {
		struct pollfd pfd = { .fd = pl->fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) == 0) {
			*error = EAGAIN;
			return 0;
		}
		ssize_t n = read(pl->fd, pl->buf + pl->len, pl->cap - pl->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error = errno;
			return -1;
		}
		if (n == 0)
			pl->eof = true;
		pl->len += (size_t)n;
		return 1;
	}
}

/* End the record of len bytes at start; the next one begins at next. */
static char *take(struct pathlist *pl, char *start, size_t len, size_t next)
{
	start[len] = '\0';
	pl->pos = next;
	pl->lineno++;
	pl->overlong = pl->skipping || (pl->max && len > pl->max);
	pl->skipping = false;
	pl->reclen = pl->overlong ? 0 : len;
	if (pl->overlong)
		*start = '\0';
	return start;
}

char *pathlist_next(struct pathlist *pl, int *error)
{
	for (;;) {
		if (pl->delim == PATHLIST_AUTO)
			find_delim(pl);
		char *start = pl->buf + pl->pos;
		size_t avail = pl->len - pl->pos;
		char *end = pl->delim == PATHLIST_AUTO ? NULL : memchr(start, pl->delim, avail);
		if (end) {
			take(pl, start, (size_t)(end - start), (size_t)(end - pl->buf) + 1);
			if (pl->reclen == 0 && !pl->overlong)
				continue;
			return start;
		}
		if (pl->max && avail > pl->max) {
			/* Too long to keep: drop it up to its delimiter. */
			pl->skipping = true;
			pl->pos = pl->len;
		}
		if (pl->eof) {
			if (pl->pos == pl->len && !pl->skipping)
				return NULL;
			/* A last record without a delimiter. */
			if (pl->len == pl->cap) {
				char *nb = realloc(pl->buf, pl->cap + 1);
				if (!nb) {
					*error = ENOMEM;
					return NULL;
				}
				pl->buf = nb;
				pl->cap++;
			}
			return take(pl, pl->buf + pl->pos, pl->len - pl->pos, pl->len);
		}
		if (fill(pl, error) <= 0)
			return NULL;
	}
}
