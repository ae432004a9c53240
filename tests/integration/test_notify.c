/*
 * test_notify.c - alerts reach contact points through the whole pipeline
 * of the running stack: the evaluation queues routed notices, the
 * delivery service (goldwatch-mailer --serve) groups them and posts them
 * to a real local receiver (tests/lib/receiver.c) or mails them. Routing
 * by severity and category with continue and the default policy; a burst
 * in one message per contact point and the group wait; every HTTP kind's
 * body; signatures; retries and dead letters of receivers that fail;
 * e-mail through the outbox; nothing secret in a delivery's row or a log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "receiver.h"
#include "testlib.h"
#include "util.h"

#define SECRET "notify-hmac-4b1f"
#define BOT "777:notify-bot-token"

static struct receiver *rcv;

/* A string member, or "" (never NULL, for strstr). */
static const char *js(const json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}
static long long cp_hook, cp_slack, cp_tg, cp_mail, cp_am;

static int notify_init(void)
{
	rcv = receiver_start();
	return rcv ? 0 : -1;
}

/* The contact points of the suite, made by its first test (asserts they are). */
static void contact_points(void)
{
	char *body, *hook, *am, *slack, *base;

	if (cp_hook)
		return;
	hook = receiver_url(rcv, "/hook");
	am = receiver_url(rcv, "/am");
	slack = receiver_url(rcv, "/slack/T1/B1/secretpart");
	base = receiver_url(rcv, "/tg");
	body = xasprintf("{\"name\":\"N hook\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\","
	    "\"secret\":\"" SECRET "\"}}", hook);
	cp_hook = make_cp(body);
	free(body);
	body = xasprintf("{\"name\":\"N am\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\","
	    "\"format\":\"alertmanager\"}}", am);
	cp_am = make_cp(body);
	free(body);
	body = xasprintf("{\"name\":\"N chat\",\"kind\":\"slack\",\"settings\":{\"url\":\"%s\"}}",
	    slack);
	cp_slack = make_cp(body);
	free(body);
	body = xasprintf("{\"name\":\"N telegram\",\"kind\":\"telegram\",\"settings\":{"
	    "\"bot_token\":\"" BOT "\",\"chat_id\":\"-100200\",\"api_base\":\"%s\"}}", base);
	cp_tg = make_cp(body);
	free(body);
	cp_mail = make_cp("{\"name\":\"N stock keeper\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"stock@shop.example\",\"keeper@shop.example\"]}}");
	free(hook);
	free(am);
	free(slack);
	free(base);
	CU_ASSERT_FATAL(cp_hook && cp_am && cp_slack && cp_tg && cp_mail);
}

static void put_policies(const char *fmt, ...) GW_PRINTF(1, 2);

/* PUT /api/notification-policies with the body fmt makes (asserts 200). */
static void put_policies(const char *fmt, ...)
{
	va_list ap;
	char *body;
	struct http_resp r;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		abort();
	va_end(ap);
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, body);
	EXPECT_STATUS(r, 200);
	if (r.status != 200)
		fprintf(stderr, "\n    put_policies: %.300s\n", r.body ? r.body : "");
	http_free(&r);
	free(body);
}

static int notify_clean(void)
{
	/* the next suites start from no policies */
	policies_reset();
	receiver_stop(rcv);
	rcv = NULL;
	return 0;
}

/*
 * Waits (up to 10 s) until what earlier steps queued has gone out: no
 * notice pending, no HTTP message waiting for its first attempt. A late
 * message of the step before must not count in the next one.
 */
static void quiet(void)
{
	for (int i = 0; i < 200 && SQL_INT0("SELECT (SELECT count(*) FROM notices)"
	    " + (SELECT count(*) FROM mail_outbox WHERE status = 'queued' AND channel <> 'email'"
	    "    AND attempts = 0)") > 0; i++)
		usleep(50 * 1000);
	usleep(100 * 1000);
}

/* Every alert to contact point cp alone, at once (the default policy). */
static void only_to(long long cp)
{
	quiet();
	put_policies("{\"policies\":[],\"default\":{\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}}", cp);
	receiver_clear(rcv);
}

