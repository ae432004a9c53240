/*
 * job.h - what every timer job shares: options (--now=ISO8601 instead of
 * the clock, --help), configuration, templates, the database. A job's main
 * is: job_open, one core call, one summary line, job_close, exit status.
 */
#ifndef GW_JOB_H
#define GW_JOB_H

#include <stdint.h>

#include "config.h"
#include "db.h"

struct job {
	const char *name;
	struct config cfg;
	struct db *db;
	int64_t now_us;      /* --now, or the clock at start */
	int now_given;
	int json;            /* --json: print the result as JSON on stdout */
	int nargs;           /* the job's own options, in order */
	char **args;
};

/*
 * Parses argv (--now=, --json, --help; options in own[] are collected into
 * j->args for the job), loads config and templates, connects. Returns 0;
 * or prints one line and returns the exit status to use (1 failure, 2 usage).
 */
int job_open(struct job *j, const char *name, int argc, char **argv,
    const char *const *own, const char *usage);
void job_close(struct job *j);
/* Records the run in job_runs (name, start = --now, result). 0 or -1. */
int job_record(struct job *j, const char *result_json);
/* The same for any caller (the API's evaluate too). 0 or -1. */
int job_runs_record(struct db *db, const char *job, const char *started_iso,
    const char *result_json);
/* The value of own option name ("--rule") at or after index *i, or NULL. */
const char *job_arg(const struct job *j, const char *name, int *i);

#endif
