/*
 * test_auth_api.c - sign-in, sessions, cookies, CSRF, bearer tokens, roles,
 * disabled users, the login pages and the sign-in rate limit.
 */
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"

static char *cookie_value(const struct http_resp *r, const char *name)
{
	const char *p = r->headers;
	size_t nl = strlen(name);

	while ((p = strstr(p, "Set-Cookie: ")) != NULL) {
		p += 12;
		if (strncmp(p, name, nl) == 0 && p[nl] == '=')
			return xstrndup(p + nl + 1, strcspn(p + nl + 1, ";\r\n"));
	}
	return NULL;
}

static void t_login_good(void)
{
	char body[256];
	struct http_resp r;
	char *cookie;

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
	    test_env("GW_TEST_ADMIN_PASSWORD"));
	r = api("POST", "/api/auth/login", NULL, body);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "token"));
	EXPECT_JSTR(r, "user.username", "admin");
	EXPECT_JSTR(r, "user.role", "admin");
	CU_ASSERT_TRUE(jint(&r, "user.id") > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "SameSite=Strict"));
	cookie = cookie_value(&r, "gw_session");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cookie);
	CU_ASSERT_STRING_EQUAL(cookie, jstr(&r, "token"));
	/* only the hash is stored */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM sessions WHERE token_hash = $1", cookie), 0);
	free(cookie);
	http_free(&r);
}

static void t_login_bad(void)
{
	struct http_resp r = api("POST", "/api/auth/login", NULL,
	    "{\"username\":\"admin\",\"password\":\"not-the-password\"}");
	long long before = SQL_INT0("SELECT count(*) FROM sessions");

	EXPECT_ERROR(r, 401, "invalid_credentials");
	CU_ASSERT_PTR_NULL(strstr(r.headers, "gw_session="));
	http_free(&r);
	r = api("POST", "/api/auth/login", NULL,
	    "{\"username\":\"no-such-user\",\"password\":\"whatever-password\"}");
	EXPECT_ERROR(r, 401, "invalid_credentials");
	http_free(&r);
	r = api("POST", "/api/auth/login", NULL, "{\"username\":\"admin\"}");
	EXPECT_ERROR(r, 422, "missing_field");
	EXPECT_JSTR(r, "error.field", "password");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM sessions"), before);
}

static void t_no_credentials(void)
{
	struct http_resp r = api("GET", "/api/auth/me", NULL, NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	r = api("GET", "/api/auth/me", "gws_not-a-real-token", NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	const char *h[] = {"Authorization: Basic YWRtaW46eA==", NULL};
	r = http_do("GET", "/api/auth/me", h, NULL, 0);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
}

/* every role against an endpoint of each level */
static void t_roles(void)
{
	const struct fixture_users *u = fixture_users();
	struct {
		const char *token;
		int viewer, admin;
	} who[] = {
		{NULL, 401, 401},
		{u->viewer, 200, 403},
		{u->operator_, 200, 403},
		{u->admin, 200, 200},
	};
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		struct http_resp r = api("GET", "/api/auth/me", who[i].token, NULL);
		EXPECT_STATUS(r, who[i].viewer);
		http_free(&r);
		r = api("GET", "/api/users", who[i].token, NULL);
		EXPECT_STATUS(r, who[i].admin);
		if (who[i].admin == 403)
			EXPECT_JSTR(r, "error.code", "forbidden");
		http_free(&r);
	}
}

static void t_cookie_and_csrf(void)
{
	char *csrf = NULL, *token = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), &csrf);
	char cookie[160], hcsrf[160], badcsrf[160];
	const char *h_none[] = {cookie, "Content-Type: application/json", NULL};
	const char *h_bad[] = {cookie, badcsrf, "Content-Type: application/json", NULL};
	const char *h_ok[] = {cookie, hcsrf, "Content-Type: application/json", NULL};
	const char *body = "{\"name\":\"csrf probe\"}";
	long long tokens = SQL_INT0("SELECT count(*) FROM api_tokens");
	struct http_resp r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(token);
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", token);
	snprintf(hcsrf, sizeof(hcsrf), "X-CSRF-Token: %s", csrf);
	snprintf(badcsrf, sizeof(badcsrf), "X-CSRF-Token: %sx", csrf);
	/* reading with the cookie needs no token */
	r = http_do("GET", "/api/auth/me", h_none, NULL, 0);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "auth", "session");
	http_free(&r);
	/* changing state with the cookie does */
	r = http_do("POST", "/api/auth/tokens", h_none, body, strlen(body));
	EXPECT_ERROR(r, 403, "csrf_missing");
	http_free(&r);
	r = http_do("POST", "/api/auth/tokens", h_bad, body, strlen(body));
	EXPECT_ERROR(r, 403, "csrf_invalid");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM api_tokens"), tokens);
	r = http_do("POST", "/api/auth/tokens", h_ok, body, strlen(body));
	EXPECT_STATUS(r, 201);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM api_tokens"), tokens + 1);
	/* a bearer request needs no CSRF token: no browser sends it by itself */
	r = api("POST", "/api/auth/tokens", token, body);
	EXPECT_STATUS(r, 201);
	http_free(&r);
	free(token);
	free(csrf);
}

