/*
 * test_preview.c - POST /api/alerts/rules/preview: on a fixed series of
 * stored samples, each rule's preview is what goldwatch-evaluate --now at
 * the samples' moments actually fires on a fresh rule (the same firings,
 * values and resolutions), with pending, cooldown and active hours
 * ("open") at work; it writes nothing; its bounds and errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

#define KPI "t_preview"
#define N_SAMPLES 12
#define STEP_US (30 * INT64_C(60000000))
#define RULE_HEAD "\"kpi\":\"" KPI "\",\"condition\":\"gt\",\"threshold\":5," \
	"\"severity\":\"warning\",\"recipients\":[\"owner@shop.example\"]"

static const double series[N_SAMPLES] = {1, 10, 10, 1, 10, 1, 10, 10, 10, 1, 1, 10};
static int64_t t0_us;           /* the first sample: 08:00 on the shop's clock, 3 days ago */
static char now_iso[40];        /* the span's end: 14:00 that day */

/* The series at 08:00, 08:30, ... 13:30, stored without evaluation. */
static void seed(void)
{
	char *t0 = test_shop_moment(3, "08:00");

	CU_ASSERT_EQUAL_FATAL(time_parse_iso(t0, &t0_us), 0);
	free(t0);
	time_format_iso(t0_us + 12 * STEP_US, now_iso, sizeof(now_iso));
	make_push_kpi(KPI, 1440);
	for (int i = 0; i < N_SAMPLES; i++) {
		char at[40], body[160];
		struct http_resp r;

		time_format_iso(t0_us + i * STEP_US, at, sizeof(at));
		snprintf(body, sizeof(body), "{\"value\":%g,\"at\":\"%s\",\"evaluate\":false}",
		    series[i], at);
		r = api("POST", "/api/kpis/" KPI "/samples", fixture_users()->operator_, body);
		EXPECT_STATUS(r, 201);
		http_free(&r);
	}
}

static struct http_resp preview(const char *members)
{
	char *body = xasprintf("{%s}", members);
	struct http_resp r = api("POST", "/api/alerts/rules/preview", fixture_users()->viewer,
	    body);

	free(body);
	return r;
}

/* The rule's preview over the series (days 1, ending at now_iso). */
static struct http_resp preview_rule(const char *extra)
{
	char *m = xasprintf("\"days\":1,\"now\":\"%s\"," RULE_HEAD "%s%s", now_iso,
	    *extra ? "," : "", extra);
	struct http_resp r = preview(m);

	free(m);
	EXPECT_STATUS(r, 200);
	return r;
}

static int64_t iso_us(const char *s)
{
	int64_t us = 0;

	return s && time_parse_iso(s, &us) == 0 ? us : -1;
}

/* goldwatch-evaluate --now at every sample's moment, in order, on rule id alone. */
static void replay(long long id)
{
	for (int i = 0; i < N_SAMPLES; i++) {
		char at[40], args[128];

		time_format_iso(t0_us + i * STEP_US, at, sizeof(at));
		snprintf(args, sizeof(args), "--now=%s --rule %lld", at, id);
		CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	}
}

/* Column expression col of rule sid's alert number i (by id), as text. */
static char *alert_nth(const char *sid, long long i, const char *col)
{
	char *sql = xasprintf("SELECT %s FROM alerts WHERE rule_id = $1::bigint"
	    " ORDER BY id OFFSET %lld LIMIT 1", col, i);
	char *v = test_sql_str(sql, 1, TP(sid));

	free(sql);
	return v;
}

/* The preview's firings are the alerts rule id fired in the replay. */
static void expect_same(const struct http_resp *p, long long id)
{
	char sid[24];
	json_t *firings = jget(p->json, "firings");
	long long n;

	snprintf(sid, sizeof(sid), "%lld", id);
	n = SQL_INT("SELECT count(*) FROM alerts WHERE rule_id = $1::bigint", sid);
	CU_ASSERT_EQUAL(json_array_size(firings), (size_t)n);
	CU_ASSERT_EQUAL(jint(p, "count"), n);
	for (long long i = 0; i < n && i < (long long)json_array_size(firings); i++) {
		json_t *f = json_array_get(firings, (size_t)i);
		const char *want_resolved = json_string_value(json_object_get(f, "resolved_at"));
		char *at = alert_nth(sid, i, "iso(triggered_at)");
		char *resolved = alert_nth(sid, i, "coalesce(iso(resolved_at), 'open')");
		char *value = alert_nth(sid, i, "value::text");

		CU_ASSERT_EQUAL(iso_us(json_string_value(json_object_get(f, "at"))), iso_us(at));
		if (want_resolved) {
			CU_ASSERT_EQUAL(iso_us(want_resolved), iso_us(resolved));
		} else {
			CU_ASSERT_STRING_EQUAL(resolved ? resolved : "(null)", "open");
		}
		CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(f, "value")),
		    value ? strtod(value, NULL) : -1, 1e-9);
		free(at);
		free(resolved);
		free(value);
	}
	test_exec("UPDATE alert_rules SET enabled = false WHERE id = $1::bigint", 1, TP(sid));
}

