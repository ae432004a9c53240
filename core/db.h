/*
 * db.h - PostgreSQL access through libpq. Every statement is a static
 * struct db_stmt with $n parameters; db_exec() prepares it once per
 * connection (the first 512 statements a connection runs; any further
 * one is parsed each time, so nothing grows without bound and nothing
 * aborts) and runs it with text parameters. User data never enters SQL
 * text. One struct db per thread: libpq connections are not shared.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

struct db_stmt {
	const char *sql;
	int ntypes;          /* parameter types given at prepare (optional): */
	const Oid *types;    /* needed when a parameter is not used in sql */
};

/* Declares a statement next to the code that runs it. */
#define DB_STMT(var, text) static const struct db_stmt var = {.sql = text}

struct db;

/*
 * Connects with cfg->database_url (or libpq's PG* variables), sets
 * search_path, the session time zone (UTC) and the statement timeout.
 * Returns NULL after logging why.
 */
struct db *db_open(const struct config *cfg);
/*
 * Like db_open() but never fails: the connection is made on first use and
 * remade after the server comes back (a refused attempt is tried again at
 * the next use; one that hung until the connect timeout, not for a second).
 */
struct db *db_new(const struct config *cfg);
/* The same for a read replica at replica_url (NULL: cfg->database_url). */
struct db *db_new_at(const struct config *cfg, const char *replica_url);
void db_close(struct db *db);
PGconn *db_conn(struct db *db);

/*
 * Makes sure the connection is usable, reconnecting once if it broke.
 * Returns 0, or -1 when the database cannot be reached now.
 */
int db_ensure(struct db *db);

/*
 * Runs st with n text parameters (NULL pointer = SQL NULL). Returns the
 * result (caller PQclear()s it), or NULL after logging the error; then
 * db_sqlstate() gives the SQLSTATE and db_lost() says if the connection
 * broke. Outside a transaction a broken connection is retried once.
 */
PGresult *db_exec(struct db *db, const struct db_stmt *st, int n,
    const char *const *params);
#define DB_PARAMS(...) ((const char *const[]){__VA_ARGS__})
#define DB_NPARAMS(...) ((int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))
#define DB_EXEC(db, st, ...) db_exec(db, st, DB_NPARAMS(__VA_ARGS__), DB_PARAMS(__VA_ARGS__))
#define DB_EXEC0(db, st) db_exec(db, st, 0, NULL)
/* Runs st (no parameters), which returns one row of one bigint: *out. 0, or
 * -1 (a database error, logged; or not one non-null value). */
int db_one_i64(struct db *db, const struct db_stmt *st, int64_t *out);

/* Runs a statement whose result only has a status; returns 0 or -1. */
int db_run(struct db *db, const struct db_stmt *st, int n, const char *const *params);
#define DB_RUN(db, st, ...) db_run(db, st, DB_NPARAMS(__VA_ARGS__), DB_PARAMS(__VA_ARGS__))

/*
 * In a transaction: st, whose result is only its status, is sent with the
 * transaction's next statement or its COMMIT, in one round trip; its
 * failure is that call's. Outside one: db_run(). 0 or -1.
 */
int db_defer(struct db *db, const struct db_stmt *st, int n, const char *const *params);
#define DB_DEFER(db, st, ...) db_defer(db, st, DB_NPARAMS(__VA_ARGS__), DB_PARAMS(__VA_ARGS__))

/* Runs trusted SQL text with no parameters (migrations, LISTEN). 0 or -1. */
int db_script(struct db *db, const char *sql);

/*
 * Opens a transaction (in one already open: nothing). BEGIN is sent with
 * its first statement, in one round trip; a transaction that runs nothing
 * sends nothing. -1 only when the database cannot be reached now.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
/* Rolls back if a transaction is open; safe to call on any path. */
void db_rollback(struct db *db);
/* Runs fn(db) once the open transaction has committed (at once when none
 * is open); a rollback or a failed commit forgets it. One at a time. */
void db_after_commit(struct db *db, void (*fn)(struct db *));
int db_in_tx(const struct db *db);

/* SQLSTATE of the last failed statement ("" if none). */
const char *db_sqlstate(const struct db *db);
int db_lost(const struct db *db);
/*
 * Every wait on the server (connecting, each statement's answer) ends at
 * at_us (time_mono_us), 0 for none: past it the connection is dropped and
 * the statement fails, unavailable (57014). A request's bound, so a
 * server cut off never holds an answer longer; jobs keep none.
 */
void db_set_deadline(struct db *db, int64_t at_us);
int64_t db_deadline(const struct db *db);
/*
 * Whether the last failure says the database cannot serve now rather
 * than that the request was wrong: the connection lost, a lock not had
 * within lock_timeout, a statement cancelled at statement_timeout, the
 * session ended idle in a transaction, the server read-only (a replica,
 * or a primary being demoted), shutting down or full of connections.
 * Worth a 503 and a retry, never a 500.
 */
int db_unavailable_now(const struct db *db);
/* Whether the last failure was a wait cut at lock_timeout or statement_timeout: slow, not down. */
int db_timed_out(const struct db *db);
/*
 * Counts the connections made so far (0 before the first): a caller that
 * keeps per-connection state (LISTEN, an adopted socket) compares it to
 * notice that db_exec() reconnected under it.
 */
uint64_t db_generation(const struct db *db);

/* Column readers by name (PQfnumber); a missing column aborts: a bug. */
int db_col(const PGresult *r, const char *col);
const char *db_str(const PGresult *r, int row, const char *col); /* NULL if NULL */
int db_isnull(const PGresult *r, int row, const char *col);
int64_t db_i64(const PGresult *r, int row, const char *col);
double db_f64(const PGresult *r, int row, const char *col);
int db_bool(const PGresult *r, int row, const char *col);

/* Formats numbers as parameters: into caller-provided buffers. */
const char *db_i64_param(int64_t v, char buf[24]);
const char *db_f64_param(double v, char buf[32]);

/*
 * Runs SQL text that is not a static statement (KPI queries loaded from the
 * catalogue) with typed parameters. Returns the result or NULL (logged).
 */
PGresult *db_exec_text(struct db *db, const char *sql, int n, const Oid *types,
    const char *const *params);

/*
 * PostgreSQL array literals for passing many values as one parameter
 * ("{1,2,3}", "{\"a\",NULL}"): begin, add items, end.
 */
void db_arr_begin(struct buf *b);
void db_arr_str(struct buf *b, const char *s); /* NULL = SQL NULL */
void db_arr_i64(struct buf *b, int64_t v);
void db_arr_f64(struct buf *b, double v);
void db_arr_bool(struct buf *b, int v);
void db_arr_null(struct buf *b);
const char *db_arr_end(struct buf *b);

#define DB_OID_BOOL 16
#define DB_OID_INT8 20
#define DB_OID_INT4 23
#define DB_OID_TEXT 25
#define DB_OID_FLOAT8 701
#define DB_OID_TIMESTAMPTZ 1184

/* SQLSTATE classes a handler maps to statuses. */
#define DB_UNIQUE_VIOLATION "23505"
#define DB_FOREIGN_KEY_VIOLATION "23503"
#define DB_CHECK_VIOLATION "23514"
#define DB_SERIALIZATION_FAILURE "40001"
#define DB_DEADLOCK "40P01"

#endif
