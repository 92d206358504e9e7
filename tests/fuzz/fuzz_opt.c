/* libFuzzer target: the option parser (opt.c) over the commands' real
 * option tables.
 *
 * The first byte picks the table (its low three bits: hash, check,
 * compress, decompress, bench) and whether to print the usage and the
 * completion list too (bit 3).  The rest, split on NUL bytes, is the
 * command's argv after its name.  Each argument is a heap block of its
 * own exact size, so that a read past one is caught.
 *
 * Usage errors come back here: this file defines die_usage (in place of
 * diag.c's, which exits), checks that the message is one line, and
 * longjmps to the harness.  opt.c allocates nothing; what the harness
 * allocates is reachable from `run` and freed on both paths.
 *
 * Besides the sanitizers' checks, the parser must keep opt.h's promises:
 * each option handed to the callback is an entry of the table; a value is
 * NULL exactly for a flag (or an optional value left out) and lies inside
 * one argument; the operands come back at the front of argv, in order,
 * and they are exactly the arguments that are neither options, nor
 * values, nor the first "--".  The value parsers are run as the commands
 * run them, and must return what they promise or die. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

static const struct {
	const char *name;
	const struct opt *table;
} tables[] = {
	{ "hash", hash_options },
	{ "check", check_options },
	{ "compress", compress_options },
	{ "decompress", decompress_options },
	{ "bench", bench_options },
};

/* What the commands hand opt_number and opt_size, by long name (ranges
 * from cmd_*.c and job.c); an option not listed gets the widest. */
static const struct {
	const char *name;
	long lo, hi;
} number_ranges[] = {
	{ "jobs", 1, 1024 },
	{ "level", 0, 22 },
	{ "max-ratio", 0, 1L << 30 },
	{ "runs", 1, 1000 },
};

static const struct {
	const char *name;
	unsigned long long min;
} size_mins[] = {
	{ "worker-memory", 16ULL << 20 },
	{ "max-size", 1 },
};

static struct run {
	const struct opt *table;
	size_t nentries;
	char *args[MAX_ARGS + 1];   /* as given; argv is reordered */
	char **argv;
	int argc;
	bool value[MAX_ARGS];       /* args[i] was handed over as a value */
	char *list;                 /* a LIST value's copy, being split */
} run;

static jmp_buf back;

_Noreturn void die_usage(const char *fmt, ...)
{
	static char msg[16384];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n <= 0)
		abort();
	size_t len = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
	/* diag.c adds the newline and the hint: the message itself must be
	 * one line, or a value given on the command line could forge more. */
	if (strlen(msg) != len || memchr(msg, '\n', len) || memchr(msg, '\r', len))
		abort();
	longjmp(back, 1);
}

/* The argument that holds p (its terminating NUL included), or -1. */
static int holder(const char *p)
{
	uintptr_t a = (uintptr_t)p;
	for (int i = 0; i < run.argc; i++) {
		uintptr_t s = (uintptr_t)run.args[i];
		if (a >= s && a <= s + strlen(run.args[i]))
			return i;
	}
	return -1;
}

static void check_name(const struct opt *o, size_t room)
{
	char full[64];
	char *buf = malloc(room);
	if (!buf)
		return;
	opt_name(o, full, sizeof full);
	const char *got = opt_name(o, buf, room);
	if (got != buf || strlen(buf) >= room || strncmp(buf, full, strlen(buf)) != 0)
		abort();
	free(buf);
}

static long number_value(const struct opt *o, const char *v)
{
	long lo = 0, hi = LONG_MAX;
	for (size_t i = 0; i < sizeof number_ranges / sizeof *number_ranges; i++)
		if (o->long_name && strcmp(o->long_name, number_ranges[i].name) == 0)
			lo = number_ranges[i].lo, hi = number_ranges[i].hi;
	long n = opt_number(o, v, lo, hi);
	if (n < lo || n > hi)
		abort();
	return n;
}

/* bench's lists: comma-separated, -j's items numbers as opt_number reads
 * them, --modes' names checked by bench itself. */
