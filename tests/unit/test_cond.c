/*
 * test_cond.c - the conditions of issue 14 at their edges: |percent
 * change|, the seasonal percent and z-score on a baseline of 0, 1 and 2
 * points, no_data (staleness) exactly at its window, and the window words.
 */
#include <math.h>
#include <string.h>

#include "fmt.h"
#include "rule.h"
#include "testlib.h"
#include "unit.h"

static enum cond_result pct_abs(double latest, double ref, double threshold, double *obs)
{
	struct cond_input in = {.has_latest = 1, .latest = latest, .has_ref = 1, .ref = ref};
	return cond_eval(COND_PCT_CHANGE_ABS_GT, threshold, &in, obs);
}

static void t_pct_change_abs(void)
{
	double obs = 0;

	CU_ASSERT_EQUAL(pct_abs(112, 100, 10, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 12, 1e-9);
	CU_ASSERT_EQUAL(pct_abs(88, 100, 10, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, -12, 1e-9);     /* the sign is kept for people */
	CU_ASSERT_EQUAL(pct_abs(110, 100, 10, &obs), COND_FALSE);   /* exactly: not more */
	CU_ASSERT_EQUAL(pct_abs(90, 100, 10, &obs), COND_FALSE);
	CU_ASSERT_EQUAL(pct_abs(95, 100, 10, &obs), COND_FALSE);
	CU_ASSERT_EQUAL(pct_abs(5, 0, 10, &obs), COND_NO_DATA);     /* from 0: no percent */
	{
		struct cond_input in = {.has_latest = 1, .latest = 5};
		CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_ABS_GT, 10, &in, &obs), COND_NO_DATA);
	}
}

static enum cond_result seasonal(enum cond c, double latest, int n, double mean, double sd,
    double threshold, double *obs)
{
	struct cond_input in = {.has_latest = 1, .latest = latest, .base_n = n,
	    .base_mean = mean, .base_stddev = sd};
	return cond_eval(c, threshold, &in, obs);
}

static void t_seasonal_pct(void)
{
	double obs = 0;

	/* -30: 30% below the usual */
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 70, 4, 100, 5, -30, &obs), COND_FALSE);
	CU_ASSERT_DOUBLE_EQUAL(obs, -30, 1e-9);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 69.9, 4, 100, 5, -30, &obs), COND_TRUE);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 150, 4, 100, 5, -30, &obs), COND_FALSE);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_GT, 150, 4, 100, 5, 40, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 50, 1e-9);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_GT, 140, 4, 100, 5, 40, &obs), COND_FALSE);
	/* a negative mean: the percent is still of its size */
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_GT, -50, 2, -100, 5, 40, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 50, 1e-9);
	/* fewer than 2 points, or nothing to take a percent of: no data */
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 10, 1, 100, NAN, -30, &obs), COND_NO_DATA);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 10, 0, NAN, NAN, -30, &obs), COND_NO_DATA);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 0, 4, 0, 0, -30, &obs), COND_NO_DATA);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_PCT_LT, 10, 2, 100, 0, -30, &obs), COND_TRUE);
}

static void t_seasonal_zscore(void)
{
	double obs = 0;

	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 130, 4, 100, 10, 2.5, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 3, 1e-9);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 70, 4, 100, 10, 2.5, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 3, 1e-9);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 130, 4, 100, 10, 3, &obs), COND_FALSE);
	/* every point equal: nothing is unusual, as zscore_gt */
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 500, 3, 100, 0, 3, &obs), COND_FALSE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 0, 1e-9);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 500, 1, 100, NAN, 3, &obs),
	    COND_NO_DATA);
	CU_ASSERT_EQUAL(seasonal(COND_SEASONAL_ZSCORE_GT, 500, 2, 100, 1, 3, &obs), COND_TRUE);
	/* no current value: no data, whatever the baseline */
	{
		struct cond_input in = {.base_n = 4, .base_mean = 100, .base_stddev = 10};
		CU_ASSERT_EQUAL(cond_eval(COND_SEASONAL_ZSCORE_GT, 3, &in, &obs), COND_NO_DATA);
	}
}

static enum cond_result stale(int has, double age, long window, double *obs)
{
	struct cond_input in = {.has_newest = has, .age_minutes = age, .window_minutes = window};
	return cond_eval(COND_STALE, 0, &in, obs);
}

static void t_stale(void)
{
	double obs = 0;

	CU_ASSERT_EQUAL(stale(1, 30, 30, &obs), COND_FALSE);      /* exactly the window: fresh */
	CU_ASSERT_DOUBLE_EQUAL(obs, 30, 1e-9);
	CU_ASSERT_EQUAL(stale(1, 30.0001, 30, &obs), COND_TRUE);
	CU_ASSERT_EQUAL(stale(1, 0, 30, &obs), COND_FALSE);
	CU_ASSERT_EQUAL(stale(0, NAN, 30, &obs), COND_TRUE);      /* never a sample */
	CU_ASSERT_DOUBLE_EQUAL(obs, -1, 1e-9);
	/* without a current value it still judges: staleness is what it watches */
	{
		struct cond_input in = {.has_latest = 0, .has_newest = 1, .age_minutes = 90,
		    .window_minutes = 60};
		CU_ASSERT_EQUAL(cond_eval(COND_STALE, NAN, &in, &obs), COND_TRUE);
	}
	CU_ASSERT_STRING_EQUAL(cond_name(COND_STALE), "no_data");
	CU_ASSERT_EQUAL(cond_parse("no_data"), COND_STALE);
	CU_ASSERT_TRUE(cond_needs_window_minutes(COND_STALE));
	CU_ASSERT_FALSE(cond_needs_window_weeks(COND_STALE));
}

