/* ioq_uring: the io_uring engine of ioq.h.
 *
 *   OPEN:  openat ──► statx ──► read ... ──► close (no completion waited for)
 *   READ:  read ... ──► close at end of file
 *
 * Every step of every request in flight goes into one submission queue,
 * and the loop's thread hands them all to the kernel in one system call
 * per turn of the loop (at ioq_pop, or at ioq_wait, which also sleeps
 * there).  On a warm cache the kernel does most of the work inline during
 * that call; what would block, statx, and reads of 64 KiB or more go to
 * the kernel's own workers.  Steps are not linked: each one's completion
 * decides the next, so a failed open simply completes its request.
 *
 * An open that may wait (IOQ_MAY_BLOCK: a FIFO waits for its writer) goes
 * to the kernel's workers at once: tried inline, it would be made
 * non-blocking, and a FIFO with no writer yet would read as empty.  A
 * path of unknown type (IOQ_UNTYPED) is tried inline, and opened again
 * that way when its statx shows a FIFO or a device.
 *
 * The loop also sleeps in the ring: a read of the waker's eventfd is kept
 * in flight (a notify completes it), and the extra descriptors and the
 * timeout of ioq_wait() become a poll and the wait's own time limit.
 *
 * A close at end of file is queued ahead of any later open, and the kernel
 * takes the queue in order, so the loop's descriptor budget holds as with
 * the blocking engine; its completion is asked for only when it fails,
 * and then ignored, as the blocking engine ignores it.
 *
 * Set-up falls back, and the caller (ioq_create with IOQ_AUTO) goes on
 * with the I/O threads, when the ring is refused (EPERM from seccomp or
 * the io_uring_disabled sysctl, ENOSYS) or an operation or feature is
 * missing (kernels before 5.17); flags the kernel does not know (EINVAL)
 * are dropped first.
 *
 * The kernel's workers are threads of this process, and count against the
 * limit on processes (RLIMIT_NPROC).  A request handed to them when none
 * can be made is cancelled (-ECANCELED), never run.  So set-up hands them
 * a no-op first, and fails with EAGAIN, as a thread that cannot be made
 * does, when even one cannot be made; later, a step cancelled by anyone
 * but destroy (more workers wanted than can be made) is done at once with
 * a blocking call on the loop's thread, as the I/O threads would do it,
 * and so is, from then on, every statx and every read of a regular file,
 * the steps that would go to the workers (a cancel costs the kernel's
 * retries, tens of milliseconds).  A close carries its descriptor in its
 * user_data, so that one cancelled is still closed. */
#include "ioq.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#if PTOOL_WITH_LIBURING

#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "xio.h"

/* A read of at least this much goes to the kernel's workers (IOSQE_ASYNC),
 * so large copies run beside the loop, not on its thread; smaller ones
 * are done inline, where a hand-off would cost more than the copy. */
#define ASYNC_MIN (64 << 10)

enum stage {
	ST_OPEN = 1,
	ST_STAT,        /* statx after open */
	ST_READ,
	ST_RESTAT,      /* statx at a suspicious end of file */
	ST_CLOSE,       /* IOQ_CLOSE */
};

/* user_data of the engine's own requests; a request's is its address. */
enum {
	UD_IGNORE = 1,  /* a cancel, the no-op of set-up */
	UD_WAKER,
	UD_POLL1,
	UD_POLL2,
};

/* ... and a close of a request's descriptor: this bit, and the descriptor
 * (no address has it). */
#define UD_CLOSE (UINT64_C(1) << 63)

/* What a statx step asks for. */
#define STATX_WANT                                                                                 \
	(STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE | STATX_ATIME | STATX_MTIME | STATX_INO)

struct ioq_uring {
	struct ioq base;
	struct io_uring ring;
	unsigned out;           /* requests between submit and pop */
	/* completed requests, first in first out */
	struct ioq_req **done;
	unsigned cap, head, ndone;
	/* the wake-up side */
	uint64_t waker_count;   /* the eventfd read lands here */
	bool waker_armed;
	int poll_fd[2];         /* armed polls, or -1 */
	bool cancelling;        /* destroy cancelled what is out */
	bool no_workers;        /* the kernel cancelled a step for want of them */
};

