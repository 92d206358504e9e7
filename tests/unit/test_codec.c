/* The codecs: round trips at several levels, chunks as separate streams
 * decoded as one, input and output in small pieces, detection, and the
 * errors for damage, truncation and trailing garbage.  Data comes from a
 * fixed seed, so every run sees the same bytes. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "codec.h"
#include "unit.h"

#define MIB ((size_t)1 << 20)

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Words and spaces, as in source files and logs. */
static void fill_text(unsigned char *p, size_t n)
{
	static const char *const words[] = {
		"the", "codec", "stream", "of", "chunk", "return", "int", "static", "size_t",
		"a", "to", "if", "(len", "== 0)", "{", "}\n", "\t", "for", "/*", "*/\n", "ptool",
	};
	size_t i = 0;
	while (i < n) {
		const char *w = words[rng() % (sizeof words / sizeof *words)];
		for (; *w && i < n; w++)
			p[i++] = (unsigned char)*w;
		if (i < n)
			p[i++] = ' ';
	}
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng();
}

/* Text, random bytes, zeros and a short repeated pattern, in turns. */
static void fill_mixed(unsigned char *p, size_t n)
{
	size_t i = 0;
	for (int part = 0; i < n; part++) {
		size_t len = 1000 + rng() % 200000;
		if (len > n - i)
			len = n - i;
		switch (part % 4) {
		case 0: fill_text(p + i, len); break;
		case 1: fill_random(p + i, len); break;
		case 2: memset(p + i, 0, len); break;
		case 3:
			for (size_t k = 0; k < len; k++)
				p[i + k] = (unsigned char)"abcabd"[k % 6];
			break;
		}
		i += len;
	}
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Compressed into a fresh buffer of exactly the bound. */
static unsigned char *compress(enum codec_format f, int level, const void *src, size_t len,
                               size_t *out_len)
{
	size_t cap = codec_bound(f, len);
	unsigned char *dst = malloc(cap ? cap : 1);
	ssize_t n = codec_compress(f, level, src, len, dst, cap);
	if (n < 0) {
		fprintf(stderr, "  %s -%d of %zu bytes: %s\n", codec_infos[f].name, level, len,
		        strerror(errno));
		unit_failed = 1;
		n = 0;
	}
	*out_len = (size_t)n;
	return dst;
}

/* Decode in pieces of piece bytes into an output room of out_cap, holding
 * the decoder to its contract on every call; the last status (CODEC_END
 * or -error).  The output goes to *out when out is not NULL. */
static int decode(enum codec_format f, const unsigned char *in, size_t n, size_t piece,
                  size_t out_cap, struct buf *out)
{
	struct codec_dec *d = codec_dec_create(f);
	unsigned char *room = malloc(out_cap);
	size_t pos = 0;
	int idle = 0, r;

	CHECK(d != NULL);
	if (!d)
		return -ENOMEM;
	for (;;) {
		size_t len = n - pos < piece ? n - pos : piece;
		bool last = pos + len == n;
		size_t used = 99, made = 99;
		r = codec_dec_run(d, in + pos, len, &used, room, out_cap, &made, last);
		CHECK(used <= len && made <= out_cap);
		if (out)
			buf_add(out, room, made);
		pos += used;
		if (r < 0)
			break;
		if (r == CODEC_END) {
			CHECK(last && used == len);
			break;
		}
		if (r == CODEC_MORE_IN)
			CHECK(!last && used == len);
		if (r == CODEC_OUT_FULL)
			CHECK(made == out_cap);
		if (r != CODEC_MORE_IN && r != CODEC_OUT_FULL) {
			fprintf(stderr, "  a status out of range: %d\n", r);
			unit_failed = 1;
			break;
		}
		/* a decoder that neither takes nor gives must say so, not loop */
		idle = used || made || r == CODEC_MORE_IN ? 0 : idle + 1;
		if (idle > 2) {
			fprintf(stderr, "  %s: no progress\n", codec_infos[f].name);
			unit_failed = 1;
			r = -EIO;
			break;
		}
	}
	free(room);
	codec_dec_destroy(d);
	return r;
}

static bool same(const struct buf *b, const void *p, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->p, p, n) == 0);
}

