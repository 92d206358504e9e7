/* The checksum-list parser: every accepted form, and the lines it must
 * refuse; and the list reader's line numbers, delimiters and limits. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "pathlist.h"
#include "sumline.h"
#include "unit.h"

static struct sumline sl;

/* Parse a copy of text; the kind it got. */
static enum sumline_kind parse(const char *text, unsigned flags)
{
	static char buf[512];
	size_t n = strlen(text);
	memcpy(buf, text, n + 1);
	return sumline_parse(buf, n, flags, &sl);
}

static int ok(const char *text, unsigned flags, int algo, const char *name, const char *hex)
{
	if (parse(text, flags) != SUMLINE_OK) {
		fprintf(stderr, "  '%s': refused (%s)\n", text, sl.reason);
		return 0;
	}
	char got[40];
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++)
		snprintf(got + 2 * i, 3, "%02x", sl.digest[i]);
	if (sl.algo != algo || strcmp(sl.name, name) != 0 || strcmp(got, hex) != 0) {
		fprintf(stderr, "  '%s': algo %d name '%s' digest %s\n", text, sl.algo, sl.name, got);
		return 0;
	}
	return 1;
}

static int refused(const char *text, unsigned flags)
{
	enum sumline_kind k = parse(text, flags);
	if (k != SUMLINE_BAD || !sl.reason || !*sl.reason) {
		fprintf(stderr, "  '%s': not refused\n", text);
		return 0;
	}
	return 1;
}

