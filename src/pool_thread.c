/* pool_thread: the thread backend of pool.h.
 *
 *   loop ──submit──► [todo queue] ──► worker threads ──► [done queue] ──reap──► loop
 *                                          └──── waker_notify ────────────────────┘
 *
 * Workers block on the todo queue; the loop never blocks here.  Both
 * queues hold task descriptors by value and are bounded by depth.  Tasks
 * are queued a batch at a time (or when the loop is about to sleep), so a
 * worker wakes for a batch, not for every small file. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "queue.h"

/* Tasks a worker takes per wake-up, at most. */
#define BATCH 16

struct pool_thread {
	struct pool base;
	struct queue todo, done;
	task_fn *fn;
	const struct arena *arena;
	struct waker *waker;
	pthread_t *threads;
	unsigned nthreads;
	struct task staged[BATCH];  /* submitted, not yet queued (loop only) */
	size_t nstaged;
	pthread_mutex_t usage_lock;
	struct pool_usage usage;  /* the workers' CPU time, added as they end */
};

static void *worker_main(void *arg)
{
	struct pool_thread *p = arg;
	struct task tasks[BATCH];
	size_t n;

	while ((n = queue_pop_some(&p->todo, tasks, BATCH))) {
		for (size_t i = 0; i < n; i++)
			pool_run_task(p->fn, &tasks[i], p->arena);
		/* Cannot be full: the loop has at most depth tasks out. */
		long done = queue_push_many(&p->done, tasks, n);
		if (done < 0)
			abort();
		/* Coalesce: while more tasks wait, the loop is woken only for a
		 * good batch.  Tasks never block, so the queue always drains and
		 * the last worker to find it empty wakes the loop. */
		if (done >= BATCH || queue_empty(&p->todo))
			waker_notify(p->waker);
	}
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		pthread_mutex_lock(&p->usage_lock);
		timeradd(&p->usage.utime, &ru.ru_utime, &p->usage.utime);
		timeradd(&p->usage.stime, &ru.ru_stime, &p->usage.stime);
		pthread_mutex_unlock(&p->usage_lock);
	}
	return NULL;
}

static void thread_flush(struct pool *pool, bool soon)
{
	struct pool_thread *p = (struct pool_thread *)pool;
	if (p->nstaged && queue_push_many(&p->todo, p->staged, p->nstaged) < 0)
		abort();
	p->nstaged = 0;
}

static int thread_submit(struct pool *pool, const struct task *task)
{
	struct pool_thread *p = (struct pool_thread *)pool;

	p->staged[p->nstaged++] = *task;
	if (p->nstaged == BATCH)
		thread_flush(pool, false);
	return 0;
}

static int thread_reap(struct pool *pool, struct task *out)
{
	struct pool_thread *p = (struct pool_thread *)pool;
	return queue_try_pop(&p->done, out);
}

static int thread_fd(const struct pool *pool)
{
	return -1;
}

static void thread_destroy(struct pool *pool, struct pool_usage *usage)
{
	struct pool_thread *p = (struct pool_thread *)pool;

	queue_crew_stop(&p->todo, p->threads, p->nthreads);
	if (usage)
		*usage = p->usage;
	pthread_mutex_destroy(&p->usage_lock);
	queue_release(&p->done);
	queue_release(&p->todo);
	free(p);
}

static const struct pool_ops thread_ops = {
	.submit = thread_submit,
	.reap = thread_reap,
	.flush = thread_flush,
	.fd = thread_fd,
	.destroy = thread_destroy,
};

struct pool *pool_thread_create(unsigned workers, unsigned depth, task_fn *fn,
                                const struct arena *arena, struct waker *waker)
{
	struct pool_thread *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->base.ops = &thread_ops;
	p->fn = fn;
	p->arena = arena;
	p->waker = waker;
	pthread_mutex_init(&p->usage_lock, NULL);
	if (queue_init(&p->todo, depth, sizeof(struct task)) < 0)
		goto fail_p;
	if (queue_init(&p->done, depth, sizeof(struct task)) < 0)
		goto fail_todo;
	if (queue_crew_start(&p->todo, &p->threads, workers ? workers : 1, worker_main, p) < 0)
		goto fail_done;
	p->nthreads = workers ? workers : 1;
	return &p->base;
fail_done:
	queue_release(&p->done);
fail_todo:
	queue_release(&p->todo);
fail_p:
	pthread_mutex_destroy(&p->usage_lock);
	free(p);
	return NULL;
}
