/* walk: see walk.h.
 *
 * A stack of directory frames; each frame holds the sorted names of one
 * directory, read in full when it is entered, in one blob with offsets
 * (a folder of 200,000 files costs a few MiB, not 200,000 allocations),
 * and the directory's handle.  Entries take a reference to it, so a
 * directory stays open while an entry under it is opened or written
 * beside, and closes with the last of them.  A deep tree does not hold a
 * descriptor a level: past max_fds frames the oldest give theirs up, and
 * get a new one through ".." of the child on the way back, checked
 * against the device and inode they had. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xio.h"

struct frame {
	char *path;             /* the directory as it is displayed */
	char *names;            /* blob of NUL-terminated names */
	size_t *offs;           /* start of each name, sorted */
	size_t n, next;
	struct walk_dir *dir;   /* NULL while given up (see max_fds) */
	dev_t dev;
	ino_t ino;
};

struct walk {
	unsigned flags;
	const char *const *excludes;
	walk_source_fn *source;
	void *ctx;
	struct frame *stack;
	size_t depth, cap;
	dev_t root_dev;
	bool source_done;
	uint32_t root_op;       /* the op of the root being walked */
	unsigned open_fds;      /* struct walk_dir alive */
	unsigned max_fds;       /* frames that hold their directory, at most */
	char *dbuf;             /* getdents64 buffer */
	bool may_defer;         /* see walk_may_defer */
};

#define DBUF_SIZE (64 << 10)

struct walk *walk_create(unsigned flags, const char *const *excludes, walk_source_fn *source, void *ctx)
{
	struct walk *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->flags = flags;
	w->excludes = excludes;
	w->source = source;
	w->ctx = ctx;
	w->max_fds = 64;
	return w;
}

void walk_set_max_fds(struct walk *w, unsigned n)
{
	w->max_fds = n < 1 ? 1 : n;
}

void walk_may_defer(struct walk *w, bool yes)
{
	w->may_defer = yes;
}

unsigned walk_open_fds(const struct walk *w)
{
	return w->open_fds;
}

static struct walk_dir *dir_new(struct walk *w, int fd, const struct stat *st)
{
	struct walk_dir *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	*d = (struct walk_dir){ .fd = fd, .refs = 1, .dev = st->st_dev, .ino = st->st_ino, .walk = w };
	w->open_fds++;
	return d;
}

struct walk_dir *walk_dir_ref(struct walk_dir *d)
{
	if (d)
		d->refs++;
	return d;
}

void walk_dir_unref(struct walk_dir *d)
{
	if (!d || --d->refs > 0)
		return;
	xclose(d->fd);
	d->walk->open_fds--;
	free(d);
}

void walk_ent_release(struct walk_ent *ent)
{
	free(ent->path);
	ent->path = NULL;
	walk_dir_unref(ent->dir);
	ent->dir = NULL;
}

static void frame_free(struct frame *f)
{
	free(f->path);
	free(f->names);
	free(f->offs);
	walk_dir_unref(f->dir);
	f->dir = NULL;
}

void walk_destroy(struct walk *w)
{
	if (!w)
		return;
	while (w->depth > 0)
		frame_free(&w->stack[--w->depth]);
	free(w->stack);
	free(w->dbuf);
	free(w);
}

unsigned walk_fds(const struct walk *w)
{
	/* The top folder, and the one opened from it (a child, or its
	 * parent again through ".."). */
	return w->flags & WALK_NO_DIRS ? 0 : 2;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool walk_excluded(const char *const *excludes, const char *path)
{
	if (!excludes)
		return false;
	for (; *excludes; excludes++) {
		const char *glob = *excludes;
		const char *subject = strchr(glob, '/') ? path : base_name(path);
		if (fnmatch(glob, subject, strchr(glob, '/') ? FNM_PATHNAME : 0) == 0)
			return true;
	}
	return false;
}

/* "dir" + "name", with no doubled slash. */
static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	char *p = malloc(dl + 1 + nl + 1);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	size_t at = dl;
	if (!(dl == 1 && dir[0] == '/'))
		p[at++] = '/';
	memcpy(p + at, name, nl + 1);
	return p;
}

static int cmp_names(const void *a, const void *b, void *blob)
{
	return strcmp((const char *)blob + *(const size_t *)a, (const char *)blob + *(const size_t *)b);
}

/* Read a whole directory (fd, left open) into a new frame, names sorted.
 * Each name is stored after a byte holding its d_type. */
