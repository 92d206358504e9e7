/* cmd_hash: `ptool hash`, the command line over hash.c and loop.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "hash.h"
#include "loop.h"
#include "out.h"
#include "pathlist.h"
#include "stats.h"
#include "walk.h"
#include "xio.h"

enum {
	OPT_ALGO = 1,
	OPT_H,
	OPT_TAG,
	OPT_LE,
	OPT_ZERO,
	OPT_JSON,
	OPT_FILES_FROM,
	OPT_NULL,
	OPT_FOLLOW,
	OPT_ONE_FS,
	OPT_EXCLUDE,
	OPT_JOBS,
	OPT_MODE,
	OPT_IO,
	OPT_WORKER_MEMORY,
	OPT_TASK_TIMEOUT,
	OPT_STATS,
	OPT_HELP,
};

static const char *const algo_values[] = { "xxh128", "xxh3", "xxh64", "xxh32", NULL };
static const char *const h_values[] = { "0", "1", "2", "3", NULL };
static const char *const mode_values[] = { "thread", "fork", NULL };
static const char *const io_values[] = { "auto", "uring", "sync", NULL };
static const char *const stats_values[] = { "text", "json", NULL };

const struct opt hash_options[] = {
	{ OPT_ALGO, 'a', "algo", "NAME", "algorithm: xxh128 (default), xxh3, xxh64, xxh32",
	  OPT_COMPLETE_VALUES, algo_values, false },
	{ OPT_H, 'H', NULL, "N", "algorithm as xxhsum numbers it: 0 xxh32, 1 xxh64, 2 xxh128, 3 xxh3",
	  OPT_COMPLETE_VALUES, h_values, false },
	{ OPT_TAG, 0, "tag", NULL, "BSD-style lines: XXH64 (name) = hex", 0, NULL, false },
	{ OPT_LE, 0, "little-endian", NULL, "digests in little-endian byte order", 0, NULL, false },
	{ OPT_ZERO, 'z', "zero", NULL, "end lines with NUL, not newline; no escaping", 0, NULL, false },
	{ OPT_JSON, 0, "json", NULL, "JSON Lines: path, algo, hash, size", 0, NULL, false },
	{ OPT_FILES_FROM, 'T', "files-from", "FILE", "read input paths from FILE (- for stdin)",
	  OPT_COMPLETE_FILE, NULL, false },
	{ OPT_NULL, '0', "null", NULL, "paths in the -T list end with NUL, not newline", 0, NULL, false },
	{ OPT_FOLLOW, 'L', "follow", NULL, "follow symbolic links inside directories", 0, NULL, false },
	{ OPT_ONE_FS, 'x', "one-file-system", NULL, "stay on the file system of each operand", 0, NULL, false },
	{ OPT_EXCLUDE, 0, "exclude", "GLOB", "skip walked entries matching GLOB (repeatable)", 0, NULL, false },
	{ OPT_JOBS, 'j', "jobs", "N", "worker count (default: online CPUs)", 0, NULL, false },
	{ OPT_MODE, 0, "mode", "MODE", "workers are threads (thread, the default) or processes (fork)",
	  OPT_COMPLETE_VALUES, mode_values, false },
	{ OPT_IO, 0, "io", "ENGINE",
	  "I/O engine: auto (default: uring if the kernel allows it), uring, sync",
	  OPT_COMPLETE_VALUES, io_values, false },
	{ OPT_WORKER_MEMORY, 0, "worker-memory", "SIZE",
	  "fork mode: address-space limit of each worker (e.g. 512M, 2G)", 0, NULL, false },
	{ OPT_TASK_TIMEOUT, 0, "task-timeout", "SECONDS",
	  "fork mode: kill a worker whose task runs longer, fail that input", 0, NULL, false },
	{ OPT_STATS, 0, "stats", "FORMAT", "after the run, what it took on stderr (text or json)",
	  OPT_COMPLETE_VALUES, stats_values, true },
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

struct hash_cmd {
	int algo;
	bool tag, little_endian, zero, json;
	const char *files_from;
	bool null;
	unsigned walk_flags;
	const char **excludes;
	size_t nexcludes;
	unsigned jobs;
	enum pool_kind mode;
	enum ioq_kind io;
	struct pool_limits limits;
	double timeout_s;
	int stats;              /* 0 none, 1 text, 2 json */
	/* the run */
	char **operands;
	int noperands, next_operand;
	struct pathlist list;
	bool list_open;
	unsigned failures;
	bool out_failed;
	struct strbuf line;
	struct out out;
};

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	struct hash_cmd *c = ctx;

	switch (o->id) {
	case OPT_ALGO:
		c->algo = hash_by_name(v);
		if (c->algo < 0)
			die_usage("unknown algorithm '%s' (valid: xxh128, xxh3, xxh64, xxh32)", v);
		break;
	case OPT_H: {
		static const struct { const char *s; int algo; } h[] = {
			{ "0", HASH_XXH32 }, { "1", HASH_XXH64 }, { "2", HASH_XXH128 }, { "3", HASH_XXH3 },
			{ "32", HASH_XXH32 }, { "64", HASH_XXH64 }, { "128", HASH_XXH128 },
		};
		c->algo = -1;
		for (size_t i = 0; i < sizeof h / sizeof *h; i++)
			if (strcmp(v, h[i].s) == 0)
				c->algo = h[i].algo;
		if (c->algo < 0)
			die_usage("-H: '%s' is not an algorithm number (0, 1, 2, 3)", v);
		break;
	}
	case OPT_TAG:
		c->tag = true;
		break;
	case OPT_LE:
		c->little_endian = true;
		break;
	case OPT_ZERO:
		c->zero = true;
		break;
	case OPT_JSON:
		c->json = true;
		break;
	case OPT_FILES_FROM:
		c->files_from = v;
		break;
	case OPT_NULL:
		c->null = true;
		break;
	case OPT_FOLLOW:
		c->walk_flags |= WALK_FOLLOW;
		break;
	case OPT_ONE_FS:
		c->walk_flags |= WALK_ONE_FS;
		break;
	case OPT_EXCLUDE: {
		const char **e = realloc(c->excludes, (c->nexcludes + 2) * sizeof *e);
		if (!e)
			die("out of memory");
		c->excludes = e;
		e[c->nexcludes++] = v;
		e[c->nexcludes] = NULL;
		break;
	}
	case OPT_JOBS:
		c->jobs = (unsigned)opt_number(o, v, 1, 1024);
		break;
	case OPT_WORKER_MEMORY:
		c->limits.memory = opt_size(o, v, 16ULL << 20);
		break;
	case OPT_TASK_TIMEOUT:
		c->timeout_s = opt_seconds(o, v);
		c->limits.timeout_ms = (unsigned)(c->timeout_s * 1000 + 0.5);
		if (c->limits.timeout_ms == 0)
			c->limits.timeout_ms = 1;
		break;
	case OPT_STATS:
		if (!v || strcmp(v, "text") == 0)
			c->stats = 1;
		else if (strcmp(v, "json") == 0)
			c->stats = 2;
		else
			die_usage("unknown --stats format '%s' (valid: text, json)", v);
		break;
	case OPT_MODE:
		if (strcmp(v, "thread") == 0)
			c->mode = POOL_THREAD;
		else if (strcmp(v, "fork") == 0)
			c->mode = POOL_FORK;
		else
			die_usage("unknown mode '%s' (valid: thread, fork)", v);
		break;
	case OPT_IO:
		if (strcmp(v, "auto") == 0)
			c->io = IOQ_AUTO;
		else if (strcmp(v, "uring") == 0)
			c->io = IOQ_URING;
		else if (strcmp(v, "sync") == 0)
			c->io = IOQ_SYNC;
		else
			die_usage("unknown I/O engine '%s' (valid: auto, uring, sync)", v);
		break;
	case OPT_HELP:
		opt_usage(stdout, "ptool hash [OPTIONS] [PATH...]\n"
		          "Hash files, directory trees (recursively) or standard input with xxHash.",
		          hash_options);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
}

