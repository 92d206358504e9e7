/* The option parser: every spelling of a value, bundles, operands in
 * GNU order, `--`, and the typo hint. */
#include <string.h>

#include "opt.h"
#include "unit.h"

enum { A = 1, Z, J, L };
static const struct opt table[] = {
	{ A, 'a', "algo", "NAME", "algorithm", 0, NULL, false },
	{ Z, 'z', "zero", NULL, "zero", 0, NULL, false },
	{ J, 'j', "jobs", "N", "jobs", 0, NULL, false },
	{ L, 'L', "follow", NULL, "follow", 0, NULL, false },
	{ 0 },
};

struct seen {
	char log[256];
};

static void on(void *ctx, const struct opt *o, const char *v)
{
	struct seen *s = ctx;
	char item[64];
	snprintf(item, sizeof item, "%c=%s;", o->short_name, v ? v : "");
	strncat(s->log, item, sizeof s->log - strlen(s->log) - 1);
}

static int parse(const char *want_log, int want_ops, int argc, char **argv)
{
	struct seen s = { "" };
	int n = opt_parse(argc, argv, table, on, &s);
	if (strcmp(s.log, want_log) != 0 || n != want_ops) {
		fprintf(stderr, "  log '%s' (want '%s'), %d operands (want %d)\n", s.log, want_log, n,
		        want_ops);
		return 0;
	}
	return 1;
}

void test_opt(void)
{
	{
		char *argv[] = { "hash", "-j8", "-j", "8", "--jobs=8", "--jobs", "8", NULL };
		CHECK(parse("j=8;j=8;j=8;j=8;", 0, 7, argv));
	}
	{
		char *argv[] = { "hash", "dir", "-zL", "-", "--", "-z", NULL };
		CHECK(parse("z=;L=;", 3, 6, argv));
		CHECK(strcmp(argv[0], "dir") == 0 && strcmp(argv[1], "-") == 0 &&
		      strcmp(argv[2], "-z") == 0);
	}
	{
		char *argv[] = { "hash", "-zaxxh3", "--algo=", NULL };
		CHECK(parse("z=;a=xxh3;a=;", 0, 3, argv));
	}
	static const char *const names[] = { "algo", "zero", "jobs", "follow", NULL };
	CHECK(opt_nearest("algp", names) && strcmp(opt_nearest("algp", names), "algo") == 0);
	CHECK(opt_nearest("flolow", names) && strcmp(opt_nearest("flolow", names), "follow") == 0);
	CHECK(opt_nearest("xyzzy", names) == NULL);
	static const char *const cmds[] = { "hash", "check", NULL };
	CHECK(opt_nearest("hsh", cmds) && strcmp(opt_nearest("hsh", cmds), "hash") == 0);
}
