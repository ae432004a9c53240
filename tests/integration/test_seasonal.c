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
		"DELETE FROM mail_outbox WHERE rule_id IN (SELECT id FROM alert_rules WHERE kpi_key LIKE 's\\_%')",
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

static struct http_resp page(const char *method, const char *path, const char *body)
{
	char cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	return http_do(method, path, h, body, body ? strlen(body) : 0);
}

static int has(const struct http_resp *r, const char *text)
{
	return r->body != NULL && strstr(r->body, text) != NULL;
}

/* A new rule's form with fields refused with 422, want in the page. */
static void form_refused(const char *fields, const char *want)
{
	char *body = xasprintf("_csrf=%s&name=s+form+bad&kpi=s_form&severity=warning&enabled=1&%s",
	    fixture_users()->admin_csrf, fields);
	struct http_resp r = page("POST", "/rules", body);

	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, want));
	http_free(&r);
	free(body);
}

/* The form's window is a number and a unit; stored in minutes, shown back in the unit. */
static void t_form_units(void)
{
	char *body = xasprintf("_csrf=%s&name=s+form+day&kpi=s_form&condition=pct_change_gt"
	    "&threshold=3&severity=warning&window_minutes=2&window_unit=d&for_evaluations=1"
	    "&cooldown_minutes=60&enabled=1", fixture_users()->admin_csrf);
	struct http_resp r;
	long long id;
	char path[64];

	make_push_kpi("s_form", 0);
	r = page("POST", "/rules", body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	free(body);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT window_minutes FROM alert_rules WHERE name = 's form day'"),
	    2880);
	id = SQL_INT0("SELECT id FROM alert_rules WHERE name = 's form day'");
	snprintf(path, sizeof(path), "/rules/%lld", id);
	r = page("GET", path, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "name=\"window_minutes\" type=\"text\" inputmode=\"numeric\""
	    " value=\"2\""));
	CU_ASSERT_TRUE(has(&r, "<option value=\"d\" selected>days</option>"));
	http_free(&r);
	/* the rule list says it in words */
	r = page("GET", "/rules", NULL);
	CU_ASSERT_TRUE(has(&r, "changed by more than 3% in 2 days"));
	http_free(&r);
	/* a unit the form does not offer, and window_weeks out of range: errors at the fields */
	form_refused("condition=seasonal_pct_lt&threshold=-50&window_weeks=13",
	    "id=\"err-window_weeks\">Weeks the usual is taken over");
	form_refused("condition=pct_change_gt&threshold=3&window_minutes=2&window_unit=y",
	    "id=\"err-window_minutes\">The window&#39;s unit must be");
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules WHERE name = 's form bad'"), 0);
	remove_made();
}

/* ------------------------------------------------------------------ */
/* the 48-hour replay of the demo shop                                 */

#define REPLAY_STEPS 192        /* 48 hours at the backfill's 15 minutes */
#define STARTER_LOAD "/api/alerts/rules/load-starter"
#define STARTER_NAMES "SELECT id FROM alert_rules WHERE name IN" \
	" (SELECT e->>'name' FROM json_array_elements($1::json) e)"

static char *starter_text(void)
{
	char *path = xasprintf("%s/sql/starter-rules.json", test_top());
	json_t *j = json_load_file(path, 0, NULL);
	char *text;

	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

/* What the replay saw of one rule. */
struct seen {
	long long id;
	int fired, fired_midnight, fired_opening, fired_else, no_data_midnight;
};

/* The shop's local minute of the day at iso. */
static int local_minute(const char *iso)
{
	return (int)SQL_INT("SELECT (extract(hour FROM $1::timestamptz AT TIME ZONE $2) * 60"
	    " + extract(minute FROM $1::timestamptz AT TIME ZONE $2))::int", iso, test_shop_zone());
}

static int in_list(const json_t *a, long long id)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_integer_value(json_object_get(v, "rule_id")) == id ||
		    (json_is_integer(v) && json_integer_value(v) == id))
			return 1;
	return 0;
}

