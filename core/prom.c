/*
 * prom.c - the Prometheus text exposition format; see prom.h.
 */
#include "prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backslash and newline escaped, and the double quote too in a label value
 * (HELP text is not quoted). */
static void escape(struct buf *b, const char *v, int quote)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else if (*v == '"' && quote)
			buf_puts(b, "\\\"");
		else
			buf_putc(b, *v);
	}
}

void prom_escape(struct buf *b, const char *v)
{
	escape(b, v, 1);
}

void prom_family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s ", name);
	escape(b, help, 0);
	buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

/* The fewest digits (of 15 or 17) that read back as v. */
static void put_shortest(struct buf *b, double v)
{
	char text[32];

	snprintf(text, sizeof(text), "%.15g", v);
	if (strtod(text, NULL) != v)
		snprintf(text, sizeof(text), "%.17g", v);
	buf_puts(b, text);
}

/* A whole number without printf: a scrape writes thousands of them. */
static void put_u64(struct buf *b, uint64_t v)
{
	char text[24];
	size_t i = sizeof(text);

	do {
		text[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_append(b, text + i, sizeof(text) - i);
}

static void put_value(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15) {
		if (v < 0)
			buf_putc(b, '-');
		put_u64(b, (uint64_t)fabs(v));
	} else {
		put_shortest(b, v);
	}
}

/* k1="v1",k2="v2" of labels (key, value pairs ending in NULL), escaped */
static void put_labels(struct buf *b, const char *const *labels)
{
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, labels[i]);
		buf_puts(b, "=\"");
		escape(b, labels[i + 1], 1);
		buf_putc(b, '"');
	}
}

/* name+suffix{labels[,extra]} value: labels already written out */
static void put_line(struct buf *b, const char *name, const char *suffix,
    const struct buf *labels, const char *extra, double value)
{
	buf_puts(b, name);
	buf_puts(b, suffix);
	if (labels->len || extra) {
		buf_putc(b, '{');
		buf_append(b, labels->data, labels->len);
		if (extra) {
			if (labels->len)
				buf_putc(b, ',');
			buf_puts(b, extra);
		}
		buf_putc(b, '}');
	}
	buf_putc(b, ' ');
	put_value(b, value);
	buf_putc(b, '\n');
}

void prom_sample(struct buf *b, const char *name, const char *const *labels, double value)
{
	buf_puts(b, name);
	if (labels && labels[0]) {
		buf_putc(b, '{');
		put_labels(b, labels);
		buf_putc(b, '}');
	}
	buf_putc(b, ' ');
	put_value(b, value);
	buf_putc(b, '\n');
}

void prom_histogram(struct buf *b, const char *name, const char *const *labels,
    const char *const *le, const uint64_t *counts, size_t n, double sum)
{
	uint64_t total = 0;
	struct buf l;
	char bound[48];

	buf_init(&l);
	put_labels(&l, labels);
	for (size_t i = 0; i <= n; i++) {
		total += counts[i];
		snprintf(bound, sizeof(bound), "le=\"%.32s\"", i < n ? le[i] : "+Inf");
		put_line(b, name, "_bucket", &l, bound, (double)total);
	}
	put_line(b, name, "_sum", &l, NULL, sum);
	put_line(b, name, "_count", &l, NULL, (double)total);
	buf_free(&l);
}
