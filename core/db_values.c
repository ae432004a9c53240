/*
 * db_values.c - see db.h: the values that travel to and from libpq
 * without a connection: array literals built for a parameter, a result's
 * columns read by name, numbers as text parameters.
 */
#include "db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void arr_sep(struct buf *b)
{
	if (b->len > 1)
		buf_putc(b, ',');
}

void db_arr_begin(struct buf *b)
{
	buf_reset(b);
	buf_putc(b, '{');
}

void db_arr_str(struct buf *b, const char *s)
{
	arr_sep(b);
	if (s == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void db_arr_i64(struct buf *b, int64_t v)
{
	arr_sep(b);
	buf_printf(b, "%" PRId64, v);
}

void db_arr_f64(struct buf *b, double v)
{
	arr_sep(b);
	buf_printf(b, "%.17g", v);
}

void db_arr_bool(struct buf *b, int v)
{
	arr_sep(b);
	buf_puts(b, v ? "t" : "f");
}

void db_arr_null(struct buf *b)
{
	arr_sep(b);
	buf_puts(b, "NULL");
}

const char *db_arr_end(struct buf *b)
{
	buf_putc(b, '}');
	return b->data;
}

int db_col(const PGresult *r, const char *col)
{
	int c = PQfnumber(r, col);
	if (c < 0) {
		log_err("no column %s in result", col);
		abort();
	}
	return c;
}

const char *db_str(const PGresult *r, int row, const char *col)
{
	int c = db_col(r, col);
	return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

int db_isnull(const PGresult *r, int row, const char *col)
{
	return PQgetisnull(r, row, db_col(r, col));
}

int64_t db_i64(const PGresult *r, int row, const char *col)
{
	const char *s = db_str(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

double db_f64(const PGresult *r, int row, const char *col)
{
	const char *s = db_str(r, row, col);
	return s ? strtod(s, NULL) : 0.0;
}

int db_bool(const PGresult *r, int row, const char *col)
{
	const char *s = db_str(r, row, col);
	return s && s[0] == 't';
}

const char *db_i64_param(int64_t v, char buf[24])
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

const char *db_f64_param(double v, char buf[32])
{
	snprintf(buf, 32, "%.17g", v);
	return buf;
}
