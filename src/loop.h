/* loop: the event loop that owns all I/O (see the design note in loop.c).
 *
 * The caller gives a walk (the ordered inputs), a task function for the
 * workers, and an emit callback; emit is called on the loop thread once
 * per input, in input order, with the input's outcome and its slot (where
 * the task function left its result). */
#ifndef PTOOL_LOOP_H
#define PTOOL_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioq.h"
#include "pool.h"
#include "stats.h"
#include "walk.h"

enum loop_outcome {
	LOOP_DONE,      /* processed in full */
	LOOP_FAILED,    /* see what and error */
	LOOP_SKIPPED,   /* not a regular file, met in a walk */
};

enum loop_what {
	LOOP_OPEN,        /* cannot open */
	LOOP_READ,        /* cannot read */
	LOOP_READ_DIR,    /* cannot read directory */
	LOOP_FS_LOOP,     /* filesystem loop detected */
	LOOP_CHANGED,     /* file changed as we read it */
	LOOP_READ_LIST,   /* the list of inputs could not be read (path NULL) */
	LOOP_WORKER_DIED, /* the worker died on it twice; error is the wait status */
	LOOP_TIMED_OUT,   /* it ran past the task time limit */
};

struct loop_result {
	const char *path;       /* NULL only for LOOP_READ_LIST */
	bool is_stdin;
	enum loop_outcome outcome;
	enum loop_what what;
	int error;              /* errno, where there is one (a wait status for
	                           LOOP_WORKER_DIED) */
	const void *slot;       /* the task's per-input slot */
	uint64_t size;          /* bytes processed */
};

struct loop_conf {
	unsigned jobs;          /* workers */
	size_t chunk_size;      /* bytes per buffer, per task */
	enum pool_kind mode;
	enum ioq_kind io;       /* the I/O engine */
	struct pool_limits limits;  /* fork mode */
	task_fn *task;          /* its op is the walk entry's (see walk.h) */
	size_t slot_size;       /* per-input state for the task */
	/* 0 to go on, -1 to stop the run (e.g. output failed). */
	int (*emit)(void *ctx, const struct loop_result *res);
	/* Called before the loop waits for more input (may be NULL): time to
	 * flush what was emitted, so a slow producer sees its results. */
	void (*idle)(void *ctx);
	void *ctx;
	/* When the walk's source has nothing yet: the descriptor to wait on
	 * (a pipe it reads), or -1 to wait for the run's own events (results
	 * it waits to see emitted).  NULL: the source never says EAGAIN. */
	int (*wait_fd)(void *ctx);
	struct run_stats *stats;    /* filled in when not NULL */
};

/* Run every input of walk through the pool.  0 when the run ended (whether
 * inputs failed is for emit to count), 1 when emit stopped it, -1 with
 * errno when it could not run (setup, or the walk failed fatally). */
int loop_run(const struct loop_conf *conf, struct walk *walk);

#endif
