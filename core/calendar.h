/*
 * calendar.h - the shop's calendar: weekly opening hours per weekday in
 * the shop's zone and closed days. Pure: no database, no clock. The store
 * (calendar_store.[ch]) keeps it; the evaluation asks calendar_open() at
 * its moment to decide which rules are active.
 *
 * Times are wall-clock minutes of the local day (0-1440): an interval is
 * the local hours it names on every day, so on a DST day (23 or 25 hours)
 * "10:00-21:00" still opens at 10:00 and closes at 21:00 on the clock.
 */
#ifndef GW_CALENDAR_H
#define GW_CALENDAR_H

#include <jansson.h>
#include <stdint.h>

#include "valid.h"

#define CAL_MAX_INTERVALS 4    /* per weekday */
#define CAL_MAX_CLOSED    366
#define CAL_REASON_MAX    200  /* characters */

struct cal_interval {
	int from, to;              /* minutes of the local day, from < to <= 1440 */
};

struct cal_day {
	struct cal_interval iv[CAL_MAX_INTERVALS];
	int n;
};

struct cal_closed {
	char date[11];             /* YYYY-MM-DD, a real date */
	const char *reason;        /* points into the decoded JSON */
};

struct calendar {
	struct cal_day week[7];    /* 0 = Monday ... 6 = Sunday */
	struct cal_closed *closed; /* sorted by date; owned */
	int nclosed;
};

/* A moment on the shop's wall clock. */
struct cal_local {
	char date[11];             /* YYYY-MM-DD */
	int wday;                  /* 0 = Monday ... 6 = Sunday */
	int minute;                /* minute of the local day, 0-1439 */
};

/* "mon" ... "sun" for 0..6. */
extern const char *const calendar_wday_names[7];
/* The index of a weekday name, or -1. */
int calendar_wday(const char *name);
/* "HH:MM" (00:00-24:00) into minutes of the day; -1 if not such a time. */
int calendar_hhmm(const char *s);

/*
 * Decodes {"hours":{"mon":[["10:00","21:00"]],...},"closed_days":[...]}
 * into *cal: every weekday given (an empty list: closed that weekday),
 * intervals from < to, not overlapping, at most CAL_MAX_INTERVALS a day;
 * closed days real dates, each once, a reason of 1-CAL_REASON_MAX
 * printable characters. 0, or -1 with *err naming the field (400 for a
 * wrong shape, 422 for a bad value). The reasons point into obj.
 */
int calendar_decode(const json_t *obj, struct calendar *cal, struct verror *err);
void calendar_free(struct calendar *cal);
/* The calendar as the API shows it (intervals in order, days by date). */
json_t *calendar_json(const struct calendar *cal);

/* Whether the shop is open at the local moment: not a closed day, and in
 * one of the weekday's intervals (from inclusive, to exclusive). */
int calendar_open(const struct calendar *cal, const struct cal_local *at);
/* The local moment of instant t_us in the process's zone (TZ). 0 or -1. */
int calendar_local(int64_t t_us, struct cal_local *out);

/*
 * Whether a rule of active_hours ("open", "closed", or "always") is
 * evaluated while the shop is open (shop_open 1) or closed (0): the
 * evaluation and the preview both ask this.
 */
int calendar_rule_active(const char *active_hours, int shop_open);

#endif
