/*
 * test_deliveries.c - deliveries you can follow, on the real stack (its
 * delivery service and the test SMTP server, which refuses "reject-"
 * addresses for good): an alert's deliveries in the API and on its page,
 * retrying a dead message (operator, audited, the delivery service woken),
 * 409 on a sent one, failures per contact point on the dashboard and in
 * the digest; and the policy pages' forms: notification policies made,
 * moved, removed and refused at the field, escalation policies made,
 * changed, refused at the level and deleted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

#define OK_RCPT "deliv-ok@mail.goldwatch.test"
#define DEAD_RCPT "reject-deliv@mail.goldwatch.test"

static long long alert_id, dead_id, sent_id;

/* admin_form with the fields made by printf. */
static struct http_resp admin_formf(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct http_resp admin_formf(const char *path, const char *fmt, ...)
{
	struct http_resp r;
	va_list ap;
	char *f;

	va_start(ap, fmt);
	if (vasprintf(&f, fmt, ap) < 0)
		f = NULL;
	va_end(ap);
	r = admin_form(path, f ? f : "");
	free(f);
	return r;
}

/* A form POST with a bearer token (a script's, or the role matrix's way). */
static struct http_resp token_form(const char *path, const char *token, const char *fields)
{
	char auth[256];
	const char *h[] = {auth, "Content-Type: application/x-www-form-urlencoded", NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	return http_do("POST", path, h, fields, strlen(fields));
}

static int has(const struct http_resp *r, const char *s)
{
	return r->body && strstr(r->body, s) != NULL;
}

/* Waits (up to 10 s) until row id has status and attempts. */
static int wait_row(long long id, const char *status, int attempts)
{
	char ids[24], att[24];

	snprintf(ids, sizeof(ids), "%lld", id);
	snprintf(att, sizeof(att), "%d", attempts);
	for (int i = 0; i < 200; i++) {
		if (SQL_INT("SELECT count(*) FROM mail_outbox WHERE id = $1::bigint AND status = $2"
		    " AND attempts = $3::int", ids, status, att) == 1)
			return 1;
		test_sleep_ms(50);
	}
	return 0;
}

static long long row_of(long long alert, const char *rcpt)
{
	char ids[24];

	snprintf(ids, sizeof(ids), "%lld", alert);
	return SQL_INT("SELECT id FROM mail_outbox WHERE alert_id = $1::bigint AND recipient = $2",
	    ids, rcpt);
}

/* The item of the deliveries list whose id is id, or NULL. */
static json_t *item(const struct http_resp *r, long long id)
{
	json_t *v;
	size_t i;

	json_array_foreach(jget(r->json, "items"), i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			return v;
	return NULL;
}

static const char *s_of(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "(none)";
}

/*
 * A rule with two recipients fires: one mail is sent, the other refused
 * for good (dead). Both are the alert's deliveries, oldest first, in the
 * API (viewers too) and on the alert page; GET /api/notifications shows
 * their channel and contact point.
 */
static void t_alert_deliveries(void)
{
	struct http_resp r;
	char path[96];
	json_t *dead, *sent;
	long long rule;

	make_push_kpi("t_deliv", 0);
	push_value("t_deliv", 100, 0);
	rule = make_rule("{\"name\":\"Deliveries till\",\"kpi\":\"t_deliv\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"critical\",\"cooldown_minutes\":0,"
	    "\"recipients\":[\"" OK_RCPT "\",\"" DEAD_RCPT "\"]}");
	r = evaluate_rule(rule);
	EXPECT_STATUS(r, 200);
	alert_id = jint(&r, "fired.0.id");
	http_free(&r);
	CU_ASSERT_FATAL(alert_id > 0);
	sent_id = row_of(alert_id, OK_RCPT);
	dead_id = row_of(alert_id, DEAD_RCPT);
	CU_ASSERT_FATAL(sent_id > 0 && dead_id > 0);
	CU_ASSERT_TRUE(wait_row(sent_id, "sent", 1));
	CU_ASSERT_TRUE(wait_row(dead_id, "dead", 1));

	snprintf(path, sizeof(path), "/api/alerts/%lld/deliveries", alert_id);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 2);
	CU_ASSERT_TRUE(jint(&r, "items.0.id") < jint(&r, "items.1.id"));
	dead = item(&r, dead_id);
	sent = item(&r, sent_id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent);
	CU_ASSERT_STRING_EQUAL(s_of(dead, "status"), "dead");
	CU_ASSERT_STRING_EQUAL(s_of(dead, "target"), DEAD_RCPT);
	CU_ASSERT_STRING_EQUAL(s_of(dead, "channel"), "email");
	CU_ASSERT_STRING_EQUAL(s_of(dead, "kind"), "fired");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(dead, "attempts")), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s_of(dead, "last_error"), "550"));
	CU_ASSERT_TRUE(json_is_null(json_object_get(dead, "contact_point_id")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(dead, "contact_point")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(dead, "sent_at")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(dead, "next_attempt_at")));
	CU_ASSERT_STRING_EQUAL(s_of(sent, "status"), "sent");
	CU_ASSERT_STRING_EQUAL(s_of(sent, "target"), OK_RCPT);
	CU_ASSERT_TRUE(json_is_string(json_object_get(sent, "sent_at")));
	CU_ASSERT_TRUE(json_is_string(json_object_get(sent, "created_at")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(sent, "last_error")));
	http_free(&r);
	r = api("GET", "/api/alerts/999999999/deliveries", fixture_users()->viewer, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	r = api("GET", path, NULL, NULL);
	EXPECT_STATUS(r, 401);
	http_free(&r);

	/* the outbox list names the channel and the contact point */
	r = api("GET", "/api/notifications?status=dead&limit=500", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	dead = item(&r, dead_id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	CU_ASSERT_STRING_EQUAL(s_of(dead, "channel"), "email");
	CU_ASSERT_TRUE(json_is_null(json_object_get(dead, "contact_point_id")));
	CU_ASSERT_STRING_EQUAL(s_of(dead, "recipient"), DEAD_RCPT);
	http_free(&r);

	/* the page: the table for everyone, Retry only for operators and up */
	snprintf(path, sizeof(path), "/alerts/%lld", alert_id);
	r = page_as(path, fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "id=\"deliveries\""));
	CU_ASSERT_TRUE(has(&r, DEAD_RCPT));
	CU_ASSERT_TRUE(has(&r, OK_RCPT));
	CU_ASSERT_TRUE(has(&r, "e-mail recipients"));
	CU_ASSERT_FALSE(has(&r, "/retry\""));
	http_free(&r);
	r = page_as(path, fixture_users()->operator_);
	EXPECT_STATUS(r, 200);
	snprintf(path, sizeof(path), "action=\"/notifications/%lld/retry\"", dead_id);
	CU_ASSERT_TRUE(has(&r, path));
	snprintf(path, sizeof(path), "action=\"/notifications/%lld/retry\"", sent_id);
	CU_ASSERT_FALSE(has(&r, path));
	http_free(&r);
}

/*
 * Retry: refused below operator, 404 for no such row, 409 for a sent one
 * (nothing changes); an operator's retry queues the dead row again
 * (attempts 0, its last error kept), audited, and the delivery service,
 * woken, tries it at once (the server refuses it again: dead, 1 attempt).
 * The alert page's button does the same and comes back to the page.
 */
static void t_retry(void)
{
	struct http_resp r;
	char path[96], ids[24], *loc;

	CU_ASSERT_FATAL(dead_id > 0 && sent_id > 0);
	snprintf(ids, sizeof(ids), "%lld", dead_id);
	snprintf(path, sizeof(path), "/api/notifications/%lld/retry", dead_id);
	r = api("POST", path, fixture_users()->viewer, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE id = $1::bigint"
	    " AND status = 'dead'", ids), 1);
	r = api("POST", "/api/notifications/999999999/retry", fixture_users()->operator_, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);

	r = api("POST", path, fixture_users()->operator_, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "status", "queued");
	CU_ASSERT_EQUAL(jint(&r, "id"), dead_id);
	CU_ASSERT_EQUAL(jint(&r, "attempts"), 0);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "last_error") ? strstr(jstr(&r, "last_error"), "550") :
	    NULL);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'notification.retry'"
	    " AND object_type = 'notification' AND object_id = $1", ids), 1);
	r = api("GET", "/api/audit?object_type=notification", fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	/* woken by the retry, the delivery service tries it again right away */
	CU_ASSERT_TRUE(wait_row(dead_id, "dead", 1));

	/* a sent message is not retried */
	snprintf(path, sizeof(path), "/api/notifications/%lld/retry", sent_id);
	r = api("POST", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "not_dead");
	http_free(&r);
	CU_ASSERT_TRUE(wait_row(sent_id, "sent", 1));

	/* the page's button */
	snprintf(path, sizeof(path), "/notifications/%lld/retry", dead_id);
	{
		char *fields = xasprintf("back=%%2Falerts%%2F%lld", alert_id);
		r = token_form(path, fixture_users()->operator_, fields);
		free(fields);
	}
	EXPECT_STATUS(r, 303);
	loc = http_header(&r, "Location");
	http_free(&r);
	snprintf(path, sizeof(path), "/alerts/%lld", alert_id);
	CU_ASSERT_STRING_EQUAL(loc ? loc : "(none)", path);
	free(loc);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'notification.retry'"
	    " AND object_id = $1", ids), 2);
	CU_ASSERT_TRUE(wait_row(dead_id, "dead", 1));
	snprintf(path, sizeof(path), "/notifications/%lld/retry", sent_id);
	r = token_form(path, fixture_users()->operator_, "back=%2Falerts");
	EXPECT_STATUS(r, 303);
	CU_ASSERT_TRUE(r.headers && strstr(r.headers, "gw_flash=error:") != NULL);
	http_free(&r);
}

