/*
 * test_system_rules.c - goldwatch watching itself (migration 0026,
 * core/system_check.c): the five system rules are listed with the others,
 * cannot be deleted or redefined, and each fires on its real cause and
 * resolves when the cause goes, reaching a contact point (a real local
 * receiver) like any alert. Each is checked by the process named for it:
 * the delivery service's pass (goldwatch-mailer --now) checks the
 * evaluation, the pusher and the jobs; the evaluation (goldwatch-evaluate
 * --now) checks the delivery, the pusher, the KPI feeds and the jobs.
 *
 * The test stack runs with GOLDWATCH_SYSTEM_CHECKS=false (its timers'
 * moments would otherwise make the rules fire under the other suites);
 * the runs here turn the checks on. The evaluations here name a system
 * rule with --rule: a run that evaluates no KPI rule, so the other
 * suites' rules are not moved, but still a recorded evaluation at --now.
 * Every system rule is disabled again and nothing is left open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "receiver.h"
#include "testlib.h"
#include "util.h"

#define CHECKS_ON "GOLDWATCH_SYSTEM_CHECKS=true"

static const char *const checks[] = {
	"evaluation_stale", "job_failed", "delivery_failing", "pusher_down", "kpi_stale",
};

static struct receiver *rcv;
static long long cp_ops;

static int sys_init(void)
{
	rcv = receiver_start();
	return rcv ? 0 : -1;
}

static int sys_clean(void)
{
	policies_reset();
	receiver_stop(rcv);
	rcv = NULL;
	return 0;
}

/* The id of the system rule of check. */
static long long sys_id(const char *check)
{
	return SQL_INT("SELECT id FROM alert_rules WHERE system_check = $1", check);
}

/* Open (firing or acknowledged) alerts of the rule of check. */
static long long open_of(const char *check)
{
	return SQL_INT("SELECT count(*) FROM alerts WHERE rule_id = $1::bigint"
	    " AND state IN ('firing', 'acknowledged')", lli(sys_id(check)));
}

/* ISO 8601 of now + s seconds; caller frees. */
static char *at(int64_t s)
{
	char b[40];

	time_format_iso(time_now_us() + s * 1000000, b, sizeof(b));
	return xstrdup(b);
}

/* goldwatch-evaluate at now + s, evaluating no KPI rule (see the top); its status. */
static int evaluate_at(const char *env, int64_t s)
{
	char *moment = at(s), *args = xasprintf("--rule %lld --now=%s",
	    sys_id("evaluation_stale"), moment);
	char *e = xasprintf("%s %s", CHECKS_ON, env ? env : "");
	int rc = run_evaluate(e, args);

	free(moment);
	free(args);
	free(e);
	return rc;
}

/* One pass of goldwatch-mailer at now + s with its checks on; its status. */
static int mailer_at(int64_t s)
{
	char *moment = at(s);
	int rc = test_system("%s '%s/goldwatch-mailer' --now=%s >>'%s/log/mailer-tests.log' 2>&1",
	    CHECKS_ON, test_env("GW_TEST_BIN"), moment, test_env("GW_TEST_STACK"));

	free(moment);
	return rc;
}

/*
 * PUT of rule id as GET shows it (less what the server adds), with
 * enabled set, contact_points too unless cps is NULL, and member set to
 * value (member NULL: none). Returns the response (caller frees).
 */
static struct http_resp rule_put(long long id, int enabled, json_t *cps, const char *member,
    json_t *value)
{
	char path[64];
	json_t *rule = rule_of(id);
	const char *const server[] = {"id", "created_at", "updated_at", "status", "pending_count",
	    "last_value", "last_evaluated_at"};
	struct http_resp r;
	char *body;

	for (size_t i = 0; i < GW_ARRAY_LEN(server); i++)
		json_object_del(rule, server[i]);
	json_object_set_new(rule, "enabled", json_boolean(enabled));
	if (cps)
		json_object_set_new(rule, "contact_points", cps);
	if (member)
		json_object_set_new(rule, member, value);
	body = json_dumps(rule, JSON_COMPACT);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("PUT", path, fixture_users()->admin, body);
	free(body);
	json_decref(rule);
	return r;
}

