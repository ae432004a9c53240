/*
 * mail_mime.c - see mail_mime.h.
 */
#include "mail_mime.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_CHARS 76   /* encoded lines (RFC 2045) and folded headers */

static int plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	/* "=?" would be read as the start of an encoded word */
	return strstr(s, "=?") == NULL;
}

/* Bytes of the UTF-8 character that starts with byte c. */
static size_t utf8_char_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/*
 * Appends value as encoded words after a header name of col characters:
 * each line at most 76 characters (RFC 2047), whole characters per word.
 */
static void encoded_words(struct buf *out, const char *s, size_t col)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t room, take = 0;
		char b64[64];

		if (i > 0 || col + 17 > LINE_MAX_CHARS) {
			buf_puts(out, "\r\n"); /* each further word on a line of its own */
			col = 0;
		}
		/* 12 = "=?UTF-8?B?" + "?=", 1 = the space before the word */
		room = (LINE_MAX_CHARS - col - 1 - 12) / 4 * 3;
		while (i + take < n) {
			size_t cl = utf8_char_len((unsigned char)s[i + take]);
			if (take + cl > room)
				break;
			take += cl;
		}
		if (take == 0) /* a malformed run: bytes, not characters */
			take = n - i < room ? n - i : room;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, " =?UTF-8?B?%s?=", b64);
		col += 13 + strlen(b64);
		i += take;
	}
}

/* Plain ASCII folded before a space where a line would grow too long. */
static void folded(struct buf *out, const char *s, size_t col)
{
	const char *p = s;

	if (col > 0) {
		buf_putc(out, ' ');
		col++;
	}
	while (*p) {
		size_t word = strcspn(p + 1, " ") + 1;
		if (p != s && *p == ' ' && col + word > LINE_MAX_CHARS) {
			buf_puts(out, "\r\n");
			col = 0;
		}
		buf_append(out, p, word);
		col += word;
		p += word;
	}
}

void mime_header(struct buf *out, const char *name, const char *value)
{
	size_t col = strlen(name) + 1;

	buf_printf(out, "%s:", name);
	if (plain_ascii(value))
		folded(out, value, col);
	else
		encoded_words(out, value, col);
	buf_puts(out, "\r\n");
}

void mime_qp(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char enc[4];
		size_t len;
		int line_end = p[0] == '\n' || (p[0] == '\r' && p[1] == '\n');

		if (line_end) {
			if (p[0] == '\r')
				p++;
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		/* spaces stay, but not before a line end (they would be lost) */
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && p[1] != '\0' && p[1] != '\n' && p[1] != '\r')) {
			enc[0] = (char)*p;
			len = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			len = 3;
		}
		if (col + len > LINE_MAX_CHARS - 1) {
			buf_puts(out, "=\r\n"); /* soft line break */
			col = 0;
		}
		buf_append(out, enc, len);
		col += len;
	}
	if (col > 0)
		buf_puts(out, "\r\n");
}

void mime_date(int64_t us, char *out, size_t outlen)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

static int addr_ok(const char *a)
{
	const char *at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[]\\,;:\"", *p))
			return 0;
	return 1;
}

int mime_from_parse(const char *from, char *addr, size_t addrlen, char *name,
    size_t namelen)
{
	const char *lt = strchr(from, '<');
	size_t nlen, alen;

	for (const char *p = from; *p; p++)
		if (*p == '\r' || *p == '\n')
			return -1;
	if (lt == NULL) {
		alen = strlen(from);
		nlen = 0;
		lt = from - 1;
	} else {
		const char *gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0')
			return -1;
		alen = (size_t)(gt - lt - 1);
		nlen = (size_t)(lt - from);
		while (nlen > 0 && from[nlen - 1] == ' ')
			nlen--;
	}
	if (alen == 0 || alen >= addrlen || nlen >= namelen)
		return -1;
	memcpy(addr, lt + 1, alen);
	addr[alen] = '\0';
	memcpy(name, from, nlen);
	name[nlen] = '\0';
	/* a quoted display name: the quotes are ours to add */
	if (nlen >= 2 && name[0] == '"' && name[nlen - 1] == '"') {
		memmove(name, name + 1, nlen - 2);
		name[nlen - 2] = '\0';
	}
	if (strchr(name, '"') || strchr(name, '\\'))
		return -1;
	return addr_ok(addr) ? 0 : -1;
}

const char *mime_message_domain(const char *from_email, char *out, size_t outlen)
{
	char addr[256], name[256];
	const char *at = NULL;

	if (mime_from_parse(from_email, addr, sizeof(addr), name, sizeof(name)) == 0)
		at = strchr(addr, '@');
	snprintf(out, outlen, "%s", at && at[1] ? at + 1 : "localhost");
	return out;
}

static void from_header(struct buf *out, const char *from)
{
	char addr[256], name[256];

	if (mime_from_parse(from, addr, sizeof(addr), name, sizeof(name)) < 0 || !*name) {
		buf_printf(out, "From: %s\r\n", mime_from_parse(from, addr, sizeof(addr),
		    name, sizeof(name)) == 0 ? addr : from);
		return;
	}
	if (plain_ascii(name)) {
		buf_printf(out, "From: \"%s\" <%s>\r\n", name, addr);
	} else {
		buf_puts(out, "From:");
		encoded_words(out, name, 5);
		buf_printf(out, " <%s>\r\n", addr);
	}
}

static void part(struct buf *out, const char *boundary, const char *type, const char *body)
{
	buf_printf(out, "--%s\r\n", boundary);
	buf_printf(out, "Content-Type: %s; charset=UTF-8\r\n", type);
	buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(out, body ? body : "");
}

void mime_build(const struct mime_msg *m, struct buf *out)
{
	char date[48], boundary[64];

	if (m->boundary) {
		snprintf(boundary, sizeof(boundary), "%s", m->boundary);
	} else {
		/* "=_" never occurs in quoted-printable text: the boundary cannot */
		unsigned char raw[12];
		char rnd[25];
		randombytes_buf(raw, sizeof(raw));
		hex_encode(raw, sizeof(raw), rnd);
		snprintf(boundary, sizeof(boundary), "=_goldwatch_%s", rnd);
	}
	mime_date(m->date_us, date, sizeof(date));
	buf_printf(out, "Date: %s\r\n", date);
	from_header(out, m->from);
	buf_printf(out, "To: %s\r\n", m->to);
	mime_header(out, "Subject", m->subject);
	buf_printf(out, "Message-ID: %s\r\n", m->message_id);
	buf_puts(out, "MIME-Version: 1.0\r\n");
	/* RFC 3834: machines must not answer (vacation replies) */
	buf_puts(out, "Auto-Submitted: auto-generated\r\n");
	if (m->kind)
		buf_printf(out, "X-Goldwatch-Kind: %s\r\n", m->kind);
	if (m->alert_id > 0)
		buf_printf(out, "X-Goldwatch-Alert: %lld\r\n", (long long)m->alert_id);
	buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
	    boundary);
	buf_puts(out, "This is a MIME message: the same text as plain text and as HTML.\r\n");
	part(out, boundary, "text/plain", m->text);
	part(out, boundary, "text/html", m->html);
	buf_printf(out, "--%s--\r\n", boundary);
}
