/* Unit tests of the engine modules: `make unit`, and part of `make check`.
 * Prints one "ok"/"not ok" line per suite and a closing count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

int unit_failed;

static const struct {
	const char *name;
	unit_fn *fn;
} suites[] = {
	{ "pool", test_pool },
	{ "reorder", test_reorder },
	{ "format", test_format },
	{ "opt", test_opt },
	{ "walk", test_walk },
	{ "stats", test_stats },
	{ "progress", test_progress },
	{ "sumline", test_sumline },
	{ "codec", test_codec },
};

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof suites / sizeof *suites; i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
			continue;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			suites[i].fn();
			fflush(stderr);
			_exit(unit_failed);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0)
			;
		int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (WIFSIGNALED(st))
			fprintf(stderr, "  suite %s killed by signal %d\n", suites[i].name, WTERMSIG(st));
		printf("%s unit %s\n", ok ? "ok" : "not ok", suites[i].name);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
