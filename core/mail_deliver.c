/*
 * mail_deliver.c - see mail_deliver.h.
 */
#include "mail_deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mail_mime.h"
#include "mail_send.h"
#include "util.h"

#define OUTBOX_DUE \
	" FROM mail_outbox WHERE status = 'queued'" \
	"   AND next_attempt_at <= COALESCE($1::timestamptz, clock_timestamp())"
#define CLAIM_COLUMNS \
	"SELECT id, kind, alert_id, recipient, subject, body_text, body_html, message_id," \
	"       (extract(epoch FROM created_at) * 1000000)::bigint AS created_us"

/*
 * The row due longest that nobody else holds, locked until this pass commits.
 * Only next_attempt_at orders (rows queued together tie; the index gives
 * them in insertion order): an id tie-break would sort every tied row on
 * each claim.
 */
DB_STMT(q_claim, CLAIM_COLUMNS OUTBOX_DUE
    " ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED");
/*
 * The next of the rows a job just queued, after the last one this pass
 * claimed (the primary key finds it at once; rows before it are sent,
 * waiting for a retry, or another pass's).
 */
DB_STMT(q_claim_after, CLAIM_COLUMNS OUTBOX_DUE " AND id > $2::bigint"
    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");

DB_STMT(q_sent,
    "UPDATE mail_outbox SET status = 'sent', sent_at = clock_timestamp(),"
    "       attempts = attempts + 1, last_error = NULL"
    " WHERE id = $1::bigint");

/*
 * A failed attempt: $1 rows, $2 error, $3 refused for good, $4 max
 * attempts, $5 now, $6 backoff base, $7 cap. Backoff and jitter per row.
 */
#define FAIL_SET \
	" SET attempts = m.attempts + 1, last_error = $2," \
	"     status = CASE WHEN $3::bool OR m.attempts + 1 >= $4::int" \
	"                   THEN 'dead' ELSE 'queued' END," \
	"     next_attempt_at = COALESCE($5::timestamptz, clock_timestamp())" \
	"       + make_interval(secs => least($6::float8 * 2 ^ m.attempts, $7::float8)" \
	"                               * (0.5 + random() / 2))"
#define FAIL_RETURNING \
	" RETURNING m.status, m.attempts," \
	"   extract(epoch FROM m.next_attempt_at" \
	"           - COALESCE($5::timestamptz, clock_timestamp()))::int AS wait_s"

DB_STMT(q_fail, "UPDATE mail_outbox m" FAIL_SET " WHERE m.id = $1::bigint" FAIL_RETURNING);
/* The server is unusable: every other due row of the scope failed too. */
DB_STMT(q_fail_due, "UPDATE mail_outbox m" FAIL_SET
    " WHERE m.id IN (SELECT id FROM mail_outbox WHERE status = 'queued'"
    "                   AND next_attempt_at <= COALESCE($5::timestamptz, clock_timestamp())"
    "                   AND id > $1::bigint FOR UPDATE SKIP LOCKED)" FAIL_RETURNING);

/*
 * The outcome of a send is committed without waiting for the WAL flush:
 * losing it in a database crash means the message is sent again later
 * (the same as a mailer killed mid-send), never that it is lost, and a
 * pass does not wait for a disk flush per message. The row itself was
 * committed durably by the transaction that queued it.
 */
DB_STMT(q_async_commit, "SELECT set_config('synchronous_commit', 'off', true)");

DB_STMT(q_mark, "SELECT COALESCE(max(id), 0) AS id FROM mail_outbox");
DB_STMT(q_dead, "SELECT count(*) AS n FROM mail_outbox WHERE status = 'dead'");

/* Builds the wire form of claimed row 0 of r. */
static void build(const PGresult *r, const struct config *cfg, struct buf *out)
{
	struct mime_msg m = {
		.from = cfg->from_email,
		.to = db_str(r, 0, "recipient"),
		.subject = db_str(r, 0, "subject"),
		/* fixed when the row was queued: every attempt carries the same */
		.message_id = db_str(r, 0, "message_id"),
		.date_us = db_i64(r, 0, "created_us"),
		.text = db_str(r, 0, "body_text"),
		.html = db_str(r, 0, "body_html"),
		.kind = db_str(r, 0, "kind"),
		.alert_id = db_i64(r, 0, "alert_id"),
	};

	buf_reset(out);
	mime_build(&m, out);
}

/*
 * Records a failure of the row (with rest set: of every due row in scope
 * too). Returns 0 or -1.
 */
static int record_failure(struct db *db, const struct config *cfg, const struct mail_pass *p,
    const char *now, const char *id, const char *rcpt, enum mail_send_rc rc, const char *err, struct mail_pass_result *res)
{
	char max[24], base[24], cap[24], after[24];
	PGresult *r;
	int n;

	db_i64_param(cfg->mail_max_attempts, max);
	db_i64_param(MAIL_BACKOFF_BASE_S, base);
	db_i64_param(MAIL_BACKOFF_CAP_S, cap);
	r = DB_EXEC(db, &q_fail, id, err, rc == MAIL_REJECTED ? "true" : "false", max, now,
	    base, cap);
	if (r == NULL)
		return -1;
	if (strcmp(db_str(r, 0, "status"), "dead") == 0) {
		res->dead++;
		log_warn("mail %s to %s is dead after %lld attempt(s): %s", id, rcpt,
		    (long long)db_i64(r, 0, "attempts"), err);
	} else {
		res->retry++;
		if (rc != MAIL_SERVER_DOWN)
			log_warn("mail %s to %s failed, next try in %llds: %s", id, rcpt,
			    (long long)db_i64(r, 0, "wait_s"), err);
	}
	PQclear(r);
	if (rc != MAIL_SERVER_DOWN)
		return 0;
	r = DB_EXEC(db, &q_fail_due, db_i64_param(p->after_id, after), err, "false", max, now,
	    base, cap);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		if (strcmp(db_str(r, i, "status"), "dead") == 0)
			res->dead++;
		else
			res->retry++;
	}
	PQclear(r);
	log_err("%s (this and %d more due mail(s) wait for the next try)", err, n);
	return 0;
}