/* rule_put of the system rule of check, told to the suite's contact point. */
static struct http_resp sys_put(const char *check, int enabled, const char *member,
    json_t *value)
{
	return rule_put(sys_id(check), enabled, cp_ops ? json_pack("[I]", (json_int_t)cp_ops) :
	    json_array(), member, value);
}

/* DELETE /api/alerts/rules/ID as the admin (caller frees). */
static struct http_resp rule_delete_as_admin(long long id)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	return api("DELETE", path, fixture_users()->admin, NULL);
}

static void sys_enable(const char *check, int on)
{
	struct http_resp r = sys_put(check, on, NULL, NULL);

	EXPECT_STATUS(r, 200);
	http_free(&r);
}

/* Requests at the receiver whose body names text. */
static int bodies_with(const char *text)
{
	return receiver_count(rcv, "/", text);
}

/*
 * The rule of check told the contact point (the delivery service of the
 * stack, or a pass at now + s for a notice due then): waits up to 10 s
 * for a request naming the rule.
 */
static void expect_told(const char *check, int64_t s)
{
	char name[64];

	snprintf(name, sizeof(name), "system.%s", check);
	for (int i = 0; i < 100 && bodies_with(name) == 0; i++) {
		if (i % 10 == 0)
			CU_ASSERT_EQUAL(mailer_at(s), 0);
		usleep(100 * 1000);
	}
	if (bodies_with(name) == 0)
		fprintf(stderr, "\n    nothing about %s reached the receiver\n", name);
	CU_ASSERT(bodies_with(name) > 0);
	receiver_clear(rcv);
}

/* The newest alert of the rule of check: its message contains want. */
static void expect_message(const char *check, const char *want)
{
	char *msg = test_sql_str("SELECT message FROM alerts WHERE rule_id = $1::bigint"
	    " ORDER BY id DESC LIMIT 1", 1, TP(lli(sys_id(check))));

	if (strstr(msg, want) == NULL)
		fprintf(stderr, "\n    %s: message \"%s\" lacks \"%s\"\n", check, msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
	free(msg);
}

/*
 * Listed with the others, kind system; not deleted (409) nor redefined
 * (422 at the field); a contact point and disabling are taken. The
 * suite's contact point is made here and every system rule starts off.
 */
static void t_listed(void)
{
	struct http_resp r = api("GET", "/api/alerts/rules", fixture_users()->viewer, NULL);
	char *hook = receiver_url(rcv, "/ops"), *body;
	size_t i, found = 0;
	json_t *rule;

	EXPECT_STATUS(r, 200);
	json_array_foreach(jget(r.json, "items"), i, rule) {
		const char *name = json_string_value(json_object_get(rule, "name"));
		const char *kind = json_string_value(json_object_get(rule, "kind"));
		int sys = strncmp(name, "system.", 7) == 0 &&
		    SQL_INT("SELECT count(*) FROM alert_rules WHERE name = $1 AND kind = 'system'",
		    name) == 1;

		CU_ASSERT_STRING_EQUAL(kind ? kind : "", sys ? "system" : "kpi");
		found += sys;
	}
	CU_ASSERT_EQUAL(found, GW_ARRAY_LEN(checks));
	http_free(&r);
	for (i = 0; i < GW_ARRAY_LEN(checks); i++) {
		char name[64];
		snprintf(name, sizeof(name), "system.%s", checks[i]);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE name = $1"
		    " AND system_check = $2 AND enabled", name, checks[i]), 1);
	}

	r = rule_delete_as_admin(sys_id("pusher_down"));
	EXPECT_ERROR(r, 409, "system_rule");
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(&r, "error.message") ? jstr(&r, "error.message") : "",
	    "cannot be deleted"));
	http_free(&r);
	CU_ASSERT_EQUAL(sys_id("pusher_down") > 0, 1);

	r = sys_put("job_failed", 1, "threshold", json_real(5));
	EXPECT_ERROR(r, 422, "system_rule");
	EXPECT_JSTR(r, "error.field", "threshold");
	http_free(&r);
	r = sys_put("job_failed", 1, "kpi", json_string("revenue_today"));
	EXPECT_ERROR(r, 422, "system_rule");
	EXPECT_JSTR(r, "error.field", "kpi");
	http_free(&r);
	r = sys_put("job_failed", 1, "kind", json_string("kpi"));
	EXPECT_ERROR(r, 422, "not_changeable");
	EXPECT_JSTR(r, "error.field", "kind");
	http_free(&r);

	body = xasprintf("{\"name\":\"S ops hook\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\"}}",
	    hook);
	cp_ops = make_cp(body);
	free(body);
	free(hook);
	CU_ASSERT_FATAL(cp_ops > 0);
	/* the rules' own contact point at once (the default policy's group wait) */
	r = api("PUT", "/api/notification-policies", fixture_users()->admin,
	    "{\"policies\":[],\"default\":{\"contact_points\":[],\"group_wait_seconds\":0}}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	for (i = 0; i < GW_ARRAY_LEN(checks); i++)
		sys_enable(checks[i], 0);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alert_rules WHERE kind = 'system'"
	    " AND enabled"), 0);
	r = sys_put("job_failed", 0, NULL, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "kind", "system");
	CU_ASSERT_EQUAL(json_integer_value(jget(r.json, "contact_points.0")), cp_ops);
	http_free(&r);
}

