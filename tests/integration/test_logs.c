/*
 * test_logs.c - logs an operator can search: the request id nginx makes is
 * in every error body, the api's log line and nginx's access log; with
 * GOLDWATCH_LOG_FORMAT=json every line of the stack's processes and of a
 * job is one JSON object (parsed with jansson), without a credential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "integration.h"
#include "migrate.h"
#include "testlib.h"
#include "util.h"
#include "wsclient.h"

static char *log_path(const char *name)
{
	return xasprintf("%s/log/%s", test_env("GW_TEST_STACK"), name);
}

/* 1 if the file holds needle (read after a moment: lines are written after the answer). */
static int log_has(const char *name, const char *needle)
{
	char *path = log_path(name), *text = NULL;
	int found = 0;

	for (int i = 0; i < 20 && !found; i++) {
		free(text);
		text = file_read_all(path, NULL);
		found = text && strstr(text, needle) != NULL;
		if (!found)
			test_sleep_ms(50);
	}
	free(text);
	free(path);
	return found;
}

static int is_request_id(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/* The error's request_id, in the api log and nginx's access log. */
static void expect_traced(const struct http_resp *r, int in_api_log)
{
	const char *id = jstr(r, "error.request_id");
	char *needle;

	CU_ASSERT_TRUE_FATAL(is_request_id(id));
	needle = xasprintf("request_id=%s", id);
	CU_ASSERT_TRUE(log_has("nginx-access.log", needle));
	free(needle);
	if (in_api_log) {
		needle = xasprintf("rid=%s", id);
		CU_ASSERT_TRUE(log_has("api.log", needle));
		free(needle);
	}
}

static void t_error_request_id(void)
{
	struct http_resp r = api("GET", "/api/no-such-thing", NULL, NULL);
	struct http_resp r2;

	EXPECT_ERROR(r, 404, "not_found");
	expect_traced(&r, 1);
	/* each request its own */
	r2 = api("GET", "/api/auth/me", NULL, NULL);
	EXPECT_ERROR(r2, 401, "unauthorized");
	expect_traced(&r2, 1);
	CU_ASSERT_STRING_NOT_EQUAL(jstr(&r, "error.request_id"), jstr(&r2, "error.request_id"));
	http_free(&r);
	http_free(&r2);
	/* a refusal of the store (422) and one of the field table (400) */
	r = api("POST", "/api/auth/tokens", fixture_users()->admin, "{\"name\":\"\"}");
	CU_ASSERT_TRUE(r.status == 422 || r.status == 400);
	expect_traced(&r, 1);
	http_free(&r);
	/* nginx's own error answer under /api carries it too */
	r = http_do("TRACE", "/api/health", NULL, NULL, 0);
	EXPECT_STATUS(r, 405);
	expect_traced(&r, 0);
	http_free(&r);
}

static long file_size(const char *name)
{
	char *path = log_path(name);
	struct stat st;
	long n = stat(path, &st) == 0 ? (long)st.st_size : 0;

	free(path);
	return n;
}

static int one_of(const char *v, const char *const *set)
{
	for (; v && *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* What the json lines held, over all files. */
struct seen {
	int lines, access, with_request_id, bad;
};

/* Every line of name from offset on is a JSON object of the documented shape. */
static void check_json_lines(const char *name, long from, long to, const char *const *secrets,
    struct seen *s)
{
	static const char *const levels[] = {"error", "warning", "info", "debug", NULL};
	char *path = log_path(name), *text = file_read_all(path, NULL), *line, *save = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	if (to >= 0)
		text[to] = '\0';
	for (line = strtok_r(text + from, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &e);
		const char *time = json_string_value(json_object_get(o, "time"));
		int ok = json_is_object(o) && time && strlen(time) >= 20 && time[10] == 'T' &&
		    time[strlen(time) - 1] == 'Z' &&
		    one_of(json_string_value(json_object_get(o, "level")), levels) &&
		    strncmp(json_string_value(json_object_get(o, "process")) ?
		    json_string_value(json_object_get(o, "process")) : "", "goldwatch-", 10) == 0 &&
		    json_is_string(json_object_get(o, "message"));

		for (const char *const *sec = secrets; *sec; sec++)
			if (strstr(line, *sec))
				ok = 0;
		if (!ok) {
			fprintf(stderr, "\n    %s: not a goldwatch JSON line: %.300s\n", name, line);
			s->bad++;
		}
		s->lines++;
		if (json_is_string(json_object_get(o, "request_id")))
			s->with_request_id++;
		if (json_object_get(o, "duration_ms") && json_is_number(json_object_get(o, "duration_ms")) &&
		    json_is_integer(json_object_get(o, "status")) &&
		    json_object_get(o, "route") && json_is_string(json_object_get(o, "request_id")))
			s->access++;
		json_decref(o);
	}
	free(text);
	free(path);
}

/* Requests that log: an error, a sign-in, a token's use, a WebSocket. */
static void exercise(const char *token)
{
	char *q = xasprintf("token=%s", token);
	struct http_resp r = api("GET", "/api/no-such-thing", NULL, NULL);
	struct ws_client *ws = NULL;
	long status = 0;
	char *s;

	http_free(&r);
	r = api("GET", "/api/auth/me", token, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	s = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), NULL);
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
	for (int i = 0; i < 50 && ws == NULL; i++) {
		ws = ws_open(WS_NGINX, q, NULL, &status);
		if (ws == NULL)
			test_sleep_ms(100);
	}
	CU_ASSERT_PTR_NOT_NULL(ws);
	ws_free(ws);
	free(q);
}

static const char *const daemons[] = {"api", "pusher", "mailer"};

/* Stops (env NULL) or starts with env ("" for the stack's own) the daemons. */
static int daemons_do(const char *env)
{
	char cmd[32];

	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "%s-%s", daemons[i], env ? "start" : "stop");
		if ((env ? test_stack_env(env, cmd) : test_stack(cmd)) != 0)
			return -1;
	}
	return 0;
}

