/*
 * test_metrics.c - GET /metrics through nginx: the format (promtool check
 * metrics), the shipped alerting rules (promtool check rules), values
 * against the database after known actions (alerts fired and
 * acknowledged, mails refused until dead, rows deleted as cleanup does),
 * a bounded route label (an unknown path is "unmatched"), who may scrape
 * (GOLDWATCH_METRICS_ALLOW, a token, 401 and 403), and the database down
 * (200 with goldwatch_database_up 0). The API shares the database's
 * figures for GOLDWATCH_METRICS_CACHE_MS: a test waits that long after an
 * action before it looks (settle()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "metrics_scrape.h"
#include "testlib.h"
#include "util.h"

#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct http_resp scrape_as(const char *token)
{
	char auth[512];
	const char *h[] = {auth, NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	return http_do("GET", "/metrics", token ? h : NULL, NULL, 0);
}

/* 1 when each k="v" of want (comma-separated) is among labels (the text
 * between the braces). Values with commas are not asked for. */
static int labels_have(const char *labels, size_t len, const char *want)
{
	char *copy = xstrdup(want), *save = NULL;
	int ok = 1;

	for (char *p = strtok_r(copy, ",", &save); p && ok; p = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(p);
		const char *at = labels;
		ok = 0;
		while ((at = strstr(at, p)) != NULL && at + n <= labels + len) {
			if ((at == labels || at[-1] == ',') && (at[n] == ',' || at + n == labels + len)) {
				ok = 1;
				break;
			}
			at++;
		}
	}
	free(copy);
	return ok;
}

double series(const char *body, const char *name, const char *want, int *found)
{
	size_t nlen = strlen(name);
	double sum = 0;
	int n = 0;

	for (const char *line = body; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *labels = "", *end;
		size_t llen = 0;

		if (*line == '#' || strncmp(line, name, nlen) != 0 ||
		    (line[nlen] != '{' && line[nlen] != ' '))
			continue;
		end = line + nlen;
		if (*end == '{') {
			labels = end + 1;
			end = strstr(labels, "} ");
			if (end == NULL)
				continue;
			llen = (size_t)(end - labels);
			end++;
		}
		if (*want && !labels_have(labels, llen, want))
			continue;
		sum += strtod(end + 1, NULL);
		n++;
	}
	if (found)
		*found = n;
	return sum;
}

char *metrics_token(void)
{
	static int n;
	char body[128];
	struct http_resp r;
	char *tok;

	snprintf(body, sizeof(body), "{\"name\":\"metrics scraper %d-%d\"}", (int)getpid(), ++n);
	r = api("POST", "/api/auth/tokens", fixture_users()->admin, body);
	/* no assertion: a suite's set-up calls it too */
	tok = xstrdup(r.status == 201 && jstr(&r, "token") ? jstr(&r, "token") : "");
	http_free(&r);
	return tok;
}

/*
 * Waits until the API process reads the database's figures anew
 * (GOLDWATCH_METRICS_CACHE_MS, 1 s by default): after an action, before
 * the scrape that should see it.
 */
static void settle(void)
{
	const char *ms = getenv("GOLDWATCH_METRICS_CACHE_MS");

	test_sleep_ms((ms && *ms ? atoi(ms) : 1000) + 100);
}

/* The body of an allowed scrape (asserts 200); caller frees. */
static char *scrape(void)
{
	struct http_resp r = scrape_as(NULL);
	char *body;

	EXPECT_STATUS(r, 200);
	body = xstrdup(r.body ? r.body : "");
	http_free(&r);
	return body;
}

static double value_of(const char *name, const char *want)
{
	char *body = scrape();
	int found = 0;
	double v = series(body, name, want, &found);

	if (found == 0)
		fprintf(stderr, "\n    no series %s{%s}", name, want);
	CU_ASSERT_TRUE(found > 0);
	free(body);
	return v;
}

