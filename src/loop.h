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
#include "progress.h"
#include "stats.h"
#include "walk.h"

enum loop_outcome {
	LOOP_DONE,      /* processed in full */
	LOOP_FAILED,    /* see what and error */
	LOOP_SKIPPED,   /* not a regular file, met in a walk */
	LOOP_PASSED,    /* left alone: the want callback said no */
};

enum loop_what {
	LOOP_OPEN,        /* cannot open */
	LOOP_READ,        /* cannot read */
	LOOP_READ_DIR,    /* cannot read directory */
	LOOP_FS_LOOP,     /* filesystem loop detected */
	LOOP_CHANGED,     /* file changed as we read it */
	LOOP_READ_LIST,   /* the list of inputs could not be read (path NULL) */
	LOOP_WORKER_DIED, /* the worker died on it twice; error is the wait status,
	                     or -1 when it was not known yet */
	LOOP_TIMED_OUT,   /* it ran past the task time limit */
	LOOP_TASK,        /* the task refused it: error is its code (e.g. a
	                     codec_error) */
	LOOP_WORK,        /* the task failed for want of something (an errno,
	                     e.g. ENOMEM), not for what the input holds */
	LOOP_OUTPUT,      /* the output callback failed it (its reason is the
	                     callback's own, in user) */
	LOOP_SWAPPED,     /* it changed kind between the walk's listing and its
	                     opening (a symlink now): not followed */
	LOOP_NOT_REGULAR, /* a device or socket named as an input (no_devices) */
	LOOP_STDIN_TAKEN, /* it reads standard input, which is the list of
	                     inputs (conf->stdin_taken): not read */
};

/* A task status of -code, code >= this, is the task's own refusal
 * (LOOP_TASK); below it, an errno. */
#define LOOP_TASK_CODES 4096

/* An input as the output callbacks see it (loop thread only). */
struct loop_input {
	uint64_t seq;
	const char *path;
	/* Where it is: its name in an open folder (a walked file, or a path
	 * past PATH_MAX), or AT_FDCWD and its path.  Outputs beside it and
	 * its removal go by these, not by path.  Valid until settle returns. */
	int dirfd;
	const char *name;
	bool is_stdin;
	off_t size;             /* at open, for regular files; else -1 */
	uint64_t read;          /* bytes read so far */
	struct ioq_meta meta;   /* what its stat said at open (not stdin) */
	struct timespec mtime;
	void *user;             /* the callbacks' own: NULL at first, handed
	                           to emit in the result */
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
	void *user;             /* see struct loop_input */
};

struct loop_conf {
	unsigned jobs;          /* workers */
	size_t chunk_size;      /* bytes per buffer, per task */
	enum pool_kind mode;
	enum ioq_kind io;       /* the I/O engine */
	struct pool_limits limits;  /* fork mode */
	task_fn *task;          /* its op is the walk entry's (see walk.h) */
	size_t slot_size;       /* per-input state for the task */
	unsigned nbuf;          /* buffers (0: as many as suit hashing) */
	size_t out_size;        /* each buffer's output room (0: tasks make none) */
	/* Tasks out at once for one input.  1: its chunks go one by one, so
	 * the task may carry state from one to the next (hashing, decoding);
	 * more: each chunk stands alone (compression into frames). */
	unsigned per_input;
	bool pinned;            /* tasks keep state in their worker (TASK_PINNED) */
	bool serial;            /* one input at a time: output to one stream */
	/* Descriptors an input's output holds while it is done (0, or 2: the
	 * file and its folder): counted with the input's own against the
	 * descriptor limit. */
	unsigned out_fds;
	/* Character and block devices and sockets named as inputs fail
	 * (LOOP_NOT_REGULAR), found by the walk's stat or at the open,
	 * before anything is read. */
	bool no_devices;
	/* Descriptors the walk's source or the callbacks open and hold during
	 * the run (a checksum list it reads, -o's folders); those open before
	 * the run count as in use. */
	unsigned source_fds;
	/* Is this input (a file or an operand) to be done?  May be NULL. */
	bool (*want)(void *ctx, const struct walk_ent *ent, struct loop_input *in);
	/* What a task left in its output room, in chunk order for each input.
	 * 0, or -1 to fail the input (LOOP_OUTPUT). */
	int (*output)(void *ctx, struct loop_input *in, const void *data, size_t len);
	/* An input is finished, in any order, before its result waits for
	 * emit: commit or drop what output made.  It may turn a LOOP_DONE
	 * into a LOOP_OUTPUT failure.  May be NULL. */
	void (*settle)(void *ctx, struct loop_input *in, struct loop_result *res);
	/* Pinned tasks only: the worker holding an input's state died, and
	 * the input (a regular file) is to be read again from its start, once.
	 * Drop what output made of it: 0, or -1 when that cannot be taken back
	 * (bytes already on stdout) and the input fails instead.  May be NULL:
	 * no input is read twice. */
	int (*restart)(void *ctx, struct loop_input *in);
	/* 0 to go on, -1 to stop the run (e.g. output failed). */
	int (*emit)(void *ctx, const struct loop_result *res);
	/* Called before the loop waits for more input (may be NULL): time to
	 * flush what was emitted, so a slow producer sees its results. */
	void (*idle)(void *ctx);
	void *ctx;
	/* Standard input is the list of inputs (-T -): an input that reads
	 * it ("-", or a path to its pipe such as /dev/stdin) fails
	 * (LOOP_STDIN_TAKEN) instead of taking the list's bytes. */
	bool stdin_taken;
	/* When the walk's source has nothing yet: the descriptor to wait on
	 * (a pipe it reads), or -1 to wait for the run's own events (results
	 * it waits to see emitted).  NULL: the source never says EAGAIN. */
	int (*wait_fd)(void *ctx);
	struct run_stats *stats;    /* filled in when not NULL */
	/* Progress: called on the loop thread every tick_ms with what is
	 * done so far (NULL: never). */
	void (*tick)(const struct progress_counts *c);
	unsigned tick_ms;
	/* Walk entries read ahead of the window, at most, so that the number
	 * of inputs is known early (0: the walk goes at the window's pace). */
	unsigned ahead;
	/* When loop_run returns -3, set to what loop_fds_needed() says (may
	 * be NULL). */
	unsigned *fds_needed;
};

/* The least descriptor limit (RLIMIT_NOFILE) under which the run can go
 * on: the descriptors open now, and what the run holds at its fullest
 * with one input at a time (the waker, the pool's, the engine's, the
 * walk's and its source's, an input and its output).  With IOQ_AUTO, that
 * of the I/O threads: with no room for a ring, the run takes them. */
unsigned loop_fds_needed(const struct loop_conf *conf, const struct walk *walk);

/* Run every input of walk through the pool.  0 when the run ended (whether
 * inputs failed is for emit to count), 1 when emit stopped it, -1 with
 * errno when it could not run (setup, or the walk failed fatally), -2
 * with errno when the workers could not be started or kept going, -3 with
 * errno EMFILE, before anything is started, when the descriptor limit is
 * below loop_fds_needed(). */
int loop_run(const struct loop_conf *conf, struct walk *walk);

#endif