static const unsigned setup_flags[] = {
	/* Completions are run when the loop asks for them, on its thread. */
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
	    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
	0,
};

/* Waits with a time limit in one call, no completion ever dropped, closes
 * with no completion, reads at the file position (offset -1). */
static const unsigned needed_features =
	IORING_FEAT_EXT_ARG | IORING_FEAT_NODROP | IORING_FEAT_CQE_SKIP | IORING_FEAT_RW_CUR_POS;

static const int needed_ops[] = {
	IORING_OP_OPENAT, IORING_OP_STATX, IORING_OP_READ, IORING_OP_CLOSE,
	IORING_OP_POLL_ADD, IORING_OP_ASYNC_CANCEL,
};

static struct io_uring_sqe *get_sqe(struct ioq_uring *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
	while (!sqe) {
		/* Full: hand what is queued to the kernel and go on. */
		int r = io_uring_submit(&q->ring);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			abort();
		sqe = io_uring_get_sqe(&q->ring);
	}
	return sqe;
}

static void done(struct ioq_uring *q, struct ioq_req *req)
{
	q->done[(q->head + q->ndone++) % q->cap] = req;
}

static void fail(struct ioq_req *req, enum ioq_op step, int err)
{
	req->error = err;
	req->failed = step;
}

/* Close without waiting: a completion comes only if it fails. */
static void close_fd(struct ioq_uring *q, struct ioq_req *req)
{
	struct io_uring_sqe *sqe = get_sqe(q);
	io_uring_prep_close(sqe, req->fd);
	io_uring_sqe_set_data64(sqe, UD_CLOSE | (uint32_t)req->fd);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	req->fd = -1;
	req->closed = true;
}

/* The request is over: close first if it is to close at its end. */
static void finish(struct ioq_uring *q, struct ioq_req *req)
{
	if (req->fd >= 0 && (req->flags & IOQ_CLOSE_AT_END) && (req->eof || req->error))
		close_fd(q, req);
	done(q, req);
}

/* Where the next read of the request goes: regular files at an explicit
 * offset, streams at their position (-1). */
static off_t read_offset(const struct ioq_req *req)
{
	return req->expect_size >= 0 ? req->offset + (off_t)req->len : -1;
}

/* The request's step done with a blocking call, for want of the kernel's
 * workers: its result as the ring would have given it. */
static int blocking_step(struct ioq_req *req)
{
	int r;
	ssize_t n;

	switch ((enum stage)req->stage) {
	case ST_OPEN:
		r = openat(req->dirfd, req->path, req->oflags);
		return r < 0 ? -errno : r;
	case ST_STAT:
	case ST_RESTAT:
		r = statx(req->fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_WANT, &req->stx);
		return r < 0 ? -errno : 0;
	case ST_READ: {
		void *at = (char *)req->buf + req->len;
		size_t len = req->cap - req->len;
		off_t off = read_offset(req);
		do
			n = off >= 0 ? pread(req->fd, at, len, off) : read(req->fd, at, len);
		while (n < 0 && errno == EINTR);
		return n < 0 ? -errno : (int)n;
	}
	case ST_CLOSE:
		return xclose(req->fd) < 0 ? -errno : 0;
	}
	abort();
}

static void step(struct ioq_uring *q, struct ioq_req *req, int res);

static void stat_fd(struct ioq_uring *q, struct ioq_req *req, enum stage st)
{
	req->stage = st;
	if (q->no_workers) {
		step(q, req, blocking_step(req));       /* always for the workers */
		return;
	}
	struct io_uring_sqe *sqe = get_sqe(q);
	io_uring_prep_statx(sqe, req->fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_WANT,
	                    &req->stx);
	io_uring_sqe_set_data(sqe, req);
}

