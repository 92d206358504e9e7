/* pathlist: paths read from a descriptor, one per line or NUL-separated
 * (`-T FILE`, `find -print0 | ptool hash -0 -T -`).  Reads block: the list
 * is read on the loop thread as inputs are needed, a buffer at a time. */
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
 * or on a read error (then *error is set). */
const char *pathlist_next(struct pathlist *pl, int *error);

#endif
