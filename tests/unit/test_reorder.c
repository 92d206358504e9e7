/* The reorder ring: out-of-order puts leave in order; the window is kept. */
#include <stdint.h>
#include <stdlib.h>

#include "reorder.h"
#include "unit.h"

void test_reorder(void)
{
	struct reorder r;
	int items[64];

	CHECK(reorder_init(&r, 8) == 0);
	CHECK(reorder_pop(&r) == NULL);
	CHECK(reorder_fits(&r, 0) && reorder_fits(&r, 7) && !reorder_fits(&r, 8));

	/* 3, 1, 2 arrive before 0: nothing leaves until 0 does. */
	reorder_put(&r, 3, &items[3]);
	reorder_put(&r, 1, &items[1]);
	reorder_put(&r, 2, &items[2]);
	CHECK(reorder_pop(&r) == NULL);
	reorder_put(&r, 0, &items[0]);
	for (int i = 0; i < 4; i++)
		CHECK(reorder_pop(&r) == &items[i]);
	CHECK(reorder_pop(&r) == NULL);
	CHECK(r.next == 4);
	CHECK(!reorder_fits(&r, 3) && reorder_fits(&r, 11) && !reorder_fits(&r, 12));

	/* Wrap around the ring many times in a shuffled order within the window. */
	uint64_t seq = 4;
	unsigned rng = 12345;
	while (seq < 60) {
		uint64_t batch[8];
		int n = 0;
		for (uint64_t s = seq; s < seq + 8 && s < 64; s++)
			batch[n++] = s;
		for (int i = n - 1; i > 0; i--) {
			rng = rng * 1103515245 + 12345;
			int j = (int)(rng % (unsigned)(i + 1));
			uint64_t t = batch[i];
			batch[i] = batch[j];
			batch[j] = t;
		}
		for (int i = 0; i < n; i++)
			reorder_put(&r, batch[i], &items[batch[i]]);
		for (int i = 0; i < n; i++)
			CHECK(reorder_pop(&r) == &items[seq + (uint64_t)i]);
		seq += (uint64_t)n;
	}
	CHECK(reorder_pop(&r) == NULL);
	reorder_release(&r);
}
