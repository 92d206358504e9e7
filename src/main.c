/* ptool: a parallel batch processor — one event loop for I/O, a pool of
 * workers for CPU.  The map of the sources:
 *
 *   main.c         this: commands, --help, --version, --complete, help
 *   mantext.h      the man pages as text, made from man/ at build time
 *   cmd_hash.c     `ptool hash`: options, output lines, exit status
 *   cmd_check.c    `ptool check`: checksum lists read, files verified, GNU-style report
 *   cmd_compress.c `ptool compress` and `ptool decompress`: outputs named, placed, reported
 *   cmd_bench.c    `ptool bench`: a job per mode and -j, timed, compared
 *   cmd.h          the command table and option tables
 *   job.c          what the commands that run the loop share: options, messages, the end
 *   opt.c          option tables: parsing, -h, completion, typo hints
 *   diag.c         messages (one write each), usage errors, PTOOL_BUG
 *   loop.c         the event loop: walk -> open/read -> tasks -> ordered results
 *   walk.c         operands and directory walking, in byte order, by descriptor
 *   pathlist.c     -T and checksum lists: records by newline or NUL, read as they come
 *   ioq.c          the I/O engine interface and blocking requests
 *   ioq_uring.c    engine: io_uring driven from the loop's thread
 *   ioq_sync.c     engine: blocking calls on I/O threads (the fallback)
 *   pool.c         the worker pool interface
 *   pool_thread.c  pool backend: threads
 *   pool_fork.c    pool backend: pre-forked processes, a fork server, crash retry
 *   arena.c        the shared mapping of buffers and per-input slots
 *   queue.c        bounded queues between threads, and the thread crews on them
 *   waker.c        how workers and I/O threads wake the loop (eventfd)
 *   reorder.c      results back into input order
 *   hash.c         xxHash as a task function
 *   task_codec.c   compression (a stream per chunk) and decoding as task functions
 *   codec.c        the five formats: libarchive's writers, libzstd, the decoders
 *   larch.c        libarchive, opened with dlopen at its first use
 *   outfile.c      outputs that appear whole or not at all (O_TMPFILE, signals),
 *                  made through their folder's descriptor, never through a symlink
 *   sumline.c      one checksum-list record parsed (GNU, BSD tag, JSON)
 *   strset.c       a set of strings (the names of a run's outputs)
 *   format.c       hex, escaped names (in lines and in messages), JSON strings
 *   stats.c        --stats: duration histograms and the report
 *   out.c          buffered stdout with error checks
 *   xio.c          EINTR-safe read/write/close, closed standard descriptors held,
 *                  free descriptor numbers
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "mantext.h"
#include "xio.h"

#ifndef PTOOL_VERSION
#define PTOOL_VERSION "0.0.0"
#endif

const struct cmd cmds[] = {
	{ "hash", "hash files and trees with xxHash (xxh128, xxh3, xxh64, xxh32)", cmd_hash, hash_options },
	{ "check", "verify checksum lists (ptool's, xxhsum's, GNU and BSD lines)", cmd_check, check_options },
	{ "compress", "compress files and trees in parallel (zstd, gzip, xz, bzip2, lz4)", cmd_compress,
	  compress_options },
	{ "decompress", "decompress or test files of any of the five formats", cmd_decompress,
	  decompress_options },
	{ "bench", "run a job with threads and with processes, and compare", cmd_bench, bench_options },
	{ NULL, NULL, NULL, NULL },
};

static void help(FILE *out)
{
	fprintf(out,
	        "Usage: ptool COMMAND [OPTIONS] [PATH...]\n"
	        "\n"
	        "A parallel batch processor: one event loop reads inputs, a pool of\n"
	        "workers computes; results come out in input order.\n"
	        "\n"
	        "Commands:\n");
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(out, "  %-10s  %s\n", c->name, c->summary);
	fprintf(out,
	        "  %-10s  %s\n"
	        "\n"
	        "Options:\n"
	        "  -h, --help     show this help and exit\n"
	        "      --version  show the version and exit\n"
	        "\n"
	        "'ptool COMMAND -h' lists a command's options; 'ptool help COMMAND' shows\n"
	        "its manual.\n",
	        "help", "show the manual of ptool or of a command: help [COMMAND]");
}

static const struct cmd *find_cmd(const char *name)
{
	for (const struct cmd *c = cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* A usage error for a word that names no command, with the nearest name. */
