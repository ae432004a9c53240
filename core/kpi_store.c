/*
 * kpi_store.c - see kpi_store.h.
 */
#include "kpi_store.h"

#include <string.h>

#include "alert.h"
#include "audit.h"
#include "event.h"
#include "units.h"
#include "util.h"

json_t *kpi_json(const PGresult *r, int row)
{
	const char *deleted = db_str(r, row, "deleted_at");
	/* values stay in the stored unit (grams, per gram); the currency is the shop's */
	const char *unit = db_str(r, row, "unit");
	json_t *k = json_pack("{ss ss ss ss ss ss ss ss ss}",
	    "key", db_str(r, row, "key"), "name", db_str(r, row, "name"),
	    "category", db_str(r, row, "category"), "unit", units_api(unit),
	    "display_unit", units_display(unit),
	    "description", db_str(r, row, "description"),
	    "recommendation", db_str(r, row, "recommendation"),
	    "source", db_str(r, row, "source"), "created_at", db_str(r, row, "created_at"));

	if (strcmp(db_str(r, row, "source"), "push") == 0)
		json_object_set_new(k, "max_age_minutes",
		    json_integer(db_i64(r, row, "max_age_minutes")));
	if (deleted)
		json_object_set_new(k, "deleted_at", json_string(deleted));
	return k;
}

int kpi_valid_category(const char *s)
{
	return strcmp(s, "financial") == 0 || strcmp(s, "operational") == 0 ||
	    strcmp(s, "customer") == 0;
}

#define KI(m) V_AT(struct kpi_input, m)
const struct vfield kpi_fields[] = {
	{.name = "key", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 64,
	    .check = valid_kpi_key, .what = "must be lower-case letters, digits and _ (a letter first)",
	    .at = KI(key)},
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 200, .at = KI(name)},
	{.name = "category", .type = V_STRING, .flags = V_REQUIRED, .check = kpi_valid_category,
	    .what = "must be financial, operational or customer", .at = KI(category)},
	{.name = "unit", .type = V_STRING, .min = 0, .max = 32, .sdef = "", .at = KI(unit)},
	{.name = "description", .type = V_STRING, .flags = V_MULTILINE, .min = 0, .max = 2000,
	    .sdef = "", .at = KI(description)},
	{.name = "recommendation", .type = V_STRING, .flags = V_MULTILINE, .min = 0, .max = 2000,
	    .sdef = "", .at = KI(recommendation)},
	{.name = "max_age_minutes", .type = V_INT, .min = 1, .max = 525600, .def = 60,
	    .at = KI(max_age_minutes)},
};
const size_t kpi_nfields = GW_ARRAY_LEN(kpi_fields);

#define SI(m) V_AT(struct sample_input, m)
const struct vfield sample_fields[] = {
	{.name = "value", .type = V_NUMBER, .flags = V_REQUIRED, .dmin = -1e15, .dmax = 1e15,
	    .at = SI(value)},
	{.name = "at", .type = V_TIME, .at = SI(at_us), .has = SI(has_at), .column = "sampled_at"},
	{.name = "evaluate", .type = V_BOOL, .def = 1, .at = SI(evaluate), .column = ""},
};
const size_t sample_nfields = GW_ARRAY_LEN(sample_fields);

/* The latest live value: a backfilled one is history, shown in the charts
 * but never as what the KPI is now. */
#define KPI_WITH_LATEST \
	"SELECT " KPI_COLUMNS ", l.value AS latest_value, iso(l.sampled_at) AS latest_at" \
	"  FROM kpis k" \
	"  LEFT JOIN LATERAL (SELECT s.value, s.sampled_at FROM kpi_samples s" \
	"                      WHERE s.kpi_key = k.key AND s.source <> 'backfill'" \
	"                      ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1) l ON true"

DB_STMT(q_kpi_list, KPI_WITH_LATEST
    " WHERE ($1::boolean OR k.deleted_at IS NULL)"
    "   AND ($2::text IS NULL OR k.category = $2)"
    " ORDER BY k.category, k.key");
DB_STMT(q_kpi_one, KPI_WITH_LATEST " WHERE k.key = $1");
DB_STMT(q_kpi_rules,
    "SELECT id, name, enabled, severity FROM alert_rules WHERE kpi_key = $1 ORDER BY id");

