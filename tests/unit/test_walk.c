/* The walk: byte order inside a directory, depth first, no "//", FIFOs
 * reported for skipping, symlinks skipped unless followed, loops caught. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "walk.h"

static const char *roots[4];
static int nroot;

static const char *source(void *ctx, uint32_t *op, int *error)
{
	return roots[nroot] ? roots[nroot++] : NULL;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	close(fd);
}

static void collect(unsigned flags, char *out, size_t size)
{
	struct walk *w = walk_create(flags, NULL, source, NULL);
	struct walk_ent e;
	out[0] = '\0';
	nroot = 0;
	while (walk_next(w, &e) == 1) {
		char item[256];
		snprintf(item, sizeof item, "%c:%s ", "FOSEK"[e.kind], e.path ? e.path : "");
		strncat(out, item, size - strlen(out) - 1);
		walk_ent_release(&e);
	}
	walk_destroy(w);
}

void test_walk(void)
{
	char tmpl[] = "/tmp/ptool-unit-XXXXXX";
	char *top = mkdtemp(tmpl);
	CHECK(top != NULL);
	if (!top || chdir(top) < 0)
		return;
	mkdir("t", 0755);
	mkdir("t/b", 0755);
	mkdir("t/B", 0755);
	touch("t/a");
	touch("t/b/x");
	touch("t/B/y");
	touch("t/a-");
	touch("t/_");
	mkfifo("t/fifo", 0644);
	symlink("..", "t/b/up");
	symlink("a", "t/link");

	char got[1024];
	roots[0] = "t/";
	roots[1] = NULL;
	collect(0, got, sizeof got);
	const char *want = "F:t/B/y F:t/_ F:t/a F:t/a- F:t/b/x K:t/fifo ";
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  got  %s\n  want %s\n", got, want);
	CHECK(strcmp(got, want) == 0);

	/* Followed: the link to a file is a file, the link up is a loop. */
	roots[0] = "t";
	collect(WALK_FOLLOW, got, sizeof got);
	want = "F:t/B/y F:t/_ F:t/a F:t/a- E:t/b/up F:t/b/x K:t/fifo F:t/link ";
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  got  %s\n  want %s\n", got, want);
	CHECK(strcmp(got, want) == 0);

	roots[0] = "t/a";
	roots[1] = "-";
	roots[2] = "missing";
	collect(0, got, sizeof got);
	want = "O:t/a S:- E:missing ";
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  got  %s\n  want %s\n", got, want);
	CHECK(strcmp(got, want) == 0);

	CHECK(system("rm -rf t") == 0);

	/* Swapped for a symlink after the listing: a file is opened in its
	 * folder without following it, a folder is not entered. */
	mkdir("t", 0755);
	mkdir("t/d", 0755);
	mkdir("outside", 0755);
	touch("t/a");
	touch("t/d/x");
	touch("outside/secret");
	roots[0] = "t";
	roots[1] = NULL;
	nroot = 0;
	struct walk *w = walk_create(0, NULL, source, NULL);
	struct walk_ent e;
	CHECK(walk_next(w, &e) == 1 && e.kind == WALK_FILE && e.dir);
	if (e.kind == WALK_FILE && e.dir) {
		CHECK(strcmp(e.path + e.name_off, "a") == 0 && e.nofollow);
		CHECK(unlink("t/a") == 0 && symlink("../outside/secret", "t/a") == 0);
		errno = 0;
		CHECK(openat(e.dir->fd, e.path + e.name_off, O_RDONLY | O_NOFOLLOW) < 0 && errno == ELOOP);
		CHECK(walk_open_fds(w) == 1);
	}
	walk_ent_release(&e);
	CHECK(rename("t/d", "t/d.old") == 0 && symlink("../outside", "t/d") == 0);
	CHECK(walk_next(w, &e) == 1 && e.kind == WALK_ERROR && e.what == WALK_SWAPPED);
	CHECK(e.path && strcmp(e.path, "t/d") == 0);
	walk_ent_release(&e);
	CHECK(walk_next(w, &e) == 0);
	CHECK(walk_open_fds(w) == 0);
	walk_destroy(w);

	CHECK(system("rm -rf t outside") == 0);
	(void)!chdir("/");
	rmdir(top);
}