/*
 * The dead man's switch of the evaluation: evaluated at T, the delivery
 * service's pass at T + 16 min fires (one alert however many passes), an
 * evaluation at T + 16 min resolves it at the next pass. Disabled, the
 * same cause fires nothing.
 */
/* How many of GET /api/status's system_alerts are open alerts of rule id. */
static int status_lists(long long rule_id)
{
	struct http_resp r = api("GET", "/api/status", fixture_users()->admin, NULL);
	json_t *list = json_object_get(r.json, "system_alerts");
	size_t i;
	json_t *a;
	int n = 0;

	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_array(list));
	json_array_foreach(list, i, a) {
		if (json_integer_value(json_object_get(a, "rule_id")) == rule_id &&
		    strcmp(json_string_value(json_object_get(a, "kind")) ?
		    json_string_value(json_object_get(a, "kind")) : "", "system") == 0)
			n++;
	}
	http_free(&r);
	return n;
}

static void t_evaluation_stale(void)
{
	sys_enable("evaluation_stale", 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 1);
	expect_message("evaluation_stale", "no successful evaluation since");
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts a WHERE a.rule_id = $1::bigint"
	    " AND a.state = 'firing' AND a.severity = 'critical' AND a.kpi_key = 'goldwatch_itself'",
	    lli(sys_id("evaluation_stale"))), 1);
	/* two passes at once: still one alert (the state row's lock) */
	CU_ASSERT_EQUAL(test_system("for i in 1 2; do %s '%s/goldwatch-mailer' --now=\"$(date -u"
	    " -d '+16 minutes' +%%Y-%%m-%%dT%%H:%%M:%%SZ)\" >>'%s/log/mailer-tests.log' 2>&1 & done;"
	    " wait", CHECKS_ON, test_env("GW_TEST_BIN"), test_env("GW_TEST_STACK")), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE rule_id = $1::bigint",
	    lli(sys_id("evaluation_stale"))) - SQL_INT("SELECT count(*) FROM alerts WHERE"
	    " rule_id = $1::bigint AND state = 'resolved'", lli(sys_id("evaluation_stale"))), 1);
	expect_told("evaluation_stale", 16 * 60);
	{
		/* the alert's JSON says what it is */
		char path[64];
		struct http_resp r;
		snprintf(path, sizeof(path), "/api/alerts/%lld", (long long)SQL_INT(
		    "SELECT max(id) FROM alerts WHERE rule_id = $1::bigint",
		    lli(sys_id("evaluation_stale"))));
		r = api("GET", path, fixture_users()->viewer, NULL);
		EXPECT_STATUS(r, 200);
		EXPECT_JSTR(r, "kind", "system");
		http_free(&r);
	}
	CU_ASSERT_EQUAL(status_lists(sys_id("evaluation_stale")), 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 1);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	expect_told("evaluation_stale", 16 * 60);

	/* disabled: the same cause fires nothing */
	sys_enable("evaluation_stale", 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	/* the real moment's evaluation again, for the suites after */
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
}

