/*
 * test_db.c - core/db.c against the stack's PostgreSQL: one connection
 * running more distinct statements than its prepared-statement table
 * holds answers every one (no abort), and keeps the server's plans
 * bounded; every connection bounds its lock waits and idle transactions
 * and asks TCP to notice a silent server; goldwatch-api answers a lock
 * held too long with a 503 to retry, in the lock timeout, not a 500.
 * A transaction's BEGIN travels with its first statement and its
 * deferred statements with the next one or the COMMIT: what commits is
 * exactly what ran, a deferred failure fails the commit and leaves
 * nothing, and a transaction nothing of which was sent yet survives a
 * dropped connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "engine.h"
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

/* A connection of the test's own holding table's strongest lock, in a transaction. */
static PGconn *hold_lock(const char *table)
{
	PGconn *c = PQconnectdb(test_env("DATABASE_URL"));
	char sql[160];
	PGresult *r;

	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
	r = PQexec(c, sql);
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	return c;
}

static void release_lock(PGconn *c)
{
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
}

static const char *conninfo_value(PGconn *c, const char *key, char *out, size_t len)
{
	PQconninfoOption *opts = PQconninfo(c);

	snprintf(out, len, "(unset)");
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val)
			snprintf(out, len, "%s", o->val);
	PQconninfoFree(opts);
	return out;
}

static const char *setting(struct db *db, const char *name, char *out, size_t len)
{
	const char *params[1] = {name};
	PGresult *r = db_exec_text(db, "SELECT current_setting($1) AS v", 1, NULL, params);

	snprintf(out, len, "%s", r ? db_str(r, 0, "v") : "(error)");
	PQclear(r);
	return out;
}

static struct db *bounded_db(void)
{
	struct config cfg = {0};

	cfg.database_url = (char *)test_env("DATABASE_URL");
	cfg.db_timeout_s = 5;
	cfg.statement_ms = 30000;
	cfg.lock_ms = 700;
	cfg.idle_tx_ms = 800;
	cfg.tcp_ms = 4000;
	return db_open(&cfg);
}

