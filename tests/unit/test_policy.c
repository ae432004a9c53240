/*
 * test_policy.c - walking the notification policies for one alert: each
 * matcher set must hold (any of its values), continue goes on, a contact
 * point comes once with the first policy's wait and repeat, and the
 * default takes what nothing matched; what routing_decode refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "escalation_policy.h"
#include "policy.h"
#include "testlib.h"
#include "unit.h"

static const char routing_text[] =
    "{\"policies\":["
    "{\"matchers\":{\"severity\":[\"critical\"]},\"contact_points\":[1,2],\"continue\":true,"
    " \"group_wait_seconds\":0,\"repeat_minutes\":30},"
    "{\"matchers\":{\"category\":[\"operational\"],\"kpi\":[\"stock_22k\",\"stock_18k\"]},"
    " \"contact_points\":[3,2],\"group_wait_seconds\":60},"
    "{\"matchers\":{\"rule_ids\":[9]},\"contact_points\":[4]}],"
    "\"default\":{\"contact_points\":[5],\"group_wait_seconds\":10}}";

static size_t walk(const struct routing *r, const char *sev, const char *cat, const char *kpi,
    int64_t rule, struct route_target *out)
{
	struct route_alert a = {sev, cat, kpi, rule};
	return routing_targets(r, &a, out, 8);
}

static void t_walk(void)
{
	json_t *j = json_loads(routing_text, 0, NULL);
	struct route_target t[8];
	struct routing r;
	struct verror err;

	CU_ASSERT_EQUAL_FATAL(routing_decode(j, &r, &err), 0);
	/* critical stock: the first (continue) and the second; 2 once, from the first */
	CU_ASSERT_EQUAL_FATAL(walk(&r, "critical", "operational", "stock_22k", 1, t), 3);
	CU_ASSERT_EQUAL(t[0].contact_point, 1);
	CU_ASSERT_EQUAL(t[1].contact_point, 2);
	CU_ASSERT_EQUAL(t[1].group_wait_seconds, 0);
	CU_ASSERT_EQUAL(t[1].repeat_minutes, 30);
	CU_ASSERT_EQUAL(t[2].contact_point, 3);
	CU_ASSERT_EQUAL(t[2].group_wait_seconds, 60);
	CU_ASSERT_EQUAL(t[2].repeat_minutes, 0);
	/* a warning on stock: the second only, which stops the walk before rule 9 */
	CU_ASSERT_EQUAL_FATAL(walk(&r, "warning", "operational", "stock_18k", 9, t), 2);
	CU_ASSERT_EQUAL(t[0].contact_point, 3);
	/* both matchers of the second must hold: another KPI of the category is not it */
	CU_ASSERT_EQUAL_FATAL(walk(&r, "warning", "operational", "till_cash", 9, t), 1);
	CU_ASSERT_EQUAL(t[0].contact_point, 4);
	/* nothing matched: the default */
	CU_ASSERT_EQUAL_FATAL(walk(&r, "info", "financial", "revenue_today", 2, t), 1);
	CU_ASSERT_EQUAL(t[0].contact_point, 5);
	CU_ASSERT_EQUAL(t[0].group_wait_seconds, 10);
	/* a critical alert matched the first: no default, even though it continued past the rest */
	CU_ASSERT_EQUAL(walk(&r, "critical", "financial", "revenue_today", 2, t), 2);
	routing_free(&r);
	json_decref(j);
}

static const char *refused(const char *text)
{
	static struct verror err;
	json_t *j = json_loads(text, 0, NULL);
	struct routing r;
	int rc = routing_decode(j, &r, &err);

	routing_free(&r);
	json_decref(j);
	return rc == 0 ? "" : err.field;
}

static void t_refused(void)
{
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[]}"), "");
	CU_ASSERT_STRING_EQUAL(refused("{}"), "policies");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[],\"x\":1}"), "x");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[1]}"), "policies.0");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[{\"contact_points\":[]}]}"),
	    "policies.0.contact_points");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[{\"contact_points\":[1],"
	    "\"matchers\":{\"severity\":[\"urgent\"]}}]}"), "policies.0.matchers.severity");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[{\"contact_points\":[1]},{\"contact_points\":[1],"
	    "\"group_wait_seconds\":-1}]}"), "policies.1.group_wait_seconds");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[],\"default\":{\"repeat_minutes\":0}}"),
	    "default.repeat_minutes");
	CU_ASSERT_STRING_EQUAL(refused("{\"policies\":[],\"default\":{\"matchers\":{}}}"),
	    "default.matchers");
}

/* Levels 10, 20, 30 minutes apart, twice through: when each step comes. */
static void t_escalation_steps(void)
{
	const int64_t after[] = {10, 20, 30};
	static const struct { int64_t k; size_t level; int64_t at; } want[] = {
		{0, 0, 10}, {1, 1, 30}, {2, 2, 60}, {3, 0, 70}, {4, 1, 90}, {5, 2, 120},
	};
	size_t level;
	int64_t at;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(esc_step(after, 3, 1, want[i].k, &level, &at), 0);
		CU_ASSERT_EQUAL(level, want[i].level);
		CU_ASSERT_EQUAL(at, want[i].at);
	}
	CU_ASSERT_EQUAL(esc_step(after, 3, 1, 6, &level, &at), -1);
	CU_ASSERT_EQUAL(esc_step(after, 3, 0, 3, &level, &at), -1);
	CU_ASSERT_EQUAL(esc_step(after, 0, 0, 0, &level, &at), -1);
	/* the old per-rule escalation: one level, every 15 minutes, three times */
	CU_ASSERT_EQUAL(esc_step((const int64_t[]){15}, 1, 2, 2, &level, &at), 0);
	CU_ASSERT_EQUAL(at, 45);
}

static const char *ep_refused(const char *text)
{
	static struct verror err;
	json_t *j = json_loads(text, 0, NULL);
	struct esc_policy_input in;
	int rc = esc_policy_decode(j, &in, &err);

	esc_policy_free(&in);
	json_decref(j);
	return rc == 0 ? "" : err.field;
}

static void t_escalation_refused(void)
{
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[{\"after_minutes\":5,"
	    "\"contact_points\":[1]}],\"repeat\":2}"), "");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[]}"), "levels");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":{}}"), "levels");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[{\"after_minutes\":0,"
	    "\"contact_points\":[1]}]}"), "levels.0.after_minutes");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[{\"after_minutes\":5,"
	    "\"contact_points\":[1]},{\"after_minutes\":5}]}"), "levels.1.contact_points");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[{\"after_minutes\":5,"
	    "\"contact_points\":[1]}],\"repeat\":11}"), "repeat");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"levels\":[{\"after_minutes\":5,"
	    "\"contact_points\":[1]}]}"), "name");
	CU_ASSERT_STRING_EQUAL(ep_refused("{\"name\":\"a\",\"levels\":[7]}"), "levels.0");
}

void suite_policy(void)
{
	static const struct test_case cases[] = {
		{"the walk: matchers, continue, each contact point once, the default", t_walk},
		{"what routing_decode refuses, naming the field", t_refused},
		{"escalation: when each level comes, run through again", t_escalation_steps},
		{"what esc_policy_decode refuses, naming the field", t_escalation_refused},
		{NULL, NULL},
	};
	test_add_suite("policy", NULL, NULL, cases);
}
