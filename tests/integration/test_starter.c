/*
 * test_starter.c - the starter rules (sql/starter-rules.json, core/starter.c)
 * on the test stack's demo shop: each loads through the rule store and
 * reads back as its file entry says, a second load adds nothing, only an
 * admin (with the form's CSRF token) may load them, and on a replay of the
 * shop's closed hours none fires, while 22k rings running out does. The
 * stack starts with none (`demo --no-rules`); every test leaves it so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

#define LOAD_API "/api/alerts/rules/load-starter"
/* the ids of the rules named as in the file ($1: the file's text) */
#define STARTER_IDS "SELECT id FROM alert_rules WHERE name IN" \
	" (SELECT e->>'name' FROM json_array_elements($1::json) e)"

static char *file_text(void)
{
	char *path = xasprintf("%s/sql/starter-rules.json", test_top());
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static const char *admin_email(void)
{
	const char *e = getenv("GOLDWATCH_ADMIN_EMAIL");
	return e && *e ? e : "admin@localhost";
}

/* The file's entries as the API should answer them: recipients filled in. */
static json_t *expected_rules(void)
{
	char *text = file_text();
	json_t *rules = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *r;
	size_t i;

	free(text);
	CU_ASSERT_TRUE_FATAL(json_is_array(rules) && json_array_size(rules) >= 8 &&
	    json_array_size(rules) <= 12);
	json_array_foreach(rules, i, r) {
		json_t *esc = json_object_get(r, "escalation");
		json_object_set_new(r, "recipients", json_pack("[s]", admin_email()));
		if (esc)
			json_object_set_new(esc, "recipients", json_pack("[s]", admin_email()));
	}
	return rules;
}

static long long starter_count(void)
{
	char *text = file_text();
	long long n = SQL_INT("SELECT count(*) FROM (" STARTER_IDS ") s", text);

	free(text);
	return n;
}

/* Removes the starter rules and what they made: the stack as it started. */
static void starter_remove(void)
{
	char *text = file_text();

	test_exec("DELETE FROM mail_outbox WHERE rule_id IN (" STARTER_IDS ")", 1, TP(text));
	test_exec("DELETE FROM alerts WHERE rule_id IN (" STARTER_IDS ")", 1, TP(text));
	test_exec("DELETE FROM alert_rules WHERE id IN (" STARTER_IDS ")", 1, TP(text));
	free(text);
	CU_ASSERT_EQUAL(starter_count(), 0);
}

static struct http_resp load_as(const char *token)
{
	return api("POST", LOAD_API, token, NULL);
}

/* The stack's demo shop came without them; loaded, each is its file entry. */
static void t_loaded_as_written(void)
{
	json_t *want = expected_rules(), *w, *added;
	struct http_resp r;
	size_t i;

	CU_ASSERT_EQUAL(starter_count(), 0);
	r = load_as(fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "added"), (json_int_t)json_array_size(want));
	CU_ASSERT_EQUAL(jint(&r, "skipped"), 0);
	added = jget(r.json, "rules");
	CU_ASSERT_EQUAL_FATAL(json_array_size(added), json_array_size(want));
	json_array_foreach(want, i, w) {
		json_t *got = json_array_get(added, i);
		const char *key;
		json_t *v;
		char path[64];
		struct http_resp g;

		/* every member the file gives is stored as given */
		json_object_foreach(w, key, v) {
			int same = json_equal(v, json_object_get(got, key));
			if (!same)
				fprintf(stderr, "\n    %s: %s differs\n",
				    json_string_value(json_object_get(w, "name")), key);
			CU_ASSERT_TRUE(same);
		}
		/* and read back the same through the API */
		snprintf(path, sizeof(path), "/api/alerts/rules/%lld",
		    (long long)json_integer_value(json_object_get(got, "id")));
		g = api("GET", path, fixture_users()->admin, NULL);
		EXPECT_STATUS(g, 200);
		CU_ASSERT_TRUE(json_equal(g.json, got));
		http_free(&g);
	}
	/* the critical ones escalate */
	json_array_foreach(added, i, w)
		if (strcmp(json_string_value(json_object_get(w, "severity")), "critical") == 0)
			CU_ASSERT_TRUE(json_is_object(json_object_get(w, "escalation")));
	/* audited as the admin who loaded them */
	{
		char *text = file_text();
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'rule.create'"
		    " AND actor = 'admin' AND object_id IN (SELECT id::text FROM (" STARTER_IDS ") s)",
		    text), (long long)json_array_size(want));
		free(text);
	}
	http_free(&r);
	json_decref(want);
	starter_remove();
}