/* promtool check metrics on body: its exit status (its output on stderr). */
static int promtool_metrics(const char *body)
{
	char *path = xasprintf("%s/log/metrics-scrape-%d.txt", test_env("GW_TEST_STACK"),
	    (int)getpid());
	FILE *f = fopen(path, "w");
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(body, f);
	fclose(f);
	rc = test_system("promtool check metrics <'%s' >&2", path);
	free(path);
	return rc;
}

static const char *const families[] = {
	"goldwatch_build_info gauge", "goldwatch_database_up gauge",
	"goldwatch_database_latency_seconds gauge", "goldwatch_alerts_open gauge",
	"goldwatch_rules gauge", "goldwatch_job_last_success_timestamp_seconds gauge",
	"goldwatch_job_last_duration_seconds gauge", "goldwatch_evaluation_rules_evaluated gauge",
	"goldwatch_outbox_messages gauge", "goldwatch_outbox_oldest_due_age_seconds gauge",
	"goldwatch_deliveries_total counter", "goldwatch_http_requests_total counter",
	"goldwatch_http_request_duration_seconds histogram",
	"goldwatch_kpi_last_sample_age_seconds gauge", "goldwatch_pusher_clients gauge",
	"goldwatch_pusher_lag_events gauge", "goldwatch_pusher_feed_up gauge",
};

static void t_exposition(void)
{
	struct http_resp r = scrape_as(NULL);
	char *type = http_header(&r, "Content-Type"), *cache = http_header(&r, "Cache-Control");
	char want[160];

	EXPECT_STATUS(r, 200);
	CU_ASSERT_STRING_EQUAL(type ? type : "(none)", PROM_TYPE);
	CU_ASSERT_STRING_EQUAL(cache ? cache : "(none)", "no-store");
	for (size_t i = 0; i < GW_ARRAY_LEN(families); i++) {
		snprintf(want, sizeof(want), "\n# TYPE %s\n", families[i]);
		if (strstr(r.body, want) == NULL)
			fprintf(stderr, "\n    missing: # TYPE %s", families[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, want));
	}
	CU_ASSERT_EQUAL(series(r.body, "goldwatch_database_up", "", NULL), 1);
	CU_ASSERT_EQUAL(series(r.body, "goldwatch_build_info", "", NULL), 1);
	CU_ASSERT_EQUAL(series(r.body, "goldwatch_schema_version", "", NULL),
	    SQL_INT0("SELECT max(version) FROM goldwatch.schema_migrations"));
	CU_ASSERT_EQUAL(promtool_metrics(r.body), 0);
	free(type);
	free(cache);
	http_free(&r);
}

static void t_rules_file(void)
{
	CU_ASSERT_EQUAL(test_system("promtool check rules '%s/docs/prometheus-rules.yml' >&2",
	    test_top()), 0);
}

/* goldwatch_alerts_open against the alerts table, every severity and state */
static void expect_open_as_stored(void)
{
	static const char *const sev[] = {"info", "warning", "critical"};
	static const char *const st[] = {"firing", "acknowledged"};
	char *body = scrape(), want[96];

	for (size_t i = 0; i < GW_ARRAY_LEN(sev); i++)
		for (size_t k = 0; k < GW_ARRAY_LEN(st); k++) {
			int found = 0;
			snprintf(want, sizeof(want), "severity=\"%s\",state=\"%s\"", sev[i], st[k]);
			CU_ASSERT_EQUAL(series(body, "goldwatch_alerts_open", want, &found),
			    SQL_INT("SELECT count(*) FROM alerts WHERE severity = $1 AND state = $2",
			    sev[i], st[k]));
			CU_ASSERT_EQUAL(found, 1);
		}
	CU_ASSERT_EQUAL(series(body, "goldwatch_rules", "status=\"enabled\"", NULL),
	    SQL_INT0("SELECT count(*) FROM alert_rules WHERE enabled"));
	CU_ASSERT_EQUAL(series(body, "goldwatch_rules", "status=\"disabled\"", NULL),
	    SQL_INT0("SELECT count(*) FROM alert_rules WHERE NOT enabled"));
	free(body);
}

