/* loop: the one thread that drives all I/O.
 *
 *   walk ──► start ──► OPEN (+ first chunk) ──► task ──► ... ──► finish ──► reorder ──► emit
 *                          │                     ▲  │               │
 *                          └── READ next chunk ──┘  │            settle (outputs put in place)
 *                                                   ▼
 *                                 output (task's bytes, chunk order) ──► buffer back to the arena
 *
 * Who owns what: the loop owns every struct file, the arena's free list and
 * the reorder ring.  An I/O request belongs to the engine from submit to
 * pop, a buffer to the engine or a worker while a request or task using it
 * is out.  A file has at most one request out, and per_input tasks: one
 * (hashing, decoding: chunks in order, state carried from one to the
 * next) or more (compression: chunks stand alone and go to all workers).
 * Each file keeps its buffers out with tasks in a ring, oldest first, and
 * hands their output on in that order; a task that ran out of output room
 * (TASK_MORE) gets its buffer again once the output is written.
 *
 * Bounds: a file starts only when a buffer is free and its sequence number
 * fits the reorder window, so memory is nbuf x (chunk_size + out_size) plus
 * the window's records, whatever the input.  Descriptors: a file holds its
 * own, and its output's (conf->out_fds), from its opening to its finish,
 * and a reference to its folder, opened by the walk (a file is opened by
 * name in it, and its output made beside it, by descriptor), all within a
 * budget: the numbers below RLIMIT_NOFILE that are free at the start,
 * less what the run's parts hold (fds_fixed).  A limit with no room for
 * one input beside them stops the run before it starts (-3).  The budget
 * shrinks at an EMFILE while other inputs are under way; with none,
 * waiting would free nothing, and the input fails.
 *
 * Pinned state lost (fork mode: a decoder's worker died): once nothing of
 * the file is out, conf->restart drops its output and the file is opened
 * and read again from its start, once; a stream cannot be, and fails.
 *
 * Standard input's stream (a pipe, a terminal) is read by one input at a
 * time, in input order: "-", or a path that names it, such as /dev/stdin.
 * The first gets its data, a later one what is left once that one is
 * done (nothing, for a pipe at its end), as when they are read one after
 * the other; the others wait, holding no buffer and no descriptor.
 *
 * Progress (conf->tick): the loop counts inputs as they finish, and bytes
 * as the pool takes their chunks (a task may run for seconds), and hands
 * the counts on every tick_ms, a timer folded into the wait's timeout.
 * So that the number of inputs is known early, the walk may run ahead of
 * the window (conf->ahead entries at most, their paths only), a batch per
 * turn of the loop; starting still goes in walk order. */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "ioq.h"
#include "reorder.h"
#include "waker.h"
#include "xio.h"

/* A buffer out with a task, or back and waiting for its output to be
 * written in chunk order. */
struct chunk {
	int buf;
	bool done;
	struct task task;       /* as it came back */
};

#define MAX_PER_INPUT 16

struct file {
	uint64_t seq;
	char *path;
	struct walk_dir *dir;   /* a walked file's directory (a reference), or NULL */
	size_t name_off;        /* its name in dir: path + name_off */
	bool nofollow;          /* a symlink in its place is not followed */
	int long_fd;            /* a path past PATH_MAX: the folder that holds
	                           its last name, opened on the way; or -1 */
	enum walk_kind kind;
	uint32_t op;            /* the task op */
	unsigned io_flags;
	int fd;
	struct ioq_req req;
	int rbuf;               /* buffer being read, or read and waiting; -1 */
	size_t rlen;
	struct chunk chunks[MAX_PER_INPUT];  /* a ring, oldest chunk first */
	unsigned chead, nchunks;
	bool active;            /* between start and finish */
	bool io_busy;
	bool rready;            /* rbuf holds data for the next task */
	bool eof;               /* the last read met end of file */
	bool first_sent, last_done, failed;
	bool stream_open;       /* pinned: a worker holds state for it */
	uint64_t size;          /* bytes read so far */
	off_t expect_size;      /* size at open, regular files; else -1 */
	struct timespec mtime;  /* mtime at open */
	bool changed;           /* the engine saw it change while read */
	bool holds_fd;          /* counted in loop.fds */
	bool holds_out;         /* its output's descriptors too (conf->out_fds) */
	bool retry_open;        /* open failed for want of descriptors, or waits
	                           for its turn at stdin: again later */
	bool stdin_stream;      /* it reads standard input's stream */
	/* Its pinned state died with a worker: read it again from the start
	 * once nothing of it is out (conf->restart), if not done before. */
	bool restart, restarted;
	int death;              /* how that worker died */
	uint64_t counted;       /* its bytes in pc.bytes */
	struct loop_input in;
	struct loop_result res;
};

