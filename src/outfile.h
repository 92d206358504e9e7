/* outfile: an output file that appears whole, in place, or not at all.
 *
 * The bytes go to an unnamed file (O_TMPFILE) in the target's folder,
 * linked into place only when complete; where O_TMPFILE or /proc is
 * missing, to a hidden name (".ptool.XXXXXXXX", short, so that any name
 * the folder takes works) renamed into place.  Every step goes through
 * the folder's descriptor, never its path.  A
 * signal that ends the run (INT, TERM, HUP, QUIT) unlinks the hidden
 * names first (outfile_catch_signals); unnamed files go with the
 * process.  Loop thread only; never prints. */
#ifndef PTOOL_OUTFILE_H
#define PTOOL_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

enum outfile_flags {
	OUTFILE_FORCE = 1 << 0, /* replace a file already there */
	OUTFILE_SYNC = 1 << 1,  /* fsync the data, then the folder's entry */
};

struct outfile_hidden;

struct outfile {
	int fd;                 /* -1: not open */
	int dirfd;              /* its folder: a descriptor of its own */
	char *name;             /* its name in that folder */
	struct outfile_hidden *tmp; /* its hidden name, or NULL (unnamed) */
	int reg;                /* its place in the signal registry, or -1 */
	unsigned flags;
};

/* What a copy keeps of its input. */
struct outfile_meta {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime;
};

/* Start the output that will be name in the folder dirfd: a name alone,
 * or, with AT_FDCWD, a path (its folder found as open(2) finds it, also
 * past PATH_MAX).  The outfile keeps a descriptor of that folder, so
 * what happens to the path meanwhile does not move it.  -1 with errno:
 * EEXIST when name is there (a symlink too) and OUTFILE_FORCE is not set
 * (checked again at commit). */
int outfile_open(struct outfile *o, int dirfd, const char *name, unsigned flags);

/* 0, or -1 with errno (a short write is retried). */
int outfile_write(struct outfile *o, const void *data, size_t len);

/* Give it the input's mode, times and (as root) owner, when meta is not
 * NULL (else the mode of a new file under the umask), and put it in
 * place.  0; -1 with errno when the data or its attributes could not be
 * written; -2 with errno when it could not be put in place (the name:
 * EEXIST without OUTFILE_FORCE, a name too long, ...).  Either way the
 * outfile is released, and on failure nothing is left but what was there
 * before. */
int outfile_commit(struct outfile *o, const struct outfile_meta *meta);

/* Drop it: nothing is left. */
void outfile_discard(struct outfile *o);

/* The folder rel (len bytes, a relative path; empty: root itself) under
 * the folder root, opened a name at a time, never through a symlink, and
 * made where missing when mkdirs is set.  Its descriptor, or -1 with
 * errno, and *bad the length of rel up to and with the name that failed
 * (ELOOP or ENOTDIR: a symlink or a file in the way). */
int outfile_folder(int root, const char *rel, size_t len, bool mkdirs, size_t *bad);

/* Install the handlers that unlink hidden names and re-raise, and note
 * the umask; call before any thread exists. */
void outfile_catch_signals(void);

#endif
