/* cmd_check: `ptool check` (and `ptool hash -c`): verify checksum lists.
 *
 * The lists are read on the loop thread as the walk asks for roots; each
 * properly formatted record becomes one root, with its algorithm as the
 * task op, and the loop hashes the files in parallel and hands the
 * results back in list order.  What the records say (the digest to expect)
 * waits in a queue beside the loop, with the events that must come out
 * between results: an improperly formatted line under -w, a list that
 * could not be read, the end of a list and its summary.
 *
 *   lists ──► parse ──► queue: FILE FILE BAD FILE END ...
 *                │                 ▲
 *                └─ roots ──► loop ─┴─► emit: pops in order, compares
 *
 * Events with no result ahead of them in the queue go out at once, so the
 * queue holds only what waits for a file under way (at most QUEUE_MAX
 * records; past that the parser waits for results). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "hash.h"
#include "job.h"
#include "loop.h"
#include "pathlist.h"
#include "sumline.h"
#include "walk.h"
#include "xio.h"

/* Longer records are improperly formatted (a name is at most PATH_MAX). */
#define LINE_MAX_BYTES (64 * 1024)
#define QUEUE_MAX 4096

enum {
	OPT_QUIET = 1,
	OPT_STATUS,
	OPT_STRICT,
	OPT_WARN,
	OPT_IGNORE_MISSING,
	OPT_LE,
	OPT_NULL,
	OPT_HELP,
};