/* Rows of a contact point queued directly: status, attempts, created hours ago. */
static void outbox_row(const char *cp, const char *status, int attempts, int hours_ago)
{
	char att[24], ago[24];

	snprintf(att, sizeof(att), "%d", attempts);
	snprintf(ago, sizeof(ago), "%d", hours_ago);
	/* queued ones are due tomorrow: the delivery service leaves them be */
	test_exec("INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html,"
	    " status, attempts, contact_point_id, created_at, next_attempt_at, last_error)"
	    " VALUES ('fired', 'reject-cp@mail.goldwatch.test', 'x', 'x', 'x', $2, $3::int,"
	    " $1::bigint, now() - make_interval(hours => $4::int), now() + interval '1 day',"
	    " '550 refused')", 4, TP(cp, status, att, ago));
}

/*
 * Failures per contact point: the dashboard counts dead and retrying rows
 * as things stand, the digest those of its last 24 hours (a row of 30
 * hours ago counts on the dashboard only); rows without a contact point
 * count as "e-mail recipients"; a digest of a day with none says nothing.
 */
static void t_failure_counts(void)
{
	struct http_resp r;
	char cp[24], want[256], *body, *day_later, *args;
	long long plain;

	r = api("POST", "/api/contact-points", fixture_users()->admin, "{\"name\":\"Till phone\","
	    "\"kind\":\"email\",\"settings\":{\"addresses\":[\"reject-cp@mail.goldwatch.test\"]}}");
	EXPECT_STATUS(r, 201);
	snprintf(cp, sizeof(cp), "%lld", (long long)jint(&r, "id"));
	http_free(&r);
	outbox_row(cp, "dead", 5, 1);
	outbox_row(cp, "dead", 5, 2);
	outbox_row(cp, "dead", 5, 30);
	outbox_row(cp, "queued", 2, 1);
	outbox_row(cp, "queued", 0, 1);   /* never tried: not a failure */
	plain = SQL_INT0("SELECT count(*) FROM mail_outbox WHERE status = 'dead'"
	    " AND contact_point_id IS NULL");
	CU_ASSERT_TRUE(plain >= 1);

	r = page_as("/", fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "id=\"delivery-failures\""));
	snprintf(want, sizeof(want), "<a href=\"/contact-points/%s\">Till phone</a></td><td>3</td>"
	    "<td>1</td>", cp);
	CU_ASSERT_TRUE(has(&r, want));
	snprintf(want, sizeof(want), "e-mail recipients</td><td>%lld</td>", plain);
	CU_ASSERT_TRUE(has(&r, want));
	http_free(&r);

	/* the digest of now: this contact point's last 24 hours (2 dead, 1 retrying) */
	args = xasprintf("'%s/goldwatch-digest' >>'%s/log/deliveries-tests.log' 2>&1",
	    test_env("GW_TEST_BIN"), test_env("GW_TEST_STACK"));
	CU_ASSERT_EQUAL(test_system("%s", args), 0);
	free(args);
	body = test_sql_str("SELECT body_text FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = $1 ORDER BY id DESC LIMIT 1", 1, TP(OK_RCPT));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Messages that failed (last 24 hours)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "  - Till phone: 2 dead, 1 still retrying\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "  - e-mail recipients: "));
	free(body);
	body = test_sql_str("SELECT body_html FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = $1 ORDER BY id DESC LIMIT 1", 1, TP(OK_RCPT));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Messages that failed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, ">Till phone</td>"));
	free(body);

	/* three days on, nothing of the day failed: no such section */
	{
		char at[40];
		time_format_iso(time_now_us() + INT64_C(3) * 86400 * 1000000, at, sizeof(at));
		args = xasprintf("'%s/goldwatch-digest' --now=%s >>'%s/log/deliveries-tests.log' 2>&1",
		    test_env("GW_TEST_BIN"), at, test_env("GW_TEST_STACK"));
		day_later = test_shop_day(at);
	}
	CU_ASSERT_EQUAL(test_system("%s", args), 0);
	free(args);
	body = test_sql_str("SELECT body_text FROM mail_outbox WHERE kind = 'digest'"
	    " AND recipient = $1 AND dedup_key = 'digest:' || $2 || ':' || $1", 2,
	    TP(OK_RCPT, day_later));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "goldwatch daily summary"));
	CU_ASSERT_PTR_NULL(strstr(body, "Messages that failed"));
	free(body);
	free(day_later);
	test_exec("DELETE FROM mail_outbox WHERE contact_point_id = $1::bigint", 1, TP(cp));
	r = page_as("/", fixture_users()->viewer);
	CU_ASSERT_FALSE(has(&r, "Till phone"));
	http_free(&r);
}

