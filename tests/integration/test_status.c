/*
 * test_status.c - GET /api/status after known actions: an evaluation run
 * at a fixed moment (and one an hour before it: overdue), a cleanup that
 * fails because the database refuses its DELETE (a trigger raises),
 * a mail the SMTP server refuses for good (dead in the last hour), the
 * stack's pusher beating; the database's schema version against the
 * migrations on disk; and who may read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

static struct http_resp status_as(const char *token)
{
	return api("GET", "/api/status", token, NULL);
}

/* The admin's GET /api/status (200 asserted); caller frees. */
static struct http_resp status_ok(void)
{
	struct http_resp r = status_as(fixture_users()->admin);

	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.json);
	return r;
}

static json_t *job_of(const struct http_resp *r, const char *name)
{
	json_t *j;
	size_t i;

	json_array_foreach(jget(r->json, "jobs"), i, j)
		if (strcmp(json_string_value(json_object_get(j, "name")), name) == 0)
			return j;
	return NULL;
}

static const char *s_of(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "(none)";
}

/* The moment now + offset_s as ISO 8601 UTC (whole seconds) into out. */
static void moment(int64_t offset_s, char *out, size_t len)
{
	time_format_iso((time_now_us() / 1000000 + offset_s) * 1000000, out, len);
}

static int run_job(const char *job, const char *env, const char *args)
{
	return test_system("%s '%s/goldwatch-%s' %s >>'%s/log/status-tests.log' 2>&1",
	    env ? env : "", test_env("GW_TEST_BIN"), job, args, test_env("GW_TEST_STACK"));
}

static void t_roles(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r;

	r = status_as(NULL);
	EXPECT_ERROR(r, 401, "unauthorized");
	http_free(&r);
	r = status_as(u->viewer);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = status_as(u->operator_);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = status_ok();
	CU_ASSERT_TRUE(json_is_array(jget(r.json, "jobs")));
	CU_ASSERT_TRUE(json_is_object(jget(r.json, "deliveries")));
	CU_ASSERT_TRUE(json_is_array(jget(r.json, "pusher")));
	CU_ASSERT_TRUE(json_is_object(jget(r.json, "database")));
	CU_ASSERT_TRUE(json_is_array(jget(r.json, "system_alerts")));
	/* the mailer is a service of its own: it records no runs, so it is not listed */
	CU_ASSERT_PTR_NULL(job_of(&r, "mailer"));
	CU_ASSERT_PTR_NOT_NULL(job_of(&r, "evaluate"));
	http_free(&r);
}

/*
 * Runs goldwatch-evaluate at now + offset_s (into iso); the status after
 * it. --rule names no rule: the run is recorded like any, and fires
 * nothing of what the other suites left behind at this real moment.
 */
static struct http_resp evaluate_at(int64_t offset_s, char *iso, size_t len)
{
	char arg[96];

	moment(offset_s, iso, len);
	snprintf(arg, sizeof(arg), "--now=%s --rule 9000000000000000000", iso);
	CU_ASSERT_EQUAL(run_job("evaluate", NULL, arg), 0);
	return status_ok();
}

/* An evaluation at a fixed moment is the job's last run, ok; one an hour
 * before now is overdue (it runs every 5 minutes). */
static void t_job_run_and_overdue(void)
{
	char now[40], then[40];
	struct http_resp r = evaluate_at(-3600, then, sizeof(then));
	json_t *j = job_of(&r, "evaluate");

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(s_of(j, "state"), "overdue");
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "overdue")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "ok")));
	http_free(&r);

	r = evaluate_at(0, now, sizeof(now));
	j = job_of(&r, "evaluate");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(s_of(j, "state"), "ok");
	CU_ASSERT_TRUE(json_is_false(json_object_get(j, "overdue")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "ok")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(j, "error")));
	/* started_at is the run's --now; last_success_at the same run */
	CU_ASSERT_EQUAL(strncmp(s_of(j, "started_at"), now, 19), 0);
	CU_ASSERT_STRING_EQUAL(s_of(j, "last_success_at"), s_of(j, "started_at"));
	CU_ASSERT_TRUE(json_is_number(json_object_get(j, "duration_ms")));
	CU_ASSERT_TRUE(json_number_value(json_object_get(j, "duration_ms")) >= 0);
	CU_ASSERT_TRUE(json_is_object(json_object_get(j, "result")));
	CU_ASSERT_STRING_EQUAL(s_of(j, "schedule"), "every 5 minutes");
	http_free(&r);
}

/*
 * A cleanup whose DELETE the database refuses fails for real: the status
 * shows the failed run and its error, and when the last good run was
 * (kept from before).
 */
