/*
 * db.c - see db.h. Prepared statements are tracked per connection in a
 * small open-addressing table keyed by the address of the static
 * struct db_stmt, so a statement is parsed and planned once per connection.
 * The table is never more than half full: statements past PREP_MAX run as
 * the unnamed statement (parsed each time), so neither this process nor
 * the server holds more than PREP_MAX plans per connection, whatever runs.
 * A transaction's BEGIN, and the statements deferred in it, wait for its
 * next statement (or COMMIT) and go with it in one libpq pipeline. The
 * values that need no connection (array literals, reading a result's
 * columns) are in db_values.c.
 */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define PREP_SLOTS 1024 /* power of two */
#define PREP_MAX (PREP_SLOTS / 2) /* more than the statements we have */
#define DEFER_MAX 8 /* statements waiting for the next round trip */
#define DB_RETRY_US 1000000
#define DB_SLOW_CONNECT_US 100000

/* A statement whose result is only its status, sent with the next one. */
struct deferred {
	const struct db_stmt *st;
	int n;
	char **params;   /* copies; NULL stays SQL NULL */
};

struct db {
	PGconn *conn;
	char *conninfo;
	const char *name;      /* in log lines: "the database", "the read replica" */
	int in_tx;
	int begin_pending;     /* in_tx, and BEGIN not sent yet: it goes with the next statement */
	int ndeferred;
	struct deferred deferred[DEFER_MAX];
	int lost;
	char sqlstate[6];
	char errmsg[256];
	char statement_timeout[24], lock_timeout[24], idle_tx_timeout[24];
	int nprepared;
	int full_logged;
	int64_t retry_after_us;
	int down_logged;
	uint64_t generation;
	int64_t deadline_us;   /* time_mono_us() by which waits end; 0: none */
	void (*after_commit)(struct db *);  /* once, after the open transaction commits */
	const struct db_stmt *prepared[PREP_SLOTS];
};

static void forget_prepared(struct db *db);
static void deferred_clear(struct db *db);

static const char primary_name[] = "the database";

/* Asks the server to cancel what the dropped connection was running; a
 * thread of its own, since a server cut off may not answer the request
 * either (libpq's PQcancel has no timeout), and nobody waits for it. */
static void *cancel_run(void *arg)
{
	PGcancel *c = arg;
	char err[256];

	if (!PQcancel(c, err, (int)sizeof(err)))
		log_debug("the cancel request did not go: %s", err);
	PQfreeCancel(c);
	return NULL;
}

static void cancel_behind(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);
	pthread_attr_t attr;
	pthread_t t;

	if (c == NULL)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, cancel_run, c) != 0)
		PQfreeCancel(c);
	pthread_attr_destroy(&attr);
}

/*
 * The deadline passed with the server silent (cut off, or stuck): the
 * query is cancelled and the connection dropped, so nothing waits on it
 * any longer; the server rolls back what it held (at once when it can
 * still be reached, else when it notices: its own timeouts).
 */
static void deadline_passed(struct db *db)
{
	log_warn("%s did not answer before the deadline: query cancelled,"
	    " connection dropped", db->name);
	/* a server that is only slow stops the query now, not at its end */
	cancel_behind(db->conn);
	PQfinish(db->conn);
	db->conn = NULL;
	forget_prepared(db);
	db->lost = 1;
	db->retry_after_us = time_mono_us() + DB_RETRY_US;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "57014");
	snprintf(db->errmsg, sizeof(db->errmsg), "no answer before the deadline");
}

/* Waits for the socket to be readable (POLLIN) or writable until the deadline: 1, or 0. */
static int wait_socket(struct db *db, short events)
{
	for (;;) {
		int64_t left = db->deadline_us - time_mono_us();
		struct pollfd p = {.fd = PQsocket(db->conn), .events = events};
		int n;

		if (left <= 0 || p.fd < 0)
			return 0;
		n = poll(&p, 1, (int)((left + 999) / 1000));
		if (n > 0)
			return 1;
		if (n == 0 || errno != EINTR)
			return 0;
	}
}

/*
 * Waits, no later than the deadline (when one is set), until libpq holds
 * the next result: 0, or -1 when the deadline passed (deadline_passed:
 * the connection is dropped). A broken connection is PQgetResult's to say.
 */
