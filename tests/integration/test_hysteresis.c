/*
 * test_hysteresis.c - the lifecycle options through the API and
 * goldwatch-evaluate at fixed moments (--now): a recovery threshold (fire
 * below 5 kg, resolve only above 6), keep firing, flapping (one mail when
 * it starts, one when it settles, the per-change mail held between, read
 * from the outbox), a re-breach within the cooldown told by a "back" mail,
 * and the status words of rules in the JSON and on the rules page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

/* The moment minutes after base (ISO 8601); caller frees. */
static char *moment(const char *base, int minutes)
{
	char m[24];

	snprintf(m, sizeof(m), "%d", minutes);
	return test_sql_str("SELECT iso($1::timestamptz + make_interval(mins => $2::int))", 2,
	    TP(base, m));
}

/* kpi is v half a minute before base + minute, then rule id is evaluated at that moment. */
static void value_at(const char *kpi, long long id, const char *base, int minute, double v)
{
	char *at = moment(base, minute), val[32], args[128];

	snprintf(val, sizeof(val), "%.17g", v);
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ($1, $2::float8, $3::timestamptz - interval '30 seconds', 'push')", 3,
	    TP(kpi, val, at));
	snprintf(args, sizeof(args), "--now=%s --rule %lld", at, id);
	CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	free(at);
}

/* Whether rule id's status is want (and, in the list, the same). */
static int status_is(long long id, const char *want)
{
	json_t *rule = rule_of(id), *one;
	const char *got = json_string_value(json_object_get(rule, "status"));
	int ok = got && strcmp(got, want) == 0, seen = 0;
	struct http_resp r = api("GET", "/api/alerts/rules", fixture_users()->viewer, NULL);
	size_t i;

	json_array_foreach(json_object_get(r.json, "items"), i, one)
		if (json_integer_value(json_object_get(one, "id")) == id)
			seen = json_equal(json_object_get(one, "status"), json_object_get(rule, "status"));
	http_free(&r);
	json_decref(rule);
	return ok && seen;
}

static long long events_of(long long id, const char *type)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	return SQL_INT("SELECT count(*) FROM events WHERE type = $2"
	    " AND (data->>'rule_id')::bigint = $1::bigint", sid, type);
}

/* body is refused with 422 naming field, and no rule is made. */
static void refused(const char *body, const char *field)
{
	long long before = SQL_INT0("SELECT count(*) FROM alert_rules");
	struct http_resp r = api("POST", "/api/alerts/rules", fixture_users()->admin, body);

	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.field", field);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules"), before);
}

#define HY_RULE(cond, thr) "{\"name\":\"hy refused\",\"kpi\":\"t_hy_kg\",\"condition\":\"" cond \
	"\",\"threshold\":" thr ",\"severity\":\"warning\","

static void t_recovery(void)
{
	char *base = test_shop_moment(2, "12:00");
	long long id;
	json_t *rule;

	make_push_kpi("t_hy_kg", 0);
	refused(HY_RULE("lt", "5") "\"recovery_threshold\":4}", "recovery_threshold");
	refused(HY_RULE("lt", "5") "\"recovery_threshold\":5}", "recovery_threshold");
	refused(HY_RULE("gt", "5") "\"recovery_threshold\":6}", "recovery_threshold");
	refused(HY_RULE("eq", "5") "\"recovery_threshold\":6}", "recovery_threshold");
	refused(HY_RULE("zscore_gt", "3") "\"window_samples\":10,\"recovery_threshold\":-1}",
	    "recovery_threshold");
	refused(HY_RULE("lt", "5") "\"recovery_threshold\":\"6\"}", "recovery_threshold");
	id = make_simple_rule("below 5 kg", "t_hy_kg", "lt", 5,
	    "\"recovery_threshold\":6,\"cooldown_minutes\":0");
	rule = rule_of(id);
	CU_ASSERT_EQUAL(json_number_value(json_object_get(rule, "recovery_threshold")), 6);
	json_decref(rule);
	value_at("t_hy_kg", id, base, 0, 4);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	/* above 5, not above 6: still firing; exactly 6 too */
	value_at("t_hy_kg", id, base, 1, 5.5);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	value_at("t_hy_kg", id, base, 2, 6);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	CU_ASSERT_EQUAL(outbox_of(id, "resolved"), 0);
	value_at("t_hy_kg", id, base, 3, 6.5);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 0);
	CU_ASSERT_EQUAL(alerts_of(id, "resolved"), 1);
	CU_ASSERT_EQUAL(outbox_of(id, "resolved"), 2);
	value_at("t_hy_kg", id, base, 4, 4.5);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	free(base);
}

