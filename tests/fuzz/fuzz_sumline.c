/* libFuzzer target: the checksum-list parser (sumline_parse).
 *
 * The first byte picks the flags, the rest is one record.  Besides the
 * sanitizers' checks, a record the parser takes must hold together: a
 * known algorithm and a non-empty name inside the record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "sumline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned flags = data[0] & (SUMLINE_LITTLE_ENDIAN | SUMLINE_NUL_LIST);
	size_t len = size - 1;
	char *line = malloc(len + 1);
	if (!line)
		return 0;
	memcpy(line, data + 1, len);
	line[len] = '\0';

	struct sumline sl;
	enum sumline_kind k = sumline_parse(line, len, flags, &sl);
	if (k == SUMLINE_OK) {
		if (sl.algo < HASH_XXH32 || sl.algo > HASH_XXH3 || !sl.name ||
		    sl.name < line || sl.name >= line + len || sl.name[0] == '\0')
			abort();
	} else if (k == SUMLINE_BAD && (!sl.reason || !sl.reason[0])) {
		abort();
	}
	free(line);
	return 0;
}