struct loop {
	const struct loop_conf *conf;
	struct arena arena;
	struct waker waker;
	struct pool *pool;
	struct ioq *ioq;
	struct reorder order;
	struct file *files;     /* window records, by seq % window */
	unsigned window;
	uint64_t next_seq;      /* sequence number of the next input */
	struct walk *walk;
	bool walk_done;
	bool walk_blocked;      /* the source had nothing yet (see wait_fd) */
	bool stopping;          /* emit asked to stop: drain, start nothing */
	bool fatal;
	bool fatal_pool;        /* ... and it was the pool's */
	int fatal_errno;
	unsigned fds, max_fds;  /* descriptors held or being opened, and the budget */
	unsigned active;        /* inputs between start and finish */
	unsigned io_out;        /* requests out with the I/O engine */
	/* Standard input is a stream that paths may name too (a pipe, a
	 * socket, a terminal): which one. */
	bool stdin_named;
	dev_t stdin_dev;
	ino_t stdin_ino;
	struct file *stdin_reader;  /* the input whose turn at it it is */
	/* The walk read ahead (conf->ahead): entries not started yet, in
	 * ahead[ahead_start..ahead_end). */
	struct walk_ent *ahead;
	size_t ahead_start, ahead_end, ahead_cap;
	bool walk_ended;        /* walk_next said it was over ... */
	int walk_errno;         /* ... with this error (0: none) */
	struct progress_counts pc;
	uint64_t t0, next_tick;
};

static struct file *file_of(struct loop *l, uint64_t seq)
{
	return &l->files[seq % l->window];
}

/* The file's descriptor is closed (or was never opened). */
static void drop_fd(struct loop *l, struct file *f)
{
	if (f->holds_fd) {
		f->holds_fd = false;
		l->fds--;
	}
}

/* The descriptors kept for the file's output (conf->out_fds), which
 * lives until settle. */
static void drop_out(struct loop *l, struct file *f)
{
	if (f->holds_out) {
		f->holds_out = false;
		l->fds -= l->conf->out_fds;
	}
}

/* Too few descriptors left to start one more input (with its output).
 * When none is under way one always may, or the run could never move.
 * The walk's folders count too, those that inputs under way hold. */
static bool fds_short(const struct loop *l)
{
	return l->active > 0 &&
	       l->fds + walk_open_fds(l->walk) + 1 + l->conf->out_fds > l->max_fds;
}

/* The file no longer needs its folder (it is finished). */
static void release_dir(struct loop *l, struct file *f)
{
	walk_dir_unref(f->dir);
	f->dir = NULL;
	if (f->long_fd >= 0) {
		xclose(f->long_fd);
		f->long_fd = -1;
		l->fds--;
	}
	f->in.dirfd = AT_FDCWD;
	f->in.name = f->path;
}

/* The turn at standard input goes to the next input in order that waits
 * for it, if any is started. */
static void stdin_pass(struct loop *l, const struct file *f)
{
	l->stdin_reader = NULL;
	for (uint64_t s = f->seq + 1; s < l->next_seq && !l->stdin_reader; s++) {
		struct file *g = file_of(l, s);
		if (g->active && g->stdin_stream)
			l->stdin_reader = g;
	}
}

/* Is it f's turn to read?  Only one input reads standard input at once. */
static bool stdin_turn(struct loop *l, struct file *f)
{
	if (!f->stdin_stream)
		return true;
	if (!l->stdin_reader)
		l->stdin_reader = f;    /* none before it waits: see stdin_pass */
	return l->stdin_reader == f;
}

/* Does a path that the walk found not to be a regular file name standard
 * input's stream?  Only then is it looked up again. */
static bool names_stdin(const struct loop *l, const char *path)
{
	struct stat st;
	return l->stdin_named && stat(path, &st) == 0 && st.st_dev == l->stdin_dev &&
	       st.st_ino == l->stdin_ino;
}

/* A file is finished: its result waits in the reorder ring. */
static void finish(struct loop *l, struct file *f)
{
	if (f->fd >= 0 && f->kind != WALK_STDIN)
		xclose(f->fd);
	f->fd = -1;
	drop_fd(l, f);
	f->active = false;
	l->active--;
	if (l->stdin_reader == f)
		stdin_pass(l, f);
	struct loop_result *r = &f->res;
	r->path = f->path;
	r->is_stdin = f->kind == WALK_STDIN;
	r->size = f->size;
	r->slot = arena_slot(&l->arena, (unsigned)(f->seq % l->window));
	/* A file that changed under the task explains what the task made
	 * of it (a decoder's "truncated", say) better than the task can. */
	if (f->changed && (r->outcome == LOOP_DONE || (r->outcome == LOOP_FAILED && r->what == LOOP_TASK))) {
		r->outcome = LOOP_FAILED;
		r->what = LOOP_CHANGED;
		r->error = 0;
	}
	f->in.read = f->size;
	if (l->conf->settle) {
		ioq_flush(l->ioq);      /* closes first: settle may open */
		l->conf->settle(l->conf->ctx, &f->in, r);
	}
	drop_out(l, f);
	release_dir(l, f);
	r->user = f->in.user;
	reorder_put(&l->order, f->seq, f);
}

static void fail(struct file *f, enum loop_what what, int error)
{
	if (f->failed)
		return;
	f->failed = true;
	f->res.outcome = LOOP_FAILED;
	f->res.what = what;
	f->res.error = error;
}

static void submit_io(struct loop *l, struct file *f)
{
	f->io_busy = true;
	l->io_out++;
	if (ioq_submit(l->ioq, &f->req) < 0)
		PTOOL_BUG("I/O queue overflow");
}

