/*
 * test_backfill.c - goldwatch-admin backfill on the demo shop: the values
 * are the catalogue queries' at the same moments, a second run stores
 * nothing, a run killed with SIGKILL and run again leaves the full set
 * once, backfilling writes no event, mail, alert or rule state, the API
 * says source "backfill" and the KPI page draws them as history. Every
 * moment is fixed (test_shop_moment), before the stack's first evaluation;
 * the suite deletes what it stored, so the other suites see no backfill.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

#define BF_COUNT "SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"

/* The range the suite backfills: two and a half shop days, an hour apart. */
static char *since_at, *now_at;

/* Outside a test (no assertion): 0, or -1 when the delete failed. */
static int delete_backfilled(void)
{
	PGresult *r = PQexec(test_db(), "DELETE FROM kpi_samples WHERE source = 'backfill'");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;

	PQclear(r);
	return rc;
}

static int bf_init(void)
{
	return delete_backfilled();
}

/* The range, read in a test (test_shop_moment asserts). */
static void range(void)
{
	if (since_at == NULL) {
		since_at = test_shop_moment(3, "09:30");
		now_at = test_shop_moment(1, "18:00");
	}
}

static int bf_clean(void)
{
	free(since_at);
	free(now_at);
	return delete_backfilled();
}

/* Runs goldwatch-admin backfill with args; its exit status. */
static int backfill(const char *args)
{
	return test_system("'%s/goldwatch-admin' backfill %s >>'%s/log/backfill-tests.log' 2>&1",
	    test_env("GW_TEST_BIN"), args, test_env("GW_TEST_STACK"));
}

static int backfill_range(const char *step)
{
	char args[200];

	range();
	snprintf(args, sizeof(args), "--since %s --now %s --step %s", since_at, now_at, step);
	return backfill(args);
}

/* The catalogue query of key run at moment, as the evaluator runs it (in
 * a session on UTC, as core/db.c sets: "$1 - interval '30 days'" moves
 * with the session's zone across a DST change): 1 and *v, or 0 for no data. */
static int catalogue_value(const char *key, const char *moment, double *v)
{
	static const Oid types[2] = {1184, 25};
	char *query = test_sql_str("SELECT query FROM kpis WHERE key = $1", 1, TP(key));
	const char *params[2] = {moment, test_shop_zone()};
	PGresult *r;
	int has;

	test_exec("BEGIN", 0, NULL);
	test_exec("SET LOCAL TIME ZONE 'UTC'", 0, NULL);
	r = PQexecParams(test_db(), query, 2, types, params, NULL, NULL, 0);
	test_exec("COMMIT", 0, NULL);
	CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_TUPLES_OK);
	has = PQntuples(r) == 1 && !PQgetisnull(r, 0, PQfnumber(r, "value"));
	if (has)
		*v = strtod(PQgetvalue(r, 0, PQfnumber(r, "value")), NULL);
	PQclear(r);
	free(query);
	return has;
}

/* Every built-in KPI at a moment: the backfilled value is the query's. */
static void compare_at(const char *moment)
{
	PGresult *keys = test_sql("SELECT key FROM kpis WHERE source = 'sql' AND deleted_at IS NULL"
	    " ORDER BY key", 0, NULL);

	for (int i = 0; i < PQntuples(keys); i++) {
		const char *key = PQgetvalue(keys, i, 0);
		PGresult *s = test_sql("SELECT value FROM kpi_samples WHERE kpi_key = $1"
		    " AND sampled_at = $2::timestamptz AND source = 'backfill'", 2, TP(key, moment));
		double want = 0;
		int has = catalogue_value(key, moment, &want);

		if (PQntuples(s) != has)
			fprintf(stderr, "\n    %s at %s: %d backfilled, query has %d\n", key, moment,
			    PQntuples(s), has);
		CU_ASSERT_EQUAL(PQntuples(s), has);
		if (has && PQntuples(s) == 1) {
			double got = strtod(PQgetvalue(s, 0, 0), NULL);
			if (!(fabs(got - want) <= 1e-9 * fmax(1, fabs(want))))
				fprintf(stderr, "\n    %s at %s: backfilled %.17g, query %.17g\n", key,
				    moment, got, want);
			CU_ASSERT_TRUE(fabs(got - want) <= 1e-9 * fmax(1, fabs(want)));
		}
		PQclear(s);
	}
	PQclear(keys);
}