static json_t *kpi_with_latest(const PGresult *r, int row)
{
	json_t *k = kpi_json(r, row);

	if (db_isnull(r, row, "latest_value"))
		json_object_set_new(k, "latest", json_null());
	else
		json_object_set_new(k, "latest", json_pack("{so ss}",
		    "value", json_num(db_f64(r, row, "latest_value")),
		    "at", db_str(r, row, "latest_at")));
	return k;
}

enum store_rc kpi_list(struct db *db, int include_deleted, const char *category,
    json_t **out)
{
	return store_rows(DB_EXEC(db, &q_kpi_list, include_deleted ? "true" : "false", category),
	    kpi_with_latest, out);
}

static json_t *rule_brief(const PGresult *r, int row)
{
	return json_pack("{sI ss sb ss}", "id", (json_int_t)db_i64(r, row, "id"),
	    "name", db_str(r, row, "name"), "enabled", db_bool(r, row, "enabled"),
	    "severity", db_str(r, row, "severity"));
}

enum store_rc kpi_get(struct db *db, const char *key, json_t **out)
{
	PGresult *r = DB_EXEC(db, &q_kpi_one, key);
	json_t *list;

	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return ST_NOT_FOUND;
	}
	*out = kpi_with_latest(r, 0);
	PQclear(r);
	if (store_rows(DB_EXEC(db, &q_kpi_rules, key), rule_brief, &list) != ST_OK) {
		json_decref(*out);
		*out = NULL;
		return ST_ERROR;
	}
	json_object_set_new(*out, "rules", list);
	return ST_OK;
}

DB_STMT(q_kpi_exists, "SELECT source, deleted_at IS NOT NULL AS deleted FROM kpis WHERE key = $1");
DB_STMT(q_samples,
    "SELECT value, iso(sampled_at) AS at, source FROM kpi_samples"
    " WHERE kpi_key = $1"
    "   AND ($2::timestamptz IS NULL OR sampled_at >= $2::timestamptz)"
    "   AND ($3::timestamptz IS NULL OR sampled_at <= $3::timestamptz)"
    " ORDER BY sampled_at DESC, id DESC LIMIT $4::int");

/* Whether key is a KPI (deleted ones too): ST_OK, ST_NOT_FOUND or ST_ERROR. */
static enum store_rc kpi_known(struct db *db, const char *key)
{
	PGresult *r = DB_EXEC(db, &q_kpi_exists, key);
	int n;

	if (r == NULL)
		return ST_ERROR;
	n = PQntuples(r);
	PQclear(r);
	return n == 1 ? ST_OK : ST_NOT_FOUND;
}

enum store_rc kpi_samples(struct db *db, const char *key, const struct sample_range *q,
    json_t **out)
{
	char since[40], until[40], limit[24];
	enum store_rc rc = kpi_known(db, key);
	PGresult *r;
	json_t *items;

	*out = NULL;
	if (rc != ST_OK)
		return rc;
	if (q->has_since)
		time_format_iso(q->since_us, since, sizeof(since));
	if (q->has_until)
		time_format_iso(q->until_us, until, sizeof(until));
	r = DB_EXEC(db, &q_samples, key, q->has_since ? since : NULL,
	    q->has_until ? until : NULL, db_i64_param(q->limit, limit));
	if (r == NULL)
		return ST_ERROR;
	items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, json_pack("{so ss ss}",
		    "value", json_num(db_f64(r, i, "value")), "at", db_str(r, i, "at"),
		    "source", db_str(r, i, "source")));
	PQclear(r);
	*out = json_pack("{ss so}", "kpi", key, "items", items);
	return ST_OK;
}

/*
 * At most 600 points over the period, whatever the sampling rate: the
 * period in 600 slots (hours * 6 s each), the latest sample of each, so
 * 30 days of hourly history and a day every 5 minutes both fit.
 */
DB_STMT(q_kpi_chart,
    "SELECT t_us, value, source FROM ("
    "  SELECT DISTINCT ON (slot) floor(extract(epoch FROM sampled_at) / ($2::int * 6)) AS slot,"
    "         (extract(epoch FROM sampled_at) * 1000000)::bigint AS t_us, value, source"
    "    FROM kpi_samples"
    "   WHERE kpi_key = $1 AND sampled_at > now() - make_interval(hours => $2::int)"
    "   ORDER BY slot, sampled_at DESC, id DESC) s ORDER BY t_us");
