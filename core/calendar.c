/*
 * calendar.c - see calendar.h.
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

const char *const calendar_wday_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int calendar_wday(const char *name)
{
	for (int i = 0; i < 7; i++)
		if (name && strcmp(name, calendar_wday_names[i]) == 0)
			return i;
	return -1;
}

int calendar_hhmm(const char *s)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static int real_date(const char *s)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, n = 0;

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-' || y < 1970 || y > 9999 || m < 1 || m > 12 ||
	    d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int cmp_interval(const void *a, const void *b)
{
	return ((const struct cal_interval *)a)->from - ((const struct cal_interval *)b)->from;
}

static int cmp_closed(const void *a, const void *b)
{
	return strcmp(((const struct cal_closed *)a)->date, ((const struct cal_closed *)b)->date);
}

/* One weekday's list of ["HH:MM","HH:MM"] pairs. */
static int decode_day(const json_t *list, const char *name, struct cal_day *day,
    struct verror *err)
{
	char f[48];
	size_t i;
	const json_t *p;

	snprintf(f, sizeof(f), "hours.%s", name);
	if (!json_is_array(list)) {
		verror_set(err, 422, "invalid_type", f, "%s must be a list of [from, to] pairs", f);
		return -1;
	}
	if (json_array_size(list) > CAL_MAX_INTERVALS) {
		verror_set(err, 422, "out_of_range", f, "%s has at most %d intervals", f,
		    CAL_MAX_INTERVALS);
		return -1;
	}
	json_array_foreach(list, i, p) {
		int a = json_array_size(p) == 2 ? calendar_hhmm(json_string_value(json_array_get(p, 0))) : -1;
		int b = json_array_size(p) == 2 ? calendar_hhmm(json_string_value(json_array_get(p, 1))) : -1;
		if (a < 0 || b < 0) {
			verror_set(err, 422, "invalid_value", f,
			    "%s: each interval is [\"HH:MM\", \"HH:MM\"] within 00:00-24:00", f);
			return -1;
		}
		if (a >= b) {
			verror_set(err, 422, "invalid_value", f, "%s: an interval ends after it starts", f);
			return -1;
		}
		day->iv[i] = (struct cal_interval){a, b};
	}
	day->n = (int)json_array_size(list);
	qsort(day->iv, (size_t)day->n, sizeof(day->iv[0]), cmp_interval);
	for (int k = 1; k < day->n; k++)
		if (day->iv[k].from < day->iv[k - 1].to) {
			verror_set(err, 422, "invalid_value", f, "%s: intervals overlap", f);
			return -1;
		}
	return 0;
}

static int decode_hours(const json_t *hours, struct calendar *cal, struct verror *err)
{
	const char *k;
	const json_t *v;

	if (!json_is_object(hours)) {
		verror_set(err, 422, "invalid_type", "hours", "hours must be an object of weekdays");
		return -1;
	}
	json_object_foreach((json_t *)hours, k, v)
		if (calendar_wday(k) < 0) {
			verror_set(err, 400, "unknown_field", "hours",
			    "hours has no weekday \"%.40s\" (mon ... sun)", k);
			return -1;
		}
	for (int d = 0; d < 7; d++) {
		const char *name = calendar_wday_names[d];
		if (json_object_get(hours, name) == NULL) {
			verror_set(err, 422, "missing_field", "hours", "hours.%s is required", name);
			return -1;
		}
		if (decode_day(json_object_get(hours, name), name, &cal->week[d], err) < 0)
			return -1;
	}
	return 0;
}

static int decode_closed_one(const json_t *o, struct cal_closed *c, struct verror *err)
{
	const char *date = json_string_value(json_object_get(o, "date"));
	const char *reason = json_string_value(json_object_get(o, "reason"));
	size_t n = reason ? utf8_len(reason) : 0;

	if (!json_is_object(o) || json_object_size(o) != 2 || !date || !reason) {
		verror_set(err, 422, "invalid_type", "closed_days",
		    "each closed day is {\"date\": \"YYYY-MM-DD\", \"reason\": \"...\"}");
		return -1;
	}
	if (!real_date(date)) {
		verror_set(err, 422, "invalid_value", "closed_days", "%.20s is not a real date", date);
		return -1;
	}
	if (n < 1 || n > CAL_REASON_MAX || !valid_text_line(reason)) {
		verror_set(err, 422, "invalid_value", "closed_days",
		    "a reason is 1-%d printable characters on one line", CAL_REASON_MAX);
		return -1;
	}
	memcpy(c->date, date, 11);
	c->reason = reason;
	return 0;
}