/* An e-mail contact point named name (asserted made). */
static long long mail_cp(const char *name)
{
	char *body = xasprintf("{\"name\":\"%s\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"pages@shop.test\"]}}", name);
	long long id = make_cp(body);

	CU_ASSERT(id > 0);
	free(body);
	return id;
}

static json_t *policies_now(void)
{
	struct http_resp r = api("GET", "/api/notification-policies", fixture_users()->admin, NULL);
	json_t *out = json_incref(r.json);

	EXPECT_STATUS(r, 200);
	http_free(&r);
	return out;
}

static long long cp_at(const json_t *routing, int i)
{
	char path[64];

	snprintf(path, sizeof(path), "policies.%d.contact_points.0", i);
	return json_integer_value(jget(routing, path));
}

/*
 * The notification policies page: a policy added from the blank one,
 * then a second; moved down; a refusal at its field (nothing changes);
 * removed; the viewer reads the form disabled, without Save.
 */
/* the contact points of the page tests, and the audit count before them */
static long long pa, pb, audits;

static void t_policy_page(void)
{
	struct http_resp r;
	json_t *now;
	long long a = pa = mail_cp("Pages owner"), b = pb = mail_cp("Pages stock");

	audits = SQL_INT0("SELECT count(*) FROM audit_log WHERE object_type = 'notification_policies'");
	CU_ASSERT_FATAL(a > 0 && b > 0);
	r = admin_formf("/notification-policies", "count=0&pnew_severity_critical=1"
	    "&pnew_cp_%lld=1&pnew_continue=1&pnew_wait=0"
	    "&pd_cp_%lld=1&pd_repeat=60", a, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	r = admin_formf("/notification-policies", "count=1&p0_severity_critical=1"
	    "&p0_cp_%lld=1&p0_continue=1&p0_wait=0"
	    "&pnew_category_operational=1&pnew_kpi_t_deliv=1&pnew_cp_%lld=1&pnew_repeat=30"
	    "&pd_cp_%lld=1",
	    a, b, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	now = policies_now();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(now, "policies")), 2);
	CU_ASSERT_EQUAL(cp_at(now, 0), a);
	CU_ASSERT_TRUE(json_is_true(jget(now, "policies.0.continue")));
	CU_ASSERT_EQUAL(json_integer_value(jget(now, "policies.0.group_wait_seconds")), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(jget(now, "policies.1.matchers.kpi.0")), "t_deliv");
	CU_ASSERT_EQUAL(json_integer_value(jget(now, "policies.1.repeat_minutes")), 30);
	CU_ASSERT_TRUE(json_is_null(jget(now, "default.repeat_minutes")));
	json_decref(now);

	/* the page shows them as stored */
	r = page_as("/notification-policies", fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "name=\"count\" value=\"2\""));
	CU_ASSERT_TRUE(has(&r, "name=\"p1_category_operational\" value=\"1\" checked"));
	CU_ASSERT_TRUE(has(&r, "value=\"down-0\""));
	CU_ASSERT_FALSE(has(&r, "value=\"up-0\""));
	http_free(&r);

	/* moved down: the whole form submitted, the order changed */
	r = admin_formf("/notification-policies", "count=2&p0_severity_critical=1"
	    "&p0_cp_%lld=1&p0_continue=1&p0_wait=0"
	    "&p1_category_operational=1&p1_kpi_t_deliv=1&p1_cp_%lld=1&p1_repeat=30"
	    "&pd_cp_%lld=1&op=down-0",
	    a, b, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	now = policies_now();
	CU_ASSERT_EQUAL(cp_at(now, 0), b);
	CU_ASSERT_EQUAL(cp_at(now, 1), a);
	CU_ASSERT_TRUE(json_is_true(jget(now, "policies.1.continue")));
	json_decref(now);

}

