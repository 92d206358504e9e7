/* pathlist: paths read from a descriptor, one per line or NUL-separated
 * (`-T FILE`, `find -print0 | ptool hash -0 -T -`), read on the loop
 * thread as inputs are needed, a buffer at a time, and never waited for:
 * a slow producer does not hold back the results of the paths it sent. */
#ifndef PTOOL_PATHLIST_H
#define PTOOL_PATHLIST_H

#include <stdbool.h>
#include <stddef.h>

struct pathlist {
	int fd;
	char delim;
	char *buf;
	size_t len, pos, cap;
	bool eof;
};

int pathlist_init(struct pathlist *pl, int fd, char delim);
void pathlist_release(struct pathlist *pl);

/* The next non-empty path (valid until the next call), or NULL at the end
 * or on a read error (then *error is set).  When the descriptor has no
 * data yet, returns NULL with *error = EAGAIN instead of blocking: poll
 * pl->fd and call again. */
const char *pathlist_next(struct pathlist *pl, int *error);

#endif
