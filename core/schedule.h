/*
 * schedule.h - when each job runs: the one table the systemd timers are
 * written from at install time (`goldwatch-admin schedule` prints their
 * OnCalendar= lines) and goldwatch-scheduler follows in the `make run`
 * stack, and the next moment a job is due after a given one.
 *
 * Times of day are in the process's local time (TZ, else the host's), as
 * systemd reads an OnCalendar= without a zone: the host's clock, not the
 * shop's GOLDWATCH_TIMEZONE. A daily time the clocks skip that day (spring
 * forward) is skipped; one they pass twice (fall back) counts once, the
 * first time: what systemd does.
 */
#ifndef GW_SCHEDULE_H
#define GW_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/* The digest's time of day unless one is configured (make install
 * DIGEST_TIME=HH:MM, goldwatch-scheduler --digest-time). */
#define SCHEDULE_DIGEST_TIME "07:00"

/* How often goldwatch-evaluate runs: the evaluation step, which the
 * seasonal baseline (baseline.h) also matches its samples within. */
#define SCHEDULE_EVAL_PERIOD_S 300

enum schedule_kind {
	SCHEDULE_EVERY,     /* every period_s seconds, at multiples of it */
	SCHEDULE_DAILY,     /* once a day at minute_of_day, local time */
};

struct schedule_job {
	const char *job;          /* "evaluate": the binary goldwatch-evaluate */
	enum schedule_kind kind;
	int64_t period_s;         /* SCHEDULE_EVERY */
	int minute_of_day;        /* SCHEDULE_DAILY: 0..1439 */
	int service;              /* 1: the timer only restarts a service that
	                           * runs of its own (goldwatch-mailer --serve) */
};

enum { SCHEDULE_JOBS = 5 };

struct schedule {
	struct schedule_job jobs[SCHEDULE_JOBS];
};

/*
 * Fills s with the shipped schedule, the digest at digest_hhmm ("HH:MM",
 * NULL: SCHEDULE_DIGEST_TIME). 0, or -1 when digest_hhmm is no time of day.
 */
int schedule_init(struct schedule *s, const char *digest_hhmm);
/* The entry of job in s, or NULL. */
const struct schedule_job *schedule_find(const struct schedule *s, const char *job);
/* "HH:MM" (00:00-23:59) into minutes after midnight: 0, or -1. */
int schedule_parse_hhmm(const char *s, int *minute_of_day);
/* The first moment strictly after after_us (µs since the epoch) at which j
 * is due. */
int64_t schedule_next(const struct schedule_job *j, int64_t after_us);
/* The slot of j that at_us (µs since the epoch) falls in, as its start:
 * the period's multiple at or before it, or for a daily job the local
 * midnight of its day. A timer's run claims it (job_slots.h). */
int64_t schedule_slot(const struct schedule_job *j, int64_t at_us);
/* The evaluation step at_us falls in (goldwatch-evaluate's slot): an sql
 * KPI has one sample per step, and it is the moment that sample stands for. */
int64_t schedule_eval_step(int64_t at_us);
/* j as a systemd OnCalendar= value ("*:0/5", "*-*-* 07:00:00") into out;
 * "" for a period that is no whole number of minutes dividing an hour. */
void schedule_calendar(const struct schedule_job *j, char *out, size_t outlen);
/* j in words ("every 5 minutes", "daily at 07:00") into out. */
void schedule_describe(const struct schedule_job *j, char *out, size_t outlen);

#endif