/* Read into the rest of the buffer. */
static void read_more(struct ioq_uring *q, struct ioq_req *req)
{
	req->stage = ST_READ;
	if (q->no_workers && req->expect_size >= 0) {
		step(q, req, blocking_step(req));       /* the workers' if not cached */
		return;
	}
	struct io_uring_sqe *sqe = get_sqe(q);
	io_uring_prep_read(sqe, req->fd, (char *)req->buf + req->len,
	                   (unsigned)(req->cap - req->len), (uint64_t)read_offset(req));
	io_uring_sqe_set_data(sqe, req);
	if (req->expect_size - req->offset - (off_t)req->len >= ASYNC_MIN)
		io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
}

static struct timespec stx_time(const struct statx_timestamp *t)
{
	return (struct timespec){ .tv_sec = t->tv_sec, .tv_nsec = t->tv_nsec };
}

static void open_path(struct ioq_uring *q, struct ioq_req *req)
{
	struct io_uring_sqe *sqe = get_sqe(q);
	req->stage = ST_OPEN;
	req->fd = -1;
	io_uring_prep_openat(sqe, req->dirfd, req->path, req->oflags, 0);
	io_uring_sqe_set_data(sqe, req);
	/* Tried inline, an open is made non-blocking, and a FIFO would open
	 * with no writer and read as empty. */
	if (req->flags & IOQ_MAY_BLOCK)
		io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
}

/* The stat after open came back with res. */
static void step_stat(struct ioq_uring *q, struct ioq_req *req, int res)
{
	if (res < 0) {
		fail(req, IOQ_OPEN, -res);
		close_fd(q, req);
		done(q, req);
		return;
	}
	mode_t mode = req->stx.stx_mode;
	bool refused = (req->flags & IOQ_NO_DEVICES) && !S_ISFIFO(mode);
	if ((req->flags & (IOQ_UNTYPED | IOQ_MAY_BLOCK)) == IOQ_UNTYPED && !S_ISREG(mode) &&
	    !S_ISDIR(mode) && !refused) {
		/* Opened without waiting, which a FIFO must not be: again. */
		close_fd(q, req);
		req->closed = false;
		req->flags |= IOQ_MAY_BLOCK;
		open_path(q, req);
		return;
	}
	struct ioq_meta meta = { req->stx.stx_mode, req->stx.stx_uid, req->stx.stx_gid,
	                         stx_time(&req->stx.stx_atime),
	                         makedev(req->stx.stx_dev_major, req->stx.stx_dev_minor),
	                         req->stx.stx_ino };
	if (!ioq_opened(req, &meta, (off_t)req->stx.stx_size, stx_time(&req->stx.stx_mtime))) {
		close_fd(q, req);
		done(q, req);
		return;
	}
	if (!req->buf) {
		done(q, req);
		return;
	}
	read_more(q, req);
}

/* One step of a request completed with res: queue the next, or end it. */
static void step(struct ioq_uring *q, struct ioq_req *req, int res)
{
	switch ((enum stage)req->stage) {
	case ST_OPEN:
		if (res < 0) {
			fail(req, IOQ_OPEN, -res);
			done(q, req);
			return;
		}
		req->fd = res;
		stat_fd(q, req, ST_STAT);
		return;
	case ST_STAT:
		step_stat(q, req, res);
		return;
	case ST_READ:
		if (res == -EINTR) {
			read_more(q, req);
			return;
		}
		if (res < 0) {
			fail(req, IOQ_READ, -res);
			req->len = 0;
			finish(q, req);
			return;
		}
		req->len += (size_t)res;
		if (res == 0)
			req->eof = true;
		else if (ioq_short_eof(req, req->len))
			req->eof = true;
		else if (req->len < req->cap) {
			read_more(q, req);
			return;
		}
		if (req->eof && req->expect_size >= 0 &&
		    req->offset + (off_t)req->len != req->expect_size) {
			stat_fd(q, req, ST_RESTAT);
			return;
		}
		finish(q, req);
		return;
	case ST_RESTAT:
		/* As the blocking engine: a failed stat counts as moved. */
		req->changed = res < 0 || ioq_moved(req, (off_t)req->stx.stx_size,
		                                    stx_time(&req->stx.stx_mtime));
		finish(q, req);
		return;
	case ST_CLOSE:
		if (res < 0)
			fail(req, IOQ_CLOSE, -res);
		req->fd = -1;
		req->closed = true;
		done(q, req);
		return;
	}
	abort();
}

