/* sumline: see sumline.h. */
#include "sumline.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t hex_run(const char *p)
{
	size_t n = 0;
	while (hex_value(p[n]) >= 0)
		n++;
	return n;
}

/* n hex digits (all valid) into the canonical digest. */
static void put_digest(struct sumline *out, const char *hex, size_t n, bool little_endian)
{
	size_t bytes = n / 2;
	for (size_t i = 0; i < bytes; i++) {
		unsigned char b = (unsigned char)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
		out->digest[little_endian ? bytes - 1 - i : i] = b;
	}
}

static enum sumline_kind bad(struct sumline *out, const char *reason)
{
	out->reason = reason;
	return SUMLINE_BAD;
}

/* Undo GNU escaping in place. */
static bool unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		if (*r == '\\')
			*w++ = '\\';
		else if (*r == 'n')
			*w++ = '\n';
		else if (*r == 'r')
			*w++ = '\r';
		else
			return false;
	}
	*w = '\0';
	return true;
}

/* XXH64, XXH64_LE and the like: the algorithm, or -1. */
static int by_tag(const char *tag, size_t len, bool *little_endian)
{
	*little_endian = len > 3 && memcmp(tag + len - 3, "_LE", 3) == 0;
	if (*little_endian)
		len -= 3;
	for (int a = HASH_XXH32; a <= HASH_XXH3; a++)
		if (strlen(hash_infos[a].tag) == len && memcmp(hash_infos[a].tag, tag, len) == 0)
			return a;
	return -1;
}

/* TAG (NAME) = HEX, from p (just past an optional backslash). */
static enum sumline_kind parse_tag(char *p, size_t taglen, bool escaped, struct sumline *out)
{
	bool le;
	out->algo = by_tag(p, taglen, &le);
	if (out->algo < 0)
		return bad(out, "not an xxHash algorithm tag");
	char *name = p + taglen + 2;
	/* The last ") = ": a name may hold the sequence itself. */
	char *close = NULL;
	for (char *q = strstr(name, ") = "); q; q = strstr(q + 1, ") = "))
		close = q;
	if (!close)
		return bad(out, "no ') = ' after the name");
	const char *hex = close + 4;
	size_t n = hex_run(hex);
	if (hex[n] != '\0')
		return bad(out, "the digest is not all hex digits");
	if (n != 2 * hash_infos[out->algo].digest_size)
		return bad(out, "the digest's length does not fit the algorithm");
	*close = '\0';
	if (close == name)
		return bad(out, "no file name");
	if (escaped && !unescape(name))
		return bad(out, "a bad escape in the name");
	put_digest(out, hex, n, le);
	out->name = name;
	return SUMLINE_OK;
}

/* HEX  NAME, XXH3_HEX  NAME. */
static enum sumline_kind parse_gnu(char *p, bool escaped, unsigned flags, struct sumline *out)
{
	bool xxh3 = strncmp(p, "XXH3_", 5) == 0;
	if (xxh3)
		p += 5;
	size_t n = hex_run(p);
	switch (n) {
	case 8: out->algo = HASH_XXH32; break;
	case 16: out->algo = xxh3 ? HASH_XXH3 : HASH_XXH64; break;
	case 32: out->algo = HASH_XXH128; break;
	default:
		return bad(out, n ? "a digest of no xxHash length" : "no digest");
	}
	if (xxh3 && n != 16)
		return bad(out, "an XXH3_ digest that is not 16 hex digits");
	char *q = p + n;
	if (*q != ' ' && *q != '\t')
		return bad(out, *q ? "no space after the digest" : "no file name");
	q++;
	if (*q == ' ' || *q == '*')
		q++;
	if (*q == '\0')
		return bad(out, "no file name");
	if (escaped && !unescape(q))
		return bad(out, "a bad escape in the name");
	put_digest(out, p, n, flags & SUMLINE_LITTLE_ENDIAN);
	out->name = q;
	return SUMLINE_OK;
}

/* ---- JSON: one flat object, as ptool hash --json writes it ---- */

static char *skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static void put_utf8(char **w, uint32_t cp)
{
	unsigned char *o = (unsigned char *)*w;
	if (cp < 0x80) {
		*o++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*o++ = (unsigned char)(0xc0 | cp >> 6);
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (unsigned char)(0xe0 | cp >> 12);
		*o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | cp >> 18);
		*o++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*w = (char *)o;
}

static bool hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int d = hex_value(p[i]);
		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* A JSON string at p (on its opening quote), decoded in place: the
 * decoded text never outgrows its source.  Returns the end of the token,
 * or NULL; *s is the decoded string, NUL-terminated, *len its length. */
