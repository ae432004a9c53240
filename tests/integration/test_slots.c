/*
 * test_slots.c - one run per schedule slot and one count per sample
 * moment, whatever number of hosts' timers run the jobs (issue 18): four
 * timer runs of one slot at once do the work once, a slot whose run died
 * is taken over, a run still going keeps the slot; an sql KPI has one
 * sample per evaluation step, and for_evaluations counts steps, not
 * evaluations. Moments are fixed, days back, on 5-minute steps: right at
 * any hour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

#define STEP_US INT64_C(300000000)
#define KPI "t_slot_minute"

static long long rule_id, count_rule;
static int64_t base_us;   /* a step start two days back; each case its own steps */

static int64_t step(int k)
{
	return base_us - (int64_t)k * 2 * STEP_US;
}

static const char *iso(int64_t us)
{
	static char at[4][40];
	static int k;

	k = (k + 1) % 4;
	time_format_iso(us, at[k], sizeof(at[k]));
	return at[k];
}

/* goldwatch-evaluate --rule id --now=at [extra]; its output into out (a
 * file in the stack's log/, "" for the suite's). Exit status. */
static int evaluate_rule_at(long long id, int64_t at_us, const char *extra, const char *out)
{
	return test_system("'%s/goldwatch-evaluate' --rule %lld --now=%s %s >>'%s/log/%s' 2>&1",
	    test_env("GW_TEST_BIN"), id, iso(at_us), extra, test_env("GW_TEST_STACK"),
	    *out ? out : "slots-tests.log");
}

static int evaluate_at(int64_t at_us, const char *extra, const char *out)
{
	return evaluate_rule_at(rule_id, at_us, extra, out);
}

static long long slot_rows(int64_t slot_us, const char *where)
{
	char *sql = xasprintf("SELECT count(*) FROM job_slots WHERE job = 'evaluate'"
	    " AND slot = $1::timestamptz %s", where);
	long long n = SQL_INT(sql, iso(slot_us));

	free(sql);
	return n;
}

static long long samples_in(int64_t slot_us)
{
	return SQL_INT("SELECT count(*) FROM kpi_samples WHERE kpi_key = '" KPI "'"
	    " AND sampled_at >= $1::timestamptz AND sampled_at < $1::timestamptz + interval '5 min'",
	    iso(slot_us));
}

/* The KPI and the two rules, made by the first case (make_rule asserts). */
static void ensure_rules(void)
{
	if (rule_id != 0)
		return;
	/* its value is the evaluation's moment (epoch seconds): which run
	 * wrote the step's sample shows in it */
	test_exec("INSERT INTO kpis (key, name, category, source, query) VALUES ('" KPI "',"
	    " 'The moment', 'operational', 'sql',"
	    " 'SELECT extract(epoch FROM $1::timestamptz)::float8 AS value')", 0, NULL);
	rule_id = make_rule("{\"name\":\"slot runs\",\"kpi\":\"" KPI "\",\"condition\":\"gte\","
	    "\"threshold\":0,\"severity\":\"info\"}");
	count_rule = make_rule("{\"name\":\"slot pending\",\"kpi\":\"" KPI "\","
	    "\"condition\":\"gte\",\"threshold\":0,\"severity\":\"info\",\"for_evaluations\":2}");
}

static int init(void)
{
	int64_t now = time_now_us() - 2 * INT64_C(86400000000);

	base_us = now - now % STEP_US;
	return 0;
}

/* Our rules and KPI go (outside a test: no assertions, errors said). */
static int clean(void)
{
	PGresult *r;
	char *sql;

	if (rule_id == 0)
		return 0;
	sql = xasprintf("DELETE FROM alert_rules WHERE id IN (%lld, %lld);"
	    " UPDATE kpis SET deleted_at = now() WHERE key = '" KPI "'", rule_id, count_rule);
	r = PQexec(test_db(), sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "slots: clean-up: %s", PQerrorMessage(test_db()));
	PQclear(r);
	free(sql);
	return 0;
}