static void test_forms(void)
{
	CHECK(ok("946b5bf9  a", 0, HASH_XXH32, "a", "946b5bf9"));
	CHECK(ok("e4c191d091bd8853  b c", 0, HASH_XXH64, "b c", "e4c191d091bd8853"));
	CHECK(ok("E4C191D091BD8853 *a", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("e4c191d091bd8853 a", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("  e4c191d091bd8853  a", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("e4c191d091bd8853   lead", 0, HASH_XXH64, " lead", "e4c191d091bd8853"));
	CHECK(ok("6bba86c7e069f56d5a10b435f1c8e49c  a", 0, HASH_XXH128, "a",
	         "6bba86c7e069f56d5a10b435f1c8e49c"));
	CHECK(ok("XXH3_99fc819aaba2462a  a", 0, HASH_XXH3, "a", "99fc819aaba2462a"));
	CHECK(ok("e4c191d091bd8853  a\r", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	/* little-endian GNU lines, when told */
	CHECK(ok("5388bd91d091c1e4  a", SUMLINE_LITTLE_ENDIAN, HASH_XXH64, "a", "e4c191d091bd8853"));

	CHECK(ok("XXH32 (a) = 946b5bf9", 0, HASH_XXH32, "a", "946b5bf9"));
	CHECK(ok("XXH64 (a) = e4c191d091bd8853", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("XXH3 (b c) = eaf06c6480b2cd11", 0, HASH_XXH3, "b c", "eaf06c6480b2cd11"));
	CHECK(ok("XXH128 (x) = 6bba86c7e069f56d5a10b435f1c8e49c", 0, HASH_XXH128, "x",
	         "6bba86c7e069f56d5a10b435f1c8e49c"));
	CHECK(ok("XXH64_LE (a) = 5388bd91d091c1e4", 0, HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("XXH64 (a) = b) = e4c191d091bd8853", 0, HASH_XXH64, "a) = b", "e4c191d091bd8853"));
	CHECK(ok("XXH64 ((x)) = e4c191d091bd8853", 0, HASH_XXH64, "(x)", "e4c191d091bd8853"));

	/* escaped names */
	CHECK(ok("\\e4c191d091bd8853  new\\nline\\\\and\\r", 0, HASH_XXH64, "new\nline\\and\r",
	         "e4c191d091bd8853"));
	CHECK(ok("\\XXH64 (a\\nb) = e4c191d091bd8853", 0, HASH_XXH64, "a\nb", "e4c191d091bd8853"));
	CHECK(ok("e4c191d091bd8853  back\\slash", 0, HASH_XXH64, "back\\slash", "e4c191d091bd8853"));
	/* NUL lists: nothing is escaped, a CR is part of the name */
	CHECK(ok("e4c191d091bd8853  a\nb\r", SUMLINE_NUL_LIST, HASH_XXH64, "a\nb\r",
	         "e4c191d091bd8853"));

	/* JSON Lines */
	CHECK(ok("{\"path\":\"a\",\"algo\":\"xxh64\",\"hash\":\"e4c191d091bd8853\",\"size\":6}", 0,
	         HASH_XXH64, "a", "e4c191d091bd8853"));
	CHECK(ok("{ \"size\": 1e3, \"hash\": \"946b5bf9\", \"algo\": \"xxh32\", \"path\": "
	         "\"q\\\"\\\\\\n\\u00e9\\ud83d\\ude00\" }", 0, HASH_XXH32,
	         "q\"\\\n\xc3\xa9\xf0\x9f\x98\x80", "946b5bf9"));
	CHECK(ok("{\"path\":\"\xef\xbf\xbd\",\"path_base64\":\"/w==\",\"algo\":\"xxh3\","
	         "\"hash\":\"99fc819aaba2462a\"}", 0, HASH_XXH3, "\xff", "99fc819aaba2462a"));

	CHECK(parse("", 0) == SUMLINE_BLANK);
	CHECK(parse("\r", 0) == SUMLINE_BLANK);
	CHECK(parse("# e4c191d091bd8853  a", 0) == SUMLINE_BLANK);
}

static void test_refusals(void)
{
	CHECK(refused("garbage", 0));
	CHECK(refused("   ", 0));
	CHECK(refused("e4c191d091bd8853", 0));
	CHECK(refused("e4c191d091bd8853  ", 0));
	CHECK(refused("e4c191d091bd885  a", 0));          /* 15 digits */
	CHECK(refused("e4c191d091bd8853e4c1  a", 0));     /* 20 digits */
	CHECK(refused("e4c191d091bd8853x  a", 0));
	CHECK(refused("XXH3_946b5bf9  a", 0));
	CHECK(refused("MD5 (a) = e4c191d091bd8853", 0));  /* not xxHash */
	CHECK(refused("SHA256 (a) = e4c191d091bd8853", 0));
	CHECK(refused("XXH64 (a) = e4c191d091bd885", 0));
	CHECK(refused("XXH64 (a) = 946b5bf9", 0));        /* length of another */
	CHECK(refused("XXH64 (a) e4c191d091bd8853", 0));
	CHECK(refused("XXH64 () = e4c191d091bd8853", 0));
	CHECK(refused("XXH64 (a) = e4c191d091bd8853 ", 0));
	CHECK(refused("\\e4c191d091bd8853  bad\\escape", 0));
	CHECK(refused("\\e4c191d091bd8853  trailing\\", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"xxh64\"}", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"md5\",\"hash\":\"e4c191d091bd8853\"}", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"xxh32\",\"hash\":\"e4c191d091bd8853\"}", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"xxh64\",\"error\":\"cannot open: x\"}", 0));
	CHECK(refused("{\"path\":\"a\\u0000b\",\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"}", 0));
	CHECK(refused("{\"path\":\"a\\ud800\",\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"}", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"} x", 0));
	CHECK(refused("{\"path\":\"a\",\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"", 0));
	CHECK(refused("{\"path\":[1],\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"}", 0));
	CHECK(refused("{\"path_base64\":\"!!!!\",\"algo\":\"xxh32\",\"hash\":\"946b5bf9\"}", 0));
	CHECK(refused("{", 0));

	char nul[] = "e4c191d091bd8853  a\0b";
	CHECK(sumline_parse(nul, sizeof nul - 1, 0, &sl) == SUMLINE_BAD);
}

/* Records from a pipe's worth of bytes. */
static struct pathlist reader(const char *bytes, size_t n, int delim, size_t max)
{
	char path[] = "/tmp/ptool-unit-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK(write(fd, bytes, n) == (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	struct pathlist pl;
	CHECK(pathlist_init(&pl, fd, delim) == 0);
	pl.max = max;
	return pl;
}

static void test_reader(void)
{
	int err = 0;
	const char text[] = "one\n\ntwo\r\nthree";
	struct pathlist pl = reader(text, sizeof text - 1, PATHLIST_AUTO, 0);
	char *r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "one") == 0 && pl.lineno == 1 && pl.delim == '\n');
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "two\r") == 0 && pl.lineno == 3 && pl.reclen == 4);
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "three") == 0 && pl.lineno == 4);
	CHECK(!pathlist_next(&pl, &err) && err == 0);
	close(pl.fd);
	pathlist_release(&pl);

	/* What ends the first record tells: a NUL there, NULs. */
	const char zero[] = "a\0b\nc\0";
	pl = reader(zero, sizeof zero - 1, PATHLIST_AUTO, 0);
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "a") == 0 && pl.delim == '\0');
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "b\nc") == 0 && pl.lineno == 2);
	close(pl.fd);
	pathlist_release(&pl);

	/* A newline there: lines, and a NUL later lies inside one. */
	const char stray[] = "a\nb\0c\n";
	pl = reader(stray, sizeof stray - 1, PATHLIST_AUTO, 0);
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "a") == 0 && pl.delim == '\n');
	r = pathlist_next(&pl, &err);
	CHECK(r && pl.reclen == 3 && memcmp(r, "b\0c", 4) == 0 && pl.lineno == 2);
	CHECK(!pathlist_next(&pl, &err) && err == 0);
	close(pl.fd);
	pathlist_release(&pl);

	/* An over-long record comes back empty and flagged; its neighbours whole. */
	size_t big = 300000;
	char *long_text = malloc(big + 16);
	memcpy(long_text, "x\n", 2);
	memset(long_text + 2, 'y', big);
	memcpy(long_text + 2 + big, "\nz", 2);
	pl = reader(long_text, big + 4, '\n', 1000);
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "x") == 0 && !pl.overlong);
	r = pathlist_next(&pl, &err);
	CHECK(r && *r == '\0' && pl.overlong && pl.lineno == 2);
	r = pathlist_next(&pl, &err);
	CHECK(r && strcmp(r, "z") == 0 && !pl.overlong && pl.lineno == 3);
	CHECK(pl.cap <= 1 << 17);
	close(pl.fd);
	pathlist_release(&pl);

	/* ... also when it is the last, with no delimiter. */
	pl = reader(long_text, big + 2, '\n', 1000);
	CHECK((r = pathlist_next(&pl, &err)) && strcmp(r, "x") == 0);
	CHECK((r = pathlist_next(&pl, &err)) && *r == '\0' && pl.overlong);
	CHECK(!pathlist_next(&pl, &err));
	close(pl.fd);
	pathlist_release(&pl);
	free(long_text);
}

void test_sumline(void)
{
	test_forms();
	test_refusals();
	test_reader();
}
