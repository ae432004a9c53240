/*
 * test_fmt.c - the words and numbers people read (fmt.h): every
 * condition's words, units, rounding, negative values, percent changes,
 * z-scores, and the lines of events.
 */
#include <math.h>
#include <string.h>

#include "fmt.h"
#include "testlib.h"
#include "unit.h"

/* The windows of a message: minutes and samples. */
#define WIN(m, s) (&(const struct fmt_windows){(m), (s), 0})

static void t_values(void)
{
	char out[64];

	fmt_value(4200, "USD", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "4,200 USD");
	fmt_value(1234567.5, "USD", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1,234,567.50 USD");
	fmt_value(0.125, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0.12");          /* two decimals, C rounding of .125 */
	fmt_value(2.675, NULL, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2.67");          /* 2.675 is 2.67499... in binary */
	fmt_value(999.999, "g", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1,000.00 g");    /* rounds up across a group */
	fmt_value(-1234567, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "-1,234,567");
	fmt_value(-0.5, "%", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "-0.50%");
	fmt_value(0, "invoices", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0 invoices");
	fmt_value(123, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "123");
	fmt_value(INFINITY, "USD", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "n/a");
	fmt_value(NAN, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "n/a");
}

static void t_condition_words(void)
{
	static const char *const want[COND__MAX] = {
		[COND_GT] = "above", [COND_GTE] = "at or above", [COND_LT] = "below",
		[COND_LTE] = "at or below", [COND_EQ] = "equal to", [COND_NEQ] = "not equal to",
		[COND_PCT_CHANGE_GT] = "changed by more than",
		[COND_PCT_CHANGE_LT] = "changed by less than",
		[COND_ZSCORE_GT] = "unusually far from its recent mean: z-score above",
		[COND_PCT_CHANGE_ABS_GT] = "moved either way by more than",
		[COND_SEASONAL_PCT_LT] = "compared with the usual for this time of the week: below",
		[COND_SEASONAL_PCT_GT] = "compared with the usual for this time of the week: above",
		[COND_SEASONAL_ZSCORE_GT] =
		    "unusually far from the usual for this time of the week: z-score above",
		[COND_STALE] = "no fresh value for longer than",
	};

	for (int c = 0; c < COND__MAX; c++)
		CU_ASSERT_STRING_EQUAL(cond_words((enum cond)c), want[c]);
	CU_ASSERT_STRING_EQUAL(cond_words(COND__MAX), "?");
	/* the rule form's choices: each names the threshold it compares with */
	for (int c = 0; c < COND__MAX; c++)
		CU_ASSERT_PTR_NOT_NULL(strstr(cond_label((enum cond)c), "threshold"));
	CU_ASSERT_STRING_EQUAL(cond_label(COND_LT), "below the threshold");
	CU_ASSERT_STRING_EQUAL(cond_label(COND__MAX), "?");
}

static void t_observed_values(void)
{
	static const struct {
		enum cond c;
		double v, t;
		const char *unit, *value, *threshold;
	} cases[] = {
		{COND_LT, 4200, 5000, "USD", "4,200 USD", "below 5,000 USD"},
		{COND_GT, 5200.5, 5000, "USD", "5,200.50 USD", "above 5,000 USD"},
		{COND_GTE, 18.25, 18, "%", "18.25%", "at or above 18%"},
		{COND_LTE, -3, -2.5, "", "-3", "at or below -2.50"},
		{COND_EQ, 0, 0, "invoices", "0 invoices", "equal to 0 invoices"},
		{COND_NEQ, 7, 8, "pieces", "7 pieces", "not equal to 8 pieces"},
		/* percent changes: sign always, one decimal; the unit is not the KPI's */
		{COND_PCT_CHANGE_GT, 12.46, 10, "USD", "+12.5%", "changed by more than 10%"},
		{COND_PCT_CHANGE_LT, -7.25, -5, "USD", "-7.2%", "changed by less than -5%"},
		{COND_PCT_CHANGE_GT, 0, 2.5, "", "+0.0%", "changed by more than 2.5%"},
		/* z-scores: two decimals, the threshold as given */
		{COND_ZSCORE_GT, 3.14159, 3, "USD", "z = 3.14", "unusually far from its recent mean: "
		    "z-score above 3"},
		{COND_ZSCORE_GT, 18.97, 2.5, "", "z = 18.97", "unusually far from its recent mean: "
		    "z-score above 2.5"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fmt_observed o;

		fmt_observed(cases[i].c, cases[i].v, cases[i].t, cases[i].unit, &o);
		CU_ASSERT_STRING_EQUAL(o.value, cases[i].value);
		CU_ASSERT_STRING_EQUAL(o.threshold, cases[i].threshold);
	}
}

static void t_messages(void)
{
	char out[256];

	rule_message(COND_LT, "Revenue today", "USD", 4200, 4200, 5000, WIN(0, 0), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Revenue today is 4,200 USD, below the threshold of 5,000 USD.");
	rule_message(COND_GTE, "Refunds", "", -12.5, -12.5, -20, WIN(0, 0), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Refunds is -12.50, at or above the threshold of -20.");
	rule_message(COND_PCT_CHANGE_LT, "Gold price", "USD/g", 80, -12.34, -10, WIN(30, 0),
	    out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Gold price is 80 USD/g, a change of -12.3% over 30 minutes "
	    "(threshold: less than -10%).");
	rule_message(COND_ZSCORE_GT, "Refunds today", "USD", 900, 3.45, 3, WIN(0, 20), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Refunds today is 900 USD, 3.5 standard deviations from the "
	    "mean of the last 20 samples (threshold: 3).");
	fmt_rule_condition(COND_LT, 5000, "USD", WIN(0, 0), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "below 5,000 USD");
	fmt_rule_condition(COND_PCT_CHANGE_GT, 10, "USD", WIN(60, 0), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "changed by more than 10% in 60 min");
	fmt_rule_condition(COND_ZSCORE_GT, 3, "USD", WIN(0, 20), out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "z-score above 3 over 20 samples");
}

static void event_line(const char *type, const char *data, const char *want)
{
	json_t *d = json_loads(data, 0, NULL);
	struct buf b;

	buf_init(&b);
	fmt_event_text(type, d, &b);
	CU_ASSERT_STRING_EQUAL(b.data ? b.data : "", want);
	buf_free(&b);
	json_decref(d);
}

static void t_event_lines(void)
{
	event_line("alert.fired", "{\"severity\":\"critical\",\"rule_name\":\"Low revenue\"}",
	    "Fired (critical): Low revenue");
	event_line("alert.acknowledged", "{\"acknowledged_by\":\"ana\",\"rule_name\":\"Low\"}",
	    "Acknowledged by ana: Low");
	event_line("alert.resolved", "{\"rule_name\":\"Low\"}", "Resolved: Low");
	event_line("alert.escalated", "{\"escalation_level\":2,\"rule_name\":\"Low\"}",
	    "Escalated to level 2: Low");
	event_line("rule.changed", "{\"action\":\"create\",\"rule\":{\"name\":\"Low\"}}",
	    "Rule created: Low");
	event_line("rule.changed", "{\"action\":\"delete\",\"id\":3,\"rule\":null}",
	    "Rule deleted: ?");
	/* missing members: a placeholder, never a crash */
	event_line("alert.fired", "{}", "Fired (?): ?");
	event_line("kpi.sampled", "{\"kpi\":\"k\",\"value\":1}", "kpi.sampled");
}

static void duration_is(int64_t seconds, const char *want)
{
	char out[64];

	fmt_duration(seconds, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
}

/* How long an alert was out, as the resolved mail says it. */
static void t_durations(void)
{
	duration_is(-5, "less than a minute");
	duration_is(59, "less than a minute");
	duration_is(60, "1 minute");
	duration_is(45 * 60 + 59, "45 minutes");
	duration_is(3600, "1 hour");
	duration_is(2 * 3600 + 15 * 60 + 30, "2 hours 15 minutes");
	duration_is(86400 + 3 * 3600 + 59 * 60, "1 day 3 hours");
	duration_is(2 * 86400 + 5 * 60, "2 days");   /* no hours: the minutes are not shown */
	duration_is(400 * 86400LL, "400 days");
}

void suite_fmt(void)
{
	static const struct test_case cases[] = {
		{"values with units, rounding and signs", t_values},
		{"the words of every condition", t_condition_words},
		{"observed value and threshold of every condition", t_observed_values},
		{"alert messages and rule conditions", t_messages},
		{"event lines", t_event_lines},
		{"durations in words", t_durations},
		{NULL, NULL},
	};
	test_add_suite("fmt", NULL, NULL, cases);
}
