/* job: what the commands that run the loop share: the worker and engine
 * options (-j, --mode, --io, the fork-mode limits, --stats), the message
 * for an input that failed, and the end of a run (stdout flushed and
 * checked, the stats written).  A front end, like cmd_*.c: it may die(). */
#ifndef PTOOL_JOB_H
#define PTOOL_JOB_H

#include <stdbool.h>

#include "loop.h"
#include "opt.h"
#include "out.h"
#include "pathlist.h"
#include "walk.h"

enum {
	JOB_OPT_JOBS = 100,     /* above the commands' own option ids */
	JOB_OPT_MODE,
	JOB_OPT_IO,
	JOB_OPT_WORKER_MEMORY,
	JOB_OPT_TASK_TIMEOUT,
	JOB_OPT_STATS,
	JOB_OPT_PROGRESS,
	JOB_OPT_NO_PROGRESS,
	JOB_OPT_FILES_FROM,
	JOB_OPT_NULL,
	JOB_OPT_FOLLOW,
	JOB_OPT_ONE_FS,
	JOB_OPT_EXCLUDE,
};

extern const char *const job_mode_values[];
extern const char *const job_io_values[];
extern const char *const job_stats_values[];

/* The entries of a command's option table, in its help order. */
#define JOB_OPTIONS \
	{ JOB_OPT_JOBS, 'j', "jobs", "N", "worker count (default: online CPUs)", 0, NULL, false }, \
	{ JOB_OPT_MODE, 0, "mode", "MODE", \
	  "workers are threads (thread, the default) or processes (fork)", \
	  OPT_COMPLETE_VALUES, job_mode_values, false }, \
	{ JOB_OPT_IO, 0, "io", "ENGINE", \
	  "I/O engine: auto (default: uring if the kernel allows it), uring, sync", \
	  OPT_COMPLETE_VALUES, job_io_values, false }, \
	{ JOB_OPT_WORKER_MEMORY, 0, "worker-memory", "SIZE", \
	  "fork mode: address-space limit of each worker (e.g. 512M, 2G)", 0, NULL, false }, \
	{ JOB_OPT_TASK_TIMEOUT, 0, "task-timeout", "SECONDS", \
	  "fork mode: kill a worker whose task runs longer, fail that input", 0, NULL, false }, \
	{ JOB_OPT_STATS, 0, "stats", "FORMAT", "after the run, what it took on stderr (text or json)", \
	  OPT_COMPLETE_VALUES, job_stats_values, true }, \
	{ JOB_OPT_PROGRESS, 0, "progress", NULL, \
	  "a status line on stderr (default: when stderr is a terminal)", 0, NULL, false }, \
	{ JOB_OPT_NO_PROGRESS, 0, "no-progress", NULL, "no status line", 0, NULL, false }

/* The entries of a walking command's table: where its inputs come from. */
#define JOB_INPUT_OPTIONS \
	{ JOB_OPT_FILES_FROM, 'T', "files-from", "FILE", "read input paths from FILE (- for stdin)", \
	  OPT_COMPLETE_FILE, NULL, false }, \
	{ JOB_OPT_NULL, '0', "null", NULL, "paths in the -T list end with NUL, not newline", 0, NULL, \
	  false }, \
	{ JOB_OPT_FOLLOW, 'L', "follow", NULL, "follow symbolic links inside directories", 0, NULL, \
	  false }, \
	{ JOB_OPT_ONE_FS, 'x', "one-file-system", NULL, "stay on the file system of each operand", 0, \
	  NULL, false }, \
	{ JOB_OPT_EXCLUDE, 0, "exclude", "GLOB", "skip walked entries matching GLOB (repeatable)", 0, \
	  NULL, false }

/* A walking command's inputs: its operands, then the -T list. */
struct job_inputs {
	const char *files_from;
	bool null;
	unsigned walk_flags;
	const char **excludes;  /* NULL-terminated, or NULL */
	size_t nexcludes;
	char **operands;
	int noperands, next;
	struct pathlist list;
	bool list_open;
	bool stdin_list;        /* the list is standard input: no input may
	                           read it (loop_conf.stdin_taken) */
};

struct job {
	unsigned jobs;
	enum pool_kind mode;
	enum ioq_kind io;
	struct pool_limits limits;
	double timeout_s;
	int stats;              /* 0 none, 1 text, 2 json */
	struct run_stats *run_stats;
	struct out out;         /* stdout */
	const char *doing;      /* "hashing": what a worker that died was doing,
	                           and the progress line's first word */
	int progress;           /* --progress 1, --no-progress 0, else -1 */
	bool quiet;             /* -q and the like: no progress by default */
	/* Text for a LOOP_TASK code (NULL: strerror). */
	const char *(*task_text)(int code);
	unsigned fds_needed;    /* the least 'ulimit -n', when it was too low */
};

void job_init(struct job *j);

/* Take one of JOB_OPTIONS; false for any other option. */
bool job_option(struct job *j, const struct opt *o, const char *value);

/* After parsing: the usage checks (fork-only limits, a forced engine the
 * kernel refuses); dies on failure. */
void job_validate(const struct job *j);

/* The loop settings that come from the options; the progress line
 * begins here when it is wanted. */
void job_conf(struct job *j, struct loop_conf *conf);

/* The error message for a failed input (not LOOP_READ_LIST, whose list
 * only the command knows, nor LOOP_OUTPUT, whose reason is the command's
 * own); name is shown escaped. */
void job_report(const struct job *j, const struct loop_result *r, const char *name);

/* "cannot open" and the like, for records that carry the error. */
const char *job_what_text(enum loop_what what);

/* name as messages quote it (fmt_shown): escaped so that one message
 * stays one line and sends a terminal nothing but text, its middle cut
 * when it is long; sb holds the text. */
const char *job_shown(struct strbuf *sb, const char *name);

/* Take one of JOB_INPUT_OPTIONS; false for any other option. */
bool job_input_option(struct job_inputs *in, const struct opt *o, const char *value);

/* After parsing: the operands (none, and no -T list: "-" alone), and the
 * -T list opened.  Dies on usage and setup errors. */
void job_inputs_open(struct job_inputs *in, char **operands, int noperands);

/* The next root: operands first, then the list (see walk_source_fn). */
const char *job_inputs_next(struct job_inputs *in, int *error);

/* The walk over them, with the command's source (which calls
 * job_inputs_next); dies when out of memory. */
struct walk *job_inputs_walk(struct job_inputs *in, walk_source_fn *source, void *ctx);

/* For loop_conf.wait_fd: the list's descriptor. */
int job_inputs_fd(const struct job_inputs *in);

/* The message for a list that could not be read (LOOP_READ_LIST). */
void job_inputs_report(const struct job_inputs *in, const struct loop_result *r);

void job_inputs_release(struct job_inputs *in);

/* After loop_run returned r: clears the progress line, says why a run
 * failed, flushes and closes
 * stdout, writes the stats.  Returns 1 if the run or the output failed,
 * else 0; frees what job_conf took. */
int job_finish(struct job *j, int r);

#endif
