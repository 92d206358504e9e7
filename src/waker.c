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
	w->fd = eventfd(0, EFD_CLOEXEC);
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
		/* Blocks only if the counter neared 2^64: never, in practice. */
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

void waker_sleep(struct waker *w, int extra_fd, int extra_fd2, int timeout_ms)
{
	struct pollfd pfd[3] = {
		{ .fd = w->fd, .events = POLLIN },
		{ .fd = extra_fd, .events = POLLIN },
		{ .fd = extra_fd2, .events = POLLIN },
	};
	uint64_t count;

	/* With nothing else to watch, a blocking read is one system call
	 * where poll and read would be two.  (poll ignores negative fds.) */
	if (extra_fd >= 0 || extra_fd2 >= 0 || timeout_ms >= 0) {
		while (poll(pfd, 3, timeout_ms) < 0 && errno == EINTR)
			;
		if (!(pfd[0].revents & POLLIN)) {
			atomic_store(&w->asleep, 0);
			return;
		}
	}
	while (read(w->fd, &count, sizeof count) < 0 && errno == EINTR)
		;
	atomic_store(&w->asleep, 0);
}