/* Open a file and read its first chunk: takes a buffer (one is free) and
 * a descriptor of the budget. */
static void submit_open(struct loop *l, struct file *f)
{
	int b = arena_take_buf(&l->arena);
	PTOOL_ASSERT(b >= 0);
	f->rbuf = b;
	f->req = (struct ioq_req){
		.op = IOQ_OPEN,
		.flags = f->io_flags,
		.dirfd = f->in.dirfd,
		.path = f->in.name,
		.oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (f->nofollow ? O_NOFOLLOW : 0),
		.buf = arena_buf(&l->arena, (unsigned)b),
		.cap = l->arena.buf_size,
		.data = f,
	};
	if (f->kind == WALK_FILE) {
		/* Never block opening something that stopped being a file. */
		f->req.oflags |= O_NONBLOCK;
		f->req.flags |= IOQ_REGULAR_ONLY;
	}
	f->holds_fd = true;
	l->fds++;
	if (l->conf->out_fds && !f->holds_out) {
		f->holds_out = true;
		l->fds += l->conf->out_fds;
	}
	submit_io(l, f);
}

static struct chunk *chunk_at(struct file *f, unsigned i)
{
	return &f->chunks[(f->chead + i) % MAX_PER_INPUT];
}

static void submit_task(struct loop *l, struct file *f, struct chunk *c)
{
	c->done = false;
	c->task.t_submit = stats_now_ns();
	if (pool_submit(l->pool, &c->task) < 0)
		PTOOL_BUG("task queue overflow");
}

/* The chunk read into rbuf goes to a worker. */
static void submit_chunk(struct loop *l, struct file *f)
{
	struct chunk *c = chunk_at(f, f->nchunks++);
	c->buf = f->rbuf;
	c->task = (struct task){
		.op = f->op,
		.flags = (f->first_sent ? 0 : TASK_FIRST) | (f->eof ? TASK_LAST : 0) |
		         (l->conf->pinned ? TASK_PINNED : 0),
		.buf = (uint32_t)f->rbuf,
		.slot = (uint32_t)(f->seq % l->window),
		.len = f->rlen,
		.tag = f->seq,
	};
	if (l->conf->pinned && !f->first_sent)
		f->stream_open = true;
	l->pc.bytes += f->rlen;
	f->counted += f->rlen;
	f->first_sent = true;
	f->rbuf = -1;
	f->rready = false;
	submit_task(l, f, c);
}

/* A pinned input given up half way: its worker must drop the state it
 * holds.  The task takes a buffer like any other (the pool's depth is
 * the buffer count) but no data.  False while no buffer is free. */
static bool submit_abort(struct loop *l, struct file *f)
{
	int b = f->rbuf >= 0 ? f->rbuf : arena_take_buf(&l->arena);
	if (b < 0)
		return false;
	f->rbuf = -1;
	f->rready = false;
	struct chunk *c = chunk_at(f, f->nchunks++);
	c->buf = b;
	c->task = (struct task){
		.op = f->op,
		.flags = TASK_PINNED | TASK_ABORT,
		.buf = (uint32_t)b,
		.slot = (uint32_t)(f->seq % l->window),
		.tag = f->seq,
	};
	f->stream_open = false;
	submit_task(l, f, c);
	return true;
}

/* Chunks back from their tasks, oldest first: their output goes to the
 * output callback, then the buffer goes back to the arena, or, when the
 * task ran out of output room, to the task again. */
static void flush_chunks(struct loop *l, struct file *f)
{
	while (f->nchunks) {
		struct chunk *c = chunk_at(f, 0);
		struct task *t = &c->task;
		if (!c->done)
			return;
		bool go_on = !f->failed && !f->restart && !l->stopping;
		if (go_on && t->status >= 0 && t->out_len && l->conf->output) {
			f->in.read = f->size;
			ioq_flush(l->ioq);      /* closes first: output may open */
			if (l->conf->output(l->conf->ctx, &f->in, arena_out(&l->arena, (unsigned)c->buf),
			                    (size_t)t->out_len) < 0) {
				fail(f, LOOP_OUTPUT, 0);
				go_on = false;
			}
		}
		if ((t->flags & TASK_MORE) && go_on) {
			t->flags &= ~(uint32_t)(TASK_MORE | TASK_FIRST);
			t->out_len = 0;
			submit_task(l, f, c);
			return;
		}
		arena_put_buf(&l->arena, (unsigned)c->buf);
		f->chead = (f->chead + 1) % MAX_PER_INPUT;
		f->nchunks--;
	}
}

/* Can an input whose pinned state died be read again from its start? */
static bool can_restart(const struct loop *l, const struct file *f)
{
	return l->conf->restart && !f->restarted && !f->failed && !l->stopping &&
	       f->kind != WALK_STDIN && f->expect_size >= 0;
}

/* Read the input again from its start, on a fresh worker: nothing of it
 * is out (no read, no task).  It is opened anew, as the engine may have
 * closed it at its end already.  If the output cannot be taken back, it
 * fails as it would have. */
