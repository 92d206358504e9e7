/* codec: see codec.h.
 *
 * Nothing here is shared between threads but what is set up once: the
 * list of libarchive's read filters that are built in (pthread_once),
 * and the key that frees each thread's zstd context and gzip compressor
 * when the thread ends.  Those two are kept per thread because ptool
 * compresses one chunk per call and setting them up is the costly part;
 * libarchive has no way to reuse a writer, so xz, bzip2 and lz4 set one
 * up per call (their own work per chunk dwarfs it).
 *
 * Decoding walks a chain of streams (members, frames): each library
 * decodes one stream and stops at its end; the driver then decides
 * whether what follows is another stream, padding, or trailing garbage,
 * and keeps track of whether the input ended inside a stream.
 *
 *   codec_dec_run ──> dec_step (one library call) ──> stream ended?
 *        ^                                                │ yes
 *        └──────── next_stream (padding, magic check) <───┘
 */
#include "codec.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "larch.h"
#include <bzlib.h>
#include <libdeflate.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

const struct codec_info codec_infos[CODEC_COUNT] = {
	[CODEC_ZSTD] = { "zstd", ".zst", 1, 19, 3 },
	[CODEC_GZIP] = { "gzip", ".gz", 1, 9, 6 },
	[CODEC_XZ] = { "xz", ".xz", 0, 9, 6 },
	[CODEC_BZIP2] = { "bzip2", ".bz2", 1, 9, 9 },
	/* libarchive's lz4 writer takes levels up to 9 (lz4's own -10 to -12
	 * are its HC levels, which it does not offer). */
	[CODEC_LZ4] = { "lz4", ".lz4", 1, 9, 1 },
};

/* What every bound gets on top: the raw format adds nothing, but a
 * library's worst case is easy to get wrong by a few bytes. */
#define CODEC_SLACK 64

/* The most handed to one library call: zlib and bzip2 count in unsigned
 * int, libarchive's gzip CRC in uInt. */
#define CODEC_SLICE ((size_t)1 << 30)

int codec_by_name(const char *name)
{
	for (int f = 0; f < CODEC_COUNT; f++)
		if (strcmp(codec_infos[f].name, name) == 0)
			return f;
	return -1;
}

/* The suffixes the formats' own tools take off, and what they put in
 * their place: zstd's .zstd, .tzst and .tlz4, gzip's .tgz, xz's .txz,
 * bzip2's .bz, .tbz2 and .tbz.  Not gzip's .taz, which mostly holds
 * compress (.Z) data, nor its .z, which holds pack data: neither is read
 * here.  Each starts with its only dot, so none ends another. */
static const struct suffix {
	const char *suffix, *replacement;
	enum codec_format f;
} suffixes[] = {
	{ ".zst", "", CODEC_ZSTD },
	{ ".zstd", "", CODEC_ZSTD },
	{ ".tzst", ".tar", CODEC_ZSTD },
	{ ".gz", "", CODEC_GZIP },
	{ ".tgz", ".tar", CODEC_GZIP },
	{ ".xz", "", CODEC_XZ },
	{ ".txz", ".tar", CODEC_XZ },
	{ ".bz2", "", CODEC_BZIP2 },
	{ ".bz", "", CODEC_BZIP2 },
	{ ".tbz2", ".tar", CODEC_BZIP2 },
	{ ".tbz", ".tar", CODEC_BZIP2 },
	{ ".lz4", "", CODEC_LZ4 },
	{ ".tlz4", ".tar", CODEC_LZ4 },
};

static const struct suffix *suffix_of(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		size_t s = strlen(suffixes[i].suffix);
		if (n > s && strcmp(name + n - s, suffixes[i].suffix) == 0)
			return &suffixes[i];
	}
	return NULL;
}

int codec_by_suffix(const char *name)
{
	const struct suffix *s = suffix_of(name);
	return s ? (int)s->f : -1;
}

size_t codec_suffix(const char *name, const char **replacement)
{
	const struct suffix *s = suffix_of(name);
	if (replacement)
		*replacement = s ? s->replacement : "";
	return s ? strlen(s->suffix) : 0;
}

static bool valid_format(enum codec_format f)
{
	return (unsigned)f < CODEC_COUNT;
}

static size_t add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* The frame libarchive's lz4 writer makes: 4 MiB independent blocks, a
 * content checksum, no block checksums, no content size. */
static const LZ4F_preferences_t lz4_prefs = {
	.frameInfo = {
		.blockSizeID = LZ4F_max4MB,
		.blockMode = LZ4F_blockIndependent,
		.contentChecksumFlag = LZ4F_contentChecksumEnabled,
	},
};