/* A rule on kpi of severity sev, no recipients of its own. */
static long long rule_on(const char *name, const char *kpi, const char *sev, double above)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kpi\":\"%s\",\"condition\":\"gt\","
	    "\"threshold\":%g,\"severity\":\"%s\",\"cooldown_minutes\":0,\"flap_changes\":100,"
	    "\"recipients\":[]}",
	    name, kpi, above, sev);
	return make_rule(body);
}

/* Pushes value to kpi (evaluated at once); asserts 201 and how many fired. */
static void push(const char *kpi, double value, int fired, int resolved)
{
	char path[128], body[64];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", kpi);
	snprintf(body, sizeof(body), "{\"value\":%g}", value);
	r = api("POST", path, fixture_users()->operator_, body);
	EXPECT_STATUS(r, 201);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.fired")), (size_t)fired);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "evaluation.resolved")), (size_t)resolved);
	http_free(&r);
}

/* How many requests so far went to a path starting with prefix. */
static int count_at(const char *prefix)
{
	return receiver_count(rcv, prefix, NULL);
}

/* Waits up to ms for n requests at prefix; returns how many came. */
static int wait_at(const char *prefix, int n, int ms)
{
	for (int waited = 0; count_at(prefix) < n && waited < ms; waited += 50)
		usleep(50 * 1000);
	return count_at(prefix);
}

/* The k-th request at prefix as JSON (q filled); NULL if none. */
static json_t *nth_at(const char *prefix, int k, struct rcv_request *q)
{
	int n = receiver_wait(rcv, 0, 0);

	for (int i = 0; i < n; i++) {
		if (receiver_get(rcv, i, q) != 0)
			continue;
		if (strncmp(q->path, prefix, strlen(prefix)) == 0 && k-- == 0)
			return json_loads(q->body, 0, NULL);
		rcv_request_free(q);
	}
	memset(q, 0, sizeof(*q));
	return NULL;
}

/*
 * Routing: a critical alert goes to the first policy's webhook and chat
 * and, since it says continue, to the second's (category) Telegram too;
 * a warning matches only the category policy; with continue off the
 * first match ends the walk; what no policy matches goes to the default.
 */
static void t_routing(void)
{
	struct rcv_request q;
	json_t *j;
	long long crit, warn;

	contact_points();
	make_push_kpi("n_route", 60);
	crit = rule_on("route crit", "n_route", "critical", 10);
	warn = rule_on("route warn", "n_route", "warning", 20);
	put_policies("{\"policies\":[{\"matchers\":{\"severity\":[\"critical\"]},"
	    "\"contact_points\":[%lld,%lld],\"continue\":true,\"group_wait_seconds\":0},"
	    "{\"matchers\":{\"category\":[\"financial\"]},\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}],\"default\":{\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}}", cp_hook, cp_slack, cp_tg, cp_am);
	receiver_clear(rcv);
	push("n_route", 15, 1, 0);
	CU_ASSERT_EQUAL(wait_at("/hook", 1, 5000), 1);
	CU_ASSERT_EQUAL(wait_at("/slack/", 1, 5000), 1);
	CU_ASSERT_EQUAL(wait_at("/tg/", 1, 5000), 1);
	j = nth_at("/hook", 0, &q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	expect_signature(&q, SECRET);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "kind")), "fired");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "alerts")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(json_object_get(j,
	    "alerts"), 0), "rule_id")), crit);
	CU_ASSERT_PTR_NOT_NULL(strstr(js(jget(j, "alerts.0.link")), "/alerts/"));
	json_decref(j);
	rcv_request_free(&q);
	/* the warning: the category policy only */
	receiver_clear(rcv);
	push("n_route", 25, 1, 0);
	CU_ASSERT_EQUAL(wait_at("/tg/", 1, 5000), 1);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(count_at("/hook"), 0);
	CU_ASSERT_EQUAL(count_at("/slack/"), 0);
	CU_ASSERT_EQUAL(count_at("/am"), 0);
	j = nth_at("/tg/", 0, &q);
	CU_ASSERT_PTR_NOT_NULL(strstr(js(json_object_get(j, "text")),
	    "route warn"));
	CU_ASSERT_TRUE(rcv_header(&q, "X-Goldwatch-Signature") == NULL);
	json_decref(j);
	rcv_request_free(&q);
	push("n_route", 0, 0, 2);
	CU_ASSERT(wait_at("/tg/", 2, 5000) >= 2);
	/* continue off: the first match ends the walk; unmatched: the default */
	put_policies("{\"policies\":[{\"matchers\":{\"severity\":[\"critical\"]},"
	    "\"contact_points\":[%lld],\"group_wait_seconds\":0},"
	    "{\"matchers\":{\"category\":[\"financial\"]},\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}],\"default\":{\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}}", cp_hook, cp_tg, cp_am);
	receiver_clear(rcv);
	push("n_route", 15, 1, 0);
	CU_ASSERT_EQUAL(wait_at("/hook", 1, 5000), 1);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(count_at("/tg/"), 0);
	CU_ASSERT_EQUAL(count_at("/am"), 0);
	push("n_route", 0, 0, 1);
	put_policies("{\"policies\":[{\"matchers\":{\"category\":[\"operational\"]},"
	    "\"contact_points\":[%lld]}],\"default\":{\"contact_points\":[%lld],"
	    "\"group_wait_seconds\":0}}", cp_tg, cp_am);
	receiver_clear(rcv);
	push("n_route", 15, 1, 0);
	CU_ASSERT_EQUAL(wait_at("/am", 1, 5000), 1);
	CU_ASSERT_EQUAL(count_at("/tg/"), 0);
	push("n_route", 0, 0, 1);
	CU_ASSERT_EQUAL(wait_at("/am", 2, 5000), 2);
	(void)warn;
}

