/*
 * delivery_store.c - see delivery_store.h.
 */
#include "delivery_store.h"

#include <string.h>

#include "audit.h"
#include "valid.h"

/* The columns every read shows; o is mail_outbox, c its contact point. */
#define ROW_COLUMNS \
	"o.id, o.kind, o.alert_id, o.rule_id, o.recipient, o.subject, o.status, o.attempts," \
	" o.last_error, o.message_id, o.channel, o.contact_point_id, c.name AS contact_point," \
	" iso(o.created_at) AS created_at," \
	" CASE WHEN o.status = 'queued' THEN iso(o.next_attempt_at) END AS next_attempt_at," \
	" iso(o.sent_at) AS sent_at"
#define ROW_FROM " mail_outbox o LEFT JOIN contact_points c ON c.id = o.contact_point_id"

DB_STMT(q_list,
    "SELECT " ROW_COLUMNS " FROM" ROW_FROM
    " WHERE ($1::text IS NULL OR o.status = $1) AND ($2::bigint = 0 OR o.id < $2::bigint)"
    " ORDER BY o.id DESC LIMIT $3::int");

static json_t *str_or_null(const PGresult *r, int row, const char *col)
{
	const char *v = db_str(r, row, col);
	return v ? json_string(v) : json_null();
}

static json_t *id_or_null(const PGresult *r, int row, const char *col)
{
	return db_isnull(r, row, col) ? json_null() : json_integer(db_i64(r, row, col));
}

/* What both lists show of a row: where it went, how it went. */
static json_t *delivery_json(const PGresult *r, int i)
{
	return json_pack("{sI ss so so ss ss sI so so so so}",
	    "id", (json_int_t)db_i64(r, i, "id"),
	    "channel", db_str(r, i, "channel"),
	    "contact_point_id", id_or_null(r, i, "contact_point_id"),
	    "contact_point", str_or_null(r, i, "contact_point"),
	    "kind", db_str(r, i, "kind"),
	    "status", db_str(r, i, "status"),
	    "attempts", (json_int_t)db_i64(r, i, "attempts"),
	    "last_error", str_or_null(r, i, "last_error"),
	    "created_at", str_or_null(r, i, "created_at"),
	    "next_attempt_at", str_or_null(r, i, "next_attempt_at"),
	    "sent_at", str_or_null(r, i, "sent_at"));
}

/* A row of the outbox list: the delivery, and the message itself. */
static json_t *outbox_row_json(const PGresult *r, int i)
{
	json_t *o = delivery_json(r, i);

	json_object_set_new(o, "alert_id", id_or_null(r, i, "alert_id"));
	json_object_set_new(o, "rule_id", id_or_null(r, i, "rule_id"));
	json_object_set_new(o, "recipient", json_string(db_str(r, i, "recipient")));
	json_object_set_new(o, "subject", json_string(db_str(r, i, "subject")));
	json_object_set_new(o, "message_id", str_or_null(r, i, "message_id"));
	return o;
}

enum store_rc delivery_list(struct db *db, const char *status, int limit, int64_t before_id,
    json_t **out)
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

/* The alert's row always (no row: no such alert), with o's columns NULL when it has none. */
DB_STMT(q_of_alert,
    "SELECT " ROW_COLUMNS " FROM alerts a"
    "  LEFT JOIN" ROW_FROM " ON o.alert_id = a.id OR o.alert_ids @> ARRAY[a.id]"
    " WHERE a.id = $1::bigint ORDER BY o.created_at, o.id");

/* The target of an alert's delivery: the recipient column (HTTP kinds: masked there). */
static json_t *alert_delivery_json(const PGresult *r, int i)
{
	json_t *o = delivery_json(r, i);

	json_object_set_new(o, "target", json_string(db_str(r, i, "recipient")));
	return o;
}

enum store_rc delivery_of_alert(struct db *db, int64_t alert_id, json_t **out)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_of_alert, db_i64_param(alert_id, idb));

	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ST_NOT_FOUND;
	}
	*out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		if (!db_isnull(r, i, "id"))
			json_array_append_new(*out, alert_delivery_json(r, i));
	PQclear(r);
	return ST_OK;
}

DB_STMT(q_lock, "SELECT " ROW_COLUMNS " FROM" ROW_FROM " WHERE o.id = $1::bigint FOR UPDATE OF o");
/* A lease a mailer may still hold is dropped: the row was dead, so no pass is sending it. */
DB_STMT(q_requeue,
    "WITH u AS (UPDATE mail_outbox SET status = 'queued', attempts = 0,"
    "                  next_attempt_at = now(), lease_until = NULL, lease_owner = NULL"
    "            WHERE id = $1::bigint RETURNING *)"
    " SELECT " ROW_COLUMNS " FROM u o LEFT JOIN contact_points c ON c.id = o.contact_point_id");
