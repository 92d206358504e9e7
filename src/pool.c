/* pool: the interface, dispatching to a backend (see pool.h). */
#include "pool.h"

#include <errno.h>

#include "stats.h"

struct pool *pool_create(enum pool_kind kind, unsigned workers, unsigned depth, task_fn *fn,
                         const struct arena *arena, struct waker *waker,
                         const struct pool_limits *limits)
{
	switch (kind) {
	case POOL_THREAD:
		return pool_thread_create(workers, depth, fn, arena, waker);
	case POOL_FORK:
		return pool_fork_create(workers, depth, fn, arena, limits);
	}
	errno = EINVAL;
	return NULL;
}

unsigned pool_fds(enum pool_kind kind, unsigned workers)
{
	/* Threads share the loop's waker. */
	return kind == POOL_FORK ? pool_fork_fds(workers) : 0;
}

int pool_submit(struct pool *pool, const struct task *task)
{
	return pool->ops->submit(pool, task);
}

int pool_reap(struct pool *pool, struct task *out)
{
	return pool->ops->reap(pool, out);
}

void pool_flush(struct pool *pool, bool soon)
{
	if (pool->ops->flush)
		pool->ops->flush(pool, soon);
}

int pool_timeout(const struct pool *pool)
{
	return pool->ops->timeout ? pool->ops->timeout(pool) : -1;
}

int pool_fd(const struct pool *pool)
{
	return pool->ops->fd(pool);
}

void pool_destroy(struct pool *pool, struct pool_usage *usage)
{
	if (usage)
		*usage = (struct pool_usage){ 0 };
	if (pool)
		pool->ops->destroy(pool, usage);
}

void pool_run_task(task_fn *fn, struct task *task, const struct arena *arena)
{
	task->t_start = stats_now_ns();
	task->status = fn(task, arena);
	task->t_end = stats_now_ns();
}