/* The same page: refusals at their field (nothing changes), a removal, the viewer's view. */
static void t_policy_page_refusals(void)
{
	long long a = pa, b = pb;
	struct http_resp r;
	json_t *now;

	CU_ASSERT_FATAL(a > 0 && b > 0);
	r = admin_formf("/notification-policies", "count=2&p0_cp_%lld=1&p0_wait=soon"
	    "&p1_cp_%lld=1&p1_severity_critical=1&pd_cp_%lld=1",
	    b, a, b);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-p0-wait\">Group wait, seconds must be"));
	CU_ASSERT_TRUE(has(&r, "value=\"soon\""));
	http_free(&r);
	r = admin_formf("/notification-policies", "count=1&p0_cp_999999999=1&pd_cp_%lld=1", b);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-p0-cp\">There is no contact point 999999999"));
	http_free(&r);
	now = policies_now();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(now, "policies")), 2);
	CU_ASSERT_EQUAL(cp_at(now, 0), b);
	json_decref(now);

	/* removed */
	r = admin_formf("/notification-policies", "count=2&p0_category_operational=1"
	    "&p0_cp_%lld=1&p1_severity_critical=1"
	    "&p1_cp_%lld=1&pd_cp_%lld=1&op=remove-0", b, a, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	now = policies_now();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(now, "policies")), 1);
	CU_ASSERT_EQUAL(cp_at(now, 0), a);
	json_decref(now);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log"
	    " WHERE object_type = 'notification_policies'"), audits + 4);

	/* a viewer reads them; an operator may not save */
	r = page_as("/notification-policies", fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "<fieldset disabled>"));
	CU_ASSERT_FALSE(has(&r, "Save the policies"));
	CU_ASSERT_FALSE(has(&r, "policy-pnew"));
	http_free(&r);
	r = token_form("/notification-policies", fixture_users()->operator_, "count=0");
	EXPECT_STATUS(r, 403);
	http_free(&r);

	/* emptied again: the suites after this one start from no policies */
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, "{\"policies\":[]}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

