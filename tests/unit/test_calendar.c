/*
 * test_calendar.c - the shop's calendar: open or closed at an instant in
 * Europe/London (10:00 and 21:00 exactly, midnight, a closed day, the days
 * the clocks change), and what calendar_decode refuses, naming the field.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

static char *saved_tz;

static int zone_london(void)
{
	const char *tz = getenv("TZ");
	saved_tz = tz ? xstrdup(tz) : NULL;
	setenv("TZ", "Europe/London", 1);
	tzset();
	return 0;
}

static int zone_back(void)
{
	if (saved_tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved_tz);
	saved_tz = NULL;
	return 0;
}

static int decode(const char *text, struct calendar *cal, struct verror *err)
{
	json_t *o = json_loads(text, 0, NULL);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	rc = calendar_decode(o, cal, err);
	/* the reasons point into o: the tests that keep them use static text */
	if (rc == 0)
		for (int i = 0; i < cal->nclosed; i++)
			cal->closed[i].reason = "kept";
	json_decref(o);
	return rc;
}

#define DEMO_WEEK "\"mon\":[[\"10:00\",\"21:00\"]],\"tue\":[[\"10:00\",\"21:00\"]]," \
	"\"wed\":[[\"10:00\",\"21:00\"]],\"thu\":[[\"10:00\",\"21:00\"]]," \
	"\"fri\":[[\"10:00\",\"21:00\"]],\"sat\":[[\"10:00\",\"21:00\"]]"

/* Whether cal says open at the UTC instant iso. */
static int open_at(const struct calendar *cal, const char *iso)
{
	int64_t us = 0;
	struct cal_local l;

	CU_ASSERT_EQUAL_FATAL(time_parse_iso(iso, &us), 0);
	CU_ASSERT_EQUAL_FATAL(calendar_local(us, &l), 0);
	return calendar_open(cal, &l);
}

static void t_edges(void)
{
	struct calendar c;
	struct verror e;

	CU_ASSERT_EQUAL_FATAL(decode("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"22:00\",\"24:00\"],"
	    "[\"00:00\",\"01:00\"]]},\"closed_days\":[{\"date\":\"2026-12-25\",\"reason\":\"Xmas\"}]}",
	    &c, &e), 0);
	/* Tuesday 1 December 2026, GMT: local time is UTC */
	CU_ASSERT_FALSE(open_at(&c, "2026-12-01T09:59:59Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-12-01T10:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-12-01T20:59:59Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-12-01T21:00:00Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-12-01T00:00:00Z"));
	/* Sunday 6th: open to midnight and from midnight, closed at Monday's 00:00 */
	CU_ASSERT_TRUE(open_at(&c, "2026-12-06T00:00:00Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-12-06T01:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-12-06T23:59:59Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-12-07T00:00:00Z"));
	/* a closed day, and the days around it */
	CU_ASSERT_TRUE(open_at(&c, "2026-12-24T12:00:00Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-12-25T12:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-12-26T12:00:00Z"));
	calendar_free(&c);
}

static void t_dst(void)
{
	struct calendar c;
	struct verror e;

	CU_ASSERT_EQUAL_FATAL(decode("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"01:00\",\"02:00\"],"
	    "[\"10:00\",\"21:00\"]]}}", &c, &e), 0);
	/* Sunday 29 March 2026, 23 hours: 10:00 BST is 09:00Z, 21:00 BST 20:00Z */
	CU_ASSERT_FALSE(open_at(&c, "2026-03-29T08:59:59Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-03-29T09:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-03-29T19:59:59Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-03-29T20:00:00Z"));
	/* the skipped hour 01:00-02:00 never comes: 00:59 GMT, then 02:00 BST */
	CU_ASSERT_FALSE(open_at(&c, "2026-03-29T00:59:59Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-03-29T01:00:00Z"));
	/* Sunday 25 October 2026, 25 hours: 01:00-02:00 comes twice */
	CU_ASSERT_FALSE(open_at(&c, "2026-10-24T23:59:59Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-10-25T00:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-10-25T01:30:00Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-10-25T02:00:00Z"));
	/* and 10:00 is 10:00Z again; the Saturday before it was 09:00Z */
	CU_ASSERT_FALSE(open_at(&c, "2026-10-25T09:59:59Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-10-25T10:00:00Z"));
	CU_ASSERT_TRUE(open_at(&c, "2026-10-24T09:00:00Z"));
	CU_ASSERT_FALSE(open_at(&c, "2026-10-24T08:59:59Z"));
	calendar_free(&c);
}

