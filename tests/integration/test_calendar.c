/*
 * test_calendar.c - the shop's calendar through the API (who may read and
 * change it, bad input refused naming the field with nothing changed, the
 * audit row) and rules' active hours in the evaluation at fixed moments
 * (--now): a rule active only while open, evaluated across opening time
 * and closing time, keeps its pending count while the shop is closed; on a
 * closed day an "open" rule is passed over and a "closed" rule fires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

#define DEMO_CAL "{\"hours\":{\"mon\":[[\"10:00\",\"21:00\"]],\"tue\":[[\"10:00\",\"21:00\"]]," \
	"\"wed\":[[\"10:00\",\"21:00\"]],\"thu\":[[\"10:00\",\"21:00\"]]," \
	"\"fri\":[[\"10:00\",\"21:00\"]],\"sat\":[[\"10:00\",\"21:00\"]]," \
	"\"sun\":[[\"10:00\",\"21:00\"]]},\"closed_days\":[]}"

/* The calendar as GET shows it (viewer), compact; caller frees. */
static char *calendar_text(void)
{
	struct http_resp r = api("GET", "/api/shop/calendar", fixture_users()->viewer, NULL);
	char *s;

	EXPECT_STATUS(r, 200);
	s = json_dumps(r.json, JSON_COMPACT | JSON_SORT_KEYS);
	http_free(&r);
	return s;
}

static void put_calendar(const char *body, int want)
{
	struct http_resp r = api("PUT", "/api/shop/calendar", fixture_users()->admin, body);

	EXPECT_STATUS(r, want);
	http_free(&r);
}

/* body is refused with status and field, and the calendar is as before. */
static void refused(const char *body, int status, const char *field)
{
	char *before = calendar_text(), *after;
	struct http_resp r = api("PUT", "/api/shop/calendar", fixture_users()->admin, body);

	EXPECT_STATUS(r, status);
	EXPECT_JSTR(r, "error.field", field);
	http_free(&r);
	after = calendar_text();
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

static void t_api(void)
{
	const struct fixture_users *u = fixture_users();
	json_t *demo = json_loads(DEMO_CAL, 0, NULL);
	char *want = json_dumps(demo, JSON_COMPACT | JSON_SORT_KEYS), *got = calendar_text();
	struct http_resp r;

	/* the default is the demo shop's */
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	r = api("PUT", "/api/shop/calendar", u->operator_, DEMO_CAL);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = api("PUT", "/api/shop/calendar", u->viewer, DEMO_CAL);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = api("GET", "/api/shop/calendar", NULL, NULL);
	EXPECT_STATUS(r, 401);
	http_free(&r);

	refused("{\"hours\":{}}", 422, "hours");
	refused("{\"hours\":{\"mon\":[]},\"extra\":1}", 400, "extra");
	refused("{\"hours\":{\"mon\":[[\"10:00\",\"14:00\"],[\"13:00\",\"18:00\"]],\"tue\":[],"
	    "\"wed\":[],\"thu\":[],\"fri\":[],\"sat\":[],\"sun\":[]}}", 422, "hours.mon");
	refused("{\"hours\":{\"mon\":[[\"10:00\",\"25:00\"]],\"tue\":[],"
	    "\"wed\":[],\"thu\":[],\"fri\":[],\"sat\":[],\"sun\":[]}}", 422, "hours.mon");
	refused("{\"hours\":{\"mon\":[],\"tue\":[],\"wed\":[],\"thu\":[],\"fri\":[],\"sat\":[],"
	    "\"sun\":[]},\"closed_days\":[{\"date\":\"2026-02-30\",\"reason\":\"x\"}]}",
	    422, "closed_days");

	r = api("PUT", "/api/shop/calendar", u->admin, "{\"hours\":{\"mon\":[],\"tue\":[],"
	    "\"wed\":[],\"thu\":[],\"fri\":[[\"12:00\",\"14:00\"],[\"09:00\",\"11:00\"]],\"sat\":[],"
	    "\"sun\":[]},\"closed_days\":[{\"date\":\"2026-12-25\",\"reason\":\"Christmas\"}]}");
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "hours.fri.0.0", "09:00");
	EXPECT_JSTR(r, "closed_days.0.reason", "Christmas");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log WHERE object_type = 'calendar'"
	    " AND action = 'calendar.update' AND after->'closed_days'->0->>'date' = '2026-12-25'"), 1);
	put_calendar(DEMO_CAL, 200);
	got = calendar_text();
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	json_decref(demo);
}

