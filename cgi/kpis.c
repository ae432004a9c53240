/*
 * kpis.c - /api/kpis: the catalogue with each KPI's latest value, samples,
 * push KPIs (define, record a value, delete).
 */
#include <math.h>
#include <string.h>

#include "alert.h"
#include "app.h"
#include "audit.h"
#include "event.h"
#include "kpi.h"

#define KPI_WITH_LATEST \
	"SELECT " KPI_COLUMNS ", l.value AS latest_value, iso(l.sampled_at) AS latest_at" \
	"  FROM kpis k" \
	"  LEFT JOIN LATERAL (SELECT s.value, s.sampled_at FROM kpi_samples s" \
	"                      WHERE s.kpi_key = k.key" \
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

int kpis_list(struct request *req)
{
	PGresult *r = DB_EXEC(req->db, &q_kpi_list, req->q.include_deleted ? "true" : "false",
	    req->q.category);
	json_t *items;

	if (r == NULL)
		return 500;
	items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, kpi_with_latest(r, i));
	PQclear(r);
	return req_json(req, 200, json_pack("{so}", "items", items));
}

int kpis_get(struct request *req)
{
	const char *key = req_param(req, "key");
	PGresult *r = DB_EXEC(req->db, &q_kpi_one, key), *rules;
	json_t *k, *list;

	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return req_error(req, 404, "not_found", NULL, "no KPI %.64s", key);
	}
	k = kpi_with_latest(r, 0);
	PQclear(r);
	rules = DB_EXEC(req->db, &q_kpi_rules, key);
	if (rules == NULL) {
		json_decref(k);
		return 500;
	}
	list = json_array();
	for (int i = 0; i < PQntuples(rules); i++)
		json_array_append_new(list, json_pack("{sI ss sb ss}",
		    "id", (json_int_t)db_i64(rules, i, "id"), "name", db_str(rules, i, "name"),
		    "enabled", db_bool(rules, i, "enabled"), "severity", db_str(rules, i, "severity")));
	PQclear(rules);
	json_object_set_new(k, "rules", list);
	return req_json(req, 200, k);
}

DB_STMT(q_kpi_exists, "SELECT source, deleted_at IS NOT NULL AS deleted FROM kpis WHERE key = $1");
DB_STMT(q_samples,
    "SELECT value, iso(sampled_at) AS at, source FROM kpi_samples"
    " WHERE kpi_key = $1"
    "   AND ($2::timestamptz IS NULL OR sampled_at >= $2::timestamptz)"
    "   AND ($3::timestamptz IS NULL OR sampled_at <= $3::timestamptz)"
    " ORDER BY sampled_at DESC, id DESC LIMIT $4::int");

int kpis_samples(struct request *req)
{
	const char *key = req_param(req, "key");
	int64_t since = req->q.since_us, until = req->q.until_us, limit = req->q.limit;
	int has_since = req->q.has_since, has_until = req->q.has_until, rc;
	char s_since[40], s_until[40], s_limit[24];
	PGresult *r;
	json_t *items;

	r = DB_EXEC(req->db, &q_kpi_exists, key);
	if (r == NULL)
		return 500;
	rc = PQntuples(r);
	PQclear(r);
	if (rc != 1)
		return req_error(req, 404, "not_found", NULL, "no KPI %.64s", key);
	if (has_since)
		time_format_iso(since, s_since, sizeof(s_since));
	if (has_until)
		time_format_iso(until, s_until, sizeof(s_until));
	r = DB_EXEC(req->db, &q_samples, key, has_since ? s_since : NULL,
	    has_until ? s_until : NULL, db_i64_param(limit, s_limit));
	if (r == NULL)
		return 500;
	items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, json_pack("{so ss ss}",
		    "value", json_num(db_f64(r, i, "value")), "at", db_str(r, i, "at"),
		    "source", db_str(r, i, "source")));
	PQclear(r);
	return req_json(req, 200, json_pack("{ss so}", "kpi", key, "items", items));
}

static int valid_category(const char *s)
{
	return strcmp(s, "financial") == 0 || strcmp(s, "operational") == 0 ||
	    strcmp(s, "customer") == 0;
}

static const struct vfield kpi_fields[] = {
	{.name = "key", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 64,
	    .check = valid_kpi_key, .what = "must be lower-case letters, digits and _ (a letter first)"},
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 200},
	{.name = "category", .type = V_STRING, .flags = V_REQUIRED, .check = valid_category,
	    .what = "must be financial, operational or customer"},
	{.name = "unit", .type = V_STRING, .min = 0, .max = 32},
	{.name = "description", .type = V_STRING, .flags = V_MULTILINE, .min = 0, .max = 2000},
	{.name = "recommendation", .type = V_STRING, .flags = V_MULTILINE, .min = 0, .max = 2000},
	{.name = "max_age_minutes", .type = V_INT, .min = 1, .max = 525600},
};

DB_STMT(q_kpi_insert,
    "INSERT INTO kpis AS k (key, name, category, unit, description, recommendation, source,"
    "                       max_age_minutes, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'push', $7::int, NULLIF($8::bigint, 0))"
    " ON CONFLICT (key) DO NOTHING RETURNING " KPI_COLUMNS);

static const char *ostr(const json_t *o, const char *k, const char *def)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : def;
}

