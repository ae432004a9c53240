/*
 * test_jobs.c - the timer jobs over simulated time (--now): escalation
 * levels, two escalators at once, cleanup retention and batching on large
 * tables while the API answers, the digest per recipient and never twice
 * a day, and each job killed with SIGKILL mid-run then run again.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "migrate.h"
#include "util.h"

/* Runs a job binary with args (and env); returns its exit status. */
static int run_job(const char *job, const char *env, const char *args)
{
	return test_system("%s '%s/goldwatch-%s' %s >>'%s/log/jobs-tests.log' 2>&1",
	    env ? env : "", test_env("GW_TEST_BIN"), job, args, test_env("GW_TEST_STACK"));
}

/* --now=<us> */
static char *now_at(int64_t us)
{
	char at[40];
	time_format_iso(us, at, sizeof(at));
	return xasprintf("--now=%s", at);
}

/* --now=<now + minutes> */
static char *now_plus(int minutes)
{
	return now_at(time_now_us() + (int64_t)minutes * 60000000);
}

static long long level_of(long long alert)
{
	char a[24];
	snprintf(a, sizeof(a), "%lld", alert);
	return SQL_INT("SELECT escalation_level FROM alerts WHERE id = $1::bigint", a);
}

static long long escalation_mails(long long alert)
{
	char a[24];
	snprintf(a, sizeof(a), "%lld", alert);
	return SQL_INT("SELECT count(*) FROM mail_outbox WHERE alert_id = $1::bigint"
	    " AND kind = 'escalated'", a);
}

static void t_escalation_levels(void)
{
	long long rule, alert, acked_rule, acked;
	struct http_resp r;
	char *at, body[128], a[24];

	make_push_kpi("t_escal", 0);
	push_value("t_escal", 10, 0);
	rule = make_simple_rule("escalate me", "t_escal", "gt", 5,
	    "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"boss@shop.example\","
	    "\"owner@shop.example\"]}");
	acked_rule = make_simple_rule("acked in time", "t_escal", "gt", 5,
	    "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"boss@shop.example\"]}");
	r = evaluate_rule(rule);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	r = evaluate_rule(acked_rule);
	acked = jint(&r, "fired.0.id");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", acked);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	http_free(&r);

	/* not yet due */
	at = now_plus(5);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(level_of(alert), 0);
	/* level 1 after 10 minutes: one event, a mail per escalation recipient */
	at = now_plus(11);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	CU_ASSERT_EQUAL(level_of(alert), 1);
	CU_ASSERT_EQUAL(escalation_mails(alert), 2);
	/* the job queued them; the stack's delivery service sends them at once */
	snprintf(a, sizeof(a), "%lld", alert);
	for (int i = 0; i < 200 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE alert_id ="
	    " $1::bigint AND kind = 'escalated' AND status = 'sent'", a) < 2; i++)
		test_sleep_ms(50);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE alert_id = $1::bigint"
	    " AND kind = 'escalated' AND status = 'sent' AND message_id IS NOT NULL", a), 2);
	/* the same moment again: nothing more */
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(level_of(alert), 1);
	CU_ASSERT_EQUAL(escalation_mails(alert), 2);
	/* two levels overdue: one step per run */
	at = now_plus(45);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(level_of(alert), 2);
	at = now_plus(46);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(level_of(alert), 3);
	/* the maximum (3 by default) holds */
	at = now_plus(120);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(level_of(alert), 3);
	CU_ASSERT_EQUAL(escalation_mails(alert), 6);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.escalated'"
	    " AND (data->>'id')::bigint = $1::bigint", a), 3);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(DISTINCT dedup_key) FROM mail_outbox WHERE"
	    " alert_id = $1::bigint AND kind = 'escalated'", a), 6);
	/* an acknowledged alert is not escalated */
	CU_ASSERT_EQUAL(level_of(acked), 0);
	CU_ASSERT_EQUAL(escalation_mails(acked), 0);
	/* a configured maximum of 1 stops there */
	CU_ASSERT_EQUAL(run_job("escalate", "GOLDWATCH_ESCALATION_MAX_LEVEL=1", "--now=2099-01-01T00:00:00Z"), 0);
	CU_ASSERT_EQUAL(level_of(alert), 3);
}

