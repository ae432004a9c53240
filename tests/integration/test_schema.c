/*
 * test_schema.c - the field tables (core/valid.h) against the schema they
 * write to: for each table below, every field's column exists, its bounds
 * equal the column's CHECK (BETWEEN, >=, <=, length()), its default equals
 * the column's DEFAULT, and every value a CHECK (... IN (...)) allows
 * passes the field's check. Read from pg_constraint and
 * information_schema on the stack's database, so a migration that moves a
 * bound or a default without the table (or the other way) fails here.
 *
 * A resource joins with one line in tables[]. The two sides agree
 * exactly: where they once did not, a migration moved the schema (0009).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "integration.h"
#include "kpi_store.h"
#include "rule_store.h"
#include "silence_store.h"
#include "testlib.h"
#include "user_store.h"
#include "util.h"
#include "valid.h"

static const struct schema_table {
	const char *table;
	const struct vfield *fields;
	const size_t *n;
} tables[] = {
	{"alert_rules", rule_fields, &rule_nfields},
	{"silences", silence_fields, &silence_nfields},
	{"users", user_fields, &user_nfields},
	{"kpis", kpi_fields, &kpi_nfields},
};


struct schema {
	struct db *db;
	PGresult *checks;   /* pg_get_constraintdef of the table's CHECKs */
	PGresult *columns;  /* column_name, column_default */
	const char *table;
	int failures;
	int compared;       /* bounds, defaults and values found on both sides */
};

static const char *column_of(const struct vfield *f)
{
	return f->column ? f->column : f->name;
}

/* The column's row in s->columns, or -1. */
static int column_row(const struct schema *s, const char *column)
{
	for (int i = 0; i < PQntuples(s->columns); i++)
		if (strcmp(db_str(s->columns, i, "column_name"), column) == 0)
			return i;
	return -1;
}

/*
 * The bound a CHECK sets on expr ("cooldown_minutes", "length(name)"):
 * PostgreSQL writes BETWEEN as (expr >= a) AND (expr <= b). 1 if found.
 */
