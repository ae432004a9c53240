/*
 * test_units.c - the shop's money and gold units: GOLDWATCH_CURRENCY and
 * GOLDWATCH_WEIGHT_UNIT read and checked at start, what a stored unit word
 * measures, the conversions (grams to tola and troy ounces, per gram to
 * per tola) both ways, and the numbers people read in each currency's
 * decimals: rounding, negatives, big numbers, thresholds of the rule form.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fmt.h"
#include "testlib.h"
#include "unit.h"
#include "units.h"

/* The process's units for a test: code and weight, or the defaults. */
static void shop(const char *currency, const char *weight)
{
	units_set(units_currency(currency), units_weight(weight));
}

static void value_is(double v, const char *unit, const char *want)
{
	char out[64];

	fmt_value(v, unit, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\n    fmt_value(%.17g, %s) = \"%s\", want \"%s\"\n", v, unit, out, want);
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void t_config(void)
{
	static const char *const bad[] = {"usd", "US", "USDX", "XYZ", "US D", "€", "123"};
	struct config cfg;

	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++) {
		setenv("GOLDWATCH_CURRENCY", bad[i], 1);
		CU_ASSERT_EQUAL(config_load(&cfg), -1);
	}
	setenv("GOLDWATCH_CURRENCY", "KWD", 1);
	setenv("GOLDWATCH_WEIGHT_UNIT", "tola", 1);
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_STRING_EQUAL(units_shop_currency()->code, "KWD");
	CU_ASSERT_EQUAL(units_shop_currency()->minor, 3);
	CU_ASSERT_STRING_EQUAL(units_shop_weight()->code, "tola");
	config_free(&cfg);
	setenv("GOLDWATCH_WEIGHT_UNIT", "kg", 1);
	CU_ASSERT_EQUAL(config_load(&cfg), -1);
	unsetenv("GOLDWATCH_CURRENCY");
	unsetenv("GOLDWATCH_WEIGHT_UNIT");
	/* unset: USD and grams */
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_STRING_EQUAL(units_shop_currency()->code, "USD");
	CU_ASSERT_STRING_EQUAL(units_shop_weight()->code, "g");
	config_free(&cfg);
}

