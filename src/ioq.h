/* ioq: the loop's I/O engine.
 *
 * The loop submits requests (open a file, read a chunk into an arena
 * buffer, close) and later pops them back completed, in any order; the
 * engine wakes the loop through its waker.  A request is the caller's
 * memory and must stay put until it comes back.  At most `depth`
 * requests may be out at once.
 *
 * OPEN opens, fstat()s and, when given a buffer, reads the first chunk,
 * so a small file costs one round trip; with IOQ_CLOSE_AT_END the engine
 * closes the descriptor itself once the file is read to the end or fails.
 * A read fills the buffer unless it meets end of file (eof is then set).
 * At the end of a regular file whose length was not its size at open, the
 * engine stats it again before closing: a size or mtime that moved means
 * it changed while read (changed); one that did not is a file whose size
 * says nothing of its content (/proc), and is no error.
 *
 * Engines sit behind an ops table: ioq_uring.c (io_uring: the loop's own
 * thread submits, the kernel does the work) and ioq_sync.c (blocking
 * calls on I/O threads).  Both give the same results, errors included. */
#ifndef PTOOL_IOQ_H
#define PTOOL_IOQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "waker.h"

enum ioq_op {
	IOQ_OPEN,
	IOQ_READ,
	IOQ_CLOSE,
};

enum ioq_flags {
	IOQ_REGULAR_ONLY = 1 << 0,  /* OPEN: give up (not_regular) on anything else */
	IOQ_CLOSE_AT_END = 1 << 1,  /* close at end of file or on error */
	IOQ_MAY_BLOCK = 1 << 2,     /* OPEN: may wait (a FIFO waits for a writer):
	                               never try it without blocking */
	IOQ_UNTYPED = 1 << 3,       /* OPEN: what the path is, is not known (no
	                               stat before): if an engine opened it
	                               without blocking and it is neither a
	                               file nor a directory, open it again as
	                               IOQ_MAY_BLOCK */
	IOQ_NO_DEVICES = 1 << 4,    /* OPEN: give up (not_regular) on a device
	                               or a socket, before reading anything */
};

struct ioq_req {
	/* in */
	enum ioq_op op;
	unsigned flags;
	const char *path;   /* OPEN */
	int dirfd;          /* OPEN: path is relative to it (AT_FDCWD: to the
	                       working directory, as open(2) takes it) */
	int oflags;         /* OPEN: open(2) flags */
	int fd;             /* READ, CLOSE; set by OPEN */
	void *buf;          /* OPEN (optional first chunk), READ */
	size_t cap;
	void *data;         /* the caller's */
	/* READ of a regular file: its size at open and the bytes read before
	 * this request (OPEN fills in the first from its fstat). */
	off_t expect_size;  /* -1: not a regular file, no check */
	off_t offset;
	struct timespec mtime;
	/* out */
	int error;          /* 0, or the errno of the step that failed */
	enum ioq_op failed; /* that step */
	size_t len;         /* bytes read into buf */
	bool eof;
	bool not_regular;   /* OPEN with IOQ_REGULAR_ONLY: closed again, nothing read */
	bool closed;        /* the engine closed fd (fd is then -1) */
	bool changed;       /* at end of file the size read was not the size at
	                       open, and a new fstat shows size or mtime moved */
	struct ioq_meta {   /* OPEN: what its stat said, for copies that keep it */
		mode_t mode;
		uid_t uid;
		gid_t gid;
		struct timespec atime;
		dev_t dev;
		ino_t ino;
	} meta;
	/* the engine's own */
	int stage;
	struct statx stx;
};

enum ioq_kind {
	IOQ_AUTO,   /* io_uring where the kernel allows it, else sync */
	IOQ_URING,
	IOQ_SYNC,
};

struct ioq;

/* NULL with errno when the engine cannot run here (IOQ_URING: the ring
 * was refused, or an operation it needs is missing; EAGAIN: the kernel
 * cannot make the ring's workers, or the threads cannot be made).
 * IOQ_AUTO falls back to the I/O threads without a word. */
struct ioq *ioq_create(enum ioq_kind kind, unsigned depth, unsigned threads, struct waker *waker);
/* Can the engine run here?  0, or -1 with the errno ioq_create would
 * give for a refused ring; whether its workers can be made now is not
 * asked. */
int ioq_available(enum ioq_kind kind);
/* Descriptors an engine of that kind holds (IOQ_AUTO: as IOQ_URING); the
 * files it opens for requests are the caller's to count. */
unsigned ioq_fds(enum ioq_kind kind);
/* Queue a request; never blocks.  It may go to the kernel only at the
 * next ioq_pop() or ioq_wait(). */
int ioq_submit(struct ioq *q, struct ioq_req *req);
/* A completed request, or NULL when none is ready. */
struct ioq_req *ioq_pop(struct ioq *q);
/* Sleep, after waker_prepare() and a drain that found nothing, until a
 * request completes, the waker is notified, one of the extra descriptors
 * (those >= 0) is readable, or timeout_ms passes (-1: no limit). */
void ioq_wait(struct ioq *q, struct waker *w, int extra_fd, int extra_fd2, int timeout_ms);
/* Hand the engine's queued steps to the kernel now, not at the next pop
 * or wait: the closes among them free their descriptors before the
 * caller opens one of its own on the loop thread (an output, a folder). */
void ioq_flush(struct ioq *q);
/* "uring" or "sync". */
const char *ioq_name(const struct ioq *q);
/* Waits for the requests already submitted, then stops. */
void ioq_destroy(struct ioq *q);

/* What an engine does for one request, with blocking calls. */
void ioq_do_blocking(struct ioq_req *req);

/* Shared by the engines.  ioq_reset clears a request's results.
 * ioq_opened takes what a stat of the newly opened req->fd said (meta is
 * kept in req->meta): false
 * when the file is to be closed unread (not_regular is then set).
 * ioq_short_eof: a read that has filled done bytes of the buffer stopped
 * short at the size the file had at open, so it is at its end.
 * ioq_moved: a new stat's size and mtime differ from those at open. */
void ioq_reset(struct ioq_req *req);
bool ioq_moved(const struct ioq_req *req, off_t size, struct timespec mtime);
bool ioq_opened(struct ioq_req *req, const struct ioq_meta *meta, off_t size, struct timespec mtime);
bool ioq_short_eof(const struct ioq_req *req, size_t done);

struct ioq_ops {
	const char *name;
	int (*submit)(struct ioq *q, struct ioq_req *req);
	struct ioq_req *(*pop)(struct ioq *q);
	void (*wait)(struct ioq *q, struct waker *w, int extra_fd, int extra_fd2, int timeout_ms);
	void (*destroy)(struct ioq *q);
	void (*flush)(struct ioq *q);   /* may be NULL: nothing held back */
};

struct ioq {
	const struct ioq_ops *ops;
};

struct ioq *ioq_sync_create(unsigned depth, unsigned threads, struct waker *waker);
/* NULL with errno: ENOSYS when built without liburing.  With no waker,
 * only whether the kernel allows the ring (no worker is asked for). */
struct ioq *ioq_uring_create(unsigned depth, struct waker *waker);

#endif
