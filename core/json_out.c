/*
 * json_out.c - see json_out.h.
 */
#include "json_out.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void json_put_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		buf_puts(b, esc);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

/* Integral and small enough to be exact: written without a fraction. */
static int integral(double v)
{
	return v == floor(v) && fabs(v) < 9e15;
}

void json_put_num(struct buf *b, double v)
{
	if (!isfinite(v))
		buf_puts(b, "null");
	else if (integral(v))
		buf_printf(b, "%" PRId64, (int64_t)v);
	else
		buf_printf(b, "%.15g", v);
}

json_t *json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (integral(v))
		return json_integer((json_int_t)v);
	return json_real(v);
}

const char *json_str_or(const json_t *o, const char *key, const char *def)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : def;
}

void json_put_time(struct buf *b, int64_t us)
{
	char t[40];

	time_format_iso(us, t, sizeof(t));
	buf_putc(b, '"');
	buf_puts(b, t);
	buf_putc(b, '"');
}

void json_put_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_putc(b, '"');
	buf_puts(b, key);
	buf_puts(b, "\":");
}
