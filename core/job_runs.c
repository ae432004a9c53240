/* job_runs.c - see job_runs.h. */
#include "job_runs.h"

#include "util.h"

DB_STMT(q_job_record,
    "INSERT INTO job_runs (job, started_at, finished_at, result, ok, error, last_success_at,"
    "   duration_ms)"
    " VALUES ($1, $2::timestamptz, clock_timestamp(), $3::jsonb, true, NULL, $2::timestamptz,"
    "   $4::float8)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    "   finished_at = EXCLUDED.finished_at, result = EXCLUDED.result, ok = true, error = NULL,"
    "   last_success_at = EXCLUDED.last_success_at, duration_ms = EXCLUDED.duration_ms");

int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json, double duration_ms)
{
	char d[32];

	return DB_RUN(db, &q_job_record, job, started_iso, result_json,
	    db_f64_param(duration_ms, d));
}

DB_STMT(q_job_record_failure,
    "INSERT INTO job_runs (job, started_at, finished_at, ok, error, duration_ms)"
    " VALUES ($1, $2::timestamptz, clock_timestamp(), false, left($3, 500), $4::float8)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    "   finished_at = EXCLUDED.finished_at, ok = false, error = EXCLUDED.error,"
    "   duration_ms = EXCLUDED.duration_ms");

int job_runs_record_failure(struct db *db, const char *job, const char *started_iso,
    const char *error, double duration_ms)
{
	char d[32];

	return DB_RUN(db, &q_job_record_failure, job, started_iso, error,
	    db_f64_param(duration_ms, d));
}

DB_STMT(q_job_last_start,
    "SELECT (extract(epoch FROM started_at) * 1000000)::int8 AS us FROM job_runs WHERE job = $1");

int job_runs_last_start(struct db *db, const char *job, int64_t *started_us)
{
	PGresult *r = DB_EXEC(db, &q_job_last_start, job);

	if (r == NULL)
		return -1;
	*started_us = PQntuples(r) > 0 ? db_i64(r, 0, "us") : -1;
	PQclear(r);
	return 0;
}