DB_STMT(q_sparks,
    "SELECT kpi_key, t_us, value, source FROM ("
    "  SELECT kpi_key, (extract(epoch FROM sampled_at) * 1000000)::bigint AS t_us, value, source,"
    "         row_number() OVER (PARTITION BY kpi_key ORDER BY sampled_at DESC) AS n"
    "    FROM kpi_samples WHERE sampled_at > now() - interval '24 hours') s"
    " WHERE n <= 96 ORDER BY t_us");

/* [t_us, value, backfilled] */
static json_t *sample_point(const PGresult *r, int row)
{
	return json_pack("[I f b]", (json_int_t)db_i64(r, row, "t_us"), db_f64(r, row, "value"),
	    strcmp(db_str(r, row, "source"), "backfill") == 0);
}

enum store_rc kpi_chart(struct db *db, const char *key, int hours, json_t **out)
{
	char h[24];

	return store_rows(DB_EXEC(db, &q_kpi_chart, key, db_i64_param(hours, h)), sample_point,
	    out);
}

enum store_rc kpi_sparklines(struct db *db, json_t **out)
{
	PGresult *r = DB_EXEC0(db, &q_sparks);

	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	*out = json_object();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *key = db_str(r, i, "kpi_key");
		json_t *pts = json_object_get(*out, key);

		if (pts == NULL)
			json_object_set_new(*out, key, pts = json_array());
		json_array_append_new(pts, sample_point(r, i));
	}
	PQclear(r);
	return ST_OK;
}

DB_STMT(q_kpi_insert,
    "INSERT INTO kpis AS k (key, name, category, unit, description, recommendation, source,"
    "                       max_age_minutes, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'push', $7::int, NULLIF($8::bigint, 0))"
    " ON CONFLICT (key) DO NOTHING RETURNING " KPI_COLUMNS);

/*
 * Audits the change (before or *out) of KPI key and commits; on failure
 * rolls back and drops *out.
 */
static enum store_rc audit_commit(struct db *db, const struct principal *who,
    const char *action, const char *key, const json_t *before, json_t **out)
{
	if (audit_record(db, who, action, "kpi", key, before, before ? NULL : *out) == 0 &&
	    db_commit(db) == 0)
		return ST_OK;
	db_rollback(db);
	json_decref(*out);
	*out = NULL;
	return ST_ERROR;
}

enum store_rc kpi_create(struct db *db, const struct principal *who,
    const struct kpi_input *in, json_t **out, struct verror *err)
{
	char age[24], uid[24];
	enum store_rc rc;
	PGresult *r;

	*out = NULL;
	if (db_begin(db) < 0)
		return ST_ERROR;
	r = DB_EXEC(db, &q_kpi_insert, in->key, in->name, in->category, in->unit,
	    in->description, in->recommendation, db_i64_param(in->max_age_minutes, age),
	    db_i64_param(who ? who->user_id : 0, uid));
	if (r == NULL || PQntuples(r) != 1) {
		rc = r == NULL ? ST_ERROR : ST_CONFLICT;
		PQclear(r);
		db_rollback(db);
		if (rc == ST_CONFLICT)
			verror_set(err, 409, "conflict", "key", "a KPI with this key exists");
		return rc;
	}
	*out = kpi_json(r, 0);
	PQclear(r);
	if ((rc = audit_commit(db, who, "kpi.create", in->key, NULL, out)) == ST_OK)
		json_object_set_new(*out, "latest", json_null());
	return rc;
}

/* A push KPI that exists and is not deleted: ST_OK, else why not. */
static enum store_rc push_kpi(struct db *db, const struct db_stmt *st, const char *key,
    struct verror *err)
{
	PGresult *r = DB_EXEC(db, st, key);
	enum store_rc rc = ST_OK;

	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) != 1 || db_bool(r, 0, "deleted")) {
		rc = ST_NOT_FOUND;
	} else if (strcmp(db_str(r, 0, "source"), "push") != 0) {
		verror_set(err, 409, "not_a_push_kpi", NULL,
		    "KPI %.64s is computed from the shop data; only push KPIs take values", key);
		rc = ST_CONFLICT;
	}
	PQclear(r);
	return rc;
}