/* One rule: its preview has want firings and equals the replay of a fresh rule. */
static void check_rule(const char *name, const char *extra, int want)
{
	struct http_resp p = preview_rule(extra);
	char *body = xasprintf("{\"name\":\"%s\"," RULE_HEAD "%s%s}", name, *extra ? "," : "",
	    extra);
	long long id;

	CU_ASSERT_EQUAL(jint(&p, "count"), want);
	CU_ASSERT_EQUAL(jint(&p, "samples"), N_SAMPLES);
	id = make_rule(body);
	free(body);
	replay(id);
	expect_same(&p, id);
	http_free(&p);
}

static char *calendar_before;

static void t_equals_replay(void)
{
	struct http_resp r = api("GET", "/api/shop/calendar", fixture_users()->viewer, NULL);

	EXPECT_STATUS(r, 200);
	calendar_before = json_dumps(r.json, JSON_COMPACT);
	http_free(&r);
	r = api("PUT", "/api/shop/calendar", fixture_users()->admin,
	    "{\"hours\":{\"mon\":[[\"10:00\",\"21:00\"]],\"tue\":[[\"10:00\",\"21:00\"]],"
	    "\"wed\":[[\"10:00\",\"21:00\"]],\"thu\":[[\"10:00\",\"21:00\"]],"
	    "\"fri\":[[\"10:00\",\"21:00\"]],\"sat\":[[\"10:00\",\"21:00\"]],"
	    "\"sun\":[[\"10:00\",\"21:00\"]]},\"closed_days\":[]}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	seed();
	/* 08:30, 10:00, 11:00, 13:30 */
	check_rule("preview plain", "\"cooldown_minutes\":0", 4);
	/* pending: the second breach in a row fires (09:00, 11:30) */
	check_rule("preview pending", "\"cooldown_minutes\":0,\"for_evaluations\":2", 2);
	/* cooldown: 10:00 is within 2 hours of 08:30 (08:30, 11:00, 13:30) */
	check_rule("preview cooldown", "\"cooldown_minutes\":120", 3);
	/* open from 10:00: the morning's breach is not evaluated (10:00, 11:00, 13:30) */
	check_rule("preview open", "\"cooldown_minutes\":0,\"active_hours\":\"open\"", 3);
	/* hysteresis: the 1s never get below 0.5, so the 08:30 alert stays open */
	check_rule("preview recovery", "\"cooldown_minutes\":0,\"recovery_threshold\":0.5", 1);
	/* keep firing 30 minutes: only 12:30-13:00 is clear that long (08:30, 13:30) */
	check_rule("preview keep firing", "\"cooldown_minutes\":0,\"keep_firing_minutes\":30", 2);
	r = api("PUT", "/api/shop/calendar", fixture_users()->admin, calendar_before);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(calendar_before);
}

/*
 * Staleness is evaluated at every step, not only at samples: the day
 * before the series has no sample, so a no_data rule fires at the span's
 * first step and resolves at the series' first sample; the same as the
 * timer at those moments (a step before the first sample: still firing).
 */
static void t_staleness(void)
{
	const char *head = "\"kpi\":\"" KPI "\",\"condition\":\"no_data\",\"threshold\":0,"
	    "\"window_minutes\":45,\"cooldown_minutes\":0,\"severity\":\"warning\","
	    "\"recipients\":[\"owner@shop.example\"]";
	char *m = xasprintf("\"days\":1,\"now\":\"%s\",%s", now_iso, head), *body;
	int64_t first = iso_us(now_iso) - 86400 * INT64_C(1000000) + 300 * INT64_C(1000000);
	const int64_t moments[] = {first, t0_us - 300 * INT64_C(1000000), t0_us, t0_us + STEP_US};
	struct http_resp p = preview(m);
	long long id;

	EXPECT_STATUS(p, 200);
	CU_ASSERT_EQUAL(jint(&p, "count"), 1);
	CU_ASSERT_EQUAL(iso_us(jstr(&p, "firings.0.at")), first);
	CU_ASSERT_EQUAL(iso_us(jstr(&p, "firings.0.resolved_at")), t0_us);
	body = xasprintf("{\"name\":\"preview stale\",%s}", head);
	id = make_rule(body);
	for (size_t i = 0; i < sizeof(moments) / sizeof(moments[0]); i++) {
		char at[40], args[128];
		time_format_iso(moments[i], at, sizeof(at));
		snprintf(args, sizeof(args), "--now=%s --rule %lld", at, id);
		CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	}
	expect_same(&p, id);
	http_free(&p);
	free(body);
	free(m);
}

/* The firings' details of the plain rule, read off the series. */
static void t_firings_shape(void)
{
	struct http_resp p = preview_rule("\"cooldown_minutes\":0");

	CU_ASSERT_EQUAL(iso_us(jstr(&p, "firings.0.at")), t0_us + STEP_US);
	CU_ASSERT_EQUAL(iso_us(jstr(&p, "firings.0.resolved_at")), t0_us + 3 * STEP_US);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(jget(p.json, "firings.0.value")), 10, 1e-9);
	CU_ASSERT_TRUE(json_is_null(jget(p.json, "firings.3.resolved_at")));
	http_free(&p);
}

