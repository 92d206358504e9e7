/* outfile: see outfile.h.
 *
 * Why O_TMPFILE first: an unnamed file needs no clean-up at all, not even
 * after SIGKILL, and linkat() puts it in place without replacing anything
 * (EEXIST says someone else got there first).  Linking it goes through
 * /proc/self/fd (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "xio.h"

/* Hidden names that exist now, for the signal handler. */
#define REG_MAX 1024
static char *volatile registry[REG_MAX];

static int reg_add(char *name)
{
	for (int i = 0; i < REG_MAX; i++)
		if (!registry[i]) {
			registry[i] = name;
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
		char *name = registry[i];
		if (name)
			unlink(name);
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

/* The folder part of path ("." when there is none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int err = errno;
			free(p);
			errno = err;
			return -1;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return 0;
}

/* A hidden name beside path: "DIR/.BASE.XXXXXX" with six random hex digits. */
static char *hidden_name(const char *path)
{
	char *dir = dir_of(path);
	if (!dir)
		return NULL;
	uint32_t r;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock();
	char *name = NULL;
	if (asprintf(&name, "%s/.%s.%06x", dir, base_of(path), (unsigned)(r & 0xffffff)) < 0)
		name = NULL;
	free(dir);
	return name;
}

int outfile_open(struct outfile *o, const char *path, unsigned flags)
{
	struct stat st;
	int err;

	*o = (struct outfile){ .fd = -1, .reg = -1, .flags = flags };
	if (!(flags & OUTFILE_FORCE) && lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	char *dir = dir_of(path);
	o->path = strdup(path);
	if (!dir || !o->path)
		goto fail;
	if ((flags & OUTFILE_MKDIRS) && make_dirs(dir) < 0)
		goto fail;
	if (proc_links()) {
		o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (o->fd >= 0) {
			free(dir);
			return 0;
		}
		/* Only a file system without unnamed files falls back. */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			goto fail;
	}
	for (int tries = 0; tries < 100; tries++) {
		free(o->tmp);
		o->tmp = hidden_name(path);
		if (!o->tmp)
			goto fail;
		o->reg = reg_add(o->tmp);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (o->fd >= 0) {
			free(dir);
			return 0;
		}
		reg_drop(o->reg);
		o->reg = -1;
		if (errno != EEXIST)
			goto fail;
	}
fail:
	err = errno;
	free(dir);
	free(o->path);
	free(o->tmp);
	*o = (struct outfile){ .fd = -1, .reg = -1 };
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
	if (o->tmp) {
		unlink(o->tmp);
		reg_drop(o->reg);
	}
	free(o->tmp);
	free(o->path);
	*o = (struct outfile){ .fd = -1, .reg = -1 };
	errno = err;
}

void outfile_discard(struct outfile *o)
{
	release(o);
}

/* Put the hidden file in place. */
static int place_named(struct outfile *o)
{
	if (xclose(o->fd) < 0) {
		o->fd = -1;
		return -1;
	}
	o->fd = -1;
	if (o->flags & OUTFILE_FORCE)
		return rename(o->tmp, o->path);
	if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE here: link() refuses to replace as well. */
	if (link(o->tmp, o->path) < 0)
		return -1;
	return unlink(o->tmp) < 0 && errno != ENOENT ? -1 : 0;
}

/* Put the unnamed file in place. */
static int place_unnamed(struct outfile *o)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	if (!(o->flags & OUTFILE_FORCE))
		return linkat(AT_FDCWD, proc, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW);
	/* To replace a file, link under a hidden name, then rename over. */
	for (int tries = 0; tries < 100; tries++) {
		o->tmp = hidden_name(o->path);
		if (!o->tmp)
			return -1;
		o->reg = reg_add(o->tmp);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0)
			return rename(o->tmp, o->path);
		int err = errno;
		reg_drop(o->reg);
		o->reg = -1;
		free(o->tmp);
		o->tmp = NULL;
		if (err != EEXIST) {
			errno = err;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

static int sync_dir(const char *path)
{
	char *dir = dir_of(path);
	if (!dir)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int err = errno;
	close(fd);
	errno = err;
	return r;
}

int outfile_commit(struct outfile *o, const struct outfile_meta *meta)
{
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
	if ((o->tmp ? place_named(o) : place_unnamed(o)) < 0)
		goto fail;
	if (o->tmp) {
		reg_drop(o->reg);
		free(o->tmp);
		o->tmp = NULL;
	}
	if (o->fd >= 0) {
		int r = xclose(o->fd);
		o->fd = -1;
		if (r < 0)
			goto fail;
	}
	if ((o->flags & OUTFILE_SYNC) && sync_dir(o->path) < 0)
		goto fail;
	release(o);
	return 0;
fail:
	release(o);
	return -1;
}
