/* opt: one declarative option table per command drives parsing, `-h`,
 * and the hidden `ptool --complete` that the shell completions call.
 *
 * Accepted forms: -j8, -j 8, --jobs=8, --jobs 8, bundled flags (-zL),
 * operands anywhere (GNU order), `--` ends options, a lone `-` is an
 * operand.  Errors are usage errors: opt.c may die().  A value that a
 * message quotes is escaped as names in output lines are (format.h), so
 * that the message stays one line. */
#ifndef PTOOL_OPT_H
#define PTOOL_OPT_H

#include <stdbool.h>
#include <stdio.h>

enum opt_complete {
	OPT_COMPLETE_NONE,
	OPT_COMPLETE_FILE,
	OPT_COMPLETE_VALUES,
};

struct opt {
	int id;                     /* what opt_parse hands to the callback */
	char short_name;            /* 0: none */
	const char *long_name;      /* NULL: none */
	const char *metavar;        /* NULL: takes no value */
	const char *help;
	enum opt_complete complete;
	const char *const *values;  /* NULL-terminated, for OPT_COMPLETE_VALUES */
	bool optional;              /* the value may be left out: --stats or
	                               --stats=json, never --stats json */
};

/* Called once per option met, with its value (NULL for flags). */
typedef void opt_fn(void *ctx, const struct opt *opt, const char *value);

/* Parse argv[1..argc-1] against table (ended by an entry with id 0).
 * Operands are moved, in order, to the front of argv; their count is
 * returned. */
int opt_parse(int argc, char **argv, const struct opt *table, opt_fn *fn, void *ctx);

/* The short usage: synopsis line, then the table. */
void opt_usage(FILE *out, const char *synopsis, const struct opt *table);

/* `ptool --complete CMD [OPTION]` output, see the completion scripts. */
void opt_complete(FILE *out, const struct opt *table, const char *option);

/* A name from names (NULL-terminated) close to word, or NULL. */
const char *opt_nearest(const char *word, const char *const *names);

/* The index of value in opt->values, or die with a usage error:
 * "unknown NOUN 'value' (valid: a, b, c)". */
int opt_choice(const struct opt *opt, const char *value, const char *noun);

/* A whole number from lo to hi, or die with a usage error naming the option. */
long opt_number(const struct opt *opt, const char *value, long lo, long hi);

/* A size in bytes: a whole number with an optional K, M, G or T suffix
 * (powers of 1024; "KiB", "MB" and the like are read the same), at least
 * min; or die with a usage error. */
unsigned long long opt_size(const struct opt *opt, const char *value, unsigned long long min);

/* A positive number of seconds, fractions allowed, at most a day. */
double opt_seconds(const struct opt *opt, const char *value);

/* s as a usage error quotes it, in buf: escaped and cut to fit size as
 * fmt_shown does for names. */
const char *opt_shown(char *buf, size_t size, const char *s);

/* "-j/--jobs", "--tag" or "-H": how messages name an option. */
const char *opt_name(const struct opt *opt, char *buf, size_t size);

#endif