/* A second load skips every rule by its name; a renamed one comes back. */
static void t_twice_adds_nothing(void)
{
	struct http_resp r = load_as(fixture_users()->admin);
	long long n = jint(&r, "added"), renamed;

	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = load_as(fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "added"), 0);
	CU_ASSERT_EQUAL(jint(&r, "skipped"), n);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "rules")), 0);
	CU_ASSERT_EQUAL(starter_count(), n);
	http_free(&r);
	/* names compare byte for byte: another case is another rule */
	renamed = SQL_INT("UPDATE alert_rules SET name = upper(name) WHERE name ="
	    " '22k rings running out' RETURNING id");
	r = load_as(fixture_users()->admin);
	CU_ASSERT_EQUAL(jint(&r, "added"), 1);
	CU_ASSERT_EQUAL(jint(&r, "skipped"), n - 1);
	http_free(&r);
	{
		char id[24];
		snprintf(id, sizeof(id), "%lld", renamed);
		test_exec("DELETE FROM alert_rules WHERE id = $1::bigint", 1, TP(id));
	}
	starter_remove();
}

/* goldwatch-admin rules load-starter: the same, as goldwatch-admin. */
static void t_admin_command(void)
{
	char *log = xasprintf("%s/log/starter-tests.log", test_env("GW_TEST_STACK"));
	char *text;
	long long n;

	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-admin' rules load-starter >'%s' 2>&1",
	    test_env("GW_TEST_BIN"), log), 0);
	CU_ASSERT_EQUAL(test_system("grep -q ' added, 0 skipped' '%s'", log), 0);
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-admin' rules load-starter >'%s' 2>&1",
	    test_env("GW_TEST_BIN"), log), 0);
	CU_ASSERT_EQUAL(test_system("grep -q ' 0 added, [0-9]* skipped' '%s'", log), 0);
	text = file_text();
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'rule.create'"
	    " AND actor = 'goldwatch-admin' AND object_id IN (SELECT id::text FROM (" STARTER_IDS
	    ") s)", text), starter_count());
	free(text);
	starter_remove();
	/* two at once (a double click, two admins): the set is loaded once */
	CU_ASSERT_EQUAL(test_system("A='%s/goldwatch-admin'; (\"$A\" rules load-starter &"
	    " \"$A\" rules load-starter & wait) >'%s' 2>&1", test_env("GW_TEST_BIN"), log), 0);
	text = file_text();
	n = SQL_INT("SELECT count(DISTINCT name) FROM (" STARTER_IDS ") i JOIN alert_rules r"
	    " USING (id)", text);
	CU_ASSERT_EQUAL(starter_count(), n);
	CU_ASSERT_TRUE(n >= 8);
	CU_ASSERT_EQUAL(test_system("grep -c ' 0 added, ' '%s' | grep -qx 1", log), 0);
	free(text);
	free(log);
	starter_remove();
}

/* A setting that is no address: said by name, and nothing is loaded. */
static void t_bad_admin_email(void)
{
	static const char *const bad[] = {"not an address", "a@shop.example, b@shop.example",
	    "owner@"};
	char *log = xasprintf("%s/log/starter-tests.log", test_env("GW_TEST_STACK"));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(test_system("GOLDWATCH_ADMIN_EMAIL='%s' '%s/goldwatch-admin' rules"
		    " load-starter >'%s' 2>&1", bad[i], test_env("GW_TEST_BIN"), log), 1);
		CU_ASSERT_EQUAL(test_system("grep -q 'GOLDWATCH_ADMIN_EMAIL must be' '%s'", log), 0);
		CU_ASSERT_EQUAL(starter_count(), 0);
	}
	free(log);
}

/* Only an admin loads them; a page's POST needs its CSRF token too. */
static void t_admin_only(void)
{
	const struct fixture_users *u = fixture_users();
	char cookie[256], *body;
	struct http_resp r;

	r = load_as(u->operator_);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = load_as(u->viewer);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = load_as(NULL);
	EXPECT_STATUS(r, 401);
	http_free(&r);
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", u->admin);
	{
		const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
		r = http_do("POST", "/rules/load-starter", h, "_csrf=wrong", 11);
		EXPECT_STATUS(r, 403);
		http_free(&r);
		r = http_do("POST", "/rules/load-starter", h, "", 0);
		EXPECT_STATUS(r, 403);
		http_free(&r);
		CU_ASSERT_EQUAL(starter_count(), 0);
		body = xasprintf("_csrf=%s", u->admin_csrf);
		r = http_do("POST", "/rules/load-starter", h, body, strlen(body));
		EXPECT_STATUS(r, 303);
		CU_ASSERT_TRUE(r.headers && strstr(r.headers, "gw_flash=ok:") != NULL);
		free(body);
		http_free(&r);
	}
	CU_ASSERT_TRUE(starter_count() >= 8);
	starter_remove();
}

