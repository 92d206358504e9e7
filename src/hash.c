/* hash: see hash.h. */
#include "hash.h"

#include <stdbool.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

const struct hash_info hash_infos[] = {
	[HASH_XXH32] = { "xxh32", "XXH32", "", 4 },
	[HASH_XXH64] = { "xxh64", "XXH64", "", 8 },
	[HASH_XXH128] = { "xxh128", "XXH128", "", 16 },
	[HASH_XXH3] = { "xxh3", "XXH3", "XXH3_", 8 },
};

struct hash_slot {
	union {
		XXH32_state_t x32;
		XXH64_state_t x64;
		XXH3_state_t x3;
	} st;
	unsigned char digest[16];
};

int hash_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof hash_infos / sizeof *hash_infos; i++)
		if (strcmp(hash_infos[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t hash_slot_size(void)
{
	return sizeof(struct hash_slot);
}

const unsigned char *hash_digest(const void *slot)
{
	return ((const struct hash_slot *)slot)->digest;
}

static void put32(struct hash_slot *s, XXH32_hash_t h)
{
	XXH32_canonical_t c;
	XXH32_canonicalFromHash(&c, h);
	memcpy(s->digest, c.digest, sizeof c.digest);
}

static void put64(struct hash_slot *s, XXH64_hash_t h)
{
	XXH64_canonical_t c;
	XXH64_canonicalFromHash(&c, h);
	memcpy(s->digest, c.digest, sizeof c.digest);
}

static void put128(struct hash_slot *s, XXH128_hash_t h)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, h);
	memcpy(s->digest, c.digest, sizeof c.digest);
}

int hash_task(struct task *t, const struct arena *arena)
{
	struct hash_slot *s = arena_slot(arena, t->slot);
	const void *data = arena_buf(arena, t->buf);
	size_t len = (size_t)t->len;
	bool whole = (t->flags & TASK_FIRST) && (t->flags & TASK_LAST);

	switch ((enum hash_algo)t->op) {
	case HASH_XXH32:
		if (whole) {
			put32(s, XXH32(data, len, 0));
			return 0;
		}
		if (t->flags & TASK_FIRST)
			XXH32_reset(&s->st.x32, 0);
		XXH32_update(&s->st.x32, data, len);
		if (t->flags & TASK_LAST)
			put32(s, XXH32_digest(&s->st.x32));
		return 0;
	case HASH_XXH64:
		if (whole) {
			put64(s, XXH64(data, len, 0));
			return 0;
		}
		if (t->flags & TASK_FIRST)
			XXH64_reset(&s->st.x64, 0);
		XXH64_update(&s->st.x64, data, len);
		if (t->flags & TASK_LAST)
			put64(s, XXH64_digest(&s->st.x64));
		return 0;
	case HASH_XXH128:
		if (whole) {
			put128(s, XXH3_128bits(data, len));
			return 0;
		}
		if (t->flags & TASK_FIRST) {
			XXH3_INITSTATE(&s->st.x3);
			XXH3_128bits_reset(&s->st.x3);
		}
		XXH3_128bits_update(&s->st.x3, data, len);
		if (t->flags & TASK_LAST)
			put128(s, XXH3_128bits_digest(&s->st.x3));
		return 0;
	case HASH_XXH3:
		if (whole) {
			put64(s, XXH3_64bits(data, len));
			return 0;
		}
		if (t->flags & TASK_FIRST) {
			XXH3_INITSTATE(&s->st.x3);
			XXH3_64bits_reset(&s->st.x3);
		}
		XXH3_64bits_update(&s->st.x3, data, len);
		if (t->flags & TASK_LAST)
			put64(s, XXH3_64bits_digest(&s->st.x3));
		return 0;
	}
	return -22; /* -EINVAL: an op this function does not know */
}
