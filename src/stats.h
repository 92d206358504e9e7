/* stats: what a run measured, for --stats (text or JSON).
 *
 * Durations go into log-linear histograms (8 steps per power of two, so a
 * percentile is within 12.5 %) of fixed size: memory does not grow with
 * the number of tasks. */
#ifndef PTOOL_STATS_H
#define PTOOL_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "format.h"

#define HIST_BUCKETS 512

struct hist {
	uint64_t n, max;
	uint64_t b[HIST_BUCKETS];
};

void hist_add(struct hist *h, uint64_t v);
/* The value below which a fraction q (0..1) of the samples fall (a bucket's
 * upper edge, or the maximum); 0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);

struct run_stats {
	const char *mode;       /* "thread" or "fork" */
	unsigned jobs;
	const char *io;         /* the I/O engine that ran */
	uint64_t inputs, failed, bytes, tasks;
	uint64_t wall_ns, busy_ns;
	struct hist run, wait;  /* task run time, queue wait (ns) */
	struct timeval main_user, main_sys, work_user, work_sys;
	long main_maxrss_kb, work_maxrss_kb;  /* workers: the largest one */
};

uint64_t stats_now_ns(void);

/* The report, as aligned text lines or as one JSON object and a newline. */
void stats_format(struct strbuf *sb, const struct run_stats *s, bool json);

#endif
