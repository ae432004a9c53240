/*
 * job.h - what every timer job shares: options (--now=ISO8601 instead of
 * the clock, --json, --help), configuration, templates, the database. A
 * job's main is: job_open, one core call, one summary line, job_close,
 * exit status. Binary plumbing: only jobs/ includes it.
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
	int64_t mono_us;     /* the monotonic clock at start: the run's duration */
	int now_given;
	int slot;            /* --slot: a timer's run, which claims its slot */
	int64_t slot_us;     /* the slot claimed (schedule_slot of now_us) */
	int slot_claimed;
	int json;            /* --json: print the result as JSON on stdout */
	int nargs;           /* the job's own options, in order: name, value, ... */
	const char **args;
};

/* One of a job's own options: "--rule" takes a value ("--rule 5" or
 * "--rule=5"); with flag set it takes none ("--serve"). */
struct job_opt {
	const char *name;
	int flag;
};

/*
 * Parses argv with getopt_long: --now, --json, --help (-h) and the job's
 * own options own[] (ending with a NULL name), collected into j->args in
 * order as name and value (a flag's value is ""). Then
 * loads config and templates and connects. With --slot (what the timers
 * pass) it then claims the job's schedule slot at now (job_slots.h).
 * Returns 0; or prints one line and returns the exit status to hand to
 * job_close (1 failure, 2 usage, JOB_SLOT_TAKEN: another run had the
 * slot, which exits 0).
 */
enum { JOB_SLOT_TAKEN = -2 };
int job_open(struct job *j, const char *name, int argc, char **argv,
    const struct job_opt *own, const char *usage);
/* Ends the run whose exit status is rc: marks a claimed slot finished
 * (ok when rc is 0), disconnects, frees. Returns the process's exit status:
 * rc, or 0 for JOB_SLOT_TAKEN. */
int job_close(struct job *j, int rc);
/* Records the run in job_runs (name, start = --now, result, duration). 0 or -1. */
int job_record(struct job *j, const char *result_json);
/* Records a failed run when the database can still be reached: what
 * /metrics, /api/status and system.job_failed see. The error is what
 * failed ("evaluation failed") and the last error line the run logged
 * (log_last_error: already free of secrets). 0 or -1. */
int job_record_failure(struct job *j, const char *what);
/* The value of own option name ("--rule") at or after index *i, or NULL
 * (a flag given: ""). */
const char *job_arg(const struct job *j, const char *name, int *i);

#endif
