/* reorder: see reorder.h. */
#include "reorder.h"

#include <stdlib.h>

#include "diag.h"

int reorder_init(struct reorder *r, size_t cap)
{
	r->items = calloc(cap ? cap : 1, sizeof *r->items);
	r->cap = cap ? cap : 1;
	r->next = 0;
	return r->items ? 0 : -1;
}

void reorder_release(struct reorder *r)
{
	free(r->items);
	r->items = NULL;
}

bool reorder_fits(const struct reorder *r, uint64_t seq)
{
	return seq >= r->next && seq - r->next < r->cap;
}

void reorder_put(struct reorder *r, uint64_t seq, void *item)
{
	PTOOL_ASSERT(reorder_fits(r, seq) && item);
	void **at = &r->items[seq % r->cap];
	PTOOL_ASSERT(!*at);
	*at = item;
}

void *reorder_pop(struct reorder *r)
{
	void **at = &r->items[r->next % r->cap];
	void *item = *at;
	if (item) {
		*at = NULL;
		r->next++;
	}
	return item;
}
