/* job: see job.h. */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "format.h"
#include "progress.h"
#include "xio.h"

const char *const job_mode_values[] = { "thread", "fork", NULL };
const char *const job_io_values[] = { "auto", "uring", "sync", NULL };
const char *const job_stats_values[] = { "text", "json", NULL };

void job_init(struct job *j)
{
	memset(j, 0, sizeof *j);
	j->jobs = xio_ncpu();
	j->mode = POOL_THREAD;
	j->io = IOQ_AUTO;
	j->doing = "hashing";
	j->progress = -1;
	out_init(&j->out, STDOUT_FILENO);
}

bool job_option(struct job *j, const struct opt *o, const char *v)
{
	static const enum pool_kind modes[] = { POOL_THREAD, POOL_FORK };
	static const enum ioq_kind engines[] = { IOQ_AUTO, IOQ_URING, IOQ_SYNC };

	switch (o->id) {
	case JOB_OPT_JOBS:
		j->jobs = (unsigned)opt_number(o, v, 1, 1024);
		return true;
	case JOB_OPT_MODE:
		j->mode = modes[opt_choice(o, v, "mode")];
		return true;
	case JOB_OPT_IO:
		j->io = engines[opt_choice(o, v, "I/O engine")];
		return true;
	case JOB_OPT_WORKER_MEMORY:
		j->limits.memory = opt_size(o, v, 16ULL << 20);
		return true;
	case JOB_OPT_TASK_TIMEOUT:
		j->timeout_s = opt_seconds(o, v);
		j->limits.timeout_ms = (unsigned)(j->timeout_s * 1000 + 0.5);
		if (j->limits.timeout_ms == 0)
			j->limits.timeout_ms = 1;
		return true;
	case JOB_OPT_STATS:
		j->stats = v ? 1 + opt_choice(o, v, "--stats format") : 1;
		return true;
	case JOB_OPT_PROGRESS:
		j->progress = 1;
		return true;
	case JOB_OPT_NO_PROGRESS:
		j->progress = 0;
		return true;
	}
	return false;
}

void job_validate(const struct job *j)
{
	if (j->mode != POOL_FORK && (j->limits.memory || j->limits.timeout_ms))
		die_usage("--%s needs --mode=fork: threads share one process, so a limit "
		          "on one worker would stop them all",
		          j->limits.memory ? "worker-memory" : "task-timeout");
	/* Too few descriptors for a ring is the run's to say, with how many
	 * it needs. */
	if (j->io == IOQ_URING && ioq_available(IOQ_URING) < 0 && errno != EMFILE && errno != ENFILE)
		die("--io=uring: io_uring cannot be used here: %s", strerror(errno));
}

void job_conf(struct job *j, struct loop_conf *conf)
{
	conf->jobs = j->jobs;
	conf->chunk_size = 1 << 20;
	conf->mode = j->mode;
	conf->io = j->io;
	conf->limits = j->limits;
	conf->fds_needed = &j->fds_needed;
	if (j->stats) {
		j->run_stats = calloc(1, sizeof *j->run_stats);
		if (!j->run_stats)
			die("out of memory");
	}
	conf->stats = j->run_stats;
	if (j->progress == 1 || (j->progress < 0 && !j->quiet && isatty(STDERR_FILENO))) {
		progress_begin(j->doing, STDERR_FILENO);
		conf->tick = progress_draw;
		conf->tick_ms = 100;
		/* 2^18 paths ahead (some 30 MiB at most) tell the total of
		 * most trees early. */
		conf->ahead = 1u << 18;
	}
}

const char *job_shown(struct strbuf *sb, const char *name)
{
	char buf[FMT_SHOWN_MAX];

	fmt_shown(buf, sizeof buf, name);
	sb->len = 0;
	sb_adds(sb, buf);
	/* Out of memory: better no name than one unescaped. */
	return sb->failed ? "?" : sb->data;
}

