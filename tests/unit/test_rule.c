/* test_rule.c - conditions with their edges, the lifecycle step, words. */
#include <math.h>
#include <string.h>

#include "fmt.h"
#include "rule.h"
#include "testlib.h"
#include "unit.h"

/* The windows of a message: minutes and samples. */
#define WIN(m, s) (&(const struct fmt_windows){(m), (s), 0})

static enum cond_result value_cond(enum cond c, double threshold, double latest)
{
	struct cond_input in = {.has_latest = 1, .latest = latest};
	double obs;
	return cond_eval(c, threshold, &in, &obs);
}

static void t_comparisons(void)
{
	/* exactly at the threshold */
	CU_ASSERT_EQUAL(value_cond(COND_GT, 100, 100), COND_FALSE);
	CU_ASSERT_EQUAL(value_cond(COND_GTE, 100, 100), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_LT, 100, 100), COND_FALSE);
	CU_ASSERT_EQUAL(value_cond(COND_LTE, 100, 100), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_EQ, 100, 100), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_NEQ, 100, 100), COND_FALSE);
	/* either side */
	CU_ASSERT_EQUAL(value_cond(COND_GT, 100, 100.01), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_LT, 100, 99.99), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_GTE, 100, 99.99), COND_FALSE);
	CU_ASSERT_EQUAL(value_cond(COND_LTE, 100, 100.01), COND_FALSE);
	CU_ASSERT_EQUAL(value_cond(COND_NEQ, 100, 100.5), COND_TRUE);
	/* negative and zero values */
	CU_ASSERT_EQUAL(value_cond(COND_LT, 0, -0.5), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_GT, -10, -5), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_GT, -10, -15), COND_FALSE);
	CU_ASSERT_EQUAL(value_cond(COND_EQ, 0, 0), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_EQ, 0, -0.0), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_LTE, 0, 0), COND_TRUE);
	/* sums from SQL carry rounding noise: eq tolerates it, nothing more */
	CU_ASSERT_EQUAL(value_cond(COND_EQ, 0.3, 0.1 + 0.2), COND_TRUE);
	CU_ASSERT_EQUAL(value_cond(COND_EQ, 0.3, 0.3001), COND_FALSE);
}

static void t_no_data(void)
{
	struct cond_input in = {0};
	double obs;

	for (int c = 0; c < COND__MAX; c++)
		CU_ASSERT_EQUAL(cond_eval((enum cond)c, 1, &in, &obs), COND_NO_DATA);
	/* a NaN or infinite value or threshold is never compared */
	in.has_latest = 1;
	in.latest = NAN;
	CU_ASSERT_EQUAL(cond_eval(COND_GT, 1, &in, &obs), COND_NO_DATA);
	in.latest = INFINITY;
	CU_ASSERT_EQUAL(cond_eval(COND_GT, 1, &in, &obs), COND_NO_DATA);
	in.latest = 5;
	CU_ASSERT_EQUAL(cond_eval(COND_GT, NAN, &in, &obs), COND_NO_DATA);
	CU_ASSERT_EQUAL(cond_eval(COND_LT, -INFINITY, &in, &obs), COND_NO_DATA);
}

static void t_pct_change(void)
{
	struct cond_input in = {.has_latest = 1, .latest = 120, .has_ref = 1, .ref = 100};
	double obs = 0;

	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_GT, 10, &in, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 20.0, 1e-9);
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_GT, 20, &in, &obs), COND_FALSE); /* at it */
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_LT, 20, &in, &obs), COND_FALSE);
	in.latest = 70; /* a 30% drop */
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_LT, -25, &in, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, -30.0, 1e-9);
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_LT, -30, &in, &obs), COND_FALSE);
	/* from a negative reference the sign still says up or down */
	in.ref = -100;
	in.latest = -50;
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_GT, 40, &in, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 50.0, 1e-9);
	/* from zero there is no percent: no data, not infinity */
	in.ref = 0;
	in.latest = 5;
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_GT, 10, &in, &obs), COND_NO_DATA);
	/* no reference sample that long ago */
	in.has_ref = 0;
	in.ref = 100;
	CU_ASSERT_EQUAL(cond_eval(COND_PCT_CHANGE_GT, 10, &in, &obs), COND_NO_DATA);
}

static void t_zscore(void)
{
	struct cond_input in = {.has_latest = 1, .latest = 130, .n = 20, .window = 20,
	    .mean = 100, .stddev = 10};
	double obs = 0;

	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 2.5, &in, &obs), COND_TRUE);
	CU_ASSERT_DOUBLE_EQUAL(obs, 3.0, 1e-9);
	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 3, &in, &obs), COND_FALSE); /* at it */
	in.latest = 70; /* as far below: abs() */
	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 2.5, &in, &obs), COND_TRUE);
	/* stddev 0: no fire */
	in.stddev = 0;
	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 2.5, &in, &obs), COND_FALSE);
	/* fewer samples than the window: no data */
	in.stddev = 10;
	in.n = 19;
	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 2.5, &in, &obs), COND_NO_DATA);
	in.n = 0;
	in.mean = NAN;
	CU_ASSERT_EQUAL(cond_eval(COND_ZSCORE_GT, 2.5, &in, &obs), COND_NO_DATA);
}