size_t codec_bound(enum codec_format f, size_t len)
{
	size_t b;

	switch (f) {
	case CODEC_ZSTD:
		b = ZSTD_compressBound(len);
		if (ZSTD_isError(b))
			return SIZE_MAX;
		break;
	case CODEC_GZIP:
		/* NULL: the bound over every compressor libdeflate can make */
		b = libdeflate_gzip_compress_bound(NULL, len);
		break;
	case CODEC_XZ:
		b = lzma_stream_buffer_bound(len);
		if (b == 0)
			return SIZE_MAX;
		break;
	case CODEC_BZIP2:
		/* bzlib's manual: 1% more than the input, plus 600 bytes */
		b = add_sat(add_sat(len, len / 100), 600);
		break;
	case CODEC_LZ4:
		/* LZ4F's bound counts a block that does not shrink as stored,
		 * but libarchive keeps a last, partial block compressed even
		 * when it grew: up to LZ4_compressBound's len/255 + 16 more. */
		b = add_sat(LZ4F_compressFrameBound(len, &lz4_prefs), add_sat(len / 255, 16));
		break;
	default:
		return 0;
	}
	return add_sat(b, CODEC_SLACK);
}

/* ---- compression: zstd ---- */

/* What each thread keeps from call to call: its zstd context and its gzip
 * compressor.  One key frees them when the thread ends (without it they
 * would outlive the thread: a leak, not a fault). */
struct kept {
	ZSTD_CCtx *zstd;
	struct libdeflate_compressor *gz;
	int gz_level;
	bool registered;
};

static _Thread_local struct kept kept;
static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
static bool kept_key_made;

static void kept_free(void *p)
{
	struct kept *k = p;
	ZSTD_freeCCtx(k->zstd);
	libdeflate_free_compressor(k->gz);
	k->zstd = NULL;
	k->gz = NULL;
}

static void kept_key_make(void)
{
	kept_key_made = pthread_key_create(&kept_key, kept_free) == 0;
}

/* This thread's kept state, its clean-up at thread end arranged. */
static struct kept *kept_get(void)
{
	if (!kept.registered) {
		pthread_once(&kept_once, kept_key_make);
		if (kept_key_made)
			pthread_setspecific(kept_key, &kept);
		kept.registered = true;
	}
	return &kept;
}

static ZSTD_CCtx *zstd_cctx_get(void)
{
	struct kept *k = kept_get();
	if (!k->zstd)
		k->zstd = ZSTD_createCCtx();
	return k->zstd;
}

static int zstd_errno(size_t r)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_dstSize_tooSmall:
		return ENOBUFS;
	case ZSTD_error_memory_allocation:
		return ENOMEM;
	default:
		return EIO;
	}
}

static ssize_t zstd_compress(int level, const void *src, size_t len, void *dst, size_t cap)
{
	ZSTD_CCtx *cctx = zstd_cctx_get();
	if (!cctx) {
		errno = ENOMEM;
		return -1;
	}
	size_t r = ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 0);
	if (!ZSTD_isError(r))
		r = ZSTD_compress2(cctx, dst, cap, src, len);
	if (ZSTD_isError(r)) {
		errno = zstd_errno(r);
		return -1;
	}
	return (ssize_t)r;
}

/* ---- compression: libarchive's writers ---- */

/* The errno for a writer that failed.  archive_write_open_memory says
 * ENOMEM "Buffer exhausted" when dst is full, and a filter's clean-up may
 * overwrite that message, so a failure with cap under the bound is taken
 * for a full buffer unless libarchive plainly ran out of memory. */
static int archive_errno_of(const struct larch *la, struct archive *a, enum codec_format f,
                            size_t len, size_t cap)
{
	int e = la->errno_(a);
	const char *msg = la->error_string(a);
	bool exhausted = e == ENOMEM && msg && strcmp(msg, "Buffer exhausted") == 0;

	if (exhausted || (e != ENOMEM && cap < codec_bound(f, len)))
		return ENOBUFS;
	return e == ENOMEM ? ENOMEM : EIO;
}

/* The filter and its options.  Every add_filter here returns ARCHIVE_WARN
 * when libarchive was built without the library and would run the
 * external program instead: that is refused, not used. */
static int archive_setup(const struct larch *la, struct archive *a, enum codec_format f, int level)
{
	int r;
	switch (f) {
	case CODEC_XZ:
		r = la->write_add_filter_xz(a);
		break;
	case CODEC_BZIP2:
		r = la->write_add_filter_bzip2(a);
		break;
	case CODEC_LZ4:
		r = la->write_add_filter_lz4(a);
		break;
	default:
		return ARCHIVE_FATAL;
	}
	if (r != ARCHIVE_OK)
		return ARCHIVE_FATAL;

	/* 0..9: one digit, as every filter here wants it */
	char lv[2] = { (char)('0' + level), '\0' };
	if (la->write_set_filter_option(a, NULL, "compression-level", lv) != ARCHIVE_OK)
		return ARCHIVE_FATAL;
	/* on by default; said here because the decoders and lz4 -d rely on it */
	if (f == CODEC_LZ4 && la->write_set_filter_option(a, "lz4", "stream-checksum", "1") != ARCHIVE_OK)
		return ARCHIVE_FATAL;
	if (la->write_set_format_raw(a) != ARCHIVE_OK)
		return ARCHIVE_FATAL;
	/* Unblocked: the filter's output goes straight into dst, no padding. */
	if (la->write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    la->write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK)
		return ARCHIVE_FATAL;
	return ARCHIVE_OK;
}