/* evaluation_stale on, fired: evaluated now, the delivery service's pass 16 minutes on. */
static void stale_fired(void)
{
	sys_enable("evaluation_stale", 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 1);
}

/* ... resolved (an evaluation then, the next pass), off, and the real moment's evaluation. */
static void stale_resolved_off(void)
{
	CU_ASSERT_EQUAL(evaluate_at(NULL, 16 * 60), 0);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	sys_enable("evaluation_stale", 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	receiver_clear(rcv);
}

/*
 * A silence of the system rule: its alert fires silenced and tells no
 * contact point; the silence ended, the alert resolves as usual.
 */
static void t_silenced(void)
{
	char *ends = at(3600), *body, path[64];
	struct http_resp r;
	long long silence;

	body = xasprintf("{\"scope\":\"rule\",\"rule_id\":%lld,\"ends_at\":\"%s\","
	    "\"reason\":\"moving the database\"}", sys_id("evaluation_stale"), ends);
	r = api("POST", "/api/alerts/silences", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 201);
	silence = jint(&r, "id");
	http_free(&r);
	receiver_clear(rcv);
	stale_fired();
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE rule_id = $1::bigint"
	    " AND state = 'firing' AND silenced", lli(sys_id("evaluation_stale"))), 1);
	CU_ASSERT_EQUAL(mailer_at(16 * 60), 0);
	usleep(500 * 1000);
	CU_ASSERT_EQUAL(bodies_with("system.evaluation_stale"), 0);
	snprintf(path, sizeof(path), "/api/alerts/silences/%lld", silence);
	r = api("DELETE", path, fixture_users()->operator_, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	stale_resolved_off();
	free(ends);
	free(body);
}

/*
 * The delivery service checks on its own: an evaluation 16 minutes back,
 * and goldwatch-mailer --serve (a second one beside the stack's, for 3 s)
 * fires at its first check; a pass after an evaluation now resolves.
 * timeout --foreground: the TERM goes to the mailer alone, not to its
 * process group, where under the sanitizers it also reached the leak
 * checker's tracer while it stopped the mailer at exit, and both waited
 * for each other for good (-k: a hang is a failure after 20 s).
 */
static void t_service_checks(void)
{
	sys_enable("evaluation_stale", 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, -16 * 60), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	CU_ASSERT_EQUAL(test_system("%s timeout --foreground -k 20 --preserve-status -s TERM 3 '%s/goldwatch-mailer' --serve"
	    " >>'%s/log/mailer-tests.log' 2>&1; [ $? = 0 ]", CHECKS_ON, test_env("GW_TEST_BIN"),
	    test_env("GW_TEST_STACK")), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("evaluation_stale"), 0);
	sys_enable("evaluation_stale", 0);
}

/*
 * A job that really fails (an evaluation that cannot read the rules
 * within its statement timeout records its failure in job_runs): the
 * delivery service's pass fires, naming the job and its error; the next
 * good evaluation resolves it itself.
 */
static void t_job_failed(void)
{
	sys_enable("job_failed", 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("job_failed"), 0);
	/*
	 * the database refuses the evaluation's record of success (a trigger
	 * raises), so its transaction fails and it records the failure: not
	 * a lock past a statement timeout, which never fires under the clock
	 * variants' libfaketime
	 */
	test_exec("CREATE FUNCTION sys_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
	    " $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$", 0, NULL);
	test_exec("CREATE TRIGGER sys_test_refuse BEFORE INSERT OR UPDATE ON job_runs FOR EACH ROW"
	    " WHEN (NEW.job = 'evaluate' AND NEW.ok) EXECUTE FUNCTION sys_test_refuse()", 0, NULL);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 1);
	test_exec("DROP TRIGGER sys_test_refuse ON job_runs", 0, NULL);
	test_exec("DROP FUNCTION sys_test_refuse()", 0, NULL);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM job_runs WHERE job = 'evaluate'"
	    " AND NOT ok"), 1);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("job_failed"), 1);
	expect_message("job_failed", "evaluate (evaluation failed");
	expect_told("job_failed", 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("job_failed"), 0);
	expect_told("job_failed", 0);
	sys_enable("job_failed", 0);
}

