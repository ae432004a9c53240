/*
 * schedule.c - see schedule.h.
 *
 * Periodic slots are multiples of the period since the epoch. systemd
 * aligns "*:0/5" to the local hour instead; the table's periods (1, 5 and
 * 15 minutes) divide 15 minutes and every zone's offset from UTC is a whole
 * number of quarter hours, so both name the same instants in any zone, and
 * goldwatch-api (whose TZ is the shop's) finds the same next evaluation as
 * the scheduler.
 */
#include "schedule.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_S INT64_C(1000000)

static const struct schedule_job shipped[SCHEDULE_JOBS] = {
	{"evaluate", SCHEDULE_EVERY, SCHEDULE_EVAL_PERIOD_S, 0, 0},
	{"escalate", SCHEDULE_EVERY, 900, 0, 0},
	{"mailer", SCHEDULE_EVERY, 60, 0, 1},
	{"digest", SCHEDULE_DAILY, 0, -1, 0},      /* the configured time */
	{"cleanup", SCHEDULE_DAILY, 0, 3 * 60 + 30, 0},
};

int schedule_parse_hhmm(const char *s, int *minute_of_day)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minute_of_day = h * 60 + m;
	return 0;
}

int schedule_init(struct schedule *s, const char *digest_hhmm)
{
	int digest;

	if (schedule_parse_hhmm(digest_hhmm ? digest_hhmm : SCHEDULE_DIGEST_TIME, &digest) < 0)
		return -1;
	memcpy(s->jobs, shipped, sizeof(shipped));
	for (int i = 0; i < SCHEDULE_JOBS; i++)
		if (s->jobs[i].minute_of_day < 0)
			s->jobs[i].minute_of_day = digest;
	return 0;
}

const struct schedule_job *schedule_find(const struct schedule *s, const char *job)
{
	for (int i = 0; i < SCHEDULE_JOBS; i++)
		if (strcmp(s->jobs[i].job, job) == 0)
			return &s->jobs[i];
	return NULL;
}

/* The first time of day hh:mm on local day k after t's, or -1 when the
 * clocks skip it that day. Of a time passed twice, the first. */
static time_t daily_on(const struct tm *day, int k, int minute_of_day)
{
	static const int isdst[] = {-1, 0, 1};
	time_t best = -1;

	for (size_t v = 0; v < sizeof(isdst) / sizeof(isdst[0]); v++) {
		struct tm c = {0};
		time_t x;

		c.tm_year = day->tm_year;
		c.tm_mon = day->tm_mon;
		c.tm_mday = day->tm_mday + k;
		c.tm_hour = minute_of_day / 60;
		c.tm_min = minute_of_day % 60;
		c.tm_isdst = isdst[v];
		x = mktime(&c);
		/* mktime moves a skipped time (or one of the wrong isdst) off hh:mm */
		if (x == (time_t)-1 || c.tm_hour * 60 + c.tm_min != minute_of_day)
			continue;
		if (best == -1 || x < best)
			best = x;
	}
	return best;
}

int64_t schedule_next(const struct schedule_job *j, int64_t after_us)
{
	int64_t after_s = after_us / US_PER_S;
	time_t t;
	struct tm day;

	if (j->kind == SCHEDULE_EVERY) {
		int64_t p = j->period_s > 0 ? j->period_s : 1;
		return (after_s - after_s % p + p) * US_PER_S;
	}
	t = (time_t)after_s;
	localtime_r(&t, &day);
	/* today's may be past; a day whose time the clocks skip is passed over */
	for (int k = 0; k < 3; k++) {
		time_t x = daily_on(&day, k, j->minute_of_day);
		if (x != (time_t)-1 && (int64_t)x * US_PER_S > after_us)
			return (int64_t)x * US_PER_S;
	}
	return (after_s + 86400) * US_PER_S;   /* not reached: a day has the time */
}

int64_t schedule_slot(const struct schedule_job *j, int64_t at_us)
{
	int64_t at_s = at_us / US_PER_S;
	time_t t = (time_t)at_s;
	struct tm day;

	if (j->kind == SCHEDULE_EVERY) {
		int64_t p = j->period_s > 0 ? j->period_s : 1;
		return (at_s - at_s % p) * US_PER_S;
	}
	localtime_r(&t, &day);
	day.tm_hour = 0;
	day.tm_min = 0;
	day.tm_sec = 0;
	day.tm_isdst = -1;
	t = mktime(&day);
	return (int64_t)t * US_PER_S;
}

int64_t schedule_eval_step(int64_t at_us)
{
	static const struct schedule_job eval = {"evaluate", SCHEDULE_EVERY,
	    SCHEDULE_EVAL_PERIOD_S, 0, 0};

	return schedule_slot(&eval, at_us);
}

void schedule_calendar(const struct schedule_job *j, char *out, size_t outlen)
{
	if (j->kind == SCHEDULE_DAILY)
		snprintf(out, outlen, "*-*-* %02d:%02d:00", j->minute_of_day / 60, j->minute_of_day % 60);
	else if (j->period_s == 60)
		snprintf(out, outlen, "*:*:00");
	else if (j->period_s % 60 == 0 && 3600 % j->period_s == 0)
		snprintf(out, outlen, "*:0/%d", (int)(j->period_s / 60));
	else
		snprintf(out, outlen, "%s", "");
}

void schedule_describe(const struct schedule_job *j, char *out, size_t outlen)
{
	if (j->kind == SCHEDULE_DAILY)
		snprintf(out, outlen, "daily at %02d:%02d", j->minute_of_day / 60, j->minute_of_day % 60);
	else if (j->period_s == 60)
		snprintf(out, outlen, "every minute");
	else if (j->period_s % 60 == 0)
		snprintf(out, outlen, "every %d minutes", (int)(j->period_s / 60));
	else
		snprintf(out, outlen, "every %d s", (int)j->period_s);
}