/* libarchive 3.6.2's lz4 writer puts its frame header out with the first
 * data, so for an empty input it writes no header and then crashes
 * digesting a checksum state it never made.  LZ4F makes the empty frame
 * instead, with the writer's settings. */
static ssize_t lz4_empty(void *dst, size_t cap)
{
	size_t r = LZ4F_compressFrame(dst, cap, "", 0, &lz4_prefs);
	if (LZ4F_isError(r)) {
		errno = strcmp(LZ4F_getErrorName(r), "ERROR_dstMaxSize_tooSmall") == 0 ? ENOBUFS : EIO;
		return -1;
	}
	return (ssize_t)r;
}

static ssize_t archive_compress(enum codec_format f, int level, const void *src, size_t len, void *dst,
                                size_t cap)
{
	struct archive *a;
	struct archive_entry *e;
	size_t used = 0, done = 0;
	int err;

	if (f == CODEC_LZ4 && len == 0)
		return lz4_empty(dst, cap);

	const struct larch *la = larch();
	if (!la)
		return -1;
	a = la->write_new();
	if (!a) {
		errno = ENOMEM;
		return -1;
	}
	e = la->entry_new();
	if (!e) {
		err = ENOMEM;
		goto fail_a;
	}
	la->entry_set_filetype(e, AE_IFREG);
	la->entry_set_size(e, (la_int64_t)len);

	if (archive_setup(la, a, f, level) != ARCHIVE_OK ||
	    la->write_open_memory(a, dst, cap, &used) != ARCHIVE_OK ||
	    la->write_header(a, e) != ARCHIVE_OK)
		goto fail_lib;
	while (done < len) {
		size_t n = len - done < CODEC_SLICE ? len - done : CODEC_SLICE;
		la_ssize_t w = la->write_data(a, (const char *)src + done, n);
		if (w <= 0)
			goto fail_lib;
		done += (size_t)w;
	}
	if (la->write_close(a) != ARCHIVE_OK)
		goto fail_lib;
	la->entry_free(e);
	if (la->write_free(a) != ARCHIVE_OK) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)used;

fail_lib:
	err = archive_errno_of(la, a, f, len, cap);
	la->entry_free(e);
fail_a:
	la->write_free(a);
	errno = err;
	return -1;
}

/* ---- compression: gzip ---- */

/* gzip goes through libdeflate, a compressor per thread.  libarchive's
 * writer builds and frees zlib's ~270 KiB state on every call (0.3 ms of
 * page faults a chunk); and since ptool compresses whole chunks, the
 * whole-buffer deflate of libdeflate fits, at about twice zlib's speed
 * for a size within 1% at the same level.  Its header: no name, MTIME 0.
 * Decoding stays with zlib, which streams. */
/* This thread's compressor at level. */
static struct libdeflate_compressor *gz_compressor(int level)
{
	struct kept *k = kept_get();
	if (k->gz && k->gz_level == level)
		return k->gz;
	libdeflate_free_compressor(k->gz);
	k->gz = libdeflate_alloc_compressor(level);
	k->gz_level = level;
	return k->gz;
}

static ssize_t gzip_compress(int level, const void *src, size_t len, void *dst, size_t cap)
{
	struct libdeflate_compressor *c = gz_compressor(level);
	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	size_t n = libdeflate_gzip_compress(c, src, len, dst, cap);
	if (n == 0) {
		errno = ENOBUFS;        /* its only failure: no room */
		return -1;
	}
	return (ssize_t)n;
}

ssize_t codec_compress(enum codec_format f, int level, const void *src, size_t len, void *dst,
                       size_t cap)
{
	if (!valid_format(f) || level < codec_infos[f].level_min || level > codec_infos[f].level_max ||
	    len > SSIZE_MAX || cap > SSIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (f == CODEC_ZSTD)
		return zstd_compress(level, src, len, dst, cap);
	if (f == CODEC_GZIP)
		return gzip_compress(level, src, len, dst, cap);
	return archive_compress(f, level, src, len, dst, cap);
}

const char *codec_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case CODEC_E_NOT_COMPRESSED:
		return "not compressed data";
	case CODEC_E_UNSUPPORTED:
		return "unsupported compression format";
	case CODEC_E_CORRUPT:
		return "corrupt compressed data";
	case CODEC_E_CHECK:
		return "checksum mismatch (corrupt compressed data)";
	case CODEC_E_TRUNCATED:
		return "truncated compressed data";
	case CODEC_E_TRAILING:
		return "trailing garbage after compressed data";
	case CODEC_E_MEMORY:
		return "the stream needs more memory than allowed";
	}
	if (code < CODEC_E_NOT_COMPRESSED)
		return strerror(code);
	return "unknown codec error";
}