static void restart(struct loop *l, struct file *f)
{
	f->restart = false;
	f->restarted = true;
	if (f->rbuf >= 0) {
		arena_put_buf(&l->arena, (unsigned)f->rbuf);
		f->rbuf = -1;
	}
	f->rready = false;
	l->pc.bytes -= f->counted;
	f->counted = 0;
	if (l->conf->restart(l->conf->ctx, &f->in) < 0) {
		fail(f, LOOP_WORKER_DIED, f->death);
		return;
	}
	if (f->fd >= 0)
		xclose(f->fd);
	f->fd = -1;
	drop_fd(l, f);
	f->size = 0;
	f->eof = false;
	f->first_sent = false;
	f->last_done = false;
	f->stream_open = false;
	f->retry_open = true;   /* pump opens it when a buffer and a descriptor are free */
}

/* Move one file along as far as it can go now. */
static void pump(struct loop *l, struct file *f)
{
	if (!f->active)
		return;
	if (f->restart) {
		if (f->io_busy || f->nchunks)
			return;     /* wait for what is out */
		restart(l, f);  /* to be opened again, just below */
	}
	if (f->retry_open) {
		if (l->stopping) {
			f->retry_open = false;
			finish(l, f);
			return;
		}
		if (fds_short(l) || l->arena.nfree == 0 || !stdin_turn(l, f))
			return;
		f->retry_open = false;
		submit_open(l, f);
		return;
	}
	unsigned per_input = l->conf->per_input ? l->conf->per_input : 1;
	if (f->rready && f->rlen == 0 && f->first_sent && per_input > 1) {
		/* The end met by a read of its own: chunks that stand alone
		 * need no empty one to close them. */
		arena_put_buf(&l->arena, (unsigned)f->rbuf);
		f->rbuf = -1;
		f->rready = false;
		f->last_done = true;
	}
	if (f->rready && f->nchunks < per_input && !f->failed && !l->stopping)
		submit_chunk(l, f);
	if (!f->eof && !f->failed && !l->stopping && !f->io_busy && f->rbuf < 0 && f->fd >= 0 &&
	    stdin_turn(l, f)) {
		int b = arena_take_buf(&l->arena);
		if (b >= 0) {
			f->rbuf = b;
			f->req = (struct ioq_req){
				.op = IOQ_READ,
				.flags = f->io_flags,
				.fd = f->fd,
				.buf = arena_buf(&l->arena, (unsigned)b),
				.cap = l->arena.buf_size,
				.data = f,
				.expect_size = f->expect_size,
				.offset = (off_t)f->size,
				.mtime = f->mtime,
			};
			submit_io(l, f);
		}
	}
	bool ending = f->last_done || f->failed || l->stopping;
	if (ending && f->stream_open && !f->io_busy && f->nchunks == 0 && !submit_abort(l, f))
		return;
	if (!f->io_busy && f->nchunks == 0 && ending) {
		if (f->rbuf >= 0) {
			arena_put_buf(&l->arena, (unsigned)f->rbuf);
			f->rbuf = -1;
		}
		finish(l, f);
	}
}

static void on_io(struct loop *l, struct ioq_req *req)
{
	struct file *f = req->data;

	f->io_busy = false;
	l->io_out--;
	if (req->closed || (req->op == IOQ_OPEN && req->error))
		drop_fd(l, f);
	if (req->closed)
		f->fd = -1;
	if (req->op == IOQ_OPEN && (req->error == EMFILE || req->error == ENFILE))
		drop_out(l, f);
	if (req->op == IOQ_OPEN && (req->error == EMFILE || req->error == ENFILE) && l->active > 1) {
		/* Out of descriptors while other inputs are under way: shrink
		 * the budget to what is held now and try this one again once
		 * one finishes. */
		l->max_fds = l->fds + walk_open_fds(l->walk);
		f->retry_open = true;
		arena_put_buf(&l->arena, (unsigned)f->rbuf);
		f->rbuf = -1;
		return;
	}
	if (req->op == IOQ_OPEN && !req->error) {
		if (req->not_regular && f->kind == WALK_OPERAND) {
			fail(f, LOOP_NOT_REGULAR, 0);   /* a device named (no_devices) */
		} else if (req->not_regular) {
			f->res.outcome = LOOP_SKIPPED;
			f->failed = true;       /* nothing more to do */
		} else {
			f->fd = req->fd;
			f->expect_size = req->expect_size;
			f->mtime = req->mtime;
			f->in.size = req->expect_size;
			/* Counted at its first opening only. */
			if (!f->restarted && req->expect_size >= 0) {
				l->pc.sized++;
				l->pc.sized_bytes += (uint64_t)req->expect_size;
			} else if (!f->restarted) {
				l->pc.unsized++;
			}
			f->in.meta = req->meta;
			f->in.mtime = req->mtime;
		}
	}
	if (req->error && req->failed == IOQ_OPEN && req->error == ELOOP && f->nofollow) {
		/* A symlink now where the walk listed a file. */
		fail(f, LOOP_SWAPPED, 0);
	} else if (req->error) {
		fail(f, req->failed == IOQ_OPEN ? LOOP_OPEN : LOOP_READ, req->error);
	} else if (!f->failed) {
		f->size += req->len;
		f->rlen = req->len;
		f->eof = req->eof;
		f->changed |= req->changed;
		f->rready = true;
		return;
	}
	if (f->rbuf >= 0) {
		arena_put_buf(&l->arena, (unsigned)f->rbuf);
		f->rbuf = -1;
	}
}

