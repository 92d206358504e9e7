/* walk: turns operands into the ordered stream of inputs.
 *
 * Roots come from a source (operands, then a -T list).  A directory is
 * walked depth first, its entries in byte order of their names, so the
 * same tree gives the same order on every run.  Walking runs on the loop
 * thread: it reads directories with readdir (getdents64) and stats only
 * when the entry type or a flag needs it. */
#ifndef PTOOL_WALK_H
#define PTOOL_WALK_H

#include <stdbool.h>
#include <stdint.h>

enum walk_flags {
	WALK_FOLLOW = 1 << 0,      /* follow symlinks met inside a walk */
	WALK_ONE_FS = 1 << 1,      /* do not descend into other file systems */
	WALK_NO_DIRS = 1 << 2,     /* roots are never walked, nor stat()ed: each
	                              is one input (WALK_OPERAND, untyped), and
	                              opening or reading it tells what it is */
};

enum walk_kind {
	WALK_FILE,      /* a regular file met in a walk (open it as such) */
	WALK_OPERAND,   /* a non-directory named as a root: a file or a stream */
	WALK_STDIN,     /* the root "-" */
	WALK_ERROR,     /* path failed: error, what */
	WALK_SKIP,      /* a FIFO, socket or device met in a walk */
};

enum walk_what {
	WALK_CANNOT_OPEN,
	WALK_CANNOT_READ_DIR,
	WALK_LOOP,
	WALK_CANNOT_READ_LIST,
};

struct walk_ent {
	enum walk_kind kind;
	char *path;             /* malloc'd; the caller owns it */
	bool regular;           /* WALK_FILE, or WALK_OPERAND that was a regular
	                           file when stat()ed (not a FIFO or device) */
	bool untyped;           /* WALK_OPERAND not stat()ed (WALK_NO_DIRS) */
	int error;              /* errno, for WALK_ERROR */
	enum walk_what what;    /* for WALK_ERROR */
	uint32_t op;            /* what the source gave with the root: the
	                           task op of every input under it */
};

/* The next root path (the walk copies it), or NULL at the end; *op (0 if
 * left alone) goes with it.  At a read error, set *error to the errno and
 * return NULL; when the next root is not available yet, set *error to
 * EAGAIN and return NULL. */
typedef const char *walk_source_fn(void *ctx, uint32_t *op, int *error);

struct walk;

struct walk *walk_create(unsigned flags, const char *const *excludes, walk_source_fn *source, void *ctx);

/* 1 with *ent filled, 0 at the end, -1 with errno on a fatal error, 2 when
 * the source has nothing yet (call again later). */
int walk_next(struct walk *w, struct walk_ent *ent);

void walk_destroy(struct walk *w);

/* Descriptors the walk holds at once, at most: a directory while walk_next
 * reads it (none with WALK_NO_DIRS). */
unsigned walk_fds(const struct walk *w);

/* Does an exclusion glob match this path (base name unless glob has '/')? */
bool walk_excluded(const char *const *excludes, const char *path);

#endif
