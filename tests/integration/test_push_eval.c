/*
 * test_push_eval.c - a pushed sample is evaluated in its own request:
 * the answer says what fired and resolved; a bad sample changes and
 * evaluates nothing; many pushes at once (and the timer among them) make
 * one alert; disabled rules are left alone; "evaluate":false only records.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

static struct http_resp post_sample(const char *kpi, const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", kpi);
	return api("POST", path, fixture_users()->operator_, body);
}

static long long count_of(const char *sql, long long id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", id);
	return SQL_INT(sql, s);
}

/* When the evaluate job last ran, or "never". */
static char *last_evaluate_run(void)
{
	return test_sql_str("SELECT coalesce((SELECT iso(started_at) FROM job_runs"
	    " WHERE job = 'evaluate'), 'never')", 0, NULL);
}

/* Breach: fired in the answer; clear: resolved in the answer; same alert. */
static void t_fires_and_resolves(void)
{
	long long rule, alert;
	struct http_resp r;
	char *before = last_evaluate_run(), *after;

	make_push_kpi("t_push_fire", 60);
	rule = make_simple_rule("push fire", "t_push_fire", "gt", 5, "\"cooldown_minutes\":0");
	r = post_sample("t_push_fire", "{\"value\":10}");
	EXPECT_STATUS(r, 201);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.fired")), 1);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.resolved")), 0);
	CU_ASSERT_EQUAL(jint(&r, "evaluation.fired.0.rule_id"), rule);
	EXPECT_JSTR(r, "evaluation.fired.0.state", "firing");
	alert = jint(&r, "evaluation.fired.0.id");
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 1);
	CU_ASSERT_EQUAL(fired_events_of(rule), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "fired"), 2);
	/* still breaching: nothing new */
	r = post_sample("t_push_fire", "{\"value\":11}");
	EXPECT_STATUS(r, 201);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.fired")), 0);
	http_free(&r);
	r = post_sample("t_push_fire", "{\"value\":1}");
	EXPECT_STATUS(r, 201);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.resolved")), 1);
	CU_ASSERT_EQUAL(jint(&r, "evaluation.resolved.0.id"), alert);
	EXPECT_JSTR(r, "evaluation.resolved.0.state", "resolved");
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 1);
	CU_ASSERT_EQUAL(alerts_of(rule, "resolved"), 1);
	/* the evaluation of a push is not a run of the evaluate job */
	after = last_evaluate_run();
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

/* A refused sample is not stored and evaluates nothing. */
static void t_bad_sample(void)
{
	static const char *const bodies[] = {"{\"value\":\"10\"}", "{\"value\":10,\"x\":1}",
	    "{\"value\":10,\"evaluate\":\"yes\"}", "{\"value\":10,\"at\":\"2099-01-01T00:00:00Z\"}",
	    "{}"};
	long long rule, samples;
	char sid[24];

	make_push_kpi("t_push_bad", 60);
	rule = make_simple_rule("push bad", "t_push_bad", "gt", 5, "");
	snprintf(sid, sizeof(sid), "%lld", rule);
	samples = SQL_INT0("SELECT count(*) FROM kpi_samples WHERE kpi_key = 't_push_bad'");
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct http_resp r = post_sample("t_push_bad", bodies[i]);
		CU_ASSERT_TRUE(r.status == 400 || r.status == 422);
		CU_ASSERT_PTR_NULL(jget(r.json, "evaluation"));
		http_free(&r);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpi_samples WHERE kpi_key = 't_push_bad'"),
	    samples);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM rule_state WHERE rule_id = $1::bigint"
	    " AND last_evaluated_at IS NULL AND consecutive = 0", sid), 1);
}

/* "evaluate":false records only; the timer evaluates the value later. */
static void t_record_only(void)
{
	long long rule;
	struct http_resp r;
	char args[64];

	make_push_kpi("t_push_quiet", 60);
	rule = make_simple_rule("push quiet", "t_push_quiet", "gt", 5, "");
	r = post_sample("t_push_quiet", "{\"value\":10,\"evaluate\":false}");
	EXPECT_STATUS(r, 201);
	CU_ASSERT_PTR_NULL(jget(r.json, "evaluation"));
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 0);
	snprintf(args, sizeof(args), "--rule %lld", rule);
	CU_ASSERT_EQUAL(run_evaluate(NULL, args), 0);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 1);
}

