/* cmd_bench: `ptool bench`, threads and processes compared on one job.
 *
 * Each (mode, jobs) pair runs the job as a child process of this binary,
 * `ptool COMMAND --mode=M -jJ --stats=json ARGS...`, with its output
 * discarded.  Wall time, CPU and peak RSS come from wait4() on the child
 * (workers included: in fork mode they are its descendants); bytes, inputs
 * and task times from its --stats line.  Runs are interleaved (every pair
 * once, then again), so a machine that drifts hits every pair alike. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "format.h"
#include "xio.h"

extern char **environ;

enum {
	OPT_MODES = 1,
	OPT_JOBS,
	OPT_RUNS,
	OPT_JSON,
	OPT_HELP,
};

static const char *const modes_values[] = { "thread,fork", "thread", "fork", NULL };

const struct opt bench_options[] = {
	{ OPT_MODES, 0, "modes", "LIST", "modes to compare (default: thread,fork)",
	  OPT_COMPLETE_VALUES, modes_values, false },
	{ OPT_JOBS, 'j', "jobs", "LIST", "worker counts, comma-separated (default: 1 and the CPUs)",
	  0, NULL, false },
	{ OPT_RUNS, 'n', "runs", "N", "timed runs of each pair (default: 5)", 0, NULL, false },
	{ OPT_JSON, 0, "json", NULL, "print the results as one JSON object", 0, NULL, false },
	{ OPT_HELP, 'h', "help", NULL, "show this help and exit", 0, NULL, false },
	{ 0 },
};

#define MAX_MODES 2
#define MAX_JOBS 16

struct sample {
	double wall, cpu, rss_kb, bytes, inputs, p50_ns, p99_ns;
};

struct bench {
	const char *modes[MAX_MODES];
	int nmodes;
	unsigned jobs[MAX_JOBS];
	int njobs;
	long runs;
	bool json;
	bool warned;
	char **job;             /* COMMAND ARGS... */
	int njob;
	struct sample *s;       /* [mode][jobs][run] */
};

static struct sample *at(struct bench *b, int m, int j, long r)
{
	return &b->s[((size_t)m * (size_t)b->njobs + (size_t)j) * (size_t)b->runs + (size_t)r];
}

static void parse_modes(struct bench *b, const char *v)
{
	char *copy = strdup(v);
	if (!copy)
		die("out of memory");
	b->nmodes = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *m = strcmp(tok, "thread") == 0 ? "thread" : strcmp(tok, "fork") == 0 ? "fork" : NULL;
		char show[FMT_SHOWN_MAX];
		if (!m)
			die_usage("unknown mode '%s' (valid: thread, fork)", opt_shown(show, sizeof show, tok));
		for (int i = 0; i < b->nmodes; i++)
			if (b->modes[i] == m)
				die_usage("mode '%s' given twice", m);
		b->modes[b->nmodes++] = m;
	}
	free(copy);
	if (b->nmodes == 0)
		die_usage("--modes needs at least one mode");
}

static void parse_jobs(struct bench *b, const struct opt *o, const char *v)
{
	char *copy = strdup(v);
	if (!copy)
		die("out of memory");
	b->njobs = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (b->njobs == MAX_JOBS)
			die_usage("-j/--jobs: at most %d values", MAX_JOBS);
		b->jobs[b->njobs++] = (unsigned)opt_number(o, tok, 1, 1024);
	}
	free(copy);
	if (b->njobs == 0)
		die_usage("-j/--jobs needs at least one number");
}