static long long count_rule_cooldown(long long id)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	return SQL_INT("SELECT cooldown_minutes FROM alert_rules WHERE id = $1::bigint", sid);
}

static long long written(void)
{
	return SQL_INT0("SELECT (SELECT count(*) FROM alerts) + (SELECT count(*) FROM mail_outbox)"
	    " + (SELECT count(*) FROM events) + (SELECT count(*) FROM audit_log)"
	    " + (SELECT count(*) FROM kpi_samples) + (SELECT count(*) FROM alert_rules)");
}

/* A preview, of a new or a saved rule, writes nothing. */
static void t_writes_nothing(void)
{
	long long before = written(), id;
	char *state = test_sql_str("SELECT string_agg(rule_id || ':' || consecutive || ':'"
	    " || coalesce(iso(last_evaluated_at), '-'), ',' ORDER BY rule_id) FROM rule_state",
	    0, NULL), *after_state, *m;
	struct http_resp p = preview_rule("\"cooldown_minutes\":0");

	http_free(&p);
	CU_ASSERT_EQUAL(written(), before);
	after_state = test_sql_str("SELECT string_agg(rule_id || ':' || consecutive || ':'"
	    " || coalesce(iso(last_evaluated_at), '-'), ',' ORDER BY rule_id) FROM rule_state",
	    0, NULL);
	CU_ASSERT_STRING_EQUAL(after_state, state);
	free(after_state);
	/* a saved rule with changes: its members under the body's */
	id = make_rule("{\"name\":\"preview saved\"," RULE_HEAD ",\"cooldown_minutes\":0,"
	    "\"enabled\":false}");
	before = written();
	m = xasprintf("\"days\":1,\"now\":\"%s\",\"rule_id\":%lld,\"cooldown_minutes\":120",
	    now_iso, id);
	p = preview(m);
	free(m);
	EXPECT_STATUS(p, 200);
	CU_ASSERT_EQUAL(jint(&p, "count"), 3);
	http_free(&p);
	CU_ASSERT_EQUAL(written(), before);
	free(state);
}