/* Samples of every KPI a percent-change rule reads, window minutes before at. */
static void history_at(const char *at, int minutes)
{
	PGresult *k = test_sql("SELECT DISTINCT k.key, k.query FROM kpis k JOIN alert_rules r"
	    " ON r.kpi_key = k.key WHERE r.window_minutes = $1::int AND k.source = 'sql'", 1,
	    TP(minutes == 1440 ? "1440" : "10080"));
	char *then = test_sql_str("SELECT iso($1::timestamptz - make_interval(mins => $2::int))",
	    2, TP(at, minutes == 1440 ? "1440" : "10080"));

	for (int i = 0; i < PQntuples(k); i++) {
		/* typed as the engine runs them: a query may use only $1 */
		static const Oid types[2] = {1184, 25};   /* timestamptz, text */
		PGresult *v = PQexecParams(test_db(), PQgetvalue(k, i, 1), 2, types,
		    TP(then, test_shop_zone()), NULL, NULL, 0);

		CU_ASSERT_EQUAL_FATAL(PQresultStatus(v), PGRES_TUPLES_OK);
		if (!PQgetisnull(v, 0, 0))
			test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
			    " VALUES ($1, $2::float8, $3::timestamptz, 'evaluation')", 3,
			    TP(PQgetvalue(k, i, 0), PQgetvalue(v, 0, 0), then));
		PQclear(v);
	}
	PQclear(k);
	free(then);
}

/*
 * From 21:00 to 10:30 (shop time, two days back and one: the demo shop
 * traded then, whatever the hour now), every 30 minutes and the first
 * minutes after opening and midnight, with the history the percent
 * changes read computed from the shop's tables: no starter rule fires.
 */
static void t_quiet_when_closed(void)
{
	/* after midnight and after opening, yesterday */
	static const char *const extra[] = {"00:05", "00:15", "10:01", "10:05", "10:15"};
	char *text, *at, before[24], arg[80];
	struct http_resp r = load_as(fixture_users()->admin);
	int evaluated = 0;

	EXPECT_STATUS(r, 200);
	http_free(&r);
	snprintf(before, sizeof(before), "%lld",
	    SQL_INT0("SELECT coalesce(max(id), 0) FROM kpi_samples"));
	for (int step = 0; step < 28 + 5; step++) {
		if (step < 28) {
			int minutes = 21 * 60 + 30 * step;   /* 21:00 .. 10:30 the next day */
			char hhmm[8];
			snprintf(hhmm, sizeof(hhmm), "%02d:%02d", minutes / 60 % 24, minutes % 60);
			at = test_shop_moment(minutes < 24 * 60 ? 2 : 1, hhmm);
		} else {
			at = test_shop_moment(1, extra[step - 28]);
		}
		history_at(at, 1440);
		history_at(at, 10080);
		snprintf(arg, sizeof(arg), "--now=%s", at);
		CU_ASSERT_EQUAL(run_evaluate(NULL, arg), 0);
		evaluated++;
		free(at);
	}
	text = file_text();
	{
		long long fired = SQL_INT("SELECT count(*) FROM alerts WHERE rule_id IN ("
		    STARTER_IDS ")", text);
		if (fired)
			test_system("psql \"$DATABASE_URL\" -Atc \"SELECT rule_name, iso(triggered_at),"
			    " value FROM alerts WHERE rule_id IS NOT NULL ORDER BY id DESC LIMIT 10\" >&2");
		CU_ASSERT_EQUAL(fired, 0);
	}
	CU_ASSERT_EQUAL(evaluated, 33);
	free(text);
	test_exec("DELETE FROM kpi_samples WHERE id > $1::bigint", 1, TP(before));
	starter_remove();
}

