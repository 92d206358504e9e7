/* pool_fork: the process backend of pool.h.
 *
 *   main process (the loop)                    fork server (one thread, forked
 *   ┌─────────────────────────┐  spawn ───────► first, before any thread exists)
 *   │ pool_fork               │ ◄── spawned + fd  ├─ forks a worker per spawn
 *   │ epoll: server, workers  │ ◄── died(pid, st) └─ reaps them (signalfd)
 *   └───────────┬─────────────┘                          │ fork
 *               │ struct task, both ways, one at a time  ▼
 *               └─────────────────────────────────► worker: recv, fn(), send
 *
 * Only descriptors cross the sockets: chunk data and per-input state stay
 * in the MAP_SHARED arena, which every process maps at the same address.
 *
 * Respawns come from the server, so nothing is ever forked from the
 * threaded main process.  A worker that dies (crash, kill, limit) costs
 * only the task it held: the slot is restored from the copy taken at
 * dispatch and the task runs once more on a fresh worker; a second death
 * is handed back to the loop in task.death.  Workers that die before ever
 * running a task, three times over, stop the pool (no respawn loop).
 *
 * Pinned tasks (TASK_PINNED) carry state in the memory of the worker that
 * ran their input's first task: the rest of the input goes to that worker
 * (its own queue, ahead of the shared one), and when it dies they fail
 * at once, since no other worker could take them up.
 *
 * No orphans: the server dies with the main process (PR_SET_PDEATHSIG) and
 * the workers with the server; a worker also exits when its socket closes.
 */
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "xio.h"

/* Tasks sent to a worker in one message, at most: small inputs would
 * otherwise cost two process switches each. */
#define BATCH 16
#define DEPTH 2
/* How long a batch may be held back for more tasks, at most.  The I/O
 * that was to bring them may never come soon (a pipe, a stalled FIFO),
 * and the tasks already here must not wait on it. */
#define HOLD_MS 2

enum srv_kind {
	SRV_SPAWNED,      /* pid, and the parent's end of its socket */
	SRV_SPAWN_FAILED, /* status = errno */
	SRV_DIED,         /* pid, wait status */
};

struct srv_msg {
	int32_t kind;
	int32_t pid;
	int32_t status;
};

struct fworker {
	pid_t pid;            /* 0: a free entry */
	int fd;               /* -1 once closed */
	bool busy;            /* it has tasks out (ntasks > 0) */
	bool gone;            /* its socket closed: waiting for its status */
	bool reaped;          /* its status came: waiting for its socket to close */
	bool ready;           /* it said it is set up: tasks may go to it */
	int status;
	unsigned ran;         /* batches it finished */
	/* Up to DEPTH batches out, oldest first, so that a worker never waits
	 * for the main process between two batches. */
	struct task tasks[DEPTH * BATCH];
	unsigned ntasks;
	unsigned batch[DEPTH], nbatch;
	struct timespec started;  /* when batch[0] began to run */
	bool timed_out;       /* killed for running past the limit */
	unsigned char *snaps; /* each task's slot as it was at dispatch */
	struct tasks *own;    /* pinned tasks waiting for it */
};

/* A FIFO of tasks. */
struct tasks {
	struct task *t;
	size_t head, len, cap;
};

struct pool_fork {
	struct pool base;
	const struct arena *arena;
	int srv;
	pid_t server;
	int epfd;
	struct fworker *w;
	unsigned nw;          /* entries in w */
	unsigned want;        /* live workers wanted */
	unsigned live, spawning, ready;
	unsigned room;        /* live workers with fewer than DEPTH batches out */
	unsigned early_deaths; /* workers that died before they were ready, in a row */
	struct tasks pending, done;
	int error;            /* the pool cannot go on: errno */
	struct pool_limits limits;
	unsigned batch_max, depth_max;  /* 1 and 1 under a time limit */
	unsigned depth;
	pid_t *pins;          /* by slot: the worker holding its state, or 0 */
	int *pin_deaths;      /* by slot: how the last holder died */
	bool holding;         /* tasks held back for a batch ... */
	struct timespec held_at;  /* ... since then */
};

