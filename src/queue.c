/* queue: see queue.h. */
#include "queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int queue_init(struct queue *q, size_t cap, size_t elem_size)
{
	memset(q, 0, sizeof *q);
	q->elems = calloc(cap ? cap : 1, elem_size);
	if (!q->elems)
		return -1;
	q->cap = cap ? cap : 1;
	q->elem_size = elem_size;
	errno = pthread_mutex_init(&q->lock, NULL);
	if (errno)
		goto fail_elems;
	errno = pthread_cond_init(&q->nonempty, NULL);
	if (errno)
		goto fail_lock;
	return 0;
fail_lock:
	pthread_mutex_destroy(&q->lock);
fail_elems:
	free(q->elems);
	return -1;
}

void queue_release(struct queue *q)
{
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
	free(q->elems);
}

static void take(struct queue *q, void *out)
{
	memcpy(out, q->elems + q->head * q->elem_size, q->elem_size);
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

int queue_push(struct queue *q, const void *elem)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap) {
		pthread_mutex_unlock(&q->lock);
		errno = EAGAIN;
		return -1;
	}
	size_t tail = (q->head + q->len) % q->cap;
	memcpy(q->elems + tail * q->elem_size, elem, q->elem_size);
	/* Only the first element of a burst wakes a consumer; it passes the
	 * wake-up on if it leaves work behind (queue_pop_some). */
	if (q->len++ == 0)
		pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int queue_try_pop(struct queue *q, void *out)
{
	int got = 0;

	pthread_mutex_lock(&q->lock);
	if (q->len > 0) {
		take(q, out);
		got = 1;
	}
	pthread_mutex_unlock(&q->lock);
	return got;
}

size_t queue_pop_some(struct queue *q, void *out, size_t max)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closed) {
		q->waiters++;
		pthread_cond_wait(&q->nonempty, &q->lock);
		q->waiters--;
	}
	size_t n = (q->len + q->waiters) / (q->waiters + 1);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		take(q, (unsigned char *)out + i * q->elem_size);
	/* Leftovers are for the others: pass the wake-up on. */
	if (q->len > 0 && q->waiters > 0)
		pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return n;
}

long queue_push_many(struct queue *q, const void *elems, size_t n)
{
	pthread_mutex_lock(&q->lock);
	if (q->cap - q->len < n) {
		pthread_mutex_unlock(&q->lock);
		errno = EAGAIN;
		return -1;
	}
	bool was_empty = q->len == 0;
	for (size_t i = 0; i < n; i++) {
		size_t tail = (q->head + q->len) % q->cap;
		memcpy(q->elems + tail * q->elem_size, (const unsigned char *)elems + i * q->elem_size,
		       q->elem_size);
		q->len++;
	}
	if (was_empty && n > 0)
		pthread_cond_signal(&q->nonempty);
	long len = (long)q->len;
	pthread_mutex_unlock(&q->lock);
	return len;
}

bool queue_empty(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	bool empty = q->len == 0;
	pthread_mutex_unlock(&q->lock);
	return empty;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

int queue_crew_start(struct queue *todo, pthread_t **threads, unsigned n, void *(*fn)(void *),
                     void *arg)
{
	pthread_t *t = calloc(n ? n : 1, sizeof *t);
	if (!t)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		int err = pthread_create(&t[i], NULL, fn, arg);
		if (err) {
			queue_crew_stop(todo, t, i);
			errno = err;
			return -1;
		}
	}
	*threads = t;
	return 0;
}

void queue_crew_stop(struct queue *todo, pthread_t *threads, unsigned n)
{
	queue_close(todo);
	for (unsigned i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}
