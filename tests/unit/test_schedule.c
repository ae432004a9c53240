/*
 * test_schedule.c - the jobs' schedule table: the next slot at slot
 * boundaries, across an hour, a month and a year, across the clocks
 * changing in Europe/London (spring forward and fall back, daily and
 * periodic), daily before and after the time; the OnCalendar= lines.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

static char *saved_tz;

/* The process's zone for what follows (NULL: back to the one at start). */
static void use_zone(const char *tz)
{
	const char *v = tz ? tz : saved_tz;
	if (v)
		setenv("TZ", v, 1);
	else
		unsetenv("TZ");
	tzset();
}

static int64_t at(const char *iso)
{
	int64_t us = 0;
	CU_ASSERT_EQUAL_FATAL(time_parse_iso(iso, &us), 0);
	return us;
}

/* The next slot of job after the moment `after`, is `want`. */
static void next_is(const struct schedule *s, const char *job, const char *after,
    const char *want)
{
	const struct schedule_job *j = schedule_find(s, job);
	char got[40], w[40];

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	time_format_iso(schedule_next(j, at(after)), got, sizeof(got));
	time_format_iso(at(want), w, sizeof(w));
	if (strcmp(got, w) != 0)
		fprintf(stderr, "\n  %s after %s: %s, want %s\n", job, after, got, w);
	CU_ASSERT_STRING_EQUAL(got, w);
}

static void t_periodic(void)
{
	struct schedule s;

	use_zone("UTC");
	CU_ASSERT_EQUAL_FATAL(schedule_init(&s, NULL), 0);
	/* strictly after: a slot's own moment gives the next one */
	next_is(&s, "evaluate", "2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z");
	next_is(&s, "evaluate", "2026-12-01T10:04:59.999999Z", "2026-12-01T10:05:00Z");
	next_is(&s, "evaluate", "2026-12-01T10:05:00.000001Z", "2026-12-01T10:10:00Z");
	next_is(&s, "escalate", "2026-12-01T10:00:01Z", "2026-12-01T10:15:00Z");
	next_is(&s, "mailer", "2026-12-01T10:00:30Z", "2026-12-01T10:01:00Z");
	/* the hour, the month and the year turn */
	next_is(&s, "escalate", "2026-12-31T23:50:00Z", "2027-01-01T00:00:00Z");
	next_is(&s, "evaluate", "2027-02-28T23:59:00Z", "2027-03-01T00:00:00Z");
	/* the quarter hours stay where they are in a zone 5:45 off UTC */
	use_zone("Asia/Kathmandu");
	next_is(&s, "escalate", "2026-12-01T10:00:01+05:45", "2026-12-01T10:15:00+05:45");
	use_zone(NULL);
}

static void t_daily(void)
{
	struct schedule s;

	use_zone("UTC");
	CU_ASSERT_EQUAL_FATAL(schedule_init(&s, NULL), 0);
	next_is(&s, "digest", "2026-12-01T06:59:59Z", "2026-12-01T07:00:00Z");
	next_is(&s, "digest", "2026-12-01T07:00:00Z", "2026-12-02T07:00:00Z");
	next_is(&s, "digest", "2026-12-01T12:00:00Z", "2026-12-02T07:00:00Z");
	next_is(&s, "cleanup", "2026-01-31T03:29:59Z", "2026-01-31T03:30:00Z");
	/* month and year end */
	next_is(&s, "cleanup", "2026-01-31T04:00:00Z", "2026-02-01T03:30:00Z");
	next_is(&s, "cleanup", "2026-12-31T23:59:30Z", "2027-01-01T03:30:00Z");
	/* in the host's zone, not UTC */
	use_zone("Asia/Dubai");
	next_is(&s, "digest", "2026-12-01T06:00:00+04:00", "2026-12-01T07:00:00+04:00");
	next_is(&s, "digest", "2026-12-01T05:00:00Z", "2026-12-02T07:00:00+04:00");
	use_zone(NULL);
}