/* ---- detection ---- */

static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const unsigned char bzip2_magic[] = { 'B', 'Z', 'h' };
static const unsigned char lz4_magic[] = { 0x04, 0x22, 0x4d, 0x18 };
static const unsigned char compress_magic[] = { 0x1f, 0x9d };
static const unsigned char lzip_magic[] = { 'L', 'Z', 'I', 'P' };
static const unsigned char lzop_magic[] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a };
static const unsigned char lrzip_magic[] = { 'L', 'R', 'Z', 'I' };
static const unsigned char grzip_magic[] = { 'G', 'R', 'Z', 'i', 'p', 'I', 'I', 0x00, 0x02, 0x04, ':', ')' };
static const unsigned char rpm_magic[] = { 0xed, 0xab, 0xee, 0xdb };

#define MAGIC(f, name, m) { (f), (name), sizeof(m), (m) }

/* The magics: ours, then the ones of formats we do not decode whose
 * libarchive readers are external programs (never registered, see
 * below) or that are too short for the bidders. */
static const struct magic {
	int format;             /* -1: not one of ours */
	const char *name;
	size_t len;
	const unsigned char *bytes;
} magics[] = {
	MAGIC(CODEC_GZIP, "gzip", gzip_magic),
	MAGIC(CODEC_ZSTD, "zstd", zstd_magic),
	MAGIC(CODEC_XZ, "xz", xz_magic),
	MAGIC(CODEC_BZIP2, "bzip2", bzip2_magic),
	MAGIC(CODEC_LZ4, "lz4", lz4_magic),
	MAGIC(-1, "compress (.Z)", compress_magic),
	MAGIC(-1, "lzip", lzip_magic),
	MAGIC(-1, "lzop", lzop_magic),
	MAGIC(-1, "lrzip", lrzip_magic),
	MAGIC(-1, "grzip", grzip_magic),
	MAGIC(-1, "rpm", rpm_magic),
};

/* The legacy lz4 frame, which LZ4F (and so the decoder) does not read. */
static const unsigned char lz4_legacy[4] = { 0x02, 0x21, 0x4c, 0x18 };

/* A prefix of buf matching one of our magics (at least 2 bytes, or the
 * whole magic) or the whole magic of another format. */
static int detect_magic(const unsigned char *buf, size_t len, const char **other)
{
	for (size_t i = 0; i < sizeof magics / sizeof *magics; i++) {
		const struct magic *m = &magics[i];
		size_t n = len < m->len ? len : m->len;
		if (m->format < 0 ? n < m->len : n < 2 && n < m->len)
			continue;
		if (memcmp(buf, m->bytes, n) != 0)
			continue;
		if (m->format >= 0)
			return m->format;
		if (other)
			*other = m->name;
		return -CODEC_E_UNSUPPORTED;
	}
	/* zstd's skippable frames may come first */
	if (len >= 4 && (buf[0] & 0xf0) == 0x50 && buf[1] == 0x2a && buf[2] == 0x4d && buf[3] == 0x18)
		return CODEC_ZSTD;
	if (len >= 4 && memcmp(buf, lz4_legacy, 4) == 0) {
		if (other)
			*other = "lz4 legacy";
		return -CODEC_E_UNSUPPORTED;
	}
	return -CODEC_E_NOT_COMPRESSED;
}

/* The read filters worth asking (larch.h lists them).  libarchive runs
 * an external program from archive_read_open for the ones it was built
 * without (and always for grzip and lrzip); their support calls say so
 * with ARCHIVE_WARN, so only those that answer ARCHIVE_OK once are
 * registered for detection. */
static unsigned builtin_filters;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_probe(void)
{
	const struct larch *la = larch();
	struct archive *a = la ? la->read_new() : NULL;
	if (!a)
		return;
	for (size_t i = 0; i < LARCH_READ_FILTERS; i++)
		if (la->read_support_filter[i](a) == ARCHIVE_OK)
			builtin_filters |= 1u << i;
	la->read_free(a);
}

/* Names for libarchive's other filter codes, kept here so that *other
 * does not point into a freed reader. */
static const char *filter_name(int code)
{
	switch (code) {
	case ARCHIVE_FILTER_COMPRESS: return "compress (.Z)";
	case ARCHIVE_FILTER_LZMA: return "lzma";
	case ARCHIVE_FILTER_UU: return "uu";
	case ARCHIVE_FILTER_RPM: return "rpm";
	case ARCHIVE_FILTER_LZIP: return "lzip";
	case ARCHIVE_FILTER_LRZIP: return "lrzip";
	case ARCHIVE_FILTER_LZOP: return "lzop";
	case ARCHIVE_FILTER_GRZIP: return "grzip";
	default: return "unknown";
	}
}