static void t_alerts_open(void)
{
	const char *crit = "severity=\"critical\",state=\"firing\"";
	const char *acked = "severity=\"critical\",state=\"acknowledged\"";
	char name[64], args[128], now[40], body[64], id[24], path[64];
	double firing0, acked0;
	long long rule, alert;
	struct http_resp r;

	snprintf(name, sizeof(name), "metrics open %d", (int)getpid());
	if (SQL_INT0("SELECT count(*) FROM kpis WHERE key = 't_metrics'") == 0)
		make_push_kpi("t_metrics", 0);
	rule = make_simple_rule(name, "t_metrics", "gt", 5, "");
	push_value("t_metrics", 10, 0);
	settle();
	firing0 = value_of("goldwatch_alerts_open", crit);
	acked0 = value_of("goldwatch_alerts_open", acked);
	time_format_iso(time_now_us(), now, sizeof(now));
	snprintf(args, sizeof(args), "--rule %lld --now=%s", rule, now);
	CU_ASSERT_EQUAL_FATAL(run_evaluate(NULL, args), 0);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 1);
	settle();
	CU_ASSERT_EQUAL(value_of("goldwatch_alerts_open", crit), firing0 + 1);
	expect_open_as_stored();
	/* the run is the last evaluate job's: its success time and duration */
	CU_ASSERT_TRUE(value_of("goldwatch_job_last_success_timestamp_seconds", "job=\"evaluate\"") >=
	    (double)(time_now_us() / 1000000 - 120));
	CU_ASSERT_TRUE(value_of("goldwatch_job_last_duration_seconds", "job=\"evaluate\"") >= 0);
	CU_ASSERT_TRUE(value_of("goldwatch_kpi_last_sample_age_seconds", "kpi=\"t_metrics\"") < 120);

	snprintf(id, sizeof(id), "%lld", rule);
	alert = SQL_INT("SELECT id FROM alerts WHERE rule_id = $1::bigint AND state = 'firing'", id);
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", alert);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	settle();
	CU_ASSERT_EQUAL(value_of("goldwatch_alerts_open", crit), firing0);
	CU_ASSERT_EQUAL(value_of("goldwatch_alerts_open", acked), acked0 + 1);
	expect_open_as_stored();
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

static long long queue_mail(const char *rcpt)
{
	PGresult *r = test_sql("INSERT INTO mail_outbox (kind, recipient, subject, body_text,"
	    " body_html) VALUES ('test', $1, 'metrics', 'metrics', '<p>metrics</p>') RETURNING id",
	    1, TP(rcpt));
	long long id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;

	PQclear(r);
	return id;
}

/* One pass of goldwatch-mailer against the test SMTP server: its status. */
static int mailer_pass(void)
{
	return test_system("'%s/goldwatch-mailer' >>'%s/log/metrics-mailer.log' 2>&1",
	    test_env("GW_TEST_BIN"), test_env("GW_TEST_STACK"));
}

#define EMAIL_DEAD "channel=\"email\",outcome=\"dead\""
#define EMAIL_SENT "channel=\"email\",outcome=\"sent\""
#define EMAIL_FAILED "channel=\"email\",outcome=\"failed\""
#define OUTBOX_DEAD "channel=\"email\",status=\"dead\""

/*
 * The test SMTP server refuses reject-me@ for good (550) and tempfail-me@
 * for now (451): two dead letters, a failed attempt and a sent mail, as
 * the counters and the outbox say; deleting the rows (what cleanup does)
 * takes them out of the outbox but not out of the counter.
 */