static int await_result(struct db *db)
{
	while (db->deadline_us && PQisBusy(db->conn)) {
		if (!wait_socket(db, POLLIN)) {
			deadline_passed(db);
			return -1;
		}
		if (!PQconsumeInput(db->conn))
			break;   /* the error is PQgetResult's */
	}
	return 0;
}

/*
 * The answer to what was just sent (sent: the PQsend* call's return), its
 * last result as PQexec gives it, waiting no later than the deadline:
 * NULL (the connection dropped, deadline_passed) when it passes.
 */
static PGresult *answer(struct db *db, int sent)
{
	PGresult *r, *last = NULL;

	if (!sent || await_result(db) < 0)
		return NULL;
	while ((r = PQgetResult(db->conn)) != NULL) {
		PQclear(last);
		last = r;
	}
	return last;
}

/* PQexec, PQexecParams, PQprepare and PQexecPrepared, within the deadline when one is set. */
static PGresult *q_exec(struct db *db, const char *sql)
{
	return db->deadline_us ? answer(db, PQsendQuery(db->conn, sql)) : PQexec(db->conn, sql);
}

static PGresult *q_params(struct db *db, const char *sql, int n, const Oid *types,
    const char *const *params)
{
	return db->deadline_us ?
	    answer(db, PQsendQueryParams(db->conn, sql, n, types, params, NULL, NULL, 0)) :
	    PQexecParams(db->conn, sql, n, types, params, NULL, NULL, 0);
}

static PGresult *q_prepare(struct db *db, const char *name, const struct db_stmt *st)
{
	return db->deadline_us ?
	    answer(db, PQsendPrepare(db->conn, name, st->sql, st->ntypes, st->types)) :
	    PQprepare(db->conn, name, st->sql, st->ntypes, st->types);
}

static PGresult *q_prepared(struct db *db, const char *name, int n, const char *const *params)
{
	return db->deadline_us ?
	    answer(db, PQsendQueryPrepared(db->conn, name, n, params, NULL, NULL, 0)) :
	    PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

void db_set_deadline(struct db *db, int64_t at_us)
{
	db->deadline_us = at_us;
}

int64_t db_deadline(const struct db *db)
{
	return db->deadline_us;
}

static int db_setup(struct db *db)
{
	PGresult *r;
	const char *params[3] = {db->statement_timeout, db->lock_timeout, db->idle_tx_timeout};

	/*
	 * Prepared statements are planned once per connection: every statement
	 * has a fixed shape (history filters each get their own), so a generic
	 * plan is right and re-planning on every execution is pure cost.
	 */
	r = q_exec(db, "SET search_path = goldwatch, public; SET TIME ZONE 'UTC';"
	    " SET plan_cache_mode = force_generic_plan");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_err("setting search_path: %s", PQerrorMessage(db->conn));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	/*
	 * A statement, a lock wait and an idle transaction are each bounded:
	 * a process cut off from the server, or stuck, never holds the rows
	 * and locks other hosts' writers wait on for longer than these.
	 */
	r = q_params(db, "SELECT set_config('statement_timeout', $1, false),"
	    " set_config('lock_timeout', $2, false),"
	    " set_config('idle_in_transaction_session_timeout', $3, false)",
	    3, NULL, params);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_err("setting the session's timeouts: %s", PQerrorMessage(db->conn));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static void forget_prepared(struct db *db)
{
	memset(db->prepared, 0, sizeof(db->prepared));
	db->nprepared = 0;
}

/* A NOTICE or WARNING the server sends ("already exists, skipping"). */
static void db_notice(void *arg, const char *message)
{
	(void)arg;
	log_info("database: %s", message);
}

/* PQconnectdb, given up at the deadline when one is set (NULL then). */
static PGconn *connect_within(struct db *db)
{
	PGconn *c;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (!db->deadline_us)
		return PQconnectdb(db->conninfo);
	c = PQconnectStart(db->conninfo);
	if (c == NULL || PQstatus(c) == CONNECTION_BAD)
		return c;
	db->conn = c;   /* wait_socket's socket */
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		if (!wait_socket(db, st == PGRES_POLLING_READING ? POLLIN : POLLOUT)) {
			PQfinish(c);
			db->conn = NULL;
			return NULL;
		}
		st = PQconnectPoll(c);
	}
	return c;
}

static int db_connect(struct db *db)
{
	int64_t now = time_mono_us();

	/*
	 * While the server is down a refused connection fails at once, so the
	 * next use simply tries again. An attempt that hung until the connect
	 * timeout (unreachable host) is not repeated for a second: requests
	 * meanwhile answer 503 at once instead of waiting each in turn.
	 */
	if (db->lost && now < db->retry_after_us)
		return -1;
	if (db->conn)
		PQfinish(db->conn);
	forget_prepared(db);
	db->in_tx = 0;
	db->begin_pending = 0;
	db->conn = NULL;
	db->conn = connect_within(db);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* once per outage; PQerrorMessage never holds the password */
		if (!db->down_logged)
			log_err("cannot connect to %s: %s", db->name, db->conn ?
			    PQerrorMessage(db->conn) : "no answer before the deadline");
		if (time_mono_us() - now > DB_SLOW_CONNECT_US)
			db->retry_after_us = time_mono_us() + DB_RETRY_US;
		db->down_logged = 1;
		db->lost = 1;
		return -1;
	}
	/* the server's notices become log lines of the process's own form */
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	if (db_setup(db) < 0) {
		db->lost = 1;
		return -1;
	}
	db->generation++;
	if (db->down_logged)
		log_info("connected to %s again", db->name);
	db->down_logged = 0;
	db->lost = 0;
	return 0;
}