static int frame_load(struct walk *w, struct frame *f, int fd)
{
	if (!w->dbuf && !(w->dbuf = malloc(DBUF_SIZE)))
		return -1;

	size_t blob_len = 0, blob_cap = 4096, n = 0, cap = 64;
	char *blob = malloc(blob_cap);
	size_t *offs = malloc(cap * sizeof *offs);
	if (!blob || !offs)
		goto fail;

	for (;;) {
		ssize_t got = getdents64(fd, w->dbuf, DBUF_SIZE);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		for (ssize_t at = 0; at < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(w->dbuf + at);
			at += de->d_reclen;
			const char *nm = de->d_name;
			if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
				continue;
			size_t len = strlen(nm) + 1;
			if (blob_len + 1 + len > blob_cap) {
				while (blob_len + 1 + len > blob_cap)
					blob_cap *= 2;
				char *nb = realloc(blob, blob_cap);
				if (!nb)
					goto fail;
				blob = nb;
			}
			if (n == cap) {
				cap *= 2;
				size_t *no = realloc(offs, cap * sizeof *offs);
				if (!no)
					goto fail;
				offs = no;
			}
			blob[blob_len] = (char)de->d_type;
			memcpy(blob + blob_len + 1, nm, len);
			offs[n++] = blob_len + 1;
			blob_len += 1 + len;
		}
	}
	qsort_r(offs, n, sizeof *offs, cmp_names, blob);
	f->names = blob;
	f->offs = offs;
	f->n = n;
	f->next = 0;
	return 0;
fail:;
	int err = errno ? errno : ENOMEM;
	free(blob);
	free(offs);
	errno = err;
	return -1;
}

static bool is_ancestor(const struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->depth; i++)
		if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino)
			return true;
	return false;
}

/* Frames that hold their directory: past max_fds, the oldest one (never
 * the top) gives it up. */
static void limit_frames(struct walk *w)
{
	unsigned held = 0;
	for (size_t i = 0; i < w->depth; i++)
		held += w->stack[i].dir != NULL;
	for (size_t i = 0; held > w->max_fds && i + 1 < w->depth; i++) {
		if (w->stack[i].dir) {
			walk_dir_unref(w->stack[i].dir);
			w->stack[i].dir = NULL;
			held--;
		}
	}
}

/* Enter the directory open on fd: 1 pushed, or 0 with *ent set to an
 * error (fd closed), -1 fatal. */
static int enter(struct walk *w, char *path, int fd, const struct stat *st, struct walk_ent *ent)
{
	if ((w->flags & WALK_FOLLOW) && is_ancestor(w, st)) {
		xclose(fd);
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .what = WALK_LOOP };
		return 0;
	}
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct frame *s = realloc(w->stack, cap * sizeof *s);
		if (!s) {
			xclose(fd);
			free(path);
			return -1;
		}
		w->stack = s;
		w->cap = cap;
	}
	struct frame *f = &w->stack[w->depth];
	memset(f, 0, sizeof *f);
	if (frame_load(w, f, fd) < 0) {
		int err = errno;
		xclose(fd);
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = err,
		                          .what = WALK_CANNOT_READ_DIR };
		return 0;
	}
	f->dir = dir_new(w, fd, st);
	if (!f->dir) {
		xclose(fd);
		free(f->names);
		free(f->offs);
		free(path);
		return -1;
	}
	f->path = path;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	w->depth++;
	limit_frames(w);
	return 1;
}

/* The top frame is done: pop it.  Its parent, if it gave up its
 * directory, takes it back through "..": 0, or 1 with *ent an error when
 * that is not the directory it was (moved meanwhile), whose other
 * entries are then left. */
static int leave(struct walk *w, struct walk_ent *ent)
{
	struct frame *f = &w->stack[w->depth - 1];
	struct frame *up = w->depth > 1 ? f - 1 : NULL;
	int r = 0;

	if (up && !up->dir) {
		struct stat st;
		int fd = openat(f->dir->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == up->dev && st.st_ino == up->ino)
			up->dir = dir_new(w, fd, &st);
		if (!up->dir) {
			int err = fd < 0 ? errno : 0;
			if (fd >= 0)
				xclose(fd);
			char *path = strdup(up->path);
			if (!path)
				return -1;
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = err,
			                          .what = err ? WALK_CANNOT_READ_DIR : WALK_SWAPPED };
			up->next = up->n;
			r = 1;
		}
	}
	frame_free(f);
	w->depth--;
	return r;
}

/* The next entry of the top frame: 1 with *ent, 0 when nothing to yield
 * this time (skipped, entered, or the frame ended), -1 fatal. */
