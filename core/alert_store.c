/*
 * alert_store.c - see alert_store.h.
 */
#include "alert_store.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cursor.h"
#include "event.h"
#include "read_version.h"
#include "util.h"

/*
 * An acknowledgement is the UPDATE alone when it names one alert: its
 * condition (state = 'firing') is checked again on the newest row
 * version if another writer got there first, so nothing needs locking
 * before it, and a change waits on the network twice (BEGIN with the
 * UPDATE, the event with the COMMIT; core/db.h). Several alerts are
 * locked first, in id order: one order for every locker, so two bulk
 * acknowledgements never deadlock. Whether the alerts the UPDATE did not
 * change exist sorts them into "already" and "not_found".
 */
DB_STMT(q_ack_lock, "SELECT id FROM alerts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE");
DB_STMT(q_ack_exists, "SELECT id FROM alerts WHERE id = ANY($1::bigint[])");
DB_STMT(q_ack,
    "UPDATE alerts a SET state = 'acknowledged', acknowledged_at = now(),"
    "       acknowledged_by_id = $2::bigint, acknowledged_by = $3, ack_note = NULLIF($4, '')"
    " WHERE a.id = ANY($1::bigint[]) AND a.state = 'firing'"
    " RETURNING " ALERT_COLUMNS);

#define AI(m) V_AT(struct ack_input, m)
const struct vfield ack_fields[] = {
	{.name = "alert_ids", .type = V_INTS, .flags = V_REQUIRED, .min = 1, .max = 500,
	    .at = AI(alert_ids), .column = ""},
	{.name = "note", .type = V_STRING, .flags = V_NULLABLE | V_MULTILINE, .min = 0, .max = 1000,
	    .at = AI(note), .column = "ack_note"},
};
const size_t ack_nfields = GW_ARRAY_LEN(ack_fields);

int ack_input_one(int64_t id, const char *note, struct ack_input *in, json_t **body,
    struct verror *err)
{
	*body = json_pack("{s[I]}", "alert_ids", (json_int_t)id);
	if (note && *note)
		json_object_set_new(*body, "note", json_string(note));
	return valid_decode(*body, ack_fields, ack_nfields, in, err);
}

static int has_id(const PGresult *r, int64_t id)
{
	for (int i = 0; r != NULL && i < PQntuples(r); i++)
		if (db_i64(r, i, "id") == id)
			return 1;
	return 0;
}

/* The request's ids, each once: what this call acknowledged (done), what
 * exists but was not firing (existing) and what does not exist. */
static json_t *ack_answer(const struct vlist *ids, const PGresult *done, const PGresult *existing)
{
	json_t *acked = json_array(), *already = json_array(), *missing = json_array();

	for (size_t i = 0; i < ids->n; i++) {
		int64_t id = vlist_int(ids, i);
		json_t *target = missing;
		int dup = 0;

		for (size_t j = 0; j < i; j++)
			dup |= vlist_int(ids, j) == id;
		if (dup)
			continue;
		if (has_id(done, id))
			target = acked;
		else if (has_id(existing, id))
			target = already;
		json_array_append_new(target, json_integer(id));
	}
	return json_pack("{so so so}", "acknowledged", acked, "already", already,
	    "not_found", missing);
}

enum store_rc alert_acknowledge(struct db *db, int64_t user_id, const char *username,
    const struct ack_input *in, json_t **out, json_t **alerts)
{
	const struct vlist *ids = &in->alert_ids;
	struct buf lit;
	struct events ev;
	PGresult *existing = NULL, *done = NULL;
	json_t *list = json_array();
	char uid[24];
	enum store_rc rc = ST_ERROR;
	int own_tx = !db_in_tx(db);

	*out = NULL;
	if (alerts)
		*alerts = NULL;
	buf_init(&lit);
	events_init(&ev);
	db_arr_begin(&lit);
	for (size_t i = 0; i < ids->n; i++)
		db_arr_i64(&lit, vlist_int(ids, i));
	db_arr_end(&lit);
	if (own_tx && db_begin(db) < 0)
		goto out;
	if (ids->n > 1 && (existing = DB_EXEC(db, &q_ack_lock, lit.data)) == NULL)
		goto out;
	if ((done = DB_EXEC(db, &q_ack, lit.data, db_i64_param(user_id, uid), username,
	    in->note ? in->note : "")) == NULL)
		goto out;
	if (existing == NULL && PQntuples(done) == 0 &&
	    (existing = DB_EXEC(db, &q_ack_exists, lit.data)) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(done); i++) {
		json_t *a = alert_json(done, i);
		events_add(&ev, "alert.acknowledged", a);
		json_array_append_new(list, a);
	}
	if (events_flush(db, &ev) < 0 || (own_tx && db_commit(db) < 0))
		goto out;
	*out = ack_answer(ids, done, existing);
	if (alerts)
		*alerts = json_incref(list);
	rc = ST_OK;
out:
	if (own_tx)
		db_rollback(db);
	PQclear(existing);
	PQclear(done);
	json_decref(list);
	events_free(&ev);
	buf_free(&lit);
	return rc;
}

