/* format: digests and names as text, into a growing buffer.
 *
 * GNU lines ("HEX  NAME"), BSD tag lines ("XXH64 (NAME) = HEX"), JSON
 * Lines.  Names with a backslash, newline or carriage return are escaped
 * as GNU sha256sum does: the line starts with a backslash and those
 * characters become \\, \n and \r. */
#ifndef PTOOL_FORMAT_H
#define PTOOL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *data;
	size_t len, cap;
	bool failed;    /* an allocation failed; contents are incomplete */
};

void sb_add(struct strbuf *sb, const void *p, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_release(struct strbuf *sb);

/* Does name need GNU escaping? */
bool fmt_needs_escape(const char *name);

/* name with \\, \n, \r escaped (no leading backslash). */
void fmt_escaped_name(struct strbuf *sb, const char *name);

/* The most bytes a name takes in a message: with the rest of a message it
 * stays well within one write (see diag.c). */
#define FMT_SHOWN_MAX 1024

/* name as a message quotes it, NUL-terminated in buf (size at least 16):
 * a backslash, newline, carriage return and tab written \\, \n, \r and
 * \t, any other control character (below 0x20, and DEL) as a backslash
 * and three octal digits (ESC is \033), so that a message stays one line
 * and a name cannot send a terminal its escape sequences.  A name that
 * would take more than size - 1 bytes keeps its start and its end, with
 * "..." in place of the middle; a cut never splits an escape or a UTF-8
 * sequence.  Returns buf. */
const char *fmt_shown(char *buf, size_t size, const char *name);

/* Lower-case hex of n bytes, reversed when little_endian. */
void fmt_hex(struct strbuf *sb, const unsigned char *bytes, size_t n, bool little_endian);

/* A JSON string literal for arbitrary bytes: invalid UTF-8 becomes U+FFFD.
 * Returns false when the input was not valid UTF-8. */
bool fmt_json_string(struct strbuf *sb, const char *s);

/* Standard base64 of n bytes. */
void fmt_base64(struct strbuf *sb, const unsigned char *p, size_t n);

#endif
