/* ioq: the interface, and the blocking form of each request (see ioq.h). */
#include "ioq.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "xio.h"

struct ioq *ioq_create(enum ioq_kind kind, unsigned depth, unsigned threads, struct waker *waker)
{
	struct ioq *q;

	switch (kind) {
	case IOQ_AUTO:
		q = ioq_uring_create(depth, waker);
		return q ? q : ioq_sync_create(depth, threads, waker);
	case IOQ_URING:
		return ioq_uring_create(depth, waker);
	case IOQ_SYNC:
		return ioq_sync_create(depth, threads, waker);
	}
	errno = EINVAL;
	return NULL;
}

int ioq_available(enum ioq_kind kind)
{
	if (kind != IOQ_URING)
		return 0;
	struct ioq *q = ioq_uring_create(1, NULL);
	if (!q)
		return -1;
	ioq_destroy(q);
	return 0;
}

unsigned ioq_fds(enum ioq_kind kind)
{
	return kind == IOQ_SYNC ? 0 : 1;   /* the ring */
}

int ioq_submit(struct ioq *q, struct ioq_req *req)
{
	return q->ops->submit(q, req);
}

struct ioq_req *ioq_pop(struct ioq *q)
{
	return q->ops->pop(q);
}

void ioq_wait(struct ioq *q, struct waker *w, int extra_fd, int extra_fd2, int timeout_ms)
{
	q->ops->wait(q, w, extra_fd, extra_fd2, timeout_ms);
}

void ioq_flush(struct ioq *q)
{
	if (q->ops->flush)
		q->ops->flush(q);
}

const char *ioq_name(const struct ioq *q)
{
	return q->ops->name;
}

void ioq_destroy(struct ioq *q)
{
	if (q)
		q->ops->destroy(q);
}

static void fail(struct ioq_req *req, enum ioq_op step, int err)
{
	req->error = err;
	req->failed = step;
}

static void close_req(struct ioq_req *req)
{
	xclose(req->fd);
	req->fd = -1;
	req->closed = true;
}

bool ioq_moved(const struct ioq_req *req, off_t size, struct timespec mtime)
{
	return size != req->expect_size || mtime.tv_sec != req->mtime.tv_sec ||
	       mtime.tv_nsec != req->mtime.tv_nsec;
}

/* Size or mtime moved since the fstat at open?  A failed fstat counts as
 * moved. */
static bool moved(const struct ioq_req *req)
{
	struct stat now;
	return fstat(req->fd, &now) < 0 || ioq_moved(req, now.st_size, now.st_mtim);
}

/* Fill the buffer or meet end of file.  A regular file that has given
 * exactly its size at open in a short read is at its end: the read that
 * would return 0 is saved (one system call a file on a tree of small
 * files); a file that grows later is no different from one that grows
 * just after it was read. */
static ssize_t fill(struct ioq_req *req, bool *eof)
{
	size_t done = 0;

	*eof = false;
	while (done < req->cap) {
		ssize_t n = read(req->fd, (char *)req->buf + done, req->cap - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			*eof = true;
			break;
		}
		done += (size_t)n;
		if (ioq_short_eof(req, done)) {
			*eof = true;
			break;
		}
	}
	return (ssize_t)done;
}

static void do_read(struct ioq_req *req)
{
	bool eof;
	ssize_t n = fill(req, &eof);
	if (n < 0) {
		fail(req, IOQ_READ, errno);
	} else {
		req->len = (size_t)n;
		req->eof = eof;
		if (req->eof && req->expect_size >= 0 && req->offset + n != req->expect_size)
			req->changed = moved(req);
	}
	if ((req->flags & IOQ_CLOSE_AT_END) && (req->eof || req->error))
		close_req(req);
}

void ioq_reset(struct ioq_req *req)
{
	req->error = 0;
	req->len = 0;
	req->eof = false;
	req->closed = false;
	req->not_regular = false;
	req->changed = false;
}

bool ioq_short_eof(const struct ioq_req *req, size_t done)
{
	return req->expect_size >= 0 && req->offset + (off_t)done == req->expect_size &&
	       done < req->cap;
}

bool ioq_opened(struct ioq_req *req, const struct ioq_meta *meta, off_t size, struct timespec mtime)
{
	mode_t mode = meta->mode;

	req->meta = *meta;
	if (((req->flags & IOQ_REGULAR_ONLY) && !S_ISREG(mode)) ||
	    ((req->flags & IOQ_NO_DEVICES) && (S_ISCHR(mode) || S_ISBLK(mode) || S_ISSOCK(mode)))) {
		req->not_regular = true;
		return false;
	}
	if ((req->oflags & O_NONBLOCK) && !S_ISREG(mode)) {
		/* Only to keep open(2) from blocking; reads of streams
		 * named by the user may wait. */
		int fl = fcntl(req->fd, F_GETFL);
		if (fl >= 0)
			(void)fcntl(req->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	if (S_ISREG(mode)) {
		req->expect_size = size;
		req->mtime = mtime;
	} else {
		req->expect_size = -1;
	}
	req->offset = 0;
	return true;
}

void ioq_do_blocking(struct ioq_req *req)
{
	struct stat st;

	ioq_reset(req);
	switch (req->op) {
	case IOQ_OPEN:
		req->fd = openat(req->dirfd, req->path, req->oflags);
		if (req->fd < 0) {
			fail(req, IOQ_OPEN, errno);
			return;
		}
		if (fstat(req->fd, &st) < 0) {
			fail(req, IOQ_OPEN, errno);
			close_req(req);
			return;
		}
		struct ioq_meta meta = { st.st_mode, st.st_uid, st.st_gid, st.st_atim, st.st_dev,
		                         st.st_ino };
		if (!ioq_opened(req, &meta, st.st_size, st.st_mtim)) {
			close_req(req);
			return;
		}
		if (req->buf)
			do_read(req);
		return;
	case IOQ_READ:
		do_read(req);
		return;
	case IOQ_CLOSE:
		if (xclose(req->fd) < 0)
			fail(req, IOQ_CLOSE, errno);
		req->fd = -1;
		req->closed = true;
		return;
	}
}