/*
 * A receiver that refuses for good: the notice of a KPI alert to it goes
 * dead, the next evaluation fires (the delivery is watched by the
 * evaluation); past the hour, nothing stuck, it resolves.
 */
static void t_delivery_failing(void)
{
	struct receiver *bad = receiver_start();
	char *url, *body, *rule;
	long long cp_bad, rid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	/* the other suites' dead letters out of the hour: the cause is this test's own */
	test_exec("UPDATE mail_outbox SET dead_at = dead_at - interval '2 hours'"
	    " WHERE status = 'dead'", 0, NULL);
	sys_enable("delivery_failing", 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("delivery_failing"), 0);

	receiver_answer(bad, 400, "no", 0, 0);
	url = receiver_url(bad, "/refuses");
	body = xasprintf("{\"name\":\"S refusing hook\",\"kind\":\"webhook\",\"settings\":"
	    "{\"url\":\"%s\"}}", url);
	cp_bad = make_cp(body);
	CU_ASSERT_FATAL(cp_bad > 0);
	make_push_kpi("sys_deliv", 60);
	rule = xasprintf("{\"name\":\"S deliv\",\"kpi\":\"sys_deliv\",\"condition\":\"gt\","
	    "\"threshold\":1,\"severity\":\"warning\",\"recipients\":[],\"contact_points\":[%lld]}",
	    cp_bad);
	rid = make_rule(rule);
	push_value("sys_deliv", 5, 0);
	{
		struct http_resp r = evaluate_rule(rid);
		EXPECT_STATUS(r, 200);
		http_free(&r);
	}
	for (int i = 0; i < 100 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND status = 'dead'", lli(cp_bad)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND status = 'dead'", lli(cp_bad)), 1);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("delivery_failing"), 1);
	expect_message("delivery_failing", "1 message(s) dead in the last hour");
	expect_told("delivery_failing", 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 61 * 60), 0);
	CU_ASSERT_EQUAL(open_of("delivery_failing"), 0);
	expect_told("delivery_failing", 61 * 60);
	sys_enable("delivery_failing", 0);
	/* the KPI rule's alert and the refusing receiver go */
	push_value("sys_deliv", 0, 0);
	{
		struct http_resp r = evaluate_rule(rid);
		http_free(&r);
	}
	test_exec("UPDATE mail_outbox SET status = 'dead' WHERE contact_point_id = $1::bigint"
	    " AND status = 'queued'", 1, TP(lli(cp_bad)));
	receiver_stop(bad);
	free(url);
	free(body);
	free(rule);
}