/*
 * The connection's own options, sep between them: how long to connect,
 * the process's name, and TCP that notices a server gone silent (a cut
 * link, a host powered off) in seconds rather than the kernel's two
 * hours: keepalives after 5 s idle, every second, 3 unanswered end it;
 * data unacknowledged for GOLDWATCH_DB_TCP_TIMEOUT_MS ends it too. libpq
 * ignores the TCP ones on a Unix socket.
 */
static void tcp_options(struct buf *ci, const struct config *cfg, char sep)
{
	buf_printf(ci, "connect_timeout=%lld%cfallback_application_name=%s",
	    (long long)cfg->db_timeout_s, sep, log_progname());
	buf_printf(ci, "%ckeepalives=1%ckeepalives_idle=5%ckeepalives_interval=1"
	    "%ckeepalives_count=3", sep, sep, sep, sep);
	if (cfg->tcp_ms > 0)
		buf_printf(ci, "%ctcp_user_timeout=%lld", sep, (long long)cfg->tcp_ms);
}

struct db *db_new(const struct config *cfg)
{
	return db_new_at(cfg, NULL);
}

struct db *db_new_at(const struct config *cfg, const char *replica_url)
{
	struct db *db = xcalloc(1, sizeof(*db));
	const char *url = replica_url ? replica_url : cfg->database_url;
	struct buf ci;

	buf_init(&ci);
	/*
	 * A URL or a key=value string: append our defaults as keywords the
	 * user's string may override. libpq takes the URL form only alone,
	 * so for a URL we add options as query parameters.
	 */
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		buf_puts(&ci, url);
		buf_puts(&ci, strchr(url, '?') ? "&" : "?");
		tcp_options(&ci, cfg, '&');
	} else {
		tcp_options(&ci, cfg, ' ');
		buf_printf(&ci, " %s", url);
	}
	db->conninfo = buf_detach(&ci);
	db->name = replica_url ? "the read replica" : primary_name;
	snprintf(db->statement_timeout, sizeof(db->statement_timeout), "%lld",
	    (long long)cfg->statement_ms);
	snprintf(db->lock_timeout, sizeof(db->lock_timeout), "%lld", (long long)cfg->lock_ms);
	snprintf(db->idle_tx_timeout, sizeof(db->idle_tx_timeout), "%lld",
	    (long long)cfg->idle_tx_ms);
	db->lost = 1;
	return db;
}

struct db *db_open(const struct config *cfg)
{
	struct db *db = db_new(cfg);

	if (db_connect(db) < 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn)
		PQfinish(db->conn);
	deferred_clear(db);
	free(db->conninfo);
	free(db);
}

PGconn *db_conn(struct db *db)
{
	return db->conn;
}