/*
 * The history query for each combination of filters (a bit each), built
 * once from fixed fragments and prepared per connection: every
 * combination gets a plan that uses the index for its filters. User data
 * only ever travels as parameters.
 */
enum {
	HF_STATE = 1, HF_SEVERITY = 2, HF_RULE = 4, HF_KPI = 8, HF_SINCE = 16,
	HF_UNTIL = 32, HF_CURSOR = 64, HF_OPEN = 128, HF__COMBOS = 256
};

static struct db_stmt history_stmts[HF__COMBOS];
static char *history_sql[HF__COMBOS];
static pthread_once_t history_once = PTHREAD_ONCE_INIT;

static const Oid history_types[9] = {
	DB_OID_TEXT, DB_OID_TEXT, DB_OID_INT8, DB_OID_TEXT, DB_OID_TIMESTAMPTZ,
	DB_OID_TIMESTAMPTZ, DB_OID_TIMESTAMPTZ, DB_OID_INT8, DB_OID_INT4,
};

static void history_build(void)
{
	static const char *const conds[] = {
		"a.state = $1", "a.severity = $2", "a.rule_id = $3::bigint", "a.kpi_key = $4",
		"a.triggered_at >= $5::timestamptz", "a.triggered_at < $6::timestamptz",
		"(a.triggered_at, a.id) < ($7::timestamptz, $8::bigint)",
		"a.state IN ('firing', 'acknowledged')",
	};
	for (int m = 0; m < HF__COMBOS; m++) {
		struct buf b;
		int first = 1;

		buf_init(&b);
		buf_puts(&b, "SELECT " ALERT_COLUMNS ", " READ_VERSION_SQL " AS read_version"
		    " FROM alerts a");
		for (int i = 0; i < 8; i++) {
			if (!(m & (1 << i)))
				continue;
			buf_printf(&b, "%s%s", first ? " WHERE " : " AND ", conds[i]);
			first = 0;
		}
		buf_puts(&b, " ORDER BY a.triggered_at DESC, a.id DESC LIMIT $9::int");
		history_sql[m] = buf_detach(&b);
		history_stmts[m].sql = history_sql[m];
		/* the parameters a combination does not use still have a type */
		history_stmts[m].ntypes = 9;
		history_stmts[m].types = history_types;
	}
}

enum store_rc alert_history_text(struct db *db, const struct history_filter *f,
    struct buf *items, char **next_cursor, struct read_meta *meta)
{
	char rule[24], since[40], until[40], cur_t[40], cur_id[24], limit[24];
	int64_t ct = 0, cid = 0;
	int mask = 0, n;
	struct alert_cols cols;
	PGresult *r;

	*next_cursor = NULL;
	pthread_once(&history_once, history_build);
	if (f->cursor && cursor_parse(f->cursor, &ct, &cid) < 0)
		return ST_INVALID;
	mask |= f->state && strcmp(f->state, "open") != 0 ? HF_STATE : 0;
	mask |= f->state && strcmp(f->state, "open") == 0 ? HF_OPEN : 0;
	mask |= f->severity ? HF_SEVERITY : 0;
	mask |= f->rule_id ? HF_RULE : 0;
	mask |= f->kpi ? HF_KPI : 0;
	mask |= f->has_since ? HF_SINCE : 0;
	mask |= f->has_until ? HF_UNTIL : 0;
	mask |= f->cursor ? HF_CURSOR : 0;
	if (f->has_since)
		time_format_iso(f->since_us, since, sizeof(since));
	if (f->has_until)
		time_format_iso(f->until_us, until, sizeof(until));
	if (f->cursor)
		time_format_iso(ct, cur_t, sizeof(cur_t));
	/* one extra row says whether there is a next page */
	r = DB_EXEC(db, &history_stmts[mask], f->state, f->severity,
	    f->rule_id ? db_i64_param(f->rule_id, rule) : NULL, f->kpi,
	    f->has_since ? since : NULL, f->has_until ? until : NULL,
	    f->cursor ? cur_t : NULL, f->cursor ? db_i64_param(cid, cur_id) : NULL,
	    db_i64_param(f->limit + 1, limit));
	if (r == NULL)
		return ST_ERROR;
	n = PQntuples(r);
	if (meta) {
		/* an empty page does not say which version it was read at */
		meta->version = n > 0 ? db_i64(r, 0, "read_version") : -1;
		meta->until_us = READ_VERSION_FOREVER;
	}
	alert_cols(r, &cols);
	buf_putc(items, '[');
	for (int i = 0; i < n && i < f->limit; i++) {
		if (i > 0)
			buf_putc(items, ',');
		alert_write(items, r, i, &cols);
	}
	buf_putc(items, ']');
	if (n > f->limit)
		*next_cursor = cursor_make(db_i64(r, f->limit - 1, "triggered_us"),
		    db_i64(r, f->limit - 1, "id"));
	PQclear(r);
	return ST_OK;
}