static int step_dir(struct walk *w, struct walk_ent *ent)
{
	struct frame *f = &w->stack[w->depth - 1];
	if (f->next == f->n)
		return leave(w, ent);
	size_t i = f->next++;
	const char *name = f->names + f->offs[i];
	char *path = join(f->path, name);
	if (!path)
		return -1;
	if (walk_excluded(w->excludes, path)) {
		free(path);
		return 0;
	}
	size_t name_off = strlen(path) - strlen(name);
	bool follow = w->flags & WALK_FOLLOW;
	int dfd = f->dir->fd;

	unsigned char type = (unsigned char)name[-1];
	struct stat st;
	if (type == DT_UNKNOWN || (type == DT_LNK && follow)) {
		if (fstatat(dfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
			                          .what = WALK_CANNOT_OPEN };
			return 1;
		}
		type = IFTODT(st.st_mode);
	}
	switch (type) {
	case DT_DIR: {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY |
		                (follow ? 0 : O_NOFOLLOW));
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* Short of descriptors: the frames below give theirs
			 * up, or the entries out hold them and will give
			 * them back (the caller said so): try again later. */
			size_t max = w->max_fds;
			w->max_fds = 1;
			limit_frames(w);
			w->max_fds = (unsigned)max;
			fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY |
			            (follow ? 0 : O_NOFOLLOW));
			if (fd < 0 && (errno == EMFILE || errno == ENFILE) && w->may_defer) {
				f->next--;
				free(path);
				errno = EMFILE;
				return 3;
			}
		}
		if (fd < 0) {
			/* Listed as a directory, now a symlink or a file:
			 * never gone through. */
			bool swapped = errno == ELOOP || errno == ENOTDIR;
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
			                          .what = swapped ? WALK_SWAPPED : WALK_CANNOT_READ_DIR };
			return 1;
		}
		if (fstat(fd, &st) < 0) {
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
			                          .what = WALK_CANNOT_READ_DIR };
			xclose(fd);
			return 1;
		}
		if ((w->flags & WALK_ONE_FS) && st.st_dev != w->root_dev) {
			xclose(fd);
			free(path);
			return 0;
		}
		int r = enter(w, path, fd, &st, ent);
		return r < 0 ? -1 : r == 0;
	}
	case DT_REG:
		*ent = (struct walk_ent){ .kind = WALK_FILE, .path = path, .regular = true,
		                          .dir = walk_dir_ref(f->dir), .name_off = name_off,
		                          .nofollow = !follow };
		return 1;
	case DT_LNK:
		free(path);
		return 0;
	default:
		*ent = (struct walk_ent){ .kind = WALK_SKIP, .path = path };
		return 1;
	}
}

/* A root's stat (into st), or its folder opened (open): by its path, or
 * for a path past PATH_MAX, a part at a time. */
static int root_at(const char *path, struct stat *st, bool open_dir)
{
	int dfd = AT_FDCWD;
	const char *name = path;
	if (strlen(path) >= PATH_MAX && (dfd = xio_open_parent(path, &name)) < 0)
		return -1;
	int r = open_dir ? openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY) :
	                   fstatat(dfd, name, st, 0);
	if (dfd != AT_FDCWD) {
		int err = errno;
		xclose(dfd);
		errno = err;
	}
	return r;
}

static int step_root(struct walk *w, struct walk_ent *ent)
{
	int error = 0;
	uint32_t op = 0;
	const char *root = w->source_done ? NULL : w->source(w->ctx, &op, &error);
	if (!root) {
		if (error == EAGAIN)
			return 2;
		w->source_done = true;
		if (error) {
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = NULL, .error = error,
			                          .what = WALK_CANNOT_READ_LIST };
			return 1;
		}
		return -2;
	}
	char *path = strdup(root);
	if (!path)
		return -1;
	w->root_op = op;
	if (strcmp(path, "-") == 0) {
		*ent = (struct walk_ent){ .kind = WALK_STDIN, .path = path };
		return 1;
	}
	if (w->flags & WALK_NO_DIRS) {
		/* One path lookup, not two: the open says the rest. */
		*ent = (struct walk_ent){ .kind = WALK_OPERAND, .path = path, .untyped = true };
		return 1;
	}
	struct stat st;
	if (root_at(path, &st, false) < 0) {
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
		                          .what = WALK_CANNOT_OPEN };
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		/* A root is the user's path: symlinks on the way are followed. */
		int fd = root_at(path, NULL, true);
		if (fd < 0 || fstat(fd, &st) < 0) {
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
			                          .what = WALK_CANNOT_READ_DIR };
			if (fd >= 0)
				xclose(fd);
			return 1;
		}
		w->root_dev = st.st_dev;
		int r = enter(w, path, fd, &st, ent);
		return r < 0 ? -1 : r == 0;
	}
	*ent = (struct walk_ent){ .kind = WALK_OPERAND, .path = path,
	                          .regular = S_ISREG(st.st_mode), .mode = st.st_mode & S_IFMT };
	return 1;
}

int walk_next(struct walk *w, struct walk_ent *ent)
{
	for (;;) {
		int r = w->depth > 0 ? step_dir(w, ent) : step_root(w, ent);
		if (r == -2)
			return 0;
		if (r == 3)
			return 2;
		if (r == 1)
			ent->op = w->root_op;
		if (r != 0)
			return r;
	}
}
