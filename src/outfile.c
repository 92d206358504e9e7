/* outfile: see outfile.h.
 *
 * Why O_TMPFILE first: an unnamed file needs no clean-up at all, not even
 * after SIGKILL, and linkat() puts it in place without replacing anything
 * (EEXIST says someone else got there first).  Linking it goes through
 * /proc/self/fd (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "xio.h"

/* A hidden name in a folder, for the signal handler. */
struct outfile_hidden {
	int dirfd;
	char name[24];
};

/* Hidden names that exist now, for the signal handler. */
#define REG_MAX 1024
static struct outfile_hidden *volatile registry[REG_MAX];

static int reg_add(struct outfile_hidden *h)
{
	for (int i = 0; i < REG_MAX; i++)
		if (!registry[i]) {
			registry[i] = h;
			return i;
		}
	return -1;      /* not cleaned up by a signal: no worse than no handler */
}

static void reg_drop(int i)
{
	if (i >= 0)
		registry[i] = NULL;
}

static void on_signal(int sig)
{
	int saved = errno;
	for (int i = 0; i < REG_MAX; i++) {
		struct outfile_hidden *h = registry[i];
		if (h)
			unlinkat(h->dirfd, h->name, 0);
	}
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(sig, &dfl, NULL);
	raise(sig);     /* delivered, and fatal, once this returns */
	errno = saved;
}

/* The mode a new file gets when there is no input's to copy. */
static mode_t plain_mode = 0644;

void outfile_catch_signals(void)
{
	/* Read while the process has one thread: umask() sets as it reads. */
	mode_t mask = umask(022);
	umask(mask);
	plain_mode = 0666 & ~mask;

	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal };
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction old;
		/* One that was ignored when we started (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static bool proc_links(void)
{
	static int ok = -1;
	if (ok < 0)
		ok = access("/proc/self/fd", X_OK) == 0;
	return ok;
}

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY)

/* The folder of name (relative to dirfd) opened, *base its last part. */
static int open_folder(int dirfd, const char *name, const char **base)
{
	const char *slash = strrchr(name, '/');
	if (!slash) {
		*base = name;
		return dirfd == AT_FDCWD ? open(".", DIR_FLAGS) : fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	}
	*base = slash + 1;
	if (slash == name)
		return open("/", DIR_FLAGS);
	if (dirfd == AT_FDCWD && strlen(name) >= PATH_MAX) {
		const char *b;
		return xio_open_parent(name, &b);
	}
	char *dir = strndup(name, (size_t)(slash - name));
	if (!dir)
		return -1;
	int fd = openat(dirfd, dir, DIR_FLAGS);
	int err = errno;
	free(dir);
	errno = err;
	return fd;
}