static int check_bound(const struct schema *s, const char *expr, const char *op, int64_t *out)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "(%s %s ", expr, op);
	for (int i = 0; i < PQntuples(s->checks); i++) {
		const char *def = db_str(s->checks, i, "def"), *p = strstr(def, needle);
		long long v;

		if (p && sscanf(p + strlen(needle), "%lld", &v) == 1) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

static void fail(struct schema *s, const char *column, const char *what, long long table,
    long long schema)
{
	fprintf(stderr, "\n    %s.%s: %s: the field table says %lld, the schema %lld",
	    s->table, column, what, table, schema);
	s->failures++;
}

static void compare_bounds(struct schema *s, const struct vfield *f)
{
	const char *column = column_of(f);
	char expr[96];
	int64_t lo, hi;

	if (f->type == V_INT)
		snprintf(expr, sizeof(expr), "%s", column);
	else if (f->type == V_STRING && f->max > 0)
		snprintf(expr, sizeof(expr), "length(%s)", column);
	else
		return;
	if (check_bound(s, expr, ">=", &lo)) {
		s->compared++;
		if (lo != f->min)
			fail(s, column, "minimum", (long long)f->min, (long long)lo);
	}
	if (check_bound(s, expr, "<=", &hi)) {
		s->compared++;
		if (hi != f->max)
			fail(s, column, "maximum", (long long)f->max, (long long)hi);
	}
}

/* The column DEFAULT the field's default reads as, or NULL if the field has none. */
static const char *default_text(const struct vfield *f, char *buf, size_t len)
{
	if (f->flags & V_REQUIRED)
		return NULL;
	switch (f->type) {
	case V_INT:
		if (f->flags & V_NULLABLE)
			return NULL;
		snprintf(buf, len, "%lld", (long long)f->def);
		return buf;
	case V_BOOL:
		return f->def ? "true" : "false";
	case V_STRING:
		if (f->sdef == NULL)
			return NULL;
		snprintf(buf, len, "'%s'::text", f->sdef);
		return buf;
	case V_STRINGS:
		return "'{}'::text[]";
	default:
		return NULL;
	}
}

static void compare_default(struct schema *s, const struct vfield *f, int row)
{
	char buf[128];
	const char *want = default_text(f, buf, sizeof(buf));
	const char *have = db_str(s->columns, row, "column_default");

	if (want == NULL)
		return;
	s->compared++;
	if (have == NULL || strcmp(want, have) != 0) {
		fprintf(stderr, "\n    %s.%s: default: the field table says %s, the schema %s",
		    s->table, column_of(f), want, have ? have : "none");
		s->failures++;
	}
}

/* Every value of a CHECK (column = ANY (ARRAY['a'::text, ...])) passes the field's check. */
static void compare_values(struct schema *s, const struct vfield *f)
{
	char needle[96];

	if (f->type != V_STRING || f->check == NULL)
		return;
	snprintf(needle, sizeof(needle), "(%s = ANY (ARRAY[", column_of(f));
	for (int i = 0; i < PQntuples(s->checks); i++) {
		const char *p = strstr(db_str(s->checks, i, "def"), needle), *end;
		if (p == NULL)
			continue;
		end = strstr(p, "])");
		/* 'gt'::text, 'gte'::text, ... */
		for (p = strchr(p, '\''); p && end && p < end; p = strchr(p, '\'')) {
			const char *q = strchr(p + 1, '\'');
			char *v;

			if (q == NULL)
				break;
			v = xstrndup(p + 1, (size_t)(q - p - 1));
			s->compared++;
			if (!f->check(v)) {
				fprintf(stderr, "\n    %s.%s: the schema allows '%s', the field's check refuses it",
				    s->table, column_of(f), v);
				s->failures++;
			}
			free(v);
			p = q + 1;
		}
	}
}

static void compare_fields(struct schema *s, const struct vfield *f, size_t n, int nested)
{
	for (size_t i = 0; i < n; i++) {
		int row;

		if (*column_of(&f[i]) == '\0')
			continue;   /* not stored as a column (a password, a duration) */
		if (f[i].type == V_OBJECT) {
			/* a nullable object's fields are columns of their own, defaults apart */
			compare_fields(s, f[i].sub, f[i].nsub, 1);
			continue;
		}
		if ((row = column_row(s, column_of(&f[i]))) < 0) {
			fprintf(stderr, "\n    %s: no column %s", s->table, column_of(&f[i]));
			s->failures++;
			continue;
		}
		compare_bounds(s, &f[i]);
		compare_values(s, &f[i]);
		if (!nested)
			compare_default(s, &f[i], row);
	}
}

static struct db *open_db(void)
{
	struct config cfg = {0};

	cfg.database_url = (char *)test_env("DATABASE_URL");
	cfg.db_timeout_s = 5;
	return db_open(&cfg);
}

static void t_tables_agree_with_schema(void)
{
	static const char checks_sql[] =
	    "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint"
	    " WHERE conrelid = $1::regclass AND contype = 'c'";
	static const char columns_sql[] =
	    "SELECT column_name::text, column_default::text FROM information_schema.columns"
	    " WHERE table_schema = current_schema() AND table_name = $1";
	struct schema s = {.db = open_db()};

	CU_ASSERT_PTR_NOT_NULL_FATAL(s.db);
	for (size_t t = 0; t < GW_ARRAY_LEN(tables); t++) {
		const char *param[1] = {tables[t].table};

		s.table = tables[t].table;
		s.compared = 0;
		s.checks = db_exec_text(s.db, checks_sql, 1, NULL, param);
		s.columns = db_exec_text(s.db, columns_sql, 1, NULL, param);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s.checks);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s.columns);
		/* the schema is there to compare with */
		CU_ASSERT_TRUE(PQntuples(s.columns) > 0);
		compare_fields(&s, tables[t].fields, *tables[t].n, 0);
		/* each table has CHECKs or DEFAULTs to compare: none found is a broken reader */
		if (s.compared == 0)
			fprintf(stderr, "\n    %s: nothing compared", s.table);
		CU_ASSERT_TRUE(s.compared > 0);
		PQclear(s.checks);
		PQclear(s.columns);
	}
	CU_ASSERT_EQUAL(s.failures, 0);
	db_close(s.db);
}

void suite_schema(void)
{
	static const struct test_case cases[] = {
		{"field tables: bounds, defaults and values agree with the schema's CHECKs",
		    t_tables_agree_with_schema},
		{NULL, NULL},
	};
	test_add_suite("schema", NULL, NULL, cases);
}
