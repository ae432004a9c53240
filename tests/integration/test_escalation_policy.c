/*
 * test_escalation_policy.c - rules that name contact points and an
 * escalation policy: the fields' checks and round trip, the 409s that
 * keep what a rule names, the escalation shorthand kept as a policy the
 * rule owns, goldwatch-escalate going up a policy's levels (each level
 * told to its own contact points, once, stopped by an acknowledgement,
 * not doubled by two escalators at once) and the repeats. What a level
 * or a repeat tells a contact point is a notice, which the job turns into
 * a message at its moment: counted as either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

static int run_escalate_at(const char *at)
{
	return test_system("'%s/goldwatch-escalate' --now=%s >>'%s/log/jobs-tests.log' 2>&1",
	    test_env("GW_TEST_BIN"), at, test_env("GW_TEST_STACK"));
}

static int run_escalate(int minutes)
{
	char at[40];

	time_format_iso(time_now_us() + (int64_t)minutes * 60000000, at, sizeof(at));
	return run_escalate_at(at);
}

static long long post_id(const char *path, const char *json)
{
	struct http_resp r = api("POST", path, fixture_users()->admin, json);
	long long id = r.status == 201 ? jint(&r, "id") : 0;

	if (r.status != 201)
		fprintf(stderr, "\n    %s: %ld %.300s\n", path, r.status, r.body ? r.body : "");
	http_free(&r);
	return id;
}

/* An e-mail contact point named name to addr. */
static long long make_email_cp(const char *name, const char *addr)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"%s\"]}}", name, addr);
	return post_id("/api/contact-points", body);
}

/* A policy: level 1 after a minutes to cp1, level 2 after b more to cp2. */
static long long make_policy(const char *name, int a, long long cp1, int b, long long cp2,
    int repeat)
{
	char *body = xasprintf("{\"name\":\"%s\",\"levels\":[{\"after_minutes\":%d,"
	    "\"contact_points\":[%lld]},{\"after_minutes\":%d,\"contact_points\":[%lld]}],"
	    "\"repeat\":%d}", name, a, cp1, b, cp2, repeat);
	long long id = post_id("/api/escalation-policies", body);

	free(body);
	return id;
}

/* What contact point cp (one address) was told of kind about alert: notices pending or messages. */
static long long notices_to(long long alert, long long cp, const char *kind)
{
	char a[24], c[24];

	snprintf(a, sizeof(a), "%lld", alert);
	snprintf(c, sizeof(c), "%lld", cp);
	return SQL_INT("SELECT (SELECT count(*) FROM notices WHERE alert_id = $1::bigint"
	    " AND contact_point_id = $2::bigint AND kind = $3) + (SELECT count(*) FROM mail_outbox"
	    " WHERE $1::bigint = ANY(alert_ids) AND contact_point_id = $2::bigint AND kind = $3)",
	    a, c, kind);
}

static long long level_of(long long alert)
{
	char a[24];

	snprintf(a, sizeof(a), "%lld", alert);
	return SQL_INT("SELECT escalation_level FROM alerts WHERE id = $1::bigint", a);
}

/* Fires rule's alert (its KPI holds 10 > 5) and returns its id. */
static long long fire(long long rule)
{
	struct http_resp r = evaluate_rule(rule);
	long long id = jint(&r, "fired.0.id");

	http_free(&r);
	CU_ASSERT_FATAL(id > 0);
	return id;
}