static void t_logout(void)
{
	char *token = test_login("viewer1", PASSWORD_VIEWER, NULL);
	struct http_resp r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(token);
	r = api("POST", "/api/auth/logout", token, NULL);
	EXPECT_STATUS(r, 204);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "gw_session=;"));
	http_free(&r);
	r = api("GET", "/api/auth/me", token, NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	free(token);
}

static void t_api_token(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r = api("POST", "/api/auth/tokens", u->admin,
	    "{\"name\":\"point of sale\",\"expires_days\":30}");
	char *tok;
	char hash_sql[] = "SELECT count(*) FROM api_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')";

	EXPECT_STATUS(r, 201);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jstr(&r, "token"));
	tok = xstrdup(jstr(&r, "token"));
	CU_ASSERT_EQUAL(strncmp(tok, "gwt_", 4), 0);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "expires_at"));
	http_free(&r);
	/* stored as a hash only, audited without the secret */
	CU_ASSERT_EQUAL(SQL_INT(hash_sql, tok), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM api_tokens WHERE token_hash = $1", tok), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'token.create'"
	    " AND after::text LIKE '%' || $1 || '%'", tok + 4), 0);
	r = api("GET", "/api/auth/me", tok, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "auth", "token");
	http_free(&r);
	/* tokens for another user; unknown users are refused */
	r = api("POST", "/api/auth/tokens", u->admin, "{\"name\":\"x\",\"user_id\":999999}");
	EXPECT_ERROR(r, 422, "invalid_value");
	http_free(&r);
	r = api("POST", "/api/auth/tokens", u->viewer, "{\"name\":\"x\"}");
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	free(tok);
}

