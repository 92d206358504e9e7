/* outfile: an output file that appears whole, in place, or not at all.
 *
 * The bytes go to an unnamed file (O_TMPFILE) in the target's folder,
 * linked into place only when complete; where O_TMPFILE or /proc is
 * missing, to a hidden name (".NAME.XXXXXX") renamed into place.  A
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
	OUTFILE_MKDIRS = 1 << 2, /* make missing folders on the way */
};

struct outfile {
	int fd;                 /* -1: not open */
	char *path;             /* the name it gets */
	char *tmp;              /* its hidden name, or NULL (unnamed) */
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

/* Start the output that will be path.  -1 with errno: EEXIST when path
 * is there and OUTFILE_FORCE is not set (checked again at commit). */
int outfile_open(struct outfile *o, const char *path, unsigned flags);

/* 0, or -1 with errno (a short write is retried). */
int outfile_write(struct outfile *o, const void *data, size_t len);

/* Give it the input's mode, times and (as root) owner, when meta is not
 * NULL (else the mode of a new file under the umask), and put it in
 * place.  0, or -1 with errno; either way the
 * outfile is released.  On failure nothing is left at path but what was
 * there before. */
int outfile_commit(struct outfile *o, const struct outfile_meta *meta);

/* Drop it: nothing is left. */
void outfile_discard(struct outfile *o);

/* Install the handlers that unlink hidden names and re-raise, and note
 * the umask; call before any thread exists. */
void outfile_catch_signals(void);

#endif
