/* The progress line: its text, the rate and time left it estimates, the
 * width limit, and the padding and clearing it writes (into a pipe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "unit.h"

static int rd = -1;

/* What the suite's stderr got since the last call. */
static const char *got(void)
{
	static char buf[4096];
	ssize_t n = read(rd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

#define MiB (1024.0 * 1024)
#define SEC 1000000000ULL

void test_progress(void)
{
	int p[2];
	if (pipe(p) < 0)
		abort();
	rd = p[0];
	setenv("COLUMNS", "200", 1);
	char line[256];

	/* The walk still going: no total and no time left. */
	struct progress_counts c = { .done = 12, .bytes = 3 * 1024 * 1024, .elapsed_ns = SEC / 2 };
	progress_format(line, sizeof line, "hashing", &c, 6 * MiB, -1);
	CHECK(strcmp(line, "hashing: 12 files, 3.0 MiB, 6.0 MiB/s") == 0);
	c.total_known = true;
	c.total = 40;
	progress_format(line, sizeof line, "hashing", &c, 1536, 75);
	CHECK(strcmp(line, "hashing: 12/40 files, 3.0 MiB, 1.5 KiB/s, ETA 1:15") == 0);
	progress_format(line, sizeof line, "x", &c, 0, 3 * 3600 + 62);
	CHECK(strcmp(line, "x: 12/40 files, 3.0 MiB, 0 B/s, ETA 3:01:02") == 0);
	c.bytes = 5ULL << 40;
	progress_format(line, sizeof line, "x", &c, 250 * MiB, 100 * 3600);
	CHECK(strcmp(line, "x: 12/40 files, 5.0 TiB, 250 MiB/s") == 0);

	/* One file of 300 MiB, 100 MiB of it done in 2 s: 4 s left. */
	progress_begin("compressing", p[1]);
	struct progress_counts one = { .total = 1, .total_known = true, .bytes = 100 << 20,
	                               .sized = 1, .sized_bytes = 300 << 20, .elapsed_ns = 2 * SEC };
	progress_draw(&one);
	const char *s = got();
	CHECK(strcmp(s, "\rcompressing: 0/1 files, 100 MiB, 50.0 MiB/s, ETA 4s") == 0);

	/* Files not opened yet count as large as the average of those that
	 * were: 4 of 10 opened, 40 MiB, so 100 MiB in all, 60 left at the
	 * rate over the last second and more (20 MiB in 1 s). */
	progress_begin("hashing", p[1]);
	struct progress_counts t = { .total = 10, .total_known = true, .bytes = 20 << 20,
	                             .sized = 4, .sized_bytes = 40 << 20, .elapsed_ns = 1 * SEC };
	progress_draw(&t);
	(void)got();
	t.bytes = 40 << 20;
	t.elapsed_ns = 2 * SEC;
	progress_draw(&t);
	s = got();
	CHECK(strstr(s, "40.0 MiB, 20.0 MiB/s, ETA 3s") != NULL);

	/* A pipe among the inputs: no time left can be told. */
	t.unsized = 1;
	progress_draw(&t);
	s = got();
	CHECK(strstr(s, "ETA") == NULL);

	/* One large input taken 8 MiB at a time, a chunk every 5 s: the rate
	 * holds between the steps, falls once a step is late, and a count
	 * taken back (an input read again) never makes it absurd. */
	progress_begin("compressing", p[1]);
	struct progress_counts x = { .total = 1, .total_known = true, .sized = 1,
	                             .sized_bytes = 80 << 20 };
	for (unsigned ms = 100; ms <= 25000; ms += 100) {
		x.elapsed_ns = ms * 1000000ULL;
		x.bytes = (uint64_t)(ms / 5000) * (8 << 20);
		progress_draw(&x);
		s = got();
		if (ms >= 5000 && !strstr(s, ", 1.6 MiB/s, ETA ")) {
			fprintf(stderr, "  at %u ms: %s\n", ms, s + 1);
			unit_failed = 1;
		}
	}
	x.elapsed_ns = 35 * SEC;        /* 10 s since the last step */
	progress_draw(&x);
	CHECK(strstr(got(), ", 40.0 MiB, 1.6 MiB/s") == NULL);
	x.elapsed_ns = 36 * SEC;
	x.bytes = 32 << 20;
	progress_draw(&x);
	s = got();
	CHECK(strstr(s, ", 32.0 MiB, 0 B/s") != NULL);
	x.elapsed_ns = 37 * SEC;
	x.bytes = 40 << 20;
	progress_draw(&x);
	s = got();
	CHECK(strstr(s, ", 40.0 MiB, ") != NULL && strstr(s, " GiB/s") == NULL &&
	      strstr(s, " TiB/s") == NULL && strstr(s, " PiB/s") == NULL);

	/* A shorter line blanks what the longer one left. */
	progress_clear();
	(void)got();
	progress_begin("h", p[1]);
	struct progress_counts a = { .done = 123456, .bytes = 1, .elapsed_ns = SEC };
	progress_draw(&a);
	size_t len = strlen(got()) - 1;
	a.done = 1;
	progress_draw(&a);
	s = got();
	CHECK(len == strlen("h: 123456 files, 1 B, 1 B/s"));
	CHECK(strcmp(s, "\rh: 1 files, 1 B, 1 B/s     ") == 0);

	/* Never as wide as the terminal: the last column stays free. */
	setenv("COLUMNS", "12", 1);
	progress_draw(&a);
	s = got();
	CHECK(strcmp(s, "\rh: 1 files,           ") == 0);

	/* Cleared once, and only when drawn. */
	progress_clear();
	s = got();
	CHECK(strcmp(s, "\r           \r") == 0);     /* 11 columns */
	progress_clear();
	progress_end();
	a.done = 2;
	progress_draw(&a);      /* after the end: nothing */
	CHECK(write(p[1], "!", 1) == 1);
	CHECK(strcmp(got(), "!") == 0);
}
