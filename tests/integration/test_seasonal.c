/*
 * test_seasonal.c - the conditions of issue 14 through goldwatch-evaluate
 * at fixed moments (--now): the seasonal baseline at the same local time of
 * week in the shop's zone (1 point no data, 2 a value, window_weeks 1 and
 * 12), pct_change_abs_gt either way, no_data (staleness) exactly at its
 * window and resolving when a sample arrives, window_weeks refused where it
 * does not belong; and the 48-hour replay of the demo shop with its
 * backfilled history: the starter rules stay quiet while a plain z-score
 * rule on revenue_today fires at midnight. Every test removes what it made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

/* A Tuesday afternoon in the past, the moment the single-rule tests evaluate at. */
#define AT "2026-11-17T13:00:00Z"

/* A sample of kpi at the same local time as at, weeks_back weeks before (shop zone). */
static void sample_weeks_back(const char *kpi, const char *at, int weeks_back, double v)
{
	char w[12], val[40];

	snprintf(w, sizeof(w), "%d", weeks_back);
	snprintf(val, sizeof(val), "%.17g", v);
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ($1, $2::float8, ($3::timestamptz AT TIME ZONE $4"
	    "         - make_interval(days => 7 * $5::int)) AT TIME ZONE $4, 'push')", 5,
	    TP(kpi, val, at, test_shop_zone(), w));
}

/* A sample of kpi minutes before at. */
static void sample_before(const char *kpi, const char *at, int minutes, double v)
{
	char m[12], val[40];

	snprintf(m, sizeof(m), "%d", minutes);
	snprintf(val, sizeof(val), "%.17g", v);
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ($1, $2::float8, $3::timestamptz - make_interval(mins => $4::int), 'push')",
	    4, TP(kpi, val, at, m));
}

/* goldwatch-evaluate --json --now=at for rule id: its result (caller decrefs). */
static json_t *evaluate_json(long long id, const char *at)
{
	char *path = xasprintf("%s/log/seasonal-eval.json", test_env("GW_TEST_STACK"));
	json_t *out;

	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-evaluate' --json --now=%s --rule %lld >'%s'"
	    " 2>>'%s/log/evaluate-tests.log'", test_env("GW_TEST_BIN"), at, id, path,
	    test_env("GW_TEST_STACK")), 0);
	out = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	free(path);
	return out;
}

/* What one evaluation of rule id at at did: 'F' fired, 'R' resolved, 'N' no data, '-' else. */
static char outcome(long long id, const char *at, double *value)
{
	json_t *o = evaluate_json(id, at);
	char c = '-';

	if (json_array_size(json_object_get(o, "fired")) == 1) {
		c = 'F';
		if (value)
			*value = json_number_value(jget(o, "fired.0.value"));
	} else if (json_array_size(json_object_get(o, "resolved")) == 1) {
		c = 'R';
	} else if (json_array_size(json_object_get(o, "no_data")) == 1) {
		c = 'N';
	}
	json_decref(o);
	return c;
}

/* Removes the suite's KPIs (key prefix s_) with their rules, alerts and samples. */
static void remove_made(void)
{
	static const char *const sql[] = {
		"DELETE FROM mail_outbox WHERE rule_id IN (SELECT id FROM alert_rules"
		"  WHERE kpi_key LIKE 's\\_%')",
		"DELETE FROM alerts WHERE kpi_key LIKE 's\\_%'",
		"DELETE FROM alert_rules WHERE kpi_key LIKE 's\\_%'",
		"DELETE FROM kpi_samples WHERE kpi_key LIKE 's\\_%'",
		"DELETE FROM kpis WHERE key LIKE 's\\_%'",
	};
	for (size_t i = 0; i < GW_ARRAY_LEN(sql); i++)
		test_exec(sql[i], 0, NULL);
}

static char *rule_text(long long id)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	return test_sql_str("SELECT message FROM alerts WHERE rule_id = $1::bigint"
	    " ORDER BY id DESC LIMIT 1", 1, TP(sid));
}