static void t_deliveries(void)
{
	double dead0, sent0, failed0, outbox0;
	char ids[128];

	CU_ASSERT_EQUAL_FATAL(test_stack("mailer-stop"), 0);
	settle();
	dead0 = value_of("goldwatch_deliveries_total", EMAIL_DEAD);
	sent0 = value_of("goldwatch_deliveries_total", EMAIL_SENT);
	failed0 = value_of("goldwatch_deliveries_total", EMAIL_FAILED);
	outbox0 = value_of("goldwatch_outbox_messages", OUTBOX_DEAD);
	/* the mail suite leaves rows to these addresses too: these rows only */
	snprintf(ids, sizeof(ids), "{%lld,%lld,%lld,%lld}", queue_mail("reject-me@shop.example"),
	    queue_mail("reject-me@shop.example"), queue_mail("tempfail-me@shop.example"),
	    queue_mail("metrics-ok@shop.example"));
	CU_ASSERT_EQUAL(mailer_pass(), 0);
	settle();
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE status = 'dead'"
	    " AND id = ANY ($1::bigint[])", ids), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE status = 'sent'"
	    " AND id = ANY ($1::bigint[])", ids), 1);
	CU_ASSERT_EQUAL(value_of("goldwatch_deliveries_total", EMAIL_DEAD), dead0 + 2);
	CU_ASSERT_TRUE(value_of("goldwatch_deliveries_total", EMAIL_SENT) >= sent0 + 1);
	CU_ASSERT_TRUE(value_of("goldwatch_deliveries_total", EMAIL_FAILED) >= failed0 + 1);
	CU_ASSERT_EQUAL(value_of("goldwatch_outbox_messages", OUTBOX_DEAD), outbox0 + 2);
	CU_ASSERT_EQUAL(value_of("goldwatch_outbox_messages", OUTBOX_DEAD),
	    SQL_INT0("SELECT count(*) FROM mail_outbox WHERE status = 'dead' AND channel = 'email'"));
	CU_ASSERT_TRUE(value_of("goldwatch_outbox_messages", "channel=\"email\",status=\"queued\"") >=
	    1);
	test_exec("DELETE FROM mail_outbox WHERE id = ANY ($1::bigint[])", 1, TP(ids));
	settle();
	CU_ASSERT_EQUAL(value_of("goldwatch_outbox_messages", OUTBOX_DEAD),
	    SQL_INT0("SELECT count(*) FROM mail_outbox WHERE status = 'dead' AND channel = 'email'"));
	CU_ASSERT_EQUAL(value_of("goldwatch_deliveries_total", EMAIL_DEAD), dead0 + 2);
	CU_ASSERT_EQUAL(test_stack("mailer-start"), 0);
}

/* Each route="..." of body is a pattern of the route table or "unmatched". */
static void expect_bounded_routes(const char *body)
{
	char *cmd = xasprintf("'%s/goldwatch-api' --routes", test_env("GW_TEST_BIN"));
	FILE *p = popen(cmd, "r");
	struct buf table;
	char line[256];
	int values = 0;

	buf_init(&table);
	buf_puts(&table, "\n");
	while (p && fgets(line, sizeof(line), p)) {
		char *sp = strchr(line, ' '), *end = sp ? strchr(sp + 1, ' ') : NULL;
		if (end) {
			buf_append(&table, sp + 1, (size_t)(end - sp - 1));
			buf_puts(&table, "\n");
		}
	}
	if (p)
		pclose(p);
	buf_puts(&table, "unmatched\n");
	for (const char *at = body; (at = strstr(at, "route=\"")) != NULL; values++) {
		const char *v = at + 7, *q = strchr(v, '"');
		char *want = xasprintf("\n%.*s\n", (int)(q - v), v);
		if (strstr(table.data, want) == NULL)
			fprintf(stderr, "\n    route label not in the table: %s", want + 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(table.data, want));
		free(want);
		at = q;
	}
	CU_ASSERT_TRUE(values > 0);
	buf_free(&table);
	free(cmd);
}

