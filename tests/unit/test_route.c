/* test_route.c - path patterns and their parameters. */
#include "route.h"
#include "testlib.h"
#include "unit.h"

static void t_literal(void)
{
	struct route_params p;

	CU_ASSERT_TRUE(route_match("/api/health", "/api/health", &p));
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_FALSE(route_match("/api/health", "/api/health/", &p));
	CU_ASSERT_FALSE(route_match("/api/health", "/api/healthz", &p));
	CU_ASSERT_FALSE(route_match("/api/health", "/api", &p));
	CU_ASSERT_TRUE(route_match("/", "/", &p));
	CU_ASSERT_FALSE(route_match("/", "/x", &p));
}

static void t_params(void)
{
	struct route_params p;

	CU_ASSERT_TRUE(route_match("/api/alerts/rules/{id}", "/api/alerts/rules/42", &p));
	CU_ASSERT_EQUAL(p.n, 1);
	CU_ASSERT_STRING_EQUAL(route_param(&p, "id"), "42");
	CU_ASSERT_PTR_NULL(route_param(&p, "key"));
	/* ids are positive integers that fit in int64, no leading zero */
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/abc", &p));
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/-1", &p));
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/007", &p));
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/1234567890123456789", &p));
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/", &p));
	CU_ASSERT_FALSE(route_match("/r/{id}", "/r/1/x", &p));
	CU_ASSERT_TRUE(route_match("/api/kpis/{key}/samples", "/api/kpis/revenue_today/samples", &p));
	CU_ASSERT_STRING_EQUAL(route_param(&p, "key"), "revenue_today");
	CU_ASSERT_FALSE(route_match("/api/kpis/{key}", "/api/kpis/a%2Fb", &p));
	CU_ASSERT_TRUE(route_match("/a/{id}/b/{key}", "/a/7/b/x.y", &p));
	CU_ASSERT_EQUAL(p.n, 2);
	CU_ASSERT_STRING_EQUAL(route_param(&p, "key"), "x.y");
}

void suite_route(void)
{
	static const struct test_case cases[] = {
		{"literal segments", t_literal},
		{"parameters", t_params},
		{NULL, NULL},
	};
	test_add_suite("route", NULL, NULL, cases);
}