static void t_quantities(void)
{
	CU_ASSERT_EQUAL(units_quantity("USD"), Q_MONEY);
	CU_ASSERT_EQUAL(units_quantity("KWD"), Q_MONEY);
	CU_ASSERT_EQUAL(units_quantity("USD/g"), Q_PRICE_PER_WEIGHT);
	CU_ASSERT_EQUAL(units_quantity("g"), Q_WEIGHT);
	CU_ASSERT_EQUAL(units_quantity("g (fine)"), Q_WEIGHT);
	CU_ASSERT_EQUAL(units_quantity("g(fine)"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity("pieces"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity("%"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity("XYZ"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity("XYZ/g"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity("usd"), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity(""), Q_OTHER);
	CU_ASSERT_EQUAL(units_quantity(NULL), Q_OTHER);
	shop("JPY", "ozt");
	CU_ASSERT_STRING_EQUAL(units_display("USD"), "JPY");
	CU_ASSERT_STRING_EQUAL(units_display("USD/g"), "JPY/ozt");
	CU_ASSERT_STRING_EQUAL(units_display("g"), "ozt");
	CU_ASSERT_STRING_EQUAL(units_display("g (fine)"), "ozt (fine)");
	CU_ASSERT_STRING_EQUAL(units_api("g (fine)"), "g (fine)");
	CU_ASSERT_STRING_EQUAL(units_display("pieces"), "pieces");
	CU_ASSERT_STRING_EQUAL(units_display(NULL), "");
	CU_ASSERT_STRING_EQUAL(units_api("USD"), "JPY");
	CU_ASSERT_STRING_EQUAL(units_api("USD/g"), "JPY/g");
	CU_ASSERT_STRING_EQUAL(units_api("g"), "g");
	shop(NULL, NULL);
}

static void t_conversions(void)
{
	shop("USD", "tola");
	CU_ASSERT_DOUBLE_EQUAL(units_to_display("g", 11.6638038), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(units_to_display("USD/g", 80), 933.104304, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(units_from_display("g", 2), 23.3276076, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(units_from_display("USD/g", 933.104304), 80, 1e-9);
	CU_ASSERT_EQUAL(units_to_display("USD", 5000), 5000);    /* no exchange */
	CU_ASSERT_EQUAL(units_to_display("pieces", 3), 3);
	shop("USD", "ozt");
	CU_ASSERT_DOUBLE_EQUAL(units_to_display("g", 31.1034768), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(units_to_display("g", -62.2069536), -2.0, 1e-12);
	/* the way back and forth returns what went in */
	for (double g = -1e6; g <= 1e6; g += 12345.678)
		CU_ASSERT_DOUBLE_EQUAL(units_from_display("g", units_to_display("g", g)), g, 1e-6);
	shop(NULL, NULL);
	CU_ASSERT_EQUAL(units_to_display("g", 12.5), 12.5);
	CU_ASSERT_EQUAL(units_to_display("USD/g", 80), 80);
}

static void t_money_words(void)
{
	shop("JPY", "g");
	value_is(5000, "USD", "5,000 JPY");
	value_is(4999.5, "USD", "5,000 JPY");          /* no decimals: to the yen */
	value_is(-1234.4, "USD", "-1,234 JPY");
	value_is(-0.4, "USD", "0 JPY");                 /* rounds to zero: not negative */
	shop("KWD", "g");
	value_is(5000, "USD", "5,000 KWD");             /* whole amounts stay whole */
	value_is(5000.25, "USD", "5,000.250 KWD");
	value_is(1.0005, "USD", "1.000 KWD");           /* 1.0005 is 1.000499.. in binary */
	value_is(-12.3456, "USD", "-12.346 KWD");
	value_is(1234567890.125, "USD", "1,234,567,890.125 KWD");
	shop("EUR", "g");
	value_is(0.005, "USD", "0.01 EUR");             /* 0.005 is 0.005000..01 */
	value_is(-0.004, "USD", "0.00 EUR");
	value_is(999999999999.99, "USD", "999,999,999,999.99 EUR");
	value_is(1e14, "USD", "100,000,000,000,000 EUR");
	value_is(2.5e18, "USD", "2.5e+18 EUR");
	value_is(-3e20, "USD", "-3e+20 EUR");
	value_is(NAN, "USD", "n/a");
	value_is(12.5, "pieces", "12.50 pieces");
	shop(NULL, NULL);
	value_is(4200, "USD", "4,200 USD");
}

static void t_gold_words(void)
{
	char out[256];

	shop("INR", "tola");
	value_is(1000, "g", "85.74 tola");
	value_is(11.6638038, "g", "1 tola");
	value_is(-50, "g", "-4.29 tola");
	value_is(80, "USD/g", "933.10 INR/tola");
	value_is(6500, "USD/g", "75,814.72 INR/tola");
	rule_message(COND_LT, "Gold in stock", "g", 116.638038, 116.638038, 233.276076,
	    &(struct fmt_windows){0, 0, 0}, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Gold in stock is 10 tola, below the threshold of 20 tola.");
	fmt_rule_condition(COND_GT, 80, "USD/g", &(struct fmt_windows){0, 0, 0}, out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "above 933.10 INR/tola");
	/* a percent stays a percent */
	fmt_rule_condition(COND_PCT_CHANGE_GT, 5, "USD/g", &(struct fmt_windows){60, 0, 0}, out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "changed by more than 5% in 60 min");
	shop("USD", "ozt");
	value_is(31.1034768 * 1000, "g", "1,000 ozt");
	value_is(2000.5, "USD/g", "62,222.51 USD/ozt");
	shop(NULL, NULL);
}

static void t_thresholds(void)
{
	shop("USD", "tola");
	/* the form shows and takes tola; the rule keeps grams */
	CU_ASSERT_DOUBLE_EQUAL(fmt_threshold_stored(COND_LT, "g", 1), 11.6638038, 1e-12);
	CU_ASSERT_EQUAL(fmt_threshold_shown(COND_LT, "g", 11.6638038), 1);
	CU_ASSERT_EQUAL(fmt_threshold_shown(COND_LT, "g", fmt_threshold_stored(COND_LT, "g", 0.3)),
	    0.3);
	CU_ASSERT_EQUAL(fmt_threshold_shown(COND_GT, "USD/g", fmt_threshold_stored(COND_GT, "USD/g",
	    75000)), 75000);
	CU_ASSERT_EQUAL(fmt_threshold_stored(COND_PCT_CHANGE_GT, "g", 5), 5);
	CU_ASSERT_EQUAL(fmt_threshold_stored(COND_ZSCORE_GT, "g", 3), 3);
	CU_ASSERT_EQUAL(fmt_threshold_shown(COND_SEASONAL_PCT_LT, "g", -50), -50);
	CU_ASSERT_EQUAL(fmt_threshold_stored(COND_LT, "USD", 5000), 5000);
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_LT, "g"), "tola");
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_GTE, "USD/g"), "USD/tola");
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_PCT_CHANGE_LT, "g"), "%");
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_ZSCORE_GT, "USD"), "standard deviations");
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_STALE, "USD"), "");
	shop(NULL, NULL);
	CU_ASSERT_EQUAL(fmt_threshold_stored(COND_LT, "g", 1), 1);
	CU_ASSERT_STRING_EQUAL(fmt_threshold_unit(COND_LT, "g"), "g");
}

void suite_units(void)
{
	static const struct test_case cases[] = {
		{"GOLDWATCH_CURRENCY and GOLDWATCH_WEIGHT_UNIT: known ones only", t_config},
		{"what a stored unit measures and how it is named", t_quantities},
		{"grams to tola and ozt, per gram to per tola, and back", t_conversions},
		{"money in each currency's decimals: rounding, negatives, big numbers", t_money_words},
		{"gold weights and prices in tola and ozt, messages and conditions", t_gold_words},
		{"thresholds of the rule form in the shown unit", t_thresholds},
		{NULL, NULL},
	};
	test_add_suite("units", NULL, NULL, cases);
}