/* Operands first, then the -T list. */
static const char *next_root(void *ctx, int *error)
{
	struct hash_cmd *c = ctx;

	if (c->next_operand < c->noperands)
		return c->operands[c->next_operand++];
	if (!c->list_open)
		return NULL;
	return pathlist_next(&c->list, error);
}

/* A name for messages: escaped like output lines, so one line stays one. */
static const char *shown(struct strbuf *sb, const char *name)
{
	sb->len = 0;
	fmt_escaped_name(sb, name);
	sb_add(sb, "", 0);
	return sb->failed ? name : sb->data;
}

static void report(struct hash_cmd *c, const struct loop_result *r, const char *name)
{
	struct strbuf sb = { 0 };
	const char *q = name ? shown(&sb, name) : NULL;

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
	case LOOP_WORKER_DIED:
		if (WIFSIGNALED(r->error))
			diag_error("worker died (signal %d) while hashing '%s'", WTERMSIG(r->error), q);
		else
			diag_error("worker died (exit status %d) while hashing '%s'",
			           WIFEXITED(r->error) ? WEXITSTATUS(r->error) : r->error, q);
		break;
	case LOOP_TIMED_OUT:
		diag_error("task timed out after %g s while hashing '%s'", c->timeout_s, q);
		break;
	case LOOP_READ_LIST:
		diag_error("cannot read '%s': %s",
		           strcmp(c->files_from, "-") == 0 ? "standard input" : c->files_from,
		           strerror(r->error));
		break;
	}
	sb_release(&sb);
}