static void t_json_lines(void)
{
	static const char *const files[] = {"api.log", "pusher.log", "mailer.log"};
	const char *admin_pw = test_env("GW_TEST_ADMIN_PASSWORD");
	long from[3], to[3];
	struct http_resp r;
	char *token, *bin = xstrdup(test_env("GW_TEST_BIN"));
	struct seen s = {0, 0, 0, 0};

	r = api("POST", "/api/auth/tokens", fixture_users()->admin, "{\"name\":\"json logs\"}");
	EXPECT_STATUS(r, 201);
	token = xstrdup(jstr(&r, "token") ? jstr(&r, "token") : "none");
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(daemons_do(NULL), 0);
	for (size_t i = 0; i < 3; i++)
		from[i] = file_size(files[i]);
	CU_ASSERT_EQUAL_FATAL(daemons_do("GOLDWATCH_LOG_FORMAT=json"), 0);
	exercise(token);
	/* a job and goldwatch-admin write their lines the same way */
	CU_ASSERT_EQUAL(test_system("GOLDWATCH_LOG_FORMAT=json '%s/goldwatch-evaluate'"
	    " >'%s/log/json-evaluate.log' 2>&1", bin, test_env("GW_TEST_STACK")), 0);
	CU_ASSERT_EQUAL(test_system("GOLDWATCH_LOG_FORMAT=json '%s/goldwatch-admin' migrate"
	    " >'%s/log/json-admin.log' 2>&1", bin, test_env("GW_TEST_STACK")), 0);
	CU_ASSERT_EQUAL(test_system("GOLDWATCH_LOG_FORMAT=json GOLDWATCH_THREADS=many"
	    " '%s/goldwatch-evaluate' >'%s/log/json-evaluate-bad.log' 2>&1", bin,
	    test_env("GW_TEST_STACK")), 1);
	/* their stop lines too; then back to the stack's own form */
	CU_ASSERT_EQUAL_FATAL(daemons_do(NULL), 0);
	for (size_t i = 0; i < 3; i++)
		to[i] = file_size(files[i]);
	CU_ASSERT_EQUAL_FATAL(daemons_do(""), 0);
	{
		const char *const secrets[] = {token, token + 4, admin_pw, NULL};
		for (size_t i = 0; i < 3; i++)
			check_json_lines(files[i], from[i], to[i], secrets, &s);
		check_json_lines("json-evaluate.log", 0, -1, secrets, &s);
		check_json_lines("json-admin.log", 0, -1, secrets, &s);
		check_json_lines("json-evaluate-bad.log", 0, -1, secrets, &s);
	}
	CU_ASSERT_EQUAL(s.bad, 0);
	CU_ASSERT_TRUE(s.lines >= 8);
	CU_ASSERT_TRUE(s.access >= 3);
	CU_ASSERT_TRUE(s.with_request_id >= s.access);
	CU_ASSERT_TRUE(log_has("json-evaluate-bad.log", "GOLDWATCH_THREADS must be"));
	free(token);
	free(bin);
}

/* Whether a line of log name is a JSON object with field equal to want. */
static int json_line_with(const char *name, const char *field, const char *want)
{
	char *path = log_path(name), *text = file_read_all(path, NULL), *line, *save = NULL;
	int found = 0;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && !found;
	    line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL);
		const char *v = json_string_value(json_object_get(o, field));

		found = v && strcmp(v, want) == 0;
		json_decref(o);
	}
	free(text);
	free(path);
	return found;
}

/* A line about a KPI names it in its own field: a search by KPI finds it. */
static void t_json_fields(void)
{
	char *bin = xstrdup(test_env("GW_TEST_BIN")), *rule;

	test_exec("INSERT INTO kpis (key, name, category, source, query) VALUES ('t_log_broken',"
	    " 'Broken query', 'operational', 'sql', 'SELECT 1 / 0 AS value')", 0, NULL);
	rule = test_sql_str("WITH r AS (INSERT INTO alert_rules (name, kpi_key, condition, threshold,"
	    " severity) VALUES ('t_log_broken', 't_log_broken', 'gt', 1, 'info') RETURNING id),"
	    " s AS (INSERT INTO rule_state (rule_id) SELECT id FROM r) SELECT id::text FROM r", 0, NULL);
	CU_ASSERT_EQUAL(test_system("GOLDWATCH_LOG_FORMAT=json '%s/goldwatch-evaluate' --rule %s"
	    " >'%s/log/json-fields.log' 2>&1", bin, rule, test_env("GW_TEST_STACK")), 0);
	CU_ASSERT_TRUE(json_line_with("json-fields.log", "kpi", "t_log_broken"));
	CU_ASSERT_TRUE(log_has("json-fields.log", "its query failed"));
	/* nothing else evaluates the broken query after this test */
	test_exec("DELETE FROM alert_rules WHERE kpi_key = 't_log_broken'", 0, NULL);
	test_exec("DELETE FROM kpis WHERE key = 't_log_broken'", 0, NULL);
	free(rule);
	free(bin);
}

void suite_logs(void)
{
	static const struct test_case cases[] = {
		{"an error's request_id is in the api log and nginx's", t_error_request_id},
		{"GOLDWATCH_LOG_FORMAT=json: every line is a JSON object", t_json_lines},
		{"a JSON line names the KPI it is about", t_json_fields},
		{NULL, NULL},
	};
	test_add_suite("logs", NULL, NULL, cases);
}