/* The Alertmanager body of a fired alert: its documented fields. */
static void t_alertmanager_fired(void)
{
	struct rcv_request q;
	json_t *j, *a;
	long long rule;

	contact_points();
	make_push_kpi("n_am", 60);
	rule = rule_on("am rule", "n_am", "warning", 1);
	only_to(cp_am);
	push("n_am", 5, 1, 0);
	CU_ASSERT_EQUAL_FATAL(wait_at("/am", 1, 5000), 1);
	j = nth_at("/am", 0, &q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "version")), "4");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "firing");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "receiver")), "N am");
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(j, "groupKey")));
	a = json_array_get(json_object_get(j, "alerts"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "status")), "firing");
	CU_ASSERT_STRING_EQUAL(json_string_value(jget(a, "labels.alertname")), "am rule");
	CU_ASSERT_STRING_EQUAL(json_string_value(jget(a, "labels.severity")), "warning");
	CU_ASSERT_PTR_NOT_NULL(json_string_value(jget(a, "annotations.summary")));
	CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(a, "startsAt")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "endsAt")),
	    "0001-01-01T00:00:00Z");
	CU_ASSERT_PTR_NOT_NULL(strstr(js(json_object_get(a, "generatorURL")),
	    "/alerts/"));
	CU_ASSERT_EQUAL(strlen(js(json_object_get(a, "fingerprint"))), 16);
	json_decref(j);
	rcv_request_free(&q);
	push("n_am", 0, 0, 1);
	CU_ASSERT_EQUAL_FATAL(wait_at("/am", 2, 5000), 2);
	j = nth_at("/am", 1, &q);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "resolved");
	a = json_array_get(json_object_get(j, "alerts"), 0);
	CU_ASSERT_STRING_NOT_EQUAL(js(json_object_get(a, "endsAt")),
	    "0001-01-01T00:00:00Z");
	json_decref(j);
	rcv_request_free(&q);
	(void)rule;
}

/*
 * A burst: seven alerts of one sample in one message per contact point
 * ("7 alerts: 3 critical, 4 warning", each listed), sent when the group
 * wait is over and not before; their resolution likewise; the e-mail
 * contact point gets one grouped mail per address.
 */