/* libarchive's code for the outermost filter of buf, or
 * ARCHIVE_FILTER_NONE.  Bidding goes on through what a filter decodes, so
 * filter 0 is the innermost (a .tar.gz.uu would say gzip); the last is
 * the reader's own "none", so the one before it is the outermost. */
static int detect_archive(const void *buf, size_t len)
{
	const struct larch *la = larch();
	struct archive *a = la ? la->read_new() : NULL;
	int code = ARCHIVE_FILTER_NONE;

	if (!a)
		return code;    /* without libarchive, the magics decide */
	pthread_once(&builtin_once, builtin_probe);
	for (size_t i = 0; i < LARCH_READ_FILTERS; i++)
		if (builtin_filters & 1u << i)
			la->read_support_filter[i](a);
	if (la->read_support_format_raw(a) == ARCHIVE_OK) {
		/* A damaged stream fails the open after its filter was
		 * chosen; the filter still counts.  If the filter itself
		 * failed, libarchive drops them all: the magics decide. */
		la->read_open_memory(a, buf, len);
		int n = la->filter_count(a);
		if (n >= 2)
			code = la->filter_code(a, n - 2);
	}
	la->read_free(a);
	return code;
}

int codec_detect(const void *buf, size_t len, const char **other)
{
	if (len == 0)
		return -CODEC_E_NOT_COMPRESSED;
	/* The five are told by their whole magic, before libarchive: its
	 * bidders decode the first block to be sure (a whole 900 kB block for
	 * bzip2, 9 ms), which would cost more than a small file's decoding. */
	for (size_t i = 0; i < CODEC_COUNT; i++) {
		const struct magic *m = &magics[i];
		if (len >= m->len && memcmp(buf, m->bytes, m->len) == 0)
			return m->format;
	}

	int code = detect_archive(buf, len);
	switch (code) {
	case ARCHIVE_FILTER_NONE:
		return detect_magic(buf, len, other);
	case ARCHIVE_FILTER_GZIP:
		return CODEC_GZIP;
	case ARCHIVE_FILTER_ZSTD:
		return CODEC_ZSTD;
	case ARCHIVE_FILTER_XZ:
		return CODEC_XZ;
	case ARCHIVE_FILTER_BZIP2:
		return CODEC_BZIP2;
	case ARCHIVE_FILTER_LZ4:
		/* libarchive reads the legacy frame too */
		if (len >= sizeof lz4_legacy && memcmp(buf, lz4_legacy, sizeof lz4_legacy) == 0)
			break;
		return CODEC_LZ4;
	}
	if (other)
		*other = code == ARCHIVE_FILTER_LZ4 ? "lz4 legacy" : filter_name(code);
	return -CODEC_E_UNSUPPORTED;
}

/* ---- decoding ---- */

struct codec_dec {
	enum codec_format f;
	int err;                /* the first error, as -code: it sticks */
	bool mid;               /* inside a stream: some consumed, its end not seen */
	unsigned long streams;  /* streams that ended */
	unsigned pad;           /* gzip, xz: zero bytes since the last stream */
	bool fresh;             /* bzip2: the next stream needs a BZ2_bzDecompressInit */
	bool ignoring;          /* bzip2: trailing garbage met, skipped to the end */
	union {
		struct {
			z_stream z;
			gz_header head;
		} gz;
		ZSTD_DCtx *zstd;
		lzma_stream xz;
		bz_stream bz;
		LZ4F_dctx *lz4;
	} u;
};

struct dec_io {
	const unsigned char *in;
	size_t in_len, in_pos;
	unsigned char *out;
	size_t out_cap, out_pos;
};

static size_t io_avail_in(const struct dec_io *io)
{
	size_t n = io->in_len - io->in_pos;
	return n < CODEC_SLICE ? n : CODEC_SLICE;
}

static size_t io_avail_out(const struct dec_io *io)
{
	size_t n = io->out_cap - io->out_pos;
	return n < CODEC_SLICE ? n : CODEC_SLICE;
}

static int gz_reset(struct codec_dec *d)
{
	memset(&d->u.gz.head, 0, sizeof d->u.gz.head);
	/* to know a bad header (trailing garbage) from bad data */
	return inflateGetHeader(&d->u.gz.z, &d->u.gz.head) == Z_OK ? 0 : -EIO;
}

struct codec_dec *codec_dec_create(enum codec_format f)
{
	struct codec_dec *d;
	int err = ENOMEM;