static void on_option(void *ctx, const struct opt *o, const char *v)
{
	struct bench *b = ctx;

	switch (o->id) {
	case OPT_MODES:
		parse_modes(b, v);
		break;
	case OPT_JOBS:
		parse_jobs(b, o, v);
		break;
	case OPT_RUNS:
		b->runs = opt_number(o, v, 1, 1000);
		break;
	case OPT_JSON:
		b->json = true;
		break;
	case OPT_HELP:
		opt_usage(stdout, "ptool bench [OPTIONS] -- COMMAND [ARGS...]\n"
		          "Run a job in each mode and with each worker count; compare.",
		          bench_options);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The number after `key` in our own --stats JSON (after `within`, when
 * given), or 0. */
static double json_num(const char *json, const char *within, const char *key)
{
	const char *p = within ? strstr(json, within) : json;
	p = p ? strstr(p, key) : NULL;
	return p ? strtod(p + strlen(key), NULL) : 0;
}

/* One run of the job; dies on a usage error of the job. */
static void run_once(struct bench *b, const char *mode, unsigned jobs, struct sample *out)
{
	char mode_arg[32], jobs_arg[32];
	snprintf(mode_arg, sizeof mode_arg, "--mode=%s", mode);
	snprintf(jobs_arg, sizeof jobs_arg, "-j%u", jobs);

	char **argv = calloc((size_t)b->njob + 6, sizeof *argv);
	if (!argv)
		die("out of memory");
	int n = 0;
	argv[n++] = "ptool";
	argv[n++] = b->job[0];
	argv[n++] = mode_arg;
	argv[n++] = jobs_arg;
	argv[n++] = "--stats=json";
	for (int i = 1; i < b->njob; i++)
		argv[n++] = b->job[i];

	int err_pipe[2];
	if (pipe2(err_pipe, O_CLOEXEC) < 0)
		die("cannot make a pipe: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);

	double t0 = now_s();
	pid_t pid;
	int e = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	xclose(err_pipe[1]);
	if (e)
		die("cannot run the job: %s", strerror(e));

	struct strbuf err = { 0 };
	char buf[4096];
	ssize_t got;
	while ((got = read(err_pipe[0], buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sb_add(&err, buf, (size_t)got);
	}
	xclose(err_pipe[0]);
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	double wall = now_s() - t0;
	free(argv);

	/* The stats are the last line; anything before is the job's word. */
	const char *json = "";
	if (err.len) {
		err.data[err.len - 1] = '\0';
		char *nl = strrchr(err.data, '\n');
		json = nl ? nl + 1 : err.data;
		if (nl && !b->warned)
			(void)xwrite_all(STDERR_FILENO, err.data, (size_t)(nl + 1 - err.data));
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1 || json[0] != '{') {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
			die("the job is not valid: 'ptool %s ...' gave a usage error", b->job[0]);
		die("the job failed (%s %d) with --mode=%s -j%u",
		    WIFSIGNALED(st) ? "signal" : "exit status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), mode, jobs);
	}
	if (WEXITSTATUS(st) == 1 && !b->warned)
		diag_error("the job reported failed inputs; the figures include them");
	b->warned = b->warned || WEXITSTATUS(st) == 1 || json != err.data;

	out->wall = wall;
	out->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	out->rss_kb = (double)ru.ru_maxrss;
	out->bytes = json_num(json, NULL, "\"bytes\":");
	out->inputs = json_num(json, NULL, "\"inputs\":");
	out->p50_ns = json_num(json, "\"task_run_ns\":", "\"p50\":");
	out->p99_ns = json_num(json, "\"task_run_ns\":", "\"p99\":");
	sb_release(&err);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of one field over the runs of a pair. */
static double median(struct bench *b, int m, int j, size_t field)
{
	double *v = malloc(sizeof *v * (size_t)b->runs);
	if (!v)
		die("out of memory");
	for (long r = 0; r < b->runs; r++) {
		const struct sample *s = at(b, m, j, r);
		v[r] = *(const double *)((const char *)s + field);
	}
	qsort(v, (size_t)b->runs, sizeof *v, cmp_double);
	double med = b->runs % 2 ? v[b->runs / 2] : (v[b->runs / 2 - 1] + v[b->runs / 2]) / 2;
	free(v);
	return med;
}

static double extreme(struct bench *b, int m, int j, bool max)
{
	double x = at(b, m, j, 0)->wall;
	for (long r = 1; r < b->runs; r++) {
		double w = at(b, m, j, r)->wall;
		if (max ? w > x : w < x)
			x = w;
	}
	return x;
}

static void duration(char *buf, size_t size, double ns)
{
	if (ns < 1e4)
		snprintf(buf, size, "%.0fns", ns);
	else if (ns < 1e7)
		snprintf(buf, size, "%.0fus", ns / 1e3);
	else
		snprintf(buf, size, "%.0fms", ns / 1e6);
}

/* The jobs index whose speed-up is 1: -j1 if measured, else the first. */
static int base_jobs(const struct bench *b)
{
	for (int j = 0; j < b->njobs; j++)
		if (b->jobs[j] == 1)
			return j;
	return 0;
}

#define MED(m, j, f) median(b, m, j, offsetof(struct sample, f))

static void print_table(struct bench *b)
{
	int base = base_jobs(b);
	double longest = 0;

	char xbase[16];
	snprintf(xbase, sizeof xbase, "x-j%u", b->jobs[base]);
	/* 76 columns: fits a terminal of 80. */
	printf("%-6s %3s %6s %-13s %5s %5s %6s %7s %12s %5s\n", "mode", "-j", "wall s", "(min-max)",
	       "cpu s", "MiB", "MB/s", "files/s", "task p50/p99", xbase);
	for (int j = 0; j < b->njobs; j++) {
		for (int m = 0; m < b->nmodes; m++) {
			double wall = MED(m, j, wall);
			char p50[16], p99[16], range[32];
			duration(p50, sizeof p50, MED(m, j, p50_ns));
			duration(p99, sizeof p99, MED(m, j, p99_ns));
			snprintf(range, sizeof range, "(%.2f-%.2f)", extreme(b, m, j, false), extreme(b, m, j, true));
			char task[32];
			snprintf(task, sizeof task, "%s/%s", p50, p99);
			printf("%-6s %3u %6.3f %-13s %5.2f %5.1f %6.0f %7.0f %12s %5.2f\n", b->modes[m],
			       b->jobs[j], wall, range, MED(m, j, cpu), MED(m, j, rss_kb) / 1024,
			       wall > 0 ? MED(m, j, bytes) / 1e6 / wall : 0,
			       wall > 0 ? MED(m, j, inputs) / wall : 0, task,
			       wall > 0 ? MED(m, base, wall) / wall : 0);
			if (wall > longest)
				longest = wall;
		}
	}
	if (b->nmodes == 2) {
		printf("\nfork/thread wall:");
		for (int j = 0; j < b->njobs; j++)
			printf("  -j%u %.2f", b->jobs[j], MED(1, j, wall) / MED(0, j, wall));
		printf("\n");
	}
	printf("\n");
	for (int j = 0; j < b->njobs; j++) {
		for (int m = 0; m < b->nmodes; m++) {
			double wall = MED(m, j, wall);
			int len = longest > 0 ? (int)(wall / longest * 50 + 0.5) : 0;
			char bar[64];
			memset(bar, '#', (size_t)len);
			bar[len] = '\0';
			printf("%-6s -j%-4u |%-50s %.3f\n", b->modes[m], b->jobs[j], bar, wall);
		}
	}
}

static void print_json(struct bench *b)
{
	int base = base_jobs(b);
	struct strbuf sb = { 0 };

	sb_adds(&sb, "{\"command\":[");
	for (int i = 0; i < b->njob; i++) {
		if (i)
			sb_addc(&sb, ',');
		fmt_json_string(&sb, b->job[i]);
	}
	char buf[512];
	snprintf(buf, sizeof buf, "],\"runs\":%ld,\"results\":[", b->runs);
	sb_adds(&sb, buf);
	for (int j = 0; j < b->njobs; j++) {
		for (int m = 0; m < b->nmodes; m++) {
			double wall = MED(m, j, wall);
			snprintf(buf, sizeof buf,
			         "%s{\"mode\":\"%s\",\"jobs\":%u,\"wall_s\":{\"median\":%.6f,\"min\":%.6f,"
			         "\"max\":%.6f},\"cpu_s\":%.6f,\"peak_rss_kib\":%.0f,\"mb_per_s\":%.3f,"
			         "\"files_per_s\":%.3f,\"task_run_ns\":{\"p50\":%.0f,\"p99\":%.0f},"
			         "\"speedup\":%.4f}",
			         j || m ? "," : "", b->modes[m], b->jobs[j], wall, extreme(b, m, j, false),
			         extreme(b, m, j, true), MED(m, j, cpu), MED(m, j, rss_kb),
			         wall > 0 ? MED(m, j, bytes) / 1e6 / wall : 0,
			         wall > 0 ? MED(m, j, inputs) / wall : 0, MED(m, j, p50_ns), MED(m, j, p99_ns),
			         wall > 0 ? MED(m, base, wall) / wall : 0);
			sb_adds(&sb, buf);
		}
	}
	sb_addc(&sb, ']');
	if (b->nmodes == 2) {
		sb_adds(&sb, ",\"fork_over_thread\":{");
		for (int j = 0; j < b->njobs; j++) {
			snprintf(buf, sizeof buf, "%s\"%u\":%.4f", j ? "," : "", b->jobs[j],
			         MED(1, j, wall) / MED(0, j, wall));
			sb_adds(&sb, buf);
		}
		sb_addc(&sb, '}');
	}
	sb_adds(&sb, "}\n");
	if (sb.failed)
		die("out of memory");
	fwrite(sb.data, 1, sb.len, stdout);
	sb_release(&sb);
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { .runs = 5, .modes = { "thread", "fork" }, .nmodes = 2 };
	diag_set_command("bench");

	/* Options stop at "--": what follows is the job, untouched. */
	int split = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	int nops = opt_parse(split, argv, bench_options, on_option, &b);
	if (nops > 0)
		die_usage("the job goes after '--', as in: ptool bench -- hash DIR");
	if (split >= argc - 1)
		die_usage("no job: give one after '--', as in: ptool bench -- hash DIR");
	b.job = argv + split + 1;
	b.njob = argc - split - 1;
	const struct cmd *c;
	for (c = cmds; c->name; c++)
		if (strcmp(c->name, b.job[0]) == 0)
			break;
	if (!c->name || strcmp(c->name, "bench") == 0) {
		char show[FMT_SHOWN_MAX];
		die_usage("'%s' is not a command to measure", opt_shown(show, sizeof show, b.job[0]));
	}
	if (b.njobs == 0) {
		unsigned ncpu = xio_ncpu();
		b.jobs[b.njobs++] = 1;
		if (ncpu > 1)
			b.jobs[b.njobs++] = ncpu;
	}
	b.s = calloc((size_t)b.nmodes * (size_t)b.njobs * (size_t)b.runs, sizeof *b.s);
	if (!b.s)
		die("out of memory");

	struct sample warm;
	for (int m = 0; m < b.nmodes; m++)
		run_once(&b, b.modes[m], b.jobs[b.njobs - 1], &warm);
	for (long r = 0; r < b.runs; r++)
		for (int j = 0; j < b.njobs; j++)
			for (int m = 0; m < b.nmodes; m++)
				run_once(&b, b.modes[m], b.jobs[j], at(&b, m, j, r));

	if (b.json)
		print_json(&b);
	else
		print_table(&b);
	free(b.s);
	if (fflush(stdout) || ferror(stdout)) {
		diag_error("write error: %s", strerror(errno));
		return 1;
	}
	return 0;
}
