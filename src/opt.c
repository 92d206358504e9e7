/* opt: see opt.h. */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "format.h"

/* The one way messages quote a name or a word (format.h), so that a value
 * given on the command line can neither break a message into lines nor
 * write a terminal sequence. */
const char *opt_shown(char *buf, size_t size, const char *s)
{
	return fmt_shown(buf, size, s);
}

const char *opt_name(const struct opt *opt, char *buf, size_t size)
{
	if (opt->short_name && opt->long_name)
		snprintf(buf, size, "-%c/--%s", opt->short_name, opt->long_name);
	else if (opt->long_name)
		snprintf(buf, size, "--%s", opt->long_name);
	else
		snprintf(buf, size, "-%c", opt->short_name);
	return buf;
}

/* Optimal string alignment distance: edits, with a swap of neighbours
 * counted as one.  Short words only (option and command names). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *opt_nearest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) / 3 + 1;

	if (limit > 3)
		limit = 3;
	for (; *names; names++) {
		size_t d = distance(word, *names);
		/* A prefix of a name is a likely abbreviation, too. */
		if (strlen(word) >= 2 && strncmp(*names, word, strlen(word)) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = *names;
		}
	}
	return best_d <= limit ? best : NULL;
}

static const struct opt *find_long(const struct opt *table, const char *name, size_t len)
{
	for (; table->id; table++)
		if (table->long_name && strlen(table->long_name) == len &&
		    memcmp(table->long_name, name, len) == 0)
			return table;
	return NULL;
}

static const struct opt *find_short(const struct opt *table, char c)
{
	for (; table->id; table++)
		if (table->short_name == c)
			return table;
	return NULL;
}

_Noreturn static void unknown_long(const struct opt *table, const char *arg, size_t len)
{
	const char *names[128];
	size_t n = 0;
	char word[128], show[FMT_SHOWN_MAX];

	for (; table->id && n < 127; table++)
		if (table->long_name)
			names[n++] = table->long_name;
	names[n] = NULL;
	snprintf(word, sizeof word, "%.*s", (int)(len < 100 ? len : 100), arg);
	const char *near = opt_nearest(word, names);
	opt_shown(show, sizeof show, word);
	if (near)
		die_usage("unknown option '--%s'; did you mean '--%s'?", show, near);
	die_usage("unknown option '--%s'", show);
}

int opt_parse(int argc, char **argv, const struct opt *table, opt_fn *fn, void *ctx)
{
	int nops = 0;
	bool only_operands = false;
	char buf[64], show[FMT_SHOWN_MAX];

	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];

		if (only_operands || arg[0] != '-' || arg[1] == '\0') {
			argv[nops++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_operands = true;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *o = find_long(table, name, len);
			if (!o)
				unknown_long(table, name, len);
			if (!o->metavar || (o->optional && !eq)) {
				if (eq)
					die_usage("option '--%s' takes no value", o->long_name);
				fn(ctx, o, NULL);
			} else if (eq) {
				fn(ctx, o, eq + 1);
			} else if (i + 1 < argc) {
				fn(ctx, o, argv[++i]);
			} else {
				die_usage("option '--%s' needs a value", o->long_name);
			}
			continue;
		}
		for (char *p = arg + 1; *p; p++) {
			const struct opt *o = find_short(table, *p);
			if (!o) {
				if ((unsigned char)*p < 0x80 && *p > ' ')
					die_usage("unknown option '-%c'", *p);
				die_usage("unknown option in '%s'", opt_shown(show, sizeof show, arg));
			}
			if (!o->metavar) {
				fn(ctx, o, NULL);
				continue;
			}
			if (p[1]) {
				fn(ctx, o, p + 1);
			} else if (i + 1 < argc) {
				fn(ctx, o, argv[++i]);
			} else {
				die_usage("option '%s' needs a value", opt_name(o, buf, sizeof buf));
			}
			break;
		}
	}
	return nops;
}

int opt_choice(const struct opt *opt, const char *value, const char *noun)
{
	char valid[256], show[FMT_SHOWN_MAX];
	size_t len = 0;

	valid[0] = '\0';
	for (int i = 0; opt->values[i]; i++) {
		if (strcmp(opt->values[i], value) == 0)
			return i;
		int n = snprintf(valid + len, sizeof valid - len, "%s%s", i ? ", " : "", opt->values[i]);
		if (n > 0 && (size_t)n < sizeof valid - len)
			len += (size_t)n;
	}
	die_usage("unknown %s '%s' (valid: %s)", noun, opt_shown(show, sizeof show, value), valid);
}