static void t_rule_fields(void)
{
	long long a = make_email_cp("rf stock keeper", "stock@shop.test");
	long long b = make_email_cp("rf owner", "owner@shop.test");
	long long pol = make_policy("rf policy", 10, a, 20, b, 0), rule;
	char *extra, path[64];
	struct http_resp r;
	json_t *got;

	CU_ASSERT_FATAL(a > 0 && b > 0 && pol > 0);
	make_push_kpi("t_ep_rf", 0);
	extra = xasprintf("\"contact_points\":[%lld,%lld],\"escalation_policy_id\":%lld", a, b, pol);
	rule = make_simple_rule("rf rule", "t_ep_rf", "gt", 5, extra);
	free(extra);
	got = rule_of(rule);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(got, "contact_points"), 1)),
	    b);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(got, "escalation_policy_id")), pol);
	CU_ASSERT_TRUE(json_is_null(json_object_get(got, "escalation")));
	json_decref(got);

	/* what a rule names stays while it does: 409 naming the rule */
	snprintf(path, sizeof(path), "/api/contact-points/%lld", a);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", b);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", pol);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	CU_ASSERT_EQUAL(jint(&r, "error.details.rules.0"), rule);
	http_free(&r);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	/* the page's delete: back to the policy, which stays */
	snprintf(path, sizeof(path), "/escalation-policies/%lld/delete", pol);
	r = admin_form(path, "confirm=1");
	EXPECT_STATUS(r, 303);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", pol);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);

	/* a contact point only the rule names: the conflict says so */
	{
		long long c = make_email_cp("rf only the rule", "only@shop.test");
		char cpath[64];

		extra = xasprintf("\"contact_points\":[%lld]", c);
		long long r2 = make_simple_rule("rf rule 2", "t_ep_rf", "gt", 5, extra);
		free(extra);
		snprintf(cpath, sizeof(cpath), "/api/contact-points/%lld", c);
		r = api("DELETE", cpath, fixture_users()->admin, NULL);
		EXPECT_ERROR(r, 409, "conflict");
		CU_ASSERT_EQUAL(jint(&r, "error.details.rules.0"), r2);
		CU_ASSERT_EQUAL(json_array_size(jget(r.json, "error.details.escalation_policies")), 0);
		http_free(&r);
	}

	/* a PUT leaving them out: none (a full replace, as for the other optional fields) */
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
	r = api("PUT", path, fixture_users()->admin, "{\"name\":\"rf rule\",\"kpi\":\"t_ep_rf\","
	    "\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\"}");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "contact_points")), 0);
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "escalation_policy_id")));
	http_free(&r);
	/* and then the policy may go */
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", pol);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

/* Refused at the field, nothing changes. */
static void t_rule_refusals(void)
{
	long long a = make_email_cp("rr keeper", "rr@shop.test");
	long long b = make_email_cp("rr owner", "rr-owner@shop.test");
	long long pol, rule;
	char *body, path[64];
	struct http_resp r;
	json_t *got;

	CU_ASSERT_FATAL(a > 0 && b > 0);
	make_push_kpi("t_ep_rr", 0);
	body = xasprintf("\"contact_points\":[%lld]", b);
	rule = make_simple_rule("rr rule", "t_ep_rr", "gt", 5, body);
	free(body);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
	body = xasprintf("{\"name\":\"rr rule\",\"kpi\":\"t_ep_rr\",\"condition\":\"gt\","
	    "\"threshold\":5,\"severity\":\"critical\",\"contact_points\":[%lld,999999999]}", a);
	r = api("PUT", path, fixture_users()->admin, body);
	EXPECT_ERROR(r, 422, "unknown_contact_point");
	EXPECT_JSTR(r, "error.field", "contact_points");
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(&r, "error.message"), "999999999"));
	http_free(&r);
	free(body);
	r = api("PUT", path, fixture_users()->admin, "{\"name\":\"rr rule\",\"kpi\":\"t_ep_rr\","
	    "\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\","
	    "\"escalation_policy_id\":999999999}");
	EXPECT_ERROR(r, 422, "unknown_escalation_policy");
	EXPECT_JSTR(r, "error.field", "escalation_policy_id");
	http_free(&r);
	r = api("POST", "/api/alerts/rules", fixture_users()->admin, "{\"name\":\"rr bad\","
	    "\"kpi\":\"t_ep_rr\",\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\","
	    "\"contact_points\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}");
	CU_ASSERT_EQUAL(r.status, 422);
	EXPECT_JSTR(r, "error.field", "contact_points");
	http_free(&r);
	r = api("POST", "/api/alerts/rules", fixture_users()->admin, "{\"name\":\"rr bad\","
	    "\"kpi\":\"t_ep_rr\",\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\","
	    "\"escalation_policy_id\":\"one\"}");
	CU_ASSERT_EQUAL(r.status, 422);
	EXPECT_JSTR(r, "error.field", "escalation_policy_id");
	http_free(&r);
	pol = make_policy("rr policy", 10, a, 20, b, 0);
	body = xasprintf("{\"name\":\"rr bad\",\"kpi\":\"t_ep_rr\",\"condition\":\"gt\","
	    "\"threshold\":5,\"severity\":\"critical\",\"escalation_policy_id\":%lld,"
	    "\"escalation\":{\"after_minutes\":5,\"recipients\":[\"x@shop.test\"]}}", pol);
	r = api("POST", "/api/alerts/rules", fixture_users()->admin, body);
	EXPECT_ERROR(r, 422, "not_applicable");
	EXPECT_JSTR(r, "error.field", "escalation_policy_id");
	http_free(&r);
	free(body);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules WHERE name = 'rr bad'"), 0);
	got = rule_of(rule);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(got, "contact_points")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(got, "contact_points"), 0)),
	    b);
	CU_ASSERT_TRUE(json_is_null(json_object_get(got, "escalation_policy_id")));
	json_decref(got);
}