static int decode_closed(const json_t *days, struct calendar *cal, struct verror *err)
{
	size_t i, n = json_array_size(days);
	const json_t *o;

	if (days == NULL)
		return 0;
	if (!json_is_array(days) || n > CAL_MAX_CLOSED) {
		verror_set(err, 422, "invalid_type", "closed_days",
		    "closed_days must be a list of at most %d days", CAL_MAX_CLOSED);
		return -1;
	}
	cal->closed = xcalloc(n + 1, sizeof(*cal->closed));
	json_array_foreach(days, i, o) {
		if (decode_closed_one(o, &cal->closed[i], err) < 0)
			return -1;
		cal->nclosed++;
	}
	qsort(cal->closed, n, sizeof(*cal->closed), cmp_closed);
	for (size_t k = 1; k < n; k++)
		if (strcmp(cal->closed[k].date, cal->closed[k - 1].date) == 0) {
			verror_set(err, 422, "invalid_value", "closed_days", "%s is listed twice",
			    cal->closed[k].date);
			return -1;
		}
	return 0;
}

int calendar_decode(const json_t *obj, struct calendar *cal, struct verror *err)
{
	const char *k;
	const json_t *v;

	memset(cal, 0, sizeof(*cal));
	if (!json_is_object(obj)) {
		verror_set(err, 400, "invalid_body", NULL, "the body must be a JSON object");
		return -1;
	}
	json_object_foreach((json_t *)obj, k, v)
		if (strcmp(k, "hours") != 0 && strcmp(k, "closed_days") != 0) {
			verror_set(err, 400, "unknown_field", k, "unknown field \"%.40s\"", k);
			return -1;
		}
	if (json_object_get(obj, "hours") == NULL) {
		verror_set(err, 422, "missing_field", "hours", "hours is required");
		return -1;
	}
	if (decode_hours(json_object_get(obj, "hours"), cal, err) < 0 ||
	    decode_closed(json_object_get(obj, "closed_days"), cal, err) < 0) {
		calendar_free(cal);
		return -1;
	}
	return 0;
}

void calendar_free(struct calendar *cal)
{
	free(cal->closed);
	cal->closed = NULL;
	cal->nclosed = 0;
}

static json_t *hhmm_json(int minutes)
{
	char b[16];

	snprintf(b, sizeof(b), "%02d:%02d", minutes / 60 % 100, minutes % 60);
	return json_string(b);
}

json_t *calendar_json(const struct calendar *cal)
{
	json_t *hours = json_object(), *closed = json_array();

	for (int d = 0; d < 7; d++) {
		json_t *list = json_array();
		for (int i = 0; i < cal->week[d].n; i++)
			json_array_append_new(list, json_pack("[oo]", hhmm_json(cal->week[d].iv[i].from),
			    hhmm_json(cal->week[d].iv[i].to)));
		json_object_set_new(hours, calendar_wday_names[d], list);
	}
	for (int i = 0; i < cal->nclosed; i++)
		json_array_append_new(closed, json_pack("{ss ss}", "date", cal->closed[i].date,
		    "reason", cal->closed[i].reason));
	return json_pack("{so so}", "hours", hours, "closed_days", closed);
}

int calendar_open(const struct calendar *cal, const struct cal_local *at)
{
	const struct cal_day *day;

	if (at->wday < 0 || at->wday > 6)
		return 0;
	for (int i = 0; i < cal->nclosed; i++)
		if (strcmp(cal->closed[i].date, at->date) == 0)
			return 0;
	day = &cal->week[at->wday];
	for (int i = 0; i < day->n; i++)
		if (at->minute >= day->iv[i].from && at->minute < day->iv[i].to)
			return 1;
	return 0;
}

int calendar_local(int64_t t_us, struct cal_local *out)
{
	time_t t = (time_t)(t_us >= 0 ? t_us / 1000000 : (t_us - 999999) / 1000000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	if (strftime(out->date, sizeof(out->date), "%Y-%m-%d", &tm) != 10)
		return -1;
	out->wday = (tm.tm_wday + 6) % 7;
	out->minute = tm.tm_hour * 60 + tm.tm_min;
	return 0;
}

int calendar_rule_active(const char *active_hours, int shop_open)
{
	if (strcmp(active_hours, "open") == 0)
		return shop_open;
	if (strcmp(active_hours, "closed") == 0)
		return !shop_open;
	return 1;
}