void job_report(const struct job *j, const struct loop_result *r, const char *name)
{
	struct strbuf sb = { 0 };
	const char *q = job_shown(&sb, name);

	switch (r->what) {
	case LOOP_OPEN:
		diag_error("cannot open '%s': %s", q, strerror(r->error));
		break;
	case LOOP_READ:
		diag_error("cannot read '%s': %s", q, strerror(r->error));
		break;
	case LOOP_READ_DIR:
		diag_error("cannot read directory '%s': %s", q, strerror(r->error));
		break;
	case LOOP_FS_LOOP:
		diag_error("'%s': filesystem loop detected", q);
		break;
	case LOOP_CHANGED:
		diag_error("'%s': file changed as we read it", q);
		break;
	case LOOP_SWAPPED:
		diag_error("'%s': changed while walked (a symlink now?); not followed", q);
		break;
	case LOOP_NOT_REGULAR:
		diag_error("'%s': not a regular file", q);
		break;
	case LOOP_WORKER_DIED:
		if (r->error == -1)     /* gone before its status came */
			diag_error("worker died while %s '%s'", j->doing, q);
		else if (WIFSIGNALED(r->error))
			diag_error("worker died (signal %d) while %s '%s'", WTERMSIG(r->error), j->doing,
			           q);
		else
			diag_error("worker died (exit status %d) while %s '%s'",
			           WIFEXITED(r->error) ? WEXITSTATUS(r->error) : r->error, j->doing, q);
		break;
	case LOOP_TIMED_OUT:
		diag_error("task timed out after %g s while %s '%s'", j->timeout_s, j->doing, q);
		break;
	case LOOP_TASK:
		diag_error("'%s': %s", q, j->task_text ? j->task_text(r->error) : strerror(r->error));
		break;
	case LOOP_WORK:
		diag_error("error while %s '%s': %s", j->doing, q, strerror(r->error));
		break;
	case LOOP_STDIN_TAKEN:
		diag_error("cannot read '%s': standard input is the -T list", q);
		break;
	case LOOP_READ_LIST:
	case LOOP_OUTPUT:
		PTOOL_BUG("the command reports its own list and output");
	}
	sb_release(&sb);
}

const char *job_what_text(enum loop_what w)
{
	switch (w) {
	case LOOP_OPEN: return "cannot open";
	case LOOP_READ: return "cannot read";
	case LOOP_READ_DIR: return "cannot read directory";
	case LOOP_FS_LOOP: return "filesystem loop detected";
	case LOOP_CHANGED: return "file changed as we read it";
	case LOOP_SWAPPED: return "changed while walked";
	case LOOP_NOT_REGULAR: return "not a regular file";
	case LOOP_READ_LIST: return "cannot read list";
	case LOOP_WORKER_DIED: return "worker died";
	case LOOP_TIMED_OUT: return "task timed out";
	case LOOP_TASK: return "invalid input";
	case LOOP_WORK: return "cannot process";
	case LOOP_OUTPUT: return "cannot write output";
	case LOOP_STDIN_TAKEN: return "standard input is the -T list";
	}
	return "failed";
}

int job_finish(struct job *j, int r)
{
	int status = 0;

	progress_end();
	if (r < 0) {
		if (r == -3 && j->mode == POOL_FORK && j->jobs > 1)
			diag_error("cannot run %u workers: %s (raise 'ulimit -n' to at least %u or lower -j)",
			           j->jobs, strerror(errno), j->fds_needed);
		else if (r == -3)
			diag_error("cannot run: %s (raise 'ulimit -n' to at least %u)", strerror(errno),
			           j->fds_needed);
		else if (r == -2 && j->mode == POOL_FORK && errno == ECHILD)
			diag_error("workers keep dying at start-up; giving up");
		else if (r == -2 && (errno == EMFILE || errno == ENFILE))
			diag_error("cannot run %u workers: %s (raise 'ulimit -n' or lower -j)", j->jobs,
			           strerror(errno));
		else if (r == -2)
			diag_error("cannot run the workers: %s", strerror(errno));
		else
			diag_error("cannot run: %s", strerror(errno));
		status = 1;
	}
	if (out_flush(&j->out) == 0 && xclose(STDOUT_FILENO) < 0)
		j->out.error = errno;
	if (j->out.error) {
		/* A reader that went away is not an error worth a word. */
		if (j->out.error != EPIPE)
			diag_error("write error: %s", strerror(j->out.error));
		status = 1;
	}
	if (j->run_stats) {
		/* After the output, so a pipe's reader has it all first. */
		struct strbuf sb = { 0 };
		stats_format(&sb, j->run_stats, j->stats == 2);
		if (!sb.failed)
			(void)xwrite_all(STDERR_FILENO, sb.data, sb.len);
		sb_release(&sb);
		free(j->run_stats);
		j->run_stats = NULL;
	}
	return status;
}

