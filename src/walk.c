/* walk: see walk.h.
 *
 * A stack of open directory frames; each frame holds the sorted names of
 * one directory, read in full when it is entered, in one blob with offsets
 * (a folder of 200,000 files costs a few MiB, not 200,000 allocations).
 * Directories are opened by path, so deep trees hold no descriptors. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct frame {
	char *path;             /* the directory as it is displayed */
	char *names;            /* blob of NUL-terminated names */
	size_t *offs;           /* start of each name, sorted */
	size_t n, next;
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
};

struct walk *walk_create(unsigned flags, const char *const *excludes, walk_source_fn *source, void *ctx)
{
	struct walk *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->flags = flags;
	w->excludes = excludes;
	w->source = source;
	w->ctx = ctx;
	return w;
}

static void frame_free(struct frame *f)
{
	free(f->path);
	free(f->names);
	free(f->offs);
}

void walk_destroy(struct walk *w)
{
	if (!w)
		return;
	while (w->depth > 0)
		frame_free(&w->stack[--w->depth]);
	free(w->stack);
	free(w);
}

unsigned walk_fds(const struct walk *w)
{
	return w->flags & WALK_NO_DIRS ? 0 : 1;
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

/* Read a whole directory into a new frame, names sorted.  Each name is
 * stored after a byte holding its d_type. */
static int frame_load(struct frame *f, const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;

	size_t blob_len = 0, blob_cap = 4096, n = 0, cap = 64;
	char *blob = malloc(blob_cap);
	size_t *offs = malloc(cap * sizeof *offs);
	if (!blob || !offs)
		goto fail;

	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				goto fail;
			break;
		}
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
	closedir(d);
	qsort_r(offs, n, sizeof *offs, cmp_names, blob);
	f->names = blob;
	f->offs = offs;
	f->n = n;
	f->next = 0;
	return 0;
fail:;
	int err = errno ? errno : ENOMEM;
	closedir(d);
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

/* Enter a directory: 1 pushed, or 0 with *ent set to an error. */
static int enter(struct walk *w, char *path, const struct stat *st, struct walk_ent *ent)
{
	if ((w->flags & WALK_FOLLOW) && is_ancestor(w, st)) {
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .what = WALK_LOOP };
		return 0;
	}
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct frame *s = realloc(w->stack, cap * sizeof *s);
		if (!s)
			return -1;
		w->stack = s;
		w->cap = cap;
	}
	struct frame *f = &w->stack[w->depth];
	memset(f, 0, sizeof *f);
	if (frame_load(f, path) < 0) {
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
		                          .what = WALK_CANNOT_READ_DIR };
		return 0;
	}
	f->path = path;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	w->depth++;
	return 1;
}

/* The next entry of the top frame: 1 with *ent, 0 when nothing to yield
 * this time (skipped, entered, or the frame ended), -1 fatal. */
static int step_dir(struct walk *w, struct walk_ent *ent)
{
	struct frame *f = &w->stack[w->depth - 1];
	if (f->next == f->n) {
		frame_free(f);
		w->depth--;
		return 0;
	}
	size_t i = f->next++;
	char *path = join(f->path, f->names + f->offs[i]);
	if (!path)
		return -1;
	if (walk_excluded(w->excludes, path)) {
		free(path);
		return 0;
	}

	unsigned char type = (unsigned char)f->names[f->offs[i] - 1];
	struct stat st;
	bool need_stat = type == DT_UNKNOWN || type == DT_DIR ||
	                 (type == DT_LNK && (w->flags & WALK_FOLLOW));
	if (need_stat) {
		int r = (w->flags & WALK_FOLLOW) ? stat(path, &st) : lstat(path, &st);
		if (r < 0) {
			*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
			                          .what = WALK_CANNOT_OPEN };
			return 1;
		}
		type = IFTODT(st.st_mode);
	}
	switch (type) {
	case DT_DIR:
		if ((w->flags & WALK_ONE_FS) && st.st_dev != w->root_dev) {
			free(path);
			return 0;
		}
		{
			int r = enter(w, path, &st, ent);
			return r < 0 ? -1 : r == 0;
		}
	case DT_REG:
		*ent = (struct walk_ent){ .kind = WALK_FILE, .path = path, .regular = true };
		return 1;
	case DT_LNK:
		free(path);
		return 0;
	default:
		*ent = (struct walk_ent){ .kind = WALK_SKIP, .path = path };
		return 1;
	}
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
	if (stat(path, &st) < 0) {
		*ent = (struct walk_ent){ .kind = WALK_ERROR, .path = path, .error = errno,
		                          .what = WALK_CANNOT_OPEN };
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		w->root_dev = st.st_dev;
		int r = enter(w, path, &st, ent);
		return r < 0 ? -1 : r == 0;
	}
	*ent = (struct walk_ent){ .kind = WALK_OPERAND, .path = path,
	                          .regular = S_ISREG(st.st_mode) };
	return 1;
}

int walk_next(struct walk *w, struct walk_ent *ent)
{
	for (;;) {
		int r = w->depth > 0 ? step_dir(w, ent) : step_root(w, ent);
		if (r == -2)
			return 0;
		if (r == 1)
			ent->op = w->root_op;
		if (r != 0)
			return r;
	}
}
