/* pool: workers that only compute.
 *
 * A task is a small descriptor (what to do, which arena buffer, which
 * per-file slot); its data lives in the shared arena, so the same
 * descriptor can go to a thread or, over a socket, to a forked process.
 * The loop submits at most `depth` tasks at a time (each stands for a
 * buffer it holds) and reaps the finished ones, in any order; the pool
 * wakes the loop through its waker when a task finishes.
 *
 * Backends sit behind an ops table: pool_thread.c (threads), pool_fork.c
 * (pre-forked processes; the arena must then be ARENA_SHARED). */
#ifndef PTOOL_POOL_H
#define PTOOL_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "arena.h"
#include "waker.h"

enum task_flags {
	TASK_FIRST = 1 << 0,  /* first chunk of an input: start a new state */
	TASK_LAST = 1 << 1,   /* last chunk: finish and store the result */
	TASK_PINNED = 1 << 2, /* the input's state lives in the worker that ran
	                         its first task (heap memory of that process):
	                         the rest go there, and none runs twice */
	TASK_ABORT = 1 << 3,  /* no data: the input was given up, drop its state */
	TASK_MORE = 1 << 4,   /* set by the worker: the output room is full and
	                         input is left (from pos): send it again */
};

struct task {
	uint32_t op;      /* meaning is the task function's (e.g. the algorithm) */
	uint32_t flags;   /* enum task_flags */
	uint32_t buf;     /* arena buffer index */
	uint32_t slot;    /* arena slot index */
	uint64_t len;     /* bytes of data in the buffer */
	uint64_t pos;     /* bytes of it used: 0 at first, kept by the worker
	                     across TASK_MORE rounds */
	uint64_t out_len; /* set by the worker: bytes it left in the buffer's
	                     output room (arena_out) */
	uint64_t tag;     /* the caller's, handed back unchanged */
	int32_t status;   /* set by the worker: 0 or -errno */
	int32_t death;    /* fork mode: the wait status of a worker that died
	                     running it (twice: once more on a fresh worker) */
	uint32_t timed_out; /* fork mode: killed for running past the limit */
	uint32_t tries;   /* the pool's: runs started */
	/* CLOCK_MONOTONIC ns (one clock for all processes): set by the caller
	 * at submit, and by the worker around the task function. */
	uint64_t t_submit, t_start, t_end;
};

/* What the workers used, for --stats. */
struct pool_usage {
	struct timeval utime, stime;
	long maxrss_kb;           /* the largest worker process; 0 for threads */
};

/* Runs on a worker; touches only the task's buffer and slot. */
typedef int task_fn(struct task *task, const struct arena *arena);

enum pool_kind {
	POOL_THREAD,
	POOL_FORK,
};

/* What only worker processes can be held to (fork mode; 0: none). */
struct pool_limits {
	unsigned long long memory;  /* bytes of address space per worker */
	unsigned timeout_ms;        /* a task running longer is killed */
};

struct pool;

struct pool *pool_create(enum pool_kind kind, unsigned workers, unsigned depth, task_fn *fn,
                         const struct arena *arena, struct waker *waker,
                         const struct pool_limits *limits);

/* Descriptors the pool of that kind holds in the calling process at its
 * fullest, its start-up included. */
unsigned pool_fds(enum pool_kind kind, unsigned workers);

/* Queue a task; never blocks.  -1 with EAGAIN if depth tasks are out.
 * A backend may hold it back to make a batch, until pool_flush(). */
int pool_submit(struct pool *pool, const struct task *task);

/* A finished task into out: 1, 0 when none is ready, -1 with errno when
 * the pool cannot go on (fork mode: workers keep dying at start-up). */
int pool_reap(struct pool *pool, struct task *out);

/* Send on what was submitted but held back to make a batch; the loop
 * calls it before it sleeps.  soon: something (an I/O completion) will
 * likely wake the loop shortly, so a backend may hold a small batch a
 * little longer, and says how long in pool_timeout(). */
void pool_flush(struct pool *pool, bool soon);

/* Milliseconds until the pool needs a reap call whatever happens (a task
 * deadline), or -1. */
int pool_timeout(const struct pool *pool);

/* A descriptor the loop should also poll, or -1. */
int pool_fd(const struct pool *pool);

/* Waits for the tasks already submitted, then stops the workers; what
 * they used goes into usage (may be NULL). */
void pool_destroy(struct pool *pool, struct pool_usage *usage);

/* Run a task function as workers do: timestamps around it. */
void pool_run_task(task_fn *fn, struct task *task, const struct arena *arena);

/* The backend's ops table: one per kind. */
struct pool_ops {
	int (*submit)(struct pool *pool, const struct task *task);
	int (*reap)(struct pool *pool, struct task *out);
	void (*flush)(struct pool *pool, bool soon);  /* may be NULL */
	int (*timeout)(const struct pool *pool); /* may be NULL */
	int (*fd)(const struct pool *pool);
	void (*destroy)(struct pool *pool, struct pool_usage *usage);
};

struct pool {
	const struct pool_ops *ops;
};

struct pool *pool_thread_create(unsigned workers, unsigned depth, task_fn *fn,
                                const struct arena *arena, struct waker *waker);
struct pool *pool_fork_create(unsigned workers, unsigned depth, task_fn *fn,
                              const struct arena *arena, const struct pool_limits *limits);
unsigned pool_fork_fds(unsigned workers);

#endif
