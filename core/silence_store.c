/*
 * silence_store.c - see silence_store.h.
 */
#include "silence_store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "calendar.h"
#include "util.h"

json_t *silence_json(const PGresult *r, int row)
{
	const char *kpi = db_str(r, row, "kpi_key"), *by = db_str(r, row, "created_by");
	json_t *rec = db_isnull(r, row, "recurrence") ? NULL :
	    json_loads(db_str(r, row, "recurrence"), 0, NULL);

	return json_pack("{sI ss so so ss ss so ss ss so ss}",
	    "id", (json_int_t)db_i64(r, row, "id"), "scope", db_str(r, row, "scope"),
	    "rule_id", db_isnull(r, row, "rule_id") ? json_null() :
	        json_integer(db_i64(r, row, "rule_id")),
	    "kpi", kpi ? json_string(kpi) : json_null(),
	    "starts_at", db_str(r, row, "starts_at"), "ends_at", db_str(r, row, "ends_at"),
	    "recurrence", rec ? rec : json_null(), "reason", db_str(r, row, "reason"), "created_at", db_str(r, row, "created_at"),
	    "created_by", by ? json_string(by) : json_null(),
	    "status", db_str(r, row, "status"));
}

DB_STMT(q_silence_list,
    "SELECT " SILENCE_COLUMNS " FROM silences s"
    " WHERE $1::text IS NULL OR ($1 = 'active' AND s.ends_at > now())"
    "    OR ($1 = 'past' AND s.ends_at <= now())"
    " ORDER BY s.ends_at > now() DESC, s.starts_at DESC, s.id DESC LIMIT 500");

enum store_rc silence_list(struct db *db, const char *which, json_t **out)
{
	return store_rows(DB_EXEC(db, &q_silence_list, which), silence_json, out);
}

DB_STMT(q_silence_get, "SELECT " SILENCE_COLUMNS " FROM silences s WHERE s.id = $1::bigint");

enum store_rc silence_get(struct db *db, int64_t id, json_t **out)
{
	return store_get_by_id(db, &q_silence_get, id, silence_json, out);
}

static int valid_scope(const char *s)
{
	return strcmp(s, "rule") == 0 || strcmp(s, "kpi") == 0 || strcmp(s, "all") == 0;
}

static int valid_weekday(const char *s)
{
	return calendar_wday(s) >= 0;
}

static int valid_hhmm(const char *s)
{
	return calendar_hhmm(s) >= 0;
}

#define SR(m) (offsetof(struct silence_recurrence, m) + 1)
static const struct vfield recurrence_fields[] = {
	{.name = "weekdays", .type = V_STRINGS, .flags = V_REQUIRED, .min = 1, .max = 7,
	    .check = valid_weekday, .what = "must be weekdays mon ... sun", .at = SR(weekdays),
	    .column = ""},
	{.name = "from", .type = V_STRING, .flags = V_REQUIRED, .check = valid_hhmm,
	    .what = "must be a time HH:MM (00:00-24:00)", .at = SR(from), .column = ""},
	{.name = "to", .type = V_STRING, .flags = V_REQUIRED, .check = valid_hhmm,
	    .what = "must be a time HH:MM (00:00-24:00)", .at = SR(to), .column = ""},
};

#define SI(m) V_AT(struct silence_input, m)
const struct vfield silence_fields[] = {
	{.name = "scope", .type = V_STRING, .flags = V_REQUIRED, .check = valid_scope,
	    .what = "must be rule, kpi or all", .at = SI(scope)},
	{.name = "rule_id", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = INT64_MAX,
	    .at = SI(rule_id), .has = SI(has_rule_id)},
	{.name = "kpi", .type = V_STRING, .flags = V_NULLABLE, .check = valid_kpi_key,
	    .what = "is not a KPI key", .at = SI(kpi), .column = "kpi_key"},
	{.name = "starts_at", .type = V_TIME, .flags = V_NULLABLE, .at = SI(starts_at_us),
	    .has = SI(has_starts_at)},
	{.name = "ends_at", .type = V_TIME, .flags = V_REQUIRED, .at = SI(ends_at_us)},
	{.name = "recurrence", .type = V_OBJECT, .flags = V_NULLABLE, .sub = recurrence_fields,
	    .nsub = GW_ARRAY_LEN(recurrence_fields), .at = SI(recurrence),
	    .has = SI(has_recurrence)},
	{.name = "reason", .type = V_STRING, .flags = V_REQUIRED | V_MULTILINE, .min = 1, .max = 1000,
	    .at = SI(reason)},
};
const size_t silence_nfields = GW_ARRAY_LEN(silence_fields);

DB_STMT(q_silence_insert,
    "WITH s AS ("
    "  INSERT INTO silences (scope, rule_id, kpi_key, starts_at, ends_at, reason, created_by,"
    "                        recurrence)"
    "  SELECT $1, $2::bigint, $3, "
    "         COALESCE('epoch'::timestamptz + $4::bigint * interval '1 microsecond', now()),"
    "         'epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6,"
    "         NULLIF($7::bigint, 0), $8::jsonb"
    "   WHERE ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM alert_rules WHERE id = $2::bigint))"
    "     AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM kpis WHERE key = $3"
    "                                      AND deleted_at IS NULL))"
    "  RETURNING *)"
    " SELECT " SILENCE_COLUMNS " FROM s");

