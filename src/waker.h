/* waker: how threads wake the loop.
 *
 * The loop sleeps on one eventfd.  Producers (pool workers, I/O threads)
 * publish a completion in their own queue and then call waker_notify(),
 * which writes the eventfd only when the loop said it is going to sleep,
 * so a busy loop costs producers no system call.
 *
 *   loop:     waker_prepare();  if (anything queued) waker_cancel(); else waker_sleep();
 *   producer: publish;  waker_notify();
 *
 * Both sides use sequentially consistent atomics, so either the loop sees
 * the published item or the producer sees the loop asleep. */
#ifndef PTOOL_WAKER_H
#define PTOOL_WAKER_H

#include <stdatomic.h>

struct waker {
	int fd;
	atomic_int asleep;
};

int waker_init(struct waker *w);
void waker_release(struct waker *w);
void waker_notify(struct waker *w);
void waker_prepare(struct waker *w);
void waker_cancel(struct waker *w);
/* Sleep until notified, until one of the extra descriptors (those >= 0)
 * is readable, or for timeout_ms (-1: no limit). */
void waker_sleep(struct waker *w, int extra_fd, int extra_fd2, int timeout_ms);

#endif