static void t_keep_firing(void)
{
	char *base = test_shop_moment(2, "12:00");
	long long id;

	make_push_kpi("t_hy_keep", 0);
	refused("{\"name\":\"hy refused\",\"kpi\":\"t_hy_keep\",\"condition\":\"gt\",\"threshold\":5,"
	    "\"severity\":\"info\",\"keep_firing_minutes\":1441}", "keep_firing_minutes");
	id = make_simple_rule("keep firing 10", "t_hy_keep", "gt", 5,
	    "\"keep_firing_minutes\":10,\"cooldown_minutes\":0");
	value_at("t_hy_keep", id, base, 0, 10);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	value_at("t_hy_keep", id, base, 1, 1);
	/* holding again restarts the ten minutes */
	value_at("t_hy_keep", id, base, 5, 10);
	value_at("t_hy_keep", id, base, 6, 1);
	value_at("t_hy_keep", id, base, 15, 1);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	CU_ASSERT_TRUE(status_is(id, "firing"));
	value_at("t_hy_keep", id, base, 16, 1);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 0);
	CU_ASSERT_EQUAL(alerts_of(id, "resolved"), 1);
	CU_ASSERT_TRUE(status_is(id, "normal"));
	free(base);
}

static void t_flapping(void)
{
	char *base = test_shop_moment(2, "12:00");
	long long id;

	make_push_kpi("t_hy_flap", 0);
	id = make_simple_rule("flaps", "t_hy_flap", "gt", 5,
	    "\"cooldown_minutes\":0,\"flap_changes\":4,\"flap_window_minutes\":30");
	/* fire, resolve, fire: a mail each (two recipients) */
	for (int m = 0; m < 3; m++)
		value_at("t_hy_flap", id, base, m, m % 2 ? 1 : 10);
	CU_ASSERT_EQUAL(outbox_of(id, "fired"), 4);
	CU_ASSERT_EQUAL(outbox_of(id, "resolved"), 2);
	CU_ASSERT_FALSE(status_is(id, "flapping"));
	/* the fourth change: flapping, said once instead of its resolved mail */
	value_at("t_hy_flap", id, base, 3, 1);
	CU_ASSERT_EQUAL(outbox_of(id, "flapping"), 2);
	CU_ASSERT_EQUAL(outbox_of(id, "resolved"), 2);
	CU_ASSERT_EQUAL(events_of(id, "rule.flapping"), 1);
	CU_ASSERT_TRUE(status_is(id, "flapping"));
	/* more changes: the alerts still open and resolve, without mail */
	value_at("t_hy_flap", id, base, 4, 10);
	value_at("t_hy_flap", id, base, 5, 1);
	CU_ASSERT_EQUAL(alerts_of(id, NULL), 3);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 0);
	CU_ASSERT_EQUAL(fired_events_of(id), 3);
	CU_ASSERT_EQUAL(outbox_of(id, "fired"), 4);
	CU_ASSERT_EQUAL(outbox_of(id, "resolved"), 2);
	CU_ASSERT_EQUAL(outbox_of(id, "flapping"), 2);
	/* stable for less than the window: still flapping */
	value_at("t_hy_flap", id, base, 34, 1);
	CU_ASSERT_EQUAL(outbox_of(id, "settled"), 0);
	CU_ASSERT_TRUE(status_is(id, "flapping"));
	/* the window since the last change: settled, said once */
	value_at("t_hy_flap", id, base, 35, 1);
	CU_ASSERT_EQUAL(outbox_of(id, "settled"), 2);
	CU_ASSERT_EQUAL(events_of(id, "rule.settled"), 1);
	CU_ASSERT_TRUE(status_is(id, "normal"));
	value_at("t_hy_flap", id, base, 36, 1);
	CU_ASSERT_EQUAL(outbox_of(id, "settled"), 2);
	/* and the next change is mailed again */
	value_at("t_hy_flap", id, base, 37, 10);
	CU_ASSERT_EQUAL(outbox_of(id, "fired"), 6);
	CU_ASSERT_EQUAL(outbox_of(id, "flapping"), 2);
	free(base);
}

static void t_back_in_cooldown(void)
{
	char *base = test_shop_moment(2, "12:00");
	long long id;
	json_t *rule;

	make_push_kpi("t_hy_back", 0);
	id = make_simple_rule("comes back", "t_hy_back", "gt", 5, "\"cooldown_minutes\":60");
	value_at("t_hy_back", id, base, 0, 10);
	value_at("t_hy_back", id, base, 5, 1);
	CU_ASSERT_EQUAL(alerts_of(id, "resolved"), 1);
	/* back 10 minutes after the fire: no second alert, but a mail says so */
	value_at("t_hy_back", id, base, 10, 10);
	CU_ASSERT_EQUAL(alerts_of(id, NULL), 1);
	CU_ASSERT_EQUAL(outbox_of(id, "back"), 2);
	CU_ASSERT_EQUAL(events_of(id, "rule.back"), 1);
	rule = rule_of(id);
	EXPECT_JSTR((struct http_resp){.json = rule}, "status", "pending");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(rule, "pending_count")), 1);
	json_decref(rule);
	/* still breaching: said once */
	value_at("t_hy_back", id, base, 15, 10);
	CU_ASSERT_EQUAL(outbox_of(id, "back"), 2);
	/* the cooldown over: the new alert */
	value_at("t_hy_back", id, base, 61, 10);
	CU_ASSERT_EQUAL(alerts_of(id, NULL), 2);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	CU_ASSERT_EQUAL(outbox_of(id, "fired"), 4);
	free(base);
}

