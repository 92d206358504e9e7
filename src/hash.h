/* hash: the xxHash algorithms as a task function (no command line here).
 *
 * The per-input slot holds the streaming state; the first task of an input
 * resets it, the last stores the canonical (big-endian) digest.  An input
 * that fits one chunk is hashed in one call. */
#ifndef PTOOL_HASH_H
#define PTOOL_HASH_H

#include <stddef.h>

#include "pool.h"

enum hash_algo {
	HASH_XXH32,
	HASH_XXH64,
	HASH_XXH128,
	HASH_XXH3,
};

struct hash_info {
	const char *name;       /* "xxh128", for -a and JSON */
	const char *tag;        /* "XXH128", for --tag */
	const char *gnu_prefix; /* before the hex in GNU lines: "XXH3_" or "" */
	size_t digest_size;
};

extern const struct hash_info hash_infos[];

/* The algorithm called name, or -1. */
int hash_by_name(const char *name);

/* Bytes each input's slot needs. */
size_t hash_slot_size(void);

/* The digest the last task stored in a slot. */
const unsigned char *hash_digest(const void *slot);

task_fn hash_task;

#endif
