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

static void put_value(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, "%.0f", v);
	else
		put_shortest(b, v);
}

/* name{labels[,le="..."]} with the optional extra label le */
static void put_series(struct buf *b, const char *name, const char *suffix,
    const char *const *labels, const char *le)
{
	int first = 1;

	buf_puts(b, name);
	buf_puts(b, suffix);
	if ((labels == NULL || labels[0] == NULL) && le == NULL)
		return;
	buf_putc(b, '{');
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		buf_printf(b, "%s%s=\"", first ? "" : ",", labels[i]);
		prom_escape(b, labels[i + 1]);
		buf_putc(b, '"');
		first = 0;
	}
	if (le)
		buf_printf(b, "%sle=\"%s\"", first ? "" : ",", le);
	buf_putc(b, '}');
}

void prom_sample(struct buf *b, const char *name, const char *const *labels, double value)
{
	put_series(b, name, "", labels, NULL);
	buf_putc(b, ' ');
	put_value(b, value);
	buf_putc(b, '\n');
}

void prom_histogram(struct buf *b, const char *name, const char *const *labels,
    const double *bounds, const uint64_t *counts, size_t n, double sum)
{
	uint64_t total = 0;
	char le[32];

	for (size_t i = 0; i <= n; i++) {
		total += counts[i];
		if (i < n)
			snprintf(le, sizeof(le), "%g", bounds[i]);
		else
			strcpy(le, "+Inf");
		put_series(b, name, "_bucket", labels, le);
		buf_printf(b, " %llu\n", (unsigned long long)total);
	}
	put_series(b, name, "_sum", labels, NULL);
	buf_putc(b, ' ');
	put_value(b, sum);
	buf_putc(b, '\n');
	put_series(b, name, "_count", labels, NULL);
	buf_printf(b, " %llu\n", (unsigned long long)total);
}