static int uring_submit(struct ioq *base, struct ioq_req *req)
{
	struct ioq_uring *q = (struct ioq_uring *)base;
	struct io_uring_sqe *sqe;

	if (q->out >= q->cap) {
		errno = EAGAIN;
		return -1;
	}
	q->out++;
	ioq_reset(req);
	switch (req->op) {
	case IOQ_OPEN:
		open_path(q, req);
		return 0;
	case IOQ_READ:
		read_more(q, req);
		return 0;
	case IOQ_CLOSE:
		req->stage = ST_CLOSE;
		sqe = get_sqe(q);
		io_uring_prep_close(sqe, req->fd);
		io_uring_sqe_set_data(sqe, req);
		return 0;
	}
	abort();
}

/* Take every completion there is. */
static void reap(struct ioq_uring *q)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&q->ring, head, cqe) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;
		n++;
		if (ud & UD_CLOSE) {
			/* A close that never ran (it reports only failures). */
			if (res == -ECANCELED)
				xclose((int)(uint32_t)ud);
			continue;
		}
		switch (ud) {
		case UD_IGNORE:
			break;
		case UD_WAKER:
			q->waker_armed = false;
			break;
		case UD_POLL1:
		case UD_POLL2:
			q->poll_fd[ud - UD_POLL1] = -1;
			break;
		default:
			if (res == -ECANCELED && !q->cancelling) {
				q->no_workers = true;
				res = blocking_step((struct ioq_req *)(uintptr_t)ud);
			}
			step(q, (struct ioq_req *)(uintptr_t)ud, res);
			break;
		}
	}
	io_uring_cq_advance(&q->ring, n);
}

static struct ioq_req *uring_pop(struct ioq *base)
{
	struct ioq_uring *q = (struct ioq_uring *)base;

	if (!q->ndone) {
		/* What was queued since the last call goes in now; on a
		 * warm cache much of it completes before this returns. */
		if (io_uring_sq_ready(&q->ring))
			(void)io_uring_submit_and_get_events(&q->ring);
		else if (io_uring_cq_has_overflow(&q->ring) ||
		         (IO_URING_READ_ONCE(*q->ring.sq.kflags) & IORING_SQ_TASKRUN))
			(void)io_uring_get_events(&q->ring);
		reap(q);
		if (!q->ndone)
			return NULL;
	}
	struct ioq_req *req = q->done[q->head];
	q->head = (q->head + 1) % q->cap;
	q->ndone--;
	q->out--;
	return req;
}

static void arm_poll(struct ioq_uring *q, int i, int fd)
{
	if (fd < 0 || q->poll_fd[i] == fd)
		return;
	if (q->poll_fd[i] >= 0)
		return;         /* still armed on another descriptor: let it fire */
	struct io_uring_sqe *sqe = get_sqe(q);
	io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, (uint64_t)(UD_POLL1 + i));
	q->poll_fd[i] = fd;
}

static void uring_wait(struct ioq *base, struct waker *w, int extra_fd, int extra_fd2,
                       int timeout_ms)
{
	struct ioq_uring *q = (struct ioq_uring *)base;
	struct io_uring_cqe *cqe;

	if (!q->waker_armed) {
		struct io_uring_sqe *sqe = get_sqe(q);
		io_uring_prep_read(sqe, w->fd, &q->waker_count, sizeof q->waker_count, 0);
		io_uring_sqe_set_data64(sqe, UD_WAKER);
		q->waker_armed = true;
	}
	arm_poll(q, 0, extra_fd);
	arm_poll(q, 1, extra_fd2);
	if (timeout_ms >= 0) {
		struct __kernel_timespec ts = {
			.tv_sec = timeout_ms / 1000,
			.tv_nsec = (long long)(timeout_ms % 1000) * 1000000,
		};
		(void)io_uring_submit_and_wait_timeout(&q->ring, &cqe, 1, &ts, NULL);
	} else {
		(void)io_uring_submit_and_wait(&q->ring, 1);
	}
	waker_cancel(w);
}

