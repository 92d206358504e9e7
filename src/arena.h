/* arena: the one shared mapping that holds every chunk buffer and every
 * per-file state slot.
 *
 * It is mapped before any worker exists (MAP_SHARED when workers are
 * processes), so every worker sees the same bytes at the same address: a task
 * names a buffer and a slot by index and nothing is copied.  The number of
 * buffers is fixed; the loop reads only into a free one, which bounds memory
 * by nbuf x buf_size whatever the input.
 *
 *   [ slot 0 | ... | slot nslot-1 | buf 0, out 0 | buf 1, out 1 | ... ]
 *     64-byte aligned slots          page-aligned buffers, each with its
 *                                    output room (when out_size > 0)
 *
 * The free list is the loop's alone (not in the mapping, not locked).
 *
 * Threads need no MAP_SHARED: private anonymous memory is the same bytes
 * for every thread, and unlike shared memory it gets transparent huge
 * pages on stock kernels (shmem huge pages are off by default), which
 * cuts page faults on fresh buffers about twelvefold.  ARENA_SHARED is
 * for workers in other processes. */
#ifndef PTOOL_ARENA_H
#define PTOOL_ARENA_H

#include <stddef.h>

struct arena {
	unsigned char *base;
	size_t size;
	size_t buf_size, slot_size, bufs_offset;
	size_t out_size;        /* each buffer's output room, after its data */
	unsigned nbuf, nslot;
	unsigned *free_bufs, nfree;
};

enum arena_flags {
	ARENA_SHARED = 1 << 0,  /* MAP_SHARED: for workers made by fork() */
};

/* out_size: room beside each buffer for what a task makes of its data
 * (compressed or decompressed bytes); 0 for none. */
int arena_init(struct arena *a, unsigned nbuf, size_t buf_size, size_t out_size, unsigned nslot,
               size_t slot_size, unsigned flags);
void arena_release(struct arena *a);

static inline void *arena_buf(const struct arena *a, unsigned i)
{
	return a->base + a->bufs_offset + (size_t)i * (a->buf_size + a->out_size);
}

static inline void *arena_out(const struct arena *a, unsigned i)
{
	return (unsigned char *)arena_buf(a, i) + a->buf_size;
}

static inline void *arena_slot(const struct arena *a, unsigned i)
{
	return a->base + (size_t)i * a->slot_size;
}

/* A free buffer's index, or -1 when all are in use. */
int arena_take_buf(struct arena *a);
void arena_put_buf(struct arena *a, unsigned i);

#endif
