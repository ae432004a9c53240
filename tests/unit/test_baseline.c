/*
 * test_baseline.c - the seasonal baseline (core/baseline.c): the week
 * moments on the shop's wall clock across the DST changes of Europe/Berlin
 * (last Sundays of March and October 2026), the step a sample may be old,
 * window_weeks 1 and 12 and out of range, and the zone put back after.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

#define STEP_US (300 * INT64_C(1000000))
#define MIN_US (60 * INT64_C(1000000))

static int64_t at(const char *iso)
{
	int64_t us = 0;

	CU_ASSERT_EQUAL_FATAL(time_parse_iso(iso, &us), 0);
	return us;
}

/* Tuesday 31 March 2026 14:00 in Berlin (CEST since Sunday): the Tuesdays
 * before were CET, so 14:00 local then was 13:00 UTC, not 12:00. */
static void t_dst_spring(void)
{
	int64_t w[3];

	CU_ASSERT_EQUAL_FATAL(baseline_moments(at("2026-03-31T12:00:00Z"), "Europe/Berlin", 3, w), 0);
	CU_ASSERT_EQUAL(w[0], at("2026-03-24T13:00:00Z"));
	CU_ASSERT_EQUAL(w[1], at("2026-03-17T13:00:00Z"));
	CU_ASSERT_EQUAL(w[2], at("2026-03-10T13:00:00Z"));
}

/* Tuesday 27 October 2026 14:00 CET: the Tuesday before was CEST, 12:00 UTC. */
static void t_dst_autumn(void)
{
	int64_t w[2];

	CU_ASSERT_EQUAL_FATAL(baseline_moments(at("2026-10-27T13:00:00Z"), "Europe/Berlin", 2, w), 0);
	CU_ASSERT_EQUAL(w[0], at("2026-10-20T12:00:00Z"));
	CU_ASSERT_EQUAL(w[1], at("2026-10-13T12:00:00Z"));
	/* the shop's zone, not the process's: UTC gives the plain 7 days */
	CU_ASSERT_EQUAL_FATAL(baseline_moments(at("2026-10-27T13:00:00Z"), "UTC", 1, w), 0);
	CU_ASSERT_EQUAL(w[0], at("2026-10-20T13:00:00Z"));
}