static int round_trip(enum codec_format f, int level, const unsigned char *src, size_t len)
{
	size_t n, n2;
	unsigned char *c = compress(f, level, src, len, &n);
	unsigned char *c2 = compress(f, level, src, len, &n2);
	struct buf out = { 0 };
	int ok = 1;

	/* the same bytes every time: no timestamps */
	if (n != n2 || memcmp(c, c2, n) != 0) {
		fprintf(stderr, "  %s -%d: two calls, two outputs\n", codec_infos[f].name, level);
		ok = 0;
	}
	if (n > codec_bound(f, len) || n == 0)
		ok = 0;
	if (n >= 2 && codec_detect(c, n, NULL) != (int)f) {
		fprintf(stderr, "  %s -%d of %zu: not detected\n", codec_infos[f].name, level, len);
		ok = 0;
	}
	int r = decode(f, c, n, n, len > 4 * MIB ? len : 4 * MIB, &out);
	if (r != CODEC_END || !same(&out, src, len)) {
		fprintf(stderr, "  %s -%d of %zu: %s, %zu bytes back\n", codec_infos[f].name, level, len,
		        r < 0 ? codec_strerror(r) : "ended", out.len);
		ok = 0;
	}
	free(out.p);
	free(c);
	free(c2);
	return ok;
}

static void test_names(void)
{
	CHECK(codec_by_name("zstd") == CODEC_ZSTD && codec_by_name("lz4") == CODEC_LZ4);
	CHECK(codec_by_name("gz") == -1 && codec_by_name("") == -1);
	CHECK(codec_by_suffix("a.gz") == CODEC_GZIP);
	CHECK(codec_by_suffix("dir/a.tar.zst") == CODEC_ZSTD);
	CHECK(codec_by_suffix("x.bz2") == CODEC_BZIP2 && codec_by_suffix("x.xz") == CODEC_XZ);
	CHECK(codec_by_suffix("x.lz4") == CODEC_LZ4);
	CHECK(codec_by_suffix(".gz") == -1);
	CHECK(codec_by_suffix("a.gzip") == -1 && codec_by_suffix("a") == -1);
	CHECK(codec_by_suffix("a.tgz") == CODEC_GZIP && codec_by_suffix("a.tbz") == CODEC_BZIP2);
	CHECK(codec_by_suffix("a.zstd") == CODEC_ZSTD && codec_by_suffix("a.taz") == -1);

	/* what the formats' own tools take off, and put in its place */
	static const struct {
		const char *name;
		size_t len;
		const char *rep;
	} sufs[] = {
		{ "a.zst", 4, "" },    { "a.zstd", 5, "" },    { "a.tzst", 5, ".tar" },
		{ "a.gz", 3, "" },     { "a.tgz", 4, ".tar" }, { "a.xz", 3, "" },
		{ "a.txz", 4, ".tar" }, { "a.bz2", 4, "" },    { "a.bz", 3, "" },
		{ "a.tbz2", 5, ".tar" }, { "a.tbz", 4, ".tar" }, { "a.lz4", 4, "" },
		{ "a.tlz4", 5, ".tar" }, { "d/a.tar.gz", 3, "" }, { ".tgz", 0, "" },
		{ "a.taz", 0, "" },    { "a.z", 0, "" },       { "a.tgz2", 0, "" },
		{ "a", 0, "" },        { "", 0, "" },
	};
	for (size_t i = 0; i < sizeof sufs / sizeof *sufs; i++) {
		const char *rep = "unset";
		size_t len = codec_suffix(sufs[i].name, &rep);
		if (len != sufs[i].len || strcmp(rep, sufs[i].rep) != 0) {
			fprintf(stderr, "  codec_suffix(\"%s\"): %zu, \"%s\"\n", sufs[i].name, len, rep);
			unit_failed = 1;
		}
	}
	CHECK(codec_suffix("a.tgz", NULL) == 4);

	CHECK(codec_infos[CODEC_ZSTD].level_default == 3 && codec_infos[CODEC_ZSTD].level_max == 19);
	CHECK(codec_infos[CODEC_XZ].level_min == 0 && codec_infos[CODEC_BZIP2].level_default == 9);
	CHECK(codec_infos[CODEC_LZ4].level_max == 9 && codec_infos[CODEC_GZIP].level_default == 6);

	CHECK(strcmp(codec_strerror(CODEC_E_NOT_COMPRESSED), "not compressed data") == 0);
	CHECK(strcmp(codec_strerror(-CODEC_E_TRAILING),
	             "trailing garbage after compressed data") == 0);
	CHECK(strcmp(codec_strerror(CODEC_E_CHECK),
	             "checksum mismatch (corrupt compressed data)") == 0);
	CHECK(strcmp(codec_strerror(ENOENT), strerror(ENOENT)) == 0);
	CHECK(strcmp(codec_strerror(-ENOMEM), strerror(ENOMEM)) == 0);
}