static void t_group_burst(void)
{
	struct rcv_request q;
	int64_t t0;
	json_t *j;
	char name[32], *title;
	long long ops;

	contact_points();
	make_push_kpi("n_burst", 60);
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "burst %d", i);
		rule_on(name, "n_burst", i < 3 ? "critical" : "warning", i);
	}
	/* an operator among the addresses: only theirs carries acknowledge links */
	test_user("notify_op", "notify-op-password-1", "operator");
	PQclear(test_sql("UPDATE users SET email = 'notify.op@shop.example'"
	    " WHERE username = 'notify_op'", 0, NULL));
	ops = make_cp("{\"name\":\"N ops mail\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"notify.op@shop.example\",\"nobody@shop.example\"]}}");
	CU_ASSERT_FATAL(ops > 0);
	put_policies("{\"policies\":[{\"matchers\":{\"kpi\":[\"n_burst\"]},"
	    "\"contact_points\":[%lld,%lld,%lld],\"group_wait_seconds\":2}]}", cp_slack, cp_mail,
	    ops);
	receiver_clear(rcv);
	t0 = time_mono_us();
	push("n_burst", 100, 7, 0);
	usleep(1000 * 1000);
	CU_ASSERT_EQUAL(count_at("/slack/"), 0);   /* the group wait holds it */
	CU_ASSERT_EQUAL(wait_at("/slack/", 1, 6000), 1);
	CU_ASSERT((time_mono_us() - t0) / 1000 < 2000 + 3000);
	usleep(300 * 1000);
	CU_ASSERT_EQUAL(count_at("/slack/"), 1);
	j = nth_at("/slack/", 0, &q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	title = xstrdup(js(json_object_get(j, "text")));
	CU_ASSERT_STRING_EQUAL(title, "7 alerts: 3 critical, 4 warning");
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "burst %d", i);
		CU_ASSERT_PTR_NOT_NULL(strstr(js(jget(j, "blocks.0.text.text")),
		    name));
	}
	json_decref(j);
	rcv_request_free(&q);
	/* one mail per address, the same grouped message */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND kind = 'fired' AND cardinality(alert_ids) = 7"
	    " AND subject = '[goldwatch] ' || $2", lli(cp_mail), title), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM notices WHERE contact_point_id = $1::bigint",
	    lli(cp_mail)), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND recipient = 'notify.op@shop.example' AND cardinality(alert_ids) = 7"
	    " AND (length(body_text) - length(replace(body_text, 'Acknowledge it: ', '')))"
	    "     / length('Acknowledge it: ') = 7", lli(ops)), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND recipient = 'nobody@shop.example' AND cardinality(alert_ids) = 7"
	    " AND body_text NOT LIKE '%Acknowledge%' AND body_html NOT LIKE '%/ack?t=%'", lli(ops)), 1);
	/* resolved together, one message too */
	receiver_clear(rcv);
	push("n_burst", -10, 0, 7);
	CU_ASSERT_EQUAL(wait_at("/slack/", 1, 6000), 1);
	j = nth_at("/slack/", 0, &q);
	CU_ASSERT_STRING_EQUAL(js(json_object_get(j, "text")),
	    "7 alerts resolved: 3 critical, 4 warning");
	json_decref(j);
	rcv_request_free(&q);
	free(title);
}

/*
 * Telegram gets HTML with the rule's words escaped; the delivery row
 * shows the target without the bot token, and is sent.
 */
static void t_telegram_escaped(void)
{
	struct rcv_request q;
	json_t *j;
	const char *text;

	contact_points();
	make_push_kpi("n_tg", 60);
	rule_on("Rings <22k> & chains", "n_tg", "critical", 1);
	only_to(cp_tg);
	push("n_tg", 5, 1, 0);
	CU_ASSERT_EQUAL_FATAL(wait_at("/tg/", 1, 5000), 1);
	j = nth_at("/tg/", 0, &q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(q.path, "/tg/bot" BOT "/sendMessage");
	text = js(json_object_get(j, "text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Rings &lt;22k&gt; &amp; chains"));
	CU_ASSERT_PTR_NULL(strstr(text, "<22k>"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "parse_mode")), "HTML");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "chat_id")), "-100200");
	json_decref(j);
	rcv_request_free(&q);
	for (int i = 0; i < 50 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND status = 'sent'", lli(cp_tg)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND status = 'sent' AND channel = 'telegram' AND recipient = 'telegram chat -100200'",
	    lli(cp_tg)) >= 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE recipient LIKE '%notify-bot%'"
	    " OR recipient LIKE '%secretpart%' OR coalesce(last_error, '') LIKE '%notify-bot%'"), 0);
	push("n_tg", 0, 0, 1);
}