/* Four timers of one slot at once: one run does the work, three exit 0. */
static void t_one_run_per_slot(void)
{
	int64_t s = step(1);
	char *out;
	int worked = 0, taken = 0, zero = 0;

	ensure_rules();

	CU_ASSERT_EQUAL(test_system("cd '%s/log' && rm -f slot-race-*.log && for i in 1 2 3 4; do"
	    " ( '%s/goldwatch-evaluate' --slot --rule %lld --now=%s > slot-race-$i.log 2>&1;"
	    "   echo \"exit $?\" >> slot-race-$i.log ) & done; wait",
	    test_env("GW_TEST_STACK"), test_env("GW_TEST_BIN"), rule_id, iso(s + 60000000)), 0);
	for (int i = 1; i <= 4; i++) {
		char *path = xasprintf("%s/log/slot-race-%d.log", test_env("GW_TEST_STACK"), i);
		out = test_read_file(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		worked += strstr(out, "evaluated 1 rules") != NULL;
		taken += strstr(out, "was taken") != NULL;
		zero += strstr(out, "exit 0") != NULL;
		free(out);
		free(path);
	}
	CU_ASSERT_EQUAL(worked, 1);
	CU_ASSERT_EQUAL(taken, 3);
	CU_ASSERT_EQUAL(zero, 4);
	CU_ASSERT_EQUAL(slot_rows(s, "AND finished_at IS NOT NULL AND ok"), 1);
	CU_ASSERT_EQUAL(samples_in(s), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'kpi.sampled'"
	    " AND data->>'kpi' = '" KPI "' AND (data->>'at')::timestamptz = $1::timestamptz",
	    iso(s + 60000000)), 1);
	/* a fifth, later in the slot: taken too */
	CU_ASSERT_EQUAL(evaluate_at(s + 120000000, "--slot", "slot-late.log"), 0);
	out = xasprintf("%s/log/slot-late.log", test_env("GW_TEST_STACK"));
	{
		char *text = test_read_file(out);
		CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "finished") : NULL);
		free(text);
	}
	free(out);
	CU_ASSERT_EQUAL(samples_in(s), 1);
}

/* A run that died left its slot unfinished: the next run of it takes over. */
static void t_takeover(void)
{
	int64_t s = step(2);

	ensure_rules();

	test_exec("INSERT INTO job_slots (job, slot, host, pid) VALUES ('evaluate', $1::timestamptz,"
	    " 'gone', 1)", 1, (const char *[]){iso(s)});
	CU_ASSERT_EQUAL(evaluate_at(s + 30000000, "--slot", ""), 0);
	CU_ASSERT_EQUAL(slot_rows(s, "AND finished_at IS NOT NULL AND ok AND takeovers = 1"
	    " AND host <> 'gone'"), 1);
	CU_ASSERT_EQUAL(samples_in(s), 1);
}

/* A run of the job still going (its lock held) keeps the slot. */
static void t_run_still_going(void)
{
	int64_t s = step(3);
	char *path = xasprintf("%s/log/slot-busy.log", test_env("GW_TEST_STACK")), *out;

	ensure_rules();

	test_exec("SELECT pg_advisory_lock(1735355493, hashtext('evaluate'))", 0, NULL);
	CU_ASSERT_EQUAL(evaluate_at(s + 30000000, "--slot", "slot-busy.log"), 0);
	test_exec("SELECT pg_advisory_unlock(1735355493, hashtext('evaluate'))", 0, NULL);
	out = test_read_file(path);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "was taken") : NULL);
	free(out);
	free(path);
	CU_ASSERT_EQUAL(slot_rows(s, ""), 0);
	CU_ASSERT_EQUAL(samples_in(s), 0);
	/* once it ended, the slot runs */
	CU_ASSERT_EQUAL(evaluate_at(s + 40000000, "--slot", ""), 0);
	CU_ASSERT_EQUAL(slot_rows(s, "AND ok"), 1);
}

/*
 * Without --slot (by hand, the API's evaluate) an evaluation runs, but an
 * sql KPI keeps one sample per step, the latest run's, and
 * for_evaluations=2 fires at the second step, not the second run.
 */
static void t_one_count_per_step(void)
{
	int64_t s = step(5), n = step(4);

	ensure_rules();

	CU_ASSERT_EQUAL(evaluate_rule_at(count_rule, s + 10000000, "", ""), 0);
	CU_ASSERT_EQUAL(evaluate_rule_at(count_rule, s + 130000000, "", ""), 0);
	/* an earlier moment after a later one leaves the later's value */
	CU_ASSERT_EQUAL(evaluate_rule_at(count_rule, s + 70000000, "", ""), 0);
	CU_ASSERT_EQUAL(samples_in(s), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT value::bigint FROM kpi_samples WHERE kpi_key = '" KPI "'"
	    " AND slot = $1::timestamptz", iso(s)), s / 1000000 + 130);
	CU_ASSERT_EQUAL(SQL_INT("SELECT consecutive FROM rule_state WHERE rule_id = $1::bigint",
	    lli(count_rule)), 1);
	CU_ASSERT_EQUAL(alerts_of(count_rule, NULL), 0);
	/* the next step is the second moment: it fires */
	CU_ASSERT_EQUAL(evaluate_rule_at(count_rule, n + 10000000, "", ""), 0);
	CU_ASSERT_EQUAL(alerts_of(count_rule, "firing"), 1);
}

void suite_slots(void)
{
	static const struct test_case cases[] = {
		{"four timers of one slot: one run does the work", t_one_run_per_slot},
		{"a slot whose run died is taken over", t_takeover},
		{"a run still going keeps the slot", t_run_still_going},
		{"an sql KPI: one sample and one count per step", t_one_count_per_step},
		{NULL, NULL},
	};
	test_add_suite("slots", init, clean, cases);
}