static const char *what_text(enum loop_what w)
{
	switch (w) {
	case LOOP_OPEN: return "cannot open";
	case LOOP_READ: return "cannot read";
	case LOOP_READ_DIR: return "cannot read directory";
	case LOOP_FS_LOOP: return "filesystem loop detected";
	case LOOP_CHANGED: return "file changed as we read it";
	case LOOP_READ_LIST: return "cannot read list";
	case LOOP_WORKER_DIED: return "worker died";
	case LOOP_TIMED_OUT: return "task timed out";
	}
	return "failed";
}

static void json_record(struct hash_cmd *c, const struct loop_result *r, const char *name)
{
	struct strbuf *sb = &c->line;
	const struct hash_info *hi = &hash_infos[c->algo];

	sb_adds(sb, "{\"path\":");
	bool valid = fmt_json_string(sb, name);
	if (!valid) {
		sb_adds(sb, ",\"path_base64\":\"");
		fmt_base64(sb, (const unsigned char *)name, strlen(name));
		sb_addc(sb, '"');
	}
	sb_adds(sb, ",\"algo\":\"");
	sb_adds(sb, hi->name);
	sb_addc(sb, '"');
	if (r->outcome == LOOP_DONE) {
		char size[32];
		sb_adds(sb, ",\"hash\":\"");
		fmt_hex(sb, hash_digest(r->slot), hi->digest_size, c->little_endian);
		snprintf(size, sizeof size, "\",\"size\":%llu}", (unsigned long long)r->size);
		sb_adds(sb, size);
	} else {
		struct strbuf msg = { 0 };
		sb_adds(sb, ",\"error\":");
		sb_adds(&msg, what_text(r->what));
		if (r->error) {
			sb_adds(&msg, ": ");
			sb_adds(&msg, strerror(r->error));
		}
		fmt_json_string(sb, msg.failed ? "failed" : msg.data);
		sb_release(&msg);
		sb_addc(sb, '}');
	}
	sb_addc(sb, c->zero ? '\0' : '\n');
}

static void text_record(struct hash_cmd *c, const struct loop_result *r, const char *name)
{
	struct strbuf *sb = &c->line;
	const struct hash_info *hi = &hash_infos[c->algo];
	bool escape = !c->zero && fmt_needs_escape(name);

	if (escape)
		sb_addc(sb, '\\');
	if (c->tag) {
		sb_adds(sb, hi->tag);
		if (c->little_endian)
			sb_adds(sb, "_LE");
		sb_adds(sb, " (");
	} else {
		sb_adds(sb, hi->gnu_prefix);
		fmt_hex(sb, hash_digest(r->slot), hi->digest_size, c->little_endian);
		sb_adds(sb, "  ");
	}
	if (escape)
		fmt_escaped_name(sb, name);
	else
		sb_adds(sb, name);
	if (c->tag) {
		sb_adds(sb, ") = ");
		fmt_hex(sb, hash_digest(r->slot), hi->digest_size, c->little_endian);
	}
	sb_addc(sb, c->zero ? '\0' : '\n');
}

static void idle(void *ctx)
{
	struct hash_cmd *c = ctx;
	(void)out_flush(&c->out);
}

