/* format: see format.h. */
#include "format.h"

#include <stdlib.h>
#include <string.h>

void sb_add(struct strbuf *sb, const void *p, size_t n)
{
	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		while (sb->len + n + 1 > cap)
			cap *= 2;
		char *d = realloc(sb->data, cap);
		if (!d) {
			sb->failed = true;
			return;
		}
		sb->data = d;
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_release(struct strbuf *sb)
{
	free(sb->data);
	memset(sb, 0, sizeof *sb);
}

bool fmt_needs_escape(const char *name)
{
	return strpbrk(name, "\\\n\r") != NULL;
}

void fmt_escaped_name(struct strbuf *sb, const char *name)
{
	for (const char *p = name; *p; p++) {
		size_t run = strcspn(p, "\\\n\r");
		sb_add(sb, p, run);
		p += run;
		if (!*p)
			break;
		sb_adds(sb, *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : "\\r");
	}
}

/* How many bytes c takes in a shown name. */
static size_t shown_len(unsigned char c)
{
	if (c == '\\' || c == '\n' || c == '\r' || c == '\t')
		return 2;
	return c < 0x20 || c == 0x7f ? 4 : 1;
}

/* The n bytes of s as shown, at d; returns the end. */
static char *shown_put(char *d, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (shown_len(c) == 1) {
			*d++ = (char)c;
			continue;
		}
		*d++ = '\\';
		switch (c) {
		case '\\': *d++ = '\\'; break;
		case '\n': *d++ = 'n'; break;
		case '\r': *d++ = 'r'; break;
		case '\t': *d++ = 't'; break;
		default:
			*d++ = (char)('0' + (c >> 6));
			*d++ = (char)('0' + ((c >> 3) & 7));
			*d++ = (char)('0' + (c & 7));
		}
	}
	return d;
}

static bool utf8_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

const char *fmt_shown(char *buf, size_t size, const char *name)
{
	size_t n = strlen(name), need = 0;

	if (size < 16) {
		buf[0] = '\0';
		return buf;
	}
	for (size_t i = 0; i < n; i++)
		need += shown_len((unsigned char)name[i]);
	if (need < size) {
		*shown_put(buf, name, n) = '\0';
		return buf;
	}
	/* The start up to half the room, the end in the rest. */
	size_t room = size - 1 - 3, head_room = room / 2, tail_room = room - head_room;
	size_t head = 0, tail = n, used = 0;
	while (used + shown_len((unsigned char)name[head]) <= head_room)
		used += shown_len((unsigned char)name[head++]);
	for (int k = 0; k < 3 && head > 0 && utf8_continuation((unsigned char)name[head]); k++)
		head--;
	used = 0;
	while (used + shown_len((unsigned char)name[tail - 1]) <= tail_room)
		used += shown_len((unsigned char)name[--tail]);
	for (int k = 0; k < 3 && tail < n && utf8_continuation((unsigned char)name[tail]); k++)
		tail++;
	char *d = shown_put(buf, name, head);
	memcpy(d, "...", 3);
	d = shown_put(d + 3, name + tail, n - tail);
	*d = '\0';
	return buf;
}

void fmt_hex(struct strbuf *sb, const unsigned char *bytes, size_t n, bool little_endian)
{
	static const char digits[] = "0123456789abcdef";
	char out[128];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 2 <= sizeof out; i++) {
		unsigned char b = bytes[little_endian ? n - 1 - i : i];
		out[k++] = digits[b >> 4];
		out[k++] = digits[b & 15];
	}
	sb_add(sb, out, k);
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n;
	unsigned min;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool fmt_json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool valid = true;

	sb_addc(sb, '"');
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			char esc[8];
			static const char digits[] = "0123456789abcdef";
			if (c == '\n')
				memcpy(esc, "\\n", 3);
			else if (c == '\r')
				memcpy(esc, "\\r", 3);
			else if (c == '\t')
				memcpy(esc, "\\t", 3);
			else
				memcpy(esc, (char[]){ '\\', 'u', '0', '0', digits[c >> 4], digits[c & 15], 0 }, 7);
			sb_adds(sb, esc);
			p++;
		} else {
			size_t n = utf8_len(p);
			if (n == 0) {
				sb_adds(sb, "\xef\xbf\xbd");
				valid = false;
				p++;
			} else {
				sb_add(sb, p, n);
				p += n;
			}
		}
	}
	sb_addc(sb, '"');
	return valid;
}

void fmt_base64(struct strbuf *sb, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char out[4] = { tab[(v >> 18) & 63], tab[(v >> 12) & 63],
		                i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '=' };
		sb_add(sb, out, 4);
	}
}