int outfile_folder(int root, const char *rel, size_t len, bool mkdirs, size_t *bad)
{
	int fd = root;          /* not ours until a name is opened */
	const char *p = rel, *end = rel + len;
	char part[NAME_MAX + 1];

	while (p < end) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		size_t n = (size_t)(q - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p = q + 1;
			continue;
		}
		*bad = (size_t)(q - rel);
		if (n > NAME_MAX) {
			if (fd != root)
				xclose(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		int next = openat(fd, part, DIR_FLAGS | O_NOFOLLOW);
		struct stat st;
		if (next < 0 && errno == ENOTDIR && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;  /* the open says ENOTDIR for a symlink too */
		if (next < 0 && errno == ENOENT && mkdirs) {
			if (mkdirat(fd, part, 0777) < 0 && errno != EEXIST) {
				int err = errno;
				if (fd != root)
					xclose(fd);
				errno = err;
				return -1;
			}
			next = openat(fd, part, DIR_FLAGS | O_NOFOLLOW);
		}
		int err = errno;
		if (fd != root)
			xclose(fd);
		errno = err;
		if (next < 0)
			return -1;
		fd = next;
		p = q + 1;
	}
	return fd == root ? fcntl(root, F_DUPFD_CLOEXEC, 3) : fd;
}

/* A new hidden name in o's folder: ".ptool.XXXXXXXX", eight random hex
 * digits, registered for the signal handler. */
static int hidden_name(struct outfile *o)
{
	uint32_t r;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock();
	struct outfile_hidden *h = o->tmp;
	if (!h) {
		h = malloc(sizeof *h);
		if (!h)
			return -1;
		h->dirfd = o->dirfd;
		o->tmp = h;
	}
	snprintf(h->name, sizeof h->name, ".ptool.%08x", (unsigned)r);
	if (o->reg < 0)
		o->reg = reg_add(h);
	return 0;
}

/* The hidden name is gone, or never was. */
static void hidden_drop(struct outfile *o)
{
	reg_drop(o->reg);
	o->reg = -1;
	free(o->tmp);
	o->tmp = NULL;
}

int outfile_open(struct outfile *o, int dirfd, const char *name, unsigned flags)
{
	struct stat st;
	const char *base;
	int err;

	*o = (struct outfile){ .fd = -1, .dirfd = -1, .reg = -1, .flags = flags };
	o->dirfd = open_folder(dirfd, name, &base);
	if (o->dirfd < 0)
		goto fail;
	if (!*base) {
		errno = EISDIR;
		goto fail;
	}
	if (!(flags & OUTFILE_FORCE) && fstatat(o->dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		goto fail;
	}
	o->name = strdup(base);
	if (!o->name)
		goto fail;
	if (proc_links()) {
		o->fd = openat(o->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (o->fd >= 0)
			return 0;
		/* Only a file system without unnamed files falls back. */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			goto fail;
	}
	for (int tries = 0; tries < 100; tries++) {
		if (hidden_name(o) < 0)
			goto fail;
		o->fd = openat(o->dirfd, o->tmp->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
fail:
	err = errno;
	hidden_drop(o);
	if (o->dirfd >= 0)
		xclose(o->dirfd);
	free(o->name);
	*o = (struct outfile){ .fd = -1, .dirfd = -1, .reg = -1 };
	errno = err;
	return -1;
}

int outfile_write(struct outfile *o, const void *data, size_t len)
{
	return xwrite_all(o->fd, data, len) < 0 ? -1 : 0;
}

static void release(struct outfile *o)
{
	int err = errno;
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlinkat(o->dirfd, o->tmp->name, 0);
	hidden_drop(o);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->name);
	*o = (struct outfile){ .fd = -1, .dirfd = -1, .reg = -1 };
	errno = err;
}

void outfile_discard(struct outfile *o)
{
	release(o);
}

/* Put the hidden file in place. */
static int place_named(struct outfile *o)
{
	if (o->flags & OUTFILE_FORCE)
		return renameat(o->dirfd, o->tmp->name, o->dirfd, o->name);
	if (renameat2(o->dirfd, o->tmp->name, o->dirfd, o->name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE here: link() refuses to replace as well. */
	if (linkat(o->dirfd, o->tmp->name, o->dirfd, o->name, 0) < 0)
		return -1;
	return unlinkat(o->dirfd, o->tmp->name, 0) < 0 && errno != ENOENT ? -1 : 0;
}

/* Put the unnamed file in place. */
static int place_unnamed(struct outfile *o)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	if (!(o->flags & OUTFILE_FORCE))
		return linkat(AT_FDCWD, proc, o->dirfd, o->name, AT_SYMLINK_FOLLOW);
	/* To replace a file, link under a hidden name, then rename over. */
	for (int tries = 0; tries < 100; tries++) {
		if (hidden_name(o) < 0)
			return -1;
		if (linkat(AT_FDCWD, proc, o->dirfd, o->tmp->name, AT_SYMLINK_FOLLOW) == 0)
			return renameat(o->dirfd, o->tmp->name, o->dirfd, o->name);
		if (errno != EEXIST) {
			hidden_drop(o);
			return -1;
		}
	}
	hidden_drop(o);
	errno = EEXIST;
	return -1;
}

int outfile_commit(struct outfile *o, const struct outfile_meta *meta)
{
	int ret = -1;

	if ((o->flags & OUTFILE_SYNC) && fsync(o->fd) < 0)
		goto fail;
	if (meta) {
		/* Owner first: chown clears set-user-ID bits that chmod sets. */
		if (geteuid() == 0 && fchown(o->fd, meta->uid, meta->gid) < 0 && errno != EPERM)
			goto fail;
		if (fchmod(o->fd, meta->mode & 07777) < 0)
			goto fail;
		struct timespec times[2] = { meta->atime, meta->mtime };
		if (futimens(o->fd, times) < 0)
			goto fail;
	} else if (fchmod(o->fd, plain_mode) < 0) {
		goto fail;      /* as a file made by open(2) would be, not 0600 */
	}
	if (o->tmp) {
		/* A hidden file is closed before it is named: a close that
		 * fails (NFS) fails the output, not a file in place. */
		int r = xclose(o->fd);
		o->fd = -1;
		if (r < 0)
			goto fail;
	}
	ret = -2;
	if ((o->tmp ? place_named(o) : place_unnamed(o)) < 0)
		goto fail;
	hidden_drop(o);         /* renamed: the name is no longer hidden */
	ret = -1;
	if (o->fd >= 0) {
		int r = xclose(o->fd);
		o->fd = -1;
		if (r < 0)
			goto fail;
	}
	if ((o->flags & OUTFILE_SYNC) && fsync(o->dirfd) < 0)
		goto fail;
	release(o);
	return 0;
fail:
	release(o);
	return ret;
}
