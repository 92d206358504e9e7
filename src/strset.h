/* strset: a set of strings (open addressing, FNV-1a), for names a run
 * has to remember.  Loop thread only. */
#ifndef PTOOL_STRSET_H
#define PTOOL_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;
	size_t cap, n;
};

/* Add a copy of s: 1 added, 0 already there, -1 with errno. */
int strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
void strset_release(struct strset *set);

#endif