static void on_task(struct loop *l, const struct task *t)
{
	struct file *f = file_of(l, t->tag);

	if (l->conf->stats) {
		struct run_stats *s = l->conf->stats;
		uint64_t run = t->t_end - t->t_start;
		s->tasks++;
		s->busy_ns += run;
		hist_add(&s->run, run);
		hist_add(&s->wait, t->t_start > t->t_submit ? t->t_start - t->t_submit : 0);
	}
	struct chunk *c = NULL;
	for (unsigned i = 0; i < f->nchunks && !c; i++)
		if (chunk_at(f, i)->buf == (int)t->buf && !chunk_at(f, i)->done)
			c = chunk_at(f, i);
	PTOOL_ASSERT(c);
	c->done = true;
	c->task = *t;
	if (t->timed_out || t->death || t->status < 0) {
		/* A worker that failed a task dropped its state; one that died
		 * took it along. */
		f->stream_open = false;
		c->task.flags &= ~(uint32_t)TASK_MORE;
		if (t->timed_out)
			fail(f, LOOP_TIMED_OUT, 0);
		else if (t->death && can_restart(l, f)) {
			f->restart = true;
			f->death = t->death;
		} else if (t->death)
			fail(f, LOOP_WORKER_DIED, t->death);
		else if (-t->status >= LOOP_TASK_CODES)
			fail(f, LOOP_TASK, -t->status);
		else
			fail(f, LOOP_WORK, -t->status);
	} else if ((t->flags & (TASK_LAST | TASK_MORE)) == TASK_LAST) {
		f->last_done = true;
		f->stream_open = false;
	}
	flush_chunks(l, f);
}

/* The walk has given r (see walk_next) and ent: count it. */
static void walked(struct loop *l, int r, const struct walk_ent *ent)
{
	if (r == 1 && ent->kind != WALK_SKIP)
		l->pc.total++;
	if (r <= 0) {
		l->walk_ended = true;
		l->walk_errno = r < 0 ? errno : 0;
		l->pc.total_known = true;
	}
}

/* The next entry of the walk, those read ahead first (returns as
 * walk_next does). */
static int pull(struct loop *l, struct walk_ent *ent)
{
	if (l->ahead_start < l->ahead_end) {
		*ent = l->ahead[l->ahead_start++];
		if (l->ahead_start == l->ahead_end)
			l->ahead_start = l->ahead_end = 0;
		return 1;
	}
	if (l->walk_ended) {
		errno = l->walk_errno;
		return l->walk_errno ? -1 : 0;
	}
	/* A folder may wait for descriptors while inputs are under way; with
	 * none, the engine's closes go first, and a second try decides. */
	walk_may_defer(l->walk, true);
	int r = walk_next(l->walk, ent);
	if (r == 2 && errno == EMFILE && l->active == 0) {
		ioq_flush(l->ioq);
		walk_may_defer(l->walk, false);
		r = walk_next(l->walk, ent);
	}
	walked(l, r, ent);
	return r;
}

/* Read the walk ahead of the window, a batch a turn, so that the number
 * of inputs is known long before the last one starts.  True if it moved. */
static bool read_ahead(struct loop *l)
{
	bool moved = false;
	for (unsigned n = 0; n < 256 && !l->walk_ended; n++) {
		if (l->ahead_end - l->ahead_start >= l->conf->ahead)
			break;
		/* The entries read ahead keep their folders open: no more
		 * than half the descriptors for them. */
		if (walk_open_fds(l->walk) >= l->max_fds / 2)
			break;
		if (l->ahead_end == l->ahead_cap) {
			if (l->ahead_start > 0) {
				memmove(l->ahead, l->ahead + l->ahead_start,
				        (l->ahead_end - l->ahead_start) * sizeof *l->ahead);
				l->ahead_end -= l->ahead_start;
				l->ahead_start = 0;
			} else {
				size_t cap = l->ahead_cap ? 2 * l->ahead_cap : 1024;
				struct walk_ent *a = realloc(l->ahead, cap * sizeof *a);
				if (!a)
					break;      /* no reading ahead, then */
				l->ahead = a;
				l->ahead_cap = cap;
			}
		}
		walk_may_defer(l->walk, true);
		int r = walk_next(l->walk, &l->ahead[l->ahead_end]);
		walked(l, r, &l->ahead[l->ahead_end]);
		if (r != 1)
			break;
		l->ahead_end++;
		moved = true;
	}
	return moved;
}