/* Only the enabled rules on the pushed KPI are evaluated. */
static void t_disabled_not_evaluated(void)
{
	long long on, off, other;
	struct http_resp r;

	make_push_kpi("t_push_dis", 60);
	make_push_kpi("t_push_other", 60);
	push_value("t_push_other", 10, 0);
	on = make_simple_rule("push enabled", "t_push_dis", "gt", 5, "");
	off = make_simple_rule("push disabled", "t_push_dis", "gt", 5, "\"enabled\":false");
	other = make_simple_rule("push other kpi", "t_push_other", "gt", 5, "");
	r = post_sample("t_push_dis", "{\"value\":10}");
	EXPECT_STATUS(r, 201);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.fired")), 1);
	CU_ASSERT_EQUAL(jint(&r, "evaluation.fired.0.rule_id"), on);
	http_free(&r);
	CU_ASSERT_EQUAL(alerts_of(on, NULL), 1);
	CU_ASSERT_EQUAL(alerts_of(off, NULL), 0);
	CU_ASSERT_EQUAL(alerts_of(other, NULL), 0);
	CU_ASSERT_EQUAL(count_of("SELECT count(*) FROM rule_state WHERE rule_id = $1::bigint"
	    " AND last_evaluated_at IS NULL", off), 1);
}

struct pusher_arg {
	long status;
	int fired;
};

static void *push_breach(void *arg)
{
	struct pusher_arg *a = arg;
	struct http_resp r = post_sample("t_push_race", "{\"value\":10}");

	a->status = r.status;
	a->fired = (int)json_array_size(jget(r.json, "evaluation.fired"));
	http_free(&r);
	return NULL;
}

/*
 * PUSHERS breaching pushes at once on a new rule, with timers runs of
 * goldwatch-evaluate among them: one alert, fired by one of them; the
 * number the pushes' answers say they fired.
 */
static int race(const char *name, int timers)
{
	enum { PUSHERS = 16 };
	struct pusher_arg args[PUSHERS] = {{0}};
	pthread_t th[PUSHERS];
	pid_t pids[8];
	long long rule = make_simple_rule(name, "t_push_race", "gt", 5, "");
	int fired = 0;
	char *cmd = xasprintf("exec '%s/goldwatch-evaluate' --rule %lld >/dev/null 2>&1",
	    test_env("GW_TEST_BIN"), rule);

	for (int i = 0; i < PUSHERS; i++)
		pthread_create(&th[i], NULL, push_breach, &args[i]);
	for (int i = 0; i < timers; i++) {
		if ((pids[i] = fork()) == 0) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < PUSHERS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(args[i].status, 201);
		fired += args[i].fired;
	}
	for (int i = 0; i < timers; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	free(cmd);
	CU_ASSERT_EQUAL(alerts_of(rule, NULL), 1);
	CU_ASSERT_EQUAL(fired_events_of(rule), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "fired"), 2);
	/* out of the next race's way */
	{
		char sid[24];
		snprintf(sid, sizeof(sid), "%lld", rule);
		test_exec("UPDATE alert_rules SET enabled = false WHERE id = $1::bigint", 1, TP(sid));
	}
	return fired;
}

static void t_concurrent_pushes(void)
{
	make_push_kpi("t_push_race", 60);
	/* the pushes alone: one of them fired it, and said so */
	CU_ASSERT_EQUAL(race("push race", 0), 1);
	/* with the timer among them: one alert still, fired by a push or a timer */
	CU_ASSERT_TRUE(race("push race with timers", 4) <= 1);
}

void suite_push_eval(void)
{
	static const struct test_case cases[] = {
		{"a push fires and resolves in its own answer", t_fires_and_resolves},
		{"a bad sample is not stored and evaluates nothing", t_bad_sample},
		{"evaluate false only records the value", t_record_only},
		{"disabled rules and other KPIs are not evaluated", t_disabled_not_evaluated},
		{"16 pushes at once, and with 4 timers, make one alert", t_concurrent_pushes},
		{NULL, NULL},
	};
	test_add_suite("push_eval", NULL, NULL, cases);
}