static void t_values_are_the_catalogues(void)
{
	char *noon = (range(), test_shop_moment(2, "12:00")), *last;
	long long kpis = SQL_INT0("SELECT count(*) FROM kpis WHERE source = 'sql'"
	    " AND deleted_at IS NULL");

	CU_ASSERT_EQUAL_FATAL(backfill_range("1h"), 0);
	/* the moments are on the hour, the last one before --now */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"
	    " AND extract(epoch FROM sampled_at)::bigint % 3600 <> 0"), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"
	    " AND (sampled_at >= $1::timestamptz OR sampled_at < $2::timestamptz)",
	    now_at, since_at), 0);
	/* every KPI has history (the stock KPIs and the gold price always a value) */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(DISTINCT kpi_key) FROM kpi_samples"
	    " WHERE source = 'backfill'"), kpis);
	last = test_sql_str("SELECT iso(max(sampled_at)) FROM kpi_samples"
	    " WHERE source = 'backfill'", 0, NULL);
	compare_at(noon);
	compare_at(last);
	{
		char *first = test_sql_str("SELECT iso(min(sampled_at)) FROM kpi_samples"
		    " WHERE source = 'backfill'", 0, NULL);
		char *night = test_shop_moment(2, "03:00");
		compare_at(first);
		compare_at(night);
		free(first);
		free(night);
	}
	free(last);
	free(noon);
}

/*
 * A KPI's range form (kpis.backfill_query, what the backfill runs for the
 * month and 30-day windows) against its catalogue query, moment by
 * moment: every 7 hours over the demo's 90 days, every 5 minutes over the
 * hours around each month start (where the month-to-date window turns),
 * and for the month-to-date in zones a half hour and a DST change apart.
 * Equal to the last bit: the sums stay numeric until the end.
 */
#define RANGE_DIFF \
	"WITH m AS (SELECT array_agg(g ORDER BY g) AS a FROM (" \
	"    SELECT generate_series(date_trunc('hour', now()) - interval '92 days'," \
	"                           now(), interval '7 hours') AS g" \
	"    UNION SELECT generate_series(ms - interval '3 hours', ms + interval '3 hours'," \
	"                                 interval '5 minutes')" \
	"      FROM generate_series(date_trunc('month', now() - interval '92 days')," \
	"                           now(), interval '1 month') AS ms) x)," \
	" r AS (SELECT * FROM pg_temp.gw_r((SELECT a FROM m), $1))," \
	" l AS (SELECT g AS at, pg_temp.gw_l(g, $1) AS value FROM unnest((SELECT a FROM m)) g)" \
	" SELECT count(*) FILTER (WHERE r.at IS NULL OR r.value IS DISTINCT FROM l.value)," \
	"        count(*), count(l.value)" \
	"   FROM l LEFT JOIN r USING (at)"

static void range_equals_query(const char *key, const char *zone)
{
	char *q = test_sql_str("SELECT query FROM kpis WHERE key = $1", 1, TP(key));
	char *rq = test_sql_str("SELECT backfill_query FROM kpis WHERE key = $1", 1, TP(key));
	char *l = test_sql_str("SELECT format('CREATE FUNCTION pg_temp.gw_l(timestamptz, text)"
	    " RETURNS float8 LANGUAGE sql STABLE AS %L', $1::text)", 1, TP(q));
	char *rf = test_sql_str("SELECT format('CREATE FUNCTION pg_temp.gw_r(timestamptz[], text)"
	    " RETURNS TABLE (at timestamptz, value float8) LANGUAGE sql STABLE AS %L', $1::text)",
	    1, TP(rq));
	PGresult *r;

	test_exec("BEGIN", 0, NULL);
	test_exec("SET LOCAL TIME ZONE 'UTC'", 0, NULL);
	test_exec(l, 0, NULL);
	test_exec(rf, 0, NULL);
	r = test_sql(RANGE_DIFF, 1, TP(zone));
	test_exec("ROLLBACK", 0, NULL);
	CU_ASSERT_EQUAL_FATAL(PQntuples(r), 1);
	if (strcmp(PQgetvalue(r, 0, 0), "0") != 0)
		fprintf(stderr, "\n    %s in %s: %s of %s moments differ\n", key, zone,
		    PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "0");
	/* and the moments were not all empty ones */
	CU_ASSERT_TRUE(strtol(PQgetvalue(r, 0, 2), NULL, 10) > 100);
	PQclear(r);
	free(rf);
	free(l);
	free(rq);
	free(q);
}

