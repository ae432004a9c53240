/*
 * test_db.c - core/db.c against the stack's PostgreSQL: one connection
 * running more distinct statements than its prepared-statement table
 * holds answers every one (no abort), and keeps the server's plans bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

#define MANY_STMTS 1500

static void t_more_statements_than_the_table(void)
{
	struct config cfg = {0};
	struct db_stmt *st = xcalloc(MANY_STMTS, sizeof(*st));
	char **sql = xcalloc(MANY_STMTS, sizeof(*sql));
	struct db *db;
	int wrong = 0;

	cfg.database_url = (char *)test_env("DATABASE_URL");
	cfg.db_timeout_s = 5;
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < MANY_STMTS; i++) {
			char k[24];
			PGresult *r;

			if (sql[i] == NULL) {
				sql[i] = xasprintf("SELECT $1::int + %d AS v", i);
				st[i].sql = sql[i];
			}
			snprintf(k, sizeof(k), "%d", round);
			r = DB_EXEC(db, &st[i], k);
			if (r == NULL || db_i64(r, 0, "v") != i + round)
				wrong++;
			PQclear(r);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	/* what the server holds for this connection stays bounded */
	{
		PGresult *r = db_exec_text(db, "SELECT count(*) AS n FROM pg_prepared_statements",
		    0, NULL, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_TRUE(db_i64(r, 0, "n") <= 512);
		PQclear(r);
	}
	db_close(db);
	for (int i = 0; i < MANY_STMTS; i++)
		free(sql[i]);
	free(sql);
	free(st);
}

void suite_db(void)
{
	static const struct test_case cases[] = {
		{"more statements than the prepared table holds: each answered",
		    t_more_statements_than_the_table},
		{NULL, NULL},
	};
	test_add_suite("db", NULL, NULL, cases);
}
