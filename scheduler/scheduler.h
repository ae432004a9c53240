/*
 * scheduler.h - goldwatch-scheduler, the `make run` stack's stand-in for
 * the systemd timers: what it runs (an entry per job) and how it starts,
 * reaps and stops those runs (run.c). Production uses the timers.
 */
#ifndef GW_SCHEDULER_H
#define GW_SCHEDULER_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "schedule.h"

/* One thing run on a schedule: a job of the table, or the demo trade. */
struct entry {
	const char *name;            /* "evaluate", "demo-trade" */
	struct schedule_job when;
	char *argv[4];               /* argv[0]: the binary */
	char *log_path;              /* LOG_DIR/NAME.log: the run's output */
	int catch_up;                /* job_runs knows its last run */
	pid_t pid;                   /* the run going on, or 0 */
	int64_t started_mono_us;
	int64_t next_us;             /* wall clock of its next slot */
};

enum { SCHED_MAX = SCHEDULE_JOBS + 1 };

struct scheduler {
	struct entry e[SCHED_MAX];
	int n;
	int grace_s;                 /* SIGTERM: how long a run may finish */
	sigset_t run_mask;           /* the mask a run starts with */
};

/* One line on stderr: the wall-clock time, then the message. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts a run of e unless one is going on or its binary is missing (said). */
void run_start(struct entry *e, const sigset_t *run_mask);
/* Reaps every run that has ended, saying how. */
void run_reap(struct scheduler *s);
/* Waits up to s->grace_s for the runs going on, then kills what is left. */
void run_stop(struct scheduler *s);

#endif
