/* pathlist: records read from a descriptor, one per line or NUL-separated
 * (`-T FILE`, `find -print0 | ptool hash -0 -T -`, checksum lists), read
 * on the loop thread as they are needed, a buffer at a time, and never
 * waited for: a slow producer does not hold back the results of the
 * records it sent. */
#ifndef PTOOL_PATHLIST_H
#define PTOOL_PATHLIST_H

#include <stdbool.h>
#include <stddef.h>

/* The delimiter is found from the data: NUL if the first record ends
 * with a NUL (one comes before any newline), else newline. */
#define PATHLIST_AUTO (-1)

struct pathlist {
	int fd;
	int delim;              /* '\n', '\0' or PATHLIST_AUTO until known */
	size_t max;             /* longest record kept whole; 0: no limit */
	char *buf;
	size_t len, pos, cap;
	bool eof;
	bool skipping;          /* dropping the rest of an over-long record */
	/* Of the record last returned: */
	unsigned long long lineno;  /* its number, empty records counted, from 1 */
	size_t reclen;          /* its length (a newline-ended one may hold NULs) */
	bool overlong;          /* longer than max: returned empty */
};

int pathlist_init(struct pathlist *pl, int fd, int delim);
void pathlist_release(struct pathlist *pl);

/* The next non-empty record (valid until the next call; writable), or an
 * over-long one (empty, with overlong set), or
 * NULL at the end or on a read error (then *error is set).  When the
 * descriptor has no data yet, returns NULL with *error = EAGAIN instead of
 * blocking: poll pl->fd and call again. */
char *pathlist_next(struct pathlist *pl, int *error);

#endif