/* days 1..90; the rule validated as create does; unknown rule and KPI. */
static void t_bounds_and_errors(void)
{
	static const struct {
		const char *members;
		int status;
		const char *code, *field;
	} cases[] = {
		{"\"days\":0," RULE_HEAD, 422, "out_of_range", "days"},
		{"\"days\":91," RULE_HEAD, 422, "out_of_range", "days"},
		{"\"days\":\"30\"," RULE_HEAD, 422, "invalid_type", "days"},
		{"\"now\":\"yesterday\"," RULE_HEAD, 422, "invalid_value", "now"},
		{"\"days\":1,\"kpi\":\"" KPI "\",\"condition\":\"gt\",\"severity\":\"warning\"",
		    422, "missing_field", "threshold"},
		{"\"days\":1," RULE_HEAD ",\"colour\":\"red\"", 400, "unknown_field", "colour"},
		{"\"days\":1,\"kpi\":\"no_such_kpi\",\"condition\":\"gt\",\"threshold\":5,"
		    "\"severity\":\"warning\"", 422, "unknown_kpi", "kpi"},
		{"\"rule_id\":999999999", 404, "not_found", NULL},
	};
	struct http_resp r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = preview(cases[i].members);
		EXPECT_ERROR(r, cases[i].status, cases[i].code);
		if (cases[i].field)
			EXPECT_JSTR(r, "error.field", cases[i].field);
		http_free(&r);
	}
	r = api("POST", "/api/alerts/rules/preview", fixture_users()->viewer, "[1]");
	EXPECT_ERROR(r, 400, "bad_request");
	http_free(&r);
	/* 90 days and the default (30) are fine; the series is inside both */
	{
		char *m = xasprintf("\"days\":90,\"now\":\"%s\"," RULE_HEAD, now_iso);
		r = preview(m);
		free(m);
		EXPECT_STATUS(r, 200);
		CU_ASSERT_EQUAL(jint(&r, "samples"), N_SAMPLES);
		http_free(&r);
		m = xasprintf("\"now\":\"%s\"," RULE_HEAD, now_iso);
		r = preview(m);
		free(m);
		EXPECT_STATUS(r, 200);
		CU_ASSERT_EQUAL(jint(&r, "samples"), N_SAMPLES);
		http_free(&r);
	}
	/* without now: the span ends at the clock, 3 days after the series */
	r = preview("\"days\":1," RULE_HEAD);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "samples"), 0);
	CU_ASSERT_EQUAL(jint(&r, "count"), 0);
	http_free(&r);
}

/* The rule form posted as its Preview button (or the page's script) posts it. */
static struct http_resp form_post(const char *path, const char *fields)
{
	char cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	char *body = xasprintf("_csrf=%s&_action=preview&kpi=" KPI "&severity=warning"
	    "&recipients=&notify_resolved=1&enabled=1&%s", fixture_users()->admin_csrf, fields);
	struct http_resp r;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	r = http_do("POST", path, h, body, strlen(body));
	free(body);
	return r;
}

static int occurrences(const char *text, const char *part)
{
	int n = 0;

	for (const char *p = text ? strstr(text, part) : NULL; p; p = strstr(p + 1, part))
		n++;
	return n;
}

/* The form's Preview button: the chart and the sentence, server-side; nothing saved. */
static void t_form_preview(void)
{
	long long rules = SQL_INT0("SELECT count(*) FROM alert_rules"), id;
	struct http_resp r = form_post("/rules", "name=&condition=gt&threshold=5"
	    "&cooldown_minutes=0&for_evaluations=1");
	char path[64];

	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Would have fired 4 times in 30 days"
	    " (12 stored samples)."));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "<svg class=\"chart\""));
	CU_ASSERT_EQUAL(occurrences(r.body, "class=\"chart-mark\""), 4);
	CU_ASSERT_EQUAL(occurrences(r.body, "class=\"chart-threshold\""), 1);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules"), rules);
	/* the threshold changed: the preview with it */
	r = form_post("/rules", "name=x&condition=gt&threshold=50&cooldown_minutes=0"
	    "&for_evaluations=1&preview_days=7");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Would have fired 0 times in 7 days"));
	http_free(&r);
	/* a bad field: the form's message, no preview */
	r = form_post("/rules", "name=x&condition=gt&threshold=abc&cooldown_minutes=0");
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Correct the marked fields to see the preview."));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules"), rules);
	/* a saved rule's page shows its preview; previewing a change saves nothing */
	id = make_rule("{\"name\":\"preview page\"," RULE_HEAD ",\"cooldown_minutes\":120,"
	    "\"enabled\":false}");
	snprintf(path, sizeof(path), "/rules/%lld", id);
	{
		char cookie[256];
		const char *h[] = {cookie, NULL};

		snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
		r = http_do("GET", path, h, NULL, 0);
	}
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Would have fired 3 times in 30 days"));
	http_free(&r);
	r = form_post(path, "name=preview+page&condition=gt&threshold=5&cooldown_minutes=0"
	    "&for_evaluations=2");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Would have fired 2 times in 30 days"));
	http_free(&r);
	CU_ASSERT_EQUAL(count_rule_cooldown(id), 120);
}

void suite_preview(void)
{
	static const struct test_case cases[] = {
		{"preview equals a replay with --now (pending, cooldown, open hours)",
		    t_equals_replay},
		{"the firings' times, values and resolutions", t_firings_shape},
		{"staleness at every step, as the timer at those moments", t_staleness},
		{"a preview writes nothing", t_writes_nothing},
		{"days bounds and bad bodies", t_bounds_and_errors},
		{"the rule form's preview, without JavaScript", t_form_preview},
		{NULL, NULL},
	};
	test_add_suite("preview", NULL, NULL, cases);
}
