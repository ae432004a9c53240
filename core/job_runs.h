/*
 * job_runs.h - the last run of each job (table job_runs: name, start,
 * finish, result), which the summary and the health check read.
 */
#ifndef GW_JOB_RUNS_H
#define GW_JOB_RUNS_H

#include "db.h"

/* Records a finished run of job (short name: "evaluate") that started at
 * started_iso with its result (JSON text). 0 or -1. */
int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json);

#endif