static void t_dst(void)
{
	struct schedule s, early;

	use_zone("Europe/London");
	CU_ASSERT_EQUAL_FATAL(schedule_init(&s, NULL), 0);
	/* 07:00 GMT, then 07:00 BST: 23 hours apart across the change */
	next_is(&s, "digest", "2027-03-27T06:00:00Z", "2027-03-27T07:00:00Z");
	next_is(&s, "digest", "2027-03-27T07:00:00Z", "2027-03-28T06:00:00Z");
	next_is(&s, "digest", "2027-10-30T07:00:00+01:00", "2027-10-31T07:00:00Z");
	/* the five minutes run on through 01:00 GMT = 02:00 BST */
	next_is(&s, "evaluate", "2027-03-28T00:58:00Z", "2027-03-28T01:00:00Z");
	next_is(&s, "evaluate", "2027-10-31T01:57:00+01:00", "2027-10-31T01:00:00Z");
	/* 01:30 does not exist on 28 March: skipped (as systemd does); on
	 * 31 October it comes twice: the first only */
	CU_ASSERT_EQUAL_FATAL(schedule_init(&early, "01:30"), 0);
	next_is(&early, "digest", "2027-03-27T12:00:00Z", "2027-03-29T00:30:00Z");
	next_is(&early, "digest", "2027-10-30T12:00:00Z", "2027-10-31T00:30:00Z");
	next_is(&early, "digest", "2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z");
	next_is(&early, "digest", "2027-10-31T01:00:00Z", "2027-11-01T01:30:00Z");
	use_zone(NULL);
}

static void t_table(void)
{
	struct schedule s;
	char cal[40], words[40];
	int m;

	CU_ASSERT_EQUAL_FATAL(schedule_init(&s, "18:45"), 0);
	schedule_calendar(schedule_find(&s, "evaluate"), cal, sizeof(cal));
	CU_ASSERT_STRING_EQUAL(cal, "*:0/5");
	schedule_calendar(schedule_find(&s, "escalate"), cal, sizeof(cal));
	CU_ASSERT_STRING_EQUAL(cal, "*:0/15");
	schedule_calendar(schedule_find(&s, "mailer"), cal, sizeof(cal));
	CU_ASSERT_STRING_EQUAL(cal, "*:*:00");
	schedule_calendar(schedule_find(&s, "digest"), cal, sizeof(cal));
	CU_ASSERT_STRING_EQUAL(cal, "*-*-* 18:45:00");
	schedule_calendar(schedule_find(&s, "cleanup"), cal, sizeof(cal));
	CU_ASSERT_STRING_EQUAL(cal, "*-*-* 03:30:00");
	schedule_describe(schedule_find(&s, "evaluate"), words, sizeof(words));
	CU_ASSERT_STRING_EQUAL(words, "every 5 minutes");
	schedule_describe(schedule_find(&s, "digest"), words, sizeof(words));
	CU_ASSERT_STRING_EQUAL(words, "daily at 18:45");
	CU_ASSERT_PTR_NULL(schedule_find(&s, "trade"));
	CU_ASSERT_TRUE(schedule_find(&s, "mailer")->service);
	/* every period divides a quarter hour (see schedule.c) */
	for (int i = 0; i < SCHEDULE_JOBS; i++)
		if (s.jobs[i].kind == SCHEDULE_EVERY)
			CU_ASSERT_EQUAL(900 % s.jobs[i].period_s, 0);
	/* a digest time is HH:MM of a real day */
	CU_ASSERT_EQUAL(schedule_init(&s, "24:00"), -1);
	CU_ASSERT_EQUAL(schedule_init(&s, "7:00"), -1);
	CU_ASSERT_EQUAL(schedule_init(&s, "07:60"), -1);
	CU_ASSERT_EQUAL(schedule_init(&s, "07:00 "), -1);
	CU_ASSERT_EQUAL(schedule_init(&s, ""), -1);
	CU_ASSERT_EQUAL(schedule_parse_hhmm("23:59", &m), 0);
	CU_ASSERT_EQUAL(m, 1439);
}

static int save_zone(void)
{
	const char *tz = getenv("TZ");
	saved_tz = tz ? xstrdup(tz) : NULL;
	return 0;
}

static int restore_zone(void)
{
	use_zone(NULL);
	free(saved_tz);
	saved_tz = NULL;
	return 0;
}

void suite_schedule(void)
{
	static const struct test_case cases[] = {
		{"periodic slots at boundaries, hour, month and year end", t_periodic},
		{"daily before and after the time, month end, the host's zone", t_daily},
		{"the clocks changing in Europe/London", t_dst},
		{"the table's calendars and words, bad digest times", t_table},
		{NULL, NULL},
	};
	test_add_suite("schedule", save_zone, restore_zone, cases);
}