/* Requests of the engine's own still in flight. */
static unsigned own_out(const struct ioq_uring *q)
{
	return q->waker_armed + (q->poll_fd[0] >= 0) + (q->poll_fd[1] >= 0);
}

static void uring_destroy(struct ioq *base)
{
	struct ioq_uring *q = (struct ioq_uring *)base;

	/* Whatever is still out writes into memory that is about to go (the
	 * caller's buffers, the eventfd counter): cancel it all and wait
	 * until each has come back. */
	if (q->out > q->ndone || own_out(q)) {
		struct io_uring_sqe *sqe = get_sqe(q);
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
		q->cancelling = true;
	}
	while (q->out > q->ndone || own_out(q)) {
		int r = io_uring_submit_and_wait(&q->ring, 1);
		if (r < 0 && r != -EINTR)
			break;
		reap(q);
	}
	/* The closes of the last files. */
	(void)io_uring_submit(&q->ring);
	io_uring_queue_exit(&q->ring);
	free(q->done);
	free(q);
}

static void uring_flush(struct ioq *base)
{
	struct ioq_uring *q = (struct ioq_uring *)base;

	if (io_uring_sq_ready(&q->ring))
		(void)io_uring_submit(&q->ring);
}

static const struct ioq_ops uring_ops = {
	.name = "uring",
	.submit = uring_submit,
	.pop = uring_pop,
	.wait = uring_wait,
	.destroy = uring_destroy,
	.flush = uring_flush,
};

/* Every operation the engine uses is there? */
static int probe_ops(struct io_uring *ring)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	if (!p)
		return -1;
	int ok = 1;
	for (size_t i = 0; i < sizeof needed_ops / sizeof *needed_ops; i++)
		ok &= io_uring_opcode_supported(p, needed_ops[i]);
	io_uring_free_probe(p);
	return ok ? 0 : -1;
}

/* Can the kernel make a worker for the ring?  A no-op handed to the
 * workers says: cancelled, when it could not.  0, or -1 with EAGAIN. */
static int probe_workers(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int r;

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
	while ((r = io_uring_submit_and_wait(ring, 1)) == -EINTR)
		;
	if (r < 0) {
		errno = -r;
		return -1;
	}
	while ((r = io_uring_wait_cqe(ring, &cqe)) == -EINTR)
		;
	if (r < 0) {
		errno = -r;
		return -1;
	}
	int res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (res == -ECANCELED) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

struct ioq *ioq_uring_create(unsigned depth, struct waker *waker)
{
	struct ioq_uring *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->base.ops = &uring_ops;
	q->cap = depth ? depth : 1;
	q->poll_fd[0] = q->poll_fd[1] = -1;
	q->done = calloc(q->cap, sizeof *q->done);
	if (!q->done)
		goto fail_q;

	/* Room for a step of every request, and the engine's own. */
	unsigned entries = 1;
	while (entries < q->cap + 8)
		entries <<= 1;
	int r = -EINVAL;
	for (size_t i = 0; i < sizeof setup_flags / sizeof *setup_flags; i++) {
		struct io_uring_params p = { .flags = setup_flags[i] | IORING_SETUP_CQSIZE,
		                             .cq_entries = 4 * entries };
		r = io_uring_queue_init_params(entries, &q->ring, &p);
		if (r != -EINVAL)
			break;
	}
	if (r < 0) {
		errno = -r;
		goto fail_done;
	}
	if ((q->ring.features & needed_features) != needed_features || probe_ops(&q->ring) < 0) {
		io_uring_queue_exit(&q->ring);
		errno = EOPNOTSUPP;
		goto fail_done;
	}
	/* Only a run needs the workers, not the question whether the kernel
	 * allows a ring at all (ioq_available: no waker). */
	if (waker && probe_workers(&q->ring) < 0) {
		int err = errno;
		io_uring_queue_exit(&q->ring);
		errno = err;
		goto fail_done;
	}
	return &q->base;

fail_done:
	free(q->done);
fail_q:
	free(q);
	return NULL;
}

#else /* !PTOOL_WITH_LIBURING */

struct ioq *ioq_uring_create(unsigned depth, struct waker *waker)
{
	errno = ENOSYS;
	return NULL;
}

#endif