enum store_rc alert_history(struct db *db, const struct history_filter *f,
    json_t **items, char **next_cursor)
{
	struct buf text;
	enum store_rc rc;

	buf_init(&text);
	*items = NULL;
	rc = alert_history_text(db, f, &text, next_cursor, NULL);
	if (rc == ST_OK) {
		*items = json_loadb(text.data, text.len, 0, NULL);
		if (*items == NULL)
			rc = ST_ERROR;
	}
	buf_free(&text);
	return rc;
}

DB_STMT(q_alert_one, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.id = $1::bigint");

enum store_rc alert_get(struct db *db, int64_t id, json_t **out)
{
	return store_get_by_id(db, &q_alert_one, id, alert_json, out);
}

/*
 * The counters come from the delta tables of migration 0003 (a few rows
 * each); only the partial hour at the start of each window is counted from
 * the alerts' indexes, so nothing scans the alerts and every figure is
 * exact. $1/$3: 24 hours / 7 days ago; $2/$4: the next whole hour after.
 */
DB_STMT(q_summary,
    "SELECT 'c' AS part, name, sum(n)::float8 AS a, 0::float8 AS b, 0::float8 AS c"
    "  FROM counter_deltas GROUP BY name"
    " UNION ALL"
    " SELECT 'hours', NULL,"
    "        (coalesce(sum(h.resolved) FILTER (WHERE h.hour >= $2::timestamptz), 0) + e.r)::float8,"
    "        (coalesce(sum(h.acked), 0) + e.n)::float8,"
    "        (coalesce(sum(h.ack_seconds), 0) + e.s)::float8"
    "   FROM (SELECT (SELECT count(*) FROM alerts WHERE state = 'resolved'"
    "                   AND resolved_at > $1::timestamptz AND resolved_at < $2::timestamptz) AS r,"
    "                count(*) AS n,"
    "                coalesce(sum(extract(epoch FROM acknowledged_at - triggered_at)), 0) AS s"
    "           FROM alerts WHERE acknowledged_at > $3::timestamptz"
    "            AND acknowledged_at < $4::timestamptz) e"
    "   LEFT JOIN alert_hour_deltas h ON h.hour >= $4::timestamptz"
    "  GROUP BY e.r, e.n, e.s"
    " UNION ALL"
    " SELECT 'eval', NULL, (extract(epoch FROM finished_at) * 1000000)::float8, 0, 0"
    "   FROM job_runs WHERE job = 'evaluate'"
    /* for the read cache: the version read, and when the windows next lose
     * an alert (the oldest resolve within 24 h, acknowledgement within 7 d) */
    " UNION ALL"
    " SELECT 'ver', NULL, " READ_VERSION_SQL "::float8,"
    "        coalesce((extract(epoch FROM least("
    "            (SELECT resolved_at FROM alerts WHERE state = 'resolved'"
    "               AND resolved_at > $1::timestamptz ORDER BY resolved_at LIMIT 1)"
    "              + interval '24 hours',"
    "            (SELECT acknowledged_at FROM alerts WHERE acknowledged_at > $3::timestamptz"
    "               ORDER BY acknowledged_at LIMIT 1)"
    "              + interval '7 days')) * 1000000)::float8, -1), 0");

#define HOUR_US (INT64_C(3600) * 1000000)

enum store_rc alert_summary(struct db *db, json_t **out, struct read_meta *meta)
{
	int64_t now = time_now_us(), d1 = now - 24 * HOUR_US, d7 = now - 168 * HOUR_US;
	int64_t h1 = d1 - d1 % HOUR_US + HOUR_US, h7 = d7 - d7 % HOUR_US + HOUR_US;
	char s1[40], s2[40], s3[40], s4[40];
	double firing = 0, acked = 0, sev[3] = {0}, rules = 0, enabled = 0, dead = 0;
	double resolved = 0, ack_n = 0, ack_secs = 0, eval_us = -1, crit_firing = 0;
	PGresult *r;

	*out = NULL;
	if (meta)
		meta->version = -1;
	time_format_iso(d1, s1, sizeof(s1));
	time_format_iso(h1, s2, sizeof(s2));
	time_format_iso(d7, s3, sizeof(s3));
	time_format_iso(h7, s4, sizeof(s4));
	r = DB_EXEC(db, &q_summary, s1, s2, s3, s4);
	if (r == NULL)
		return ST_ERROR;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *part = db_str(r, i, "part"), *name = db_str(r, i, "name");
		double a = db_f64(r, i, "a");

		if (strcmp(part, "hours") == 0) {
			resolved = a;
			ack_n = db_f64(r, i, "b");
			ack_secs = db_f64(r, i, "c");
		} else if (strcmp(part, "eval") == 0) {
			eval_us = a;
		} else if (strcmp(part, "ver") == 0) {
			double until = db_f64(r, i, "b");
			if (meta) {
				meta->version = (int64_t)a;
				meta->until_us = until < 0 ? READ_VERSION_FOREVER : (int64_t)until;
			}
		} else if (strncmp(name, "open:", 5) == 0) {
			/* open:<state>:<severity> */
			const char *sv = strchr(name + 5, ':');
			if (strncmp(name + 5, "firing:", 7) == 0) {
				firing += a;
				crit_firing += sv && strcmp(sv + 1, "critical") == 0 ? a : 0;
			} else
				acked += a;
			if (sv && strcmp(sv + 1, "info") == 0)
				sev[0] += a;
			else if (sv && strcmp(sv + 1, "warning") == 0)
				sev[1] += a;
			else if (sv)
				sev[2] += a;
		} else if (strcmp(name, "rules:total") == 0) {
			rules = a;
		} else if (strcmp(name, "rules:enabled") == 0) {
			enabled = a;
		} else if (strcmp(name, "mail:dead") == 0) {
			dead = a;
		}
	}
	PQclear(r);
	{
		char last[40];
		if (eval_us >= 0)
			time_format_iso((int64_t)eval_us, last, sizeof(last));
		*out = json_pack("{sI sI sI sI s{sI sI sI} s{sI sI} so so sI}",
		    "firing", (json_int_t)firing, "acknowledged", (json_int_t)acked,
		    "critical_firing", (json_int_t)crit_firing,
		    "resolved_24h", (json_int_t)resolved,
		    "by_severity", "info", (json_int_t)sev[0], "warning", (json_int_t)sev[1],
		    "critical", (json_int_t)sev[2],
		    "rules", "total", (json_int_t)rules, "enabled", (json_int_t)enabled,
		    "last_evaluation_at", eval_us >= 0 ? json_string(last) : json_null(),
		    "mtta_seconds", ack_n > 0 ? json_num(round(ack_secs / ack_n * 10) / 10) : json_null(),
		    "mail_dead", (json_int_t)dead);
	}
	return ST_OK;
}