static char *json_string(char *p, char **s, size_t *len)
{
	char *w = ++p;
	*s = w;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return NULL;    /* the end of the line, or a raw control */
		if (c != '\\') {
			*w++ = *p++;
			continue;
		}
		p++;
		uint32_t cp;
		switch (*p++) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (!hex4(p, &cp))
				return NULL;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo;
				if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return NULL;
			}
			put_utf8(&w, cp);
			break;
		default:
			return NULL;
		}
	}
	*len = (size_t)(w - *s);
	*w = '\0';
	return p + 1;
}

/* Standard base64 in place; false if it is not. */
static bool base64_decode(char *s, size_t *len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), w = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (strlen(s) % 4 != 0 || strlen(s) - n > 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *at = s[i] ? strchr(tab, s[i]) : NULL;
		if (!at)
			return false;
		acc = acc << 6 | (uint32_t)(at - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[w++] = (char)(acc >> bits & 0xff);
		}
	}
	s[w] = '\0';
	*len = w;
	return true;
}

/* A number, true, false or null: skipped. */
static char *json_scalar(char *p)
{
	char *start = p;
	while (*p && strchr("0123456789+-.eEtruefalsn", *p))
		p++;
	return p == start ? NULL : p;
}

static enum sumline_kind parse_json(char *p, unsigned flags, struct sumline *out)
{
	char *path = NULL, *path64 = NULL, *algo = NULL, *hex = NULL;
	size_t path_len = 0, path64_len = 0, hex_len = 0, vlen;
	bool error = false;

	p = skip_ws(p + 1);
	if (*p != '}') {
		for (;;) {
			char *key, *val;
			size_t klen;
			if (*p != '"' || !(p = json_string(p, &key, &klen)))
				return bad(out, "a JSON key that is not a string");
			p = skip_ws(p);
			if (*p != ':')
				return bad(out, "no ':' after a JSON key");
			p = skip_ws(p + 1);
			if (*p == '"') {
				if (!(p = json_string(p, &val, &vlen)))
					return bad(out, "a bad JSON string");
				if (strcmp(key, "path") == 0)
					path = val, path_len = vlen;
				else if (strcmp(key, "path_base64") == 0)
					path64 = val, path64_len = vlen;
				else if (strcmp(key, "algo") == 0)
					algo = val;
				else if (strcmp(key, "hash") == 0)
					hex = val, hex_len = vlen;
				else if (strcmp(key, "error") == 0)
					error = true;
			} else if (!(p = json_scalar(p))) {
				return bad(out, "a JSON value that is not a string or a number");
			}
			p = skip_ws(p);
			if (*p == '}')
				break;
			if (*p != ',')
				return bad(out, "no ',' or '}' after a JSON value");
			p = skip_ws(p + 1);
		}
	}
	if (*skip_ws(p + 1) != '\0')
		return bad(out, "more after the JSON object");
	if (error)
		return bad(out, "the record of an input that failed");
	if (!algo || !hex || (!path && !path64))
		return bad(out, "a JSON record without path, algo and hash");
	if (path64) {
		if (!base64_decode(path64, &path64_len))
			return bad(out, "path_base64 that is not base64");
		path = path64, path_len = path64_len;
	}
	if (path_len == 0 || strlen(path) != path_len)
		return bad(out, path_len ? "a NUL in the path" : "no file name");
	out->algo = hash_by_name(algo);
	if (out->algo < 0)
		return bad(out, "not an xxHash algorithm");
	if (hex_run(hex) != hex_len || hex_len != 2 * hash_infos[out->algo].digest_size)
		return bad(out, "the digest does not fit the algorithm");
	put_digest(out, hex, hex_len, flags & SUMLINE_LITTLE_ENDIAN);
	out->name = path;
	return SUMLINE_OK;
}

enum sumline_kind sumline_parse(char *line, size_t len, unsigned flags, struct sumline *out)
{
	memset(out, 0, sizeof *out);
	if (!(flags & SUMLINE_NUL_LIST) && len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return SUMLINE_BLANK;
	if (strlen(line) != len)
		return bad(out, "a NUL byte in the line");

	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return bad(out, "only blanks");
	if (*p == '{')
		return parse_json(p, flags, out);
	bool escaped = *p == '\\' && !(flags & SUMLINE_NUL_LIST);
	if (escaped)
		p++;
	size_t word = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (word && p[word] == ' ' && p[word + 1] == '(' && hex_run(p) != word)
		return parse_tag(p, word, escaped, out);
	return parse_gnu(p, escaped, flags, out);
}
