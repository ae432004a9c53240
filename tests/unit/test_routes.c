/* test_routes.c - the route table of goldwatch-api. */
#include <string.h>

#include "app.h"
#include "testlib.h"
#include "unit.h"

static void t_every_route_has_role(void)
{
	size_t n;
	const struct route *r = routes_table(&n);

	CU_ASSERT_TRUE(n > 5);
	CU_ASSERT_EQUAL(routes_check(), 0);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_TRUE(r[i].role > ROLE_INVALID && r[i].role < ROLE__MAX);
		CU_ASSERT_PTR_NOT_NULL(r[i].handler);
		/* state changes by cookie need CSRF: no public API write but login */
		if (r[i].role == ROLE_PUBLIC && r[i].method != M_GET &&
		    strncmp(r[i].pattern, "/api/", 5) == 0)
			CU_ASSERT_STRING_EQUAL(r[i].pattern, "/api/auth/login");
	}
}

static void t_no_duplicates(void)
{
	size_t n;
	const struct route *r = routes_table(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CU_ASSERT_FALSE(r[i].method == r[j].method &&
			    strcmp(r[i].pattern, r[j].pattern) == 0);
}

static void t_find(void)
{
	struct route_params p;
	char allow[128];
	int status = 0;
	const struct route *r;

	r = routes_find(M_GET, "/api/health", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->role, ROLE_PUBLIC);
	r = routes_find(M_HEAD, "/api/health", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NOT_NULL(r);
	r = routes_find(M_DELETE, "/api/health", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(status, 405);
	CU_ASSERT_STRING_EQUAL(allow, "GET");
	r = routes_find(M_GET, "/api/nothing-here", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(status, 404);
	r = routes_find(M_PATCH, "/api/users/12", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->role, ROLE_ADMIN);
	CU_ASSERT_STRING_EQUAL(route_param(&p, "id"), "12");
	r = routes_find(M_PATCH, "/api/users/twelve", &p, &status, allow, sizeof(allow));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(status, 404);
}

void suite_routes(void)
{
	static const struct test_case cases[] = {
		{"every route declares a role", t_every_route_has_role},
		{"no route is declared twice", t_no_duplicates},
		{"lookup gives 404 and 405", t_find},
		{NULL, NULL},
	};
	test_add_suite("routes", NULL, NULL, cases);
}