/* Begin one input from the walk.  Returns false when nothing can start. */
static bool start_next(struct loop *l)
{
	/* Wait on the input only when it is what holds the walk back: polling
	 * a readable list while buffers are short would spin. */
	l->walk_blocked = false;
	if (l->walk_done || l->stopping || !reorder_fits(&l->order, l->next_seq) ||
	    l->arena.nfree == 0 || fds_short(l))
		return false;
	if (l->conf->serial && l->order.next != l->next_seq)
		return false;   /* the one before is not out yet */

	struct walk_ent ent;
	int r = pull(l, &ent);
	/* Short of descriptors for a folder: inputs out will free some,
	 * and their ends wake the loop; the list is not what it waits on. */
	l->walk_blocked = r == 2 && errno != EMFILE;
	if (r == 2)
		return false;
	if (r <= 0) {
		l->walk_done = true;
		if (r < 0) {
			l->fatal = true;
			l->fatal_errno = errno;
		}
		return false;
	}

	struct file *f = file_of(l, l->next_seq);
	memset(f, 0, sizeof *f);
	f->seq = l->next_seq++;
	f->path = ent.path;
	f->dir = ent.dir;
	f->name_off = ent.name_off;
	f->nofollow = ent.nofollow;
	f->long_fd = -1;
	f->kind = ent.kind;
	f->op = ent.op;
	f->fd = -1;
	f->rbuf = -1;
	f->active = true;
	l->active++;
	f->in = (struct loop_input){
		.seq = f->seq,
		.path = f->path,
		.dirfd = f->dir ? f->dir->fd : AT_FDCWD,
		.name = f->dir ? f->path + f->name_off : f->path,
		.is_stdin = ent.kind == WALK_STDIN,
		.size = -1,
	};

	switch (ent.kind) {
	case WALK_ERROR: {
		static const enum loop_what map[] = {
			[WALK_CANNOT_OPEN] = LOOP_OPEN,
			[WALK_CANNOT_READ_DIR] = LOOP_READ_DIR,
			[WALK_LOOP] = LOOP_FS_LOOP,
			[WALK_CANNOT_READ_LIST] = LOOP_READ_LIST,
			[WALK_SWAPPED] = LOOP_SWAPPED,
		};
		fail(f, map[ent.what], ent.error);
		finish(l, f);
		return true;
	}
	case WALK_SKIP:
		f->res.outcome = LOOP_SKIPPED;
		finish(l, f);
		return true;
	case WALK_STDIN:
		if (l->conf->stdin_taken) {
			fail(f, LOOP_STDIN_TAKEN, 0);
			finish(l, f);
			return true;
		}
		f->fd = STDIN_FILENO;
		f->expect_size = -1;
		f->stdin_stream = true;
		l->pc.unsized++;
		pump(l, f);
		return true;
	case WALK_FILE:
	case WALK_OPERAND:
		break;
	}
	if (ent.kind == WALK_OPERAND && !ent.regular && !ent.untyped && names_stdin(l, f->path)) {
		if (l->conf->stdin_taken) {
			fail(f, LOOP_STDIN_TAKEN, 0);
			finish(l, f);
			return true;
		}
		f->stdin_stream = true;
	}
	if (l->conf->no_devices && (S_ISCHR(ent.mode) || S_ISBLK(ent.mode) || S_ISSOCK(ent.mode))) {
		fail(f, LOOP_NOT_REGULAR, 0);
		finish(l, f);
		return true;
	}
	if (l->conf->want && !l->conf->want(l->conf->ctx, &ent, &f->in)) {
		f->res.outcome = LOOP_PASSED;
		finish(l, f);
		return true;
	}
	if (!f->dir && strlen(f->path) >= PATH_MAX) {
		/* Too long for one lookup: its folder is opened a part at
		 * a time, here, and the name is opened in that. */
		const char *name;
		f->long_fd = xio_open_parent(f->path, &name);
		if (f->long_fd < 0) {
			fail(f, LOOP_OPEN, errno);
			finish(l, f);
			return true;
		}
		l->fds++;
		f->in.dirfd = f->long_fd;
		f->in.name = name;
	}

	f->io_flags = IOQ_CLOSE_AT_END;
	if (l->conf->no_devices && ent.kind == WALK_OPERAND)
		f->io_flags |= IOQ_NO_DEVICES;
	if (ent.untyped)
		f->io_flags |= IOQ_UNTYPED;
	else if (ent.kind == WALK_OPERAND && !ent.regular)
		f->io_flags |= IOQ_MAY_BLOCK;   /* a FIFO's open waits for its writer */
	if (stdin_turn(l, f))
		submit_open(l, f);
	else
		f->retry_open = true;   /* opened when its turn comes (pump) */
	return true;
}

/* Descriptors held at once by inputs and outputs, at most (the budget). */
#define MAX_FDS 1024

/* What the run holds besides its inputs and outputs, with io as its
 * engine: a term for each part, each part saying what it takes. */
static unsigned fds_fixed(const struct loop_conf *conf, const struct walk *walk, enum ioq_kind io)
{
	return 1                                        /* the waker */
	       + pool_fds(conf->mode, conf->jobs ? conf->jobs : 1)
	       + ioq_fds(io)
	       + walk_fds(walk)
	       + conf->source_fds;
}

/* ... and with one input under way. */
static unsigned fds_least(const struct loop_conf *conf, const struct walk *walk, enum ioq_kind io)
{
	return fds_fixed(conf, walk, io) + 1 + conf->out_fds;
}

unsigned loop_fds_needed(const struct loop_conf *conf, const struct walk *walk)
{
	enum ioq_kind io = conf->io == IOQ_AUTO ? IOQ_SYNC : conf->io;
	return xio_fds_limit_for(fds_least(conf, walk, io));
}

