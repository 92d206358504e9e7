/* arena: see arena.h. */
#include "arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

int arena_init(struct arena *a, unsigned nbuf, size_t buf_size, size_t out_size, unsigned nslot,
               size_t slot_size, unsigned flags)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(a, 0, sizeof *a);
	a->nbuf = nbuf;
	a->nslot = nslot;
	a->slot_size = round_up(slot_size ? slot_size : 64, 64);
	a->buf_size = round_up(buf_size, page);
	a->out_size = round_up(out_size, page);
	a->bufs_offset = round_up(a->slot_size * nslot, page);
	a->size = a->bufs_offset + (a->buf_size + a->out_size) * nbuf;
	a->free_bufs = malloc(sizeof *a->free_bufs * (nbuf ? nbuf : 1));
	if (!a->free_bufs)
		return -1;
	int share = (flags & ARENA_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	void *p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto fail_free;
	/* Huge pages, where the kernel gives them to private memory: reads
	 * into fresh buffers then fault once per 2 MiB, not once per 4 KiB. */
	if (!(flags & ARENA_SHARED))
		(void)madvise(p, a->size, MADV_HUGEPAGE);
	a->base = p;
	/* Hand out low indexes first, so a light load touches few pages. */
	for (unsigned i = 0; i < nbuf; i++)
		a->free_bufs[i] = nbuf - 1 - i;
	a->nfree = nbuf;
	return 0;
fail_free:
	free(a->free_bufs);
	a->free_bufs = NULL;
	return -1;
}

void arena_release(struct arena *a)
{
	if (a->base)
		munmap(a->base, a->size);
	free(a->free_bufs);
	memset(a, 0, sizeof *a);
}

int arena_take_buf(struct arena *a)
{
	if (a->nfree == 0)
		return -1;
	return (int)a->free_bufs[--a->nfree];
}

void arena_put_buf(struct arena *a, unsigned i)
{
	PTOOL_ASSERT(a->nfree < a->nbuf && i < a->nbuf);
	a->free_bufs[a->nfree++] = i;
}