/* One replayed evaluation at iso of the rules in ids (a --rule list), noted in seen. */
static void replay_step(const char *iso, const char *ids, struct seen *seen, int n,
    int *steps_sold)
{
	char *path = xasprintf("%s/log/seasonal-replay.json", test_env("GW_TEST_STACK"));
	int minute = local_minute(iso), opening;
	json_t *o;

	CU_ASSERT_EQUAL_FATAL(test_system("'%s/goldwatch-evaluate' --json --now=%s %s >'%s'"
	    " 2>>'%s/log/evaluate-tests.log'", test_env("GW_TEST_BIN"), iso, ids, path,
	    test_env("GW_TEST_STACK")), 0);
	/* the day's first sale: the first moment after midnight the day's
	 * revenue is above 0, whatever hour the demo drew it at; the z-score
	 * fires then or a step later (after a night of zeros its window has no
	 * spread until it holds a sale): *steps_sold counts the steps since */
	if (minute < 15)
		*steps_sold = 0;
	else if (*steps_sold > 0)
		(*steps_sold)++;
	else if (SQL_INT("SELECT count(*) FROM kpi_samples WHERE kpi_key = 'revenue_today'"
	    " AND sampled_at = $1::timestamptz AND value > 0", iso) > 0)
		*steps_sold = 1;
	opening = *steps_sold == 1 || *steps_sold == 2;
	o = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (int i = 0; i < n; i++) {
		if (minute < 45 && in_list(json_object_get(o, "no_data"), seen[i].id))
			seen[i].no_data_midnight++;
		if (!in_list(json_object_get(o, "fired"), seen[i].id))
			continue;
		seen[i].fired++;
		if (minute < 60)
			seen[i].fired_midnight++;
		else if (opening)
			seen[i].fired_opening++;
		else
			seen[i].fired_else++;
	}
	json_decref(o);
	free(path);
}

/*
 * The preview of rule id's body over the replay's 48 hours (ending at its
 * last moment end) fires what the replay fired: the same moments, the same
 * resolutions (the replay's moments are the samples' moments).
 */
static void expect_preview_as_replayed(long long id, const char *end)
{
	char sid[24], *rule, *body;
	struct http_resp r;
	PGresult *alerts;
	json_t *firings;

	snprintf(sid, sizeof(sid), "%lld", id);
	rule = test_sql_str("SELECT json_build_object('kpi', kpi_key, 'condition', condition,"
	    " 'threshold', threshold, 'severity', severity, 'recipients', recipients,"
	    " 'cooldown_minutes', cooldown_minutes, 'for_evaluations', for_evaluations,"
	    " 'window_samples', window_samples, 'window_weeks', CASE WHEN condition LIKE"
	    " 'seasonal%' THEN window_weeks END, 'active_hours', active_hours)::text"
	    " FROM alert_rules WHERE id = $1::bigint", 1, TP(sid));
	body = xasprintf("{\"days\":2,\"now\":\"%s\",%s", end, rule + 1);
	r = api("POST", "/api/alerts/rules/preview", fixture_users()->viewer, body);
	EXPECT_STATUS(r, 200);
	firings = jget(r.json, "firings");
	alerts = test_sql("SELECT iso(triggered_at), coalesce(iso(resolved_at), '')"
	    " FROM alerts WHERE rule_id = $1::bigint ORDER BY id", 1, TP(sid));
	CU_ASSERT_EQUAL(json_array_size(firings), (size_t)PQntuples(alerts));
	/* both rules compared fire in these two days: the comparison is not of nothing */
	CU_ASSERT(PQntuples(alerts) >= 1);
	for (int i = 0; i < PQntuples(alerts) && (size_t)i < json_array_size(firings); i++) {
		const json_t *f = json_array_get(firings, (size_t)i);
		const char *resolved = json_string_value(json_object_get(f, "resolved_at"));
		int64_t a = 0, b = 0;
		time_parse_iso(json_string_value(json_object_get(f, "at")), &a);
		time_parse_iso(PQgetvalue(alerts, i, 0), &b);
		CU_ASSERT_EQUAL(a, b);
		a = b = 0;
		if (resolved)
			time_parse_iso(resolved, &a);
		if (*PQgetvalue(alerts, i, 1))
			time_parse_iso(PQgetvalue(alerts, i, 1), &b);
		CU_ASSERT_EQUAL(a, b);
	}
	PQclear(alerts);
	http_free(&r);
	free(body);
	free(rule);
}

/*
 * The demo shop's last two whole days (two midnights, two openings) at
 * the backfill's 15 minutes, with the starter rules, after backfilling the
 * four weeks before: no starter rule fires; "sales far below the usual
 * weekday" without its opening hours and pending count is no data at
 * midnight (every same weekday was at 0 then) and never fires around it;
 * a plain z-score rule on revenue_today fires at both midnights (the
 * figure falls to 0 every night) and after opening (at the first sale
 * after a night of zeros or the step after it), besides whenever a big sale jumps the sum.
 */