static void test_round_trips(void)
{
	size_t small = 25000, big = 3 * MIB;
	unsigned char *text = malloc(small), *mixed = malloc(big);
	fill_text(text, small);
	fill_mixed(mixed, big);

	for (int f = 0; f < CODEC_COUNT; f++) {
		const struct codec_info *ci = &codec_infos[f];
		int levels[] = { ci->level_min, ci->level_default, ci->level_max };
		for (int k = 0; k < 3; k++) {
			CHECK(round_trip(f, levels[k], text, 0));
			CHECK(round_trip(f, levels[k], (const unsigned char *)"x", 1));
			CHECK(round_trip(f, levels[k], text, small));
			/* the slow top levels on small data only */
			if (k < 2)
				CHECK(round_trip(f, levels[k], mixed, big));
		}
	}
	free(text);
	free(mixed);
}

/* What the headers say: no name and no time in gzip, checksums on. */
static void test_headers(void)
{
	unsigned char text[1000];
	size_t n;
	fill_text(text, sizeof text);

	unsigned char *c = compress(CODEC_GZIP, 6, text, sizeof text, &n);
	CHECK(n > 18 && c[0] == 0x1f && c[1] == 0x8b && c[2] == 8);
	CHECK(c[3] == 0);       /* FLG: no FNAME, no FEXTRA, no FCOMMENT */
	CHECK(c[4] == 0 && c[5] == 0 && c[6] == 0 && c[7] == 0);   /* MTIME */
	free(c);

	c = compress(CODEC_ZSTD, 3, text, sizeof text, &n);
	CHECK(n > 5 && (c[4] & 0x04));         /* Content_Checksum_flag */
	CHECK((c[4] & 0xc0) || (c[4] & 0x20)); /* a content size */
	free(c);

	c = compress(CODEC_LZ4, 1, text, sizeof text, &n);
	CHECK(n > 7 && (c[4] & 0x04));         /* FLG: content checksum */
	free(c);
	c = compress(CODEC_LZ4, 1, text, 0, &n);
	CHECK(n > 7 && (c[4] & 0x04));
	free(c);

	c = compress(CODEC_XZ, 6, text, sizeof text, &n);
	CHECK(n > 12 && c[7] == 0x04);         /* Stream Flags: CRC64 */
	free(c);
}