static void t_failed_job(void)
{
	/* a moment long past: its retention deletes nothing the other suites made */
	const char *arg = "--now=2020-01-01T03:30:00Z";
	char *before;
	struct http_resp r;
	json_t *j;
	int rc;

	/* a good run first, whose moment the failed one must not erase */
	CU_ASSERT_EQUAL_FATAL(run_job("cleanup", NULL, arg), 0);
	before = test_sql_str("SELECT iso(last_success_at) FROM job_runs WHERE job = 'cleanup'",
	    0, NULL);
	/* the database refuses the cleanup's first DELETE (not a lock held past
	 * a statement timeout: under the clock variants' libfaketime,
	 * PostgreSQL's timeouts never fire) */
	test_exec("CREATE FUNCTION status_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
	    " $$BEGIN RAISE EXCEPTION 'status test: no deleting alerts now'; END$$", 0, NULL);
	test_exec("CREATE TRIGGER status_test_refuse BEFORE DELETE ON alerts"
	    " FOR EACH STATEMENT EXECUTE FUNCTION status_test_refuse()", 0, NULL);
	rc = run_job("cleanup", NULL, arg);
	test_exec("DROP TRIGGER status_test_refuse ON alerts", 0, NULL);
	test_exec("DROP FUNCTION status_test_refuse()", 0, NULL);
	CU_ASSERT_EQUAL(rc, 1);
	r = status_ok();
	j = job_of(&r, "cleanup");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(s_of(j, "state"), "failed");
	CU_ASSERT_TRUE(json_is_false(json_object_get(j, "ok")));
	/* what failed, and why: the error line the run logged */
	CU_ASSERT_EQUAL(strncmp(s_of(j, "error"), "cleanup failed: ", 16), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s_of(j, "error"), "no deleting alerts now"));
	CU_ASSERT_STRING_EQUAL(s_of(j, "last_success_at"), before);
	CU_ASSERT_STRING_EQUAL(s_of(j, "schedule"), "daily at 03:30");
	http_free(&r);
	free(before);
}

static json_int_t email_dead(void)
{
	struct http_resp r = status_ok();
	json_int_t n = jint(&r, "deliveries.email.dead_last_hour");

	CU_ASSERT_TRUE(jget(r.json, "deliveries.email.queued") != NULL);
	CU_ASSERT_TRUE(jget(r.json, "deliveries.email.oldest_due_age_s") != NULL);
	http_free(&r);
	return n;
}

/* A mail the SMTP server refuses for good is dead in the last hour (others
 * may die meanwhile: at least this one more). */
static void t_dead_mail(void)
{
	json_int_t before = email_dead();
	long long rule, dead = 0;
	char rs[24];
	struct http_resp r;

	make_push_kpi("t_status", 0);
	push_value("t_status", 100, 0);
	rule = make_rule("{\"name\":\"Status dead mail\",\"kpi\":\"t_status\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"warning\",\"cooldown_minutes\":0,"
	    "\"recipients\":[\"reject-status@mail.goldwatch.test\"]}");
	r = evaluate_rule(rule);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	snprintf(rs, sizeof(rs), "%lld", rule);
	for (int i = 0; i < 200 && dead == 0; i++) {
		dead = SQL_INT("SELECT count(*) FROM mail_outbox WHERE rule_id = $1::bigint"
		    " AND status = 'dead'", rs);
		if (dead == 0)
			test_sleep_ms(50);
	}
	CU_ASSERT_EQUAL_FATAL(dead, 1);
	CU_ASSERT_TRUE(email_dead() >= before + 1);
}

/* The stack's pusher beats at once on start and every 10 s: it is up. */
static void t_pusher(void)
{
	struct http_resp r = status_ok();
	json_t *p = jget(r.json, "pusher.0");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(json_is_true(json_object_get(p, "up")));
	CU_ASSERT_TRUE(json_number_value(json_object_get(p, "seconds_since_beat")) < 60);
	CU_ASSERT_TRUE(json_is_string(json_object_get(p, "beat_at")));
	CU_ASSERT_TRUE(json_is_string(json_object_get(p, "instance")));
	CU_ASSERT_TRUE(json_is_integer(json_object_get(p, "clients")));
	CU_ASSERT_TRUE(json_is_integer(json_object_get(p, "lag_events")));
	CU_ASSERT_TRUE(json_is_boolean(json_object_get(p, "feed_up")));
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "pusher")),
	    (size_t)SQL_INT0("SELECT count(*) FROM pusher_heartbeats"));
	http_free(&r);
}

/* The schema version is the newest applied migration, none pending (the
 * stack migrated from this tree's sql/migrations); a contact point is
 * listed with its own backlog. */
static void t_database_and_contact_points(void)
{
	long long cp = make_cp("{\"name\":\"status hook\",\"kind\":\"webhook\","
	    "\"settings\":{\"url\":\"http://127.0.0.1:1/status\"}}");
	struct http_resp r;
	json_t *c;
	size_t i;
	int found = 0;

	CU_ASSERT_FATAL(cp > 0);
	r = status_ok();
	CU_ASSERT_EQUAL(jint(&r, "database.schema_version"),
	    SQL_INT0("SELECT max(version) FROM schema_migrations"));
	CU_ASSERT_EQUAL(jint(&r, "database.pending"), 0);
	CU_ASSERT_EQUAL(jint(&r, "database.migrations_on_disk"), jint(&r, "database.schema_version"));
	CU_ASSERT_TRUE(json_is_number(jget(r.json, "database.latency_ms")));
	json_array_foreach(jget(r.json, "deliveries.contact_points"), i, c) {
		if (json_integer_value(json_object_get(c, "id")) != cp)
			continue;
		found = 1;
		CU_ASSERT_STRING_EQUAL(s_of(c, "name"), "status hook");
		CU_ASSERT_STRING_EQUAL(s_of(c, "kind"), "webhook");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "queued")), 0);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "dead_last_hour")), 0);
	}
	CU_ASSERT_TRUE(found);
	http_free(&r);
}

void suite_status(void)
{
	static const struct test_case cases[] = {
		{"status: who may read it", t_roles},
		{"status: a job's run, and overdue by its schedule", t_job_run_and_overdue},
		{"status: a failed job", t_failed_job},
		{"status: a dead mail", t_dead_mail},
		{"status: the pusher's heartbeat", t_pusher},
		{"status: schema version, contact points", t_database_and_contact_points},
		{NULL, NULL},
	};
	test_add_suite("status", NULL, NULL, cases);
}