long opt_number(const struct opt *opt, const char *value, long lo, long hi)
{
	char buf[64], show[FMT_SHOWN_MAX];
	char *end;

	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || !(*value >= '0' && *value <= '9') || *end || v < lo || v > hi)
		die_usage("%s: '%s' is not a whole number from %ld to %ld",
		          opt_name(opt, buf, sizeof buf), opt_shown(show, sizeof show, value), lo, hi);
	return v;
}

unsigned long long opt_size(const struct opt *opt, const char *value, unsigned long long min)
{
	char buf[64], show[FMT_SHOWN_MAX];
	char *end;
	unsigned shift = 0;

	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (!(*value >= '0' && *value <= '9') || errno)
		goto bad;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (shift && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || (shift && v > (~0ULL >> shift)))
		goto bad;
	v <<= shift;
	if (v < min) {
		/* In M when it is a whole number of them ("16M"), else in bytes. */
		bool in_m = min % (1ULL << 20) == 0;
		die_usage("%s: '%s' is less than the least that works, %llu%s",
		          opt_name(opt, buf, sizeof buf), opt_shown(show, sizeof show, value),
		          in_m ? min >> 20 : min, in_m ? "M" : "");
	}
	return v;
bad:
	die_usage("%s: '%s' is not a size (a number, with K, M, G or T)",
	          opt_name(opt, buf, sizeof buf), opt_shown(show, sizeof show, value));
}

double opt_seconds(const struct opt *opt, const char *value)
{
	char buf[64], show[FMT_SHOWN_MAX];
	char *end;

	errno = 0;
	double v = strtod(value, &end);
	if (!(*value >= '0' && *value <= '9') || errno || *end || !(v > 0) || v > 86400)
		die_usage("%s: '%s' is not a number of seconds from 0 to 86400",
		          opt_name(opt, buf, sizeof buf), opt_shown(show, sizeof show, value));
	return v;
}

void opt_usage(FILE *out, const char *synopsis, const struct opt *table)
{
	fprintf(out, "Usage: %s\n\nOptions:\n", synopsis);
	for (; table->id; table++) {
		char left[64];
		int n;

		if (!table->help)
			continue;
		if (table->short_name && table->long_name)
			n = snprintf(left, sizeof left, "-%c, --%s", table->short_name, table->long_name);
		else if (table->long_name)
			n = snprintf(left, sizeof left, "    --%s", table->long_name);
		else
			n = snprintf(left, sizeof left, "-%c", table->short_name);
		if (table->metavar && n > 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - (size_t)n, table->optional ? "[=%s]" : "%s%s",
			         table->optional ? table->metavar : table->long_name ? "=" : " ",
			         table->metavar);
		if (strlen(left) <= 24)
			fprintf(out, "  %-24s  %s\n", left, table->help);
		else
			fprintf(out, "  %s\n  %-24s  %s\n", left, "", table->help);
	}
}

void opt_complete(FILE *out, const struct opt *table, const char *option)
{
	if (!option) {
		for (; table->id; table++) {
			if (!table->help)
				continue;
			/* An optional value is never a word of its own. */
			const char *mv = table->metavar && !table->optional ? table->metavar : "";
			if (table->short_name)
				fprintf(out, "-%c\t%s\t%s\n", table->short_name, mv, table->help);
			if (table->long_name)
				fprintf(out, "--%s\t%s\t%s\n", table->long_name, mv, table->help);
		}
		return;
	}
	const struct opt *o = NULL;
	if (option[0] == '-' && option[1] == '-')
		o = find_long(table, option + 2, strcspn(option + 2, "="));
	else if (option[0] == '-' && option[1] && !option[2])
		o = find_short(table, option[1]);
	if (!o || !o->metavar)
		return;
	if (o->complete == OPT_COMPLETE_FILE)
		fprintf(out, "@file\n");
	else if (o->complete == OPT_COMPLETE_VALUES)
		for (const char *const *v = o->values; *v; v++)
			fprintf(out, "%s\n", *v);
}