/* Three chunks compressed apart, decoded as one input in small pieces. */
static void test_chunks(void)
{
	size_t chunk = 40000;
	unsigned char *src = malloc(3 * MIB);
	fill_mixed(src, 3 * MIB);

	for (int f = 0; f < CODEC_COUNT; f++) {
		struct buf all = { 0 }, big = { 0 };
		size_t n;
		for (int i = 0; i < 3; i++) {
			unsigned char *c = compress(f, codec_infos[f].level_min, src + i * chunk, chunk, &n);
			buf_add(&all, c, n);
			free(c);
			c = compress(f, codec_infos[f].level_min, src + i * MIB, MIB, &n);
			buf_add(&big, c, n);
			free(c);
		}
		static const size_t pieces[] = { 1, 13, 4096 };
		static const size_t rooms[] = { 1, 7, 65536 };
		for (int p = 0; p < 3; p++) {
			for (int o = 0; o < 3; o++) {
				struct buf out = { 0 };
				int r = decode(f, all.p, all.len, pieces[p], rooms[o], &out);
				if (r != CODEC_END || !same(&out, src, 3 * chunk)) {
					fprintf(stderr, "  %s: pieces of %zu, room %zu: %d, %zu bytes\n",
					        codec_infos[f].name, pieces[p], rooms[o], r, out.len);
					unit_failed = 1;
				}
				free(out.p);
			}
		}
		struct buf out = { 0 };
		CHECK(decode(f, big.p, big.len, 4096, 7, &out) == CODEC_END && same(&out, src, 3 * MIB));
		free(out.p);

		/* cut where a stream ends: a shorter input, not an error */
		size_t first;
		unsigned char *c = compress(f, codec_infos[f].level_min, src, chunk, &first);
		out.p = NULL, out.len = out.cap = 0;
		CHECK(decode(f, all.p, first, 13, 7, &out) == CODEC_END && same(&out, src, chunk));
		free(out.p);
		free(c);
		free(all.p);
		free(big.p);
	}
	free(src);
}