/*
 * Rules are matched by their ids, typed: a word that is no id is refused at
 * the field and kept as typed; ids are saved and shown with their names.
 */
static void t_policy_page_rule_ids(void)
{
	long long b = pb, rule;
	struct http_resp r;
	json_t *now;
	char want[96];

	CU_ASSERT_FATAL(b > 0);
	make_push_kpi("t_deliv_rids", 0);
	rule = make_simple_rule("Ring stock by id", "t_deliv_rids", "lt", 5, "");
	r = admin_formf("/notification-policies", "count=1&p0_cp_%lld=1&p0_rules=%lld%%2C+ring"
	    "&pd_cp_%lld=1", b, rule, b);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-p0-rule\">"));
	CU_ASSERT_FALSE(has(&r, "id=\"err-p0-rule\"></p>"));
	snprintf(want, sizeof(want), "value=\"%lld, ring\"", rule);
	CU_ASSERT_TRUE(has(&r, want));
	http_free(&r);
	r = admin_formf("/notification-policies", "count=1&p0_cp_%lld=1&p0_rules=+%lld+"
	    "&pd_cp_%lld=1", b, rule, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	now = policies_now();
	CU_ASSERT_EQUAL(json_integer_value(jget(now, "policies.0.matchers.rule_ids.0")), rule);
	CU_ASSERT_EQUAL(json_array_size(jget(now, "policies.0.matchers.rule_ids")), 1);
	json_decref(now);
	r = page_as("/notification-policies", fixture_users()->admin);
	snprintf(want, sizeof(want), "value=\"%lld\"", rule);
	CU_ASSERT_TRUE(has(&r, want));
	CU_ASSERT_TRUE(has(&r, "Ring stock by id; "));
	http_free(&r);
	/* as the browser's step expects to find them: none */
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, "{\"policies\":[]}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
}