int kpis_create(struct request *req)
{
	struct verror err;
	char age[24], uid[24];
	const json_t *jage;
	PGresult *r;
	json_t *k;

	if (valid_object(req->json, kpi_fields, GW_ARRAY_LEN(kpi_fields), &err) < 0)
		return req_verror(req, &err);
	jage = json_object_get(req->json, "max_age_minutes");
	if (db_begin(req->db) < 0)
		return 500;
	r = DB_EXEC(req->db, &q_kpi_insert, ostr(req->json, "key", ""), ostr(req->json, "name", ""),
	    ostr(req->json, "category", ""), ostr(req->json, "unit", ""),
	    ostr(req->json, "description", ""), ostr(req->json, "recommendation", ""),
	    db_i64_param(jage ? json_integer_value(jage) : 60, age),
	    db_i64_param(req->who.user_id, uid));
	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return req_error(req, 409, "conflict", "key", "a KPI with this key exists");
	}
	k = kpi_json(r, 0);
	PQclear(r);
	if (audit_record(req->db, &req->who, "kpi.create", "kpi", json_string_value(json_object_get(k, "key")), NULL, k) < 0 ||
	    db_commit(req->db) < 0) {
		json_decref(k);
		return 500;
	}
	json_object_set_new(k, "latest", json_null());
	req_header(req, "Location: /api/kpis/%s", json_string_value(json_object_get(k, "key")));
	return req_json(req, 201, k);
}

static const struct vfield sample_fields[] = {
	{.name = "value", .type = V_NUMBER, .flags = V_REQUIRED, .dmin = -1e15, .dmax = 1e15},
	{.name = "at", .type = V_TIME},
};

/* A push KPI that exists: 0, or the error status already answered. */
static int push_kpi(struct request *req, const char *key)
{
	PGresult *r = DB_EXEC(req->db, &q_kpi_exists, key);
	int rc = 0;

	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1 || db_bool(r, 0, "deleted"))
		rc = req_error(req, 404, "not_found", NULL, "no KPI %.64s", key);
	else if (strcmp(db_str(r, 0, "source"), "push") != 0)
		rc = req_error(req, 409, "not_a_push_kpi", NULL,
		    "KPI %.64s is computed from the shop data; only push KPIs take values", key);
	PQclear(r);
	return rc;
}

DB_STMT(q_sample_insert,
    "WITH s AS (INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
    "           VALUES ($1, $2::float8, COALESCE($3::timestamptz, now()), 'push')"
    "           RETURNING kpi_key, value, sampled_at),"
    " e AS (INSERT INTO events (type, data)"
    "       SELECT 'kpi.sampled', jsonb_build_object('kpi', kpi_key, 'value', value,"
    "              'at', iso(sampled_at), 'source', 'push') FROM s)"
    " SELECT kpi_key, value, iso(sampled_at) AS at FROM s");

int kpis_push_sample(struct request *req)
{
	const char *key = req_param(req, "key");
	struct verror err;
	const json_t *jat;
	char val[32], at[40];
	int64_t at_us = 0;
	PGresult *r;
	int rc;

	if (valid_object(req->json, sample_fields, GW_ARRAY_LEN(sample_fields), &err) < 0)
		return req_verror(req, &err);
	jat = json_object_get(req->json, "at");
	if (jat && time_parse_iso(json_string_value(jat), &at_us) == 0) {
		/* a little clock skew is fine; a value from the future is not */
		if (at_us > time_now_us() + 300 * INT64_C(1000000))
			return req_error(req, 422, "out_of_range", "at",
			    "at is more than 5 minutes in the future");
		time_format_iso(at_us, at, sizeof(at));
	}
	if ((rc = push_kpi(req, key)) != 0)
		return rc;
	r = DB_EXEC(req->db, &q_sample_insert, key,
	    db_f64_param(json_number_value(json_object_get(req->json, "value")), val),
	    jat ? at : NULL);
	if (r == NULL)
		return 500;
	rc = req_json(req, 201, json_pack("{ss so ss}", "kpi", db_str(r, 0, "kpi_key"),
	    "value", json_num(db_f64(r, 0, "value")), "at", db_str(r, 0, "at")));
	PQclear(r);
	return rc;
}

DB_STMT(q_kpi_delete,
    "UPDATE kpis k SET deleted_at = now() WHERE key = $1 AND deleted_at IS NULL"
    " RETURNING " KPI_COLUMNS);

int kpis_delete(struct request *req)
{
	const char *key = req_param(req, "key");
	PGresult *r, *rules;
	json_t *k, *ids;
	int rc;

	if ((rc = push_kpi(req, key)) != 0)
		return rc;
	if (db_begin(req->db) < 0)
		return 500;
	r = DB_EXEC(req->db, &q_kpi_delete, key);
	if (r == NULL)
		return 500;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return req_error(req, 404, "not_found", NULL, "no KPI %.64s", key);
	}
	k = kpi_json(r, 0);
	PQclear(r);
	rules = DB_EXEC(req->db, &q_kpi_rules, key);
	if (rules == NULL || audit_record(req->db, &req->who, "kpi.delete", "kpi", key, k, NULL) < 0 ||
	    db_commit(req->db) < 0) {
		PQclear(rules);
		json_decref(k);
		return 500;
	}
	ids = json_array();
	for (int i = 0; i < PQntuples(rules); i++)
		json_array_append_new(ids, json_integer(db_i64(rules, i, "id")));
	PQclear(rules);
	/* rules on a deleted KPI stay, and report no data */
	json_object_set_new(k, "rules", ids);
	return req_json(req, 200, k);
}
