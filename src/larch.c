/* larch: see larch.h. */
#include "larch.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* libarchive 3's SONAME: the one its headers above describe. */
#define LARCH_SONAME "libarchive.so.13"

static struct larch table;
static bool loaded;
static char why[256] = "libarchive was not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Each member of the table, and the name it is found by. */
static const struct {
	size_t off;
	const char *name;
} names[] = {
#define F(member, sym) { offsetof(struct larch, member), sym }
	F(write_new, "archive_write_new"),
	F(write_free, "archive_write_free"),
	F(write_add_filter_xz, "archive_write_add_filter_xz"),
	F(write_add_filter_bzip2, "archive_write_add_filter_bzip2"),
	F(write_add_filter_lz4, "archive_write_add_filter_lz4"),
	F(write_set_filter_option, "archive_write_set_filter_option"),
	F(write_set_format_raw, "archive_write_set_format_raw"),
	F(write_set_bytes_per_block, "archive_write_set_bytes_per_block"),
	F(write_set_bytes_in_last_block, "archive_write_set_bytes_in_last_block"),
	F(write_open_memory, "archive_write_open_memory"),
	F(write_header, "archive_write_header"),
	F(write_data, "archive_write_data"),
	F(write_close, "archive_write_close"),
	F(read_new, "archive_read_new"),
	F(read_free, "archive_read_free"),
	F(read_support_format_raw, "archive_read_support_format_raw"),
	F(read_open_memory, "archive_read_open_memory"),
	F(filter_count, "archive_filter_count"),
	F(filter_code, "archive_filter_code"),
	F(errno_, "archive_errno"),
	F(error_string, "archive_error_string"),
	F(entry_new, "archive_entry_new"),
	F(entry_free, "archive_entry_free"),
	F(entry_set_filetype, "archive_entry_set_filetype"),
	F(entry_set_size, "archive_entry_set_size"),
	F(read_support_filter[0], "archive_read_support_filter_gzip"),
	F(read_support_filter[1], "archive_read_support_filter_zstd"),
	F(read_support_filter[2], "archive_read_support_filter_xz"),
	F(read_support_filter[3], "archive_read_support_filter_bzip2"),
	F(read_support_filter[4], "archive_read_support_filter_lz4"),
	F(read_support_filter[5], "archive_read_support_filter_compress"),
	F(read_support_filter[6], "archive_read_support_filter_lzip"),
	F(read_support_filter[7], "archive_read_support_filter_lzma"),
	F(read_support_filter[8], "archive_read_support_filter_lzop"),
	F(read_support_filter[9], "archive_read_support_filter_grzip"),
	F(read_support_filter[10], "archive_read_support_filter_lrzip"),
	F(read_support_filter[11], "archive_read_support_filter_uu"),
	F(read_support_filter[12], "archive_read_support_filter_rpm"),
#undef F
};

static void load(void)
{
	void *h = dlopen(LARCH_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof why, "%s", dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		void *f = dlsym(h, names[i].name);
		if (!f) {
			snprintf(why, sizeof why, "%s: no %s", LARCH_SONAME, names[i].name);
			return;     /* kept loaded: nothing here calls it */
		}
		/* POSIX: a function's address converts to and from void *. */
		*(void **)((char *)&table + names[i].off) = f;
	}
	loaded = true;
}

const struct larch *larch(void)
{
	pthread_once(&once, load);
	if (!loaded) {
		errno = ELIBACC;
		return NULL;
	}
	return &table;
}

const char *larch_error(void)
{
	return why;
}
