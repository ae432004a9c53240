/*
 * kpi.c - see kpi.h.
 */
#include "kpi.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "schedule.h"
#include "util.h"

DB_STMT(q_needed,
    "SELECT key, source, query FROM kpis"
    " WHERE deleted_at IS NULL AND ("
    "       ($1::bigint[] IS NULL AND source = 'sql')"
    "    OR key IN (SELECT kpi_key FROM alert_rules"
    "                WHERE enabled AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))))"
    " ORDER BY key");

/* The samples and their events, in one statement (events last). */
DB_STMT(q_store,
    "WITH s AS ("
    "  INSERT INTO kpi_samples AS x (kpi_key, value, sampled_at, source, slot)"
    "  SELECT k, v, $3::timestamptz, 'evaluation', $4::timestamptz"
    "    FROM unnest($1::text[], $2::float8[]) AS t(k, v)"
    "      ON CONFLICT (kpi_key, slot) WHERE slot IS NOT NULL"
    "      DO UPDATE SET value = EXCLUDED.value, sampled_at = EXCLUDED.sampled_at"
    "         WHERE x.sampled_at <= EXCLUDED.sampled_at"
    "  RETURNING kpi_key, value, sampled_at)"
    " INSERT INTO event_queue (type, data)"
    " SELECT 'kpi.sampled', jsonb_build_object('kpi', kpi_key, 'value', value,"
    "        'at', iso(sampled_at), 'source', 'evaluation')"
    "   FROM s ORDER BY kpi_key");

DB_STMT(q_push_latest,
    "SELECT k.key, l.value, (extract(epoch FROM l.sampled_at) * 1000000)::bigint AS at_us"
    "  FROM kpis k"
    "  CROSS JOIN LATERAL (SELECT value, sampled_at FROM kpi_samples s"
    "                       WHERE s.kpi_key = k.key AND s.sampled_at <= $2::timestamptz"
    "                       ORDER BY s.sampled_at DESC, s.id DESC LIMIT 1) l"
    " WHERE k.key = ANY($1::text[])"
    "   AND l.sampled_at > $2::timestamptz - make_interval(mins => k.max_age_minutes)");

static int run_query(struct db *db, const char *key, const char *sql,
    const char *now, const char *tz, double *value)
{
	static const Oid types[2] = {DB_OID_TIMESTAMPTZ, DB_OID_TEXT};
	const char *params[2] = {now, tz};
	PGresult *r = db_exec_text(db, sql, 2, types, params);
	int c, has = 0;

	if (r == NULL) {
		log_set_field(LOG_F_KPI, key);
		log_err("KPI %s: its query failed; counted as no data", key);
		log_set_field(LOG_F_KPI, NULL);
		return db_lost(db) ? -1 : 0;
	}
	c = PQfnumber(r, "value");
	if (c < 0 || PQntuples(r) != 1) {
		log_set_field(LOG_F_KPI, key);
		log_err("KPI %s: its query must return one row with a column named value", key);
		log_set_field(LOG_F_KPI, NULL);
	} else if (!PQgetisnull(r, 0, c)) {
		char *end;
		*value = strtod(PQgetvalue(r, 0, c), &end);
		/* NaN or infinity from a query is not a value we can store */
		has = *end == '\0' && *value == *value && *value < 1e308 && *value > -1e308;
	}
	PQclear(r);
	return has;
}

int kpi_sample(struct db *db, const struct config *cfg, int64_t now_us,
    const char *rule_ids, struct kpi_values *out)
{
	char now[40], step[40];
	PGresult *r = NULL;
	struct buf keys, vals, push;
	int rc = -1, nsql = 0, npush = 0;

	memset(out, 0, sizeof(*out));
	buf_init(&keys);
	buf_init(&vals);
	buf_init(&push);
	time_format_iso(now_us, now, sizeof(now));
	time_format_iso(schedule_eval_step(now_us), step, sizeof(step));
	r = DB_EXEC(db, &q_needed, rule_ids);
	if (r == NULL)
		goto out;
	out->n = (size_t)PQntuples(r);
	out->v = xcalloc(out->n ? out->n : 1, sizeof(*out->v));
	db_arr_begin(&keys);
	db_arr_begin(&vals);
	db_arr_begin(&push);
	for (size_t i = 0; i < out->n; i++) {
		struct kpi_value *kv = &out->v[i];
		int has;

		snprintf(kv->key, sizeof(kv->key), "%s", db_str(r, (int)i, "key"));
		kv->is_sql = strcmp(db_str(r, (int)i, "source"), "sql") == 0;
		if (!kv->is_sql) {
			db_arr_str(&push, kv->key);
			npush++;
			continue;
		}
		has = run_query(db, kv->key, db_str(r, (int)i, "query"), now, cfg->timezone,
		    &kv->value);
		if (has < 0)
			goto out;
		kv->has = has;
		kv->at_us = now_us;
		kv->moment_us = schedule_eval_step(now_us);
		if (has) {
			db_arr_str(&keys, kv->key);
			db_arr_f64(&vals, kv->value);
			nsql++;
		}
	}
	PQclear(r);
	r = NULL;
	if (nsql > 0) {
		if (DB_RUN(db, &q_store, db_arr_end(&keys), db_arr_end(&vals), now, step) < 0)
			goto out;
		events_queued(db);
		out->sampled = nsql;
	}
	if (npush > 0) {
		r = DB_EXEC(db, &q_push_latest, db_arr_end(&push), now);
		if (r == NULL)
			goto out;
		for (int i = 0; i < PQntuples(r); i++) {
			for (size_t j = 0; j < out->n; j++) {
				struct kpi_value *kv = &out->v[j];
				if (kv->is_sql || strcmp(kv->key, db_str(r, i, "key")) != 0)
					continue;
				kv->has = 1;
				kv->value = db_f64(r, i, "value");
				kv->at_us = db_i64(r, i, "at_us");
				kv->moment_us = kv->at_us;
			}
		}
	}
	rc = 0;
out:
	PQclear(r);
	buf_free(&keys);
	buf_free(&vals);
	buf_free(&push);
	if (rc < 0)
		kpi_values_free(out);
	return rc;
}

const struct kpi_value *kpi_values_get(const struct kpi_values *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return &kv->v[i];
	return NULL;
}

void kpi_values_free(struct kpi_values *kv)
{
	free(kv->v);
	memset(kv, 0, sizeof(*kv));
}
