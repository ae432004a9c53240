/*
 * test_roles.c - the role matrix: every route of goldwatch-api's table
 * (read from `goldwatch-api --routes`, so a new route is covered the day
 * it is added) against anonymous, viewer, operator and admin. Below the
 * route's role: 401 (anonymous on the API), a redirect to /login
 * (anonymous on a page) or 403. At or above it: never 401/403, never 5xx.
 * Probe requests carry an unknown field or a missing id, so nothing they
 * reach changes anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"

struct route_line {
	char method[8], pattern[128], role[16], body[8];
	int page;
};

static int load_routes(struct route_line *out, int max)
{
	char *cmd = xasprintf("'%s/goldwatch-api' --routes", test_env("GW_TEST_BIN"));
	FILE *p = popen(cmd, "r");
	char line[256];
	int n = 0;

	free(cmd);
	if (p == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), p)) {
		char extra[16] = "";
		if (sscanf(line, "%7s %127s %15s %7s %15s", out[n].method, out[n].pattern,
		    out[n].role, out[n].body, extra) >= 4) {
			out[n].page = strcmp(extra, "page") == 0;
			n++;
		}
	}
	pclose(p);
	return n;
}

static int role_rank(const char *r)
{
	static const char *const ranks[] = {"public", "viewer", "operator", "admin"};
	for (int i = 0; i < 4; i++)
		if (strcmp(r, ranks[i]) == 0)
			return i;
	return 99;
}

/* {id...} -> an id nobody has; {key} -> a built-in KPI (refused as push) */
static char *probe_path(const char *pattern)
{
	struct buf b;

	buf_init(&b);
	while (*pattern) {
		if (*pattern == '{') {
			const char *close = strchr(pattern, '}');
			buf_puts(&b, strncmp(pattern, "{id", 3) == 0 ? "999999999" : "revenue_today");
			pattern = close ? close + 1 : pattern + strlen(pattern);
		} else {
			buf_putc(&b, *pattern++);
		}
	}
	return buf_detach(&b);
}

static long probe(const struct route_line *rt, const char *token, char **location)
{
	char *path = probe_path(rt->pattern), auth[256], *json_body = "{\"__probe__\":1}";
	const char *h[3] = {NULL, NULL, NULL};
	const char *body = NULL;
	int k = 0;
	struct http_resp r;
	long status;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[k++] = auth;
	}
	if (strcmp(rt->body, "json") == 0) {
		h[k++] = "Content-Type: application/json";
		body = json_body;
	} else if (strcmp(rt->body, "form") == 0) {
		h[k++] = "Content-Type: application/x-www-form-urlencoded";
		body = "__probe__=1";
	}
	r = http_do(rt->method, path, h, body, body ? strlen(body) : 0);
	status = r.status;
	if (location)
		*location = http_header(&r, "Location");
	/* every API answer, allowed or not, is JSON */
	if (strncmp(rt->pattern, "/api/", 5) == 0 && status >= 400)
		CU_ASSERT_PTR_NOT_NULL(jstr(&r, "error.code"));
	http_free(&r);
	free(path);
	return status;
}

static void t_matrix(void)
{
	const struct fixture_users *u = fixture_users();
	struct route_line routes[128];
	const char *who[4] = {NULL, NULL, NULL, NULL};
	char *tokens[4] = {NULL, NULL, NULL, NULL};
	int n = load_routes(routes, 128), checked = 0, bad = 0;

	CU_ASSERT_TRUE_FATAL(n > 20);
	(void)u;
	for (int i = 0; i < n; i++) {
		const struct route_line *rt = &routes[i];
		int need = role_rank(rt->role);

		/* own sessions, made again after a logout route ended them */
		if (tokens[1] == NULL || (i > 0 && strstr(routes[i - 1].pattern, "logout"))) {
			for (int k = 1; k < 4; k++)
				free(tokens[k]);
			tokens[1] = test_login("viewer1", PASSWORD_VIEWER, NULL);
			tokens[2] = test_login("operator1", PASSWORD_OPERATOR, NULL);
			tokens[3] = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), NULL);
			for (int k = 1; k < 4; k++)
				who[k] = tokens[k];
		}
		for (int w = 0; w < 4; w++) {
			char *loc = NULL;
			long s = probe(rt, who[w], &loc);
			int ok;

			if (w >= need)
				ok = s != 401 && s != 403 && s < 500 && s > 0;
			else if (w == 0 && rt->page)
				ok = s == 303 && loc && strncmp(loc, "/login?next=", 12) == 0;
			else if (w == 0)
				ok = s == 401;
			else
				ok = s == 403;
			/* public routes: only that nothing breaks */
			if (need == 0)
				ok = s > 0 && s < 500;
			if (!ok) {
				bad++;
				fprintf(stderr, "\n    %s %s as %s: %ld\n", rt->method, rt->pattern,
				    w == 0 ? "anonymous" : w == 1 ? "viewer" : w == 2 ? "operator" : "admin",
				    s);
			}
			CU_ASSERT_TRUE(ok);
			checked++;
			free(loc);
		}
	}
	fprintf(stderr, "\n    %d routes x 4 identities = %d checks, %d wrong\n", n, checked, bad);
	for (int i = 1; i < 4; i++)
		free(tokens[i]);
}

void suite_roles(void)
{
	static const struct test_case cases[] = {
		{"every route x every role", t_matrix},
		{NULL, NULL},
	};
	test_add_suite("roles", NULL, NULL, cases);
}