/* Four Tuesdays at 14:00 local: 100, 100, 120, 80 (mean 100, sd 16.33); today 60. */
static void t_seasonal_fires(void)
{
	long long lt, gt, z;
	double v = 0;
	char *msg;

	make_push_kpi("s_rev", 10080);
	sample_weeks_back("s_rev", AT, 1, 100);
	sample_weeks_back("s_rev", AT, 2, 100);
	sample_weeks_back("s_rev", AT, 3, 120);
	sample_weeks_back("s_rev", AT, 4, 80);
	/* an hour off the local time of week: no point, or the mean would move */
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ('s_rev', 5000, $1::timestamptz - interval '7 days 1 hour', 'push')", 1, TP(AT));
	sample_before("s_rev", AT, 1, 60);
	lt = make_simple_rule("s below usual", "s_rev", "seasonal_pct_lt", -30, "");
	gt = make_simple_rule("s above usual", "s_rev", "seasonal_pct_gt", 30,
	    "\"window_weeks\":4");
	z = make_simple_rule("s unusual", "s_rev", "seasonal_zscore_gt", 2, "");
	CU_ASSERT_EQUAL(outcome(lt, AT, &v), 'F');
	CU_ASSERT_DOUBLE_EQUAL(v, -40, 1e-9);
	msg = rule_text(lt);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "-40.0% against its mean at this time of the week"
	    " over the last 4 weeks") : NULL);
	free(msg);
	CU_ASSERT_EQUAL(outcome(gt, AT, NULL), '-');
	CU_ASSERT_EQUAL(outcome(z, AT, &v), 'F');
	CU_ASSERT_DOUBLE_EQUAL(v, 40 / 16.329931618554521, 1e-9);
	/* back to the usual: resolved */
	sample_before("s_rev", AT, -1, 95);
	{
		char *later = test_sql_str("SELECT iso($1::timestamptz + interval '2 minutes')", 1,
		    TP(AT));
		CU_ASSERT_EQUAL(outcome(lt, later, NULL), 'R');
		free(later);
	}
	remove_made();
}

/* One Tuesday is no baseline (no data); a second makes one; window_weeks 1 and 12. */
static void t_baseline_points(void)
{
	long long four, one, twelve;

	make_push_kpi("s_pts", 10080);
	sample_before("s_pts", AT, 1, 10);
	sample_weeks_back("s_pts", AT, 1, 100);
	four = make_simple_rule("s four weeks", "s_pts", "seasonal_pct_lt", -50, "");
	one = make_simple_rule("s one week", "s_pts", "seasonal_pct_lt", -50,
	    "\"window_weeks\":1");
	twelve = make_simple_rule("s twelve weeks", "s_pts", "seasonal_pct_lt", -50,
	    "\"window_weeks\":12");
	CU_ASSERT_EQUAL(outcome(four, AT, NULL), 'N');
	CU_ASSERT_EQUAL(outcome(one, AT, NULL), 'N');
	/* the twelfth week back is within 12 weeks, not within 4 */
	sample_weeks_back("s_pts", AT, 12, 100);
	CU_ASSERT_EQUAL(outcome(four, AT, NULL), 'N');
	CU_ASSERT_EQUAL(outcome(one, AT, NULL), 'N');
	CU_ASSERT_EQUAL(outcome(twelve, AT, NULL), 'F');
	sample_weeks_back("s_pts", AT, 2, 100);
	CU_ASSERT_EQUAL(outcome(four, AT, NULL), 'F');
	remove_made();
}

/* Moved by more than 10% either way over an hour. */
static void t_pct_change_abs(void)
{
	long long id;
	double v = 0;
	char *later = test_sql_str("SELECT iso($1::timestamptz + interval '5 minutes')", 1, TP(AT));

	make_push_kpi("s_abs", 1440);
	sample_before("s_abs", AT, 60, 100);
	sample_before("s_abs", AT, 1, 88);
	id = make_simple_rule("s moved", "s_abs", "pct_change_abs_gt", 10,
	    "\"window_minutes\":60");
	CU_ASSERT_EQUAL(outcome(id, AT, &v), 'F');
	CU_ASSERT_DOUBLE_EQUAL(v, -12, 1e-9);
	/* 110 an hour after 100 is exactly 10%: not more, resolved */
	sample_before("s_abs", later, 60, 100);
	sample_before("s_abs", later, 1, 110);
	CU_ASSERT_EQUAL(outcome(id, later, NULL), 'R');
	free(later);
	remove_made();
}