#define SRV_TAG UINT32_MAX


/* ---- the worker and the server, in the child processes ---- */

static void child_setup(const char *name, pid_t parent)
{
	prctl(PR_SET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
}

_Noreturn static void worker_main(int fd, task_fn *fn, const struct arena *arena,
                                  const struct pool_limits *limits)
{
	if (limits->memory) {
		struct rlimit rl = { limits->memory, limits->memory };
		if (setrlimit(RLIMIT_AS, &rl) < 0)
			_exit(1);
	}
	/* For the tests: a task of exactly this many bytes crashes its worker. */
	const char *crash = getenv("PTOOL_TEST_CRASH_LEN");
	uint64_t crash_len = crash ? strtoull(crash, NULL, 10) : UINT64_MAX;
	/* ... one of this many bytes hangs it ... */
	const char *hang = getenv("PTOOL_TEST_HANG_LEN");
	uint64_t hang_len = hang ? strtoull(hang, NULL, 10) : UINT64_MAX;
	/* ... and this makes it die before it is ready. */
	if (getenv("PTOOL_TEST_WORKER_EXIT"))
		_exit(3);
	if (send(fd, "R", 1, MSG_NOSIGNAL) != 1)
		_exit(1);
	struct task t[BATCH];

	for (;;) {
		ssize_t n = recv(fd, t, sizeof t, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || n % (ssize_t)sizeof *t)
			_exit(n == 0 ? 0 : 1);
		size_t count = (size_t)n / sizeof *t;
		for (size_t i = 0; i < count; i++) {
			if (t[i].len == crash_len)
				abort();    /* SIGABRT: sanitizers leave it alone */
			while (t[i].len == hang_len)
				pause();
			pool_run_task(fn, &t[i], arena);
		}
		if (send(fd, t, (size_t)n, MSG_NOSIGNAL) != n)
			_exit(1);
	}
}

static int srv_send(int srv, const struct srv_msg *m, int fd)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof *m };
	/* Zeroed: CMSG_SPACE pads past the descriptor, and sendmsg reads
	 * the whole buffer. */
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	while (sendmsg(srv, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

_Noreturn static void server_main(int srv, pid_t parent, task_fn *fn, const struct arena *arena,
                                  const struct pool_limits *limits)
{
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;
	sigset_t chld;

	child_setup("ptool-forksrv", parent);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
	if (sfd < 0)
		_exit(1);

	for (;;) {
		struct pollfd pfd[2] = { { .fd = srv, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;
			(void)!read(sfd, &si, sizeof si);
			int st;
			pid_t pid;
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
				struct srv_msg m = { SRV_DIED, pid, st };
				srv_send(srv, &m, -1);
				for (size_t i = 0; i < npids; i++)
					if (pids[i] == pid)
						pids[i] = pids[--npids];
			}
		}
		if (!pfd[0].revents)
			continue;
		char req;
		ssize_t n = recv(srv, &req, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;          /* the main process is done */
		if (npids == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			pid_t *np = realloc(pids, ncap * sizeof *np);
			if (!np) {
				struct srv_msg m = { SRV_SPAWN_FAILED, 0, ENOMEM };
				srv_send(srv, &m, -1);
				continue;
			}
			pids = np;
			cap = ncap;
		}
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
			struct srv_msg m = { SRV_SPAWN_FAILED, 0, errno };
			srv_send(srv, &m, -1);
			continue;
		}
		pid_t me = getpid();
		pid_t pid = fork();
		if (pid == 0) {
			sigprocmask(SIG_UNBLOCK, &chld, NULL);
			child_setup("ptool-worker", me);
			xclose(srv);
			xclose(sfd);
			xclose(sp[0]);
			worker_main(sp[1], fn, arena, limits);
		}
		xclose(sp[1]);
		if (pid < 0) {
			struct srv_msg m = { SRV_SPAWN_FAILED, 0, errno };
			srv_send(srv, &m, -1);
		} else {
			pids[npids++] = pid;
			struct srv_msg m = { SRV_SPAWNED, pid, 0 };
			srv_send(srv, &m, sp[0]);
		}
		xclose(sp[0]);
	}
	/* Stop what is left, reap it, go. */
	for (size_t i = 0; i < npids; i++)
		kill(pids[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	free(pids);
	_exit(0);
}

/* Fork the server.  The calling process must have no other thread yet. */
static pid_t start_server(int *srv_out, task_fn *fn, const struct arena *arena,
                          const struct pool_limits *limits)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		xclose(sp[0]);
		xclose(sp[1]);
		errno = err;
		return -1;
	}
	if (pid == 0) {
		/* Keep stderr (for crash reports) and the server's socket; the
		 * main process's other descriptors (stdout, lists) are not ours. */
		int keep = sp[1];
		if (keep < 3) {
			keep = fcntl(sp[1], F_DUPFD_CLOEXEC, 3);
			if (keep < 0)
				_exit(1);
		}
		close_range(3, (unsigned)keep - 1, 0);
		close_range((unsigned)keep + 1, ~0U, 0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		struct sigaction ign = { .sa_handler = SIG_IGN };
		/* A terminal's ^C reaches the whole process group: the main
		 * process decides; workers go when it does. */
		sigaction(SIGINT, &ign, NULL);
		sigaction(SIGQUIT, &ign, NULL);
		sigaction(SIGTERM, &ign, NULL);
		sigaction(SIGHUP, &ign, NULL);
		sigaction(SIGPIPE, &ign, NULL);
		server_main(keep, parent, fn, arena, limits);
	}
	xclose(sp[1]);
	*srv_out = sp[0];
	return pid;
}

/* ---- the pool, in the main process ---- */

static int tasks_init(struct tasks *q, size_t cap)
{
	q->t = calloc(cap ? cap : 1, sizeof *q->t);
	q->head = q->len = 0;
	q->cap = cap ? cap : 1;
	return q->t ? 0 : -1;
}

static void tasks_push(struct tasks *q, const struct task *t, bool front)
{
	if (q->len == q->cap)
		abort();        /* the loop keeps within depth */
	if (front) {
		q->head = (q->head + q->cap - 1) % q->cap;
		q->t[q->head] = *t;
	} else {
		q->t[(q->head + q->len) % q->cap] = *t;
	}
	q->len++;
}

static bool tasks_pop(struct tasks *q, struct task *out)
{
	if (q->len == 0)
		return false;
	*out = q->t[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return true;
}

static int request_spawn(struct pool_fork *p)
{
	char c = 'S';
	if (send(p->srv, &c, 1, MSG_NOSIGNAL) != 1)
		return -1;
	p->spawning++;
	return 0;
}

/* Keep `want` workers alive or coming.  A few requests at a time: a
 * server blocked writing replies must never face a parent blocked
 * writing requests. */
static void top_up(struct pool_fork *p)
{
	while (p->live + p->spawning < p->want && p->spawning < 8 && !p->error)
		if (request_spawn(p) < 0)
			p->error = errno ? errno : EPIPE;
}

/* Send a worker its next batch: a fair part of what waits, given the
 * workers with room; a task already run once by a worker that died goes
 * alone, so that a task that kills workers takes no other task down. */
static void dispatch(struct pool_fork *p, struct fworker *w)
{
	size_t slot_size = p->arena->slot_size;
	size_t share = (p->pending.len + p->room - 1) / (p->room ? p->room : 1);
	unsigned first = w->ntasks, n = 0;

	if (w->nbatch >= p->depth_max)
		return;
	if (share > p->batch_max)
		share = p->batch_max;
	while (n < p->batch_max && w->own->len) {
		struct task *t = &w->tasks[first + n];
		tasks_pop(w->own, t);
		t->tries++;
		memcpy(w->snaps + (first + n) * slot_size, arena_slot(p->arena, t->slot), slot_size);
		n++;
	}
	while (n < share && p->pending.len) {
		const struct task *next = &p->pending.t[p->pending.head];
		if (next->tries > 0 && n > 0)
			break;
		struct task *t = &w->tasks[first + n];
		tasks_pop(&p->pending, t);
		t->tries++;
		if (t->flags & TASK_PINNED)
			p->pins[t->slot] = w->pid;
		memcpy(w->snaps + (first + n) * slot_size, arena_slot(p->arena, t->slot), slot_size);
		n++;
		if (t->tries > 1)
			break;
	}
	if (n == 0)
		return;
	w->ntasks += n;
	if (w->nbatch == 0)
		clock_gettime(CLOCK_MONOTONIC, &w->started);
	w->batch[w->nbatch++] = n;
	w->busy = true;
	if (w->nbatch == p->depth_max)
		p->room--;
	/* If it died, its socket says so soon and its status follows. */
	(void)send(w->fd, &w->tasks[first], n * sizeof *w->tasks, MSG_NOSIGNAL);
}

static bool usable(const struct fworker *w)
{
	return w->pid > 0 && w->ready && !w->gone && !w->reaped;
}

/* Give out the waiting tasks.  Unless forced, only good batches go: a
 * message per task would cost more than the small tasks themselves. */
static void feed_some(struct pool_fork *p, bool force)
{
	bool shared = p->pending.len && (force || p->pending.len >= BATCH / 2);

	for (unsigned pass = 0; pass < DEPTH; pass++)
		for (unsigned i = 0; i < p->nw && p->room; i++) {
			struct fworker *w = &p->w[i];
			/* A worker's own tasks go at once: they are one an input. */
			if (usable(w) && (w->own->len || (shared && p->pending.len)))
				dispatch(p, w);
		}
}

static void feed(struct pool_fork *p)
{
	feed_some(p, false);
}

static void close_worker(struct pool_fork *p, struct fworker *w)
{
	if (w->fd >= 0) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		xclose(w->fd);
		w->fd = -1;
	}
}

/* Both the socket's end and the status are in: settle the task it held. */
/* Both the socket's end and the status are in: settle the tasks it held. */
static void bury(struct pool_fork *p, struct fworker *w)
{
	size_t slot_size = p->arena->slot_size;

	if (w->busy) {
		/* Back to the front of the queue, in order, each slot as it was
		 * before the dead worker touched it. */
		for (unsigned i = w->ntasks; i-- > 0;) {
			struct task t = w->tasks[i];
			memcpy(arena_slot(p->arena, t.slot), w->snaps + i * slot_size, slot_size);
			if (w->timed_out && i == 0) {
				/* Too slow is no accident: no second try. */
				t.timed_out = 1;
				t.status = -ETIMEDOUT;
				tasks_push(&p->done, &t, false);
			} else if (t.tries < 2 && !(t.flags & TASK_PINNED)) {
				tasks_push(&p->pending, &t, true);
			} else {
				t.death = w->status ? w->status : -1;
				t.status = -ECHILD;
				tasks_push(&p->done, &t, false);
			}
		}
	}
	/* The state it held for pinned inputs died with it. */
	struct task t;
	while (tasks_pop(w->own, &t)) {
		t.death = w->status ? w->status : -1;
		t.status = -ECHILD;
		tasks_push(&p->done, &t, false);
	}
	for (unsigned i = 0; i < p->arena->nslot; i++)
		if (p->pins[i] == w->pid) {
			p->pins[i] = 0;
			p->pin_deaths[i] = w->status ? w->status : -1;
		}
	if (!w->ready) {
		/* Dead before it could take a task: start-up is broken (a limit
		 * too low, say); respawning would only loop. */
		if (++p->early_deaths >= 3)
			p->error = ECHILD;
	} else {
		p->ready--;
		if (w->nbatch < p->depth_max)
			p->room--;
	}
	w->pid = 0;
	w->busy = w->gone = w->reaped = w->timed_out = w->ready = false;
	w->ntasks = w->nbatch = 0;
	p->live--;
	top_up(p);
}

static void on_worker(struct pool_fork *p, struct fworker *w)
{
	struct task t[BATCH];
	ssize_t n;

	while ((n = recv(w->fd, t, sizeof t, MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	if (n > 0 && w->nbatch && n == (ssize_t)(w->batch[0] * sizeof *t)) {
		unsigned done = w->batch[0];
		size_t slot_size = p->arena->slot_size;
		for (unsigned i = 0; i < done; i++)
			tasks_push(&p->done, &t[i], false);
		w->ntasks -= done;
		memmove(w->tasks, w->tasks + done, w->ntasks * sizeof *w->tasks);
		memmove(w->snaps, w->snaps + done * slot_size, w->ntasks * slot_size);
		if (w->nbatch-- == p->depth_max)
			p->room++;
		memmove(w->batch, w->batch + 1, w->nbatch * sizeof *w->batch);
		if (w->nbatch)
			clock_gettime(CLOCK_MONOTONIC, &w->started);
		w->busy = w->ntasks > 0;
		w->ran++;
		p->early_deaths = 0;
		if (!w->reaped && (p->pending.len >= BATCH / 2 || w->own->len))
			dispatch(p, w);
		return;
	}
	if (n == 1 && !w->ready) {
		w->ready = true;
		p->ready++;
		p->room++;
		p->early_deaths = 0;
		dispatch(p, w);
		dispatch(p, w);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	/* End of file, an error or a malformed message: it is gone. */
	close_worker(p, w);
	w->gone = true;
	if (w->reaped)
		bury(p, w);
}

static struct fworker *new_entry(struct pool_fork *p)
{
	for (unsigned i = 0; i < p->nw; i++)
		if (!p->w[i].pid)
			return &p->w[i];
	struct fworker *nw = realloc(p->w, (p->nw + 1) * sizeof *nw);
	if (!nw)
		return NULL;
	p->w = nw;
	struct fworker *w = &p->w[p->nw];
	memset(w, 0, sizeof *w);
	w->snaps = malloc(DEPTH * BATCH * p->arena->slot_size);
	w->own = malloc(sizeof *w->own);
	if (!w->snaps || !w->own || tasks_init(w->own, p->depth) < 0) {
		free(w->snaps);
		free(w->own);
		return NULL;
	}
	p->nw++;
	return w;
}

static void on_server(struct pool_fork *p)
{
	struct srv_msg m;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	                      .msg_controllen = sizeof u.buf };

	ssize_t n = recvmsg(p->srv, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof m) {
		p->error = n < 0 ? errno : EPIPE;  /* the server is gone */
		return;
	}
	int fd = -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof fd);

	switch (m.kind) {
	case SRV_SPAWNED: {
		p->spawning--;
		struct fworker *w = new_entry(p);
		if (!w || fd < 0) {
			if (fd >= 0)
				xclose(fd);
			/* A descriptor that did not fit here is cut off. */
			p->error = fd < 0 && (msg.msg_flags & MSG_CTRUNC) ? EMFILE : ENOMEM;
			return;
		}
		w->pid = m.pid;
		w->fd = fd;
		w->ran = 0;
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)(w - p->w) };
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			p->error = errno;
			return;
		}
		p->live++;
		w->ready = false;
		top_up(p);
		return;
	}
	case SRV_SPAWN_FAILED:
		/* Make do with the workers there are (fork hit a limit). */
		p->spawning--;
		p->want = p->live + p->spawning;
		if (p->want == 0)
			p->error = m.status ? m.status : EAGAIN;
		return;
	case SRV_DIED:
		for (unsigned i = 0; i < p->nw; i++) {
			struct fworker *w = &p->w[i];
			if (w->pid != m.pid || m.pid <= 0)
				continue;
			w->status = m.status;
			w->reaped = true;
			/* A result sent just before dying still counts. */
			if (!w->gone)
				on_worker(p, w);
			if (w->pid && !w->gone) {
				close_worker(p, w);
				w->gone = true;
			}
			if (w->pid)
				bury(p, w);
			return;
		}
		return;
	}
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Kill the workers whose task ran past the limit; their death settles it. */
static void enforce_deadlines(struct pool_fork *p)
{
	if (!p->limits.timeout_ms)
		return;
	for (unsigned i = 0; i < p->nw; i++) {
		struct fworker *w = &p->w[i];
		if (usable(w) && w->busy && !w->timed_out &&
		    ms_since(&w->started) >= (long)p->limits.timeout_ms) {
			w->timed_out = true;
			kill(w->pid, SIGKILL);
		}
	}
}

static void poll_events(struct pool_fork *p, int timeout)
{
	enforce_deadlines(p);
	struct epoll_event ev[32];
	int n = epoll_wait(p->epfd, ev, 32, timeout);
	for (int i = 0; i < n && !p->error; i++) {
		if (ev[i].data.u32 == SRV_TAG)
			on_server(p);
		else if (p->w[ev[i].data.u32].pid && p->w[ev[i].data.u32].fd >= 0)
			on_worker(p, &p->w[ev[i].data.u32]);
	}
	feed(p);
}

static int fork_submit(struct pool *pool, const struct task *task)
{
	struct pool_fork *p = (struct pool_fork *)pool;
	struct task t = *task;

	t.tries = 0;
	t.death = 0;
	if ((t.flags & TASK_PINNED) && !(t.flags & TASK_FIRST)) {
		for (unsigned i = 0; i < p->nw; i++)
			if (p->pins[t.slot] && p->w[i].pid == p->pins[t.slot] && usable(&p->w[i])) {
				tasks_push(p->w[i].own, &t, false);
				return 0;
			}
		/* Its worker is gone, and the state with it. */
		t.death = p->pin_deaths[t.slot] ? p->pin_deaths[t.slot] : -1;
		t.status = -ECHILD;
		tasks_push(&p->done, &t, false);
		return 0;
	}
	/* Sent at the next reap, with whatever else the loop queued by then:
	 * one message a batch, not one a task. */
	tasks_push(&p->pending, &t, false);
	return 0;
}

static int fork_reap(struct pool *pool, struct task *out)
{
	struct pool_fork *p = (struct pool_fork *)pool;

	if (p->done.len == 0 && !p->error)
		poll_events(p, 0);
	else
		feed(p);
	if (tasks_pop(&p->done, out))
		return 1;
	if (p->error) {
		errno = p->error;
		return -1;
	}
	return 0;
}

static int fork_timeout(const struct pool *pool)
{
	const struct pool_fork *p = (const struct pool_fork *)pool;
	long next = -1;

	if (p->holding) {
		next = HOLD_MS - ms_since(&p->held_at);
		if (next < 0)
			next = 0;
	}
	if (!p->limits.timeout_ms)
		return (int)next;
	for (unsigned i = 0; i < p->nw; i++) {
		const struct fworker *w = &p->w[i];
		if (!usable(w) || !w->busy || w->timed_out)
			continue;
		long left = (long)p->limits.timeout_ms - ms_since(&w->started);
		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* Tasks waiting to be sent, shared or pinned. */
static bool any_waiting(const struct pool_fork *p)
{
	if (p->pending.len)
		return true;
	for (unsigned i = 0; i < p->nw; i++)
		if (usable(&p->w[i]) && p->w[i].own->len)
			return true;
	return false;
}

static void fork_flush(struct pool *pool, bool soon)
{
	struct pool_fork *p = (struct pool_fork *)pool;

	/* A send per batch costs a process switch: with more tasks about to
	 * come, keep building the batch (feed_some sends full ones), but for
	 * HOLD_MS at most (fork_timeout wakes the loop for it). */
	if (soon && any_waiting(p)) {
		if (!p->holding) {
			p->holding = true;
			clock_gettime(CLOCK_MONOTONIC, &p->held_at);
			return;
		}
		if (ms_since(&p->held_at) < HOLD_MS)
			return;
	}
	p->holding = false;
	feed_some(p, true);
}

static int fork_fd(const struct pool *pool)
{
	return ((const struct pool_fork *)pool)->epfd;
}

static void fork_destroy(struct pool *pool, struct pool_usage *usage)
{
	struct pool_fork *p = (struct pool_fork *)pool;

	for (unsigned i = 0; i < p->nw; i++) {
		close_worker(p, &p->w[i]);
		free(p->w[i].snaps);
		free(p->w[i].own->t);
		free(p->w[i].own);
	}
	free(p->pins);
	free(p->pin_deaths);
	free(p->w);
	/* The server sees its socket close, stops its workers and exits. */
	xclose(p->srv);
	/* The server has reaped its workers: its usage includes theirs. */
	struct rusage ru = { 0 };
	while (wait4(p->server, NULL, 0, &ru) < 0 && errno == EINTR)
		;
	if (usage) {
		usage->utime = ru.ru_utime;
		usage->stime = ru.ru_stime;
		usage->maxrss_kb = ru.ru_maxrss;
	}
	xclose(p->epfd);
	free(p->pending.t);
	free(p->done.t);
	free(p);
}

static const struct pool_ops fork_ops = {
	.submit = fork_submit,
	.reap = fork_reap,
	.flush = fork_flush,
	.timeout = fork_timeout,
	.fd = fork_fd,
	.destroy = fork_destroy,
};

/* The epoll set, the server's socket and a socket a worker; while the
 * server is forked, both ends of its socket instead of the workers'.  The
 * server itself holds no more than the main process did when it forked:
 * its end of the socket (at the number it had), a signalfd and a worker's
 * socket pair, in the numbers it closed. */
unsigned pool_fork_fds(unsigned workers)
{
	return 2 + (workers > 1 ? workers : 1);
}

struct pool *pool_fork_create(unsigned workers, unsigned depth, task_fn *fn,
                              const struct arena *arena, const struct pool_limits *limits)
{
	struct pool_fork *p = calloc(1, sizeof *p);
	int err;
	if (!p)
		return NULL;
	p->base.ops = &fork_ops;
	p->arena = arena;
	p->want = workers ? workers : 1;
	if (limits)
		p->limits = *limits;
	/* Under a time limit a task's start must be known: one at a time. */
	p->batch_max = p->limits.timeout_ms ? 1 : BATCH;
	p->depth_max = p->limits.timeout_ms ? 1 : DEPTH;
	p->srv = -1;
	p->depth = depth;
	p->pins = calloc(arena->nslot ? arena->nslot : 1, sizeof *p->pins);
	p->pin_deaths = calloc(arena->nslot ? arena->nslot : 1, sizeof *p->pin_deaths);
	if (!p->pins || !p->pin_deaths || tasks_init(&p->pending, depth) < 0 ||
	    tasks_init(&p->done, depth) < 0)
		goto fail;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		goto fail;
	p->server = start_server(&p->srv, fn, arena, &p->limits);
	if (p->server < 0)
		goto fail_ep;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SRV_TAG };
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->srv, &ev) < 0)
		goto fail_server;
	top_up(p);
	/* Wait for the first workers, so a start-up failure is seen here. */
	while (p->ready < p->want && !p->error)
		poll_events(p, -1);
	if (p->error) {
		errno = p->error;
		goto fail_server;
	}
	return &p->base;

fail_server:
	err = errno;
	fork_destroy(&p->base, NULL);
	errno = err;
	return NULL;
fail_ep:
	err = errno;
	xclose(p->epfd);
	errno = err;
fail:
	err = errno;
	free(p->pins);
	free(p->pin_deaths);
	free(p->pending.t);
	free(p->done.t);
	free(p);
	errno = err;
	return NULL;
}