/* text is refused with status and field. */
static void refused(const char *text, int status, const char *field)
{
	struct calendar c;
	struct verror e;

	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL(decode(text, &c, &e), -1);
	CU_ASSERT_EQUAL(e.status, status);
	CU_ASSERT_STRING_EQUAL(e.field, field);
	CU_ASSERT_PTR_NULL(c.closed);
}

static void t_decode(void)
{
	struct calendar c;
	struct verror e;
	json_t *j;
	char *s;

	refused("[]", 400, "");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[]},\"x\":1}", 400, "x");
	refused("{\"closed_days\":[]}", 422, "hours");
	refused("{\"hours\":{" DEMO_WEEK "}}", 422, "hours");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[],\"hol\":[]}}", 400, "hours");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"10:00\",\"24:01\"]]}}", 422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"9:00\",\"12:00\"]]}}", 422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"12:00\",\"12:00\"]]}}", 422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"10:00\",\"13:00\"],[\"12:00\",\"14:00\"]]}}",
	    422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"01:00\",\"02:00\"],[\"03:00\",\"04:00\"],"
	    "[\"05:00\",\"06:00\"],[\"07:00\",\"08:00\"],[\"09:00\",\"10:00\"]]}}", 422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":\"closed\"}}", 422, "hours.sun");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[]},\"closed_days\":[{\"date\":\"2026-02-29\","
	    "\"reason\":\"x\"}]}", 422, "closed_days");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[]},\"closed_days\":[{\"date\":\"2026-12-25\","
	    "\"reason\":\"\"}]}", 422, "closed_days");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[]},\"closed_days\":[{\"date\":\"2026-12-25\","
	    "\"reason\":\"a\\nb\"}]}", 422, "closed_days");
	refused("{\"hours\":{" DEMO_WEEK ",\"sun\":[]},\"closed_days\":[{\"date\":\"2026-12-25\","
	    "\"reason\":\"a\"},{\"date\":\"2026-12-25\",\"reason\":\"b\"}]}", 422, "closed_days");

	/* a leap day, closed Sundays, intervals and days put in order */
	CU_ASSERT_EQUAL_FATAL(decode("{\"hours\":{" DEMO_WEEK ",\"sun\":[[\"14:00\",\"18:00\"],"
	    "[\"10:00\",\"12:00\"]]},\"closed_days\":[{\"date\":\"2028-02-29\",\"reason\":\"a\"},"
	    "{\"date\":\"2026-12-25\",\"reason\":\"b\"}]}", &c, &e), 0);
	j = calendar_json(&c);
	s = json_dumps(json_object_get(j, "closed_days"), JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(s, "[{\"date\":\"2026-12-25\",\"reason\":\"kept\"},"
	    "{\"date\":\"2028-02-29\",\"reason\":\"kept\"}]");
	free(s);
	s = json_dumps(json_object_get(json_object_get(j, "hours"), "sun"), JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(s, "[[\"10:00\",\"12:00\"],[\"14:00\",\"18:00\"]]");
	free(s);
	json_decref(j);
	calendar_free(&c);
	CU_ASSERT_EQUAL(calendar_hhmm("24:00"), 1440);
	CU_ASSERT_EQUAL(calendar_hhmm("00:00"), 0);
	CU_ASSERT_EQUAL(calendar_hhmm("23:60"), -1);
}

void suite_calendar(void)
{
	static const struct test_case cases[] = {
		{"10:00 and 21:00 exactly, midnight, a closed day", t_edges},
		{"the clocks changing in Europe/London: 23- and 25-hour days", t_dst},
		{"bad calendars refused naming the field; order on output", t_decode},
		{NULL, NULL},
	};
	test_add_suite("calendar", zone_london, zone_back, cases);
}