/* Stale after 30 minutes: exactly 30 is fresh, 31 fires, a new sample resolves. */
static void t_no_data(void)
{
	char *t30 = test_sql_str("SELECT iso($1::timestamptz + interval '30 minutes')", 1, TP(AT));
	char *t31 = test_sql_str("SELECT iso($1::timestamptz + interval '31 minutes')", 1, TP(AT));
	char *t32 = test_sql_str("SELECT iso($1::timestamptz + interval '32 minutes')", 1, TP(AT));
	long long id, none;
	double v = 0;
	char *msg;

	make_push_kpi("s_feed", 5);
	make_push_kpi("s_never", 5);
	sample_before("s_feed", AT, 0, 4200);
	id = make_simple_rule("s feed stopped", "s_feed", "no_data", 0, "\"window_minutes\":30");
	none = make_simple_rule("s feed never", "s_never", "no_data", 0, "\"window_minutes\":30");
	CU_ASSERT_EQUAL(outcome(id, t30, NULL), '-');
	CU_ASSERT_EQUAL(outcome(id, t31, &v), 'F');
	CU_ASSERT_DOUBLE_EQUAL(v, 31, 1e-6);
	msg = rule_text(id);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "no fresh value for 31 minutes (allowed: 30"
	    " minutes)") : NULL);
	free(msg);
	sample_before("s_feed", t32, 0, 4210);
	CU_ASSERT_EQUAL(outcome(id, t32, NULL), 'R');
	/* a KPI without any sample is stale from the start */
	CU_ASSERT_EQUAL(outcome(none, AT, &v), 'F');
	CU_ASSERT_DOUBLE_EQUAL(v, -1, 1e-9);
	free(t30);
	free(t31);
	free(t32);
	remove_made();
}

static void refused(const char *extra, const char *code)
{
	char *body = xasprintf("{\"name\":\"s bad\",\"kpi\":\"s_bad\",\"threshold\":-50,"
	    "\"severity\":\"warning\",%s}", extra);
	struct http_resp r = api("POST", "/api/alerts/rules", fixture_users()->admin, body);

	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.code", code);
	EXPECT_JSTR(r, "error.field", "window_weeks");
	http_free(&r);
	free(body);
}

/* window_weeks: 1..12 on seasonal conditions only, 4 when left out. */
static void t_window_weeks_field(void)
{
	struct http_resp r;
	long long id;
	char path[64];

	make_push_kpi("s_bad", 0);
	refused("\"condition\":\"seasonal_pct_lt\",\"window_weeks\":0", "out_of_range");
	refused("\"condition\":\"seasonal_pct_lt\",\"window_weeks\":13", "out_of_range");
	refused("\"condition\":\"seasonal_zscore_gt\",\"window_weeks\":\"four\"", "invalid_type");
	refused("\"condition\":\"seasonal_pct_gt\",\"window_weeks\":2.5", "invalid_type");
	refused("\"condition\":\"lt\",\"window_weeks\":4", "not_applicable");
	refused("\"condition\":\"zscore_gt\",\"window_samples\":10,\"window_weeks\":4",
	    "not_applicable");
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules WHERE kpi_key = 's_bad'"), 0);
	id = make_simple_rule("s default weeks", "s_bad", "seasonal_pct_lt", -50, "");
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "window_weeks"), 4);
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "window_minutes")));
	http_free(&r);
	/* no_data needs its window */
	r = api("POST", "/api/alerts/rules", fixture_users()->admin, "{\"name\":\"s stale\","
	    "\"kpi\":\"s_bad\",\"condition\":\"no_data\",\"threshold\":0,\"severity\":\"warning\"}");
	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.field", "window_minutes");
	http_free(&r);
	remove_made();
}

void suite_seasonal(void)
{
	static const struct test_case cases[] = {
		{"seasonal_pct_lt/gt and seasonal_zscore_gt fire and resolve", t_seasonal_fires},
		{"1 baseline point is no data, 2 a value; window_weeks 1 and 12", t_baseline_points},
		{"pct_change_abs_gt either way, exactly at the threshold", t_pct_change_abs},
		{"no_data: exactly at window_minutes fresh, then fires, then resolves", t_no_data},
		{"window_weeks: bounds, type, only on seasonal conditions, default 4",
		    t_window_weeks_field},
		{NULL, NULL},
	};
	test_add_suite("seasonal", NULL, NULL, cases);
}
