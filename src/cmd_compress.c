/* cmd_compress: `ptool compress` and `ptool decompress`, the command lines
 * over task_codec.c, outfile.c and loop.c.
 *
 * Each input's output is its own outfile, made at its first output bytes
 * (or at the end, for an empty one) and put in place when the input is
 * settled, in whatever order inputs finish; messages come out in input
 * order, at emit.  With -c every output goes to stdout, one input at a
 * time (the loop runs serial), so streams follow each other in order. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "codec.h"
#include "diag.h"
#include "format.h"
#include "job.h"
#include "larch.h"
#include "loop.h"
#include "outfile.h"
#include "progress.h"
#include "strset.h"
#include "task_codec.h"
#include "walk.h"
#include "xio.h"

enum {
	OPT_FORMAT = 1,
	OPT_LEVEL,
	OPT_OUTDIR,
	OPT_STDOUT,
	OPT_RM,
	OPT_FORCE,
	OPT_SYNC,
	OPT_TEST,
	OPT_MAX_SIZE,
	OPT_MAX_RATIO,
	OPT_QUIET,
	OPT_HELP,
	OPT_DIGIT,      /* -1 ... -9: OPT_DIGIT + n */
};

/* Defaults of the decompression bomb limits: a stream stops when its
 * output passes MAX_SIZE bytes, or MAX_RATIO times its compressed size
 * (once past RATIO_FLOOR bytes, so small files of zeros pass). */
#define DEFAULT_MAX_SIZE (1ULL << 40)
#define DEFAULT_MAX_RATIO 10000ULL
#define RATIO_FLOOR (1ULL << 20)

/* The chunk a format is cut into, where 1 MiB costs too much ratio
 * (measured on the big corpus's text, against the tools' own output):
 * xz's dictionary is 8 MiB at -6, and at 1 MiB its output came out 1.088
 * of xz -T2's (24 MiB blocks), 1.018 at 8 MiB; gzip through libdeflate
 * came out 1.012 of pigz -6's at 1 MiB, 1.009 at 4 MiB. */
static size_t chunk_size(enum codec_format f)
{
	switch (f) {
	case CODEC_XZ:
		return 8u << 20;
	case CODEC_GZIP:
		return 4u << 20;
	default:
		return 1u << 20;
	}
}

static const char *const format_values[] = { "zstd", "gzip", "xz", "bzip2", "lz4", NULL };

#define DIGIT_OPTION(n) { OPT_DIGIT + n, #n[0], NULL, NULL, NULL, 0, NULL, false }

#define OUTPUT_OPTIONS \
	{ OPT_OUTDIR, 'o', "output-dir", "DIR", \
	  "write outputs under DIR, at each input's path as given", OPT_COMPLETE_FILE, NULL, false }, \
	{ OPT_STDOUT, 'c', "stdout", NULL, "write to standard output, inputs one after another", \
	  0, NULL, false }, \
	{ OPT_RM, 0, "rm", NULL, "remove each input once its output is complete", 0, NULL, false }, \
	{ OPT_FORCE, 'f', "force", NULL, "replace existing outputs", 0, NULL, false }, \
	{ OPT_SYNC, 0, "sync", NULL, "fsync each output before it is put in place", 0, NULL, false }, \
	{ OPT_QUIET, 'q', "quiet", NULL, "no notes on inputs left alone", 0, NULL, false }

