/* progress: see progress.h. */
#include "progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xio.h"

/* Rate: bytes over the last few seconds, so an ETA follows a change of
 * pace (a cold cache warming, small files after big ones).  The count
 * moves in steps, a chunk at a time, and a chunk may take longer than
 * that (8 MiB of xz -9): the rate is taken between the points where the
 * count changed, the oldest at least WINDOW_NS back, so a window always
 * holds a whole step.  The newest step is taken to last as long as the
 * steps before it did: only once it lasts longer does the rate fall. */
#define POINTS 64               /* more than WINDOW_NS of a point a tick */
#define WINDOW_NS 3000000000ULL

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *doing;
static int out_fd = -1;
static atomic_size_t drawn;     /* columns the line on screen takes; 0: none */
static struct {
	uint64_t ns, bytes;
} points[POINTS];               /* a ring; the first is the start, 0 bytes at 0 ns */
static unsigned npoints, next_point;

void progress_begin(const char *what, int fd)
{
	pthread_mutex_lock(&lock);
	doing = what;
	out_fd = fd;
	points[0].ns = points[0].bytes = 0;
	npoints = next_point = 1;
	pthread_mutex_unlock(&lock);
}

/* Columns to stay within: the terminal's, else $COLUMNS, else 80. */
static size_t width(void)
{
	struct winsize ws;
	if (ioctl(out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long n = c ? strtol(c, NULL, 10) : 0;
	return n > 0 && n < 1000 ? (size_t)n : 80;
}

static void human(char *buf, size_t size, double v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof *units)
		v /= 1024, u++;
	if (u == 0)
		snprintf(buf, size, "%.0f B", v);
	else
		snprintf(buf, size, v < 99.95 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void duration(char *buf, size_t size, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);
	if (t < 60)
		snprintf(buf, size, "%lus", t);
	else if (t < 3600)
		snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
	else
		snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
}

void progress_format(char *buf, size_t size, const char *what, const struct progress_counts *c,
                     double rate, double eta_s)
{
	char bytes[32], speed[32], eta[32] = "";
	human(bytes, sizeof bytes, (double)c->bytes);
	human(speed, sizeof speed, rate);
	if (eta_s >= 0 && eta_s < 100 * 3600.0) {
		char d[24];
		duration(d, sizeof d, eta_s);
		snprintf(eta, sizeof eta, ", ETA %s", d);
	}
	if (c->total_known)
		snprintf(buf, size, "%s: %llu/%llu files, %s, %s/s%s", what,
		         (unsigned long long)c->done, (unsigned long long)c->total, bytes, speed, eta);
	else
		snprintf(buf, size, "%s: %llu files, %s, %s/s", what, (unsigned long long)c->done,
		         bytes, speed);
}

/* The i-th newest point (0: the newest). */
static unsigned point(unsigned i)
{
	return (next_point + POINTS - 1 - i) % POINTS;
}

/* Bytes a second: see the note on POINTS (the whole run until a step is
 * WINDOW_NS old). */
static double rate_of(const struct progress_counts *c)
{
	unsigned last = point(0);
	if (c->bytes != points[last].bytes && c->elapsed_ns >= points[last].ns) {
		points[next_point].ns = c->elapsed_ns;
		points[next_point].bytes = c->bytes;
		next_point = (next_point + 1) % POINTS;
		if (npoints < POINTS)
			npoints++;
		last = point(0);
	}
	if (npoints < 2)
		return 0;
	unsigned steps = 1;
	while (steps + 1 < npoints && c->elapsed_ns - points[point(steps)].ns < WINDOW_NS)
		steps++;
	unsigned first = point(steps);
	/* less, when an input read again took its count back */
	double db = (double)points[last].bytes - (double)points[first].bytes;
	double span = (double)(points[last].ns - points[first].ns);
	/* now, less one step's length: the newest step is not over yet */
	double late = (double)(c->elapsed_ns - points[first].ns) - span / steps;
	double dt = span > late ? span : late;
	return dt > 0 && db > 0 ? db * 1e9 / dt : 0;
}

/* Seconds left, or -1 when that cannot be told: the walk is still going,
 * an input has no size (a pipe), or nothing has moved yet. */
static double eta_of(const struct progress_counts *c, double rate)
{
	if (!c->total_known || c->unsized || rate <= 0 || c->elapsed_ns < 1000000000ULL)
		return -1;
	/* Inputs not opened yet are taken to be as large as the average. */
	double left_inputs = c->total > c->sized ? (double)(c->total - c->sized) : 0;
	double avg = c->sized ? (double)c->sized_bytes / (double)c->sized : 0;
	double total = (double)c->sized_bytes + left_inputs * avg;
	double left = total - (double)c->bytes;
	return left > 0 ? left / rate : 0;
}

/* Write s, then blanks over the rest of the old line; the lock is held. */
static void put(const char *s, size_t len)
{
	char buf[1024];
	size_t old = atomic_load(&drawn);
	size_t n = 0;
	buf[n++] = '\r';
	if (len > sizeof buf - 2)
		len = sizeof buf - 2;
	memcpy(buf + n, s, len);
	n += len;
	size_t pad = old > len ? old - len : 0;
	if (pad > sizeof buf - 1 - n)
		pad = sizeof buf - 1 - n;
	memset(buf + n, ' ', pad);
	n += pad;
	if (len == 0)
		buf[n++] = '\r';
	(void)xwrite_all(out_fd, buf, n);
	atomic_store(&drawn, len);
}

void progress_draw(const struct progress_counts *c)
{
	char line[512];

	pthread_mutex_lock(&lock);
	if (doing) {
		double rate = rate_of(c);
		progress_format(line, sizeof line, doing, c, rate, eta_of(c, rate));
		size_t len = strlen(line), w = width();
		/* The last column stays free: writing it wraps some terminals. */
		if (len > w - 1)
			len = w > 1 ? w - 1 : 0;
		put(line, len);
	}
	pthread_mutex_unlock(&lock);
}

void progress_clear(void)
{
	if (atomic_load(&drawn) == 0)
		return;
	pthread_mutex_lock(&lock);
	if (atomic_load(&drawn))
		put("", 0);
	pthread_mutex_unlock(&lock);
}

void progress_end(void)
{
	progress_clear();
	pthread_mutex_lock(&lock);
	doing = NULL;
	pthread_mutex_unlock(&lock);
}