/*
 * A receiver that answers 500 gets the message again later (the row is
 * queued with its attempt and error); one that answers 404 refuses it for
 * good (dead at once); one that hangs times out and is retried.
 */
static void t_failures(void)
{
	long long rule;

	contact_points();
	make_push_kpi("n_fail", 60);
	rule = rule_on("fail rule", "n_fail", "critical", 1);
	only_to(cp_hook);
	receiver_answer(rcv, 500, "{\"error\":\"busy\"}", 0, 0);
	push("n_fail", 5, 1, 0);
	CU_ASSERT_EQUAL(wait_at("/hook", 1, 5000), 1);
	for (int i = 0; i < 50 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND attempts = 1 AND status = 'queued'",
	    lli(cp_hook)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND status = 'queued' AND attempts = 1 AND last_error LIKE '%500%'"
	    " AND next_attempt_at > now() + interval '20 seconds'", lli(cp_hook)), 1);
	/* a hand pass at a moment past the backoff: taken now */
	receiver_answer(rcv, 200, "ok", 0, 0);
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-mailer' --now=\"$(date -u -d '+2 hours'"
	    " +%%Y-%%m-%%dT%%H:%%M:%%SZ)\" >/dev/null 2>&1", test_env("GW_TEST_BIN")), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND status = 'sent' AND attempts = 2", lli(cp_hook)), 1);
	CU_ASSERT_EQUAL(count_at("/hook"), 2);
	push("n_fail", 0, 0, 1);
	CU_ASSERT(wait_at("/hook", 3, 5000) >= 3);
	/* refused for good */
	receiver_answer(rcv, 404, "no such hook", 0, 0);
	push("n_fail", 5, 1, 0);
	for (int i = 0; i < 50 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND status = 'dead'", lli(cp_hook)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND status = 'dead' AND attempts = 1 AND last_error LIKE '%404%'", lli(cp_hook)), 1);
	/* hangs: timed out (the stack's GOLDWATCH_HTTP_TIMEOUT_MS), queued again */
	receiver_answer(rcv, 200, "ok", 0, 1);
	push("n_fail", 0, 0, 1);
	for (int i = 0; i < 80 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND kind = 'resolved' AND status = 'queued'"
	    " AND attempts = 1", lli(cp_hook)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND kind = 'resolved' AND status = 'queued' AND attempts = 1", lli(cp_hook)), 1);
	receiver_answer(rcv, 200, "ok", 0, 0);
	/*
	 * slow but within the timeout: taken at the first attempt. Its alert
	 * fires while the service is still in the pass that timed out: the
	 * wake-up arrives during that pass's queries, and must not wait in
	 * libpq's queue until the next retry falls due
	 */
	receiver_answer(rcv, 200, "ok", 700, 0);
	push("n_fail", 5, 1, 0);
	for (int i = 0; i < 50 && SQL_INT("SELECT count(*) FROM mail_outbox o JOIN alerts a"
	    " ON a.id = o.alert_id WHERE a.rule_id = $1::bigint AND o.kind = 'fired'"
	    " AND o.status = 'sent' AND o.attempts = 1", lli(rule)) == 0; i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox o JOIN alerts a"
	    " ON a.id = o.alert_id WHERE a.rule_id = $1::bigint AND o.kind = 'fired'"
	    " AND o.status = 'sent' AND o.attempts = 1", lli(rule)), 1);
	receiver_answer(rcv, 200, "ok", 0, 0);
	push("n_fail", 0, 0, 1);
	/* the hung message's retry is a minute off: not into the next tests */
	quiet();
	test_exec("UPDATE mail_outbox SET status = 'dead' WHERE contact_point_id = $1::bigint"
	    " AND status = 'queued'", 1, TP(lli(cp_hook)));
	(void)rule;
}