static void t_route_label_bounded(void)
{
	char path[96], *body;
	double unmatched0, rule404;
	int found = 0;
	struct http_resp r;

	body = scrape();
	unmatched0 = series(body, "goldwatch_http_requests_total", "route=\"unmatched\"", NULL);
	free(body);
	snprintf(path, sizeof(path), "/api/no-such-thing-%d", (int)getpid());
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 404);
	http_free(&r);
	r = api("GET", "/api/alerts/rules/987654321", fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 404);
	http_free(&r);
	body = scrape();
	CU_ASSERT_PTR_NULL(strstr(body, path + 1));
	CU_ASSERT_PTR_NULL(strstr(body, "987654321"));
	CU_ASSERT_TRUE(series(body, "goldwatch_http_requests_total", "route=\"unmatched\"", NULL) >=
	    unmatched0 + 1);
	rule404 = series(body, "goldwatch_http_requests_total",
	    "route=\"/api/alerts/rules/{id}\",method=\"GET\",status=\"404\"", &found);
	CU_ASSERT_TRUE(rule404 >= 1);
	/* the histogram's count is its +Inf bucket; pages count too */
	CU_ASSERT_EQUAL(series(body, "goldwatch_http_request_duration_seconds_count",
	    "route=\"/api/alerts/rules/{id}\"", NULL),
	    series(body, "goldwatch_http_request_duration_seconds_bucket",
	    "route=\"/api/alerts/rules/{id}\",le=\"+Inf\"", NULL));
	expect_bounded_routes(body);
	free(body);
	r = api("GET", "/alerts", fixture_users()->viewer, NULL);
	http_free(&r);
	CU_ASSERT_TRUE(value_of("goldwatch_http_requests_total", "route=\"/alerts\"") >= 1);
}

/* The API restarted with GOLDWATCH_METRICS_ALLOW=allow (NULL: the default). */
static int api_with_allow(const char *allow)
{
	char env[128];

	if (test_stack("api-stop") != 0)
		return -1;
	if (allow == NULL)
		return test_stack("api-start");
	snprintf(env, sizeof(env), "GOLDWATCH_METRICS_ALLOW='%s'", allow);
	return test_stack_env(env, "api-start");
}

static void t_who_may_scrape(void)
{
	char cookie[256], *token = metrics_token();
	const char *h[] = {cookie, NULL};
	struct http_resp r;

	CU_ASSERT_FATAL(token[0] != '\0');

	/* the stack's clients are all 127.0.0.1: allow others only */
	CU_ASSERT_EQUAL_FATAL(api_with_allow("192.0.2.0/24, 2001:db8::/32"), 0);
	r = scrape_as(NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	r = scrape_as("not-a-token");
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	r = scrape_as(token);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(series(r.body, "goldwatch_database_up", "", NULL), 1);
	http_free(&r);
	/* any role's bearer credential will do */
	r = scrape_as(fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	/* a browser's session is not a scraper's credential */
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	r = http_do("GET", "/metrics", h, NULL, 0);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	/* the default: 127.0.0.1 needs nothing, not even a valid token */
	CU_ASSERT_EQUAL_FATAL(api_with_allow(NULL), 0);
	r = scrape_as(NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = scrape_as("not-a-token");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(token);
}

static void t_database_down(void)
{
	struct http_resp r;
	double up = 0;

	CU_ASSERT_EQUAL_FATAL(test_stack("pg-stop"), 0);
	settle();
	r = scrape_as(NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(series(r.body, "goldwatch_database_up", "", NULL), 0);
	CU_ASSERT_TRUE(series(r.body, "goldwatch_http_requests_total", "", NULL) >= 1);
	CU_ASSERT_PTR_NULL(strstr(r.body, "\ngoldwatch_alerts_open{"));
	CU_ASSERT_EQUAL(promtool_metrics(r.body), 0);
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-start"), 0);
	for (int i = 0; i < 50 && up != 1; i++) {
		r = scrape_as(NULL);
		up = r.status == 200 ? series(r.body, "goldwatch_database_up", "", NULL) : 0;
		http_free(&r);
		if (up != 1)
			test_sleep_ms(200);
	}
	CU_ASSERT_EQUAL(up, 1);
}

void suite_metrics(void)
{
	static const struct test_case cases[] = {
		{"exposition format, promtool check metrics", t_exposition},
		{"docs/prometheus-rules.yml, promtool check rules", t_rules_file},
		{"alerts open as fired and acknowledged", t_alerts_open},
		{"deliveries and the outbox after refused mail", t_deliveries},
		{"an unknown path adds no route label", t_route_label_bounded},
		{"who may scrape: allow-list, token, 401, 403", t_who_may_scrape},
		{"the database down: 200 with goldwatch_database_up 0", t_database_down},
		{NULL, NULL},
	};
	test_add_suite("metrics", NULL, NULL, cases);
}