/* A recurrence's windows: from before to, each weekday once. */
static int recurrence_check(const struct silence_recurrence *rc, struct verror *err)
{
	unsigned seen = 0;

	for (size_t i = 0; i < rc->weekdays.n; i++) {
		unsigned bit = 1u << calendar_wday(vlist_str(&rc->weekdays, i));
		if (seen & bit) {
			verror_set(err, 422, "invalid_value", "recurrence.weekdays",
			    "recurrence.weekdays names %s twice", vlist_str(&rc->weekdays, i));
			return -1;
		}
		seen |= bit;
	}
	if (calendar_hhmm(rc->from) >= calendar_hhmm(rc->to)) {
		verror_set(err, 422, "invalid_value", "recurrence.to",
		    "recurrence.to must be after recurrence.from");
		return -1;
	}
	return 0;
}

/* The recurrence as stored: {"weekdays":[...],"from":..,"to":..}; caller frees. */
static char *recurrence_text(const struct silence_recurrence *rc)
{
	json_t *days = json_array(), *o;
	char *s;

	for (size_t i = 0; i < rc->weekdays.n; i++)
		json_array_append_new(days, json_string(vlist_str(&rc->weekdays, i)));
	o = json_pack("{so ss ss}", "weekdays", days, "from", rc->from, "to", rc->to);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* What the table cannot say: the scope's own field and no other; a window ahead, within a year. */
static int silence_check(const struct silence_input *in, int64_t now, struct verror *err)
{
	int rule = strcmp(in->scope, "rule") == 0, kpi = strcmp(in->scope, "kpi") == 0;
	int64_t starts = in->has_starts_at ? in->starts_at_us : now;

	if (rule && !in->has_rule_id)
		verror_set(err, 422, "missing_field", "rule_id", "rule_id is required for scope rule");
	else if (!rule && in->has_rule_id)
		verror_set(err, 422, "not_applicable", "rule_id", "rule_id applies only to scope rule");
	else if (kpi && !in->kpi)
		verror_set(err, 422, "missing_field", "kpi", "kpi is required for scope kpi");
	else if (!kpi && in->kpi)
		verror_set(err, 422, "not_applicable", "kpi", "kpi applies only to scope kpi");
	else if (in->ends_at_us <= starts)
		verror_set(err, 422, "invalid_value", "ends_at", "ends_at must be after starts_at");
	else if (in->ends_at_us <= now)
		verror_set(err, 422, "invalid_value", "ends_at", "ends_at must be in the future");
	else if (in->ends_at_us - now > INT64_C(366) * 86400 * 1000000)
		verror_set(err, 422, "out_of_range", "ends_at", "a silence lasts at most a year");
	else if (in->has_recurrence && recurrence_check(&in->recurrence, err) < 0)
		return -1;
	else
		return 0;
	return -1;
}

enum store_rc silence_create(struct db *db, const struct principal *who,
    const struct silence_input *in, json_t **out, struct verror *err)
{
	char rid[24], uid[24], idb[24], sb[24], eb[24], *rec;
	PGresult *r;

	*out = NULL;
	if (silence_check(in, time_now_us(), err) < 0)
		return ST_INVALID;
	if (db_begin(db) < 0)
		return ST_ERROR;
	rec = in->has_recurrence ? recurrence_text(&in->recurrence) : NULL;
	r = DB_EXEC(db, &q_silence_insert, in->scope,
	    in->has_rule_id ? db_i64_param(in->rule_id, rid) : NULL, in->kpi,
	    in->has_starts_at ? db_i64_param(in->starts_at_us, sb) : NULL,
	    db_i64_param(in->ends_at_us, eb), in->reason,
	    db_i64_param(who ? who->user_id : 0, uid), rec);
	free(rec);
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		db_rollback(db);
		if (in->has_rule_id)
			verror_set(err, 422, "unknown_rule", "rule_id", "there is no such rule");
		else
			verror_set(err, 422, "unknown_kpi", "kpi", "there is no such KPI");
		return ST_INVALID;
	}
	*out = silence_json(r, 0);
	PQclear(r);
	if (audit_record(db, who, "silence.create", "silence",
	    db_i64_param(json_integer_value(json_object_get(*out, "id")), idb), NULL, *out) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		json_decref(*out);
		*out = NULL;
		return ST_ERROR;
	}
	return ST_OK;
}

DB_STMT(q_silence_lock, "SELECT " SILENCE_COLUMNS " FROM silences s WHERE s.id = $1::bigint FOR UPDATE");
DB_STMT(q_silence_end,
    "WITH s AS ("
    "  UPDATE silences SET starts_at = least(starts_at, now() - interval '1 microsecond'),"
    "         ends_at = now()"
    "   WHERE id = $1::bigint RETURNING *)"
    " SELECT " SILENCE_COLUMNS " FROM s");

enum store_rc silence_end(struct db *db, const struct principal *who, int64_t id,
    json_t **out, struct verror *err)
{
	char idb[24];
	PGresult *cur = NULL, *r = NULL;
	json_t *before = NULL;
	enum store_rc rc = ST_ERROR;

	*out = NULL;
	db_i64_param(id, idb);
	if (db_begin(db) < 0)
		return ST_ERROR;
	if ((cur = DB_EXEC(db, &q_silence_lock, idb)) == NULL)
		goto out;
	if (PQntuples(cur) != 1) {
		rc = ST_NOT_FOUND;
		goto out;
	}
	if (strcmp(db_str(cur, 0, "status"), "past") == 0) {
		verror_set(err, 409, "already_ended", NULL, "this silence has already ended");
		rc = ST_CONFLICT;
		goto out;
	}
	before = silence_json(cur, 0);
	if ((r = DB_EXEC(db, &q_silence_end, idb)) == NULL)
		goto out;
	*out = silence_json(r, 0);
	if (audit_record(db, who, "silence.end", "silence", idb, before, *out) < 0 ||
	    db_commit(db) < 0) {
		json_decref(*out);
		*out = NULL;
		goto out;
	}
	rc = ST_OK;
out:
	db_rollback(db);
	PQclear(cur);
	PQclear(r);
	json_decref(before);
	return rc;
}