const struct opt check_options[] = {
	{ OPT_QUIET, 'q', "quiet", NULL, "print no OK lines, only failures", 0, NULL, false },
	{ OPT_STATUS, 0, "status", NULL, "print nothing; the exit status tells", 0, NULL, false },
	{ OPT_STRICT, 0, "strict", NULL, "improperly formatted lines make the exit status 1",
	  0, NULL, false },
	{ OPT_WARN, 'w', "warn", NULL, "warn about each improperly formatted line", 0, NULL, false },
	{ OPT_IGNORE_MISSING, 0, "ignore-missing", NULL, "say nothing of listed files that do not exist",
	  0, NULL, false },
	{ OPT_LE, 0, "little-endian", NULL, "GNU and JSON lines hold little-endian digests",
	  0, NULL, false },
	{ OPT_NULL, '0', "null", NULL,
	  "list records end with NUL (lists from hash -z are found anyway)", 0, NULL, false },
	JOB_OPTIONS,
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

enum rec_kind {
	REC_FILE,           /* a root: its result comes from the loop */
	REC_BAD,            /* an improperly formatted line, for -w */
	REC_STDIN_TAKEN,    /* "-" listed while standard input is a list */
	REC_LIST_ERROR,     /* the list could not be opened or read */
	REC_LIST_END,       /* the list's summary */
};

struct rec {
	enum rec_kind kind;
	int algo;               /* REC_FILE */
	int error;              /* REC_LIST_ERROR: errno */
	bool at_open;           /* REC_LIST_ERROR: it could not be opened */
	unsigned list;
	unsigned long long lineno;  /* REC_BAD */
	const char *reason;     /* REC_BAD */
	unsigned char digest[16];   /* REC_FILE: what to expect, canonical */
};

struct list_state {
	const char *name;
	unsigned long long proper, bad, failed, mismatched, matched;
	bool opened_failed;     /* it could not be read (at all, or to its end) */
};

struct check_cmd {
	struct job job;
	bool quiet, status_only, strict, warn, ignore_missing, little_endian, null;
	char **lists;
	struct list_state *state;
	unsigned nlists, cur;   /* cur: the list being read, if open */
	bool open;
	bool stdin_listed;      /* a list is standard input */
	struct pathlist pl;
	/* the queue, a ring */
	struct rec *q;
	size_t head, count, cap;
	size_t files;           /* REC_FILE records in it */
	int status;
	struct strbuf line;
};

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	struct check_cmd *c = ctx;

	if (job_option(&c->job, o, v))
		return;
	switch (o->id) {
	case OPT_QUIET:
		c->quiet = true;
		break;
	case OPT_STATUS:
		c->status_only = true;
		break;
	case OPT_STRICT:
		c->strict = true;
		break;
	case OPT_WARN:
		c->warn = true;
		break;
	case OPT_IGNORE_MISSING:
		c->ignore_missing = true;
		break;
	case OPT_LE:
		c->little_endian = true;
		break;
	case OPT_NULL:
		c->null = true;
		break;
	case OPT_HELP:
		opt_usage(stdout, "ptool check [OPTIONS] [SUMFILE...]\n"
		          "Verify the files that checksum lists name (standard input when none, or -).",
		          check_options);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
}

/* ---- output ---- */

static void result_line(struct check_cmd *c, const char *name, const char *word)
{
	struct strbuf *sb = &c->line;

	if (c->status_only)
		return;
	sb->len = 0;
	if (fmt_needs_escape(name)) {
		sb_addc(sb, '\\');
		fmt_escaped_name(sb, name);
	} else {
		sb_adds(sb, name);
	}
	sb_adds(sb, ": ");
	sb_adds(sb, word);
	sb_addc(sb, '\n');
	if (sb->failed)
		die("out of memory");
	if (out_add(&c->job.out, sb->data, sb->len) == 0)
		(void)out_end_record(&c->job.out);
}

static void summary(struct check_cmd *c, unsigned i)
{
	struct list_state *s = &c->state[i];
	struct strbuf sb = { 0 };

	if (!s->proper) {
		if (!s->opened_failed)
			diag_error("'%s': no properly formatted checksum lines found",
			           job_shown(&sb, s->name));
		c->status = 1;
		sb_release(&sb);
		return;
	}
	if (s->failed || s->mismatched || (c->strict && s->bad) ||
	    (c->ignore_missing && !s->matched) || s->opened_failed)
		c->status = 1;
	if (c->status_only)
		return;
	/* Stdout first, so that a terminal shows them after the lines. */
	(void)out_flush(&c->job.out);
	if (s->bad)
		diag_error("WARNING: %llu %s improperly formatted", s->bad,
		           s->bad == 1 ? "line is" : "lines are");
	if (s->failed)
		diag_error("WARNING: %llu listed %s could not be read", s->failed,
		           s->failed == 1 ? "file" : "files");
	if (s->mismatched)
		diag_error("WARNING: %llu computed %s did NOT match", s->mismatched,
		           s->mismatched == 1 ? "checksum" : "checksums");
	if (c->ignore_missing && !s->matched)
		diag_error("'%s': no file was verified", job_shown(&sb, s->name));
	sb_release(&sb);
}

/* An event's turn has come. */
static void event(struct check_cmd *c, const struct rec *r)
{
	struct list_state *s = &c->state[r->list];
	struct strbuf sb = { 0 };

	switch (r->kind) {
	case REC_FILE:
		PTOOL_BUG("a file record without its result");
	case REC_BAD:
		(void)out_flush(&c->job.out);
		diag_error("'%s', line %llu: improperly formatted checksum line (%s)",
		           job_shown(&sb, s->name), r->lineno, r->reason);
		break;
	case REC_STDIN_TAKEN:
		(void)out_flush(&c->job.out);
		diag_error("cannot read '-': standard input is a checksum list");
		s->failed++;
		result_line(c, "-", "FAILED open or read");
		break;
	case REC_LIST_ERROR:
		(void)out_flush(&c->job.out);
		diag_error("cannot %s '%s': %s", r->at_open ? "open" : "read",
		           job_shown(&sb, s->name), strerror(r->error));
		s->opened_failed = true;
		c->status = 1;
		break;
	case REC_LIST_END:
		summary(c, r->list);
		break;
	}
	sb_release(&sb);
}

/* ---- the queue ---- */

static struct rec *front(struct check_cmd *c)
{
	return c->count ? &c->q[c->head] : NULL;
}

static void pop(struct check_cmd *c)
{
	if (c->q[c->head].kind == REC_FILE)
		c->files--;
	c->head = (c->head + 1) % c->cap;
	c->count--;
}

/* The events at the front: their turn has come. */
static void flush_events(struct check_cmd *c)
{
	struct rec *r;
	while ((r = front(c)) && r->kind != REC_FILE) {
		event(c, r);
		pop(c);
	}
}

static void push(struct check_cmd *c, const struct rec *r)
{
	if (r->kind != REC_FILE && c->files == 0) {
		/* Nothing ahead of it waits for a result. */
		PTOOL_ASSERT(c->count == 0);
		event(c, r);
		return;
	}
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct rec *q = malloc(cap * sizeof *q);
		if (!q)
			die("out of memory");
		for (size_t i = 0; i < c->count; i++)
			q[i] = c->q[(c->head + i) % c->cap];
		free(c->q);
		c->q = q;
		c->head = 0;
		c->cap = cap;
	}
	c->q[(c->head + c->count) % c->cap] = *r;
	c->count++;
	if (r->kind == REC_FILE)
		c->files++;
}

