/* Name escaping (GNU sha256sum's), hex, JSON strings, base64. */
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