/* Across the change the point is the local 14:00 sample, not the UTC-same one. */
static void t_dst_points(void)
{
	const struct baseline_sample s[] = {
		{at("2026-03-24T12:00:00Z"), 999},   /* 13:00 local: an hour early */
		{at("2026-03-24T13:00:00Z"), 100},   /* 14:00 local */
		{at("2026-03-17T13:00:00Z"), 200},
	};
	struct baseline b;

	CU_ASSERT_EQUAL_FATAL(baseline_of(s, 3, at("2026-03-31T12:00:00Z"), "Europe/Berlin", 2,
	    STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_DOUBLE_EQUAL(b.mean, 150, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b.stddev, sqrt(5000), 1e-9);
}

/* At or before the moment and no older than one step; the latest of those. */
static void t_step(void)
{
	int64_t now = at("2026-06-02T12:00:00Z"), wk = at("2026-05-26T12:00:00Z");
	struct baseline_sample s[] = {
		{wk - STEP_US, 10},       /* exactly a step old: counts */
		{wk + 1, 99},             /* after the moment: never */
	};
	struct baseline b;

	CU_ASSERT_EQUAL(baseline_of(s, 2, now, "UTC", 1, STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(b.mean, 10, 1e-9);
	s[0].at_us = wk - STEP_US - 1;      /* a microsecond older: none */
	CU_ASSERT_EQUAL(baseline_of(s, 2, now, "UTC", 1, STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 0);
	CU_ASSERT_TRUE(isnan(b.mean));
	{
		const struct baseline_sample two[] = {{wk - 4 * MIN_US, 1}, {wk - MIN_US, 2}};
		CU_ASSERT_EQUAL(baseline_of(two, 2, now, "UTC", 1, STEP_US, &b), 0);
		CU_ASSERT_EQUAL(b.n, 1);
		CU_ASSERT_DOUBLE_EQUAL(b.mean, 2, 1e-9);
	}
}

/* One point has a mean but no spread; two have both. */
static void t_points(void)
{
	int64_t now = at("2026-06-02T12:00:00Z");
	const struct baseline_sample s[] = {
		{now - 7 * 86400 * INT64_C(1000000), 80},
		{now - 14 * 86400 * INT64_C(1000000), 120},
	};
	struct baseline b;

	CU_ASSERT_EQUAL(baseline_of(s, 1, now, "UTC", 4, STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 1);
	CU_ASSERT_TRUE(isnan(b.stddev));
	CU_ASSERT_EQUAL(baseline_of(s, 2, now, "UTC", 4, STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_DOUBLE_EQUAL(b.mean, 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b.stddev, sqrt(800), 1e-9);
	/* window_weeks 1 sees only last week's */
	CU_ASSERT_EQUAL(baseline_of(s, 2, now, "UTC", 1, STEP_US, &b), 0);
	CU_ASSERT_EQUAL(b.n, 1);
}

static void t_weeks_bounds(void)
{
	int64_t now = at("2026-06-02T12:00:00Z"), w[BASELINE_MAX_WEEKS + 1];
	struct baseline b;

	CU_ASSERT_EQUAL(baseline_moments(now, "Europe/Berlin", 12, w), 0);
	/* twelve weeks back is 10 March, still CET: 14:00 local was 13:00 UTC */
	CU_ASSERT_EQUAL(w[11], at("2026-03-10T13:00:00Z"));
	CU_ASSERT_EQUAL(w[10], at("2026-03-17T13:00:00Z"));
	CU_ASSERT_EQUAL(w[9], at("2026-03-24T13:00:00Z"));
	CU_ASSERT_EQUAL(w[8], at("2026-03-31T12:00:00Z"));
	CU_ASSERT_EQUAL(baseline_moments(now, "Europe/Berlin", 1, w), 0);
	CU_ASSERT_EQUAL(w[0], now - 7 * 86400 * INT64_C(1000000));
	CU_ASSERT_EQUAL(baseline_moments(now, "UTC", 0, w), -1);
	CU_ASSERT_EQUAL(baseline_moments(now, "UTC", 13, w), -1);
	CU_ASSERT_EQUAL(baseline_of(NULL, 0, now, "UTC", 13, STEP_US, &b), -1);
	CU_ASSERT_EQUAL(b.n, 0);
}

/* The process's own zone is as it was: pages format times by it. */
static void t_zone_restored(void)
{
	const char *before = getenv("TZ");
	char *was = before ? xstrdup(before) : NULL;
	int64_t w[1];

	setenv("TZ", "America/New_York", 1);
	CU_ASSERT_EQUAL(baseline_moments(at("2026-06-02T12:00:00Z"), "Asia/Tokyo", 1, w), 0);
	CU_ASSERT_STRING_EQUAL(getenv("TZ"), "America/New_York");
	/* already the shop's zone (goldwatch-api): the same moments, TZ only read */
	setenv("TZ", "Europe/Berlin", 1);
	CU_ASSERT_EQUAL(baseline_moments(at("2026-03-31T12:00:00Z"), "Europe/Berlin", 1, w), 0);
	CU_ASSERT_EQUAL(w[0], at("2026-03-24T13:00:00Z"));
	CU_ASSERT_STRING_EQUAL(getenv("TZ"), "Europe/Berlin");
	if (was)
		setenv("TZ", was, 1);
	else
		unsetenv("TZ");
	free(was);
}

void suite_baseline(void)
{
	static const struct test_case cases[] = {
		{"week moments across the March DST change", t_dst_spring},
		{"week moments across the October DST change", t_dst_autumn},
		{"points on the local wall clock across DST", t_dst_points},
		{"a point is at most one step old", t_step},
		{"one point and two points", t_points},
		{"window_weeks 1, 12 and out of range", t_weeks_bounds},
		{"the process's zone is put back", t_zone_restored},
		{NULL, NULL},
	};
	test_add_suite("baseline", NULL, NULL, cases);
}