/* A rule's own policy and contact point are changed through the rule only: PUT 409s. */
static void owned_not_changed(long long rule, long long pol)
{
	char path[64], r_s[24], p_s[24], *body;
	long long cp;
	struct http_resp r;

	snprintf(r_s, sizeof(r_s), "%lld", rule);
	snprintf(p_s, sizeof(p_s), "%lld", pol);
	cp = SQL_INT("SELECT id FROM contact_points WHERE owner_rule_id = $1::bigint", r_s);
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", pol);
	body = xasprintf("{\"name\":\"taken over\",\"levels\":[{\"after_minutes\":99,"
	    "\"contact_points\":[%lld]}]}", cp);
	r = api("PUT", path, fixture_users()->admin, body);
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	free(body);
	CU_ASSERT_EQUAL(SQL_INT("SELECT (levels->0->>'after_minutes')::int FROM escalation_policies"
	    " WHERE id = $1::bigint", p_s), 10);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", cp);
	r = api("PUT", path, fixture_users()->admin, "{\"name\":\"taken over\",\"kind\":"
	    "\"email\",\"settings\":{\"addresses\":[\"thief@shop.test\"]}}");
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM contact_points WHERE owner_rule_id = $1::bigint"
	    " AND settings->'addresses' = '[\"boss@shop.test\"]'", r_s), 1);
}

/* The per-rule escalation is a one-level policy the rule owns. */
static void t_shorthand(void)
{
	long long rule, pol;
	char path[64], r_s[24], p_s[24];
	struct http_resp r;
	json_t *got;

	make_push_kpi("t_ep_sh", 0);
	rule = make_simple_rule("sh rule", "t_ep_sh", "gt", 5,
	    "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"boss@shop.test\"]}");
	snprintf(r_s, sizeof(r_s), "%lld", rule);
	pol = SQL_INT("SELECT escalation_policy_id FROM alert_rules WHERE id = $1::bigint", r_s);
	CU_ASSERT_TRUE(pol > 0);
	/* shown as the shorthand: the policy is the rule's own, not one to share */
	got = rule_of(rule);
	CU_ASSERT_TRUE(json_is_null(json_object_get(got, "escalation_policy_id")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(got, "escalation"),
	    "after_minutes")), 10);
	json_decref(got);
	snprintf(p_s, sizeof(p_s), "%lld", pol);
	CU_ASSERT_EQUAL(SQL_INT("SELECT owner_rule_id FROM escalation_policies"
	    " WHERE id = $1::bigint", p_s), rule);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM escalation_policies e JOIN contact_points c"
	    " ON c.owner_rule_id = e.owner_rule_id WHERE e.id = $1::bigint"
	    " AND e.owner_rule_id = $2::bigint AND e.contact_points = ARRAY[c.id]"
	    " AND (e.levels->0->>'after_minutes')::int = 10 AND c.kind = 'email'"
	    " AND c.settings->'addresses' = '[\"boss@shop.test\"]'", p_s, r_s), 1);
	/* its own policy cannot go while it escalates by it */
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", pol);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	CU_ASSERT_EQUAL(jint(&r, "error.details.rules.0"), rule);
	http_free(&r);
	owned_not_changed(rule, pol);
	/* GET then PUT the same body: unchanged (the shorthand names its own policy) */
	got = rule_of(rule);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
	{
		char *body;
		const char *drop[] = {"id", "created_at", "updated_at", "status", "pending_count",
		    "last_value", "last_evaluated_at"};
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			json_object_del(got, drop[i]);
		body = json_dumps(got, JSON_COMPACT);
		r = api("PUT", path, fixture_users()->admin, body);
		free(body);
	}
	json_decref(got);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT escalation_policy_id FROM alert_rules WHERE id = $1::bigint",
	    r_s), pol);
	/* the shorthand set to null: its policy and contact point go */
	r = api("PUT", path, fixture_users()->admin, "{\"name\":\"sh rule\",\"kpi\":\"t_ep_sh\","
	    "\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\",\"escalation\":null}");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "escalation")));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE id = $1::bigint"
	    " AND escalation_policy_id IS NULL", r_s), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT (SELECT count(*) FROM escalation_policies WHERE"
	    " owner_rule_id = $1::bigint) + (SELECT count(*) FROM contact_points WHERE"
	    " owner_rule_id = $1::bigint)", r_s), 0);
	/* set again, then the rule deleted: they go with it */
	r = api("PUT", path, fixture_users()->admin, "{\"name\":\"sh rule\",\"kpi\":\"t_ep_sh\","
	    "\"condition\":\"gt\",\"threshold\":5,\"severity\":\"critical\",\"escalation\":"
	    "{\"after_minutes\":7,\"recipients\":[\"boss@shop.test\"]}}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules r JOIN escalation_policies e"
	    " ON e.id = r.escalation_policy_id WHERE r.id = $1::bigint AND e.owner_rule_id = r.id"
	    " AND (e.levels->0->>'after_minutes')::int = 7", r_s), 1);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT (SELECT count(*) FROM escalation_policies WHERE"
	    " owner_rule_id = $1::bigint) + (SELECT count(*) FROM contact_points WHERE"
	    " owner_rule_id = $1::bigint)", r_s), 0);
}

