/*
 * backfill.c - see backfill.h.
 *
 * Set-based: each KPI's catalogue query is wrapped once into a session
 * function of (moment, zone), and one statement per chunk computes it at
 * every moment of the chunk (generate_series) and inserts the values. The
 * query text is the product's own (the kpis table, from migrations); it
 * goes into the function's body, not into a parameter, because a
 * parameter cannot be a query.
 */
#include "backfill.h"

#include <string.h>

#include "log.h"
#include "util.h"

#define US_PER_S INT64_C(1000000)
/* the body's quote: a query that holds it is refused, not wrapped */
#define BODY_TAG "$gw_backfill$"

/* The built-in KPIs and each one's first live sample (NULL: none). */
DB_STMT(q_kpis,
    "SELECT k.key, k.query, k.backfill_query,"
    "       (SELECT (extract(epoch FROM min(s.sampled_at)) * 1000000)::bigint"
    "          FROM kpi_samples s"
    "         WHERE s.kpi_key = k.key AND s.source <> 'backfill') AS first_live_us"
    "  FROM kpis k"
    " WHERE k.source = 'sql' AND k.deleted_at IS NULL"
    " ORDER BY k.key");

/*
 * One chunk of one KPI: the moments $2..$3 every $4 seconds that are not
 * backfilled yet, the KPI's value at each, and the finite ones stored
 * (NULL is no data: no row). Answers how many were there already and
 * how many it stored. v is MATERIALIZED: inlined, the query would run
 * once for every mention of value in the filter.
 */
DB_STMT(q_chunk,
    "WITH m AS (SELECT g AS at FROM generate_series($2::timestamptz, $3::timestamptz,"
    "                                   make_interval(secs => $4::int)) g),"
    " todo AS (SELECT at FROM m WHERE NOT EXISTS ("
    "            SELECT 1 FROM kpi_samples s WHERE s.kpi_key = $1 AND s.sampled_at = m.at"
    "               AND s.source = 'backfill')),"
    " v AS MATERIALIZED (SELECT r.at, r.value FROM pg_temp.gw_backfill_range("
    "                       (SELECT array_agg(at ORDER BY at) FROM todo), $5::text) r),"
    " ins AS (INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
    "         SELECT $1, value, at, 'backfill' FROM v"
    "          WHERE value IS NOT NULL AND value <> 'NaN'::float8"
    "            AND value <> 'Infinity'::float8 AND value <> '-Infinity'::float8"
    "         ON CONFLICT (kpi_key, sampled_at) WHERE source = 'backfill' DO NOTHING"
    "         RETURNING 1)"
    " SELECT (SELECT count(*) FROM m) - (SELECT count(*) FROM todo) AS skipped,"
    "        (SELECT count(*) FROM ins) AS stored");

/* The first multiple of step_us at or after t (moments are aligned). */
static int64_t align_up(int64_t t, int64_t step_us)
{
	int64_t q = t / step_us * step_us;

	return q < t ? q + step_us : q;
}

/* The moment-by-moment form: the catalogue query at each moment of $1. */
#define RANGE_OF_VALUE \
	"SELECT m, pg_temp.gw_backfill_value(m, $2) FROM unnest($1::timestamptz[]) AS m"

/*
 * Makes pg_temp.gw_backfill_value(moment, zone) the KPI's query, and
 * pg_temp.gw_backfill_range(moments, zone) its backfill_query (migration
 * 0011) or, without one, that query at each moment. 0 or -1.
 */
static int wrap_query(struct db *db, const char *key, const char *query, const char *range)
{
	struct buf sql;
	int rc;

	if (strstr(query, BODY_TAG) != NULL || (range && strstr(range, BODY_TAG) != NULL)) {
		log_err("KPI %s: its query holds %s; not backfilled", key, BODY_TAG);
		return -1;
	}
	buf_init(&sql);
	buf_printf(&sql, "CREATE OR REPLACE FUNCTION pg_temp.gw_backfill_value(timestamptz, text)"
	    " RETURNS float8 LANGUAGE sql STABLE AS " BODY_TAG
	    " SELECT q.value::float8 FROM (%s\n) AS q " BODY_TAG ";"
	    " CREATE OR REPLACE FUNCTION pg_temp.gw_backfill_range(timestamptz[], text)"
	    " RETURNS TABLE (at timestamptz, value float8) LANGUAGE sql STABLE AS " BODY_TAG
	    " SELECT q.at, q.value::float8 FROM (%s\n) AS q (at, value) " BODY_TAG,
	    query, range ? range : RANGE_OF_VALUE);
	rc = db_script(db, sql.data);
	buf_free(&sql);
	if (rc < 0)
		log_err("KPI %s: its query cannot be backfilled", key);
	return rc;
}

