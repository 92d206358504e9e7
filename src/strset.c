/* strset: see strset.h. */
#include "strset.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/* Where s is, or the empty slot where it would go (cap > 0). */
static char **slot_of(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);
	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

bool strset_has(const struct strset *set, const char *s)
{
	return set->cap && *slot_of(set->slots, set->cap, s);
}

int strset_add(struct strset *set, const char *s)
{
	if (2 * (set->n + 1) > set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 64;
		char **slots = calloc(cap, sizeof *slots);
		if (!slots)
			return -1;
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i])
				*slot_of(slots, cap, set->slots[i]) = set->slots[i];
		free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	char **at = slot_of(set->slots, set->cap, s);
	if (*at)
		return 0;
	*at = strdup(s);
	if (!*at)
		return -1;
	set->n++;
	return 1;
}

void strset_release(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	*set = (struct strset){ 0 };
}