static _Noreturn void unknown_command(const char *word)
{
	char name[FMT_SHOWN_MAX];
	opt_shown(name, sizeof name, word);
	if (name[0] == '-')
		die_usage("unknown option '%s'", name);
	const char *names[16];
	size_t n = 0;
	for (const struct cmd *k = cmds; k->name && n < 15; k++)
		names[n++] = k->name;
	names[n] = NULL;
	const char *near = opt_nearest(word, names);
	if (near)
		die_usage("unknown command '%s'; did you mean '%s'?", name, near);
	die_usage("unknown command '%s'", name);
}

/* The page's file, if there is one where this binary sits: man/ beside it
 * (a checkout; sanitizer builds are two folders down) or
 * ../share/man/man1 (installed).  buf holds its real path. */
static const char *page_file(char buf[PATH_MAX], const char *page)
{
	char found[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	static const char *const where[] = { "man", "../../man", "../share/man/man1" };
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		int len = snprintf(found, sizeof found, "%s/%s/%s.1", exe, where[i], page);
		if (len > 0 && (size_t)len < sizeof found && access(found, R_OK) == 0 &&
		    realpath(found, buf))
			return buf;
	}
	return NULL;
}

/* ptool help [COMMAND]: the man page through man(1), or its text as
 * built in when man cannot be run. */
static int help_cmd(int argc, char **argv)
{
	if (argc > 3)
		die_usage("help takes one command at most, not %d", argc - 2);
	const char *name = argc == 3 ? argv[2] : "ptool";
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		help(stdout);
		return fflush(stdout) ? 1 : 0;
	}
	if (strcmp(name, "ptool") != 0 && !find_cmd(name))
		unknown_command(name);

	char page[64], file[PATH_MAX];
	snprintf(page, sizeof page, strcmp(name, "ptool") == 0 ? "%s" : "ptool-%s", name);
	const char *path = page_file(file, page);
	if (path)
		execlp("man", "man", "-l", path, (char *)NULL);
	else
		execlp("man", "man", page, (char *)NULL);
	if (errno != ENOENT && errno != EACCES)
		diag_error("cannot run man: %s; the text follows", strerror(errno));

	for (const struct man_text *t = man_texts; t->name; t++)
		if (strcmp(t->name, name) == 0) {
			if (xwrite_all(STDOUT_FILENO, t->text, strlen(t->text)) < 0 && errno != EPIPE) {
				diag_error("write error: %s", strerror(errno));
				return 1;
			}
			return 0;
		}
	PTOOL_BUG("a command without its page's text");
}

/* ptool --complete [CMD [OPTION]]: what the shell completions ask. */
static int complete(int argc, char **argv)
{
	if (argc < 3) {
		for (const struct cmd *c = cmds; c->name; c++)
			printf("%s\t%s\n", c->name, c->summary);
		return 0;
	}
	const struct cmd *c = find_cmd(argv[2]);
	if (c)
		opt_complete(stdout, c->options, argc > 3 ? argv[3] : NULL);
	return 0;
}

int main(int argc, char **argv)
{
	/* Before any descriptor of ours exists: else an eventfd or an
	 * output could take the number of a closed standard descriptor and
	 * be read as input, or receive output and messages. */
	if (xio_reserve_std() < 0)
		die("a standard descriptor is closed and '/dev/null' cannot be opened: %s",
		    strerror(errno));
	if (argc < 2) {
		help(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		help(stdout);
		return fflush(stdout) ? 1 : 0;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("ptool %s\n", PTOOL_VERSION);
		return fflush(stdout) ? 1 : 0;
	}
	if (strcmp(name, "--complete") == 0)
		return complete(argc, argv);
	if (strcmp(name, "help") == 0)
		return help_cmd(argc, argv);

	const struct cmd *c = find_cmd(name);
	if (!c)
		unknown_command(name);
	return c->run(argc - 1, argv + 1);
}