static void t_disabled_user(void)
{
	const struct fixture_users *u = fixture_users();
	char *session, *tok, path[64], body[64];
	long long id;
	struct http_resp r;

	test_user("leaver", "leaver-password-1", "operator");
	session = test_login("leaver", "leaver-password-1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(session);
	r = api("POST", "/api/auth/tokens", session, "{\"name\":\"own\"}");
	EXPECT_STATUS(r, 403); /* operators cannot make tokens */
	http_free(&r);
	id = SQL_INT("SELECT id FROM users WHERE username = $1", "leaver");
	snprintf(body, sizeof(body), "{\"name\":\"leaver's\",\"user_id\":%lld}", id);
	r = api("POST", "/api/auth/tokens", u->admin, body);
	EXPECT_STATUS(r, 201);
	tok = xstrdup(jstr(&r, "token") ? jstr(&r, "token") : "");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/users/%lld", id);
	r = api("PATCH", path, u->admin, "{\"disabled\":true}");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "disabled")));
	http_free(&r);
	/* at once: the session and the token stop working */
	r = api("GET", "/api/auth/me", session, NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	r = api("GET", "/api/auth/me", tok, NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	CU_ASSERT_PTR_NULL(test_login("leaver", "leaver-password-1", NULL));
	free(session);
	free(tok);
}

/*
 * A credential ended outside this API process (another host, SQL) stops
 * working within GOLDWATCH_AUTH_CACHE_MS (1 s by default; see
 * cgi/auth_cache.h): polled, never sooner than the change, never later
 * than the cache time and a margin.
 */
static void t_revoked_elsewhere(void)
{
	char *session;
	struct http_resp r;
	int64_t t0, took = -1;

	test_user("elsewhere", "elsewhere-password-1", "viewer");
	session = test_login("elsewhere", "elsewhere-password-1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(session);
	r = api("GET", "/api/auth/me", session, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	test_exec("UPDATE users SET disabled = true WHERE username = 'elsewhere'", 0, NULL);
	t0 = time_now_us();
	while (time_now_us() - t0 < 3000000) {
		r = api("GET", "/api/auth/me", session, NULL);
		if (r.status == 401)
			took = time_now_us() - t0;
		http_free(&r);
		if (took >= 0)
			break;
		test_sleep_ms(20);
	}
	CU_ASSERT_TRUE(took >= 0);
	CU_ASSERT_TRUE(took < 1500000);
	test_exec("UPDATE users SET disabled = false WHERE username = 'elsewhere'", 0, NULL);
	free(session);
}

static void t_pages_login(void)
{
	struct http_resp r = http_do("GET", "/", NULL, NULL, 0);
	char *loc = http_header(&r, "Location"), *login_cookie, *session, *form;
	char cookie[200], cookie2[200], body[512];
	const char *h_form[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	const char *h_page[] = {cookie2, NULL};
	const char *p;

	EXPECT_STATUS(r, 303);
	CU_ASSERT_STRING_EQUAL(loc ? loc : "", "/login?next=%2F");
	free(loc);
	http_free(&r);
	r = http_do("GET", "/login", NULL, NULL, 0);
	EXPECT_STATUS(r, 200);
	login_cookie = cookie_value(&r, "gw_login");
	CU_ASSERT_PTR_NOT_NULL_FATAL(login_cookie);
	p = strstr(r.body, "name=\"_csrf\" value=\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	form = xstrndup(p + 20, strcspn(p + 20, "\""));
	CU_ASSERT_STRING_EQUAL(form, login_cookie);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "Content-Security-Policy: default-src 'self'"));
	http_free(&r);
	/* a forged form (token not matching the cookie) signs nobody in */
	snprintf(cookie, sizeof(cookie), "Cookie: gw_login=%s", login_cookie);
	snprintf(body, sizeof(body), "_csrf=forged&username=admin&password=%s&next=%%2F",
	    test_env("GW_TEST_ADMIN_PASSWORD"));
	r = http_do("POST", "/login", h_form, body, strlen(body));
	EXPECT_STATUS(r, 403);
	CU_ASSERT_PTR_NULL(cookie_value(&r, "gw_session"));
	http_free(&r);
	snprintf(body, sizeof(body), "_csrf=%s&username=admin&password=%s&next=%%2F",
	    form, test_env("GW_TEST_ADMIN_PASSWORD"));
	r = http_do("POST", "/login", h_form, body, strlen(body));
	EXPECT_STATUS(r, 303);
	session = cookie_value(&r, "gw_session");
	CU_ASSERT_PTR_NOT_NULL_FATAL(session);
	http_free(&r);
	snprintf(cookie2, sizeof(cookie2), "Cookie: gw_session=%s", session);
	r = http_do("GET", "/", h_page, NULL, 0);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "data-testid=\"current-user\">admin<"));
	http_free(&r);
	free(login_cookie);
	free(form);
	free(session);
}

/* last: it exhausts the sign-in allowance of this address for a moment */
static void t_rate_limit(void)
{
	int limited = 0;

	/* quick requests (no password to hash) so the rate is what counts */
	for (int i = 0; i < 200 && !limited; i++) {
		struct http_resp r = api("POST", "/api/auth/login", NULL, "{}");
		if (r.status == 429) {
			EXPECT_ERROR(r, 429, "too_many_requests");
			limited = 1;
		}
		http_free(&r);
	}
	CU_ASSERT_TRUE(limited);
	test_sleep_ms(2500);
}

void suite_auth_api(void)
{
	static const struct test_case cases[] = {
		{"login with the right password", t_login_good},
		{"login with a wrong password changes nothing", t_login_bad},
		{"no or bad credentials are a 401", t_no_credentials},
		{"every role against each level", t_roles},
		{"cookie sessions need the CSRF token to change state", t_cookie_and_csrf},
		{"logout ends the session", t_logout},
		{"API tokens for other systems", t_api_token},
		{"a disabled user's session and tokens stop at once", t_disabled_user},
		{"a credential ended elsewhere stops within the cache time", t_revoked_elsewhere},
		{"sign-in pages and the dashboard", t_pages_login},
		{"sign-in is rate limited (429 JSON)", t_rate_limit},
		{NULL, NULL},
	};
	test_add_suite("auth_api", NULL, NULL, cases);
}