/* Waits up to 20 s for a heartbeat newer than since (SQL timestamptz); 1 if one came. */
static int beat_after(const char *since)
{
	for (int i = 0; i < 200; i++) {
		if (SQL_INT("SELECT count(*) FROM pusher_heartbeats WHERE beat_at > $1::timestamptz",
		    since) > 0)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/*
 * The pusher stopped: the delivery service's pass 90 s on fires (and so
 * does the evaluation's, which finds it open); started again, after its
 * first beat, the pass at the real moment resolves it.
 */
static void t_pusher_down(void)
{
	char *stopped;

	sys_enable("pusher_down", 1);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("pusher_down"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-stop"), 0);
	stopped = test_sql_str("SELECT now()::text", 0, NULL);
	CU_ASSERT_EQUAL(mailer_at(90), 0);
	CU_ASSERT_EQUAL(open_of("pusher_down"), 1);
	expect_message("pusher_down", "no pusher heartbeat since");
	CU_ASSERT_EQUAL(evaluate_at(NULL, 90), 0);
	CU_ASSERT_EQUAL(open_of("pusher_down"), 1);
	expect_told("pusher_down", 90);
	CU_ASSERT_EQUAL(test_stack("pusher-start"), 0);
	CU_ASSERT_EQUAL(beat_after(stopped), 1);
	CU_ASSERT_EQUAL(mailer_at(0), 0);
	CU_ASSERT_EQUAL(open_of("pusher_down"), 0);
	expect_told("pusher_down", 0);
	sys_enable("pusher_down", 0);
	free(stopped);
}

/*
 * A push KPI with max_age_minutes 5 and a rule on it, pushed at T: the
 * evaluation at T + 6 min fires, naming it; pushed again, it resolves.
 * (T is 6 minutes back, so "again" is the real moment.) The other suites'
 * rules on push KPIs past their age are disabled first (as for a retired
 * feed), so that the cause is this test's own.
 */
static void t_kpi_stale(void)
{
	PGresult *old;
	long long rid;

	/* the rules on feeds stale now, or within the minutes this test runs */
	old = test_sql("SELECT DISTINCT r.id FROM alert_rules r JOIN kpis k ON k.key = r.kpi_key"
	    " CROSS JOIN (VALUES (now()), (now() + interval '10 minutes')) AS m(at)"
	    " WHERE r.enabled AND k.source = 'push' AND k.deleted_at IS NULL"
	    "   AND (SELECT max(sampled_at) FROM kpi_samples s WHERE s.kpi_key = k.key"
	    "         AND s.sampled_at <= m.at) < m.at - make_interval(mins => k.max_age_minutes)",
	    0, NULL);
	for (int i = 0; i < PQntuples(old); i++) {
		struct http_resp r = rule_put(atoll(PQgetvalue(old, i, 0)), 0, NULL, NULL, NULL);
		EXPECT_STATUS(r, 200);
		http_free(&r);
	}
	PQclear(old);
	sys_enable("kpi_stale", 1);
	make_push_kpi("sys_feed", 5);
	rid = make_simple_rule("S feed", "sys_feed", "gt", 1000, "");
	CU_ASSERT(rid > 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("kpi_stale"), 0);
	push_value("sys_feed", 7, 6);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("kpi_stale"), 1);
	expect_message("kpi_stale", "sys_feed");
	expect_told("kpi_stale", 0);
	push_value("sys_feed", 8, 0);
	CU_ASSERT_EQUAL(evaluate_at(NULL, 0), 0);
	CU_ASSERT_EQUAL(open_of("kpi_stale"), 0);
	expect_told("kpi_stale", 0);
	sys_enable("kpi_stale", 0);
	{
		struct http_resp r = rule_delete_as_admin(rid);
		EXPECT_STATUS(r, 200);
		http_free(&r);
	}
}

/* The dashboard shows an open system alert apart, under "goldwatch itself". */
static void t_dashboard(void)
{
	struct http_resp r;

	r = page_as("/", fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NULL(strstr(r.body ? r.body : "", "goldwatch itself"));
	http_free(&r);
	stale_fired();
	r = page_as("/", fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body ? r.body : "", "<h2 id=\"system-title\">goldwatch itself</h2>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body ? r.body : "", "system.evaluation_stale"));
	http_free(&r);
	stale_resolved_off();
}

void suite_system_rules(void)
{
	static const struct test_case cases[] = {
		{"listed as kind system; not deleted (409) nor redefined (422); routed", t_listed},
		{"evaluation stale: the delivery service's pass fires, an evaluation resolves",
		    t_evaluation_stale},
		{"silenced: fired silenced, no contact point told", t_silenced},
		{"the delivery service (--serve) checks on its own", t_service_checks},
		{"a job that failed: fired naming it, resolved by its next good run", t_job_failed},
		{"a dead letter: the evaluation fires; past the hour it resolves", t_delivery_failing},
		{"the pusher stopped: fired 90 s on; started again, resolved", t_pusher_down},
		{"a push KPI past its max age: fired naming it; pushed again, resolved", t_kpi_stale},
		{"the dashboard shows system alerts apart", t_dashboard},
		{NULL, NULL},
	};
	test_add_suite("system_rules", sys_init, sys_clean, cases);
}
