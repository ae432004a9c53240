/*
 * test_lifecycle.c - an alert's life around the changes made to its rule
 * and KPI: a disabled rule's open alert is resolved and never escalates
 * again, re-enabled it starts from normal; a silenced alert's escalation
 * waits for the silence, whose end is told once ("still firing"); a push KPI that rules use is
 * not deleted (409 naming them); the resolved mail says the value is back
 * and for how long it was out, and is not styled as an alarm. Later moments are given to the jobs with --now.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

#define ESCALATION "\"escalation\":{\"after_minutes\":10,\"recipients\":[\"boss@shop.example\"]}"

static long long fire(long long rule)
{
	struct http_resp r = evaluate_rule(rule);
	long long id = jint(&r, "fired.0.id");

	http_free(&r);
	return id;
}

/* A push KPI at 10, a rule "above 5" on it escalating after 10 minutes,
 * and its alert fired now (*alert); the rule's id. */
static long long firing_rule(const char *kpi, const char *name, long long *alert)
{
	long long rule;

	make_push_kpi(kpi, 1440);
	push_value(kpi, 10, 0);
	rule = make_simple_rule(name, kpi, "gt", 5, ESCALATION);
	*alert = fire(rule);
	CU_ASSERT_TRUE_FATAL(*alert > 0);
	return rule;
}

/* The alert's column as text (state, resolve_reason, escalation_level). */
static char *alert_col(long long alert, const char *col)
{
	char a[24], *sql = xasprintf("SELECT %s::text FROM alerts WHERE id = $1::bigint", col);
	char *v;

	snprintf(a, sizeof(a), "%lld", alert);
	v = test_sql_str(sql, 1, (const char *const[]){a});
	free(sql);
	return v;
}

static void expect_alert(long long alert, const char *col, const char *want)
{
	char *v = alert_col(alert, col);

	CU_ASSERT_STRING_EQUAL(v ? v : "(null)", want);
	free(v);
}

static long long resolved_events(long long alert)
{
	char a[24];

	snprintf(a, sizeof(a), "%lld", alert);
	return SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.resolved'"
	    " AND (data->>'id')::bigint = $1::bigint", a);
}

/* The members of rule a PUT takes (the rest is the server's), null ones left out. */
static json_t *writable(json_t *rule)
{
	static const char *const keys[] = {"name", "description", "kpi", "condition",
	    "threshold", "severity", "cooldown_minutes", "for_evaluations", "window_minutes",
	    "window_samples", "recipients", "notify_resolved", "escalation"};
	json_t *out = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(rule, keys[i]);
		if (v != NULL && !json_is_null(v))
			json_object_set(out, keys[i], v);
	}
	json_decref(rule);
	return out;
}

/* PUT of the rule as it is with enabled set. */
static void put_enabled(long long rule, int enabled)
{
	char path[64];
	struct http_resp r;
	json_t *body;
	char *text;

	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", rule);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	body = json_loads(r.body, 0, NULL);
	http_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body = writable(body);
	json_object_set_new(body, "enabled", json_boolean(enabled));
	text = json_dumps(body, JSON_COMPACT);
	r = api("PUT", path, fixture_users()->admin, text);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(text);
	json_decref(body);
}

/* The rules page's switch, as the admin's browser sends it. */
static void page_switch(long long rule, int enabled)
{
	char path[64], cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	char *body = xasprintf("_csrf=%s&enabled=%d", fixture_users()->admin_csrf, enabled);
	struct http_resp r;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->admin);
	snprintf(path, sizeof(path), "/rules/%lld/enabled", rule);
	r = http_do("POST", path, h, body, strlen(body));
	EXPECT_STATUS(r, 303);
	http_free(&r);
	free(body);
}

/* goldwatch-escalate at now + minutes. */
static void escalate_later(int minutes)
{
	char at[40];

	time_format_iso(time_now_us() + (int64_t)minutes * 60000000, at, sizeof(at));
	CU_ASSERT_EQUAL(test_system("'%s/goldwatch-escalate' --now=%s >>'%s/log/lifecycle-tests.log'"
	    " 2>&1", test_env("GW_TEST_BIN"), at, test_env("GW_TEST_STACK")), 0);
}

/* Disabled by the API while firing: resolved at once, told, never escalated. */
static void t_disable_resolves_firing(void)
{
	long long rule, alert, again;

	rule = firing_rule("t_life_dis", "disable me", &alert);
	put_enabled(rule, 0);
	expect_alert(alert, "state", "resolved");
	expect_alert(alert, "resolve_reason", "rule disabled");
	CU_ASSERT_EQUAL(resolved_events(alert), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "resolved"), 2);   /* both recipients */
	escalate_later(60);
	expect_alert(alert, "escalation_level", "0");
	CU_ASSERT_EQUAL(outbox_of(rule, "escalated"), 0);
	/* re-enabled: a new breach is a new alert, from normal */
	put_enabled(rule, 1);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 0);
	again = fire(rule);
	CU_ASSERT_TRUE(again > 0 && again != alert);
	CU_ASSERT_EQUAL(alerts_of(rule, "firing"), 1);
	expect_alert(alert, "state", "resolved");
}