DB_STMT(q_sample_insert,
    "WITH s AS (INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
    "           VALUES ($1, $2::float8, COALESCE($3::timestamptz, now()), 'push')"
    "           RETURNING kpi_key, value, sampled_at),"
    " e AS (INSERT INTO event_queue (type, data)"
    "       SELECT 'kpi.sampled', jsonb_build_object('kpi', kpi_key, 'value', value,"
    "              'at', iso(sampled_at), 'source', 'push') FROM s)"
    " SELECT kpi_key, value, iso(sampled_at) AS at FROM s");

enum store_rc kpi_sample_push(struct db *db, const char *key, const struct sample_input *in,
    json_t **out, struct verror *err)
{
	char val[32], at[40];
	enum store_rc rc;
	PGresult *r;

	*out = NULL;
	/* a little clock skew is fine; a value from the future is not */
	if (in->has_at && in->at_us > time_now_us() + 300 * INT64_C(1000000)) {
		verror_set(err, 422, "out_of_range", "at", "at is more than 5 minutes in the future");
		return ST_INVALID;
	}
	if (in->has_at)
		time_format_iso(in->at_us, at, sizeof(at));
	if ((rc = push_kpi(db, &q_kpi_exists, key, err)) != ST_OK)
		return rc;
	r = DB_EXEC(db, &q_sample_insert, key, db_f64_param(in->value, val),
	    in->has_at ? at : NULL);
	if (r == NULL)
		return ST_ERROR;
	events_queued(db);
	*out = json_pack("{ss so ss}", "kpi", db_str(r, 0, "kpi_key"),
	    "value", json_num(db_f64(r, 0, "value")), "at", db_str(r, 0, "at"));
	PQclear(r);
	return ST_OK;
}

DB_STMT(q_kpi_lock,
    "SELECT source, deleted_at IS NOT NULL AS deleted FROM kpis WHERE key = $1 FOR UPDATE");
DB_STMT(q_kpi_delete,
    "UPDATE kpis k SET deleted_at = now() WHERE key = $1 AND deleted_at IS NULL"
    " RETURNING " KPI_COLUMNS);

/*
 * No rule (enabled or not) watches KPI key: ST_OK; else ST_CONFLICT with
 * err and *out {"rules":[{id,name,enabled,severity}]} naming them (a rule
 * on a deleted KPI could never fire again and nobody would be told).
 */
static enum store_rc kpi_unused(struct db *db, const char *key, json_t **out,
    struct verror *err)
{
	json_t *rules = NULL;
	size_t n;

	if (store_rows(DB_EXEC(db, &q_kpi_rules, key), rule_brief, &rules) != ST_OK)
		return ST_ERROR;
	if ((n = json_array_size(rules)) == 0) {
		json_decref(rules);
		return ST_OK;
	}
	verror_set(err, 409, "conflict", NULL,
	    "KPI %.64s is used by %zu rule%s; delete them or move them to another KPI first",
	    key, n, n == 1 ? "" : "s");
	*out = json_pack("{so}", "rules", rules);
	return ST_CONFLICT;
}

enum store_rc kpi_delete(struct db *db, const struct principal *who, const char *key,
    json_t **out, struct verror *err)
{
	enum store_rc rc;
	PGresult *r = NULL;

	*out = NULL;
	if (db_begin(db) < 0)
		return ST_ERROR;
	/* the checks and the change under one row lock: no delete races another */
	if ((rc = push_kpi(db, &q_kpi_lock, key, err)) != ST_OK)
		goto out;
	if ((rc = kpi_unused(db, key, out, err)) != ST_OK)
		goto out;
	rc = ST_ERROR;
	if ((r = DB_EXEC(db, &q_kpi_delete, key)) == NULL || PQntuples(r) != 1)
		goto out;
	*out = kpi_json(r, 0);
	rc = audit_commit(db, who, "kpi.delete", key, *out, out);
out:
	db_rollback(db);
	PQclear(r);
	return rc;
}