/* Fires n alerts on a fresh KPI whose rules escalate after 1 minute. */
static void fire_escalating(const char *kpi, int n, char first[24], char last[24])
{
	char sn[24];

	make_push_kpi(kpi, 0);
	push_value(kpi, 10, 0);
	snprintf(sn, sizeof(sn), "%d", n);
	test_exec("WITH r AS (INSERT INTO alert_rules (name, kpi_key, condition, threshold,"
	    " severity, escalation_after_minutes, escalation_recipients)"
	    " SELECT $1 || ' ' || g, $1, 'gt', 5, 'critical', 1,"
	    " '{boss@shop.example,owner@shop.example}' FROM generate_series(1, $2::int) g"
	    " RETURNING id) INSERT INTO rule_state (rule_id) SELECT id FROM r", 2, TP(kpi, sn));
	snprintf(first, 24, "%lld", SQL_INT("SELECT min(id) FROM alert_rules WHERE kpi_key = $1", kpi));
	snprintf(last, 24, "%lld", SQL_INT("SELECT max(id) FROM alert_rules WHERE kpi_key = $1", kpi));
	{
		char *args = xasprintf("--rule %s", first);
		/* evaluate every rule of the KPI: by id range via SQL-listed args */
		char *ids = test_sql_str("SELECT string_agg('--rule ' || id, ' ') FROM alert_rules"
		    " WHERE kpi_key = $1", 1, TP(kpi));
		CU_ASSERT_EQUAL(run_evaluate(NULL, ids), 0);
		free(ids);
		free(args);
	}
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE kpi_key = $1 AND state = 'firing'",
	    kpi), n);
}

/* escalation mails of the alerts of kpi, and alerts at level 1 */
static void check_escalated_once(const char *kpi, long long want)
{
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE kpi_key = $1"
	    " AND escalation_level = 1", kpi), want);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox m JOIN alerts a ON a.id = m.alert_id"
	    " WHERE a.kpi_key = $1 AND m.kind = 'escalated'", kpi), 2 * want);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events e JOIN alerts a"
	    " ON a.id = (e.data->>'id')::bigint WHERE a.kpi_key = $1 AND e.type = 'alert.escalated'",
	    kpi), want);
	/* no level without its event and mails, nor the reverse */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts a WHERE a.kpi_key = $1 AND"
	    " a.escalation_level = 0 AND EXISTS (SELECT 1 FROM mail_outbox m WHERE m.alert_id = a.id"
	    " AND m.kind = 'escalated')", kpi), 0);
}