static void t_range_forms_are_the_queries(void)
{
	PGresult *keys = test_sql("SELECT key FROM kpis WHERE backfill_query IS NOT NULL"
	    " ORDER BY key", 0, NULL);

	CU_ASSERT_EQUAL(PQntuples(keys), 5);
	for (int i = 0; i < PQntuples(keys); i++)
		range_equals_query(PQgetvalue(keys, i, 0), test_shop_zone());
	PQclear(keys);
	range_equals_query("revenue_month_to_date", "Asia/Kolkata");
	range_equals_query("revenue_month_to_date", "Australia/Lord_Howe");
	range_equals_query("revenue_month_to_date", "America/Los_Angeles");
}

static void t_twice_stores_nothing_twice(void)
{
	long long before = SQL_INT0(BF_COUNT);

	CU_ASSERT_TRUE(before > 0);
	CU_ASSERT_EQUAL(backfill_range("1h"), 0);
	CU_ASSERT_EQUAL(SQL_INT0(BF_COUNT), before);
	/* 15 minutes: the hours are there, only the quarters are added */
	CU_ASSERT_EQUAL(backfill_range("15m"), 0);
	CU_ASSERT_TRUE(SQL_INT0(BF_COUNT) > before);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM (SELECT kpi_key, sampled_at FROM kpi_samples"
	    " WHERE source = 'backfill' GROUP BY 1, 2 HAVING count(*) > 1) d"), 0);
}

/* goldwatch-admin backfill args, in the background; its pid. */
static pid_t spawn_backfill(const char *args)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *cmd = xasprintf("exec '%s/goldwatch-admin' backfill %s >/dev/null 2>&1",
		    test_env("GW_TEST_BIN"), args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void t_killed_then_resumed(void)
{
	char *since = (range(), test_shop_moment(11, "18:00")), args[240];
	long long full, kept, kept_id, got = 0;
	pid_t pid;
	int st;

	/* the reference: ten days every 15 minutes in one run */
	test_exec("DELETE FROM kpi_samples WHERE source = 'backfill'", 0, NULL);
	snprintf(args, sizeof(args), "--since %s --now %s --step 15m", since, now_at);
	CU_ASSERT_EQUAL_FATAL(backfill(args), 0);
	full = SQL_INT0(BF_COUNT);
	test_exec("DELETE FROM kpi_samples WHERE source = 'backfill'", 0, NULL);
	/* a moment per transaction, killed once the first ones are committed */
	snprintf(args, sizeof(args), "--since %s --now %s --step 15m --chunk 1", since, now_at);
	pid = spawn_backfill(args);
	for (int i = 0; i < 5000 && got == 0; i++) {
		got = SQL_INT0(BF_COUNT);
		if (got == 0)
			test_sleep_ms(2);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/*
	 * What was committed, as the newest id and the rows up to it: a COMMIT
	 * the killed run had already sent may still land after the kill, but
	 * its rows (one writer, ids in order) come after kept_id.
	 */
	kept_id = SQL_INT0("SELECT COALESCE(max(id), 0) FROM kpi_samples WHERE source = 'backfill'");
	{
		char id[24];
		snprintf(id, sizeof(id), "%lld", kept_id);
		kept = SQL_INT("SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"
		    " AND id <= $1::bigint", id);
	}
	CU_ASSERT_TRUE(kept > 0 && kept < full);
	/* run again: the rest is added, what was committed stays as it was */
	snprintf(args, sizeof(args), "--since %s --now %s --step 15m", since, now_at);
	CU_ASSERT_EQUAL(backfill(args), 0);
	CU_ASSERT_EQUAL(SQL_INT0(BF_COUNT), full);
	{
		char id[24];
		snprintf(id, sizeof(id), "%lld", kept_id);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"
		    " AND id <= $1::bigint", id), kept);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM (SELECT kpi_key, sampled_at FROM kpi_samples"
	    " WHERE source = 'backfill' GROUP BY 1, 2 HAVING count(*) > 1) d"), 0);
	free(since);
}