static void list_value(const struct opt *o, const char *v)
{
	run.list = strdup(v);
	if (!run.list)
		return;
	char *save = NULL;
	for (char *tok = strtok_r(run.list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (o->short_name == 'j')
			number_value(o, tok);
	free(run.list);
	run.list = NULL;
}

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	uintptr_t a = (uintptr_t)o, t = (uintptr_t)run.table;

	if (a < t || a >= t + run.nentries * sizeof *o || (a - t) % sizeof *o)
		abort();
	if (!o->metavar ? v != NULL : !o->optional && !v)
		abort();
	/* Room for all of it, and short of it. */
	check_name(o, 64);
	check_name(o, 1 + (size_t)o->id % 16);
	if (!v)
		return;
	int h = holder(v);
	if (h < 1)
		abort();
	if (v == run.args[h]) {
		/* A value of its own: the next argument after an option, once. */
		if (run.value[h] || run.args[h - 1][0] != '-')
			abort();
		run.value[h] = true;
	}

	if (strcmp(o->metavar, "LIST") == 0) {
		list_value(o, v);
	} else if (o->values) {
		int i = opt_choice(o, v, "value");
		if (i < 0 || strcmp(o->values[i], v) != 0)
			abort();
	} else if (strcmp(o->metavar, "N") == 0) {
		number_value(o, v);
	} else if (strcmp(o->metavar, "SIZE") == 0) {
		unsigned long long min = 0;
		for (size_t i = 0; i < sizeof size_mins / sizeof *size_mins; i++)
			if (o->long_name && strcmp(o->long_name, size_mins[i].name) == 0)
				min = size_mins[i].min;
		if (opt_size(o, v, min) < min)
			abort();
	} else if (strcmp(o->metavar, "SECONDS") == 0) {
		double s = opt_seconds(o, v);
		if (!(s > 0 && s <= 86400))
			abort();
	}
}

/* After opt_parse(split, ...) returned n: the operands are the arguments
 * below split that no option took, in order, and nothing else moved. */
static void check_operands(int n, int split)
{
	if (n < 0 || n > split - 1)
		abort();
	int k = 0;
	bool only_operands = false;
	for (int i = 1; i < split; i++) {
		const char *a = run.args[i];
		bool operand;
		if (run.value[i])
			operand = false;
		else if (only_operands || a[0] != '-' || a[1] == '\0')
			operand = true;
		else
			operand = false, only_operands = strcmp(a, "--") == 0;
		if (operand && (k == n || run.argv[k++] != a))
			abort();
	}
	if (k != n)
		abort();
	for (int i = split; i <= run.argc; i++)
		if (run.argv[i] != run.args[i])
			abort();
}

/* opt_complete for one word: nothing, "@file", or the values of the
 * entry that word names.  A buffer of our own: open_memstream clears
 * pages of its own each time, most of the target's time. */
static void check_complete(const char *word)
{
	static char text[4096];
	FILE *out = fmemopen(text, sizeof text, "w");
	if (!out)
		return;
	opt_complete(out, run.table, word);
	long end = ftell(out);
	if (fclose(out) != 0 || end < 0 || (size_t)end >= sizeof text)
		abort();
	size_t len = (size_t)end;
	text[len] = '\0';
	bool ok = len == 0 || strcmp(text, "@file\n") == 0;
	for (const struct opt *o = run.table; !ok && o->id; o++) {
		if (!o->values)
			continue;
		size_t at = 0;
		const char *const *v;
		for (v = o->values; *v; v++) {
			size_t l = strlen(*v);
			if (at + l >= len || memcmp(text + at, *v, l) != 0 || text[at + l] != '\n')
				break;
			at += l + 1;
		}
		ok = !*v && at == len;
	}
	if (!ok)
		abort();
}

static void print_all(void)
{
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		return;
	opt_usage(out, "ptool CMD [OPTIONS] [PATH...]", run.table);
	opt_complete(out, run.table, NULL);
	if (fclose(out) != 0)
		abort();
}

/* opt_nearest gives one of the names, or nothing. */
static void check_nearest(const char *word)
{
	const char *names[128];
	size_t n = 0;
	for (const struct opt *o = run.table; o->id && n < 127; o++)
		if (o->long_name)
			names[n++] = o->long_name;
	names[n] = NULL;
	const char *near = opt_nearest(word, names);
	if (!near)
		return;
	size_t i = 0;
	while (i < n && names[i] != near)
		i++;
	if (i == n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned pick = (data[0] & 7) % (sizeof tables / sizeof *tables);

	memset(&run, 0, sizeof run);
	run.table = tables[pick].table;
	while (run.table[run.nentries].id)
		run.nentries++;
	run.args[run.argc++] = strdup(tables[pick].name);
	for (size_t at = 1; at <= size && run.argc < MAX_ARGS;) {
		const uint8_t *nul = memchr(data + at, 0, size - at);
		size_t len = nul ? (size_t)(nul - data) - at : size - at;
		char *a = malloc(len + 1);
		if (a) {
			memcpy(a, data + at, len);
			a[len] = '\0';
			run.args[run.argc++] = a;
		}
		at += len + 1;
	}
	run.argv = malloc(sizeof *run.argv * (size_t)(run.argc + 1));
	if (!run.argv || !run.args[0])
		goto out;
	memcpy(run.argv, run.args, sizeof *run.argv * (size_t)(run.argc + 1));

	if (data[0] & 8)
		print_all();
	for (int i = 1; i < run.argc; i++)
		if (run.args[i][0] == '-')
			check_complete(run.args[i]);

	/* bench parses its options only up to "--": the job follows. */
	int split = run.argc;
	if (run.table == bench_options)
		for (int i = 1; i < run.argc; i++)
			if (strcmp(run.args[i], "--") == 0) {
				split = i;
				break;
			}
	if (setjmp(back) == 0) {
		int n = opt_parse(split, run.argv, run.table, on_option, NULL);
		check_operands(n, split);
		/* As main.c asks it of a command's name: once, not per
		 * operand, where its cost would take over the target's time. */
		if (n > 0)
			check_nearest(run.argv[0]);
	}
out:
	free(run.list);
	free(run.argv);
	for (int i = 0; i < run.argc; i++)
		free(run.args[i]);
	return 0;
}