/* A policy's e-mail contact point: the alert's own mail to each address, with its ack link. */
static void t_email_single(void)
{
	long long rule;

	contact_points();
	make_push_kpi("n_mail", 60);
	rule = rule_on("mail rule", "n_mail", "warning", 1);
	only_to(cp_mail);
	push("n_mail", 5, 1, 0);
	for (int i = 0; i < 50 && SQL_INT("SELECT count(*) FROM mail_outbox WHERE"
	    " contact_point_id = $1::bigint AND rule_id = $2::bigint", lli(cp_mail), lli(rule)) < 2;
	    i++)
		usleep(100 * 1000);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE contact_point_id = $1::bigint"
	    " AND rule_id = $2::bigint AND kind = 'fired' AND channel = 'email'"
	    " AND subject LIKE '%mail rule%'", lli(cp_mail), lli(rule)), 2);
	push("n_mail", 0, 0, 1);
}

/*
 * An alert that fires under a silence tells no contact point; when the
 * silence is deleted, goldwatch-escalate's next run tells them once that
 * it still fires, routed as a fire is.
 */
static void t_silence_release(void)
{
	char body[256], ends[40], path[64], at[40];
	long long rule, sil;
	struct http_resp r;
	struct rcv_request q;
	json_t *j;

	contact_points();
	make_push_kpi("n_sil", 60);
	rule = rule_on("silenced till", "n_sil", "critical", 1);
	only_to(cp_hook);
	time_format_iso(time_now_us() + 3600 * (int64_t)1000000, ends, sizeof(ends));
	snprintf(body, sizeof(body), "{\"scope\":\"rule\",\"rule_id\":%lld,\"ends_at\":\"%s\","
	    "\"reason\":\"inventory\"}", rule, ends);
	r = api("POST", "/api/alerts/silences", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 201);
	sil = jint(&r, "id");
	http_free(&r);
	push("n_sil", 5, 1, 0);
	usleep(500 * 1000);
	CU_ASSERT_EQUAL(count_at("/hook"), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM notices n JOIN alerts a ON a.id = n.alert_id"
	    " WHERE a.rule_id = $1::bigint", lli(rule)), 0);
	snprintf(path, sizeof(path), "/api/alerts/silences/%lld", sil);
	r = api("DELETE", path, fixture_users()->operator_, NULL);
	CU_ASSERT_TRUE(r.status == 200 || r.status == 204);
	http_free(&r);
	time_format_iso(time_now_us() + 60 * (int64_t)1000000, at, sizeof(at));
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-escalate' --now=%s >/dev/null 2>&1",
	    test_env("GW_TEST_BIN"), at), 0);
	CU_ASSERT_EQUAL_FATAL(wait_at("/hook", 1, 5000), 1);
	j = nth_at("/hook", 0, &q);
	CU_ASSERT_STRING_EQUAL(js(json_object_get(j, "kind")), "still_firing");
	CU_ASSERT_EQUAL(json_integer_value(jget(j, "alerts.0.rule_id")), rule);
	json_decref(j);
	rcv_request_free(&q);
	/* told once: a second run finds nothing to release */
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-escalate' --now=%s >/dev/null 2>&1",
	    test_env("GW_TEST_BIN"), at), 0);
	usleep(500 * 1000);
	CU_ASSERT_EQUAL(count_at("/hook"), 1);
	push("n_sil", 0, 0, 1);
}

/* Last: none of this suite's secrets in any log of the stack (nginx's included). */
static void t_no_secret_in_logs(void)
{
	CU_ASSERT_EQUAL(test_system("! grep -rqE '" SECRET "|notify-bot-token|secretpart' '%s/log'",
	    test_env("GW_TEST_STACK")), 0);
}

void suite_notify(void)
{
	static const struct test_case cases[] = {
		{"routing by severity and category, continue, the default policy", t_routing},
		{"the Alertmanager body of a fired and a resolved alert", t_alertmanager_fired},
		{"a burst in one message per contact point after the group wait", t_group_burst},
		{"Telegram: escaped HTML; the row shows no secret", t_telegram_escaped},
		{"a receiver that fails, refuses or hangs: retried, dead, retried", t_failures},
		{"an e-mail contact point gets the alert's own mail", t_email_single},
		{"a silenced alert tells its contact points when the silence ends", t_silence_release},
		{"no secret in any log", t_no_secret_in_logs},
		{NULL, NULL},
	};
	test_add_suite("notify", notify_init, notify_clean, cases);
}
