/* engine_helpers.c - see engine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

void make_push_kpi(const char *key, int max_age_minutes)
{
	json_t *b = json_pack("{ss ss ss ss}", "key", key, "name", key, "category", "financial",
	    "unit", "USD");
	char *body;
	struct http_resp r;

	if (max_age_minutes)
		json_object_set_new(b, "max_age_minutes", json_integer(max_age_minutes));
	body = json_dumps(b, JSON_COMPACT);
	r = api("POST", "/api/kpis", fixture_users()->admin, body);
	EXPECT_STATUS(r, 201);
	http_free(&r);
	free(body);
	json_decref(b);
}

long long make_rule(const char *json)
{
	struct http_resp r = api("POST", "/api/alerts/rules", fixture_users()->admin, json);
	long long id;

	EXPECT_STATUS(r, 201);
	id = jint(&r, "id");
	http_free(&r);
	return id;
}

long long make_simple_rule(const char *name, const char *kpi, const char *condition,
    double threshold, const char *extra)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kpi\":\"%s\",\"condition\":\"%s\","
	    "\"threshold\":%.17g,\"severity\":\"critical\","
	    "\"recipients\":[\"owner@shop.example\",\"manager@shop.example\"]%s%s}",
	    name, kpi, condition, threshold, *extra ? "," : "", extra);
	return make_rule(body);
}

void push_value(const char *kpi, double value, int minutes_ago)
{
	char path[128], body[128], at[40];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", kpi);
	if (minutes_ago) {
		time_format_iso(time_now_us() - (int64_t)minutes_ago * 60000000, at, sizeof(at));
		snprintf(body, sizeof(body), "{\"value\":%.17g,\"at\":\"%s\",\"evaluate\":false}",
		    value, at);
	} else {
		snprintf(body, sizeof(body), "{\"value\":%.17g,\"evaluate\":false}", value);
	}
	r = api("POST", path, fixture_users()->operator_, body);
	EXPECT_STATUS(r, 201);
	http_free(&r);
}

void push_z_series(const char *kpi)
{
	static const double v[] = {100, 102, 98, 101, 99, 130};

	for (int i = 0; i < 6; i++)
		push_value(kpi, v[i], 50 - 10 * i);
}

struct http_resp audit_of(const char *object_type, long long object_id)
{
	char path[128];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/audit?object_type=%s&object_id=%lld", object_type,
	    object_id);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	return r;
}

struct http_resp evaluate_rules(const long long *ids, int n)
{
	struct buf b;
	struct http_resp r;

	buf_init(&b);
	buf_puts(&b, "{\"rule_ids\":[");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	buf_puts(&b, "]}");
	r = api("POST", "/api/alerts/evaluate", fixture_users()->operator_, b.data);
	buf_free(&b);
	return r;
}

struct http_resp evaluate_rule(long long id)
{
	return evaluate_rules(&id, 1);
}

json_t *rule_of(long long id)
{
	char path[64];
	struct http_resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	j = r.json ? json_incref(r.json) : json_object();
	http_free(&r);
	return j;
}

long long alerts_of(long long rule_id, const char *state)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", rule_id);
	return test_sql_int("SELECT count(*) FROM alerts WHERE rule_id = $1::bigint"
	    " AND ($2::text IS NULL OR state = $2)", 2, TP(id, state));
}

long long fired_events_of(long long rule_id)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", rule_id);
	return SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.fired'"
	    " AND (data->>'rule_id')::bigint = $1::bigint", id);
}

long long outbox_of(long long rule_id, const char *kind)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", rule_id);
	return SQL_INT("SELECT count(*) FROM mail_outbox WHERE rule_id = $1::bigint AND kind = $2",
	    id, kind);
}

int run_evaluate(const char *env, const char *args)
{
	return test_system("%s '%s/goldwatch-evaluate' %s >>'%s/log/evaluate-tests.log' 2>&1",
	    env ? env : "", test_env("GW_TEST_BIN"), args, test_env("GW_TEST_STACK"));
}

struct http_resp admin_form(const char *path, const char *fields)
{
	char cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	char *body = xasprintf("_csrf=%s&%s", fixture_users()->admin_csrf, fields);
	struct http_resp r;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	r = http_do("POST", path, h, body, strlen(body));
	free(body);
	return r;
}

long long form_created_id(struct http_resp *r, const char *prefix)
{
	char *loc = http_header(r, "Location");
	size_t n = strlen(prefix);
	long long id = loc && strncmp(loc, prefix, n) == 0 ? atoll(loc + n) : 0;

	free(loc);
	http_free(r);
	return id;
}

struct http_resp page_as(const char *path, const char *token)
{
	char cookie[256];
	const char *h[] = {cookie, NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", token);
	return http_do("GET", path, h, NULL, 0);
}

void policies_reset(void)
{
	struct http_resp r = api("PUT", "/api/notification-policies", fixture_users()->admin,
	    "{\"policies\":[]}");

	http_free(&r);
}

const char *lli(long long id)
{
	static char b[4][24];
	static int k;

	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "%lld", id);
	return b[k];
}