/* A sample of kpi one minute before at, then goldwatch-evaluate --now=at for rule id. */
static void evaluate_at(const char *kpi, long long id, const char *at)
{
	char args[120];

	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ($1, 10, $2::timestamptz - interval '1 minute', 'push')", 2, TP(kpi, at));
	snprintf(args, sizeof(args), "--now=%s --rule %lld", at, id);
	CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
}

static long long state_int(long long id, const char *sql)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	return test_sql_int(sql, 1, TP(sid));
}

#define CONSECUTIVE "SELECT consecutive FROM rule_state WHERE rule_id = $1::bigint"
#define EVALUATED_AT "SELECT coalesce((extract(epoch FROM last_evaluated_at))::bigint, 0)" \
	" FROM rule_state WHERE rule_id = $1::bigint"
/* The last evaluation's count of rules passed over outside their hours. */
#define LAST_INACTIVE "SELECT (result->>'inactive')::int FROM job_runs WHERE job = 'evaluate'"

static void t_open_only(void)
{
	char *closed0 = test_shop_moment(3, "09:59"), *open0 = test_shop_moment(3, "10:00");
	char *close0 = test_shop_moment(3, "21:00"), *open1 = test_shop_moment(2, "10:00");
	long long id, at;

	make_push_kpi("t_cal_open", 0);
	id = make_simple_rule("open only", "t_cal_open", "gt", 5,
	    "\"for_evaluations\":2,\"active_hours\":\"open\"");
	/* before opening: passed over, its state untouched */
	evaluate_at("t_cal_open", id, closed0);
	CU_ASSERT_EQUAL(state_int(id, CONSECUTIVE), 0);
	CU_ASSERT_EQUAL(state_int(id, EVALUATED_AT), 0);
	CU_ASSERT_EQUAL(alerts_of(id, NULL), 0);
	CU_ASSERT_EQUAL(SQL_INT(LAST_INACTIVE), 1);
	/* 10:00 exactly: evaluated, pending 1 of 2 */
	evaluate_at("t_cal_open", id, open0);
	CU_ASSERT_EQUAL(state_int(id, CONSECUTIVE), 1);
	CU_ASSERT_EQUAL(SQL_INT(LAST_INACTIVE), 0);
	at = state_int(id, EVALUATED_AT);
	CU_ASSERT_NOT_EQUAL(at, 0);
	/* 21:00 exactly: closed, the pending count kept */
	evaluate_at("t_cal_open", id, close0);
	CU_ASSERT_EQUAL(state_int(id, CONSECUTIVE), 1);
	CU_ASSERT_EQUAL(state_int(id, EVALUATED_AT), at);
	CU_ASSERT_EQUAL(alerts_of(id, NULL), 0);
	/* the next opening: the second breach fires */
	evaluate_at("t_cal_open", id, open1);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	CU_ASSERT_EQUAL(outbox_of(id, "fired"), 2);
	free(closed0);
	free(open0);
	free(close0);
	free(open1);
}

static void t_closed_day(void)
{
	char *noon = test_shop_moment(1, "12:00"), *day = test_shop_day(noon), body[1024];
	long long open_id, closed_id;

	snprintf(body, sizeof(body), "{\"hours\":{\"mon\":[[\"10:00\",\"21:00\"]],"
	    "\"tue\":[[\"10:00\",\"21:00\"]],\"wed\":[[\"10:00\",\"21:00\"]],"
	    "\"thu\":[[\"10:00\",\"21:00\"]],\"fri\":[[\"10:00\",\"21:00\"]],"
	    "\"sat\":[[\"10:00\",\"21:00\"]],\"sun\":[[\"10:00\",\"21:00\"]]},"
	    "\"closed_days\":[{\"date\":\"%s\",\"reason\":\"stocktake\"}]}", day);
	put_calendar(body, 200);
	make_push_kpi("t_cal_day", 0);
	open_id = make_simple_rule("open on closed day", "t_cal_day", "gt", 5,
	    "\"active_hours\":\"open\"");
	closed_id = make_simple_rule("closed on closed day", "t_cal_day", "gt", 5,
	    "\"active_hours\":\"closed\"");
	evaluate_at("t_cal_day", open_id, noon);
	{
		char args[120];
		snprintf(args, sizeof(args), "--now=%s --rule %lld", noon, closed_id);
		CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	}
	CU_ASSERT_EQUAL(alerts_of(open_id, NULL), 0);
	CU_ASSERT_EQUAL(state_int(open_id, EVALUATED_AT), 0);
	CU_ASSERT_EQUAL(alerts_of(closed_id, "firing"), 1);
	put_calendar(DEMO_CAL, 200);
	free(noon);
	free(day);
}