bool job_input_option(struct job_inputs *in, const struct opt *o, const char *v)
{
	switch (o->id) {
	case JOB_OPT_FILES_FROM:
		in->files_from = v;
		return true;
	case JOB_OPT_NULL:
		in->null = true;
		return true;
	case JOB_OPT_FOLLOW:
		in->walk_flags |= WALK_FOLLOW;
		return true;
	case JOB_OPT_ONE_FS:
		in->walk_flags |= WALK_ONE_FS;
		return true;
	case JOB_OPT_EXCLUDE: {
		const char **e = realloc(in->excludes, (in->nexcludes + 2) * sizeof *e);
		if (!e)
			die("out of memory");
		in->excludes = e;
		e[in->nexcludes++] = v;
		e[in->nexcludes] = NULL;
		return true;
	}
	}
	return false;
}

void job_inputs_open(struct job_inputs *in, char **operands, int noperands)
{
	static char *stdin_operand[] = { "-" };

	if (in->null && !in->files_from)
		die_usage("--null needs --files-from");
	in->operands = operands;
	in->noperands = noperands;
	if (noperands == 0 && !in->files_from) {
		in->operands = stdin_operand;
		in->noperands = 1;
	}
	if (!in->files_from)
		return;
	int fd = STDIN_FILENO;
	in->stdin_list = strcmp(in->files_from, "-") == 0;
	if (in->stdin_list) {
		for (int i = 0; i < in->noperands; i++)
			if (strcmp(in->operands[i], "-") == 0)
				die_usage("standard input cannot be both an input and the -T list");
	} else {
		fd = open(in->files_from, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int err = errno;
			struct strbuf sb = { 0 };
			die("cannot open '%s': %s", job_shown(&sb, in->files_from), strerror(err));
		}
	}
	if (pathlist_init(&in->list, fd, in->null ? '\0' : '\n') < 0)
		die("out of memory");
	in->list_open = true;
}

const char *job_inputs_next(struct job_inputs *in, int *error)
{
	if (in->next < in->noperands)
		return in->operands[in->next++];
	if (!in->list_open)
		return NULL;
	return pathlist_next(&in->list, error);
}

struct walk *job_inputs_walk(struct job_inputs *in, walk_source_fn *source, void *ctx)
{
	struct walk *w = walk_create(in->walk_flags, in->excludes, source, ctx);
	if (!w)
		die("out of memory");
	return w;
}

int job_inputs_fd(const struct job_inputs *in)
{
	return in->list_open ? in->list.fd : -1;
}

void job_inputs_report(const struct job_inputs *in, const struct loop_result *r)
{
	struct strbuf sb = { 0 };
	bool is_stdin = strcmp(in->files_from, "-") == 0;
	diag_error("cannot read '%s': %s", is_stdin ? "standard input" : job_shown(&sb, in->files_from),
	           strerror(r->error));
	sb_release(&sb);
}

void job_inputs_release(struct job_inputs *in)
{
	if (in->list_open) {
		if (in->list.fd != STDIN_FILENO)
			xclose(in->list.fd);
		pathlist_release(&in->list);
		in->list_open = false;
	}
	free(in->excludes);
	in->excludes = NULL;
}