static void t_session_bounds(void)
{
	struct db *db = bounded_db();
	char v[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_STRING_EQUAL(setting(db, "lock_timeout", v, sizeof(v)), "700ms");
	CU_ASSERT_STRING_EQUAL(setting(db, "idle_in_transaction_session_timeout", v, sizeof(v)),
	    "800ms");
	CU_ASSERT_STRING_EQUAL(setting(db, "statement_timeout", v, sizeof(v)), "30s");
	/* what libpq was asked for (it applies them to TCP connections) */
	CU_ASSERT_STRING_EQUAL(conninfo_value(db_conn(db), "keepalives", v, sizeof(v)), "1");
	CU_ASSERT_STRING_EQUAL(conninfo_value(db_conn(db), "keepalives_idle", v, sizeof(v)), "5");
	CU_ASSERT_STRING_EQUAL(conninfo_value(db_conn(db), "keepalives_count", v, sizeof(v)), "3");
	CU_ASSERT_STRING_EQUAL(conninfo_value(db_conn(db), "tcp_user_timeout", v, sizeof(v)),
	    "4000");
	db_close(db);
}

static void t_lock_wait_bounded(void)
{
	struct db *db = bounded_db();
	PGconn *holder;
	PGresult *r;
	int64_t t0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	test_exec("CREATE TABLE IF NOT EXISTS test_lock_probe (x int)", 0, NULL);
	holder = hold_lock("test_lock_probe");
	t0 = time_mono_us();
	r = db_exec_text(db, "SELECT count(*) FROM test_lock_probe", 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(r);
	PQclear(r);
	CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "55P03");
	CU_ASSERT_TRUE(db_unavailable_now(db));
	/* 0.7 s of waiting, not the 30 s of the statement timeout */
	CU_ASSERT_TRUE(time_mono_us() - t0 < 3000000);
	release_lock(holder);
	r = db_exec_text(db, "SELECT count(*) FROM test_lock_probe", 0, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
	CU_ASSERT_FALSE(db_unavailable_now(db));
	db_close(db);
}

static void t_idle_transaction_ended(void)
{
	struct db *db = bounded_db();
	PGresult *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	/* BEGIN goes with the transaction's first statement */
	r = db_exec_text(db, "SELECT 1 AS v", 0, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	PQclear(r);
	/* a process stopped mid-transaction (or cut off): the server ends it */
	test_sleep_ms(1500);
	r = db_exec_text(db, "SELECT 1 AS v", 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(r);
	PQclear(r);
	CU_ASSERT_TRUE(db_unavailable_now(db));
	db_rollback(db);
	/* and the next use connects again */
	CU_ASSERT_EQUAL(db_ensure(db), 0);
	r = db_exec_text(db, "SELECT 1 AS v", 0, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
	db_close(db);
}

DB_STMT(q_defer_put, "INSERT INTO test_defer (k, n) VALUES ($1, $2::int)");
DB_STMT(q_defer_count, "SELECT count(*) AS n FROM test_defer WHERE k LIKE $1");

static struct db *defer_db(void)
{
	test_exec("CREATE TABLE IF NOT EXISTS test_defer (k text PRIMARY KEY, n int NOT NULL)",
	    0, NULL);
	test_exec("DELETE FROM test_defer", 0, NULL);
	return bounded_db();
}

static long long defer_count(struct db *db, const char *like)
{
	PGresult *r = DB_EXEC(db, &q_defer_count, like);
	long long n = r ? db_i64(r, 0, "n") : -1;

	PQclear(r);
	return n;
}

static void t_deferred_commit(void)
{
	struct db *db = defer_db();
	char k[16], n[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "a1", "1"), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "a2", "2"), 0);
	/* the transaction's next statement sees them: they ran before it */
	CU_ASSERT_EQUAL(defer_count(db, "a%"), 2);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer"), 0);
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k LIKE 'a%'"), 2);
	/* more than wait for one round trip: every one, once */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(k, sizeof(k), "b%d", i);
		snprintf(n, sizeof(n), "%d", i);
		CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, k, n), 0);
	}
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k LIKE 'b%'"), 20);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT sum(n) FROM test_defer WHERE k LIKE 'b%'"), 190);
	/* a rollback sends none of them */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "c1", "1"), 0);
	db_rollback(db);
	CU_ASSERT_EQUAL(defer_count(db, "c%"), 0);
	/* outside a transaction it runs at once */
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "d1", "1"), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k = 'd1'"), 1);
	db_close(db);
}

static void t_deferred_failure(void)
{
	struct db *db = defer_db();
	PGresult *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	/* a deferred statement fails: the commit fails, nothing of it stays */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	r = DB_EXEC(db, &q_defer_put, "e1", "1");
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "e1", "2"), 0);
	CU_ASSERT_EQUAL(db_commit(db), -1);
	CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "23505");
	CU_ASSERT_FALSE(db_in_tx(db));
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k = 'e1'"), 0);
	/* the same when all of the transaction was deferred */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "e2", "1"), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "e3", NULL), 0);
	CU_ASSERT_EQUAL(db_commit(db), -1);
	CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "23502");
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k LIKE 'e%'"), 0);
	/* a failing first statement, then a rollback: the connection goes on */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_PTR_NULL(db_exec_text(db, "SELECT no_such_column FROM test_defer", 0, NULL, NULL));
	db_rollback(db);
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	r = DB_EXEC(db, &q_defer_put, "e4", "4");
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k = 'e4'"), 1);
	/* a transaction of nothing commits, and costs nothing */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(defer_count(db, "e%"), 1);
	db_close(db);
}