static int emit(void *ctx, const struct loop_result *r)
{
	struct hash_cmd *c = ctx;
	const char *name = r->is_stdin ? "stdin" : r->path;

	if (r->outcome == LOOP_SKIPPED) {
		struct strbuf sb = { 0 };
		diag_error("skipping '%s': not a regular file", shown(&sb, name));
		sb_release(&sb);
		return 0;
	}
	c->line.len = 0;
	if (r->outcome == LOOP_FAILED) {
		c->failures++;
		report(c, r, name);
		if (!c->json || !name)
			return 0;
		json_record(c, r, name);
	} else if (c->json) {
		json_record(c, r, name);
	} else {
		text_record(c, r, name);
	}
	if (c->line.failed)
		die("out of memory");
	if (out_add(&c->out, c->line.data, c->line.len) < 0 || out_end_record(&c->out) < 0)
		return -1;
	return 0;
}

int cmd_hash(int argc, char **argv)
{
	struct hash_cmd *c = calloc(1, sizeof *c);
	if (!c)
		die("out of memory");
	c->algo = HASH_XXH128;
	c->jobs = xio_ncpu();
	diag_set_command("hash");

	c->noperands = opt_parse(argc, argv, hash_options, on_option, c);
	c->operands = argv;
	if (c->null && !c->files_from)
		die_usage("--null needs --files-from");
	if (c->json && c->tag)
		die_usage("--json and --tag cannot be combined");
	if (c->mode != POOL_FORK && (c->limits.memory || c->limits.timeout_ms))
		die_usage("--%s needs --mode=fork: threads share one process, so a limit "
		          "on one worker would stop them all",
		          c->limits.memory ? "worker-memory" : "task-timeout");
	if (c->io == IOQ_URING && ioq_available(IOQ_URING) < 0)
		die("--io=uring: io_uring cannot be used here: %s", strerror(errno));
	static char *stdin_operand[] = { "-" };
	if (c->noperands == 0 && !c->files_from) {
		c->operands = stdin_operand;
		c->noperands = 1;
	}
	if (c->files_from) {
		int fd = STDIN_FILENO;
		if (strcmp(c->files_from, "-") == 0) {
			for (int i = 0; i < c->noperands; i++)
				if (strcmp(c->operands[i], "-") == 0)
					die_usage("standard input cannot be both an input and the -T list");
		} else {
			fd = open(c->files_from, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				die("cannot open '%s': %s", c->files_from, strerror(errno));
		}
		if (pathlist_init(&c->list, fd, c->null ? '\0' : '\n') < 0)
			die("out of memory");
		c->list_open = true;
	}
	out_init(&c->out, STDOUT_FILENO);

	struct walk *w = walk_create(c->walk_flags, c->excludes, next_root, c);
	if (!w)
		die("out of memory");
	struct loop_conf conf = {
		.jobs = c->jobs,
		.chunk_size = 1 << 20,
		.mode = c->mode,
		.io = c->io,
		.limits = c->limits,
		.task = hash_task,
		.task_op = (uint32_t)c->algo,
		.slot_size = hash_slot_size(),
		.emit = emit,
		.idle = idle,
		.ctx = c,
		.input_fd = c->list_open ? c->list.fd : -1,
	};
	struct run_stats *stats = NULL;
	if (c->stats) {
		stats = calloc(1, sizeof *stats);
		if (!stats)
			die("out of memory");
		conf.stats = stats;
	}
	int r = loop_run(&conf, w);
	int status = c->failures ? 1 : 0;
	if (r < 0) {
		if (c->mode == POOL_FORK && errno == ECHILD)
			diag_error("workers keep dying at start-up; giving up");
		else
			diag_error("%s", strerror(errno));
		status = 1;
	}
	walk_destroy(w);
	if (out_flush(&c->out) == 0 && xclose(STDOUT_FILENO) < 0)
		c->out.error = errno;
	if (c->out.error) {
		/* A reader that went away is not an error worth a word. */
		if (c->out.error != EPIPE)
			diag_error("write error: %s", strerror(c->out.error));
		status = 1;
	}
	if (stats) {
		/* After the output, so a pipe's reader has it all first. */
		struct strbuf sb = { 0 };
		stats_format(&sb, stats, c->stats == 2);
		if (!sb.failed)
			(void)xwrite_all(STDERR_FILENO, sb.data, sb.len);
		sb_release(&sb);
		free(stats);
	}
	if (c->list_open) {
		if (c->list.fd != STDIN_FILENO)
			xclose(c->list.fd);
		pathlist_release(&c->list);
	}
	sb_release(&c->line);
	free(c->excludes);
	free(c);
	return status;
}
