/*
 * cursor.c - see cursor.h.
 */
#include "cursor.h"

#include <stdio.h>
#include <stdlib.h>
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
	char *dot, *end;

	if (n <= 0)
		return -1;
	raw[n] = '\0';
	dot = strchr((char *)raw, '.');
	if (dot == NULL)
		return -1;
	*dot = '\0';
	*t_us = strtoll((char *)raw, &end, 10);
	if (*end != '\0' || end == (char *)raw)
		return -1;
	*id = strtoll(dot + 1, &end, 10);
	if (*end != '\0' || *id <= 0)
		return -1;
	return 0;
}