static void t_rule_field(void)
{
	struct http_resp r;
	long long id;
	char path[64];

	make_push_kpi("t_cal_field", 0);
	id = make_simple_rule("active default", "t_cal_field", "gt", 5, "");
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_JSTR(r, "active_hours", "always");
	http_free(&r);
	r = api("POST", "/api/alerts/rules", fixture_users()->admin, "{\"name\":\"bad hours\","
	    "\"kpi\":\"t_cal_field\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\","
	    "\"active_hours\":\"weekends\"}");
	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.field", "active_hours");
	http_free(&r);
}

/* Last week's Friday at hh_mm on the shop's clock, as ISO 8601; caller frees. */
static char *last_friday(const char *hh_mm)
{
	return test_sql_str("SELECT iso(((date_trunc('week', now() AT TIME ZONE $1)"
	    " - interval '3 days') + $2::time) AT TIME ZONE $1)", 2, TP(test_shop_zone(), hh_mm));
}

static void t_recurring_silence(void)
{
	const struct fixture_users *u = fixture_users();
	char *noon = last_friday("12:30"), *later = last_friday("14:30"), body[512], ends[40];
	long long muted, told;
	struct http_resp r;

	make_push_kpi("t_cal_mute", 0);
	muted = make_simple_rule("muted friday lunch", "t_cal_mute", "gt", 5, "");
	told = make_simple_rule("told after lunch", "t_cal_mute", "gt", 5, "");
	time_format_iso(time_now_us() + INT64_C(7) * 86400 * 1000000, ends, sizeof(ends));
	snprintf(body, sizeof(body), "{\"scope\":\"kpi\",\"kpi\":\"t_cal_mute\","
	    "\"starts_at\":\"2020-01-01T00:00:00Z\",\"ends_at\":\"%s\",\"reason\":\"lunch\","
	    "\"recurrence\":{\"weekdays\":[\"fri\"],\"from\":\"12:00\",\"to\":\"14:00\"}}", ends);
	r = api("POST", "/api/alerts/silences", u->operator_, body);
	EXPECT_STATUS(r, 201);
	EXPECT_JSTR(r, "recurrence.weekdays.0", "fri");
	EXPECT_JSTR(r, "recurrence.to", "14:00");
	http_free(&r);
	/* Friday 12:30: recorded, silenced, nobody mailed */
	evaluate_at("t_cal_mute", muted, noon);
	CU_ASSERT_EQUAL(alerts_of(muted, "firing"), 1);
	CU_ASSERT_EQUAL(state_int(muted, "SELECT count(*) FROM alerts WHERE rule_id = $1::bigint"
	    " AND silenced"), 1);
	CU_ASSERT_EQUAL(outbox_of(muted, "fired"), 0);
	/* Friday 14:30: outside the window, mailed */
	evaluate_at("t_cal_mute", told, later);
	CU_ASSERT_EQUAL(alerts_of(told, "firing"), 1);
	CU_ASSERT_EQUAL(state_int(told, "SELECT count(*) FROM alerts WHERE rule_id = $1::bigint"
	    " AND silenced"), 0);
	CU_ASSERT_EQUAL(outbox_of(told, "fired"), 2);
	/* bad recurrences: refused naming the field */
	snprintf(body, sizeof(body), "{\"scope\":\"all\",\"ends_at\":\"%s\",\"reason\":\"x\","
	    "\"recurrence\":{\"weekdays\":[\"fri\"],\"from\":\"14:00\",\"to\":\"12:00\"}}", ends);
	r = api("POST", "/api/alerts/silences", u->operator_, body);
	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.field", "recurrence.to");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"scope\":\"all\",\"ends_at\":\"%s\",\"reason\":\"x\","
	    "\"recurrence\":{\"weekdays\":[\"friday\"],\"from\":\"12:00\",\"to\":\"14:00\"}}",
	    ends);
	r = api("POST", "/api/alerts/silences", u->operator_, body);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(&r, "error.field") ? jstr(&r, "error.field") : "",
	    "weekdays"));
	http_free(&r);
	free(noon);
	free(later);
}

