/*
 * params.h - what a browser sends as text, parsed without any I/O: query
 * strings and form bodies ("a=1&b=2", percent-decoded) and the Cookie
 * header. goldwatch-api reads its requests with these; the fuzz targets
 * call them directly.
 */
#ifndef GW_PARAMS_H
#define GW_PARAMS_H

#include <stddef.h>

#include "util.h"

/* More pairs than this in one query string or form is a malformed request. */
/* pairs of a query or form: the notification policies page sends a few per policy */
#define PARAMS_MAX 400

struct kv {
	const char *key;
	const char *value;
};

/*
 * Splits "a=1&b=2" into decoded pairs allocated in pool (*out holds room
 * for PARAMS_MAX). Returns the count, or -1 for a bad escape, too many
 * pairs or a key given twice.
 */
int params_parse(struct pool *pool, const char *s, struct kv **out);

/*
 * A form body of len bytes: UTF-8 text (no NUL, no control characters but
 * tab and line ends), before and after decoding; values keep line breaks as
 * LF (a browser sends CRLF). Returns the count, or -1.
 */
int params_parse_form(struct pool *pool, const char *body, size_t len, struct kv **out);

/* The value of key among n pairs; NULL if absent. */
const char *params_get(const struct kv *kv, size_t n, const char *key);

/* The value of cookie name in a Cookie header, copied into pool; NULL if absent. */
const char *cookie_get(struct pool *pool, const char *header, const char *name);

#endif
