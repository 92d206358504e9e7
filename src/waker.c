/* waker: see waker.h. */
#include "waker.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xio.h"

int waker_init(struct waker *w)
{
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	atomic_init(&w->asleep, 0);
	return w->fd < 0 ? -1 : 0;
}

void waker_release(struct waker *w)
{
	if (w->fd >= 0)
		xclose(w->fd);
	w->fd = -1;
}

void waker_notify(struct waker *w)
{
	if (atomic_exchange(&w->asleep, 0)) {
		uint64_t one = 1;
		/* EAGAIN means the counter is already far from zero: awake. */
		(void)!write(w->fd, &one, sizeof one);
	}
}

void waker_prepare(struct waker *w)
{
	atomic_store(&w->asleep, 1);
}

void waker_cancel(struct waker *w)
{
	atomic_store(&w->asleep, 0);
}

void waker_sleep(struct waker *w, int extra_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = w->fd, .events = POLLIN },
		{ .fd = extra_fd, .events = POLLIN },
	};
	uint64_t count;

	while (poll(pfd, extra_fd >= 0 ? 2 : 1, -1) < 0 && errno == EINTR)
		;
	(void)!read(w->fd, &count, sizeof count);
	atomic_store(&w->asleep, 0);
}
