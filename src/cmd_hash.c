/* cmd_hash: `ptool hash`, the command line over hash.c and loop.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "hash.h"
#include "job.h"
#include "loop.h"
#include "out.h"
#include "stats.h"
#include "walk.h"

enum {
	OPT_ALGO = 1,
	OPT_H,
	OPT_TAG,
	OPT_LE,
	OPT_ZERO,
	OPT_JSON,
	OPT_CHECK,
	OPT_HELP,
};

static const char *const algo_values[] = { "xxh128", "xxh3", "xxh64", "xxh32", NULL };
static const char *const h_values[] = { "0", "1", "2", "3", NULL };

const struct opt hash_options[] = {
	{ OPT_ALGO, 'a', "algo", "NAME", "algorithm: xxh128 (default), xxh3, xxh64, xxh32",
	  OPT_COMPLETE_VALUES, algo_values, false },
	{ OPT_H, 'H', NULL, "N", "algorithm as xxhsum numbers it: 0 xxh32, 1 xxh64, 2 xxh128, 3 xxh3",
	  OPT_COMPLETE_VALUES, h_values, false },
	{ OPT_TAG, 0, "tag", NULL, "BSD-style lines: XXH64 (name) = hex", 0, NULL, false },
	{ OPT_LE, 0, "little-endian", NULL, "digests in little-endian byte order", 0, NULL, false },
	{ OPT_ZERO, 'z', "zero", NULL, "end lines with NUL, not newline; no escaping", 0, NULL, false },
	{ OPT_JSON, 0, "json", NULL, "JSON Lines: path, algo, hash, size", 0, NULL, false },
	JOB_INPUT_OPTIONS,
	{ OPT_CHECK, 'c', "check", NULL, "verify checksum lists instead (see ptool check)", 0, NULL, false },
	JOB_OPTIONS,
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

struct hash_cmd {
	int algo;
	bool tag, little_endian, zero, json;
	struct job job;
	struct job_inputs in;
	/* the run */
	unsigned failures;
	struct strbuf line;
};

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	struct hash_cmd *c = ctx;

	if (job_option(&c->job, o, v) || job_input_option(&c->in, o, v))
		return;
	switch (o->id) {
	case OPT_ALGO:
		c->algo = hash_by_name(o->values[opt_choice(o, v, "algorithm")]);
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
		if (c->algo < 0) {
			char show[FMT_SHOWN_MAX];
			die_usage("-H: '%s' is not an algorithm number (0, 1, 2, 3)",
			          opt_shown(show, sizeof show, v));
		}
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
	case OPT_CHECK:
		die_usage("-c cannot be bundled with other flags: write it apart, or run 'ptool check'");
	case OPT_HELP:
		opt_usage(stdout, "ptool hash [OPTIONS] [PATH...]\n"
		          "Hash files, directory trees (recursively) or standard input with xxHash.",
		          hash_options);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
}

/* Operands first, then the -T list. */
static const char *next_root(void *ctx, uint32_t *op, int *error)
{
	struct hash_cmd *c = ctx;

	*op = (uint32_t)c->algo;
	return job_inputs_next(&c->in, error);
}

static void report(struct hash_cmd *c, const struct loop_result *r, const char *name)
{
	if (r->what == LOOP_READ_LIST)
		job_inputs_report(&c->in, r);
	else
		job_report(&c->job, r, name);
}

static int list_fd(void *ctx)
{
	struct hash_cmd *c = ctx;
	return job_inputs_fd(&c->in);
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
		sb_adds(&msg, job_what_text(r->what));
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
	(void)out_flush(&c->job.out);
}

static int emit(void *ctx, const struct loop_result *r)
{
	struct hash_cmd *c = ctx;
	const char *name = r->is_stdin ? "stdin" : r->path;

	if (r->outcome == LOOP_SKIPPED) {
		struct strbuf sb = { 0 };
		diag_error("skipping '%s': not a regular file", job_shown(&sb, name));
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
	if (out_add(&c->job.out, c->line.data, c->line.len) < 0 || out_end_record(&c->job.out) < 0)
		return -1;
	return 0;
}

/* -c or --check as a word of its own, before any "--": hash -c is check. */
static int check_flag(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--check") == 0)
			return i;
	}
	return 0;
}

int cmd_hash(int argc, char **argv)
{
	int at = check_flag(argc, argv);
	if (at) {
		memmove(argv + at, argv + at + 1, (size_t)(argc - at) * sizeof *argv);
		return cmd_check(argc - 1, argv);
	}

	struct hash_cmd *c = calloc(1, sizeof *c);
	if (!c)
		die("out of memory");
	c->algo = HASH_XXH128;
	job_init(&c->job);
	diag_set_command("hash");

	int n = opt_parse(argc, argv, hash_options, on_option, c);
	if (c->json && c->tag)
		die_usage("--json and --tag cannot be combined");
	job_validate(&c->job);
	job_inputs_open(&c->in, argv, n);

	struct walk *w = job_inputs_walk(&c->in, next_root, c);
	struct loop_conf conf = {
		.task = hash_task,
		.slot_size = hash_slot_size(),
		.emit = emit,
		.idle = idle,
		.ctx = c,
		.wait_fd = c->in.list_open ? list_fd : NULL,
		.stdin_taken = c->in.stdin_list,
	};
	job_conf(&c->job, &conf);
	int r = loop_run(&conf, w);
	walk_destroy(w);
	int status = job_finish(&c->job, r) || c->failures ? 1 : 0;
	job_inputs_release(&c->in);
	sb_release(&c->line);
	free(c);
	return status;
}