/* What backfilling must leave alone: events, mail, alerts, rule state. */
#define QUIET_STATE "SELECT (SELECT count(*) FROM events) || '/' ||" \
	" (SELECT count(*) FROM mail_outbox) || '/' || (SELECT count(*) FROM alerts) || '/' ||" \
	" (SELECT count(*) FROM rule_state WHERE last_evaluated_at IS NOT NULL)"

static void t_no_mail_no_alert(void)
{
	/* fires on any value the KPI has ever had */
	long long rule = make_simple_rule("backfill stays quiet", "revenue_month_to_date", "gt",
	    -1, "");
	char *before, *after, *path;
	struct http_resp r;

	test_exec("DELETE FROM kpi_samples WHERE source = 'backfill'", 0, NULL);
	before = test_sql_str(QUIET_STATE, 0, NULL);
	CU_ASSERT_EQUAL(backfill_range("1h"), 0);
	CU_ASSERT_TRUE(SQL_INT0(BF_COUNT) > 0);
	after = test_sql_str(QUIET_STATE, 0, NULL);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 0);
	CU_ASSERT_EQUAL(outbox_of(rule, NULL), 0);
	/* the rule is live: the first evaluation fires it */
	r = evaluate_rule(rule);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 1);
	path = xasprintf("/api/alerts/rules/%lld", rule);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(path);
	free(before);
	free(after);
}

static void t_api_and_page_say_backfill(void)
{
	char cookie[200], *path, *last;
	const char *h[2] = {cookie, NULL};
	struct http_resp r;
	size_t n;

	/* up to the last backfilled moment: an evaluation may have sampled at --now */
	CU_ASSERT_EQUAL(backfill_range("1h"), 0);
	last = test_sql_str("SELECT iso(max(sampled_at)) FROM kpi_samples"
	    " WHERE kpi_key = 'gold_price_per_gram' AND source = 'backfill'", 0, NULL);
	path = xasprintf("/api/kpis/gold_price_per_gram/samples?since=%s&until=%s&limit=5",
	    since_at, last);
	free(last);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	n = json_array_size(jget(r.json, "items"));
	CU_ASSERT_EQUAL(n, 5);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		    json_array_get(jget(r.json, "items"), i), "source")), "backfill");
	http_free(&r);
	free(path);
	/* the latest value is the live one, never a backfilled one */
	r = api("GET", "/api/kpis/gold_price_per_gram", fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM kpi_samples WHERE source = 'backfill'"
	    " AND sampled_at = $1::timestamptz", jstr(&r, "latest.at") ? jstr(&r, "latest.at") :
	    "1970-01-01T00:00:00Z"), 0);
	http_free(&r);
	/* the chart draws the history dashed, with its legend */
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	r = http_do("GET", "/kpis/gold_price_per_gram?period=7d", h, NULL, 0);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "chart-backfill") : NULL);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "backfilled from the shop's records")
	    : NULL);
	http_free(&r);
}

static void t_bad_options(void)
{
	long long before = SQL_INT0(BF_COUNT);
	char args[200];

	range();
	CU_ASSERT_EQUAL(backfill("--step 7m"), 2);
	CU_ASSERT_EQUAL(backfill("--days 0"), 2);
	CU_ASSERT_EQUAL(backfill("--days 3 --since 2026-01-01T00:00:00Z"), 2);
	CU_ASSERT_EQUAL(backfill("--now yesterday"), 2);
	CU_ASSERT_EQUAL(backfill("--chunk 0"), 2);
	snprintf(args, sizeof(args), "--since %s --now %s", now_at, since_at);
	CU_ASSERT_EQUAL(backfill(args), 2);
	CU_ASSERT_EQUAL(SQL_INT0(BF_COUNT), before);
}

void suite_backfill(void)
{
	static const struct test_case cases[] = {
		{"backfilled values are the catalogue queries' at the same moments",
		    t_values_are_the_catalogues},
		{"the month and 30-day range forms equal the catalogue queries",
		    t_range_forms_are_the_queries},
		{"a second run stores nothing twice", t_twice_stores_nothing_twice},
		{"killed mid-run, then run again: the full set, once", t_killed_then_resumed},
		{"backfilling writes no event, mail, alert or rule state", t_no_mail_no_alert},
		{"the API says source backfill and the chart draws it as history",
		    t_api_and_page_say_backfill},
		{"bad options: exit 2, nothing stored", t_bad_options},
		{NULL, NULL},
	};
	test_add_suite("backfill", bf_init, bf_clean, cases);
}
