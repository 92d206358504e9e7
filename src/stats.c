/* stats: see stats.h. */
#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static unsigned bucket(uint64_t v)
{
	if (v < 8)
		return (unsigned)v;
	unsigned e = 63 - (unsigned)__builtin_clzll(v);
	return (e - 2) * 8 + (unsigned)((v >> (e - 3)) & 7);
}

/* The least value of the bucket after i: i's upper edge. */
static uint64_t upper_edge(unsigned i)
{
	i++;
	if (i < 8)
		return i;
	unsigned e = i / 8 + 2;
	if (e > 63)
		return UINT64_MAX;
	return (uint64_t)(8 + i % 8) << (e - 3);
}

void hist_add(struct hist *h, uint64_t v)
{
	h->b[bucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	if (h->n == 0)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.5);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			uint64_t edge = upper_edge(i);
			return edge < h->max ? edge : h->max;
		}
	}
	return h->max;
}

uint64_t stats_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* A duration in ns as text with a fitting unit. */
static void duration(char *buf, size_t size, uint64_t ns)
{
	if (ns < 10000)
		snprintf(buf, size, "%llu ns", (unsigned long long)ns);
	else if (ns < 10000000)
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	else if (ns < 10000000000ull)
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
}

__attribute__((format(printf, 3, 4)))
static void line(struct strbuf *sb, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "%-12s  ", name);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	sb_adds(sb, buf);
	sb_addc(sb, '\n');
}

void stats_format(struct strbuf *sb, const struct run_stats *s, bool json)
{
	double wall = (double)s->wall_ns / 1e9;
	double mbps = wall > 0 ? (double)s->bytes / 1e6 / wall : 0;
	double fps = wall > 0 ? (double)s->inputs / wall : 0;
	double util = wall > 0 && s->jobs ? 100.0 * (double)s->busy_ns / ((double)s->wall_ns * s->jobs) : 0;
	char buf[1024];

	if (json) {
		snprintf(buf, sizeof buf,
		         "{\"mode\":\"%s\",\"jobs\":%u,\"io\":\"%s\",\"inputs\":%llu,\"failed\":%llu,"
		         "\"bytes\":%llu,\"wall_s\":%.6f,"
		         "\"cpu\":{\"main\":{\"user_s\":%.6f,\"system_s\":%.6f},"
		         "\"workers\":{\"user_s\":%.6f,\"system_s\":%.6f}},"
		         "\"peak_rss_kib\":{\"main\":%ld,\"worker\":%ld},"
		         "\"mb_per_s\":%.3f,\"files_per_s\":%.3f,\"tasks\":%llu,"
		         "\"task_run_ns\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu},"
		         "\"queue_wait_ns\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu},"
		         "\"utilization_pct\":%.1f}\n",
		         s->mode, s->jobs, s->io, (unsigned long long)s->inputs,
		         (unsigned long long)s->failed, (unsigned long long)s->bytes, wall,
		         secs(s->main_user), secs(s->main_sys), secs(s->work_user), secs(s->work_sys),
		         s->main_maxrss_kb, s->work_maxrss_kb, mbps, fps, (unsigned long long)s->tasks,
		         (unsigned long long)hist_quantile(&s->run, 0.5),
		         (unsigned long long)hist_quantile(&s->run, 0.99), (unsigned long long)s->run.max,
		         (unsigned long long)hist_quantile(&s->wait, 0.5),
		         (unsigned long long)hist_quantile(&s->wait, 0.99), (unsigned long long)s->wait.max,
		         util);
		sb_adds(sb, buf);
		return;
	}
	char a[32], b[32], c[32];
	line(sb, "mode", "%s, %u workers, %s I/O", s->mode, s->jobs, s->io);
	line(sb, "inputs", "%llu (%llu failed), %llu bytes", (unsigned long long)s->inputs,
	     (unsigned long long)s->failed, (unsigned long long)s->bytes);
	line(sb, "wall", "%.3f s", wall);
	line(sb, "cpu main", "%.3f s user, %.3f s system", secs(s->main_user), secs(s->main_sys));
	line(sb, "cpu workers", "%.3f s user, %.3f s system", secs(s->work_user), secs(s->work_sys));
	if (s->work_maxrss_kb)
		line(sb, "peak rss", "%.1f MiB main, %.1f MiB largest worker",
		     (double)s->main_maxrss_kb / 1024, (double)s->work_maxrss_kb / 1024);
	else
		line(sb, "peak rss", "%.1f MiB", (double)s->main_maxrss_kb / 1024);
	line(sb, "throughput", "%.1f MB/s, %.0f files/s", mbps, fps);
	duration(a, sizeof a, hist_quantile(&s->run, 0.5));
	duration(b, sizeof b, hist_quantile(&s->run, 0.99));
	duration(c, sizeof c, s->run.max);
	line(sb, "task run", "p50 %s, p99 %s, max %s (%llu tasks)", a, b, c,
	     (unsigned long long)s->tasks);
	duration(a, sizeof a, hist_quantile(&s->wait, 0.5));
	duration(b, sizeof b, hist_quantile(&s->wait, 0.99));
	duration(c, sizeof c, s->wait.max);
	line(sb, "queue wait", "p50 %s, p99 %s, max %s", a, b, c);
	line(sb, "utilization", "%.1f %% of %u workers", util, s->jobs);
}
