/* fixtures.c - users of each role, created through goldwatch-admin once. */
#include <stdlib.h>

#include "integration.h"
#include "testlib.h"

const struct fixture_users *fixture_users(void)
{
	static struct fixture_users u;

	if (u.admin)
		return &u;
	test_user("operator1", PASSWORD_OPERATOR, "operator");
	test_user("viewer1", PASSWORD_VIEWER, "viewer");
	u.admin = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), &u.admin_csrf);
	u.operator_ = test_login("operator1", PASSWORD_OPERATOR, NULL);
	u.viewer = test_login("viewer1", PASSWORD_VIEWER, NULL);
	if (!u.admin || !u.operator_ || !u.viewer) {
		fprintf(stderr, "fixture users could not log in\n");
		abort();
	}
	return &u;
}