/* libarchive's own writer for the formats we do not decode. */
static unsigned char *foreign(const char *filter, const void *src, size_t len, size_t *out_len)
{
	size_t cap = len * 2 + 1024, used = 0;
	unsigned char *dst = malloc(cap);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	CHECK(archive_write_add_filter_by_name(a, filter) == ARCHIVE_OK);
	CHECK(archive_write_set_format_raw(a) == ARCHIVE_OK);
	CHECK(archive_write_set_bytes_per_block(a, 0) == ARCHIVE_OK);
	CHECK(archive_write_open_memory(a, dst, cap, &used) == ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	CHECK(archive_write_data(a, src, len) == (la_ssize_t)len);
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	*out_len = used;
	return dst;
}

static bool unsupported(const void *p, size_t n, const char *name)
{
	const char *other = NULL;
	int r = codec_detect(p, n, &other);
	if (r != -CODEC_E_UNSUPPORTED || !other || strcmp(other, name) != 0) {
		fprintf(stderr, "  detect %s: %d (%s)\n", name, r, other ? other : "-");
		return false;
	}
	return true;
}

static void test_detect(void)
{
	unsigned char text[25000];
	size_t n;
	fill_text(text, sizeof text);

	for (int f = 0; f < CODEC_COUNT; f++) {
		unsigned char *c = compress(f, codec_infos[f].level_default, text, sizeof text, &n);
		CHECK(codec_detect(c, n, NULL) == f);
		CHECK(codec_detect(c, n / 2, NULL) == f);      /* a first chunk, cut */
		/* a prefix too short for libarchive: the magic, then the
		 * decoder calls it truncated */
		CHECK(codec_detect(c, 2, NULL) == f);
		CHECK(codec_detect(c, 3, NULL) == f);
		CHECK(decode(f, c, 2, 2, 64, NULL) == -CODEC_E_TRUNCATED);
		free(c);
		c = compress(f, codec_infos[f].level_default, text, 0, &n);
		CHECK(codec_detect(c, n, NULL) == f);
		free(c);
	}

	CHECK(codec_detect(text, sizeof text, NULL) == -CODEC_E_NOT_COMPRESSED);
	CHECK(codec_detect(text, 1, NULL) == -CODEC_E_NOT_COMPRESSED);
	CHECK(codec_detect("", 0, NULL) == -CODEC_E_NOT_COMPRESSED);
	CHECK(codec_detect("\x1f", 1, NULL) == -CODEC_E_NOT_COMPRESSED);
	unsigned char zeros[4096] = { 0 };
	CHECK(codec_detect(zeros, sizeof zeros, NULL) == -CODEC_E_NOT_COMPRESSED);

	unsigned char *c = foreign("lzip", text, sizeof text, &n);
	CHECK(unsupported(c, n, "lzip"));
	free(c);
	c = foreign("compress", text, sizeof text, &n);
	CHECK(unsupported(c, n, "compress (.Z)"));
	free(c);
	c = foreign("lzma", text, sizeof text, &n);
	CHECK(unsupported(c, n, "lzma"));
	free(c);
	c = foreign("uuencode", text, sizeof text, &n);
	CHECK(unsupported(c, n, "uu"));
	free(c);
	CHECK(unsupported("LZIP\x01\x0c", 6, "lzip"));
	CHECK(unsupported("\x1f\x9d\x90", 3, "compress (.Z)"));
	/* formats whose libarchive readers are external programs: never run */
	CHECK(unsupported("LRZI\x00\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 18, "lrzip"));
	CHECK(unsupported("\x89LZO\x00\x0d\x0a\x1a\x0a\x10\x30\x20\xa0\x09\x40\x01", 16, "lzop"));
	CHECK(unsupported("GRZipII\x00\x02\x04:)aaaaaaaaaaaaaaaaaaaaaaaaa", 37, "grzip"));
	CHECK(unsupported("\x02\x21\x4c\x18\x10\x00\x00\x00", 8, "lz4 legacy"));
	CHECK(codec_detect("\x1f\x9d\x90", 3, NULL) == -CODEC_E_UNSUPPORTED);

	/* a zstd file may open with a skippable frame */
	CHECK(codec_detect("\x5a\x2a\x4d\x18\x00\x00\x00\x00", 8, NULL) == CODEC_ZSTD);
}

/* Every second of the positions tried: a byte changed must not pass. */
static void test_damage(void)
{
	unsigned char text[25000];
	size_t n;
	fill_text(text, sizeof text);

	for (int f = 0; f < CODEC_COUNT; f++) {
		unsigned char *c = compress(f, codec_infos[f].level_default, text, sizeof text, &n);
		size_t at[] = { n / 3, n / 2, 2 * n / 3 };
		for (int i = 0; i < 3; i++) {
			c[at[i]] ^= 0x55;
			int r = decode(f, c, n, 4096, 4096, NULL);
			if (r != -CODEC_E_CORRUPT && r != -CODEC_E_CHECK) {
				fprintf(stderr, "  %s: byte %zu of %zu changed: %d\n", codec_infos[f].name,
				        at[i], n, r);
				unit_failed = 1;
			}
			c[at[i]] ^= 0x55;
		}

		/* the last bytes: a checksum or a length in every format but bzip2 */
		c[n - 2] ^= 0x01;
		int r = decode(f, c, n, n, 65536, NULL);
		CHECK(r == (f == CODEC_XZ || f == CODEC_BZIP2 ? -CODEC_E_CORRUPT : -CODEC_E_CHECK));
		c[n - 2] ^= 0x01;
		free(c);
	}

	/* a zlib stream is not gzip */
	CHECK(decode(CODEC_GZIP, (const unsigned char *)"\x78\x9c\x03\x00\x00\x00\x00\x01", 8, 8, 64,
	             NULL) == -CODEC_E_CORRUPT);
	/* zstd: a window of 2 GiB is more than the decoder takes */
	CHECK(decode(CODEC_ZSTD, (const unsigned char *)"\x28\xb5\x2f\xfd\x00\xa8\x01\x00\x00", 9, 9,
	             64, NULL) == -CODEC_E_MEMORY);
}

static void test_truncation(void)
{
	unsigned char text[25000];
	size_t n;
	fill_text(text, sizeof text);

	for (int f = 0; f < CODEC_COUNT; f++) {
		unsigned char *c = compress(f, codec_infos[f].level_default, text, sizeof text, &n);
		size_t cut[] = { 0, 1, 5, n / 4, n / 2, n - 9, n - 1 };
		for (int i = 0; i < 7; i++) {
			for (size_t piece = 1; piece <= 4096; piece *= 64) {
				int r = decode(f, c, cut[i], piece, 4096, NULL);
				if (r != -CODEC_E_TRUNCATED && r != -CODEC_E_CORRUPT) {
					fprintf(stderr, "  %s: cut at %zu of %zu, pieces of %zu: %d\n",
					        codec_infos[f].name, cut[i], n, piece, r);
					unit_failed = 1;
				}
			}
		}
		CHECK(decode(f, c, n - 1, n, 65536, NULL) == -CODEC_E_TRUNCATED);
		free(c);
	}
}

static void test_trailing(void)
{
	unsigned char text[5000];
	size_t n;
	fill_text(text, sizeof text);
	static const char *const tails[] = { "garbage!", "x", "\x00", "\n", "garbage after garbage" };

	for (int f = 0; f < CODEC_COUNT; f++) {
		unsigned char *c = compress(f, codec_infos[f].level_default, text, sizeof text, &n);
		for (int t = 0; t < 5; t++) {
			if (f == CODEC_GZIP && t == 2)
				continue;       /* padding: below */
			size_t tl = t == 2 ? 1 : strlen(tails[t]);
			for (size_t piece = 1; piece <= 4096; piece *= 4096) {
				struct buf in = { 0 }, out = { 0 };
				buf_add(&in, c, n);
				buf_add(&in, c, n);
				buf_add(&in, tails[t], tl);
				int r = decode(f, in.p, in.len, piece, 777, &out);
				/* bzip2 skips it, as bzip2 does: below */
				if (r != (f == CODEC_BZIP2 ? CODEC_END : -CODEC_E_TRAILING)) {
					fprintf(stderr, "  %s: tail %d, pieces of %zu: %d\n",
					        codec_infos[f].name, t, piece, r);
					unit_failed = 1;
				}
				/* all the good streams came out first */
				CHECK(out.len == 2 * sizeof text && memcmp(out.p, text, sizeof text) == 0);
				free(in.p);
				free(out.p);
			}
		}
		free(c);
	}

	/* xz Stream Padding: four zero bytes at a time are allowed */
	unsigned char *c = compress(CODEC_XZ, 1, text, sizeof text, &n);
	struct buf in = { 0 }, out = { 0 };
	buf_add(&in, c, n);
	buf_add(&in, "\0\0\0\0\0\0\0\0", 8);
	buf_add(&in, c, n);
	buf_add(&in, "\0\0\0\0", 4);
	CHECK(decode(CODEC_XZ, in.p, in.len, 3, 4096, &out) == CODEC_END && out.len == 2 * sizeof text);
	in.len = in.len - 1;
	CHECK(decode(CODEC_XZ, in.p, in.len, 3, 4096, NULL) == -CODEC_E_TRAILING);
	free(in.p);
	free(out.p);
	free(c);

	/* gzip: zero bytes up to the end are padding, in any number; after
	 * them, anything (a member too) is trailing garbage */
	c = compress(CODEC_GZIP, 1, text, sizeof text, &n);
	static const unsigned char zeros[1000];
	for (size_t z = 1; z <= sizeof zeros; z *= 10) {
		struct buf g = { 0 }, o = { 0 };
		buf_add(&g, c, n);
		buf_add(&g, c, n);
		buf_add(&g, zeros, z);
		CHECK(decode(CODEC_GZIP, g.p, g.len, 7, 4096, &o) == CODEC_END);
		CHECK(o.len == 2 * sizeof text && memcmp(o.p + sizeof text, text, sizeof text) == 0);
		buf_add(&g, "x", 1);
		CHECK(decode(CODEC_GZIP, g.p, g.len, 7, 4096, NULL) == -CODEC_E_TRAILING);
		g.len--;
		buf_add(&g, c, n);
		CHECK(decode(CODEC_GZIP, g.p, g.len, 4096, 4096, NULL) == -CODEC_E_TRAILING);
		free(g.p);
		free(o.p);
	}
	free(c);

	/* bzip2: trailing garbage is skipped to the end and said; what
	 * starts like a stream and stops short is truncated */
	c = compress(CODEC_BZIP2, 1, text, sizeof text, &n);
	for (int ignore = 0; ignore < 2; ignore++) {
		struct codec_dec *d = codec_dec_create(CODEC_BZIP2);
		unsigned char room[8192];
		size_t used, made, total = 0;
		CHECK(codec_dec_run(d, c, n, &used, room, sizeof room, &made, !ignore) ==
		      (ignore ? CODEC_MORE_IN : CODEC_END));
		total += made;
		if (ignore) {
			CHECK(codec_dec_run(d, "junk", 4, &used, room, sizeof room, &made, false) ==
			      CODEC_MORE_IN && used == 4);
			CHECK(codec_dec_run(d, "BZh9", 4, &used, room, sizeof room, &made, true) ==
			      CODEC_END && used == 4 && made == 0);
		}
		CHECK(total == sizeof text && codec_dec_ignored(d) == (ignore == 1));
		codec_dec_destroy(d);
	}
	struct buf bz = { 0 };
	buf_add(&bz, c, n);
	buf_add(&bz, "BZ", 2);
	CHECK(decode(CODEC_BZIP2, bz.p, bz.len, 4096, 4096, NULL) == -CODEC_E_TRUNCATED);
	free(bz.p);
	free(c);

	/* zstd and lz4: skippable frames between and after the frames */
	static const unsigned char skip[] = { 0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c' };
	enum codec_format fs[] = { CODEC_ZSTD, CODEC_LZ4 };
	for (int i = 0; i < 2; i++) {
		c = compress(fs[i], 1, text, sizeof text, &n);
		struct buf sk = { 0 }, o = { 0 };
		buf_add(&sk, c, n);
		buf_add(&sk, skip, sizeof skip);
		buf_add(&sk, c, n);
		buf_add(&sk, skip, sizeof skip);
		CHECK(decode(fs[i], sk.p, sk.len, 5, 100, &o) == CODEC_END && o.len == 2 * sizeof text);
		free(sk.p);
		free(o.p);
		free(c);
	}
}

/* Too small a room is ENOBUFS; the bound is never too small, even for
 * random bytes and across lz4's 4 MiB blocks. */
static void test_bounds(void)
{
	size_t sizes[] = { 0, 1, 100, 25000, MIB + 1, 4 * MIB + 5 };
	unsigned char *src = malloc(4 * MIB + 5);
	fill_random(src, 4 * MIB + 5);

	for (int f = 0; f < CODEC_COUNT; f++) {
		for (int i = 0; i < 6; i++) {
			int level = codec_infos[f].level_min;
			size_t cap = codec_bound(f, sizes[i]);
			unsigned char *dst = malloc(cap);
			ssize_t w = codec_compress(f, level, src, sizes[i], dst, cap);
			if (w < 0 || (size_t)w > cap) {
				fprintf(stderr, "  %s: %zu random bytes: %zd, bound %zu\n", codec_infos[f].name,
				        sizes[i], w, cap);
				unit_failed = 1;
			} else if (sizes[i] < MIB) {
				errno = 0;
				CHECK(codec_compress(f, level, src, sizes[i], dst, (size_t)w - 1) == -1 &&
				      errno == ENOBUFS);
				CHECK(codec_compress(f, level, src, sizes[i], dst, 4) == -1 && errno == ENOBUFS);
			}
			free(dst);
		}
		CHECK(codec_bound(f, 0) > 0 && codec_bound(f, MIB) > MIB);
	}
	free(src);

	unsigned char dst[256];
	errno = 0;
	CHECK(codec_compress(CODEC_GZIP, 0, "x", 1, dst, sizeof dst) == -1 && errno == EINVAL);
	CHECK(codec_compress(CODEC_LZ4, 13, "x", 1, dst, sizeof dst) == -1 && errno == EINVAL);
	CHECK(codec_compress(CODEC_ZSTD, 20, "x", 1, dst, sizeof dst) == -1 && errno == EINVAL);
	CHECK(codec_compress((enum codec_format)CODEC_COUNT, 1, "x", 1, dst, sizeof dst) == -1 &&
	      errno == EINVAL);
	CHECK(codec_dec_create((enum codec_format)CODEC_COUNT) == NULL && errno == EINVAL);
}

static void test_dec_misuse(void)
{
	struct codec_dec *d = codec_dec_create(CODEC_GZIP);
	size_t used, made;
	unsigned char out[16];
	CHECK(codec_dec_run(d, "x", 1, &used, out, 0, &made, true) == -EINVAL);
	/* an error sticks */
	CHECK(codec_dec_run(d, "garbage", 7, &used, out, sizeof out, &made, true) == -CODEC_E_CORRUPT);
	CHECK(codec_dec_run(d, "", 0, &used, out, sizeof out, &made, true) == -CODEC_E_CORRUPT);
	codec_dec_destroy(d);
	codec_dec_destroy(NULL);

	/* nothing in yet, more to come */
	for (int f = 0; f < CODEC_COUNT; f++) {
		d = codec_dec_create(f);
		CHECK(codec_dec_run(d, "", 0, &used, out, sizeof out, &made, false) == CODEC_MORE_IN);
		CHECK(codec_dec_run(d, "", 0, &used, out, sizeof out, &made, true) == -CODEC_E_TRUNCATED);
		codec_dec_destroy(d);
	}
}

/* zstd keeps a context per thread: threads at once give the same bytes. */
struct job {
	const unsigned char *src;
	size_t len;
	unsigned char *out;
	ssize_t n;
};

static void *compress_thread(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < 4; i++)
		j->n = codec_compress(CODEC_ZSTD, 1 + i * 5, j->src, j->len, j->out,
		                      codec_bound(CODEC_ZSTD, j->len));
	return NULL;
}

static void test_threads(void)
{
	size_t len = 300000;
	unsigned char *src = malloc(len);
	fill_mixed(src, len);
	struct job jobs[3];
	pthread_t tid[3];
	for (int i = 0; i < 3; i++) {
		jobs[i] = (struct job){ src, len, malloc(codec_bound(CODEC_ZSTD, len)), -1 };
		CHECK(pthread_create(&tid[i], NULL, compress_thread, &jobs[i]) == 0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(tid[i], NULL);
	/* and the same as this thread's own context makes */
	size_t n;
	unsigned char *c = compress(CODEC_ZSTD, 16, src, len, &n);
	for (int i = 0; i < 3; i++) {
		CHECK(jobs[i].n == (ssize_t)n && memcmp(jobs[i].out, c, n) == 0);
		free(jobs[i].out);
	}
	free(c);
	free(src);
}

void test_codec(void)
{
	rng_state = 0x9e3779b97f4a7c15u;
	test_names();
	test_headers();
	test_detect();
	test_dec_misuse();
	test_damage();
	test_truncation();
	test_trailing();
	test_bounds();
	test_chunks();
	test_threads();
	test_round_trips();
}