/* An UPDATE does not fire the outbox's insert trigger that wakes the delivery service. */
DB_STMT(q_wake, "SELECT pg_notify('goldwatch_outbox', '')");

/* In the transaction: row id locked, and dead. */
static enum store_rc lock_dead(struct db *db, const char *idb, json_t **before,
    struct verror *err)
{
	PGresult *r = DB_EXEC(db, &q_lock, idb);
	enum store_rc rc;

	if (r == NULL)
		return ST_ERROR;
	rc = PQntuples(r) == 0 ? ST_NOT_FOUND : ST_OK;
	if (rc == ST_OK && strcmp(db_str(r, 0, "status"), "dead") != 0) {
		verror_set(err, 409, "not_dead", "status",
		    "only a dead message is retried; this one is %s", db_str(r, 0, "status"));
		rc = ST_CONFLICT;
	}
	if (rc == ST_OK)
		*before = outbox_row_json(r, 0);
	PQclear(r);
	return rc;
}

enum store_rc delivery_retry(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err)
{
	json_t *before = NULL;
	char idb[24];
	enum store_rc rc;
	PGresult *r;

	*out = NULL;
	db_i64_param(id, idb);
	if (db_begin(db) < 0)
		return ST_ERROR;
	rc = lock_dead(db, idb, &before, err);
	if (rc == ST_OK) {
		r = DB_EXEC(db, &q_requeue, idb);
		rc = r && PQntuples(r) == 1 ? ST_OK : ST_ERROR;
		if (rc == ST_OK)
			*out = outbox_row_json(r, 0);
		PQclear(r);
	}
	if (rc == ST_OK && DB_RUN(db, &q_wake) < 0)
		rc = ST_ERROR;
	if (rc == ST_OK && (audit_record_id(db, who, "notification.retry", "notification", id,
	    before, *out) < 0 || db_commit(db) < 0))
		rc = ST_ERROR;
	if (rc != ST_OK) {
		db_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	json_decref(before);
	return rc;
}

DB_STMT(q_failures,
    "SELECT o.contact_point_id, f.name AS contact_point,"
    "       count(*) FILTER (WHERE o.status = 'dead') AS dead,"
    "       count(*) FILTER (WHERE o.status = 'queued') AS retrying"
    "  FROM" ROW_FROM
    /* an HTTP message without its contact point: that one was deleted */
    " CROSS JOIN LATERAL (SELECT COALESCE(c.name, CASE WHEN o.channel <> 'email'"
    "                            THEN '(a deleted contact point)' END) AS name) f"
    " WHERE (o.status = 'dead' OR (o.status = 'queued' AND o.attempts > 0))"
    "   AND ($1::timestamptz IS NULL OR o.created_at >= $1::timestamptz)"
    " GROUP BY o.contact_point_id, f.name"
    " ORDER BY f.name IS NULL, f.name, o.contact_point_id");

static json_t *failure_json(const PGresult *r, int i)
{
	return json_pack("{so so sI sI}", "contact_point_id", id_or_null(r, i, "contact_point_id"),
	    "contact_point", str_or_null(r, i, "contact_point"),
	    "dead", (json_int_t)db_i64(r, i, "dead"),
	    "retrying", (json_int_t)db_i64(r, i, "retrying"));
}

enum store_rc delivery_failures(struct db *db, const char *since, json_t **out)
{
	return store_rows(DB_EXEC(db, &q_failures, since), failure_json, out);
}

void delivery_failures_show(struct tpl_dict *d, const json_t *failures)
{
	struct tpl_dict *sec;
	const json_t *f;
	size_t i;

	if (json_array_size(failures) == 0)
		return;
	sec = tpl_section(d, "FAILURES");
	json_array_foreach(failures, i, f) {
		struct tpl_dict *row = tpl_section(sec, "FAILURE");
		const json_t *id = json_object_get(f, "contact_point_id");
		const char *name = json_string_value(json_object_get(f, "contact_point"));

		tpl_set(row, "F_NAME", name ? name : json_is_integer(id) ? "(deleted contact point)" :
		    "e-mail recipients");
		if (json_is_integer(id))
			tpl_setf(tpl_section(row, "F_LINK"), "F_ID", "%lld",
			    (long long)json_integer_value(id));
		tpl_set_int(row, "F_DEAD", json_integer_value(json_object_get(f, "dead")));
		tpl_set_int(row, "F_RETRYING", json_integer_value(json_object_get(f, "retrying")));
	}
}