static void t_names(void)
{
	static const char *const names[] = {"pct_change_abs_gt", "seasonal_pct_lt",
	    "seasonal_pct_gt", "seasonal_zscore_gt", "no_data"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CU_ASSERT_STRING_EQUAL(cond_name(cond_parse(names[i])), names[i]);
	CU_ASSERT_TRUE(cond_needs_window_weeks(COND_SEASONAL_PCT_LT));
	CU_ASSERT_TRUE(cond_needs_window_weeks(COND_SEASONAL_ZSCORE_GT));
	CU_ASSERT_FALSE(cond_needs_window_weeks(COND_ZSCORE_GT));
	CU_ASSERT_TRUE(cond_needs_window_minutes(COND_PCT_CHANGE_ABS_GT));
	CU_ASSERT_FALSE(cond_needs_window_minutes(COND_SEASONAL_PCT_GT));
}

static void window(long long minutes, int short_minutes, const char *want)
{
	char out[48];

	fmt_window(minutes, short_minutes, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void t_window_words(void)
{
	window(1, 0, "1 minute");
	window(30, 0, "30 minutes");
	window(60, 0, "60 minutes");
	window(90, 0, "90 minutes");
	window(120, 0, "2 hours");
	window(1440, 0, "1 day");
	window(1500, 0, "25 hours");
	window(2880, 0, "2 days");
	window(10080, 0, "1 week");
	window(20160, 0, "2 weeks");
	window(43200, 0, "30 days");
	window(30, 1, "30 min");
	window(1440, 1, "1 day");
}

static void t_window_messages(void)
{
	char out[320];
	const struct fmt_windows day = {1440, 0, 0}, weeks = {0, 0, 4};

	rule_message(COND_PCT_CHANGE_LT, "Gold in stock", "g", 900, -10.5, -10, &day, out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Gold in stock is 900 g, a change of -10.5% over 1 day "
	    "(threshold: less than -10%).");
	fmt_rule_condition(COND_PCT_CHANGE_GT, 3, "USD/g", &day, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "changed by more than 3% in 1 day");
	fmt_rule_condition(COND_PCT_CHANGE_ABS_GT, 5, "USD/g", &(struct fmt_windows){120, 0, 0},
	    out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "moved either way by more than 5% in 2 hours");
	rule_message(COND_SEASONAL_PCT_LT, "Revenue today", "USD", 2000, -60, -50, &weeks, out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Revenue today is 2,000 USD, -60.0% against its mean at this"
	    " time of the week over the last 4 weeks (threshold: less than -50%).");
	fmt_rule_condition(COND_SEASONAL_PCT_LT, -50, "USD", &weeks, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "below -50% of the mean at this time of the week over 4 weeks");
	rule_message(COND_STALE, "Gold price", "USD/g", NAN, 95, 0, &(struct fmt_windows){60, 0, 0},
	    out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Gold price has had no fresh value for 95 minutes (allowed:"
	    " 60 minutes).");
	fmt_rule_condition(COND_STALE, 0, "USD/g", &(struct fmt_windows){1440, 0, 0}, out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "no fresh value for longer than 1 day");
	{
		struct fmt_observed o;
		fmt_observed(COND_PCT_CHANGE_ABS_GT, -12.46, 10, "USD", &o);
		CU_ASSERT_STRING_EQUAL(o.value, "-12.5%");
		CU_ASSERT_STRING_EQUAL(o.threshold, "moved either way by more than 10%");
		fmt_observed(COND_SEASONAL_ZSCORE_GT, 3.5, 3, "USD", &o);
		CU_ASSERT_STRING_EQUAL(o.value, "z = 3.50");
		fmt_observed(COND_STALE, 125, 0, "USD", &o);
		CU_ASSERT_STRING_EQUAL(o.value, "2 hours 5 minutes");
		fmt_observed(COND_STALE, -1, 0, "USD", &o);
		CU_ASSERT_STRING_EQUAL(o.value, "no value yet");
	}
}

void suite_cond(void)
{
	static const struct test_case cases[] = {
		{"pct_change_abs_gt either way, at the threshold, from 0", t_pct_change_abs},
		{"seasonal percent: signed, 1 point no data, 2 a value", t_seasonal_pct},
		{"seasonal z-score: either side, stddev 0 false", t_seasonal_zscore},
		{"no_data: exactly at the window is fresh, never no data", t_stale},
		{"the new condition names", t_names},
		{"windows in minutes, hours, days or weeks", t_window_words},
		{"messages and the rule list say windows in words", t_window_messages},
		{NULL, NULL},
	};
	test_add_suite("cond", NULL, NULL, cases);
}