/* Disabled on the rules page while acknowledged: the same. */
static void t_disable_resolves_acknowledged(void)
{
	long long rule, alert;
	char body[64];
	struct http_resp r;

	rule = firing_rule("t_life_ack", "acked then disabled", &alert);
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld]}", alert);
	r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, body);
	http_free(&r);
	expect_alert(alert, "state", "acknowledged");
	page_switch(rule, 0);
	expect_alert(alert, "state", "resolved");
	expect_alert(alert, "resolve_reason", "rule disabled");
	CU_ASSERT_EQUAL(resolved_events(alert), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "resolved"), 2);
	/* an unchanged switch resolves nothing twice */
	page_switch(rule, 0);
	CU_ASSERT_EQUAL(resolved_events(alert), 1);
	escalate_later(60);
	expect_alert(alert, "escalation_level", "0");
}

static long long kpi_audits(const char *key)
{
	return SQL_INT("SELECT count(*) FROM audit_log WHERE object_type = 'kpi'"
	    " AND object_id = $1", key);
}

/* A push KPI that rules use (enabled or not) is not deleted, and says which. */
static void t_kpi_in_use_not_deleted(void)
{
	long long on, off, audits;
	char path[64];
	struct http_resp r;
	json_t *rules;

	make_push_kpi("t_life_kpi", 0);
	on = make_simple_rule("watches the kpi", "t_life_kpi", "gt", 5, "");
	off = make_simple_rule("off but on the kpi", "t_life_kpi", "lt", 1, "\"enabled\":false");
	audits = kpi_audits("t_life_kpi");
	r = api("DELETE", "/api/kpis/t_life_kpi", fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	rules = jget(r.json, "error.details.rules");
	CU_ASSERT_EQUAL(json_array_size(rules), 2);
	CU_ASSERT_EQUAL(jint(&r, "error.details.rules.0.id"), on);
	EXPECT_JSTR(r, "error.details.rules.0.name", "watches the kpi");
	CU_ASSERT_EQUAL(jint(&r, "error.details.rules.1.id"), off);
	EXPECT_JSTR(r, "error.details.rules.1.name", "off but on the kpi");
	http_free(&r);
	/* nothing changed: not deleted, still takes values, nothing audited */
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM kpis WHERE key = 't_life_kpi'"
	    " AND deleted_at IS NULL"), 1);
	push_value("t_life_kpi", 3, 0);
	CU_ASSERT_EQUAL(kpi_audits("t_life_kpi"), audits);
	/* without its rules it goes */
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", on);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", off);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = api("DELETE", "/api/kpis/t_life_kpi", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	CU_ASSERT_EQUAL(kpi_audits("t_life_kpi"), audits + 1);
}

/* A column of rule's one mail of kind (malloc'd; NULL if none or many). */
static char *mail_col(long long rule, const char *kind, const char *col)
{
	char id[24], *sql = xasprintf("SELECT %s FROM mail_outbox WHERE rule_id = $1::bigint"
	    " AND kind = $2 AND (SELECT count(*) FROM mail_outbox WHERE rule_id = $1::bigint"
	    " AND kind = $2 AND recipient = 'owner@shop.example') = 1"
	    " AND recipient = 'owner@shop.example'", col);
	char *v;

	snprintf(id, sizeof(id), "%lld", rule);
	v = test_sql_str(sql, 2, (const char *const[]){id, kind});
	free(sql);
	return v;
}

static void expect_in(const char *text, const char *part, int want)
{
	int has = text != NULL && strstr(text, part) != NULL;

	if (has != want)
		fprintf(stderr, "\n    %s \"%s\"\n", want ? "missing" : "unwanted", part);
	CU_ASSERT_EQUAL(has, want);
}

/*
 * Fired now, resolved by the timer's run 2 h 15 min later: the resolved
 * mail says the value is back, for how long it was out, and looks calm.
 */
