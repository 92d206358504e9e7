/* codec: the five compression formats, one chunk at a time (no command
 * line, no I/O, no threads of its own).
 *
 * Compression makes one complete stream per call (a gzip member, a zstd
 * frame, an xz stream, a bzip2 stream, an lz4 frame): chunks of a file
 * compressed apart and written one after the other make a valid
 * multi-member file for the reference tools.  The bytes depend only on
 * the input, the format and the level (no timestamps), so any -j gives the
 * same file.
 *
 * xz, bzip2 and lz4 go through libarchive's write filters.  zstd goes
 * through libzstd: libarchive 3.6.2's zstd writer has no content
 * checksum.  gzip goes through libdeflate: libarchive's writer sets up a
 * new zlib state per call, which costs more than a small file's deflate,
 * and libdeflate's whole-buffer deflate is about twice zlib's speed.
 *
 * Decoding is streaming and push-style (the loop hands over chunks as it
 * reads them), which libarchive's pull-style reader cannot do; it uses the
 * codec libraries, which also check what libarchive 3.6.2 does not (the
 * gzip CRC and length).  The format is found by libarchive's bidders. */
#ifndef PTOOL_CODEC_H
#define PTOOL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum codec_format {
	CODEC_ZSTD,
	CODEC_GZIP,
	CODEC_XZ,
	CODEC_BZIP2,
	CODEC_LZ4,
};

#define CODEC_COUNT 5

struct codec_info {
	const char *name;       /* "zstd", for -F */
	const char *suffix;     /* ".zst" */
	int level_min, level_max, level_default;  /* as the format's own CLI */
};

extern const struct codec_info codec_infos[CODEC_COUNT];

/* The format called name, or -1. */
int codec_by_name(const char *name);

/* The format whose suffix ends name (and is not all of it), or -1: its
 * own (codec_info.suffix) or another its tool takes off (".tgz"). */
int codec_by_suffix(const char *name);

/* The length of the compression suffix that ends name (and is not all of
 * it), 0 if none; *replacement (when not NULL) is set to what takes its
 * place, as the format's own tool names its output: ".tar" for ".tgz",
 * ".tzst", ".txz", ".tbz2", ".tbz" and ".tlz4", else "". */
size_t codec_suffix(const char *name, const char **replacement);

/* The most bytes that len bytes can take as one compressed stream. */
size_t codec_bound(enum codec_format f, size_t len);

/* Compress src into one complete stream in dst.  Bytes written, or -1
 * with errno (ENOBUFS: cap too small; ENOMEM; EIO: the library failed).
 * Safe from any thread; contexts are kept per thread. */
ssize_t codec_compress(enum codec_format f, int level, const void *src, size_t len, void *dst,
                       size_t cap);

/* Errors of detection and decoding: above every errno value, so that a
 * task can hand either back as a status. */
enum codec_error {
	CODEC_E_NOT_COMPRESSED = 4096, /* "not compressed data" */
	CODEC_E_UNSUPPORTED,    /* compressed, not in one of the five formats */
	CODEC_E_CORRUPT,        /* "corrupt compressed data" */
	CODEC_E_CHECK,          /* a checksum (CRC, length) does not match */
	CODEC_E_TRUNCATED,      /* "truncated compressed data" */
	CODEC_E_TRAILING,       /* "trailing garbage after compressed data" */
	CODEC_E_MEMORY,         /* the stream needs more memory than allowed */
};

/* Text for a codec_error or an errno value. */
const char *codec_strerror(int code);

/* The format of a stream from its first bytes (len may be the whole
 * input, or its first chunk): a format >= 0, or -CODEC_E_NOT_COMPRESSED,
 * or -CODEC_E_UNSUPPORTED (with *other set to libarchive's name for it,
 * e.g. "lzip", when other is not NULL).  A prefix too short for the
 * bidders but matching one of the five magics is that format (the
 * decoder then says it is truncated). */
int codec_detect(const void *buf, size_t len, const char **other);

enum codec_status {
	CODEC_MORE_IN,  /* in is used up: give the next chunk */
	CODEC_OUT_FULL, /* out is full: call again with the rest of in */
	CODEC_END,      /* (last only) every stream ended and all output is out */
};

struct codec_dec;

/* A decoder for f: NULL with errno (ENOMEM). */
struct codec_dec *codec_dec_create(enum codec_format f);
void codec_dec_destroy(struct codec_dec *d);

/* Decode from in[0..in_len); *in_used and *out_len say how much was taken
 * and written.  last: in holds the end of the input.  Concatenated
 * members or frames are decoded in full.  Returns a codec_status, or
 * -codec_error: -CODEC_E_TRUNCATED when last input ends inside a stream,
 * -CODEC_E_TRAILING when what follows a complete stream is not another
 * one, -CODEC_E_CHECK or -CODEC_E_CORRUPT for damage.  Padding is not
 * trailing garbage: zero bytes up to the end after a gzip member (as gzip
 * takes them), xz's Stream Padding.  bzip2 has no trailing garbage error:
 * as bzip2 does, what cannot start a stream after a complete one is
 * skipped to the end of the input, which then ends well (CODEC_END), and
 * codec_dec_ignored says so (bytes that start like a stream and stop
 * short are still truncated data). */
int codec_dec_run(struct codec_dec *d, const void *in, size_t in_len, size_t *in_used, void *out,
                  size_t out_cap, size_t *out_len, bool last);

/* Were bytes after the last stream skipped (bzip2, see codec_dec_run)? */
bool codec_dec_ignored(const struct codec_dec *d);

#endif