/*
 * Sends the claimed row (row 0 of r) with s and records the outcome in
 * the open transaction. left_us > 0 caps the send. Returns the outcome,
 * or -1 on a database error.
 */
static int send_claimed(struct db *db, const struct config *cfg, const struct mail_pass *p,
    const char *now, struct mail_sender *s, const PGresult *r, int64_t left_us,
    struct buf *msg, struct mail_pass_result *res)
{
	const char *id = db_str(r, 0, "id"), *rcpt = db_str(r, 0, "recipient");
	char name[40], err[512];
	enum mail_send_rc sr;
	int rc;

	build(r, cfg, msg);
	/* the spool file is named by the row: a retry overwrites, never doubles */
	snprintf(name, sizeof(name), "goldwatch-%s", id);
	sr = mail_sender_send(s, rcpt, name, msg, left_us > 0 ? left_us / 1000 + 1 : 0, err,
	    sizeof(err));
	if (sr == MAIL_SENT) {
		rc = DB_RUN(db, &q_sent, id);
		res->sent += rc == 0;
	} else {
		rc = record_failure(db, cfg, p, now, id, rcpt, sr, err, res);
	}
	return rc < 0 ? -1 : (int)sr;
}

int mail_deliver(struct db *db, const struct config *cfg, const struct mail_pass *p,
    struct mail_pass_result *res)
{
	struct mail_sender *s = NULL;
	struct buf msg;
	char nowbuf[40], after[24];
	const char *now = NULL;
	int64_t t0 = time_mono_us();
	int rc = -1, claimed = 0;