DB_STMT(q_system_open,
    "SELECT " ALERT_COLUMNS " FROM alerts a JOIN alert_rules r ON r.id = a.rule_id"
    " WHERE r.kind = 'system' AND a.state IN ('firing', 'acknowledged')"
    " ORDER BY a.triggered_at DESC, a.id DESC");

/* The alerts of result r (cleared; NULL: the query failed) as a JSON array into *out. */
static enum store_rc alerts_array(PGresult *r, json_t **out)
{
	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	*out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(*out, alert_json(r, i));
	PQclear(r);
	return ST_OK;
}

enum store_rc alert_system_open(struct db *db, json_t **out)
{
	return alerts_array(DB_EXEC(db, &q_system_open), out);
}

/*
 * The shop's open alerts as the dashboard lists them: the most severe
 * first and, within a severity, the oldest first (the one waiting longest
 * is the one an escalation is about to reach).
 */
#define OPEN_SHOP "a.state IN ('firing', 'acknowledged') AND a.kpi_key <> '" SYSTEM_KPI "'"
DB_STMT(q_open_page,
    "SELECT " ALERT_COLUMNS " FROM alerts a WHERE " OPEN_SHOP
    " ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,"
    "          a.triggered_at, a.id"
    " OFFSET $1::bigint LIMIT $2::bigint");
DB_STMT(q_open_count, "SELECT count(*) AS total FROM alerts a WHERE " OPEN_SHOP);

enum store_rc alert_open_page(struct db *db, int64_t offset, int64_t limit, json_t **out,
    int64_t *total)
{
	char off[24], lim[24];
	PGresult *r;

	*out = NULL;
	*total = 0;
	/* the count first: a page past the end still says how many there are */
	if ((r = DB_EXEC(db, &q_open_count)) == NULL)
		return ST_ERROR;
	*total = db_i64(r, 0, "total");
	PQclear(r);
	return alerts_array(DB_EXEC(db, &q_open_page, db_i64_param(offset, off),
	    db_i64_param(limit, lim)), out);
}