static void t_fresh_transaction_reconnects(void)
{
	struct db *db = defer_db();
	PGresult *r;
	char pid[24];

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	r = db_exec_text(db, "SELECT pg_backend_pid() AS p", 0, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	snprintf(pid, sizeof(pid), "%s", db_str(r, 0, "p"));
	PQclear(r);
	/* the server drops the connection between two transactions */
	CU_ASSERT_EQUAL(SQL_INT("SELECT pg_terminate_backend($1::int)::int", pid), 1);
	test_sleep_ms(200);
	/* nothing of the new transaction had been sent: it goes on a new connection */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), 0);
	CU_ASSERT_EQUAL(DB_DEFER(db, &q_defer_put, "f1", "1"), 0);
	CU_ASSERT_EQUAL(defer_count(db, "f%"), 1);
	CU_ASSERT_EQUAL(db_commit(db), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM test_defer WHERE k = 'f1'"), 1);
	db_close(db);
}

static void t_read_only_is_unavailable(void)
{
	struct db *db = bounded_db();
	PGresult *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	test_exec("CREATE TABLE IF NOT EXISTS test_lock_probe (x int)", 0, NULL);
	/* as a streaming replica (or a demoted primary) answers every write */
	r = db_exec_text(db, "SET default_transaction_read_only = on", 0, NULL, NULL);
	PQclear(r);
	r = db_exec_text(db, "INSERT INTO test_lock_probe VALUES (1)", 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(r);
	PQclear(r);
	CU_ASSERT_STRING_EQUAL(db_sqlstate(db), "25006");
	CU_ASSERT_TRUE(db_unavailable_now(db));
	/* a wrong request is not "unavailable": it is the caller's */
	r = db_exec_text(db, "SELECT 1 / 0", 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(r);
	PQclear(r);
	CU_ASSERT_FALSE(db_unavailable_now(db));
	db_close(db);
}

static void t_api_lock_is_503(void)
{
	PGconn *holder;
	int64_t t0;
	struct http_resp r;
	char *retry;

	make_push_kpi("db_lock_value", 0);
	holder = hold_lock("alert_rules");
	t0 = time_mono_us();
	r = api("POST", "/api/alerts/rules", fixture_users()->admin,
	    "{\"name\":\"db-lock rule\",\"kpi\":\"db_lock_value\",\"condition\":\"gt\",\"threshold\":1,"
	    "\"severity\":\"info\",\"recipients\":[\"owner@shop.example\"]}");
	retry = http_header(&r, "Retry-After");

	/* goldwatch-api's lock_timeout (GOLDWATCH_LOCK_TIMEOUT_MS, 5 s) */
	EXPECT_ERROR(r, 503, "database_unavailable");
	CU_ASSERT_PTR_NOT_NULL(retry);
	CU_ASSERT_TRUE(time_mono_us() - t0 < 9000000);
	free(retry);
	http_free(&r);
	release_lock(holder);
	/* nothing was made, and the same request goes through now */
	CU_ASSERT_EQUAL(test_sql_int("SELECT count(*) FROM alert_rules WHERE name = 'db-lock rule'",
	    0, NULL), 0);
	r = api("POST", "/api/alerts/rules", fixture_users()->admin,
	    "{\"name\":\"db-lock rule\",\"kpi\":\"db_lock_value\",\"condition\":\"gt\",\"threshold\":1,"
	    "\"severity\":\"info\",\"recipients\":[\"owner@shop.example\"]}");
	EXPECT_STATUS(r, 201);
	http_free(&r);
}

/* goldwatch-api's sessions waiting on a lock now (the stack's other
 * processes may wait on the held table too: the mailer's system checks). */
static long long lock_waiters(void)
{
	return test_sql_int("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
	    " AND application_name = 'goldwatch-api'", 0, NULL);
}

/*
 * A request's deadline passes while its query waits on a lock (no
 * lock_timeout here): the answer is the 503 at the deadline, and the
 * query is cancelled in the server then, not left waiting for the lock.
 */
static void t_api_deadline_cancels(void)
{
	static const char env[] = "GOLDWATCH_REQUEST_DEADLINE_MS=1500 GOLDWATCH_LOCK_TIMEOUT_MS=0";
	PGconn *holder;
	int64_t t0;
	long long waiting = -1;
	struct http_resp r;

	make_push_kpi("db_deadline_value", 0);
	CU_ASSERT_EQUAL_FATAL(test_stack_env(env, "api-stop") || test_stack_env(env, "api-start"), 0);
	holder = hold_lock("alert_rules");
	t0 = time_mono_us();
	r = api("POST", "/api/alerts/rules", fixture_users()->admin,
	    "{\"name\":\"db-deadline rule\",\"kpi\":\"db_deadline_value\",\"condition\":\"gt\","
	    "\"threshold\":1,\"severity\":\"info\",\"recipients\":[\"owner@shop.example\"]}");
	EXPECT_ERROR(r, 503, "database_unavailable");
	CU_ASSERT_TRUE(time_mono_us() - t0 < 6000000);
	http_free(&r);
	/* the lock is still held: only a cancel ends the server's wait */
	for (int i = 0; i < 30 && waiting != 0; i++) {
		waiting = lock_waiters();
		if (waiting != 0)
			test_sleep_ms(100);
	}
	CU_ASSERT_EQUAL(waiting, 0);
	release_lock(holder);
	CU_ASSERT_EQUAL(test_sql_int("SELECT count(*) FROM alert_rules WHERE name = 'db-deadline rule'",
	    0, NULL), 0);
	CU_ASSERT_EQUAL(test_stack("api-stop") || test_stack("api-start"), 0);
}

void suite_db(void)
{
	static const struct test_case cases[] = {
		{"more statements than the prepared table holds: each answered",
		    t_more_statements_than_the_table},
		{"every session bounds its lock waits and idle transactions; TCP keepalives",
		    t_session_bounds},
		{"a read-only server is unavailable, a bad statement is not", t_read_only_is_unavailable},
		{"deferred statements go with the next one or COMMIT: all, once, in order",
		    t_deferred_commit},
		{"a deferred statement that fails fails the commit and leaves nothing",
		    t_deferred_failure},
		{"a transaction nothing of which was sent survives a dropped connection",
		    t_fresh_transaction_reconnects},
		{"a lock held elsewhere fails the wait in lock_timeout, to retry", t_lock_wait_bounded},
		{"a transaction left idle is ended by the server; the next use reconnects",
		    t_idle_transaction_ended},
		{"goldwatch-api: a lock held too long is a 503 with Retry-After, not a 500",
		    t_api_lock_is_503},
		{"goldwatch-api: at the deadline the waiting query is cancelled in the server",
		    t_api_deadline_cancels},
		{NULL, NULL},
	};
	static const struct test_case clock_safe[] = {
		{"more statements than the prepared table holds: each answered",
		    t_more_statements_than_the_table},
		{"every session bounds its lock waits and idle transactions; TCP keepalives",
		    t_session_bounds},
		{"a read-only server is unavailable, a bad statement is not", t_read_only_is_unavailable},
		{"deferred statements go with the next one or COMMIT: all, once, in order",
		    t_deferred_commit},
		{"a deferred statement that fails fails the commit and leaves nothing",
		    t_deferred_failure},
		{"a transaction nothing of which was sent survives a dropped connection",
		    t_fresh_transaction_reconnects},
		{NULL, NULL},
	};

	/*
	 * Under libfaketime (tests/clock.sh) PostgreSQL's own timers do not
	 * fire: a lock_timeout never ends the wait. The cases that wait for
	 * one run in the variants on the real clock (normal, san) only.
	 */
	test_add_suite("db", NULL, NULL, getenv("FAKETIME") ? clock_safe : cases);
}