	if (!valid_format(f)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof *d);
	if (!d)
		goto fail;
	d->f = f;
	switch (f) {
	case CODEC_GZIP:
		/* 15 + 16: gzip only, no zlib or raw deflate */
		if (inflateInit2(&d->u.gz.z, 15 + 16) != Z_OK)
			goto fail_d;
		if (gz_reset(d) < 0) {
			inflateEnd(&d->u.gz.z);
			err = EIO;
			goto fail_d;
		}
		break;
	case CODEC_ZSTD:
		d->u.zstd = ZSTD_createDCtx();
		if (!d->u.zstd)
			goto fail_d;
		break;
	case CODEC_XZ:
		d->u.xz = (lzma_stream)LZMA_STREAM_INIT;
		/* One stream at a time, not LZMA_CONCATENATED: that one calls
		 * garbage after a stream corrupt data, and we want to say
		 * trailing garbage. */
		if (lzma_stream_decoder(&d->u.xz, UINT64_MAX, 0) != LZMA_OK)
			goto fail_d;
		break;
	case CODEC_BZIP2:
		if (BZ2_bzDecompressInit(&d->u.bz, 0, 0) != BZ_OK)
			goto fail_d;
		break;
	case CODEC_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&d->u.lz4, LZ4F_VERSION)))
			goto fail_d;
		break;
	}
	return d;

fail_d:
	free(d);
fail:
	errno = err;
	return NULL;
}

void codec_dec_destroy(struct codec_dec *d)
{
	if (!d)
		return;
	switch (d->f) {
	case CODEC_GZIP:
		inflateEnd(&d->u.gz.z);
		break;
	case CODEC_ZSTD:
		ZSTD_freeDCtx(d->u.zstd);
		break;
	case CODEC_XZ:
		lzma_end(&d->u.xz);
		break;
	case CODEC_BZIP2:
		if (!d->fresh)
			BZ2_bzDecompressEnd(&d->u.bz);
		break;
	case CODEC_LZ4:
		LZ4F_freeDecompressionContext(d->u.lz4);
		break;
	}
	free(d);
}

/* One library call each.  They move io's positions, set *ended when a
 * stream ended (all its output out), and return 0 or -error. */

