/* job_runs.c - see job_runs.h. */
#include "job_runs.h"

DB_STMT(q_job_record,
    "INSERT INTO job_runs (job, started_at, finished_at, result)"
    " VALUES ($1, $2::timestamptz, clock_timestamp(), $3::jsonb)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    "   finished_at = EXCLUDED.finished_at, result = EXCLUDED.result");

int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json)
{
	return DB_RUN(db, &q_job_record, job, started_iso, result_json);
}