static void put_rule(long long id, const char *body)
{
	char path[64];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("PUT", path, fixture_users()->admin, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

#define ST_RULE(active) "{\"name\":\"status words\",\"kpi\":\"t_hy_st\",\"condition\":\"gt\"," \
	"\"threshold\":5,\"severity\":\"info\",\"for_evaluations\":3,\"active_hours\":\"" active "\""

static void t_status(void)
{
	char *base = test_shop_moment(2, "12:00"), *closed = test_shop_moment(2, "09:00");
	char args[128], body[128];
	long long id, none, alert;
	json_t *rule;
	struct http_resp r;

	make_push_kpi("t_hy_st", 0);
	make_push_kpi("t_hy_none", 0);
	none = make_simple_rule("never a value", "t_hy_none", "gt", 5, "");
	CU_ASSERT_TRUE(status_is(none, "normal"));
	snprintf(args, sizeof(args), "--now=%s --rule %lld", base, none);
	CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	CU_ASSERT_TRUE(status_is(none, "no_data"));

	id = make_rule(ST_RULE("always") "}");
	value_at("t_hy_st", id, base, 0, 10);
	rule = rule_of(id);
	EXPECT_JSTR((struct http_resp){.json = rule}, "status", "pending");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(rule, "pending_count")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(rule, "for_evaluations")), 3);
	CU_ASSERT_EQUAL(json_number_value(json_object_get(rule, "last_value")), 10);
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(rule, "last_evaluated_at")));
	json_decref(rule);
	value_at("t_hy_st", id, base, 1, 11);
	value_at("t_hy_st", id, base, 2, 12);
	CU_ASSERT_TRUE(status_is(id, "firing"));
	rule = rule_of(id);
	CU_ASSERT_PTR_NULL(json_object_get(rule, "pending_count"));
	CU_ASSERT_EQUAL(json_number_value(json_object_get(rule, "last_value")), 12);
	json_decref(rule);
	/* the rules page shows the same word */
	r = api("GET", "/rules", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "status-firing") : NULL);
	http_free(&r);

	{
		char sid[24];
		snprintf(sid, sizeof(sid), "%lld", id);
		alert = SQL_INT("SELECT id FROM alerts WHERE rule_id = $1::bigint AND state = 'firing'",
		    sid);
	}
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", alert);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_TRUE(status_is(id, "acknowledged"));

	/* a rule outside its active hours: inactive */
	put_rule(id, ST_RULE("open") "}");
	value_at("t_hy_st", id, base, 3, 1);
	CU_ASSERT_TRUE(status_is(id, "normal"));
	value_at("t_hy_st", id, closed, 0, 10);
	CU_ASSERT_TRUE(status_is(id, "inactive"));
	put_rule(id, ST_RULE("open") ",\"enabled\":false}");
	CU_ASSERT_TRUE(status_is(id, "disabled"));

	/*
	 * A full run writes no row whose outcome stays: its moment is read from
	 * the run (one after the rule was made: a run before it did not see it).
	 */
	{
		char *later = test_sql_str("SELECT iso(now() + interval '1 minute')", 0, NULL), sid[24];
		json_t *j;

		snprintf(sid, sizeof(sid), "%lld", none);
		snprintf(args, sizeof(args), "--now=%s", later);
		CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM rule_state WHERE rule_id = $1::bigint"
		    " AND last_evaluated_at = $2::timestamptz", sid, base), 1);
		j = rule_of(none);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) WHERE $1::timestamptz = $2::timestamptz",
		    json_string_value(json_object_get(j, "last_evaluated_at")) ?
		    json_string_value(json_object_get(j, "last_evaluated_at")) : "epoch", later), 1);
		EXPECT_JSTR((struct http_resp){.json = j}, "status", "no_data");
		json_decref(j);
		free(later);
	}
	free(base);
	free(closed);
}

void suite_hysteresis(void)
{
	static const struct test_case cases[] = {
		{"recovery threshold: fires below 5, resolves only above 6", t_recovery},
		{"keep firing: clear ten minutes in a row", t_keep_firing},
		{"flapping: one mail when it starts, one when it settles", t_flapping},
		{"a re-breach within the cooldown is told, once", t_back_in_cooldown},
		{"status words in the rules JSON and page", t_status},
		{NULL, NULL},
	};
	test_add_suite("hysteresis", NULL, NULL, cases);
}
