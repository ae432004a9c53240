/*
 * job_runs.h - the last run of each job (table job_runs: name, start,
 * finish, result), which the summary and the health check read.
 */
#ifndef GW_JOB_RUNS_H
#define GW_JOB_RUNS_H

#include <stdint.h>

#include "db.h"

/* Records a finished run of job (short name: "evaluate") that started at
 * started_iso with its result (JSON text). 0 or -1. */
int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json);

/* When the last run of job started, in µs since the epoch, into
 * *started_us (-1: it never ran). 0, or -1 on a database error. */
int job_runs_last_start(struct db *db, const char *job, int64_t *started_us);

#endif