static void t_levels(void)
{
	long long a = make_email_cp("lv first", "first@shop.test");
	long long b = make_email_cp("lv second", "second@shop.test");
	long long pol = make_policy("lv policy", 10, a, 20, b, 0), rule, acked_rule, alert, acked;
	char *extra, body[96], al[24];
	struct http_resp r;

	CU_ASSERT_FATAL(a > 0 && b > 0 && pol > 0);
	make_push_kpi("t_ep_lv", 0);
	push_value("t_ep_lv", 10, 0);
	extra = xasprintf("\"escalation_policy_id\":%lld", pol);
	rule = make_simple_rule("lv rule", "t_ep_lv", "gt", 5, extra);
	acked_rule = make_simple_rule("lv acked", "t_ep_lv", "gt", 5, extra);
	free(extra);
	alert = fire(rule);
	acked = fire(acked_rule);
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", acked);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);

	CU_ASSERT_EQUAL(run_escalate(5), 0);
	CU_ASSERT_EQUAL(level_of(alert), 0);
	CU_ASSERT_EQUAL(notices_to(alert, a, "escalated"), 0);
	/* level 1 after 10 minutes: told to its contact point only */
	CU_ASSERT_EQUAL(run_escalate(11), 0);
	CU_ASSERT_EQUAL(level_of(alert), 1);
	CU_ASSERT_EQUAL(notices_to(alert, a, "escalated"), 1);
	CU_ASSERT_EQUAL(notices_to(alert, b, "escalated"), 0);
	/* the same moment again, and before level 2 is due: nothing more */
	CU_ASSERT_EQUAL(run_escalate(11), 0);
	CU_ASSERT_EQUAL(run_escalate(25), 0);
	CU_ASSERT_EQUAL(level_of(alert), 1);
	CU_ASSERT_EQUAL(notices_to(alert, a, "escalated"), 1);
	/* level 2, 20 minutes after level 1: the second contact point */
	CU_ASSERT_EQUAL(run_escalate(31), 0);
	CU_ASSERT_EQUAL(level_of(alert), 2);
	CU_ASSERT_EQUAL(notices_to(alert, b, "escalated"), 1);
	CU_ASSERT_EQUAL(notices_to(alert, a, "escalated"), 1);
	snprintf(al, sizeof(al), "%lld", alert);
	/* no repeat in the policy: past its last level nothing more */
	CU_ASSERT_EQUAL(run_escalate(120), 0);
	CU_ASSERT_EQUAL(level_of(alert), 2);
	CU_ASSERT_EQUAL(notices_to(alert, a, "escalated") + notices_to(alert, b, "escalated"), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.escalated'"
	    " AND (data->>'id')::bigint = $1::bigint", al), 2);
	/* the acknowledged one: never */
	CU_ASSERT_EQUAL(level_of(acked), 0);
	CU_ASSERT_EQUAL(notices_to(acked, a, "escalated") + notices_to(acked, b, "escalated"), 0);
}

