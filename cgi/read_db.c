/*
 * read_db.c - see read_db.h. The commit positions are PostgreSQL LSNs as
 * 64-bit numbers; a change's is the primary's WAL insert position just
 * after its commit, which is at or past the commit record (with
 * asynchronous commit the flush position may still be behind it).
 */
#include "read_db.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "prom.h"

#define READ_AFTER_COOKIE "gw_read_after"
#define READ_AFTER_S 300          /* how long a change is remembered */
#define USER_SLOTS 4096           /* users remembered, by id modulo */

/* The last change of a user in this process: its position, until when. */
struct user_mark {
	int64_t user_id;
	uint64_t lsn;
	int64_t until_us;
};

static struct user_mark marks[USER_SLOTS];
static pthread_mutex_t marks_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t reads_replica, reads_primary, fallbacks;
static atomic_int replica_failing;   /* logged once per run of failures */

/*
 * What the replica has replayed, and whether it is within the bound of
 * what it has received: nothing received is still waiting, or the last
 * commit it replayed is that recent. The text form of the position
 * keeps the statement free of casts to numbers PostgreSQL lacks.
 */
DB_STMT(q_replica_state,
    "SELECT pg_last_wal_replay_lsn()::text AS replayed,"
    " (pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()"
    "  OR pg_last_xact_replay_timestamp() >"
    "     now() - make_interval(secs => $1::float8 / 1000)) AS fresh");

DB_STMT(q_insert_lsn, "SELECT pg_current_wal_insert_lsn()::text AS lsn");

static int hex_part(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 8)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

int read_db_parse_lsn(const char *s, uint64_t *lsn)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	uint32_t hi, lo;

	if (slash == NULL || hex_part(s, (size_t)(slash - s), &hi) < 0 ||
	    hex_part(slash + 1, strlen(slash + 1), &lo) < 0)
		return -1;
	*lsn = (uint64_t)hi << 32 | lo;
	return 0;
}

/* The remembered position of a signed-in user's last change, or 0. */
static uint64_t user_lsn(const struct request *req)
{
	struct user_mark *m;
	uint64_t lsn = 0;

	if (!req->authenticated || req->who.user_id <= 0)
		return 0;
	m = &marks[(uint64_t)req->who.user_id % USER_SLOTS];
	pthread_mutex_lock(&marks_lock);
	if (m->user_id == req->who.user_id && m->until_us > time_mono_us())
		lsn = m->lsn;
	pthread_mutex_unlock(&marks_lock);
	return lsn;
}

/* The furthest position this client must read at or past (0: any). */
static uint64_t needed_lsn(struct request *req)
{
	uint64_t need = user_lsn(req), v;
	const char *cookie = req_cookie(req, READ_AFTER_COOKIE);

	if (req->read_after[0] && read_db_parse_lsn(req->read_after, &v) == 0 && v > need)
		need = v;
	if (cookie && read_db_parse_lsn(cookie, &v) == 0 && v > need)
		need = v;
	return need;
}

/* 1 when the replica can answer a client that needs position need. */
static int replica_fresh(struct request *req, uint64_t need)
{
	char lag[24];
	PGresult *r;
	uint64_t replayed = 0;
	int fresh;

	db_set_deadline(req->replica, db_deadline(req->primary));
	if (db_ensure(req->replica) < 0)
		return 0;
	r = DB_EXEC(req->replica, &q_replica_state, db_i64_param(req->cfg->read_lag_ms, lag));
	if (r == NULL)
		return 0;
	fresh = PQntuples(r) == 1 && !db_isnull(r, 0, "replayed") &&
	    read_db_parse_lsn(db_str(r, 0, "replayed"), &replayed) == 0 &&
	    replayed >= need && db_bool(r, 0, "fresh");
	PQclear(r);
	return fresh;
}

void read_db_choose(struct request *req)
{
	if (req->replica == NULL || (req->method != M_GET && req->method != M_HEAD) ||
	    (req->route->flags & ROUTE_PRIMARY))
		return;
	if (replica_fresh(req, needed_lsn(req))) {
		req->db = req->replica;
		if (atomic_exchange(&replica_failing, 0))
			log_info("reading from the replica again");
	}
}

int read_db_fall_back(struct request *req)
{
	if (req->db != req->replica || req->status < 500)
		return 0;
	if (!atomic_exchange(&replica_failing, 1))
		log_warn("the replica failed a read (SQLSTATE %s): answered from the primary",
		    db_sqlstate(req->replica)[0] ? db_sqlstate(req->replica) : "none");
	atomic_fetch_add(&fallbacks, 1);
	db_rollback(req->replica);
	request_reset_response(req);
	req->db = req->primary;
	return 1;
}

void read_db_finish(struct request *req)
{
	int from_replica = req->db == req->replica;

	if (req->replica == NULL)
		return;
	if (from_replica) {
		db_rollback(req->replica);
		req->db = req->primary;
	}
	db_set_deadline(req->replica, 0);
	if (req->method != M_GET && req->method != M_HEAD)
		return;
	atomic_fetch_add(from_replica ? &reads_replica : &reads_primary, 1);
	req_header(req, "Goldwatch-Read-From: %s", from_replica ? "replica" : "primary");
}

/* Remembers a signed-in user's change in this process. */
static void remember_user(const struct request *req, uint64_t lsn)
{
	struct user_mark *m;

	if (!req->authenticated || req->who.user_id <= 0)
		return;
	m = &marks[(uint64_t)req->who.user_id % USER_SLOTS];
	pthread_mutex_lock(&marks_lock);
	if (m->user_id != req->who.user_id || m->lsn < lsn)
		m->lsn = lsn;
	m->user_id = req->who.user_id;
	m->until_us = time_mono_us() + (int64_t)READ_AFTER_S * 1000000;
	pthread_mutex_unlock(&marks_lock);
}

void read_db_mark(struct request *req)
{
	PGresult *r;
	uint64_t lsn;
	const char *text;

	if (req->replica == NULL || db_in_tx(req->primary))
		return;
	r = db_exec(req->primary, &q_insert_lsn, 0, NULL);
	text = r && PQntuples(r) == 1 ? db_str(r, 0, "lsn") : NULL;
	if (text && read_db_parse_lsn(text, &lsn) == 0) {
		remember_user(req, lsn);
		req_header(req, "Goldwatch-Read-After: %s", text);
		req_header(req, "Set-Cookie: " READ_AFTER_COOKIE "=%s; Path=/; Max-Age=%d;"
		    " HttpOnly; SameSite=Lax%s", text, READ_AFTER_S, req->https ? "; Secure" : "");
	}
	PQclear(r);
}

void read_db_write(struct buf *out, const char *instance)
{
	prom_family(out, "goldwatch_read_requests_total", "counter",
	    "GET and HEAD requests of this API process with a read replica configured"
	    " (GOLDWATCH_READ_DATABASE_URL), by the server that answered: replica or primary.");
	prom_sample(out, "goldwatch_read_requests_total",
	    (const char *[]){"instance", instance, "server", "replica", NULL},
	    (double)atomic_load(&reads_replica));
	prom_sample(out, "goldwatch_read_requests_total",
	    (const char *[]){"instance", instance, "server", "primary", NULL},
	    (double)atomic_load(&reads_primary));
	prom_family(out, "goldwatch_read_replica_failures_total", "counter",
	    "Reads the replica failed (down, a conflict with recovery, a write it refused),"
	    " answered again from the primary.");
	prom_sample(out, "goldwatch_read_replica_failures_total",
	    (const char *[]){"instance", instance, NULL}, (double)atomic_load(&fallbacks));
}