int db_ensure(struct db *db)
{
	if (!db->lost && db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	return db_connect(db);
}

int db_in_tx(const struct db *db)
{
	return db->in_tx;
}

const char *db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

int db_lost(const struct db *db)
{
	return db->lost;
}

int db_timed_out(const struct db *db)
{
	return strcmp(db->sqlstate, "55P03") == 0 ||   /* lock_not_available: lock_timeout */
	    strcmp(db->sqlstate, "57014") == 0;        /* query_canceled: statement_timeout */
}

int db_unavailable_now(const struct db *db)
{
	static const char *const states[] = {
		"25P03",  /* idle_in_transaction_session_timeout */
		"25006",  /* read_only_sql_transaction */
		"57P01", "57P02", "57P03",  /* shutdown, crash, cannot connect now */
		"53300",  /* too_many_connections */
		NULL,
	};

	if (db->lost || db_timed_out(db) || strncmp(db->sqlstate, "08", 2) == 0)
		return 1;
	for (size_t i = 0; states[i]; i++)
		if (strcmp(db->sqlstate, states[i]) == 0)
			return 1;
	return 0;
}

uint64_t db_generation(const struct db *db)
{
	return db->generation;
}

static size_t slot_of(const struct db_stmt *st)
{
	uintptr_t h = (uintptr_t)st;
	h ^= h >> 17;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 7) & (PREP_SLOTS - 1);
}

/* Returns 1 and the slot if st is prepared, else 0 and a free slot. */
static int find_prepared(struct db *db, const struct db_stmt *st, size_t *slot)
{
	size_t i = slot_of(st);
	while (db->prepared[i] != NULL) {
		if (db->prepared[i] == st) {
			*slot = i;
			return 1;
		}
		i = (i + 1) & (PREP_SLOTS - 1);
	}
	*slot = i;
	return 0;
}

static void stmt_name(size_t slot, char out[16])
{
	snprintf(out, 16, "gw%lu", (unsigned long)slot);
}

static void note_error(struct db *db, const PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
	    msg ? msg : PQerrorMessage(db->conn));
	if (PQstatus(db->conn) != CONNECTION_OK)
		db->lost = 1;
	/* constraint violations are answers for the caller, not faults */
	if (strncmp(db->sqlstate, "23", 2) != 0)
		log_err("%s%s: [%s] %s", db->name == primary_name ? "" : "read replica: ", what,
		    db->sqlstate, db->errmsg);
}

/* r if it succeeded (the last error cleared); else NULL, error noted. */
static PGresult *checked(struct db *db, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		note_error(db, r, "query");
		PQclear(r);
		return NULL;
	}
	db->sqlstate[0] = '\0';
	db->errmsg[0] = '\0';
	return r;
}

