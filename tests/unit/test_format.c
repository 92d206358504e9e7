/* Name escaping (GNU sha256sum's, and names in messages), hex, JSON strings, base64. */
#include <string.h>

#include "format.h"
#include "unit.h"

static int is(struct strbuf *sb, const char *want)
{
	int ok = sb->len == strlen(want) && memcmp(sb->data, want, sb->len) == 0;
	if (!ok)
		fprintf(stderr, "  got '%.*s', want '%s'\n", (int)sb->len, sb->data ? sb->data : "", want);
	sb->len = 0;
	return ok;
}

void test_format(void)
{
	struct strbuf sb = { 0 };

	CHECK(!fmt_needs_escape("plain name"));
	CHECK(fmt_needs_escape("a\\b"));
	CHECK(fmt_needs_escape("a\nb"));
	CHECK(fmt_needs_escape("a\rb"));

	fmt_escaped_name(&sb, "plain");
	CHECK(is(&sb, "plain"));
	fmt_escaped_name(&sb, "back\\slash");
	CHECK(is(&sb, "back\\\\slash"));
	fmt_escaped_name(&sb, "new\nline\r\n");
	CHECK(is(&sb, "new\\nline\\r\\n"));
	fmt_escaped_name(&sb, "\\");
	CHECK(is(&sb, "\\\\"));
	fmt_escaped_name(&sb, "");
	CHECK(sb.len == 0);

	/* Names in messages: every control character escaped, long ones
	 * cut in the middle, never inside an escape or a UTF-8 sequence. */
	char shown[64];
	CHECK(strcmp(fmt_shown(shown, sizeof shown, "plain"), "plain") == 0);
	CHECK(strcmp(fmt_shown(shown, sizeof shown, "a\\b\nc\rd\te"), "a\\\\b\\nc\\rd\\te") == 0);
	CHECK(strcmp(fmt_shown(shown, sizeof shown, "\033[31m\001\177x"), "\\033[31m\\001\\177x") == 0);
	CHECK(strcmp(fmt_shown(shown, sizeof shown, ""), "") == 0);
	char lng[200];
	memset(lng, 'a', 100);
	memset(lng + 100, 'z', 99);
	lng[199] = '\0';
	fmt_shown(shown, sizeof shown, lng);
	CHECK(strlen(shown) == 63);
	CHECK(strncmp(shown, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...", 33) == 0);
	CHECK(strcmp(shown + 33, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz") == 0);
	/* Exactly size - 1 bytes fit whole; one more is cut. */
	lng[63] = '\0';
	CHECK(strcmp(fmt_shown(shown, sizeof shown, lng), lng) == 0);
	lng[63] = 'a';
	lng[64] = '\0';
	CHECK(strstr(fmt_shown(shown, sizeof shown, lng), "...") != NULL);
	/* Escapes at the cut go whole or not at all. */
	memset(lng, '\033', 199);
	fmt_shown(shown, sizeof shown, lng);
	CHECK(strcmp(shown, "\\033\\033\\033\\033\\033\\033\\033..."
	                    "\\033\\033\\033\\033\\033\\033\\033") == 0);
	/* Two-byte characters, one byte out of step: the cut falls between
	 * them, not inside one. */
	lng[0] = 'x';
	for (int i = 1; i < 197; i += 2)
		memcpy(lng + i, "\xc3\xa9", 2);
	memcpy(lng + 197, "y", 2);
	fmt_shown(shown, sizeof shown, lng);
	CHECK(strcmp(shown, "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9y") == 0);

	const unsigned char d[] = { 0x01, 0xab, 0xff, 0x10 };
	fmt_hex(&sb, d, 4, false);
	CHECK(is(&sb, "01abff10"));
	fmt_hex(&sb, d, 4, true);
	CHECK(is(&sb, "10ffab01"));

	CHECK(fmt_json_string(&sb, "a\"b\\c\n\x01"));
	CHECK(is(&sb, "\"a\\\"b\\\\c\\n\\u0001\""));
	CHECK(fmt_json_string(&sb, "caf\xc3\xa9"));
	CHECK(is(&sb, "\"caf\xc3\xa9\""));
	CHECK(!fmt_json_string(&sb, "x\xff\xfey"));
	CHECK(is(&sb, "\"x\xef\xbf\xbd\xef\xbf\xbdy\""));
	/* Overlong form and a lone surrogate are not valid UTF-8. */
	CHECK(!fmt_json_string(&sb, "\xc0\xaf"));
	sb.len = 0;
	CHECK(!fmt_json_string(&sb, "\xed\xa0\x80"));
	sb.len = 0;

	fmt_base64(&sb, (const unsigned char *)"", 0);
	CHECK(is(&sb, ""));
	fmt_base64(&sb, (const unsigned char *)"f", 1);
	CHECK(is(&sb, "Zg=="));
	fmt_base64(&sb, (const unsigned char *)"fo", 2);
	CHECK(is(&sb, "Zm8="));
	fmt_base64(&sb, (const unsigned char *)"foobar", 6);
	CHECK(is(&sb, "Zm9vYmFy"));
	sb_release(&sb);
}