/*
 * The escalation policy pages: a level added to the form (nothing
 * stored), the policy made, changed, refused at its level (nothing
 * changes), a level removed from the form, deleted.
 */
static long long ep_id;

static void t_escalation_page(void)
{
	long long a = pa = mail_cp("Escalation page owner"), b = pb = mail_cp("Escalation page stock");
	struct http_resp r;
	char path[64], *loc;
	long long id, before = SQL_INT0("SELECT count(*) FROM escalation_policies");

	r = admin_formf("/escalation-policies", "count=1&name=Page+escalation&l0_after=15"
	    "&l0_cp_%lld=1&repeat=0&op=add", a);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "id=\"level-2\""));
	CU_ASSERT_TRUE(has(&r, "name=\"l0_after\" type=\"text\" inputmode=\"numeric\""
	    " maxlength=\"6\" value=\"15\""));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM escalation_policies"), before);

	r = admin_formf("/escalation-policies", "count=2&name=Page+escalation&l0_after=15"
	    "&l0_cp_%lld=1&l1_after=30&l1_cp_%lld=1"
	    "&l1_cp_%lld=1&repeat=1", a, a, b);
	EXPECT_STATUS(r, 303);
	loc = http_header(&r, "Location");
	CU_ASSERT_STRING_EQUAL(loc ? loc : "", "/escalation-policies");
	free(loc);
	http_free(&r);
	id = ep_id = SQL_INT0("SELECT id FROM escalation_policies WHERE name = 'Page escalation'");
	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", id);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "levels")), 2);
	CU_ASSERT_EQUAL(jint(&r, "levels.1.after_minutes"), 30);
	CU_ASSERT_EQUAL(jint(&r, "levels.1.contact_points.1"), b);
	CU_ASSERT_EQUAL(jint(&r, "repeat"), 1);
	http_free(&r);

	/* the list, and the page of it */
	r = page_as("/escalation-policies", fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "after 30 min: Escalation page owner, Escalation page stock"));
	CU_ASSERT_FALSE(has(&r, "/escalation-policies/new"));
	http_free(&r);
	snprintf(path, sizeof(path), "/escalation-policies/%lld", id);
	r = page_as(path, fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(has(&r, "<fieldset disabled>"));
	CU_ASSERT_FALSE(has(&r, "/delete\""));
	http_free(&r);

}