/* Two escalators at the same moment: each alert up one level, told once. */
static void t_two_escalators(void)
{
	long long a = make_email_cp("race first", "race@shop.test");
	long long pol = make_policy("race policy", 1, a, 1, a, 0);
	char *extra, name[32], at[40];
	pid_t p[2];

	CU_ASSERT_FATAL(a > 0 && pol > 0);
	make_push_kpi("t_ep_race", 0);
	push_value("t_ep_race", 10, 0);
	extra = xasprintf("\"escalation_policy_id\":%lld", pol);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "race %d", i);
		fire(make_simple_rule(name, "t_ep_race", "gt", 5, extra));
	}
	free(extra);
	/*
	 * both at one moment: two runs at moments a second apart may each take
	 * a step (one per run), which is right, and not what this asks
	 */
	time_format_iso(time_now_us() + 5 * 60000000LL, at, sizeof(at));
	for (int i = 0; i < 2; i++) {
		p[i] = fork();
		if (p[i] == 0)
			_exit(run_escalate_at(at));
	}
	for (int i = 0; i < 2; i++) {
		int st;
		waitpid(p[i], &st, 0);
		CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alerts WHERE kpi_key = 't_ep_race'"
	    " AND escalation_level = 1"), 40);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alerts a WHERE a.kpi_key = 't_ep_race'"
	    " AND (SELECT count(*) FROM notices n WHERE n.alert_id = a.id AND n.kind = 'escalated')"
	    " + (SELECT count(*) FROM mail_outbox m WHERE a.id = ANY(m.alert_ids)"
	    " AND m.kind = 'escalated') = 1"), 40);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM events e JOIN alerts a"
	    " ON a.id = (e.data->>'id')::bigint WHERE a.kpi_key = 't_ep_race'"
	    " AND e.type = 'alert.escalated'"), 40);
	test_exec("UPDATE alert_rules SET enabled = false WHERE kpi_key = 't_ep_race'", 0, NULL);
}

/* A fired alert with a repeat (the row notices_flush writes): told again every interval. */
static void t_repeats(void)
{
	long long cp = make_email_cp("rp keeper", "repeat@shop.test"), rule, alert;
	char al[24], c[24], body[96];
	struct http_resp r;

	CU_ASSERT_FATAL(cp > 0);
	make_push_kpi("t_ep_rp", 0);
	push_value("t_ep_rp", 10, 0);
	rule = make_simple_rule("rp rule", "t_ep_rp", "gt", 5, "");
	alert = fire(rule);
	snprintf(al, sizeof(al), "%lld", alert);
	snprintf(c, sizeof(c), "%lld", cp);
	test_exec("INSERT INTO alert_repeats (alert_id, contact_point_id, repeat_minutes, next_at)"
	    " SELECT id, $2::bigint, 30, triggered_at + interval '30 minutes' FROM alerts"
	    " WHERE id = $1::bigint", 2, TP(al, c));
	CU_ASSERT_EQUAL(run_escalate(10), 0);
	CU_ASSERT_EQUAL(notices_to(alert, cp, "repeat"), 0);
	CU_ASSERT_EQUAL(run_escalate(31), 0);
	CU_ASSERT_EQUAL(notices_to(alert, cp, "repeat"), 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT (result->>'repeats')::int FROM job_runs"
	    " WHERE job LIKE '%escalate%'"), 1);
	/* the same moment again: next_at moved on by the interval */
	CU_ASSERT_EQUAL(run_escalate(31), 0);
	CU_ASSERT_EQUAL(run_escalate(55), 0);
	CU_ASSERT_EQUAL(notices_to(alert, cp, "repeat"), 1);
	CU_ASSERT_EQUAL(run_escalate(62), 0);
	CU_ASSERT_EQUAL(notices_to(alert, cp, "repeat"), 2);
	/* acknowledged: no more, and its repeat is gone */
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", alert);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(run_escalate(200), 0);
	CU_ASSERT_EQUAL(notices_to(alert, cp, "repeat"), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_repeats WHERE alert_id = $1::bigint",
	    al), 0);
}