static int gz_step(struct codec_dec *d, struct dec_io *io, bool *ended)
{
	z_stream *z = &d->u.gz.z;
	z->next_in = (Bytef *)(uintptr_t)(io->in + io->in_pos);
	z->avail_in = (uInt)io_avail_in(io);
	z->next_out = io->out + io->out_pos;
	z->avail_out = (uInt)io_avail_out(io);
	uInt in0 = z->avail_in, out0 = z->avail_out;
	int r = inflate(z, Z_NO_FLUSH);
	io->in_pos += in0 - z->avail_in;
	io->out_pos += out0 - z->avail_out;

	switch (r) {
	case Z_OK:
	case Z_BUF_ERROR:       /* no progress: the driver sees it */
		return 0;
	case Z_STREAM_END:
		*ended = true;
		if (inflateReset(z) != Z_OK)
			return -EIO;
		return gz_reset(d);
	case Z_DATA_ERROR:
		/* done: 1 once the header is read, -1 for no gzip header */
		if (d->u.gz.head.done != 1 && d->streams > 0)
			return -CODEC_E_TRAILING;
		if (z->msg && (strcmp(z->msg, "incorrect data check") == 0 ||
		               strcmp(z->msg, "incorrect length check") == 0))
			return -CODEC_E_CHECK;
		return -CODEC_E_CORRUPT;
	case Z_NEED_DICT:
		return -CODEC_E_CORRUPT;
	case Z_MEM_ERROR:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int zstd_step(struct codec_dec *d, struct dec_io *io, bool *ended)
{
	ZSTD_inBuffer ib = { io->in, io->in_len, io->in_pos };
	ZSTD_outBuffer ob = { io->out, io->out_cap, io->out_pos };
	size_t r = ZSTD_decompressStream(d->u.zstd, &ob, &ib);
	io->in_pos = ib.pos;
	io->out_pos = ob.pos;

	if (!ZSTD_isError(r)) {
		*ended = r == 0;
		return 0;
	}
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_checksum_wrong:
		return -CODEC_E_CHECK;
	case ZSTD_error_prefix_unknown:
		return d->streams > 0 ? -CODEC_E_TRAILING : -CODEC_E_CORRUPT;
	case ZSTD_error_frameParameter_windowTooLarge:
		return -CODEC_E_MEMORY;
	case ZSTD_error_memory_allocation:
		return -ENOMEM;
	default:
		return -CODEC_E_CORRUPT;
	}
}

static int xz_step(struct codec_dec *d, struct dec_io *io, bool last, bool *ended)
{
	lzma_stream *x = &d->u.xz;
	x->next_in = io->in + io->in_pos;
	x->avail_in = io->in_len - io->in_pos;
	x->next_out = io->out + io->out_pos;
	x->avail_out = io->out_cap - io->out_pos;
	lzma_ret r = lzma_code(x, last ? LZMA_FINISH : LZMA_RUN);
	io->in_pos = io->in_len - x->avail_in;
	io->out_pos = io->out_cap - x->avail_out;

	switch (r) {
	case LZMA_OK:
	case LZMA_BUF_ERROR:    /* no progress: the driver sees it */
		return 0;
	case LZMA_STREAM_END:
		*ended = true;
		return 0;
	case LZMA_FORMAT_ERROR:
		return d->streams > 0 ? -CODEC_E_TRAILING : -CODEC_E_CORRUPT;
	case LZMA_MEM_ERROR:
		return -ENOMEM;
	case LZMA_MEMLIMIT_ERROR:
		return -CODEC_E_MEMORY;
	default:                /* DATA_ERROR (a check too), OPTIONS_ERROR */
		return -CODEC_E_CORRUPT;
	}
}

static int bz_step(struct codec_dec *d, struct dec_io *io, bool *ended)
{
	bz_stream *b = &d->u.bz;
	b->next_in = (char *)(uintptr_t)(io->in + io->in_pos);
	b->avail_in = (unsigned)io_avail_in(io);
	b->next_out = (char *)(io->out + io->out_pos);
	b->avail_out = (unsigned)io_avail_out(io);
	unsigned in0 = b->avail_in, out0 = b->avail_out;
	int r = BZ2_bzDecompress(b);
	io->in_pos += in0 - b->avail_in;
	io->out_pos += out0 - b->avail_out;

	switch (r) {
	case BZ_OK:
		return 0;
	case BZ_STREAM_END:
		*ended = true;
		BZ2_bzDecompressEnd(b);
		d->fresh = true;
		return 0;
	case BZ_DATA_ERROR_MAGIC:
		return d->streams > 0 ? -CODEC_E_TRAILING : -CODEC_E_CORRUPT;
	case BZ_DATA_ERROR:     /* a CRC or the structure: bzlib does not say */
		return -CODEC_E_CORRUPT;
	case BZ_MEM_ERROR:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int lz4_step(struct codec_dec *d, struct dec_io *io, bool *ended)
{
	size_t in_n = io->in_len - io->in_pos, out_n = io->out_cap - io->out_pos;
	size_t r = LZ4F_decompress(d->u.lz4, io->out + io->out_pos, &out_n, io->in + io->in_pos, &in_n,
	                           NULL);
	io->in_pos += in_n;
	io->out_pos += out_n;

	if (!LZ4F_isError(r)) {
		*ended = r == 0;
		return 0;
	}
	/* the names, not LZ4F_getErrorCode: that is lz4's unstable API */
	const char *name = LZ4F_getErrorName(r);
	if (strcmp(name, "ERROR_contentChecksum_invalid") == 0 ||
	    strcmp(name, "ERROR_blockChecksum_invalid") == 0 ||
	    strcmp(name, "ERROR_headerChecksum_invalid") == 0)
		return -CODEC_E_CHECK;
	if (strcmp(name, "ERROR_frameType_unknown") == 0)
		return d->streams > 0 ? -CODEC_E_TRAILING : -CODEC_E_CORRUPT;
	if (strcmp(name, "ERROR_allocation_failed") == 0)
		return -ENOMEM;
	return -CODEC_E_CORRUPT;
}

static int dec_step(struct codec_dec *d, struct dec_io *io, bool last, bool *ended)
{
	switch (d->f) {
	case CODEC_GZIP:
		return gz_step(d, io, ended);
	case CODEC_ZSTD:
		return zstd_step(d, io, ended);
	case CODEC_XZ:
		return xz_step(d, io, last, ended);
	case CODEC_BZIP2:
		return bz_step(d, io, ended);
	case CODEC_LZ4:
		return lz4_step(d, io, ended);
	}
	return -EINVAL;
}

/* Does what is left of in start like a stream (as far as it goes)? */
static bool starts_like(const struct dec_io *io, const unsigned char *magic, size_t len)
{
	size_t n = io->in_len - io->in_pos;
	return memcmp(io->in + io->in_pos, magic, n < len ? n : len) == 0;
}

/* zstd and lz4: skippable frames, 0x184D2A50..5F little-endian */
static bool starts_skippable(const struct dec_io *io)
{
	static const unsigned char tail[3] = { 0x2a, 0x4d, 0x18 };
	const unsigned char *p = io->in + io->in_pos;
	size_t n = io->in_len - io->in_pos;
	if ((p[0] & 0xf0) != 0x50)
		return false;
	return n == 1 || memcmp(p + 1, tail, n - 1 < 3 ? n - 1 : 3) == 0;
}

/* Zero bytes at the front of what is left: taken and counted in d->pad.
 * True if something else follows them. */
static bool skip_zeros(struct codec_dec *d, struct dec_io *io)
{
	while (io->in_pos < io->in_len && io->in[io->in_pos] == 0) {
		io->in_pos++;
		d->pad++;
	}
	return io->in_pos < io->in_len;
}

/* After a stream, with input left: padding, or the start of the next
 * stream, or trailing garbage.  The libraries look at a header only once
 * they hold enough of it (zlib two bytes, liblzma twelve), so a short
 * tail of garbage would look truncated: the magic is checked here on the
 * bytes there are.  bzlib checks its magic byte by byte itself. */
static int next_stream(struct codec_dec *d, struct dec_io *io)
{
	switch (d->f) {
	case CODEC_GZIP:
		/* Zero bytes up to the end are padding (a tape's blocks), as
		 * gzip takes them; anything after them, another member too,
		 * is what gzip calls trailing garbage. */
		if (d->pad == 0 && io->in[io->in_pos] != 0)
			return starts_like(io, gzip_magic, sizeof gzip_magic) ? 0 : -CODEC_E_TRAILING;
		return skip_zeros(d, io) ? -CODEC_E_TRAILING : 0;
	case CODEC_ZSTD:
		if (starts_like(io, zstd_magic, sizeof zstd_magic) || starts_skippable(io))
			return 0;
		return -CODEC_E_TRAILING;
	case CODEC_LZ4:
		if (starts_like(io, lz4_magic, sizeof lz4_magic) || starts_skippable(io))
			return 0;
		return -CODEC_E_TRAILING;
	case CODEC_BZIP2:
		if (d->fresh) {
			memset(&d->u.bz, 0, sizeof d->u.bz);
			int r = BZ2_bzDecompressInit(&d->u.bz, 0, 0);
			if (r != BZ_OK)
				return r == BZ_MEM_ERROR ? -ENOMEM : -EIO;
			d->fresh = false;
		}
		return 0;
	case CODEC_XZ:
		/* Stream Padding: zero bytes, four at a time */
		if (!skip_zeros(d, io))
			return 0;
		if (d->pad % 4 != 0 || !starts_like(io, xz_magic, sizeof xz_magic))
			return -CODEC_E_TRAILING;
		d->pad = 0;
		/* reuses what the last stream's decoder allocated */
		switch (lzma_stream_decoder(&d->u.xz, UINT64_MAX, 0)) {
		case LZMA_OK:
			return 0;
		case LZMA_MEM_ERROR:
			return -ENOMEM;
		default:
			return -EIO;
		}
	}
	return -EINVAL;
}

bool codec_dec_ignored(const struct codec_dec *d)
{
	return d->ignoring;
}

int codec_dec_run(struct codec_dec *d, const void *in, size_t in_len, size_t *in_used, void *out,
                  size_t out_cap, size_t *out_len, bool last)
{
	struct dec_io io = { in, in_len, 0, out, out_cap, 0 };
	unsigned idle_ends = 0;
	int r;

	*in_used = 0;
	*out_len = 0;
	if (d->err)
		return d->err;
	if (out_cap == 0)
		return -EINVAL;

	for (;;) {
		if (d->ignoring) {
			io.in_pos = io.in_len;
			r = last ? CODEC_END : CODEC_MORE_IN;
			break;
		}
		if (io.in_pos == io.in_len && !d->mid) {
			/* between streams, and the input used up */
			if (!last)
				r = CODEC_MORE_IN;
			else if (d->streams == 0)
				r = -CODEC_E_TRUNCATED;
			else if (d->f == CODEC_XZ && d->pad % 4 != 0)
				r = -CODEC_E_TRAILING;
			else
				r = CODEC_END;
			break;
		}
		if (io.out_pos == io.out_cap) {
			r = CODEC_OUT_FULL;
			break;
		}
		if (!d->mid && d->streams > 0) {
			r = next_stream(d, &io);
			if (r < 0)
				break;
			if (io.in_pos == io.in_len)
				continue;       /* it was all padding */
		}

		size_t in0 = io.in_pos, out0 = io.out_pos;
		bool ended = false;
		r = dec_step(d, &io, last, &ended);
		if (r == -CODEC_E_TRAILING && d->f == CODEC_BZIP2) {
			d->ignoring = true;     /* as bzip2 does, see codec.h */
			d->mid = false;
			continue;
		}
		if (r < 0)
			break;
		bool moved = io.in_pos != in0 || io.out_pos != out0;
		if (ended) {
			/* an end that moves nothing, twice: never loop */
			if (moved)
				idle_ends = 0;
			else if (idle_ends++ > 0) {
				r = -CODEC_E_CORRUPT;
				break;
			}
			d->mid = false;
			d->streams++;
			continue;
		}
		if (moved) {
			idle_ends = 0;
			d->mid = true;
			continue;
		}
		/* No progress with room to write: the stream wants input. */
		if (io.in_pos < io.in_len) {
			r = -CODEC_E_CORRUPT;   /* a library that stalls: never loop */
			break;
		}
		r = last ? -CODEC_E_TRUNCATED : CODEC_MORE_IN;
		break;
	}

	*in_used = io.in_pos;
	*out_len = io.out_pos;
	if (r < 0)
		d->err = r;
	return r;
}
