/* fixtures.c - users of each role, created through goldwatch-admin once. */
#include <stdlib.h>

#include "integration.h"
#include "testlib.h"

static struct fixture_users u;

const struct fixture_users *fixture_users(void)
{
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

void fixture_users_renew(void)
{
	free(u.admin);
	free(u.admin_csrf);
	free(u.operator_);
	free(u.viewer);
	u.admin = NULL;
	fixture_users();
}
