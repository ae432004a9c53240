/*
 * test_health.c - GET /api/health while PostgreSQL is up, stopped and back,
 * without restarting goldwatch-api.
 */
#include "integration.h"
#include "testlib.h"

static long health(void)
{
	struct http_resp r = api("GET", "/api/health", NULL, NULL);
	long s = r.status;

	if (s == 200) {
		EXPECT_JSTR(r, "status", "ok");
		EXPECT_JSTR(r, "database", "ok");
	} else {
		CU_ASSERT_PTR_NOT_NULL(r.json);
		CU_ASSERT_PTR_NOT_NULL(jstr(&r, "error.code"));
	}
	http_free(&r);
	return s;
}

static void t_database_down_and_back(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r;
	long s = 0;

	CU_ASSERT_EQUAL(health(), 200);
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-stop"), 0);
	CU_ASSERT_EQUAL(health(), 503);
	CU_ASSERT_EQUAL(health(), 503);
	/* an authenticated call is a 503 too, not a 401 or a 500 */
	r = api("GET", "/api/auth/me", u->viewer, NULL);
	EXPECT_ERROR(r, 503, "database_unavailable");
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-start"), 0);
	for (int i = 0; i < 50 && s != 200; i++) {
		s = health();
		if (s != 200)
			test_sleep_ms(200);
	}
	CU_ASSERT_EQUAL(s, 200);
	r = api("GET", "/api/auth/me", u->viewer, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

void suite_health(void)
{
	static const struct test_case cases[] = {
		{"health with the database up, down and back", t_database_down_and_back},
		{NULL, NULL},
	};
	test_add_suite("health", NULL, NULL, cases);
}