static void t_demo_replay(void)
{
	char *text = starter_text(), *start = test_shop_moment(2, "00:00"), *since, before[24];
	struct seen seen[3] = {{0}};
	long long above;
	char *end = NULL;
	int steps_sold = 0;
	struct http_resp r = api("POST", STARTER_LOAD, fixture_users()->admin, NULL);
	PGresult *ids;
	struct buf args;

	EXPECT_STATUS(r, 200);
	http_free(&r);
	snprintf(before, sizeof(before), "%lld",
	    SQL_INT0("SELECT coalesce(max(id), 0) FROM kpi_samples"));
	since = test_sql_str("SELECT iso($1::timestamptz - interval '29 days')", 1, TP(start));
	CU_ASSERT_EQUAL_FATAL(test_system("'%s/goldwatch-admin' backfill --since=%s --now=%s"
	    " --step 15m >>'%s/log/backfill-tests.log' 2>&1", test_env("GW_TEST_BIN"), since,
	    start, test_env("GW_TEST_STACK")), 0);
	seen[0].id = make_simple_rule("s plain z-score", "revenue_today", "zscore_gt", 3,
	    "\"window_samples\":24");
	seen[1].id = make_simple_rule("s seasonal always", "revenue_today", "seasonal_pct_lt", -80,
	    "\"window_weeks\":4");
	seen[2].id = SQL_INT("SELECT id FROM alert_rules WHERE name = $1",
	    "Sales far below the usual weekday");
	CU_ASSERT_TRUE_FATAL(seen[2].id > 0);
	/* one that fires now and then, for the preview below */
	above = make_simple_rule("s seasonal above", "revenue_today", "seasonal_pct_gt", 40,
	    "\"window_weeks\":4,\"cooldown_minutes\":0");
	buf_init(&args);
	ids = test_sql("SELECT id FROM alert_rules WHERE id IN (" STARTER_NAMES ")"
	    " OR name LIKE 's %'", 1, TP(text));
	for (int i = 0; i < PQntuples(ids); i++)
		buf_printf(&args, " --rule %s", PQgetvalue(ids, i, 0));
	PQclear(ids);
	for (int k = 0; k < REPLAY_STEPS; k++) {
		char *at, mins[12];

		snprintf(mins, sizeof(mins), "%d", 15 * k);
		at = test_sql_str("SELECT iso($1::timestamptz + make_interval(mins => $2::int))", 2,
		    TP(start, mins));
		replay_step(at, args.data, seen, 3, &steps_sold);
		free(end);
		end = at;
	}
	/* what the replay fired, the preview says would have fired */
	expect_preview_as_replayed(seen[0].id, end);
	expect_preview_as_replayed(above, end);
	free(end);
	{
		long long fired = SQL_INT("SELECT count(*) FROM alerts WHERE rule_id IN ("
		    STARTER_NAMES ")", text);
		if (fired)
			test_system("psql \"$DATABASE_URL\" -Atc \"SELECT rule_name, iso(triggered_at),"
			    " value FROM alerts ORDER BY id DESC LIMIT 10\" >&2");
		CU_ASSERT_EQUAL(fired, 0);
	}
	/* the plain z-score: the nightly fall to 0 is its "anomaly", both nights */
	CU_ASSERT_EQUAL(seen[0].fired_midnight, 2);
	/* and the first sale after a night of zeros is one too */
	CU_ASSERT_TRUE(seen[0].fired_opening >= 1);
	/* the seasonal condition: no data at midnight, nothing while closed */
	CU_ASSERT_TRUE(seen[1].no_data_midnight >= 2);
	CU_ASSERT_EQUAL(seen[1].fired_midnight, 0);
	CU_ASSERT_EQUAL(seen[2].fired, 0);
	if (seen[0].fired_midnight != 2 || seen[0].fired_opening < 1 ||
	    seen[1].no_data_midnight < 2 || getenv("GW_TEST_VERBOSE"))
		fprintf(stderr, "\n    z-score fired %d (midnight %d, opening %d, else %d);"
		    " seasonal no data at midnight %d\n", seen[0].fired, seen[0].fired_midnight,
		    seen[0].fired_opening, seen[0].fired_else, seen[1].no_data_midnight);
	test_exec("DELETE FROM kpi_samples WHERE id > $1::bigint", 1, TP(before));
	test_exec("DELETE FROM mail_outbox WHERE rule_id IN (" STARTER_NAMES ")", 1, TP(text));
	test_exec("DELETE FROM alerts WHERE rule_id IN (" STARTER_NAMES ")", 1, TP(text));
	test_exec("DELETE FROM mail_outbox WHERE rule_id IN (SELECT id FROM alert_rules"
	    " WHERE name LIKE 's %')", 0, NULL);
	test_exec("DELETE FROM alerts WHERE rule_id IN (SELECT id FROM alert_rules"
	    " WHERE name LIKE 's %')", 0, NULL);
	test_exec("DELETE FROM alert_rules WHERE name LIKE 's %'", 0, NULL);
	starter_rules_remove();
	buf_free(&args);
	free(since);
	free(start);
	free(text);
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
		{"the rule form: the window in minutes, hours, days or weeks", t_form_units},
		{"48 hours of the demo: starter rules quiet, a plain z-score fires at midnight",
		    t_demo_replay},
		{NULL, NULL},
	};
	test_add_suite("seasonal", NULL, NULL, cases);
}
