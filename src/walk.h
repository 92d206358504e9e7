/* walk: turns operands into the ordered stream of inputs.
 *
 * Roots come from a source (operands, then a -T list).  A directory is
 * walked depth first, its entries in byte order of their names, so the
 * same tree gives the same order on every run.  Walking runs on the loop
 * thread: it reads directories with readdir (getdents64) and stats only
 * when the entry type or a flag needs it.
 *
 * The walk goes by descriptor, never by path: each directory is opened
 * relative to its parent's descriptor, without following a symlink
 * (unless WALK_FOLLOW), and an entry comes with its directory's handle,
 * so that it is opened, and its output made, relative to that, by name.
 * A symlink swapped in after the listing is never followed, and a path
 * longer than PATH_MAX is no different from a short one. */
#ifndef PTOOL_WALK_H
#define PTOOL_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum walk_flags {
	WALK_FOLLOW = 1 << 0,      /* follow symlinks met inside a walk */
	WALK_ONE_FS = 1 << 1,      /* do not descend into other file systems */
	WALK_NO_DIRS = 1 << 2,     /* roots are never walked, nor stat()ed: each
	                              is one input (WALK_OPERAND, untyped), and
	                              opening or reading it tells what it is */
};

/* A directory the walk opened, shared by the entries under it: counted
 * references, the descriptor closed with the last. */
struct walk_dir {
	int fd;
	unsigned refs;
	dev_t dev;
	ino_t ino;
	struct walk *walk;      /* whose count of open directories it is in */
};

struct walk_dir *walk_dir_ref(struct walk_dir *d);
void walk_dir_unref(struct walk_dir *d);

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
	WALK_SWAPPED,           /* it changed kind between listing and opening
	                           (a symlink or file now where a directory was) */
};

struct walk_ent {
	enum walk_kind kind;
	char *path;             /* malloc'd, as displayed; the caller owns it */
	struct walk_dir *dir;   /* WALK_FILE: its directory (a reference the
	                           caller owns); else NULL, and path is opened
	                           as it is */
	size_t name_off;        /* path + name_off: the name inside dir */
	mode_t mode;            /* the type bits of a stat()ed root; 0 if not */
	bool regular;           /* WALK_FILE, or WALK_OPERAND that was a regular
	                           file when stat()ed (not a FIFO or device) */
	bool untyped;           /* WALK_OPERAND not stat()ed (WALK_NO_DIRS) */
	bool nofollow;          /* WALK_FILE: a symlink in its place now is not
	                           to be followed (no WALK_FOLLOW) */
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
 * the source has nothing yet (call again later; errno is EMFILE when it is
 * a directory that could not be opened for want of descriptors, see
 * walk_may_defer). */
int walk_next(struct walk *w, struct walk_ent *ent);

/* Free what an entry holds (its path, its directory reference). */
void walk_ent_release(struct walk_ent *ent);

/* Directories the walk keeps open on its stack, at most (at least 1;
 * the default is 64): past it the oldest are closed, and opened again
 * through ".." (their device and inode checked) on the way back up. */
void walk_set_max_fds(struct walk *w, unsigned n);

/* Descriptors short when a directory is to be opened: with yes (others
 * are out, and will come back), walk_next says 2 with EMFILE and tries
 * the same directory at its next call; else the directory is reported
 * (WALK_CANNOT_READ_DIR). */
void walk_may_defer(struct walk *w, bool yes);

/* Directory descriptors open now, the entries' references included. */
unsigned walk_open_fds(const struct walk *w);

/* Release every entry handed out first: they refer to their directories,
 * which count in the walk. */
void walk_destroy(struct walk *w);

/* Descriptors the walk holds at once, at most: a directory while walk_next
 * reads it (none with WALK_NO_DIRS). */
unsigned walk_fds(const struct walk *w);

/* Does an exclusion glob match this path (base name unless glob has '/')? */
bool walk_excluded(const char *const *excludes, const char *path);

#endif
