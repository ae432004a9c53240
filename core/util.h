/*
 * util.h - allocation that cannot fail, growable buffers, per-request pools,
 * time helpers and small string utilities shared by every goldwatch binary.
 */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define GW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GW_PRINTF(f, a)
#endif

/* Allocation: these abort the process on failure (like redis zmalloc). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) GW_PRINTF(1, 2);

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) GW_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Makes room for extra more bytes (and the NUL after them) past b->len. */
void buf_reserve(struct buf *b, size_t extra);
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/*
 * A pool owns many small allocations that die together: one per request
 * (nginx pools, kcgi khttp_free). pool_free() releases everything.
 */
struct pool;
struct pool *pool_new(void);
void *pool_alloc(struct pool *p, size_t n);
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t n);
char *pool_printf(struct pool *p, const char *fmt, ...) GW_PRINTF(2, 3);
void pool_free(struct pool *p);

/*
 * This machine's name ("unknown" when it has none), and "host:pid", which
 * tells this process apart from any other on any host (metrics' instance
 * label, the pusher's heartbeat row).
 */
void host_name(char *out, size_t len);
void process_instance(char *out, size_t len);

/* Microseconds since the Unix epoch, wall clock and monotonic. */
int64_t time_now_us(void);
int64_t time_mono_us(void);

/*
 * Parses an ISO 8601 / RFC 3339 date-time with a zone ("2026-11-26T10:00:00Z",
 * "...+03:30", optional fraction) or a plain date ("2026-11-26", midnight UTC)
 * into microseconds since the epoch. Returns 0, or -1 if s is not such a time.
 */
int time_parse_iso(const char *s, int64_t *out_us);
/* The days of month m (1-12) of year y in the Gregorian calendar. */
int days_in_month(int y, int m);
/*
 * The instants of the years it reads, 1900-01-01T00:00:00Z up to (not
 * including) 10000-01-01T00:00:00Z, in µs: what time_format_iso() writes
 * and PostgreSQL reads back as the same instant.
 */
#define TIME_FIRST_US (INT64_C(-2208988800) * 1000000)
#define TIME_END_US (INT64_C(253402300800) * 1000000)
/* Writes "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) into out (at least 32 bytes). */
void time_format_iso(int64_t us, char *out, size_t outlen);

/*
 * The one number grammar of outside input (forms, query parameters,
 * settings), the JSON API's: optional minus, digits (no leading zero),
 * optional fraction, optional exponent ("16", "-3", "0.5", "1e3"). No hex,
 * no '+', no inf or nan, no spaces. Each returns 0, or -1 if s is not such
 * a number.
 */
/* A whole number (no fraction, no exponent) in [min, max]. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Any number of the grammar that is finite as a double. */
int parse_number(const char *s, double *out);

/* URL-safe base64 without padding. out must hold 4*ceil(n/3)+1 bytes. */
void base64url_encode(const unsigned char *in, size_t n, char *out);
/* Returns the decoded length, or -1 if s is not base64url or too long. */
long base64url_decode(const char *s, unsigned char *out, size_t outcap);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* The length of the longest prefix of s (len bytes) of at most max bytes
 * that does not end inside a UTF-8 character. */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* True when s is valid UTF-8 with no NUL and no C0 control but \t\n\r. */
int utf8_valid_text(const char *s, size_t n);

/* Decodes %XX and '+' (form encoding) in place. Returns -1 on bad escapes. */
int url_decode(char *s);
/* Appends s to b with everything but unreserved characters %-escaped. */
void url_encode(struct buf *b, const char *s);
/*
 * The origin of an absolute http or https URL in the form browsers send
 * in Origin: "scheme://host[:port]", scheme and host in lower case, the
 * scheme's default port left out, no path. Returns 0, or -1 when url is
 * no such URL (another scheme, user info, a bad port, "null") or the
 * origin does not fit in out.
 */
int url_origin(const char *url, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
