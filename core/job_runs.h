/*
 * job_runs.h - the last run of each job (table job_runs: name, start,
 * finish, result, and since migration 0025 its outcome: ok, error, when
 * it last succeeded, how long it took), which the summary, the health
 * check, /metrics, /api/status and the system rules read.
 */
#ifndef GW_JOB_RUNS_H
#define GW_JOB_RUNS_H

#include <stdint.h>

#include "db.h"

/* Records a successful run of job (short name: "evaluate") that started at
 * started_iso (the job's --now) with its result (JSON text) and how long
 * it took. 0 or -1. */
int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json, double duration_ms);

/* Records a failed run: ok false with error (one line, no secrets); the
 * last good run's result and last_success_at stay. 0 or -1. */
int job_runs_record_failure(struct db *db, const char *job, const char *started_iso,
    const char *error, double duration_ms);

/* When the last run of job started, in µs since the epoch, into
 * *started_us (-1: it never ran). 0, or -1 on a database error. */
int job_runs_last_start(struct db *db, const char *job, int64_t *started_us);

#endif