static enum rule_action step(enum cond_result r, int consecutive, int open,
    int64_t last_fired_min_ago, int for_eval, int cooldown, int *out)
{
	int64_t now = INT64_C(1795687200) * 1000000;
	struct rule_state st = {.consecutive = consecutive, .has_open = open,
	    .last_fired_us = last_fired_min_ago < 0 ? 0 : now - last_fired_min_ago * 60000000};
	struct rule_params p = {.for_evaluations = for_eval, .cooldown_minutes = cooldown};
	return rule_step(r, &st, &p, now, out);
}

static void t_lifecycle(void)
{
	int c;

	/* pending for 3: fires on the third evaluation in a row */
	CU_ASSERT_EQUAL(step(COND_TRUE, 0, 0, -1, 3, 60, &c), ACT_PENDING);
	CU_ASSERT_EQUAL(c, 1);
	CU_ASSERT_EQUAL(step(COND_TRUE, 1, 0, -1, 3, 60, &c), ACT_PENDING);
	CU_ASSERT_EQUAL(step(COND_TRUE, 2, 0, -1, 3, 60, &c), ACT_FIRE);
	CU_ASSERT_EQUAL(c, 3);
	/* a miss resets the count */
	CU_ASSERT_EQUAL(step(COND_FALSE, 2, 0, -1, 3, 60, &c), ACT_NONE);
	CU_ASSERT_EQUAL(c, 0);
	/* no re-fire while open; resolve when it clears */
	CU_ASSERT_EQUAL(step(COND_TRUE, 5, 1, 10, 1, 60, &c), ACT_FIRING);
	CU_ASSERT_EQUAL(step(COND_FALSE, 5, 1, 10, 1, 60, &c), ACT_RESOLVE);
	CU_ASSERT_EQUAL(c, 0);
	/* cooldown counts from the last fire, even after a resolve */
	CU_ASSERT_EQUAL(step(COND_TRUE, 0, 0, 30, 1, 60, &c), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(step(COND_TRUE, 0, 0, 59, 1, 60, &c), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(step(COND_TRUE, 0, 0, 60, 1, 60, &c), ACT_FIRE);
	CU_ASSERT_EQUAL(step(COND_TRUE, 0, 0, 0, 1, 0, &c), ACT_FIRE);
	/* no data: nothing moves */
	CU_ASSERT_EQUAL(step(COND_NO_DATA, 2, 1, 10, 3, 60, &c), ACT_NO_DATA);
	CU_ASSERT_EQUAL(c, 2);
}

static void t_names(void)
{
	for (int c = 0; c < COND__MAX; c++)
		CU_ASSERT_EQUAL(cond_parse(cond_name((enum cond)c)), (enum cond)c);
	CU_ASSERT_EQUAL(cond_parse("ge"), COND__MAX);
	CU_ASSERT_EQUAL(cond_parse(NULL), COND__MAX);
	CU_ASSERT_EQUAL(severity_parse("critical"), SEV_CRITICAL);
	CU_ASSERT_EQUAL(severity_parse("fatal"), SEV__MAX);
	CU_ASSERT_TRUE(cond_needs_window_minutes(COND_PCT_CHANGE_LT));
	CU_ASSERT_FALSE(cond_needs_window_minutes(COND_ZSCORE_GT));
	CU_ASSERT_TRUE(cond_needs_window_samples(COND_ZSCORE_GT));
}

static void t_words(void)
{
	char out[256];

	fmt_value(1234567.5, "USD", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1,234,567.50 USD");
	fmt_value(-1234, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "-1,234");
	fmt_value(18.25, "%", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "18.25%");
	fmt_value(999, "pieces", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "999 pieces");
	fmt_value(NAN, "USD", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "n/a");
	rule_message(COND_LT, "Revenue today", "USD", 1234.5, 1234.5, 5000, WIN(0, 0), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Revenue today is 1,234.50 USD, below the threshold of 5,000 USD.");
	rule_message(COND_PCT_CHANGE_GT, "Gold price (24k)", "USD/g", 91.2, 7.25, 5, WIN(60, 0),
	    out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Gold price (24k) is 91.20 USD/g, a change of +7.2% over 60 "
	    "minutes (threshold: more than 5%).");
	rule_message(COND_ZSCORE_GT, "Refunds today", "USD", 900, 3.4, 3, WIN(0, 20), out, sizeof(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "3.4 standard deviations"));
}

void suite_rule(void)
{
	static const struct test_case cases[] = {
		{"comparisons at and around the threshold", t_comparisons},
		{"no data, NaN and infinity", t_no_data},
		{"percent change", t_pct_change},
		{"z-score", t_zscore},
		{"lifecycle: pending, open, resolve, cooldown", t_lifecycle},
		{"condition and severity names", t_names},
		{"values and messages in words", t_words},
		{NULL, NULL},
	};
	test_add_suite("rule", NULL, NULL, cases);
}
