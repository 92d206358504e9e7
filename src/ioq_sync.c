/* ioq_sync: the I/O-thread engine of ioq.h (the libuv way).
 *
 *   loop ──submit──► [todo] ──► I/O threads: open/fstat/read/close ──► [done] ──pop──► loop
 *                                    └──────────── waker_notify ───────────────────────┘
 *
 * Blocking calls run on a few threads, so many files are in flight while
 * the loop itself never blocks on a file. */
#include "ioq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "queue.h"

/* Requests an I/O thread takes per wake-up, at most. */
#define BATCH 8

struct ioq_sync {
	struct ioq base;
	struct queue todo, done;
	struct waker *waker;
	pthread_t *threads;
	unsigned nthreads;
};

static void *io_main(void *arg)
{
	struct ioq_sync *q = arg;
	struct ioq_req *reqs[BATCH];
	size_t n;

	while ((n = queue_pop_some(&q->todo, reqs, BATCH))) {
		for (size_t i = 0; i < n; i++)
			ioq_do_blocking(reqs[i]);
		if (queue_push_many(&q->done, reqs, n) < 0)
			abort();
		waker_notify(q->waker);
	}
	return NULL;
}

static int sync_submit(struct ioq *base, struct ioq_req *req)
{
	struct ioq_sync *q = (struct ioq_sync *)base;
	return queue_push(&q->todo, &req);
}

static struct ioq_req *sync_pop(struct ioq *base)
{
	struct ioq_sync *q = (struct ioq_sync *)base;
	struct ioq_req *req;
	return queue_try_pop(&q->done, &req) ? req : NULL;
}

static void sync_destroy(struct ioq *base)
{
	struct ioq_sync *q = (struct ioq_sync *)base;

	queue_crew_stop(&q->todo, q->threads, q->nthreads);
	queue_release(&q->done);
	queue_release(&q->todo);
	free(q);
}

static void sync_wait(struct ioq *base, struct waker *w, int extra_fd, int extra_fd2,
                      int timeout_ms)
{
	waker_sleep(w, extra_fd, extra_fd2, timeout_ms);
}

static const struct ioq_ops sync_ops = {
	.name = "sync",
	.submit = sync_submit,
	.pop = sync_pop,
	.wait = sync_wait,
	.destroy = sync_destroy,
};

struct ioq *ioq_sync_create(unsigned depth, unsigned threads, struct waker *waker)
{
	struct ioq_sync *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->base.ops = &sync_ops;
	q->waker = waker;
	if (queue_init(&q->todo, depth, sizeof(struct ioq_req *)) < 0)
		goto fail_q;
	if (queue_init(&q->done, depth, sizeof(struct ioq_req *)) < 0)
		goto fail_todo;
	if (queue_crew_start(&q->todo, &q->threads, threads ? threads : 1, io_main, q) < 0)
		goto fail_done;
	q->nthreads = threads ? threads : 1;
	return &q->base;
fail_done:
	queue_release(&q->done);
fail_todo:
	queue_release(&q->todo);
fail_q:
	free(q);
	return NULL;
}