/* Is there room for the run, with the engine *io?  With IOQ_AUTO and no
 * room for a ring, *io becomes IOQ_SYNC.  *free_fds: the free numbers
 * below the limit, counted up to what the budget could use. */
static bool fds_room(const struct loop_conf *conf, const struct walk *walk, enum ioq_kind *io,
                     unsigned *free_fds)
{
	unsigned need = fds_least(conf, walk, *io);
	*free_fds = xio_fds_free(xio_fd_limit(), fds_fixed(conf, walk, *io) + MAX_FDS);
	if (*free_fds >= need)
		return true;
	if (*io == IOQ_AUTO && *free_fds >= fds_least(conf, walk, IOQ_SYNC)) {
		*io = IOQ_SYNC;
		return true;
	}
	return false;
}

static void count(struct run_stats *s, const struct loop_result *r)
{
	if (r->outcome == LOOP_SKIPPED || r->outcome == LOOP_PASSED)
		return;
	s->inputs++;
	if (r->outcome == LOOP_FAILED)
		s->failed++;
	else
		s->bytes += r->size;
}

/* What the main process and the workers used. */
static void usage_stats(struct run_stats *s, const struct pool_usage *work, bool threads)
{
	struct rusage self;
	if (getrusage(RUSAGE_SELF, &self) < 0)
		return;
	s->work_user = work->utime;
	s->work_sys = work->stime;
	s->work_maxrss_kb = work->maxrss_kb;
	s->main_maxrss_kb = self.ru_maxrss;
	/* Threads count in the process's own time: take theirs out.  The
	 * two are sampled apart, so a difference may come out below zero. */
	if (threads) {
		timersub(&self.ru_utime, &work->utime, &self.ru_utime);
		timersub(&self.ru_stime, &work->stime, &self.ru_stime);
		if (self.ru_utime.tv_sec < 0)
			timerclear(&self.ru_utime);
		if (self.ru_stime.tv_sec < 0)
			timerclear(&self.ru_stime);
	}
	s->main_user = self.ru_utime;
	s->main_sys = self.ru_stime;
}

/* Time for the progress callback? */
static void tick(struct loop *l)
{
	uint64_t now = stats_now_ns();
	if (now < l->next_tick)
		return;
	l->next_tick = now + (uint64_t)l->conf->tick_ms * 1000000;
	l->pc.elapsed_ns = now - l->t0;
	l->conf->tick(&l->pc);
}

/* The wait's timeout: the pool's, or sooner for the next tick. */
static int wait_ms(struct loop *l)
{
	int t = pool_timeout(l->pool);
	if (!l->conf->tick)
		return t;
	uint64_t now = stats_now_ns();
	int ms = now >= l->next_tick ? 0 : (int)((l->next_tick - now + 999999) / 1000000);
	return t < 0 || ms < t ? ms : t;
}

/* Take every completion that is ready.  True if there was any. */
static bool drain(struct loop *l)
{
	bool any = false;
	struct ioq_req *req;
	struct task t;

	while ((req = ioq_pop(l->ioq))) {
		on_io(l, req);
		any = true;
	}
	int r;
	while ((r = pool_reap(l->pool, &t)) > 0) {
		on_task(l, &t);
		any = true;
	}
	if (r < 0 && !l->fatal) {
		l->fatal = true;
		l->fatal_pool = true;
		l->fatal_errno = errno;
		any = true;
	}
	return any;
}

static int run(struct loop *l)
{
	for (;;) {
		bool progress = drain(l);
		if (l->fatal)
			break;      /* the pool is broken: nothing more will finish */

		/* Oldest first: a file already under way gets buffers before a
		 * new one starts, so the front of the window keeps moving. */
		for (uint64_t s = l->order.next; s < l->next_seq; s++)
			pump(l, file_of(l, s));

		struct file *f;
		while ((f = reorder_pop(&l->order))) {
			if (l->conf->stats && !l->stopping)
				count(l->conf->stats, &f->res);
			if (f->kind != WALK_SKIP)
				l->pc.done++;
			if (!l->stopping && l->conf->emit(l->conf->ctx, &f->res) < 0)
				l->stopping = true;
			free(f->path);
			f->path = NULL;
			f->in.path = f->in.name = NULL;
			progress = true;
		}
		while (start_next(l))
			progress = true;
		if (l->conf->ahead && !l->stopping && read_ahead(l))
			progress = true;
		if (l->conf->tick)
			tick(l);

		if ((l->walk_done || l->stopping) && l->order.next == l->next_seq)
			break;
		if (progress)
			continue;

		/* Nothing to do: sleep until a worker or the I/O engine
		 * publishes, re-checking after saying so (see waker.h). */
		if (l->walk_blocked && l->conf->idle)
			l->conf->idle(l->conf->ctx);
		/* Tasks held back to make a batch go now, or soon, when an
		 * I/O completion is likely to wake the loop (and bring more);
		 * the backend bounds "soon" (pool_timeout), as a read of a
		 * pipe may never complete. */
		pool_flush(l->pool, l->io_out > 0 && !l->walk_blocked);
		int input_fd = -1;
		if (l->walk_blocked && l->conf->wait_fd)
			input_fd = l->conf->wait_fd(l->conf->ctx);
		waker_prepare(&l->waker);
		if (drain(l))
			waker_cancel(&l->waker);
		else
			ioq_wait(l->ioq, &l->waker, pool_fd(l->pool), input_fd, wait_ms(l));
	}
	return l->stopping ? 1 : 0;
}