/* Moments first..last (inclusive) of one KPI, a chunk per transaction. */
static int fill_kpi(struct db *db, const struct config *cfg, const char *key, int64_t first,
    int64_t last, int64_t step_us, int64_t chunk, struct backfill_result *res)
{
	char a[40], b[40], step[24];

	db_i64_param(step_us / US_PER_S, step);
	for (int64_t c = first; c <= last; c += chunk * step_us) {
		int64_t end = c + (chunk - 1) * step_us;
		PGresult *r;

		time_format_iso(c, a, sizeof(a));
		time_format_iso(end < last ? end : last, b, sizeof(b));
		/* a day of a large shop's history may take longer than a request;
		 * a commit lost to a crash is computed again by the next run */
		if (db_begin(db) < 0 ||
		    db_script(db, "SET LOCAL statement_timeout = 0;"
		        " SET LOCAL synchronous_commit = off") < 0)
			goto fail;
		r = DB_EXEC(db, &q_chunk, key, a, b, step, cfg->timezone);
		if (r == NULL)
			goto fail;
		res->skipped += db_i64(r, 0, "skipped");
		res->stored += db_i64(r, 0, "stored");
		PQclear(r);
		if (db_commit(db) < 0)
			goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	log_err("KPI %s: backfilling %s..%s failed", key, a, b);
	return -1;
}

/* The last moment before bound (exclusive), from first on; < first: none. */
static int64_t last_before(int64_t first, int64_t bound, int64_t step_us)
{
	if (bound <= first)
		return first - step_us;
	return first + (bound - 1 - first) / step_us * step_us;
}

static void summary(const struct backfill_opts *o, int64_t first, const struct backfill_result *res)
{
	char a[40], b[40];

	time_format_iso(first, a, sizeof(a));
	time_format_iso(o->now_us, b, sizeof(b));
	log_line("backfill: %d KPIs, %lld moments every %d s from %s to before %s,"
	    " %lld samples stored, %lld skipped (already there), %d failed, %.1f s",
	    res->kpis, (long long)res->moments, o->step_s, a, b, (long long)res->stored,
	    (long long)res->skipped, res->failed, res->seconds);
}

int backfill_run(struct db *db, const struct config *cfg, const struct backfill_opts *o,
    struct backfill_result *res)
{
	const int64_t step_us = (int64_t)o->step_s * US_PER_S;
	const int64_t t0 = time_mono_us();
	const int64_t first = align_up(o->since_us, step_us);
	const int64_t day = (86400 + o->step_s - 1) / o->step_s;
	PGresult *r;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->moments = (last_before(first, o->now_us, step_us) - first) / step_us + 1;
	if (o->since_us < o->now_us - cfg->keep_samples_days * 86400 * US_PER_S)
		log_line("backfill: note: the range reaches past the samples' retention"
		    " (GOLDWATCH_RETENTION_SAMPLES_DAYS=%lld): the cleanup job deletes the older"
		    " samples", (long long)cfg->keep_samples_days);
	if ((r = DB_EXEC0(db, &q_kpis)) == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		const char *key = db_str(r, i, "key");
		const int range = !db_isnull(r, i, "backfill_query");
		/* a range form reads its window's rows once per chunk: a month of
		 * moments at a time costs about what a day does */
		const int64_t chunk = o->chunk > 0 ? o->chunk : range ? 30 * day : day;
		int64_t bound = o->now_us;

		if (!db_isnull(r, i, "first_live_us") && db_i64(r, i, "first_live_us") < bound)
			bound = db_i64(r, i, "first_live_us");
		if (wrap_query(db, key, db_str(r, i, "query"),
		    range ? db_str(r, i, "backfill_query") : NULL) < 0) {
			res->failed++;
			if (db_lost(db))
				rc = -1;
			continue;
		}
		rc = fill_kpi(db, cfg, key, first, last_before(first, bound, step_us), step_us,
		    chunk, res);
		res->kpis += rc == 0;
	}
	PQclear(r);
	res->seconds = (double)(time_mono_us() - t0) / 1e6;
	summary(o, first, res);
	return rc == 0 && res->failed == 0 ? 0 : -1;
}