static void t_two_escalators(void)
{
	char first[24], last[24], *at;
	pid_t p[2];

	fire_escalating("t_esc_race", 60, first, last);
	at = now_plus(5);
	for (int i = 0; i < 2; i++) {
		p[i] = fork();
		if (p[i] == 0)
			_exit(run_job("escalate", NULL, at));
	}
	for (int i = 0; i < 2; i++) {
		int st;
		waitpid(p[i], &st, 0);
		CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	free(at);
	check_escalated_once("t_esc_race", 60);
}

static pid_t spawn_job(const char *job, const char *env_kv, const char *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *bin = xasprintf("%s/goldwatch-%s", test_env("GW_TEST_BIN"), job);
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		if (env_kv)
			putenv((char *)env_kv);
		execl(bin, bin, arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Kills pid with SIGKILL as soon as sql (a count) is above 0. */
static long long kill_when(pid_t pid, const char *sql, const char *param)
{
	long long got = 0;
	int st;

	for (int i = 0; i < 5000 && got == 0; i++) {
		got = test_sql_int(sql, 1, TP(param));
		if (got == 0)
			test_sleep_ms(2);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return test_sql_int(sql, 1, TP(param));
}

/* The pid of the backend blocked by backend blocker, once there is one (else 0). */
static long long wait_blocked_by(int blocker)
{
	char b[24];
	long long pid = 0;

	snprintf(b, sizeof(b), "%d", blocker);
	for (int i = 0; i < 5000 && pid == 0; i++) {
		pid = SQL_INT("SELECT COALESCE(max(pid), 0) FROM pg_stat_activity"
		    " WHERE $1::int = ANY (pg_blocking_pids(pid))", b);
		if (pid == 0)
			test_sleep_ms(2);
	}
	return pid;
}

/*
 * The escalation job when its first outbox statement fails (the test holds
 * the table locked and cancels the job's statement once it waits there):
 * a clean exit 1, nothing escalated, and nothing uninitialised read on the
 * way out. Valgrind sees the last (the result freed before the run filled
 * it); a sanitizer build (valgrind cannot run those) runs the job as it
 * is, ASan sees wild frees. Cancelled by the test, not by a statement
 * timeout: the server's timeouts do not fire under a moved clock
 * (tests/clock.sh).
 */
static void t_escalate_outbox_fails(void)
{
	char *at = now_plus(120), *cmd;
	const char *bin = test_env("GW_TEST_BIN");
	long long before = SQL_INT0("SELECT count(*) FROM events WHERE type = 'alert.escalated'");
	int sanitized = test_system("grep -q -a __asan_init '%s/goldwatch-escalate'", bin) == 0;
	long long backend;
	char bpid[24];
	PGconn *hold;
	pid_t pid;
	int st;

	hold = PQconnectdb(test_env("DATABASE_URL"));
	CU_ASSERT_EQUAL_FATAL(PQstatus(hold), CONNECTION_OK);
	/* the only backend to wait on the lock must be the job's */
	CU_ASSERT_EQUAL(test_stack("mailer-stop"), 0);
	PQclear(PQexec(hold, "BEGIN"));
	PQclear(PQexec(hold, "LOCK TABLE goldwatch.notices IN ACCESS EXCLUSIVE MODE"));
	cmd = xasprintf("%s '%s/goldwatch-escalate' %s >>'%s/log/jobs-tests.log' 2>&1",
	    sanitized ? "" : "valgrind -q --error-exitcode=99", bin, at, test_env("GW_TEST_STACK"));
	pid = fork();
	if (pid == 0)
		_exit(test_system("%s", cmd));
	backend = wait_blocked_by(PQbackendPID(hold));
	CU_ASSERT_TRUE(backend > 0);
	snprintf(bpid, sizeof(bpid), "%lld", backend);
	CU_ASSERT_EQUAL(SQL_INT("SELECT pg_cancel_backend($1::int)::int", bpid), 1);
	waitpid(pid, &st, 0);
	PQclear(PQexec(hold, "ROLLBACK"));
	PQfinish(hold);
	CU_ASSERT_EQUAL(test_stack("mailer-start"), 0);
	free(cmd);
	free(at);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM events WHERE type = 'alert.escalated'"),
	    before);
}

/* Waits until backend pid has ended (its transaction rolled back). */
static void wait_backend_gone(long long pid)
{
	char p[24];

	snprintf(p, sizeof(p), "%lld", pid);
	for (int i = 0; i < 500 && SQL_INT("SELECT count(*) FROM pg_stat_activity"
	    " WHERE pid = $1::int", p) > 0; i++)
		test_sleep_ms(20);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", p), 0);
}

/*
 * Escalation killed at a point the test chooses, not when a poll happens
 * to see a count: a transaction of the test holds the contact point the
 * 250th alert's escalation notice goes to (the one its rule's escalation
 * owns) locked. The job commits its batches before that alert's, then
 * waits inside that batch on the test's lock, and is killed while it waits. Whatever the
 * batches before held, the killed one is undone whole.
 */
/* enough alerts for several batches (ESCALATE_BATCH 100) on both sides */
#define KILL_ALERTS 500
#define KILL_BLOCKED_AT 250
#define KILL_BLOCKED_S "250"

static void t_escalate_killed(void)
{
	char first[24], last[24], blocked[24], *at;
	long long got, backend;
	PGconn *hold;
	PGresult *r;
	pid_t pid;
	int st;

	fire_escalating("t_esc_kill", KILL_ALERTS, first, last);
	snprintf(blocked, sizeof(blocked), "%lld", SQL_INT("SELECT id FROM alerts"
	    " WHERE kpi_key = $1 ORDER BY id OFFSET $2::int - 1 LIMIT 1", "t_esc_kill", KILL_BLOCKED_S));
	hold = PQconnectdb(test_env("DATABASE_URL"));
	CU_ASSERT_EQUAL_FATAL(PQstatus(hold), CONNECTION_OK);
	PQclear(PQexec(hold, "BEGIN"));
	r = PQexecParams(hold, "SELECT c.id FROM goldwatch.contact_points c JOIN goldwatch.alerts a"
	    " ON a.rule_id = c.owner_rule_id WHERE a.id = $1::bigint FOR UPDATE OF c", 1, NULL,
	    TP(blocked), NULL, NULL, 0);
	CU_ASSERT_EQUAL(PQntuples(r), 1);
	PQclear(r);

	at = now_plus(5);
	pid = spawn_job("escalate", NULL, at);
	backend = wait_blocked_by(PQbackendPID(hold));
	CU_ASSERT_TRUE(backend > 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	PQclear(PQexec(hold, "ROLLBACK"));
	PQfinish(hold);
	/* the killed job's server side ends and rolls its batch back */
	if (backend > 0)
		wait_backend_gone(backend);

	got = SQL_INT("SELECT count(*) FROM alerts WHERE kpi_key = $1 AND escalation_level = 1",
	    "t_esc_kill");
	fprintf(stderr, "\n    escalate killed with %lld of %d escalated\n", got, KILL_ALERTS);
	/* batches before the blocked one committed; it and all after did not */
	CU_ASSERT_TRUE(got > 0 && got < KILL_BLOCKED_AT);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE kpi_key = $1"
	    " AND escalation_level > 0 AND id >= $2::bigint", "t_esc_kill", blocked), 0);
	check_escalated_once("t_esc_kill", got);
	CU_ASSERT_EQUAL(run_job("escalate", NULL, at), 0);
	check_escalated_once("t_esc_kill", KILL_ALERTS);
	free(at);
	test_exec("UPDATE alert_rules SET enabled = false, escalation_after_minutes = NULL"
	    " WHERE kpi_key IN ('t_esc_kill', 't_esc_race')", 0, NULL);
	/* their 3,000 escalation mails are not what the cases after test: the
	 * stack's delivery service need not spend the next minute on them */
	test_exec("DELETE FROM mail_outbox m USING alerts a WHERE a.id = m.alert_id"
	    " AND a.kpi_key IN ('t_esc_kill', 't_esc_race') AND m.status = 'queued'", 0, NULL);
}

/* Keeps asking the API while cleanup runs; records the slowest answer. */
struct poller {
	volatile int stop;
	int requests, failures;
	int64_t worst_us;
};

static void *poll_api(void *arg)
{
	struct poller *p = arg;
	const char *tok = fixture_users()->viewer;

	while (!p->stop) {
		int64_t t = time_mono_us();
		struct http_resp r = api("GET", "/api/alerts/summary", tok, NULL);
		int64_t d = time_mono_us() - t;
		if (r.status != 200)
			p->failures++;
		if (d > p->worst_us)
			p->worst_us = d;
		p->requests++;
		http_free(&r);
		test_sleep_ms(5);
	}
	return NULL;
}

static void t_cleanup_large(void)
{
	struct poller p = {0};
	pthread_t th;
	pid_t pid;
	int st;
	long long open_old;

	fixture_users();
	make_push_kpi("t_clean", 0);
	/* 60,000 samples and 20,000 resolved alerts past retention (30 and 10
	 * batches of 2,000), plus what must stay */
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " SELECT 't_clean', g, now() - interval '200 days' + g * interval '1 second', 'push'"
	    " FROM generate_series(1, 60000) g", 0, NULL);
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " VALUES ('t_clean', 1, now() - interval '10 days', 'push')", 0, NULL);
	test_exec("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value, severity,"
	    " state, message, triggered_at, resolved_at)"
	    " SELECT 'old', 't_clean', 'gt', 1, 2, 'info', 'resolved', 'old',"
	    " now() - interval '400 days', now() - interval '399 days' FROM generate_series(1, 20000)",
	    0, NULL);
	test_exec("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value, severity,"
	    " state, message, triggered_at) VALUES ('old but open', 't_clean', 'gt', 1, 2, 'warning',"
	    " 'firing', 'still open', now() - interval '500 days')", 0, NULL);
	test_exec("INSERT INTO events (type, at, data) SELECT 'kpi.sampled', now() - interval '40 days',"
	    " '{}' FROM generate_series(1, 20000)", 0, NULL);
	test_exec("INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, status,"
	    " created_at, sent_at) SELECT 'test', 'x@shop.example', 's', 't', 'h', 'sent',"
	    " now() - interval '40 days', now() - interval '40 days' FROM generate_series(1, 20000)",
	    0, NULL);
	open_old = SQL_INT0("SELECT id FROM alerts WHERE rule_name = 'old but open'");

	pthread_create(&th, NULL, poll_api, &p);
	test_sleep_ms(200);
	pid = spawn_job("cleanup", "GOLDWATCH_CLEANUP_BATCH=2000", "--json");
	waitpid(pid, &st, 0);
	test_sleep_ms(100);
	p.stop = 1;
	pthread_join(th, NULL);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fprintf(stderr, "\n    API during cleanup: %d requests, %d failed, slowest %.1f ms\n",
	    p.requests, p.failures, (double)p.worst_us / 1000.0);
	CU_ASSERT_EQUAL(p.failures, 0);
	CU_ASSERT_TRUE(p.requests > 5);
	/* a summary never waits long on the cleanup's short transactions */
	CU_ASSERT_TRUE(p.worst_us < 2000000);

	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpi_samples WHERE kpi_key = 't_clean'"), 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alerts WHERE rule_name = 'old'"), 0);
	{
		char id[24];
		snprintf(id, sizeof(id), "%lld", open_old);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE id = $1::bigint", id), 1);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM events WHERE at < now() - interval '30 days'"), 0);
	CU_ASSERT_TRUE(SQL_INT0("SELECT count(*) FROM events WHERE at > now() - interval '1 day'") > 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE status = 'sent'"
	    " AND created_at < now() - interval '30 days'"), 0);
	{
		char *job = test_sql_str("SELECT result::text FROM job_runs WHERE job = 'cleanup'", 0, NULL);
		CU_ASSERT_PTR_NOT_NULL(strstr(job, "\"alerts\": 20000"));
		CU_ASSERT_PTR_NOT_NULL(strstr(job, "\"samples\": 60000"));
		free(job);
	}
	/* the counters stay exact after deleting resolved history */
	t_summary_recheck();
}