int loop_run(const struct loop_conf *conf, struct walk *walk)
{
	struct loop l = { .conf = conf, .walk = walk };
	unsigned jobs = conf->jobs ? conf->jobs : 1;
	/* Enough buffers for many small files in flight (each takes one), so
	 * the threads find work in batches; at most 48 of them (48 MiB of
	 * 1 MiB chunks), whatever -j says. */
	unsigned nbuf = jobs * 4 < 32 ? 32 : jobs * 4 > 48 ? 48 : jobs * 4;
	if (conf->nbuf)
		nbuf = conf->nbuf;
	/* I/O threads follow the machine, not -j: on a warm cache more
	 * than the CPUs only add switches. */
	unsigned ncpu = xio_ncpu();
	unsigned io_threads = ncpu < 2 ? 2 : ncpu > 8 ? 8 : ncpu;
	int ret = -1, err = 0;

	enum ioq_kind io = conf->io;
	unsigned free_fds;
	if (!fds_room(conf, walk, &io, &free_fds)) {
		if (conf->fds_needed)
			*conf->fds_needed = loop_fds_needed(conf, walk);
		errno = EMFILE;
		return -3;
	}

	l.window = 256;
	if (nbuf > l.window / 2)
		l.window = 2 * nbuf;
	if (arena_init(&l.arena, nbuf, conf->chunk_size, conf->out_size, l.window, conf->slot_size,
	               conf->mode == POOL_FORK ? ARENA_SHARED : 0) < 0)
		return -1;
	if (waker_init(&l.waker) < 0)
		goto fail_arena;
	if (reorder_init(&l.order, l.window) < 0)
		goto fail_waker;
	l.files = calloc(l.window, sizeof *l.files);
	if (!l.files)
		goto fail_order;
	l.pool = pool_create(conf->mode, jobs, nbuf, conf->task, &l.arena, &l.waker, &conf->limits);
	if (!l.pool) {
		ret = -2;
		goto fail_files;
	}
	l.ioq = ioq_create(io, l.window + nbuf, io_threads, &l.waker);
	if (!l.ioq)
		goto fail_pool;

	/* What is left for inputs and outputs: at least one of each, as
	 * fds_room saw.  IOQ_AUTO may have taken the threads after all. */
	if (io == IOQ_AUTO && strcmp(ioq_name(l.ioq), "sync") == 0)
		io = IOQ_SYNC;
	unsigned fixed = fds_fixed(conf, walk, io);
	l.max_fds = free_fds - fixed > MAX_FDS ? MAX_FDS : free_fds - fixed;
	/* A deep tree keeps a quarter of them at most on the walk's stack. */
	walk_set_max_fds(walk, l.max_fds / 4);
	struct stat in_st;
	if (fstat(STDIN_FILENO, &in_st) == 0 &&
	    (S_ISFIFO(in_st.st_mode) || S_ISSOCK(in_st.st_mode) || S_ISCHR(in_st.st_mode))) {
		/* A regular file or a disk named by a path is opened anew, at
		 * its own offset: reading it takes nothing from standard input. */
		l.stdin_named = true;
		l.stdin_dev = in_st.st_dev;
		l.stdin_ino = in_st.st_ino;
	}
	uint64_t t0 = stats_now_ns();
	l.t0 = t0;
	l.next_tick = t0 + (uint64_t)conf->tick_ms * 1000000;
	ret = run(&l);
	if (l.fatal) {
		ret = l.fatal_pool ? -2 : -1;
		err = l.fatal_errno;
	}
	const char *io_name = ioq_name(l.ioq);
	ioq_destroy(l.ioq);
	struct pool_usage usage;
	pool_destroy(l.pool, &usage);
	if (conf->stats) {
		conf->stats->wall_ns = stats_now_ns() - t0;
		conf->stats->io = io_name;
		conf->stats->mode = conf->mode == POOL_FORK ? "fork" : "thread";
		conf->stats->jobs = jobs;
		usage_stats(conf->stats, &usage, conf->mode == POOL_THREAD);
	}
	for (unsigned i = 0; i < l.window; i++) {
		free(l.files[i].path);
		walk_dir_unref(l.files[i].dir);
		if (l.files[i].path && l.files[i].long_fd >= 0)
			xclose(l.files[i].long_fd);
	}
	free(l.files);
	for (size_t i = l.ahead_start; i < l.ahead_end; i++)
		walk_ent_release(&l.ahead[i]);
	free(l.ahead);
	reorder_release(&l.order);
	waker_release(&l.waker);
	arena_release(&l.arena);
	errno = err;
	return ret;

fail_pool:
	err = errno;
	pool_destroy(l.pool, NULL);
	errno = err;
fail_files:
	err = errno;
	free(l.files);
	errno = err;
fail_order:
	err = errno;
	reorder_release(&l.order);
	errno = err;
fail_waker:
	err = errno;
	waker_release(&l.waker);
	errno = err;
fail_arena:
	err = errno;
	arena_release(&l.arena);
	errno = err;
	return ret;
}