static void t_resolved_mail_says_back_to_normal(void)
{
	static const char *const parts[] = {"Resolved: back to normal",
	    "t_life_mail is back to normal: 3 USD now, no longer above 5 USD.",
	    "It was out for 2 hours 15 minutes."};
	static const char *const alarm[] = {"ALERT", "CRITICAL", "#b42318", "#b54708"};
	long long rule, alert;
	char args[96], at[40], *subject, *text, *html;

	make_push_kpi("t_life_mail", 1440);
	push_value("t_life_mail", 10, 0);
	rule = make_simple_rule("T life mail high", "t_life_mail", "gt", 5, "");
	alert = fire(rule);
	CU_ASSERT_TRUE_FATAL(alert > 0);
	push_value("t_life_mail", 3, 0);
	time_format_iso(time_now_us() + 135 * INT64_C(60000000), at, sizeof(at));
	snprintf(args, sizeof(args), "--now=%s --rule %lld", at, rule);
	CU_ASSERT_EQUAL_FATAL(run_evaluate(NULL, args), 0);
	expect_alert(alert, "state", "resolved");
	expect_alert(alert, "resolve_reason", "condition cleared");
	subject = mail_col(rule, "resolved", "subject");
	text = mail_col(rule, "resolved", "body_text");
	html = mail_col(rule, "resolved", "body_html");
	CU_ASSERT_STRING_EQUAL(subject ? subject : "(none)",
	    "[goldwatch] Resolved: T life mail high - t_life_mail 3 USD");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		expect_in(text, parts[i], 1);
		expect_in(html, parts[i], 1);
	}
	for (size_t i = 0; i < sizeof(alarm) / sizeof(alarm[0]); i++) {
		expect_in(text, alarm[i], 0);
		expect_in(html, alarm[i], 0);
	}
	/* the firing's own mail is still the alarm */
	free(html);
	html = mail_col(rule, "fired", "body_html");
	expect_in(html, "#b42318", 1);
	expect_in(html, "CRITICAL", 1);
	free(subject);
	free(text);
	free(html);
}

/* A silence of rule from now for minutes; its id. */
static long long silence_rule(long long rule, int minutes)
{
	char body[256], ends[40];
	struct http_resp r;
	long long id;

	time_format_iso(time_now_us() + (int64_t)minutes * 60000000, ends, sizeof(ends));
	snprintf(body, sizeof(body), "{\"scope\":\"rule\",\"rule_id\":%lld,\"ends_at\":\"%s\","
	    "\"reason\":\"stocktaking\"}", rule, ends);
	r = api("POST", "/api/alerts/silences", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 201);
	id = jint(&r, "id");
	http_free(&r);
	return id;
}

/*
 * Silenced for an hour: the level stays while the silence lasts; at its
 * end the recipients are told once that it still fires, and the next
 * level comes a full step (10 minutes) after the end, not at once.
 */
static void t_silence_holds_escalation(void)
{
	long long rule, alert;

	rule = firing_rule("t_life_sil", "silenced while firing", &alert);
	silence_rule(rule, 60);
	escalate_later(30);
	escalate_later(50);
	expect_alert(alert, "escalation_level", "0");
	CU_ASSERT_EQUAL(outbox_of(rule, "escalated"), 0);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 0);
	/* the silence is over: told once, both recipients, nothing escalated yet */
	escalate_later(61);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 2);
	expect_alert(alert, "escalation_level", "0");
	escalate_later(65);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 2);
	expect_alert(alert, "escalation_level", "0");
	/* a step after the end: level 1, to the escalation recipient */
	escalate_later(72);
	expect_alert(alert, "escalation_level", "1");
	CU_ASSERT_EQUAL(outbox_of(rule, "escalated"), 1);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 2);
	{
		char *subject = mail_col(rule, "still_firing", "subject");

		CU_ASSERT_STRING_EQUAL(subject ? subject : "(none)",
		    "[goldwatch] Still firing CRITICAL: silenced while firing - t_life_sil 10 USD");
		free(subject);
	}
}

/* A silence deleted early ends it too: told once at the next run. */
static void t_deleted_silence_tells(void)
{
	long long rule, alert, sil;
	char path[64];
	struct http_resp r;

	rule = firing_rule("t_life_sil2", "silence deleted", &alert);
	sil = silence_rule(rule, 600);
	escalate_later(20);
	expect_alert(alert, "escalation_level", "0");
	snprintf(path, sizeof(path), "/api/alerts/silences/%lld", sil);
	r = api("DELETE", path, fixture_users()->operator_, NULL);
	CU_ASSERT_TRUE(r.status == 200 || r.status == 204);
	http_free(&r);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 0);
	escalate_later(25);
	CU_ASSERT_EQUAL(outbox_of(rule, "still_firing"), 2);
	expect_alert(alert, "escalation_level", "0");
	escalate_later(36);
	expect_alert(alert, "escalation_level", "1");
}

void suite_lifecycle(void)
{
	static const struct test_case cases[] = {
		{"disabling a firing rule resolves it, no escalation after", t_disable_resolves_firing},
		{"the page's switch resolves an acknowledged alert", t_disable_resolves_acknowledged},
		{"a push KPI that rules use is not deleted", t_kpi_in_use_not_deleted},
		{"the resolved mail: back to normal, for how long, not an alarm",
		    t_resolved_mail_says_back_to_normal},
		{"a silence holds escalation; its end is told once", t_silence_holds_escalation},
		{"a deleted silence ends the hold too", t_deleted_silence_tells},
		{NULL, NULL},
	};
	test_add_suite("lifecycle", NULL, NULL, cases);
}