/* The windows are wall-clock: Sunday 29 March 2026 in London starts at 00:00 GMT, ends BST. */
static void t_recurrence_dst(void)
{
	static const struct { const char *at; long long want; } cases[] = {
		{"2026-03-29T10:59:59Z", 0}, {"2026-03-29T11:00:00Z", 1},
		{"2026-03-29T12:59:59Z", 1}, {"2026-03-29T13:00:00Z", 0},
		{"2026-10-25T11:59:59Z", 0}, {"2026-10-25T12:00:00Z", 1},
		{"2026-10-25T13:59:59Z", 1}, {"2026-10-25T14:00:00Z", 0},
		{"2026-03-28T11:30:00Z", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(test_sql_int("SELECT silence_recurs("
		    "'{\"weekdays\":[\"sun\"],\"from\":\"12:00\",\"to\":\"14:00\"}',"
		    " $1::timestamptz, 'Europe/London')::int", 1, TP(cases[i].at)), cases[i].want);
}

/* A page request with the session cookie of token (and a form body, or NULL). */
static struct http_resp page(const char *token, const char *method, const char *path,
    const char *body)
{
	char cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", token);
	return http_do(method, path, h, body, body ? strlen(body) : 0);
}

/* Whether the response's body holds text. */
static int has(const struct http_resp *r, const char *text)
{
	return r->body != NULL && strstr(r->body, text) != NULL;
}

static void t_page(void)
{
	const struct fixture_users *u = fixture_users();
	char *before = calendar_text(), *after, body[1024];
	struct http_resp r;

	r = page(u->viewer, "GET", "/calendar", NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "10:00-21:00"));
	CU_ASSERT_FALSE(has(&r, "action=\"/calendar\""));
	http_free(&r);
	r = page(u->admin, "GET", "/calendar", NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "action=\"/calendar\""));
	http_free(&r);
	/* no CSRF token, a viewer, a bad field: refused, nothing changed */
	r = page(u->admin, "POST", "/calendar", "hours_mon=10%3A00-12%3A00");
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = page(u->viewer, "POST", "/calendar", "hours_mon=10%3A00-12%3A00");
	EXPECT_STATUS(r, 403);
	http_free(&r);
	snprintf(body, sizeof(body), "_csrf=%s&hours_mon=10%%3A00-25%%3A00&hours_tue=&hours_wed="
	    "&hours_thu=&hours_fri=&hours_sat=&hours_sun=&closed_days=", u->admin_csrf);
	r = page(u->admin, "POST", "/calendar", body);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-mon\">Monday"));
	CU_ASSERT_TRUE(has(&r, "value=\"10:00-25:00\""));
	http_free(&r);
	after = calendar_text();
	CU_ASSERT_STRING_EQUAL(after, before);
	free(after);
	/* a good form: two intervals, a closed weekday, a closed day */
	snprintf(body, sizeof(body), "_csrf=%s&hours_mon=&hours_tue=10%%3A00-21%%3A00"
	    "&hours_wed=10%%3A00-21%%3A00&hours_thu=10%%3A00-21%%3A00"
	    "&hours_fri=15%%3A00-21%%3A00%%2C+10%%3A00-14%%3A00&hours_sat=10%%3A00-21%%3A00"
	    "&hours_sun=10%%3A00-21%%3A00&closed_days=2026-12-25+Christmas+Day%%0D%%0A",
	    u->admin_csrf);
	r = page(u->admin, "POST", "/calendar", body);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	r = api("GET", "/api/shop/calendar", u->viewer, NULL);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "hours.mon")), 0);
	EXPECT_JSTR(r, "hours.fri.0.0", "10:00");
	EXPECT_JSTR(r, "hours.fri.1.0", "15:00");
	EXPECT_JSTR(r, "closed_days.0.date", "2026-12-25");
	EXPECT_JSTR(r, "closed_days.0.reason", "Christmas Day");
	http_free(&r);
	put_calendar(DEMO_CAL, 200);
	free(before);
}

void suite_calendar(void)
{
	static const struct test_case cases[] = {
		{"GET/PUT /api/shop/calendar: roles, bad input, audit", t_api},
		{"a rule active only when open, across opening and closing time", t_open_only},
		{"a closed day: open rules passed over, closed rules fire", t_closed_day},
		{"active_hours: default always, bad values refused", t_rule_field},
		{"the calendar page: read-only for viewers, CSRF, errors at the field", t_page},
		{"a recurring silence mutes mail at 12:30 Friday, not at 14:30", t_recurring_silence},
		{"a recurring silence's window on the days the clocks change", t_recurrence_dst},
		{NULL, NULL},
	};
	test_add_suite("calendar", NULL, NULL, cases);
}
