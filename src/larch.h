/* larch: libarchive, loaded at its first use.
 *
 * Linked the usual way, libarchive and what it pulls in (libxml2, ICU,
 * libstdc++, nettle, acl) cost every run of ptool some 5 ms of start-up
 * on a VM, as much as all the rest of ptool's loading, though hash and
 * check never call it and compress only for xz, bzip2 and lz4.  So it is
 * opened with dlopen when a codec first needs it, once per process, and
 * its functions are called through this table. */
#ifndef PTOOL_LARCH_H
#define PTOOL_LARCH_H

#include <archive.h>
#include <archive_entry.h>

/* The read filters that detection asks, in this order. */
#define LARCH_READ_FILTERS 13

struct larch {
	struct archive *(*write_new)(void);
	int (*write_free)(struct archive *);
	int (*write_add_filter_xz)(struct archive *);
	int (*write_add_filter_bzip2)(struct archive *);
	int (*write_add_filter_lz4)(struct archive *);
	int (*write_set_filter_option)(struct archive *, const char *, const char *, const char *);
	int (*write_set_format_raw)(struct archive *);
	int (*write_set_bytes_per_block)(struct archive *, int);
	int (*write_set_bytes_in_last_block)(struct archive *, int);
	int (*write_open_memory)(struct archive *, void *, size_t, size_t *);
	int (*write_header)(struct archive *, struct archive_entry *);
	la_ssize_t (*write_data)(struct archive *, const void *, size_t);
	int (*write_close)(struct archive *);
	struct archive *(*read_new)(void);
	int (*read_free)(struct archive *);
	int (*read_support_format_raw)(struct archive *);
	int (*read_open_memory)(struct archive *, const void *, size_t);
	int (*filter_count)(struct archive *);
	int (*filter_code)(struct archive *, int);
	int (*errno_)(struct archive *);
	const char *(*error_string)(struct archive *);
	struct archive_entry *(*entry_new)(void);
	void (*entry_free)(struct archive_entry *);
	void (*entry_set_filetype)(struct archive_entry *, unsigned int);
	void (*entry_set_size)(struct archive_entry *, la_int64_t);
	/* gzip, zstd, xz, bzip2, lz4, compress, lzip, lzma, lzop, grzip,
	 * lrzip, uu, rpm */
	int (*read_support_filter[LARCH_READ_FILTERS])(struct archive *);
};

/* The table, libarchive loaded on the first call (from any thread), or
 * NULL with errno ELIBACC when it cannot be loaded or lacks a function. */
const struct larch *larch(void);

/* Why larch() said NULL: dlopen's or dlsym's own words. */
const char *larch_error(void);

#endif
