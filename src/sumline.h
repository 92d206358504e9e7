/* sumline: one record of a checksum list, parsed.  The forms, as ptool
 * hash, xxhsum and GNU sha256sum write them:
 *
 *   HEX  NAME              GNU: the algorithm from HEX's length, 8 xxh32,
 *   HEX *NAME                16 xxh64, 32 xxh128 (one space alone works too)
 *   XXH3_HEX  NAME         GNU, xxh3 (16 hex digits)
 *   TAG (NAME) = HEX       BSD: TAG is XXH32, XXH64, XXH3 or XXH128, with
 *                          _LE when HEX is little-endian
 *   {"path":...,"algo":...,"hash":...}    ptool hash --json
 *
 * A leading backslash marks an escaped NAME (\\, \n and \r), as in GNU
 * lines.  Blank lines and lines starting with '#' are no records.  Pure
 * (no I/O, no allocation), so a fuzzer can drive it. */
#ifndef PTOOL_SUMLINE_H
#define PTOOL_SUMLINE_H

#include <stddef.h>

enum sumline_flags {
	SUMLINE_LITTLE_ENDIAN = 1 << 0, /* GNU and JSON digests are little-endian */
	SUMLINE_NUL_LIST = 1 << 1,      /* a record of a NUL-separated list: no
	                                   CR to strip, names never escaped */
};

enum sumline_kind {
	SUMLINE_OK,
	SUMLINE_BLANK,          /* empty, or a comment */
	SUMLINE_BAD,            /* improperly formatted: see reason */
};

struct sumline {
	int algo;                   /* enum hash_algo */
	unsigned char digest[16];   /* canonical, big-endian */
	const char *name;           /* NUL-terminated, inside the line */
	const char *reason;         /* SUMLINE_BAD: why, a short phrase */
};

/* Parse line: len bytes, then a NUL; it is rewritten in place (the name
 * is unescaped where it lies). */
enum sumline_kind sumline_parse(char *line, size_t len, unsigned flags, struct sumline *out);

#endif