const struct opt compress_options[] = {
	{ OPT_FORMAT, 'F', "format", "NAME", "zstd (default), gzip, xz, bzip2 or lz4",
	  OPT_COMPLETE_VALUES, format_values, false },
	{ OPT_LEVEL, 0, "level", "N", "compression level (default: the format's own)", 0, NULL, false },
	{ OPT_DIGIT + 1, '1', NULL, NULL, "... -9 (fastest to best): the level, as --level", 0, NULL, false },
	DIGIT_OPTION(2), DIGIT_OPTION(3), DIGIT_OPTION(4), DIGIT_OPTION(5),
	DIGIT_OPTION(6), DIGIT_OPTION(7), DIGIT_OPTION(8), DIGIT_OPTION(9),
	OUTPUT_OPTIONS,
	JOB_INPUT_OPTIONS,
	JOB_OPTIONS,
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

const struct opt decompress_options[] = {
	{ OPT_TEST, 't', "test", NULL, "verify the inputs; write nothing", 0, NULL, false },
	{ OPT_MAX_SIZE, 0, "max-size", "SIZE",
	  "stop a stream whose output passes SIZE (default: 1T)", 0, NULL, false },
	{ OPT_MAX_RATIO, 0, "max-ratio", "N",
	  "stop a stream whose output passes N times its input (default: 10000; 0: no limit)", 0,
	  NULL, false },
	OUTPUT_OPTIONS,
	JOB_INPUT_OPTIONS,
	JOB_OPTIONS,
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

struct xcmd {
	bool decompress;
	int format, level;
	const char *outdir;
	bool to_stdout, rm, force, sync, test, quiet;
	bool stdout_tty;        /* the status line is cleared before output */
	unsigned long long max_size, max_ratio;
	struct job job;
	struct job_inputs in;
	/* the run */
	unsigned failures;
	bool stdout_failed;
	int outdir_fd;          /* -o DIR, opened at the first output; -1 */
	int outdir_errno;       /* ... or why it could not be */
	char *folder_rel;       /* the folder under DIR last opened ... */
	int folder_fd;          /* ... and its descriptor, or -1 */
	/* With -f: the outputs of the inputs so far, so that a later input
	 * that one of them replaces is left alone, not read or removed. */
	struct strset outputs;
};

/* One input's output, from its first bytes (or its end) to emit. */
struct xout {
	char *name;             /* where it goes; NULL for stdout or -t */
	struct outfile file;
	bool open;
	uint64_t written;
	int error;              /* errno of the step that failed */
	enum { STEP_NONE, STEP_EXISTS, STEP_NAME, STEP_CREATE, STEP_FOLDER, STEP_WRITE,
	       STEP_STDOUT, STEP_MAX_SIZE, STEP_MAX_RATIO } step;
	size_t folder_len;      /* STEP_FOLDER: name's part up to what failed */
	int rm_error;           /* RM_REPLACED, or an errno */
	enum { PASS_NONE, PASS_HAS_SUFFIX, PASS_NO_SUFFIX, PASS_NO_SUFFIX_OPERAND,
	       PASS_REPLACED } pass;
};

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	struct xcmd *c = ctx;

	if (job_option(&c->job, o, v) || job_input_option(&c->in, o, v))
		return;
	if (o->id > OPT_DIGIT) {
		c->level = o->id - OPT_DIGIT;
		return;
	}
	switch (o->id) {
	case OPT_FORMAT:
		c->format = codec_by_name(o->values[opt_choice(o, v, "format")]);
		break;
	case OPT_LEVEL:
		c->level = (int)opt_number(o, v, 0, 22);
		break;
	case OPT_OUTDIR:
		if (!*v)        /* an unset variable: never the root */
			die_usage("-o needs a folder, not an empty name");
		c->outdir = v;
		break;
	case OPT_STDOUT:
		c->to_stdout = true;
		break;
	case OPT_RM:
		c->rm = true;
		break;
	case OPT_FORCE:
		c->force = true;
		break;
	case OPT_SYNC:
		c->sync = true;
		break;
	case OPT_TEST:
		c->test = true;
		break;
	case OPT_MAX_SIZE:
		c->max_size = opt_size(o, v, 1);
		break;
	case OPT_MAX_RATIO:
		c->max_ratio = (unsigned long long)opt_number(o, v, 0, 1L << 30);
		break;
	case OPT_QUIET:
		c->quiet = true;
		break;
	case OPT_HELP:
		if (c->decompress)
			opt_usage(stdout, "ptool decompress [OPTIONS] [PATH...]\n"
			          "Decompress zstd, gzip, xz, bzip2 and lz4 files (one layer), "
			          "found by their content.",
			          decompress_options);
		else
			opt_usage(stdout, "ptool compress [OPTIONS] [PATH...]\n"
			          "Compress files and directory trees, each file to FILE.zst (or .gz, "
			          ".xz, .bz2, .lz4).",
			          compress_options);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
}

/* Operands first, then the -T list. */
static const char *next_root(void *ctx, uint32_t *op, int *error)
{
	struct xcmd *c = ctx;

	*op = codec_task_op((enum codec_format)c->format, c->level);
	return job_inputs_next(&c->in, error);
}

static int list_fd(void *ctx)
{
	struct xcmd *c = ctx;
	return job_inputs_fd(&c->in);
}

/* The length of path's compression suffix, or 0; *rep (when not NULL):
 * what takes its place in the output's name (see codec_suffix). */
static size_t suffix_len(const char *path, const char **rep)
{
	size_t n = codec_suffix(path, rep), len = strlen(path);
	/* Not a whole base name: "dir/.gz" names no output. */
	if (n == 0 || path[len - n - 1] == '/') {
		if (rep)
			*rep = "";
		return 0;
	}
	return n;
}

static bool has_own_suffix(const struct xcmd *c, const char *path)
{
	const char *suf = codec_infos[c->format].suffix;
	size_t n = strlen(suf), len = strlen(path);
	return len > n && strcmp(path + len - n, suf) == 0;
}

static char *output_name(const struct xcmd *c, const char *path);

/* With -f, an output may replace an input named later in the same run:
 * that one is left alone, and the names of outputs are kept for it.
 * True when ent is such an input. */
static bool replaced_earlier(struct xcmd *c, const struct walk_ent *ent)
{
	if (!c->force || c->to_stdout || c->test || ent->kind == WALK_STDIN)
		return false;
	if (strset_has(&c->outputs, ent->path))
		return true;
	char *name = output_name(c, ent->path);
	if (!name || strset_add(&c->outputs, name) < 0)
		die("out of memory");
	free(name);
	return false;
}

static bool want(void *ctx, const struct walk_ent *ent, struct loop_input *in)
{
	struct xcmd *c = ctx;
	int pass = PASS_NONE;

	if (!c->decompress) {
		if (!c->force && has_own_suffix(c, ent->path))
			pass = PASS_HAS_SUFFIX;
	} else if (!suffix_len(ent->path, NULL)) {
		/* Named on the command line, it is read whatever its name when
		 * no output name is needed. */
		if (ent->kind == WALK_FILE)
			pass = PASS_NO_SUFFIX;
		else if (!c->to_stdout && !c->test)
			pass = PASS_NO_SUFFIX_OPERAND;
	}
	if (pass == PASS_NONE && replaced_earlier(c, ent))
		pass = PASS_REPLACED;
	if (pass == PASS_NONE)
		return true;
	struct xout *o = calloc(1, sizeof *o);
	if (!o)
		die("out of memory");
	o->pass = pass;
	in->user = o;
	return false;
}

/* outdir + "/" + path, with path's leading "/" and "." parts dropped (as
 * tar does); NULL with EINVAL for a path that climbs with "..". */
static char *under_outdir(const char *outdir, const char *path, size_t len)
{
	struct strbuf sb = { 0 };
	sb_adds(&sb, outdir);
	const char *p = path, *end = path + len;
	while (p < end) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		size_t n = (size_t)(q - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			sb_release(&sb);
			errno = EINVAL;
			return NULL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			sb_addc(&sb, '/');
			sb_add(&sb, p, n);
		}
		p = q + 1;
	}
	sb_add(&sb, "", 0);
	if (sb.failed) {
		sb_release(&sb);
		errno = ENOMEM;
		return NULL;
	}
	return sb.data;
}

/* Where an input's output goes: NULL with errno. */
static char *output_name(const struct xcmd *c, const char *path)
{
	size_t len = strlen(path);
	const char *suf = "";

	if (c->decompress)
		len -= suffix_len(path, &suf);
	else
		suf = codec_infos[c->format].suffix;
	char *base = c->outdir ? under_outdir(c->outdir, path, len) : strndup(path, len);
	if (!base)
		return NULL;
	char *name = NULL;
	if (asprintf(&name, "%s%s", base, suf) < 0)
		name = NULL;
	free(base);
	if (!name)
		errno = ENOMEM;
	return name;
}

static struct xout *xout_of(struct loop_input *in)
{
	if (!in->user) {
		in->user = calloc(1, sizeof(struct xout));
		if (!in->user)
			die("out of memory");
	}
	return in->user;
}

static bool to_stdout(const struct xcmd *c, const struct loop_input *in)
{
	return c->to_stdout || in->is_stdin;
}

/* The folder -o names: opened at the first output, made if missing. */
static int outdir_fd(struct xcmd *c)
{
	if (c->outdir_fd >= 0 || c->outdir_errno)
		return c->outdir_fd;
	int fd = open(c->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* The user's own path: made as mkdir -p makes it. */
		char *p = strdup(c->outdir);
		if (!p)
			die("out of memory");
		for (char *s = p + 1;; s++) {
			if (*s != '/' && *s != '\0')
				continue;
			char end = *s;
			*s = '\0';
			if (mkdir(p, 0777) < 0 && errno != EEXIST)
				break;
			*s = end;
			if (!end)
				break;
		}
		free(p);
		fd = open(c->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		c->outdir_errno = errno;
	c->outdir_fd = fd;
	return fd;
}

/* The folder rel (len bytes) under -o's, never through a symlink: the
 * last one is kept, as inputs come a folder at a time.  -1 with o's
 * step set. */
static int folder_under(struct xcmd *c, const char *rel, size_t len, struct xout *o)
{
	if (c->folder_fd >= 0 && strlen(c->folder_rel) == len && memcmp(c->folder_rel, rel, len) == 0)
		return c->folder_fd;
	int root = outdir_fd(c);
	if (root < 0) {
		o->error = c->outdir_errno;
		o->step = STEP_CREATE;
		return -1;
	}
	/* The last one goes first: two at once would pass what the loop
	 * counts for -o (source_fds). */
	if (c->folder_fd >= 0)
		xclose(c->folder_fd);
	c->folder_fd = -1;
	size_t bad = 0;
	int fd = outfile_folder(root, rel, len, true, &bad);
	if (fd < 0) {
		o->error = errno;
		o->step = STEP_FOLDER;
		o->folder_len = strlen(c->outdir) + 1 + bad;
		return -1;
	}
	char *copy = strndup(rel, len);
	if (!copy)
		die("out of memory");
	free(c->folder_rel);
	c->folder_rel = copy;
	c->folder_fd = fd;
	return fd;
}

/* Make the input's outfile: 0, or -1 with the reason in o.  Beside the
 * input, it goes in the input's own folder, by descriptor; under -o, in
 * the folder under DIR, opened a name at a time. */
static int open_output(struct xcmd *c, struct loop_input *in, struct xout *o)
{
	o->name = output_name(c, in->path);
	if (!o->name) {
		o->error = errno;
		o->step = STEP_NAME;
		return -1;
	}
	unsigned flags = (c->force ? OUTFILE_FORCE : 0) | (c->sync ? OUTFILE_SYNC : 0);
	int dirfd = in->dirfd;
	char *own = NULL;
	const char *name = o->name;
	if (c->outdir) {
		/* o->name is DIR "/" rel (see under_outdir). */
		const char *rel = o->name + strlen(c->outdir) + 1;
		const char *slash = strrchr(rel, '/');
		size_t len = slash ? (size_t)(slash - rel) : 0;
		dirfd = folder_under(c, rel, len, o);
		if (dirfd < 0)
			return -1;
		name = slash ? slash + 1 : rel;
	} else if (in->dirfd != AT_FDCWD) {
		own = output_name(c, in->name);
		if (!own) {
			o->error = errno;
			o->step = STEP_NAME;
			return -1;
		}
		name = own;
	}
	int r = outfile_open(&o->file, dirfd, name, flags);
	int err = errno;
	free(own);
	if (r < 0) {
		o->error = err;
		o->step = err == EEXIST ? STEP_EXISTS : STEP_CREATE;
		return -1;
	}
	o->open = true;
	return 0;
}

/* Remove the input, if its name still names the file that was read:
 * 0, RM_REPLACED, or an errno. */
#define RM_REPLACED (-1)
static int remove_input(const struct loop_input *in)
{
	struct stat st;
	if (fstatat(in->dirfd, in->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	if (st.st_dev != in->meta.dev || st.st_ino != in->meta.ino)
		return RM_REPLACED;
	return unlinkat(in->dirfd, in->name, 0) < 0 ? errno : 0;
}

/* The bomb limits: false when this much output is too much. */
static bool within_limits(struct xcmd *c, const struct loop_input *in, struct xout *o)
{
	if (!c->decompress)
		return true;
	if (c->max_size && o->written > c->max_size) {
		o->step = STEP_MAX_SIZE;
		return false;
	}
	uint64_t in_size = in->size > 0 && (uint64_t)in->size > in->read ? (uint64_t)in->size : in->read;
	if (c->max_ratio && o->written > RATIO_FLOOR && o->written / c->max_ratio >= (in_size ? in_size : 1)) {
		o->step = STEP_MAX_RATIO;
		return false;
	}
	return true;
}

static int output(void *ctx, struct loop_input *in, const void *data, size_t len)
{
	struct xcmd *c = ctx;
	struct xout *o = xout_of(in);

	o->written += len;
	if (!within_limits(c, in, o))
		return -1;
	if (c->test)
		return 0;
	if (to_stdout(c, in)) {
		if (c->stdout_tty)
			progress_clear();
		if (c->stdout_failed || xwrite_all(STDOUT_FILENO, data, len) < 0) {
			if (!c->stdout_failed)
				o->error = errno;
			c->stdout_failed = true;
			o->step = STEP_STDOUT;
			return -1;
		}
		return 0;
	}
	if (!o->open && open_output(c, in, o) < 0)
		return -1;
	if (outfile_write(&o->file, data, len) < 0) {
		o->error = errno;
		o->step = STEP_WRITE;
		return -1;
	}
	return 0;
}

static void settle(void *ctx, struct loop_input *in, struct loop_result *res)
{
	struct xcmd *c = ctx;
	struct xout *o = in->user;

	if (res->outcome != LOOP_DONE || c->test || to_stdout(c, in)) {
		if (o && o->open)
			outfile_discard(&o->file);
		if (o)
			o->open = false;
		return;
	}
	o = xout_of(in);
	if (!o->open && open_output(c, in, o) < 0) {
		res->outcome = LOOP_FAILED;
		res->what = LOOP_OUTPUT;
		return;
	}
	/* Only a regular file has a mode and times worth keeping. */
	struct outfile_meta meta = {
		.mode = in->meta.mode,
		.uid = in->meta.uid,
		.gid = in->meta.gid,
		.atime = in->meta.atime,
		.mtime = in->mtime,
	};
	o->open = false;
	int r = outfile_commit(&o->file, in->size >= 0 ? &meta : NULL);
	if (r < 0) {
		o->error = errno;
		o->step = errno == EEXIST ? STEP_EXISTS : r == -2 ? STEP_CREATE : STEP_WRITE;
		res->outcome = LOOP_FAILED;
		res->what = LOOP_OUTPUT;
		return;
	}
	if (c->rm && in->size >= 0)
		o->rm_error = remove_input(in);
}

/* The input is to be decoded again from its start: what its output had
 * goes, unless it is already on stdout. */
static int restart(void *ctx, struct loop_input *in)
{
	struct xcmd *c = ctx;
	struct xout *o = in->user;

	if (!o)
		return 0;
	if (to_stdout(c, in) && o->written && !c->test)
		return -1;
	if (o->open)
		outfile_discard(&o->file);
	o->open = false;
	free(o->name);
	o->name = NULL;
	o->written = 0;
	return 0;
}

static void output_error(struct xcmd *c, const struct xout *o, const char *q)
{
	struct strbuf sb = { 0 };
	const char *out = o->name ? job_shown(&sb, o->name) : "";

	switch (o->step) {
	case STEP_EXISTS:
		diag_error("'%s' already exists (use -f to replace it)", out);
		break;
	case STEP_NAME:
		if (o->error == EINVAL)
			diag_error("'%s': a path with '..' has no place under -o", q);
		else
			diag_error("'%s': %s", q, strerror(o->error));
		break;
	case STEP_CREATE:
		diag_error("cannot create '%s': %s", out, strerror(o->error));
		break;
	case STEP_FOLDER: {
		/* The part of the name up to the folder that failed. */
		struct strbuf sb2 = { 0 };
		char *part = strndup(o->name, o->folder_len);
		const char *shown = part ? job_shown(&sb2, part) : "";
		if (o->error == ELOOP)
			diag_error("cannot create '%s': '%s' is a symlink, not followed under -o", out, shown);
		else if (o->error == ENOTDIR)
			diag_error("cannot create '%s': '%s' is not a folder", out, shown);
		else
			diag_error("cannot create '%s': '%s': %s", out, shown, strerror(o->error));
		free(part);
		sb_release(&sb2);
		break;
	}
	case STEP_WRITE:
		diag_error("cannot write '%s': %s", out, strerror(o->error));
		break;
	case STEP_STDOUT:
		/* A reader that went away is not worth a word. */
		if (o->error && o->error != EPIPE)
			diag_error("write error: %s", strerror(o->error));
		break;
	case STEP_MAX_SIZE:
		diag_error("'%s': stopped: the output passed --max-size (%llu bytes)", q, c->max_size);
		break;
	case STEP_MAX_RATIO:
		diag_error("'%s': stopped: the output passed --max-ratio (%llu times the input)", q,
		           c->max_ratio);
		break;
	case STEP_NONE:
		diag_error("'%s': output failed", q);
		break;
	}
	sb_release(&sb);
}

static void note_passed(struct xcmd *c, const struct xout *o, const char *q)
{
	switch (o->pass) {
	case PASS_HAS_SUFFIX:
		if (!c->quiet)
			diag_error("'%s' already has the %s suffix; left alone", q,
			           codec_infos[c->format].suffix);
		break;
	case PASS_NO_SUFFIX:
		if (!c->quiet)
			diag_error("'%s': no compression suffix; left alone", q);
		break;
	case PASS_NO_SUFFIX_OPERAND:
		diag_error("'%s': no compression suffix to take off (use -c or -t)", q);
		c->failures++;
		break;
	case PASS_REPLACED:
		diag_error("'%s': an earlier input's output replaces it; left alone", q);
		c->failures++;
		break;
	case PASS_NONE:
		break;
	}
}

static int emit(void *ctx, const struct loop_result *r)
{
	struct xcmd *c = ctx;
	struct xout *o = r->user;
	const char *name = r->is_stdin ? "standard input" : r->path;
	struct strbuf sb = { 0 };
	const char *q = name ? job_shown(&sb, name) : "";

	switch (r->outcome) {
	case LOOP_SKIPPED:
		diag_error("skipping '%s': not a regular file", q);
		break;
	case LOOP_PASSED:
		note_passed(c, o, q);
		break;
	case LOOP_FAILED:
		c->failures++;
		if (r->what == LOOP_OUTPUT)
			output_error(c, o, q);
		else if (r->what == LOOP_READ_LIST)
			job_inputs_report(&c->in, r);
		else
			job_report(&c->job, r, name);
		break;
	case LOOP_DONE:
		if (c->decompress && decompress_slot_ignored(r->slot))
			diag_error("'%s': trailing garbage after compressed data ignored", q);
		if (o && o->rm_error == RM_REPLACED) {
			diag_error("'%s' was replaced while read; not removed", q);
			c->failures++;
		} else if (o && o->rm_error) {
			diag_error("cannot remove '%s': %s", q, strerror(o->rm_error));
			c->failures++;
		}
		break;
	}
	sb_release(&sb);
	if (o) {
		free(o->name);
		free(o);
	}
	return c->stdout_failed ? -1 : 0;
}

static const char *task_text(int code)
{
	return codec_strerror(code);
}

static int run(struct xcmd *c, int argc, char **argv)
{
	job_init(&c->job);
	c->job.doing = c->decompress ? "decompressing" : "compressing";
	c->job.task_text = task_text;
	c->level = -1;
	c->max_size = DEFAULT_MAX_SIZE;
	c->max_ratio = DEFAULT_MAX_RATIO;

	int n = opt_parse(argc, argv, c->decompress ? decompress_options : compress_options, on_option,
	                  c);
	c->job.quiet = c->quiet;
	if (c->rm && (c->to_stdout || c->test))
		die_usage("--rm cannot be combined with %s", c->test ? "-t" : "-c");
	if (c->outdir && (c->to_stdout || c->test))
		die_usage("-o cannot be combined with %s", c->test ? "-t" : "-c");
	const struct codec_info *ci = &codec_infos[c->format];
	if (c->level < 0)
		c->level = ci->level_default;
	else if (c->level < ci->level_min || c->level > ci->level_max)
		die_usage("%s levels go from %d to %d, not %d", ci->name, ci->level_min, ci->level_max,
		          c->level);
	job_validate(&c->job);
	/* The formats that go through libarchive's writers load it now,
	 * before workers are forked (they inherit it) and while descriptors
	 * are plenty, not at the first chunk. */
	if (!c->decompress && (c->format == CODEC_XZ || c->format == CODEC_BZIP2 ||
	                       c->format == CODEC_LZ4) && !larch()) {
		/* A resource, as memory (ulimit -v) or a missing library:
		 * status 1, as for the workers that cannot start. */
		diag_error("cannot run: %s", larch_error());
		exit(1);
	}

	job_inputs_open(&c->in, argv, n);
	bool any_stdout = c->to_stdout;
	for (int i = 0; i < c->in.noperands; i++)
		any_stdout |= strcmp(c->in.operands[i], "-") == 0;
	if (any_stdout && !c->decompress && !c->test && !c->force && isatty(STDOUT_FILENO))
		die("compressed data is not written to a terminal (use -f to force it)");
	c->stdout_tty = any_stdout && isatty(STDOUT_FILENO);
	if (c->test)
		c->job.doing = "testing";
	outfile_catch_signals();

	struct walk *w = job_inputs_walk(&c->in, next_root, c);
	struct loop_conf conf = {
		.ctx = c,
		.wait_fd = c->in.list_open ? list_fd : NULL,
		.emit = emit,
		.want = want,
		.output = output,
		.settle = settle,
		.restart = restart,
		.serial = c->to_stdout,
		/* An output holds its file and its folder. */
		.out_fds = c->to_stdout || c->test ? 0 : 2,
		/* A stream to a stream is the user's choice; a device to a
		 * file grows without end. */
		.no_devices = !c->to_stdout,
		.stdin_taken = c->in.stdin_list,
		/* -o's folder and the one under it last written to. */
		.source_fds = c->outdir ? 2 : 0,
	};
	job_conf(&c->job, &conf);
	if (c->decompress) {
		conf.task = decompress_task;
		conf.slot_size = decompress_slot_size();
		conf.out_size = conf.chunk_size;
		conf.per_input = 1;
		conf.pinned = true;
	} else {
		conf.task = compress_task;
		size_t chunk = chunk_size((enum codec_format)c->format);
		if (chunk > conf.chunk_size) {
			/* Fewer buffers for larger chunks: the arena stays
			 * near what 1 MiB chunks take. */
			conf.chunk_size = chunk;
			conf.nbuf = c->job.jobs < 8 ? c->job.jobs * 2 + 2 : 18;
		}
		conf.out_size = codec_bound((enum codec_format)c->format, conf.chunk_size);
		/* Enough chunks of one file out to keep every worker busy while
		 * the oldest is still being written. */
		unsigned per = c->job.jobs * 2;
		conf.per_input = per < 2 ? 2 : per > 16 ? 16 : per;
	}
	int r = loop_run(&conf, w);
	walk_destroy(w);
	if (c->folder_fd >= 0)
		xclose(c->folder_fd);
	free(c->folder_rel);
	if (c->outdir_fd >= 0)
		xclose(c->outdir_fd);
	strset_release(&c->outputs);
	int status = job_finish(&c->job, r) || c->failures ? 1 : 0;
	job_inputs_release(&c->in);
	free(c);
	return status;
}

static int start(bool decompress, int argc, char **argv)
{
	struct xcmd *c = calloc(1, sizeof *c);
	if (!c)
		die("out of memory");
	c->decompress = decompress;
	c->format = CODEC_ZSTD;
	c->outdir_fd = c->folder_fd = -1;
	diag_set_command(decompress ? "decompress" : "compress");
	return run(c, argc, argv);
}

int cmd_compress(int argc, char **argv)
{
	return start(false, argc, argv);
}

int cmd_decompress(int argc, char **argv)
{
	return start(true, argc, argv);
}
