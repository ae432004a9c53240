/*
 * test_http.c - the HTTP contract every route shares: JSON errors with the
 * right status for unknown routes, wrong methods, bad bodies, oversized
 * bodies and wrong content types; the access log.
 */
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"

static void t_not_found(void)
{
	struct http_resp r = api("GET", "/api/no/such/thing", NULL, NULL);
	char *ct = http_header(&r, "Content-Type");

	EXPECT_ERROR(r, 404, "not_found");
	CU_ASSERT_PTR_NOT_NULL(ct);
	CU_ASSERT_STRING_EQUAL(ct ? ct : "", "application/json");
	free(ct);
	http_free(&r);
}

static void t_wrong_method(void)
{
	struct http_resp r = api("DELETE", "/api/health", NULL, NULL);
	char *allow = http_header(&r, "Allow");

	EXPECT_ERROR(r, 405, "method_not_allowed");
	CU_ASSERT_STRING_EQUAL(allow ? allow : "", "GET");
	free(allow);
	http_free(&r);
	r = api("PUT", "/api/auth/login", NULL, "{}");
	EXPECT_ERROR(r, 405, "method_not_allowed");
	http_free(&r);
}

static void t_malformed_json(void)
{
	static const char *const bodies[] = {
		"{\"username\":", "not json", "{\"username\":\"a\",\"username\":\"b\"}",
		"{\"username\":\"admin\",\"password\":NaN}", "",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct http_resp r = api("POST", "/api/auth/login", NULL, bodies[i]);
		EXPECT_ERROR(r, 400, "malformed_json");
		http_free(&r);
	}
}

static void t_wrong_shape(void)
{
	struct http_resp r = api("POST", "/api/auth/login", NULL, "[\"admin\"]");
	EXPECT_ERROR(r, 400, "bad_request");
	http_free(&r);
	r = api("POST", "/api/auth/login", NULL,
	    "{\"username\":\"admin\",\"password\":\"x\",\"remember\":true}");
	EXPECT_ERROR(r, 400, "unknown_field");
	EXPECT_JSTR(r, "error.field", "remember");
	http_free(&r);
	r = api("POST", "/api/auth/login", NULL, "{\"username\":\"admin\",\"password\":5}");
	EXPECT_ERROR(r, 422, "invalid_type");
	EXPECT_JSTR(r, "error.field", "password");
	http_free(&r);
}

static void t_too_large(void)
{
	size_t n = 2 * 1024 * 1024;
	char *big = xmalloc(n + 1);
	const char *h[] = {"Content-Type: application/json", NULL};
	struct http_resp r;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	r = http_do("POST", "/api/auth/login", h, big, n);
	EXPECT_ERROR(r, 413, "payload_too_large");
	http_free(&r);
	free(big);
}

static void t_content_type(void)
{
	const char *h[] = {"Content-Type: text/plain", NULL};
	struct http_resp r = http_do("POST", "/api/auth/login", h, "{}", 2);

	EXPECT_ERROR(r, 415, "unsupported_media_type");
	http_free(&r);
	h[0] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do("POST", "/api/auth/login", h, "username=admin", 14);
	EXPECT_ERROR(r, 415, "unsupported_media_type");
	http_free(&r);
	/* a charset parameter is fine */
	h[0] = "Content-Type: application/json; charset=utf-8";
	const char *body = "{\"username\":\"nobody\",\"password\":\"x\"}";
	r = http_do("POST", "/api/auth/login", h, body, strlen(body));
	EXPECT_ERROR(r, 401, "invalid_credentials");
	http_free(&r);
}

static void t_bad_query(void)
{
	struct http_resp r = api("GET", "/api/health?x=%zz", NULL, NULL);
	EXPECT_ERROR(r, 400, "bad_query");
	http_free(&r);
	r = api("GET", "/api/health?x=1&x=2", NULL, NULL);
	EXPECT_ERROR(r, 400, "bad_query");
	http_free(&r);
}

static void t_access_log(void)
{
	char *path = xasprintf("%s/log/api.log", test_env("GW_TEST_STACK"));
	struct http_resp r = api("GET", "/api/health?probe=accesslog", NULL, NULL);
	FILE *f;
	char line[512];
	int found = 0;

	http_free(&r);
	test_sleep_ms(50);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "goldwatch-api: GET /api/health 200 ", 35) == 0 &&
		    strstr(line, "us -"))
			found = 1;
	fclose(f);
	free(path);
	CU_ASSERT_TRUE(found);
}

void suite_http(void)
{
	static const struct test_case cases[] = {
		{"unknown route is a JSON 404", t_not_found},
		{"wrong method is a JSON 405 with Allow", t_wrong_method},
		{"malformed JSON is a 400", t_malformed_json},
		{"wrong shape and unknown fields", t_wrong_shape},
		{"a 2 MiB body is a JSON 413", t_too_large},
		{"wrong content type is a 415", t_content_type},
		{"malformed query strings are a 400", t_bad_query},
		{"one access-log line per request", t_access_log},
		{NULL, NULL},
	};
	test_add_suite("http", NULL, NULL, cases);
}
