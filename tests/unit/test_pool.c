/* The thread pool: fewer, as many and more tasks than workers; no tasks;
 * every task comes back once, with its tag and the worker's status. */
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "pool.h"
#include "unit.h"

static int add_task(struct task *t, const struct arena *a)
{
	uint64_t *slot = arena_slot(a, t->slot);
	const unsigned char *buf = arena_buf(a, t->buf);
	uint64_t sum = 0;
	for (uint64_t i = 0; i < t->len; i++)
		sum += buf[i];
	*slot = sum;
	return (int)t->tag == 13 ? -5 : 0;
}

static void run(unsigned workers, unsigned ntasks)
{
	struct arena a;
	struct waker w;
	unsigned depth = ntasks ? ntasks : 1;

	CHECK(arena_init(&a, depth, 4096, 0, depth, 64, ARENA_SHARED) == 0);
	CHECK(waker_init(&w) == 0);
	struct pool *p = pool_create(POOL_THREAD, workers, depth, add_task, &a, &w, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	for (unsigned i = 0; i < ntasks; i++) {
		unsigned char *buf = arena_buf(&a, i);
		memset(buf, 1, i + 1);
		struct task t = { .buf = i, .slot = i, .len = i + 1, .tag = i };
		CHECK(pool_submit(p, &t) == 0);
	}
	/* As the loop does before it sleeps: what waits for a batch goes. */
	pool_flush(p, false);
	if (ntasks) {
		unsigned seen = 0;
		unsigned char got[256] = { 0 };
		while (seen < ntasks) {
			struct task t;
			if (pool_reap(p, &t) == 1) {
				CHECK(t.tag < ntasks && !got[t.tag]);
				got[t.tag % 256] = 1;
				CHECK(t.status == (t.tag == 13 ? -5 : 0));
				seen++;
				continue;
			}
			waker_prepare(&w);
			if (pool_reap(p, &t) == 1) {
				waker_cancel(&w);
				CHECK(t.tag < ntasks && !got[t.tag]);
				got[t.tag % 256] = 1;
				seen++;
				continue;
			}
			waker_sleep(&w, -1, -1, -1);
		}
		for (unsigned i = 0; i < ntasks; i++)
			CHECK(*(uint64_t *)arena_slot(&a, i) == i + 1);
	}
	struct task t;
	CHECK(pool_reap(p, &t) == 0);
	pool_destroy(p, NULL);
	waker_release(&w);
	arena_release(&a);
}

void test_pool(void)
{
	run(4, 0);      /* no tasks */
	run(4, 2);      /* fewer tasks than workers */
	run(4, 4);      /* as many */
	run(3, 200);    /* many more */
	run(1, 50);
}
