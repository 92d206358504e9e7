/* The duration histogram: quantiles within a bucket (12.5 %) of the truth,
 * exact maximum, empty histograms. */
#include <string.h>

#include "stats.h"
#include "unit.h"

static int near(uint64_t got, uint64_t want)
{
	double r = (double)got / (double)want;
	if (r < 0.99 || r > 1.13) {
		fprintf(stderr, "  got %llu, want about %llu\n", (unsigned long long)got,
		        (unsigned long long)want);
		return 0;
	}
	return 1;
}

void test_stats(void)
{
	static struct hist h;

	CHECK(hist_quantile(&h, 0.5) == 0);
	for (uint64_t v = 1; v <= 10000; v++)
		hist_add(&h, v * 1000);
	CHECK(h.n == 10000 && h.max == 10000000);
	CHECK(near(hist_quantile(&h, 0.5), 5000000));
	CHECK(near(hist_quantile(&h, 0.99), 9900000));
	CHECK(hist_quantile(&h, 1.0) == 10000000);

	memset(&h, 0, sizeof h);
	hist_add(&h, 0);
	hist_add(&h, 7);
	hist_add(&h, UINT64_MAX);
	CHECK(hist_quantile(&h, 0.3) <= 1);
	CHECK(hist_quantile(&h, 1.0) == UINT64_MAX);

	struct run_stats s = { .mode = "fork", .jobs = 2, .io = "sync", .inputs = 3, .bytes = 10,
	                       .wall_ns = 1000000000 };
	struct strbuf sb = { 0 };
	stats_format(&sb, &s, true);
	CHECK(sb.len > 0 && sb.data[0] == '{' && sb.data[sb.len - 1] == '\n');
	CHECK(strstr(sb.data, "\"mode\":\"fork\"") && strstr(sb.data, "\"inputs\":3"));
	sb.len = 0;
	stats_format(&sb, &s, false);
	CHECK(strstr(sb.data, "mode          fork, 2 workers, sync I/O\n") != NULL);
	sb_release(&sb);
}