/* The rule form: tick contact points, choose a policy; without JavaScript. */
static void t_form(void)
{
	long long cp = make_email_cp("fm keeper", "keeper@shop.test");
	long long pol = make_policy("fm policy", 10, cp, 20, cp, 0), rule;
	char *fields, *want, path[64], r_s[24], p_s[24], c_s[24];
	const char *loc;
	struct http_resp r;

	CU_ASSERT_FATAL(cp > 0 && pol > 0);
	make_push_kpi("t_ep_fm", 0);
	/* a rule's own (shorthand) policy and contact point are not offered */
	make_simple_rule("fm owner", "t_ep_fm", "gt", 5,
	    "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"boss@shop.test\"]}");
	r = page_as("/rules/new", fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	want = xasprintf("name=\"cp_%lld\"", cp);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
	free(want);
	want = xasprintf("<option value=\"%lld\" >fm policy</option>", pol);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
	free(want);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "<option value=\"\" selected>none</option>") :
	    NULL);
	CU_ASSERT_PTR_NULL(r.body ? strstr(r.body, "escalation</option>") : "x");
	CU_ASSERT_PTR_NULL(r.body ? strstr(r.body, "rule #") : "x");
	http_free(&r);

	fields = xasprintf("name=fm+rule&kpi=t_ep_fm&condition=gt&threshold=5&severity=critical"
	    "&cooldown_minutes=60&for_evaluations=1&flap_changes=6&flap_window_minutes=60"
	    "&enabled=1&cp_%lld=1&escalation_policy_id=%lld", cp, pol);
	r = admin_form("/rules", fields);
	free(fields);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	rule = SQL_INT0("SELECT id FROM alert_rules WHERE name = 'fm rule'");
	snprintf(r_s, sizeof(r_s), "%lld", rule);
	snprintf(p_s, sizeof(p_s), "%lld", pol);
	snprintf(c_s, sizeof(c_s), "%lld", cp);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE id = $1::bigint"
	    " AND contact_points = ARRAY[$2::bigint] AND escalation_policy_id = $3::bigint",
	    r_s, c_s, p_s), 1);
	/* the edit form shows them chosen */
	snprintf(path, sizeof(path), "/rules/%lld", rule);
	r = page_as(path, fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	want = xasprintf("name=\"cp_%lld\" value=\"1\" checked", cp);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
	free(want);
	want = xasprintf("<option value=\"%lld\" selected>fm policy</option>", pol);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
	free(want);
	http_free(&r);
	/* an unknown policy: refused at its field, nothing changes */
	r = admin_form(path, "name=fm+rule&kpi=t_ep_fm&condition=gt&threshold=5&severity=critical"
	    "&cooldown_minutes=60&for_evaluations=1&flap_changes=6&flap_window_minutes=60"
	    "&enabled=1&escalation_policy_id=999999999");
	CU_ASSERT_EQUAL(r.status, 422);
	loc = r.body ? strstr(r.body, "id=\"err-escalation_policy_id\">") : NULL;
	CU_ASSERT_PTR_NOT_NULL(loc ? strstr(loc, "Choose an escalation policy") : NULL);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE id = $1::bigint"
	    " AND escalation_policy_id = $2::bigint", r_s, p_s), 1);
	/* nothing ticked, none chosen: cleared */
	r = admin_form(path, "name=fm+rule&kpi=t_ep_fm&condition=gt&threshold=5&severity=critical"
	    "&cooldown_minutes=60&for_evaluations=1&flap_changes=6&flap_window_minutes=60"
	    "&enabled=1&escalation_policy_id=");
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE id = $1::bigint"
	    " AND contact_points = '{}' AND escalation_policy_id IS NULL", r_s), 1);
}

void suite_escalation_policy(void)
{
	static const struct test_case cases[] = {
		{"a rule's contact points and escalation policy: checked, shown, kept while named",
		    t_rule_fields},
		{"a rule's contact points and escalation policy: refused at the field",
		    t_rule_refusals},
		{"the escalation shorthand is a policy the rule owns", t_shorthand},
		{"levels told to their own contact points, once; acknowledged: never", t_levels},
		{"two escalators at once: one level, one notice per alert", t_two_escalators},
		{"repeats every interval while firing; none after the acknowledgement", t_repeats},
		{"the rule form: contact points ticked, a policy chosen, refused at the field",
		    t_form},
		{NULL, NULL},
	};
	test_add_suite("escalation_policy", NULL, NULL, cases);
}