/* The policy's page: changed, refused at its level, a level removed from the form, deleted. */
static void t_escalation_page_change(void)
{
	long long a = pa, b = pb;
	struct http_resp r;
	char path[64];

	CU_ASSERT_FATAL(ep_id > 0);
	snprintf(path, sizeof(path), "/escalation-policies/%lld", ep_id);
	/* changed */
	r = admin_formf(path, "count=2&name=Page+escalation&l0_after=10&l0_cp_%lld=1"
	    "&l1_after=20&l1_cp_%lld=1"
	    "&repeat=2", a, b);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT repeat FROM escalation_policies"
	    " WHERE name = 'Page escalation'"), 2);

	/* refused at its level, as typed; nothing changed */
	r = admin_formf(path, "count=2&name=Page+escalation&l0_after=10&l0_cp_%lld=1"
	    "&l1_after=0&l1_cp_%lld=1"
	    "&repeat=2", a, b);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-l1-after\">Minutes after the level before must be"));
	http_free(&r);
	r = admin_formf(path, "count=2&name=Page+escalation&l0_after=10&l0_cp_%lld=1"
	    "&l1_after=20&repeat=2", a);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_TRUE(has(&r, "id=\"err-l1-cp\">"));
	CU_ASSERT_FALSE(has(&r, "id=\"err-l1-cp\"></p>"));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT (levels->1->>'after_minutes')::int FROM escalation_policies"
	    " WHERE name = 'Page escalation'"), 20);

	/* a level removed from the form: shown, not stored until saved */
	r = admin_formf(path, "count=2&name=Page+escalation&l0_after=10&l0_cp_%lld=1"
	    "&l1_after=20&l1_cp_%lld=1"
	    "&repeat=2&op=remove-0", a, b);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_FALSE(has(&r, "id=\"level-2\""));
	CU_ASSERT_TRUE(has(&r, "value=\"20\""));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT jsonb_array_length(levels) FROM escalation_policies"
	    " WHERE name = 'Page escalation'"), 2);

	snprintf(path, sizeof(path), "/escalation-policies/%lld/delete", ep_id);
	r = admin_form(path, "confirm=1");
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM escalation_policies"
	    " WHERE name = 'Page escalation'"), 0);
	r = admin_form(path, "confirm=1");
	EXPECT_STATUS(r, 404);
	http_free(&r);
}

void suite_deliveries(void)
{
	static const struct test_case cases[] = {
		{"an alert's deliveries: the API, the list's channel, the page", t_alert_deliveries},
		{"retry a dead message: roles, 404, 409, audited, delivered again", t_retry},
		{"failures per contact point: the dashboard and the digest", t_failure_counts},
		{"the notification policies page: add from the blank one, move down", t_policy_page},
		{"the notification policies page: refused at the field, remove, viewers read",
		    t_policy_page_refusals},
		{"the notification policies page: rules by their ids, refused at the field",
		    t_policy_page_rule_ids},
		{"the escalation policy pages: add a level, make, list, viewers read",
		    t_escalation_page},
		{"an escalation policy's page: change, refuse at the level, remove a level, delete",
		    t_escalation_page_change},
		{NULL, NULL},
	};
	test_add_suite("deliveries", NULL, NULL, cases);
}