/* Prepares st under name ("" = the unnamed statement). 0 or -1 (noted). */
static int prepare(struct db *db, const struct db_stmt *st, const char *name)
{
	PGresult *r = q_prepare(db, name, st);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		note_error(db, r, "prepare");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/*
 * st's name on this connection, prepared now when it is not yet: 1 and a
 * name of its own; 0 and "" when the table is full and unnamed is allowed
 * (st is then parsed again each time); -1 (noted) when it cannot be.
 */
static int ensure_prepared(struct db *db, const struct db_stmt *st, int unnamed_ok,
    char name[16])
{
	size_t slot;

	if (find_prepared(db, st, &slot)) {
		stmt_name(slot, name);
		return 1;
	}
	if (db->nprepared >= PREP_MAX) {
		/* more statements than we ever have: each still runs, parsed every time */
		if (!db->full_logged)
			log_warn("more than %d statements on one connection: the rest run"
			    " unprepared", PREP_MAX);
		db->full_logged = 1;
		name[0] = '\0';
		if (!unnamed_ok) {
			snprintf(db->sqlstate, sizeof(db->sqlstate), "54000");
			snprintf(db->errmsg, sizeof(db->errmsg), "no statement slot left");
			return -1;
		}
		return prepare(db, st, "") < 0 ? -1 : 0;
	}
	stmt_name(slot, name);
	if (prepare(db, st, name) < 0)
		return -1;
	db->prepared[slot] = st;
	db->nprepared++;
	return 1;
}

static void deferred_clear(struct db *db)
{
	for (int i = 0; i < db->ndeferred; i++) {
		for (int j = 0; j < db->deferred[i].n; j++)
			free(db->deferred[i].params[j]);
		free(db->deferred[i].params);
	}
	db->ndeferred = 0;
}

/* The pipeline's next result within the deadline; NULL at a query's end,
 * when the connection broke, or when the deadline passed (conn dropped). */
static PGresult *next_result(struct db *db)
{
	return await_result(db) < 0 ? NULL : PQgetResult(db->conn);
}

/* Sends what is pending, then name (prepared; NULL: none) or tail (SQL
 * without parameters; NULL: none), and the sync: the number sent, or -1. */
static int send_pipeline(struct db *db, char dnames[][16], const char *name, int n,
    const char *const *params, const char *tail)
{
	PGconn *c = db->conn;
	int ok, sent = 0;

	ok = PQenterPipelineMode(c);
	if (ok && db->begin_pending) {
		ok = PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
		sent++;
	}
	for (int i = 0; ok && i < db->ndeferred; i++, sent++)
		ok = PQsendQueryPrepared(c, dnames[i], db->deferred[i].n,
		    (const char *const *)db->deferred[i].params, NULL, NULL, 0);
	if (ok && name) {
		ok = PQsendQueryPrepared(c, name, n, params, NULL, NULL, 0);
		sent++;
	} else if (ok && tail) {
		ok = PQsendQueryParams(c, tail, 0, NULL, NULL, NULL, NULL, 0);
		sent++;
	}
	return ok && PQpipelineSync(c) ? sent : -1;
}

/*
 * One round trip for a transaction's pending start (BEGIN), its deferred
 * statements and then name or tail (see send_pipeline). 0 and *last, the
 * final statement's result (NULL when there is none); or -1 when any
 * failed, the first failure noted (the rest were skipped by the server).
 */
static int round_trip(struct db *db, const char *name, int n, const char *const *params,
    const char *tail, PGresult **last)
{
	char dnames[DEFER_MAX][16];
	int sent, got = 0, failed = 0, begin = db->begin_pending;
	PGresult *r;

	*last = NULL;
	for (int i = 0; i < db->ndeferred; i++)
		if (ensure_prepared(db, db->deferred[i].st, 0, dnames[i]) < 0)
			return -1;
	if ((sent = send_pipeline(db, dnames, name, n, params, tail)) < 0) {
		note_error(db, NULL, "pipeline");
		return -1;
	}
	for (int i = 0; i < sent && db->conn; i++) {
		ExecStatusType s;

		if ((r = next_result(db)) == NULL)
			break;
		got++;
		s = PQresultStatus(r);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			if (!failed)
				note_error(db, r, "query");
			failed = 1;
		} else if (i == 0 && begin)
			db->begin_pending = 0;
		if (i == sent - 1 && !failed && (name || tail))
			*last = r;
		else
			PQclear(r);
		while (db->conn && (r = next_result(db)) != NULL)
			PQclear(r);   /* to the query's end */
	}
	if (db->conn && (r = next_result(db)) != NULL)
		PQclear(r);   /* the sync */
	if (db->conn && !PQexitPipelineMode(db->conn))
		db->lost = 1;   /* a connection stuck in pipeline mode is not used again */
	if (db->conn == NULL || db->lost || got < sent || failed) {
		if (!failed && db->conn)
			note_error(db, NULL, "pipeline");
		PQclear(*last);
		*last = NULL;
		return -1;
	}
	deferred_clear(db);
	db->sqlstate[0] = '\0';
	db->errmsg[0] = '\0';
	return 0;
}

/* What waits to be sent (a pending BEGIN, deferred statements), sent now: 0 or -1. */
static int send_pending(struct db *db)
{
	PGresult *none;

	if (!db->begin_pending && db->ndeferred == 0)
		return 0;
	return round_trip(db, NULL, 0, NULL, NULL, &none);
}

static PGresult *exec_once(struct db *db, const struct db_stmt *st, int n,
    const char *const *params)
{
	char name[16];
	PGresult *r;

	if (ensure_prepared(db, st, 1, name) < 0)
		return NULL;
	if (db->begin_pending || db->ndeferred > 0)
		return round_trip(db, name, n, params, NULL, &r) < 0 ? NULL : r;
	return checked(db, q_prepared(db, name, n, params));
}

/* Nothing of the open transaction (if any) has reached the server yet. */
static int tx_fresh(const struct db *db)
{
	return !db->in_tx || db->begin_pending;
}

