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
	int now_given;
	int json;            /* --json: print the result as JSON on stdout */
	int nargs;           /* the job's own options, in order: name, value, ... */
	const char **args;
	int64_t mail_mark;   /* the newest outbox id before the job's work */
	int mail_ok;         /* the mail settings are usable */
};

/*
 * Parses argv with getopt_long: --now, --json, --help (-h) and the job's
 * own options own[] ({"--rule", NULL}), each of which takes a value
 * ("--rule 5" or "--rule=5") and is collected into j->args in order. Then
 * loads config and templates and connects. Returns 0; or prints one line
 * and returns the exit status to use (1 failure, 2 usage).
 */
int job_open(struct job *j, const char *name, int argc, char **argv,
    const char *const *own, const char *usage);
void job_close(struct job *j);
/* Records the run in job_runs (name, start = --now, result). 0 or -1. */
int job_record(struct job *j, const char *result_json);
/*
 * Mail the job queues goes out right after its commit, not a minute later
 * with the mailer: job_mail_mark() before the work notes the newest outbox
 * row (and checks the mail settings once, logging what is wrong);
 * job_mail_deliver() after the commit delivers the rows queued since, for
 * at most MAIL_AFTER_COMMIT_US, and returns how many went (what fails or is
 * left stays queued for goldwatch-mailer). 0/-1, and the count.
 */
int job_mail_mark(struct job *j);
int job_mail_deliver(struct job *j, int queued);
/* The value of own option name ("--rule") at or after index *i, or NULL. */
const char *job_arg(const struct job *j, const char *name, int *i);

#endif