/* Something really off: two 22k rings left. The critical rule fires and mails. */
static void t_fires_when_rings_run_out(void)
{
	struct http_resp r = load_as(fixture_users()->admin);
	long long id;
	char ids[24], *sev;

	EXPECT_STATUS(r, 200);
	http_free(&r);
	id = SQL_INT0("SELECT id FROM alert_rules WHERE name = '22k rings running out'");
	CU_ASSERT_TRUE_FATAL(id > 0);
	test_exec("CREATE TABLE IF NOT EXISTS starter_test_stock AS SELECT id, stock_qty"
	    " FROM shop.products WHERE category = 'ring' AND karat = 22", 0, NULL);
	test_exec("UPDATE shop.products SET stock_qty = CASE WHEN id = (SELECT min(id)"
	    " FROM starter_test_stock) THEN 2 ELSE 0 END"
	    " WHERE id IN (SELECT id FROM starter_test_stock)", 0, NULL);
	r = evaluate_rule(id);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(id, "firing"), 1);
	snprintf(ids, sizeof(ids), "%lld", id);
	sev = test_sql_str("SELECT severity FROM alerts WHERE rule_id = $1::bigint", 1, TP(ids));
	CU_ASSERT_STRING_EQUAL(sev, "critical");
	free(sev);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE rule_id = $1::bigint"
	    " AND kind = 'fired' AND recipient = $2", ids, admin_email()), 1);
	test_exec("UPDATE shop.products p SET stock_qty = s.stock_qty FROM starter_test_stock s"
	    " WHERE s.id = p.id", 0, NULL);
	test_exec("DROP TABLE starter_test_stock", 0, NULL);
	starter_remove();
}

/* The page as the user's browser gets it. */
static char *dashboard_as(const char *token)
{
	char cookie[256];
	const char *h[] = {cookie, NULL};
	struct http_resp r;
	char *html;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", token);
	r = http_do("GET", "/", h, NULL, 0);
	EXPECT_STATUS(r, 200);
	html = xstrdup(r.body ? r.body : "");
	http_free(&r);
	return html;
}

/*
 * The stack starts with no rules (the demo without its starter rules): the
 * dashboard says so instead of "Nothing is firing", and offers an admin
 * the starter rules (a form with the session's CSRF token) and the form
 * of a new rule; others are told who can. With a rule it says nothing.
 */
static void t_no_rules_first_screen(void)
{
	const struct fixture_users *u = fixture_users();
	char *html, *csrf_field = xasprintf("name=\"_csrf\" value=\"%s\"", u->admin_csrf);
	long long id;
	char path[64];
	struct http_resp r;

	/* the shop's rules: the system rules (goldwatch itself) are always there */
	CU_ASSERT_EQUAL_FATAL(SQL_INT0("SELECT count(*) FROM alert_rules WHERE kind = 'kpi'"), 0);
	html = dashboard_as(u->admin);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"no-rules\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "There are no rules yet"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "action=\"/rules/load-starter\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, csrf_field));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "href=\"/rules/new\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "id=\"open-empty\" hidden"));
	free(html);
	html = dashboard_as(u->viewer);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "There are no rules yet"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "An admin can create rules"));
	CU_ASSERT_PTR_NULL(strstr(html, "/rules/load-starter"));
	free(html);
	/* a rule, even a disabled one: the usual screen */
	id = make_rule("{\"name\":\"first screen\",\"kpi\":\"revenue_today\","
	    "\"condition\":\"lt\",\"threshold\":-1,\"severity\":\"info\",\"enabled\":false}");
	html = dashboard_as(u->admin);
	CU_ASSERT_PTR_NULL(strstr(html, "id=\"no-rules\""));
	/* "Nothing is firing" is back, unless something is */
	CU_ASSERT_EQUAL(strstr(html, "id=\"open-empty\" hidden") != NULL,
	    SQL_INT0("SELECT count(*) FROM alerts WHERE state IN ('firing', 'acknowledged')") > 0);
	free(html);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(csrf_field);
}

void suite_first_screen(void)
{
	static const struct test_case cases[] = {
		{"no rules: the dashboard offers the starter rules", t_no_rules_first_screen},
		{NULL, NULL},
	};
	test_add_suite("first-screen", NULL, NULL, cases);
}

void starter_rules_remove(void)
{
	starter_remove();
}

void suite_starter(void)
{
	static const struct test_case cases[] = {
		{"every starter rule loads as written", t_loaded_as_written},
		{"a second load skips them by name", t_twice_adds_nothing},
		{"goldwatch-admin rules load-starter", t_admin_command},
		{"GOLDWATCH_ADMIN_EMAIL that is no address", t_bad_admin_email},
		{"only an admin, with the CSRF token", t_admin_only},
		{"quiet on a replay of the closed hours", t_quiet_when_closed},
		{"22k rings running out fires", t_fires_when_rings_run_out},
		{NULL, NULL},
	};
	test_add_suite("starter", NULL, NULL, cases);
}