/* ---- reading the lists: the walk's source ---- */

/* Room only once results come: a file ahead is under way. */
static bool queue_full(const struct check_cmd *c)
{
	return c->count >= QUEUE_MAX && c->files > 0;
}

static void open_list(struct check_cmd *c, unsigned i)
{
	int fd = STDIN_FILENO;
	if (strcmp(c->lists[i], "-") != 0) {
		fd = open(c->lists[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			push(c, &(struct rec){ .kind = REC_LIST_ERROR, .list = i, .error = errno,
			                       .at_open = true });
			push(c, &(struct rec){ .kind = REC_LIST_END, .list = i });
			return;
		}
	}
	if (pathlist_init(&c->pl, fd, c->null ? '\0' : PATHLIST_AUTO) < 0)
		die("out of memory");
	c->pl.max = LINE_MAX_BYTES;
	c->open = true;
}

static void close_list(struct check_cmd *c)
{
	if (c->pl.fd != STDIN_FILENO)
		xclose(c->pl.fd);
	pathlist_release(&c->pl);
	c->open = false;
	c->cur++;
}

static const char *next_root(void *ctx, uint32_t *op, int *error)
{
	struct check_cmd *c = ctx;

	for (;;) {
		if (!c->open) {
			if (c->cur == c->nlists)
				return NULL;
			open_list(c, c->cur);
			if (!c->open)
				c->cur++;
			continue;
		}
		if (queue_full(c)) {
			*error = EAGAIN;
			return NULL;
		}
		int err = 0;
		char *text = pathlist_next(&c->pl, &err);
		if (!text) {
			if (err == EAGAIN) {
				*error = EAGAIN;
				return NULL;
			}
			if (err)
				push(c, &(struct rec){ .kind = REC_LIST_ERROR, .list = c->cur, .error = err });
			push(c, &(struct rec){ .kind = REC_LIST_END, .list = c->cur });
			close_list(c);
			continue;
		}

		struct list_state *s = &c->state[c->cur];
		struct sumline sl;
		enum sumline_kind k;
		if (c->pl.overlong) {
			k = SUMLINE_BAD;
			sl.reason = "longer than 64 KiB";
		} else {
			unsigned flags = (c->little_endian ? SUMLINE_LITTLE_ENDIAN : 0) |
			                 (c->pl.delim == '\0' ? SUMLINE_NUL_LIST : 0);
			k = sumline_parse(text, c->pl.reclen, flags, &sl);
		}
		if (k == SUMLINE_BLANK)
			continue;
		if (k == SUMLINE_BAD) {
			s->bad++;
			if (c->warn && !c->status_only)
				push(c, &(struct rec){ .kind = REC_BAD, .list = c->cur,
				                       .lineno = c->pl.lineno, .reason = sl.reason });
			continue;
		}
		s->proper++;
		if (strcmp(sl.name, "-") == 0 && c->stdin_listed) {
			push(c, &(struct rec){ .kind = REC_STDIN_TAKEN, .list = c->cur });
			continue;
		}
		struct rec r = { .kind = REC_FILE, .list = c->cur, .algo = sl.algo };
		memcpy(r.digest, sl.digest, sizeof r.digest);
		push(c, &r);
		*op = (uint32_t)sl.algo;
		return sl.name;
	}
}

/* Where the loop waits when the source said EAGAIN. */
static int wait_fd(void *ctx)
{
	struct check_cmd *c = ctx;
	return queue_full(c) || !c->open ? -1 : c->pl.fd;
}

/* ---- results ---- */

static void verify(struct check_cmd *c, const struct rec *rec, const struct loop_result *r)
{
	struct list_state *s = &c->state[rec->list];
	const char *name = r->is_stdin ? "-" : r->path;

	if (r->outcome == LOOP_DONE) {
		size_t n = hash_infos[rec->algo].digest_size;
		if (memcmp(hash_digest(r->slot), rec->digest, n) == 0) {
			s->matched++;
			if (!c->quiet)
				result_line(c, name, "OK");
		} else {
			s->mismatched++;
			result_line(c, name, "FAILED");
		}
		return;
	}
	/* A root is never skipped: anything but a file fails to open or read. */
	if (c->ignore_missing && r->outcome == LOOP_FAILED && r->what == LOOP_OPEN &&
	    r->error == ENOENT)
		return;
	(void)out_flush(&c->job.out);
	job_report(&c->job, r, name);
	s->failed++;
	result_line(c, name, "FAILED open or read");
}

static int emit(void *ctx, const struct loop_result *r)
{
	struct check_cmd *c = ctx;

	flush_events(c);
	struct rec *rec = front(c);
	PTOOL_ASSERT(rec && rec->kind == REC_FILE);
	verify(c, rec, r);
	pop(c);
	flush_events(c);
	return c->job.out.error ? -1 : 0;
}

static void idle(void *ctx)
{
	struct check_cmd *c = ctx;
	(void)out_flush(&c->job.out);
}

int cmd_check(int argc, char **argv)
{
	struct check_cmd *c = calloc(1, sizeof *c);
	if (!c)
		die("out of memory");
	job_init(&c->job);
	c->job.doing = "checking";
	diag_set_command("check");

	int n = opt_parse(argc, argv, check_options, on_option, c);
	c->job.quiet = c->quiet || c->status_only;
	job_validate(&c->job);
	static char *stdin_list[] = { "-" };
	c->lists = n ? argv : stdin_list;
	c->nlists = n ? (unsigned)n : 1;
	c->state = calloc(c->nlists, sizeof *c->state);
	if (!c->state)
		die("out of memory");
	bool any_file = false;
	for (unsigned i = 0; i < c->nlists; i++) {
		bool is_stdin = strcmp(c->lists[i], "-") == 0;
		c->state[i].name = is_stdin ? "standard input" : c->lists[i];
		c->stdin_listed |= is_stdin;
		any_file |= !is_stdin;
	}

	struct walk *w = walk_create(WALK_NO_DIRS, NULL, next_root, c);
	if (!w)
		die("out of memory");
	struct loop_conf conf = {
		.task = hash_task,
		.slot_size = hash_slot_size(),
		.emit = emit,
		.idle = idle,
		.ctx = c,
		.wait_fd = wait_fd,
		/* The lists are opened one at a time, as they are read. */
		.source_fds = any_file,
	};
	job_conf(&c->job, &conf);
	int r = loop_run(&conf, w);
	walk_destroy(w);
	if (r == 0) {
		flush_events(c);
		PTOOL_ASSERT(c->count == 0);
	}
	if (c->open)
		close_list(c);
	if (job_finish(&c->job, r))
		c->status = 1;
	int status = c->status;
	free(c->q);
	free(c->state);
	sb_release(&c->line);
	free(c);
	return status;
}
