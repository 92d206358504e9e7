/* reorder: results arrive in any order and leave in sequence order.
 *
 * A ring of cap entries indexed by sequence number.  The producer may only
 * put a sequence number inside the window [next, next + cap); keeping to
 * that window is what bounds memory whatever the input. */
#ifndef PTOOL_REORDER_H
#define PTOOL_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reorder {
	void **items;
	size_t cap;
	uint64_t next;    /* the next sequence number to leave */
};

int reorder_init(struct reorder *r, size_t cap);
void reorder_release(struct reorder *r);

/* May seq be put now? */
bool reorder_fits(const struct reorder *r, uint64_t seq);

/* Store item (not NULL) for seq, which must fit and be free. */
void reorder_put(struct reorder *r, uint64_t seq, void *item);

/* The item for `next` if it has arrived (and advance), else NULL. */
void *reorder_pop(struct reorder *r);

#endif
