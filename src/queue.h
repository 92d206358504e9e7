/* queue: a bounded queue of fixed-size elements for many producers and many
 * consumers, guarded by one mutex.  Consumers may block on it; producers
 * never do (a full queue is the caller's bug: every element stands for a
 * buffer or request the caller counted). */
#ifndef PTOOL_QUEUE_H
#define PTOOL_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	unsigned char *elems;
	size_t elem_size, cap, head, len;
	size_t waiters;         /* consumers asleep in pop_some */
	bool closed;
};

int queue_init(struct queue *q, size_t cap, size_t elem_size);
void queue_release(struct queue *q);

/* Add a copy of elem.  -1 with EAGAIN when full. */
int queue_push(struct queue *q, const void *elem);

/* Take the oldest element into out: 1, or 0 when empty. */
int queue_try_pop(struct queue *q, void *out);

/* Wait for elements, then take up to max of them into out (an array): a
 * fair part of what is queued when other consumers are asleep (they are
 * woken for the rest), all of it (up to max) when they are busy.  Returns
 * how many, or 0 once the queue is closed and empty.  Taking several per
 * wake-up is what keeps the number of thread switches per input low. */
size_t queue_pop_some(struct queue *q, void *out, size_t max);

/* Add n elements at once (one lock, one signal).  Returns the queue's new
 * length, or -1 with EAGAIN (and nothing added) when they do not fit. */
long queue_push_many(struct queue *q, const void *elems, size_t n);

bool queue_empty(struct queue *q);

/* Wake every waiter; pop_some returns 0 once the queue is drained. */
void queue_close(struct queue *q);

/* Start n threads running fn(arg), consumers of todo.  On failure the
 * threads already started are stopped (todo is closed) and -1 is
 * returned with errno. */
int queue_crew_start(struct queue *todo, pthread_t **threads, unsigned n, void *(*fn)(void *),
                     void *arg);

/* Close todo, so the crew ends once it is drained, and join the crew. */
void queue_crew_stop(struct queue *todo, pthread_t *threads, unsigned n);

#endif
