/*
 * util.c - see util.h.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static void oom(size_t n)
{
	fprintf(stderr, "goldwatch: out of memory allocating %lu bytes\n",
	    (unsigned long)n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	buf_init(b);
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Pools: a chain of blocks; big requests get a block of their own. */
struct pool_block {
	struct pool_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct pool {
	struct pool_block *head;
};

#define POOL_BLOCK 8192

struct pool *pool_new(void)
{
	return xcalloc(1, sizeof(struct pool));
}

void *pool_alloc(struct pool *p, size_t n)
{
	struct pool_block *b = p->head;
	size_t align = sizeof(max_align_t);
	void *r;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = p->head;
		p->head = b;
	}
	r = (char *)b->data + b->used;
	b->used += n;
	return r;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
	char *r = pool_alloc(p, n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	char *r;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	r = pool_alloc(p, (size_t)n + 1);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

void pool_free(struct pool *p)
{
	struct pool_block *b, *next;

	if (p == NULL)
		return;
	for (b = p->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(p);
}

void host_name(char *out, size_t len)
{
	if (len == 0)
		return;
	if (gethostname(out, len) < 0 || out[0] == '\0')
		snprintf(out, len, "%s", "unknown");
	out[len - 1] = '\0';
}

void process_instance(char *out, size_t len)
{
	char host[256];

	host_name(host, sizeof(host));
	snprintf(out, len, "%s:%ld", host, (long)getpid());
}

int64_t time_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t time_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int time_parse_iso(const char *s, int64_t *out_us)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, tzh = 0, tzm = 0;
	int64_t frac = 0, us;
	int sign = 0;
	size_t len = strlen(s);

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	s += 10;
	if (*s == '\0')
		goto done;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	if (strlen(s) < 5 || digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi))
		return -1;
	s += 5;
	if (*s == ':') {
		if (digits(s + 1, 2, &sec))
			return -1;
		s += 3;
		if (*s == '.' || *s == ',') {
			int n = 0;
			s++;
			if (!isdigit((unsigned char)*s))
				return -1;
			while (isdigit((unsigned char)*s)) {
				if (n < 6) {
					frac = frac * 10 + (*s - '0');
					n++;
				}
				s++;
			}
			while (n++ < 6)
				frac *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (digits(s, 2, &tzh))
			return -1;
		s += 2;
		if (*s == ':')
			s++;
		if (digits(s, 2, &tzm))
			return -1;
		s += 2;
		if (tzh > 23 || tzm > 59)
			return -1;
	} else {
		return -1; /* a time without a zone is ambiguous: refuse it */
	}
	if (*s != '\0')
		return -1;
done:
	us = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	    INT64_C(1000000) + frac;
	us -= (int64_t)sign * (tzh * 3600 + tzm * 60) * INT64_C(1000000);
	*out_us = us;
	return 0;
}

void time_format_iso(int64_t us, char *out, size_t outlen)
{
	time_t secs = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long frac = (long)(us - (int64_t)secs * 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, frac);
}

/*
 * JSON's number grammar: optional minus, 0 or digits without a leading
 * zero, optional fraction, optional exponent. 1 if all of s is one such
 * number (*integer: it has neither fraction nor exponent), else 0.
 */
static int number_syntax(const char *s, int *integer)
{
	const char *p = s;

	*integer = 1;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		*integer = 0;
		if (!(*++p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		*integer = 0;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;
	int integer;

	if (s == NULL || !number_syntax(s, &integer) || !integer)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_number(const char *s, double *out)
{
	int integer;
	double v;

	if (s == NULL || !number_syntax(s, &integer))
		return -1;
	/* the grammar leaves strtod nothing locale- or hex-dependent to read */
	v = strtod(s, NULL);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* libsodium's codecs: constant-time, and strict where it matters here (no
 * padding, no foreign character, zero trailing bits: one text per value) */
void base64url_encode(const unsigned char *in, size_t n, char *out)
{
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	    in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

long base64url_decode(const char *s, unsigned char *out, size_t outcap)
{
	size_t len = 0;

	/* without an end pointer, anything left unread is an error */
	if (sodium_base642bin(out, outcap, s, strlen(s), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (long)len;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	/* s[n] is the first byte left out: inside a character, drop it all */
	while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int utf8_valid_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		unsigned int cp;
		int extra;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			extra = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			extra = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (end - p <= extra)
			return 0;
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += extra + 1;
	}
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%') {
			int hi = hexval((unsigned char)s[1]), lo;
			if (hi < 0 || (lo = hexval((unsigned char)s[2])) < 0)
				return -1;
			if (hi == 0 && lo == 0)
				return -1; /* an embedded NUL would cut the value */
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

void url_encode(struct buf *b, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hx[c >> 4], hx[c & 15]};
			buf_append(b, e, 3);
		}
	}
}

/* Host characters of an origin: a name, IPv4, or a bracketed IPv6. */
static int origin_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '[' || c == ']' || c == ':';
}

int url_origin(const char *url, char *out, size_t outlen)
{
	const char *host, *end, *hend, *p;
	int https, n;
	int64_t port = 0;
	char portbuf[8];

	if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		host = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		host = url + 8;
	} else {
		return -1;
	}
	end = host + strcspn(host, "/?#");
	if (*host == '[') {
		hend = memchr(host, ']', (size_t)(end - host));
		if (hend == NULL)
			return -1;
		hend++;
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL)
			hend = end;
	}
	if (hend == host)
		return -1;
	for (p = host; p < hend; p++)
		if (!origin_host_char(*p))
			return -1;
	if (hend < end) {
		size_t plen = (size_t)(end - hend - 1);
		if (*hend != ':' || plen == 0 || plen >= sizeof(portbuf))
			return -1;
		memcpy(portbuf, hend + 1, plen);
		portbuf[plen] = '\0';
		if (parse_int64(portbuf, 1, 65535, &port) < 0)
			return -1;
		if (port == (https ? 443 : 80))
			port = 0;
	}
	n = snprintf(out, outlen, "%s://%.*s", https ? "https" : "http", (int)(hend - host), host);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	if (port) {
		int m = snprintf(out + n, outlen - (size_t)n, ":%lld", (long long)port);
		if (m < 0 || (size_t)m >= outlen - (size_t)n)
			return -1;
	}
	for (char *q = out; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q + 32);
	return 0;
}