static void t_cleanup_killed(void)
{
	long long left, before;

	make_push_kpi("t_clean_kill", 0);
	test_exec("INSERT INTO kpi_samples (kpi_key, value, sampled_at, source)"
	    " SELECT 't_clean_kill', g, now() - interval '200 days', 'push'"
	    " FROM generate_series(1, 200000) g", 0, NULL);
	before = SQL_INT0("SELECT count(*) FROM kpi_samples WHERE kpi_key = 't_clean_kill'");
	left = kill_when(spawn_job("cleanup", "GOLDWATCH_CLEANUP_BATCH=1000", "--json"),
	    "SELECT (SELECT 200000 - count(*) FROM kpi_samples WHERE kpi_key = $1)", "t_clean_kill");
	fprintf(stderr, "\n    cleanup killed after removing %lld of %lld\n", left, before);
	/* whole batches or nothing: the count is a multiple of the batch */
	CU_ASSERT_EQUAL(left % 1000, 0);
	CU_ASSERT_EQUAL(run_job("cleanup", NULL, ""), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpi_samples WHERE kpi_key = 't_clean_kill'"), 0);
}

static char *digest_body(const char *rcpt)
{
	return test_sql_str("SELECT body_text FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = $1 ORDER BY id DESC LIMIT 1", 1, TP(rcpt));
}

static void t_digest(void)
{
	long long a_rule, b_rule;
	struct http_resp r;
	char *body;
	long long before;
	int64_t t0;
	char *at;

	make_push_kpi("t_digest", 0);
	push_value("t_digest", 10, 0);
	a_rule = make_rule("{\"name\":\"Digest till\",\"kpi\":\"t_digest\",\"condition\":\"gt\","
	    "\"threshold\":5,\"severity\":\"critical\",\"recipients\":[\"anna@shop.example\"]}");
	b_rule = make_rule("{\"name\":\"Digest safe\",\"kpi\":\"t_digest\",\"condition\":\"gt\","
	    "\"threshold\":5,\"severity\":\"warning\",\"recipients\":[\"anna@shop.example\","
	    "\"bob@shop.example\"]}");
	make_rule("{\"name\":\"Digest quiet\",\"kpi\":\"t_digest\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"info\",\"recipients\":[\"quiet@shop.example\"]}");
	r = evaluate_rule(a_rule);
	http_free(&r);
	r = evaluate_rule(b_rule);
	http_free(&r);
	before = SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'");
	/* one moment for the runs of "today": the real clock may pass midnight */
	t0 = time_now_us();
	at = now_at(t0);
	CU_ASSERT_EQUAL(run_job("digest", NULL, at), 0);
	body = digest_body("anna@shop.example");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Digest till (critical): fired 1, open 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Digest safe (warning): fired 1, open 1"));
	free(body);
	body = digest_body("bob@shop.example");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Digest safe"));
	CU_ASSERT_PTR_NULL(strstr(body, "Digest till"));
	free(body);
	/* delivered by the stack's delivery service after the job's commit (it
	 * may first finish the mail the escalation cases above queued) */
	for (int i = 0; i < 600 && SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient IN ('anna@shop.example', 'bob@shop.example') AND status = 'sent'") < 2;
	    i++)
		test_sleep_ms(100);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient IN ('anna@shop.example', 'bob@shop.example') AND status = 'sent'"), 2);
	/* nothing to report: nothing sent */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = 'quiet@shop.example'"), 0);
	/* twice the same day: mailed once */
	CU_ASSERT_EQUAL(run_job("digest", NULL, at), 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = 'anna@shop.example'"), 1);
	CU_ASSERT_TRUE(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'") > before);
	/* the empty digest when configured */
	CU_ASSERT_EQUAL(run_job("digest", "GOLDWATCH_DIGEST_SEND_EMPTY=true", at), 0);
	body = digest_body("quiet@shop.example");
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "quiet day"));
	free(body);
	free(at);
	/* the next day is a new digest (25 hours on: the day may have 25) */
	at = now_at(t0 + INT64_C(25) * 3600 * 1000000);
	CU_ASSERT_EQUAL(run_job("digest", NULL, at), 0);
	free(at);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = 'anna@shop.example'"), 2);
	/* digest HTML escapes rule names */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND body_html LIKE '%<script>%'"), 0);
}

static void t_digest_killed(void)
{
	pid_t pid;
	int st;
	long long n;
	/* the digest's day is the shop's (2 June in Auckland) */
	char *day = test_shop_day("2099-06-01T12:00:00Z");
	char *key = xasprintf("digest:%s:%%", day);

	/* the digest is one transaction: killed, it queued nothing or everything */
	pid = spawn_job("digest", NULL, "--now=2099-06-01T12:00:00Z");
	test_sleep_ms(20);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	n = SQL_INT("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'"
	    " AND dedup_key LIKE $1", key);
	CU_ASSERT_TRUE(n == 0 || n == SQL_INT0("SELECT count(DISTINCT lower(x)) FROM alert_rules,"
	    " unnest(recipients) x WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.rule_id ="
	    " alert_rules.id AND a.state <> 'resolved')"));
	CU_ASSERT_EQUAL(run_job("digest", NULL, "--now=2099-06-01T12:00:00Z"), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) - count(DISTINCT dedup_key) FROM mail_outbox"
	    " WHERE dedup_key LIKE $1", key), 0);
	CU_ASSERT_TRUE(SQL_INT("SELECT count(*) FROM mail_outbox WHERE dedup_key LIKE $1", key) > 0);
	test_exec("DELETE FROM mail_outbox WHERE dedup_key LIKE 'digest:2099-%'", 0, NULL);
	free(key);
	free(day);
}

void suite_jobs(void)
{
	static const struct test_case cases[] = {
		{"escalation levels over simulated time", t_escalation_levels},
		{"two escalators at once mail each level once", t_two_escalators},
		{"escalate: a failing start exits 1 cleanly", t_escalate_outbox_fails},
		{"escalate killed mid-run, then run again", t_escalate_killed},
		{"cleanup: retention and batches while the API answers", t_cleanup_large},
		{"cleanup killed mid-run, then run again", t_cleanup_killed},
		{"digest per recipient, never twice a day", t_digest},
		{"digest killed mid-run, then run again", t_digest_killed},
		{NULL, NULL},
	};
	test_add_suite("jobs", NULL, NULL, cases);
}