/* A new connection; a transaction begun but not yet sent stays begun. */
static int reconnect(struct db *db)
{
	int tx = db->in_tx;

	if (db_connect(db) < 0)
		return -1;
	db->in_tx = db->begin_pending = tx;
	return 0;
}

PGresult *db_exec(struct db *db, const struct db_stmt *st, int n,
    const char *const *params)
{
	int fresh = tx_fresh(db);
	PGresult *r;

	if (db->lost && fresh && reconnect(db) < 0) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08006");
		return NULL;
	}
	r = exec_once(db, st, n, params);
	if (r == NULL && db->lost && fresh) {
		/* the server restarted under us: one fresh connection, once */
		if (reconnect(db) < 0)
			return NULL;
		r = exec_once(db, st, n, params);
	}
	return r;
}

int db_one_i64(struct db *db, const struct db_stmt *st, int64_t *out)
{
	PGresult *r = DB_EXEC0(db, st);

	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1 || PQnfields(r) != 1 || PQgetisnull(r, 0, 0)) {
		PQclear(r);
		return -1;
	}
	*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

/* Before SQL text (not a prepared statement, so not in a pipeline): a
 * connection, and what waits to be sent sent. 0 or -1. */
static int ready_for_text(struct db *db)
{
	if (db->lost && tx_fresh(db) && reconnect(db) < 0)
		return -1;
	return send_pending(db);
}

PGresult *db_exec_text(struct db *db, const char *sql, int n, const Oid *types,
    const char *const *params)
{
	if (ready_for_text(db) < 0)
		return NULL;
	return checked(db, q_params(db, sql, n, types, params));
}

int db_run(struct db *db, const struct db_stmt *st, int n, const char *const *params)
{
	PGresult *r = db_exec(db, st, n, params);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int db_script(struct db *db, const char *sql)
{
	PGresult *r;
	int rc = 0;

	if (ready_for_text(db) < 0)
		return -1;
	r = q_exec(db, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		note_error(db, r, "script");
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/*
 * BEGIN is not sent on its own: it goes in one round trip with the
 * transaction's first statement (and COMMIT with its deferred ones), so a
 * short transaction costs the server's time, not three waits on the network.
 */
int db_begin(struct db *db)
{
	if (db->in_tx)
		return 0;   /* as BEGIN in a transaction: the one open goes on */
	if (db->lost && db_connect(db) < 0)
		return -1;
	deferred_clear(db);
	db->in_tx = 1;
	db->begin_pending = 1;
	return 0;
}

int db_defer(struct db *db, const struct db_stmt *st, int n, const char *const *params)
{
	struct deferred *d;

	if (!db->in_tx || db->ndeferred == DEFER_MAX)
		return db_run(db, st, n, params);
	d = &db->deferred[db->ndeferred++];
	d->st = st;
	d->n = n;
	d->params = xcalloc((size_t)(n > 0 ? n : 1), sizeof(char *));
	for (int i = 0; i < n; i++)
		d->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	return 0;
}

/* COMMIT, with what is deferred in the same round trip: 0 or -1 (then rolled back). */
static int commit_pending(struct db *db)
{
	PGresult *r;

	if (db->ndeferred == 0)
		return db->begin_pending ? 0 : db_script(db, "COMMIT");   /* nothing sent: nothing to commit */
	if (round_trip(db, NULL, 0, NULL, "COMMIT", &r) == 0) {
		PQclear(r);
		return 0;
	}
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK && !db->begin_pending)
		PQclear(q_exec(db, "ROLLBACK"));
	return -1;
}

int db_commit(struct db *db)
{
	int rc = commit_pending(db);
	void (*then)(struct db *) = db->after_commit;

	db->in_tx = 0;
	db->begin_pending = 0;
	deferred_clear(db);
	db->after_commit = NULL;
	if (rc == 0 && then != NULL)
		then(db);
	return rc;
}

void db_after_commit(struct db *db, void (*fn)(struct db *))
{
	if (db->in_tx)
		db->after_commit = fn;
	else
		fn(db);
}

void db_rollback(struct db *db)
{
	int sent = db->in_tx && !db->begin_pending;

	db->after_commit = NULL;
	deferred_clear(db);
	db->in_tx = 0;
	db->begin_pending = 0;
	if (sent && db->conn && PQstatus(db->conn) == CONNECTION_OK) {
		PGresult *r = q_exec(db, "ROLLBACK");
		PQclear(r);
	}
}