	memset(res, 0, sizeof(*res));
	buf_init(&msg);
	if (p->now_us) {
		time_format_iso(p->now_us, nowbuf, sizeof(nowbuf));
		now = nowbuf;
	}
	db_i64_param(p->after_id, after);
	for (;;) {
		PGresult *r;
		int64_t left = 0;
		int sr;

		if (p->limit > 0 && claimed >= p->limit)
			break;
		if (p->budget_us > 0) {
			left = p->budget_us - (time_mono_us() - t0);
			if (left <= 0)
				break;
		}
		/* one transaction per row: claim (locked), send, record, commit */
		if (db_begin(db) < 0 || DB_RUN(db, &q_async_commit) < 0)
			goto out;
		r = p->after_id ? DB_EXEC(db, &q_claim_after, now, after) : DB_EXEC(db, &q_claim, now);
		if (r == NULL)
			goto out;
		if (PQntuples(r) == 0) {
			PQclear(r);
			if (db_commit(db) < 0)
				goto out;
			break;
		}
		claimed++;
		if (s == NULL && (s = mail_sender_new(cfg)) == NULL) {
			PQclear(r);
			goto out; /* the rollback leaves the row as it was */
		}
		if (p->after_id)
			snprintf(after, sizeof(after), "%s", db_str(r, 0, "id"));
		sr = send_claimed(db, cfg, p, now, s, r, left, &msg, res);
		PQclear(r);
		if (sr < 0 || db_commit(db) < 0)
			goto out;
		if (sr == MAIL_SERVER_DOWN) {
			res->server_down = 1;
			break;
		}
	}
	rc = 0;
out:
	db_rollback(db);
	if (s)
		res->connections = mail_sender_connects(s);
	mail_sender_free(s);
	buf_free(&msg);
	res->us = time_mono_us() - t0;
	return rc;
}

int mail_outbox_mark(struct db *db, int64_t *mark)
{
	return db_one_i64(db, &q_mark, mark);
}

int mail_deliver_after(struct db *db, const struct config *cfg, int64_t mark,
    struct mail_pass_result *res)
{
	struct mail_pass p = {.after_id = mark, .budget_us = MAIL_AFTER_COMMIT_US};

	return mail_deliver(db, cfg, &p, res);
}

json_t *mail_pass_json(const struct mail_pass_result *res)
{
	return json_pack("{si si si sb sI sf}", "sent", res->sent, "retry", res->retry,
	    "dead", res->dead, "server_down", res->server_down,
	    "connections", (json_int_t)res->connections,
	    "duration_ms", (double)res->us / 1000.0);
}

int mail_dead_count(struct db *db, int64_t *n)
{
	return db_one_i64(db, &q_dead, n);
}

DB_STMT(q_list,
    "SELECT id, kind, alert_id, rule_id, recipient, subject, status, attempts, last_error,"
    "       message_id, iso(created_at) AS created_at,"
    "       CASE WHEN status = 'queued' THEN iso(next_attempt_at) END AS next_attempt_at,"
    "       iso(sent_at) AS sent_at"
    "  FROM mail_outbox"
    " WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint = 0 OR id < $2::bigint)"
    " ORDER BY id DESC LIMIT $3::int");

static json_t *str_or_null(const PGresult *r, int row, const char *col)
{
	const char *v = db_str(r, row, col);
	return v ? json_string(v) : json_null();
}

static json_t *id_or_null(const PGresult *r, int row, const char *col)
{
	return db_isnull(r, row, col) ? json_null() : json_integer(db_i64(r, row, col));
}

static json_t *outbox_row_json(const PGresult *r, int i)
{
	return json_pack("{sI so so ss ss ss ss sI so so so so so}",
	    "id", (json_int_t)db_i64(r, i, "id"),
	    "alert_id", id_or_null(r, i, "alert_id"),
	    "rule_id", id_or_null(r, i, "rule_id"),
	    "kind", db_str(r, i, "kind"),
	    "recipient", db_str(r, i, "recipient"),
	    "subject", db_str(r, i, "subject"),
	    "status", db_str(r, i, "status"),
	    "attempts", (json_int_t)db_i64(r, i, "attempts"),
	    "last_error", str_or_null(r, i, "last_error"),
	    "message_id", str_or_null(r, i, "message_id"),
	    "created_at", str_or_null(r, i, "created_at"),
	    "next_attempt_at", str_or_null(r, i, "next_attempt_at"),
	    "sent_at", str_or_null(r, i, "sent_at"));
}

enum store_rc mail_outbox_list(struct db *db, const char *status, int limit,
    int64_t before_id, json_t **out)
{
	char before[24], lim[24];
	PGresult *r;
	json_t *items;
	int n;

	*out = NULL;
	r = DB_EXEC(db, &q_list, status, db_i64_param(before_id, before),
	    db_i64_param(limit + 1, lim));
	if (r == NULL)
		return ST_ERROR;
	n = PQntuples(r);
	items = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(items, outbox_row_json(r, i));
	*out = json_pack("{so so}", "items", items, "next_cursor",
	    n > limit ? json_string(db_str(r, limit - 1, "id")) : json_null());
	PQclear(r);
	return ST_OK;
}
