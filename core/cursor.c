/*
 * cursor.c - see cursor.h.
 */
#include "cursor.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* A cursor is "<triggered_at in µs>.<id>" in URL-safe base64. */
char *cursor_make(int64_t t_us, int64_t id)
{
	char raw[48], *out = xmalloc(72);
	int n = snprintf(raw, sizeof(raw), "%lld.%lld", (long long)t_us, (long long)id);

	base64url_encode((const unsigned char *)raw, (size_t)n, out);
	return out;
}

int cursor_parse(const char *c, int64_t *t_us, int64_t *id)
{
	unsigned char raw[48];
	long n = strlen(c) < 64 ? base64url_decode(c, raw, sizeof(raw) - 1) : -1;
	char *dot;

	if (n <= 0)
		return -1;
	raw[n] = '\0';
	dot = strchr((char *)raw, '.');
	if (dot == NULL || strlen((char *)raw) != (size_t)n)
		return -1;
	*dot = '\0';
	/*
	 * A row's time lies within the years the API reads: anything else is
	 * not a cursor we gave out, and would reach the query as a time
	 * time_format_iso() cannot write (or PostgreSQL cannot read).
	 */
	if (parse_int64((char *)raw, TIME_FIRST_US, TIME_END_US - 1, t_us) < 0 ||
	    parse_int64(dot + 1, 1, INT64_MAX, id) < 0)
		return -1;
	return 0;
}
