/*
 * test_api.c - the alert REST API: history with filters and keyset paging
 * under concurrent inserts, acknowledge, summary, silences, events, audit,
 * rule deletion with open alerts, and text stored verbatim.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

static void t_acknowledge(void)
{
	const struct fixture_users *u = fixture_users();
	long long id, alert;
	char body[256], path[64];
	struct http_resp r;

	make_push_kpi("t_ack", 0);
	push_value("t_ack", 10, 0);
	id = make_simple_rule("ack me", "t_ack", "gt", 5, "");
	r = evaluate_rule(id);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	CU_ASSERT_TRUE_FATAL(alert > 0);
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld,%lld,999999999],\"note\":\"on it\"}",
	    alert, alert);
	r = api("POST", "/api/alerts/acknowledge", u->operator_, body);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "acknowledged")), 1);
	CU_ASSERT_EQUAL(jint(&r, "acknowledged.0"), alert);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "already")), 0);
	CU_ASSERT_EQUAL(jint(&r, "not_found.0"), 999999999);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/%lld", alert);
	r = api("GET", path, u->viewer, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "state", "acknowledged");
	EXPECT_JSTR(r, "acknowledged_by", "operator1");
	EXPECT_JSTR(r, "ack_note", "on it");
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "acknowledged_at"));
	http_free(&r);
	{
		char a[24];
		snprintf(a, sizeof(a), "%lld", alert);
		CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.acknowledged'"
		    " AND (data->>'id')::bigint = $1::bigint AND data->>'acknowledged_by' = 'operator1'",
		    a), 1);
	}
	/* again: already; the note and the time stay */
	snprintf(body, sizeof(body), "{\"alert_ids\":[%lld],\"note\":\"again\"}", alert);
	r = api("POST", "/api/alerts/acknowledge", u->admin, body);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "already.0"), alert);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "acknowledged")), 0);
	http_free(&r);
	r = api("GET", path, u->viewer, NULL);
	EXPECT_JSTR(r, "ack_note", "on it");
	http_free(&r);
	/* one alert that does not exist: the UPDATE alone changed nothing */
	r = api("POST", "/api/alerts/acknowledge", u->admin, "{\"alert_ids\":[999999998]}");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "not_found.0"), 999999998);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "acknowledged")), 0);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "already")), 0);
	http_free(&r);
	/* an acknowledged alert still resolves when the condition clears */
	push_value("t_ack", 1, 0);
	r = evaluate_rule(id);
	CU_ASSERT_EQUAL(jint(&r, "resolved.0.id"), alert);
	EXPECT_JSTR(r, "resolved.0.acknowledged_by", "operator1");
	http_free(&r);
}

/*
 * Acknowledgements racing for the same alerts: eight of one alert each
 * (the UPDATE alone decides) and, at the same time, bulk ones naming the
 * same alerts in opposite orders (locked in id order first). Each alert
 * is acknowledged by exactly one call with one event; every other call
 * answers it as already acknowledged, and none fails or deadlocks.
 */
struct ack_racer {
	char body[128];
	long status;
	size_t acked;
};

static void *race_ack(void *arg)
{
	struct ack_racer *a = arg;
	struct http_resp r = api("POST", "/api/alerts/acknowledge", fixture_users()->operator_, a->body);

	a->status = r.status;
	a->acked = json_array_size(jget(r.json, "acknowledged"));
	http_free(&r);
	return NULL;
}

static void t_acknowledge_race(void)
{
	enum { ONE = 8, BULK = 4 };
	struct ack_racer racers[ONE + BULK];
	pthread_t th[ONE + BULK];
	struct http_resp r;
	long long a, b;
	size_t acked = 0;
	char ids[64];

	fixture_users();
	make_push_kpi("t_ack_race", 0);
	push_value("t_ack_race", 10, 0);
	a = make_simple_rule("ack race a", "t_ack_race", "gt", 5, "");
	b = make_simple_rule("ack race b", "t_ack_race", "gt", 5, "");
	r = evaluate_rules((long long[]){a, b}, 2);
	http_free(&r);
	a = SQL_INT0("SELECT id FROM alerts WHERE rule_name = 'ack race a' AND state = 'firing'");
	b = SQL_INT0("SELECT id FROM alerts WHERE rule_name = 'ack race b' AND state = 'firing'");
	CU_ASSERT_TRUE_FATAL(a > 0 && b > 0);
	for (int i = 0; i < ONE + BULK; i++) {
		if (i < ONE)
			snprintf(racers[i].body, sizeof(racers[i].body), "{\"alert_ids\":[%lld]}", a);
		else
			snprintf(racers[i].body, sizeof(racers[i].body), "{\"alert_ids\":[%lld,%lld]}",
			    i % 2 ? a : b, i % 2 ? b : a);
		pthread_create(&th[i], NULL, race_ack, &racers[i]);
	}
	for (int i = 0; i < ONE + BULK; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(racers[i].status, 200);
		acked += racers[i].acked;
	}
	CU_ASSERT_EQUAL(acked, 2);
	snprintf(ids, sizeof(ids), "{%lld,%lld}", a, b);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.acknowledged'"
	    " AND (data->>'id')::bigint = ANY($1::bigint[])", ids), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE id = ANY($1::bigint[])"
	    " AND state = 'acknowledged' AND acknowledged_by = 'operator1'", ids), 2);
}

static void t_summary(void)
{
	struct http_resp r = api("GET", "/api/alerts/summary", fixture_users()->viewer, NULL);

	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "firing"), SQL_INT0("SELECT count(*) FROM alerts WHERE state = 'firing'"));
	CU_ASSERT_EQUAL(jint(&r, "acknowledged"),
	    SQL_INT0("SELECT count(*) FROM alerts WHERE state = 'acknowledged'"));
	CU_ASSERT_EQUAL(jint(&r, "resolved_24h"), SQL_INT0("SELECT count(*) FROM alerts WHERE"
	    " state = 'resolved' AND resolved_at > now() - interval '1 day'"));
	CU_ASSERT_EQUAL(jint(&r, "by_severity.critical") + jint(&r, "by_severity.warning") +
	    jint(&r, "by_severity.info"), jint(&r, "firing") + jint(&r, "acknowledged"));
	/* the shop's rules: the system rules (goldwatch itself) are not counted */
	CU_ASSERT_EQUAL(jint(&r, "rules.total"),
	    SQL_INT0("SELECT count(*) FROM alert_rules WHERE kind = 'kpi'"));
	CU_ASSERT_EQUAL(jint(&r, "rules.enabled"),
	    SQL_INT0("SELECT count(*) FROM alert_rules WHERE enabled AND kind = 'kpi'"));
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "last_evaluation_at"));
	/* operator1 acknowledged an alert within seconds of its firing */
	CU_ASSERT_TRUE(json_is_number(jget(r.json, "mtta_seconds")));
	CU_ASSERT_TRUE(json_number_value(jget(r.json, "mtta_seconds")) >= 0);
	{
		char *direct = test_sql_str("SELECT round(extract(epoch FROM avg(acknowledged_at -"
		    " triggered_at))::numeric, 1) FROM alerts WHERE acknowledged_at > now() - interval"
		    " '7 days'", 0, NULL);
		CU_ASSERT_DOUBLE_EQUAL(json_number_value(jget(r.json, "mtta_seconds")),
		    strtod(direct, NULL), 0.051);
		free(direct);
	}
	http_free(&r);
}

void t_summary_recheck(void)
{
	t_summary();
}

/* The counters' deltas add up to what the alerts say, before and after folding. */
static void t_summary_counters_exact(void)
{
	static const char *const check =
	    "SELECT (SELECT coalesce(sum(n), 0) FROM counter_deltas WHERE name LIKE 'open:firing:%')"
	    "     = (SELECT count(*) FROM alerts WHERE state = 'firing')"
	    "   AND (SELECT coalesce(sum(n), 0) FROM counter_deltas"
	    "         WHERE name = 'open:acknowledged:critical')"
	    "     = (SELECT count(*) FROM alerts WHERE state = 'acknowledged' AND severity = 'critical')"
	    "   AND (SELECT coalesce(sum(n), 0) FROM counter_deltas WHERE name = 'rules:enabled')"
	    "     = (SELECT count(*) FROM alert_rules WHERE enabled AND kind = 'kpi')"
	    "   AND (SELECT coalesce(sum(n), 0) FROM counter_deltas WHERE name = 'rules:total')"
	    "     = (SELECT count(*) FROM alert_rules WHERE kind = 'kpi')"
	    "   AND (SELECT coalesce(sum(resolved), 0) FROM alert_hour_deltas"
	    "         WHERE hour >= date_trunc('hour', now() - interval '6 hours', 'UTC'))"
	    "     = (SELECT count(*) FROM alerts WHERE state = 'resolved'"
	    "         AND resolved_at >= date_trunc('hour', now() - interval '6 hours', 'UTC'))"
	    "   AND (SELECT coalesce(sum(acked), 0) FROM alert_hour_deltas"
	    "         WHERE hour >= date_trunc('hour', now() - interval '6 hours', 'UTC'))"
	    "     = (SELECT count(*) FROM alerts"
	    "         WHERE acknowledged_at >= date_trunc('hour', now() - interval '6 hours', 'UTC'))"
	    "   AND (SELECT round(coalesce(sum(ack_seconds), 0)::numeric, 3) FROM alert_hour_deltas"
	    "         WHERE hour >= date_trunc('hour', now() - interval '6 hours', 'UTC'))"
	    "     = (SELECT round(coalesce(sum(extract(epoch FROM acknowledged_at - triggered_at)),"
	    "         0)::numeric, 3) FROM alerts"
	    "         WHERE acknowledged_at >= date_trunc('hour', now() - interval '6 hours', 'UTC'))";
	char *ok;

	/* move alerts through every state change the triggers see */
	test_exec("UPDATE alerts SET state = 'acknowledged', acknowledged_at = now(),"
	    " acknowledged_by = 'test' WHERE id IN (SELECT id FROM alerts WHERE state = 'firing'"
	    " ORDER BY id LIMIT 3)", 0, NULL);
	test_exec("UPDATE alerts SET state = 'resolved', resolved_at = now() WHERE id IN"
	    " (SELECT id FROM alerts WHERE state = 'acknowledged' ORDER BY id LIMIT 2)", 0, NULL);
	/* a row trigger per row (0034): a severity moved while open, an
	 * acknowledgement taken back, a resolve moved in time */
	test_exec("UPDATE alerts SET severity = CASE severity WHEN 'critical' THEN 'warning'"
	    " ELSE 'critical' END WHERE id IN (SELECT id FROM alerts"
	    " WHERE state IN ('firing', 'acknowledged') ORDER BY id DESC LIMIT 3)", 0, NULL);
	test_exec("UPDATE alerts SET state = 'firing', acknowledged_at = NULL, acknowledged_by = NULL"
	    " WHERE id IN (SELECT id FROM alerts WHERE state = 'acknowledged' ORDER BY id LIMIT 1)",
	    0, NULL);
	test_exec("UPDATE alerts SET resolved_at = resolved_at - interval '2 hours' WHERE id IN"
	    " (SELECT id FROM alerts WHERE state = 'resolved' ORDER BY id LIMIT 1)", 0, NULL);
	test_exec("DELETE FROM alerts WHERE rule_name = 'paging late'", 0, NULL);
	test_exec("UPDATE alert_rules SET enabled = NOT enabled WHERE id IN (SELECT id FROM"
	    " alert_rules WHERE kind = 'kpi' ORDER BY id LIMIT 4)", 0, NULL);
	test_exec("UPDATE alert_rules SET enabled = NOT enabled WHERE id IN (SELECT id FROM"
	    " alert_rules WHERE kind = 'kpi' ORDER BY id LIMIT 2)", 0, NULL);
	ok = test_sql_str(check, 0, NULL);
	CU_ASSERT_STRING_EQUAL(ok, "t");
	free(ok);
	test_exec("SELECT compact_alert_stats()", 0, NULL);
	CU_ASSERT_TRUE(SQL_INT0("SELECT count(*) FROM counter_deltas") <= 9);
	ok = test_sql_str(check, 0, NULL);
	CU_ASSERT_STRING_EQUAL(ok, "t");
	free(ok);
	t_summary();
}

/* Keyset paging sees every alert once while new alerts arrive. */
static void t_paging_under_inserts(void)
{
	enum { N = 125, PAGE = 7 };
	const char *tok = fixture_users()->viewer;
	char *cursor = NULL, path[512];
	long long seen[N + 64];
	int nseen = 0, pages = 0;

	/* ties on triggered_at too: ten alerts per second, same instant */
	test_exec("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value, severity,"
	    " state, message, triggered_at, resolved_at)"
	    " SELECT 'paging', 't_paging', 'gt', 1, 2, 'info', 'resolved', 'paged',"
	    " now() - interval '1 hour' + (g / 10) * interval '1 second', now()"
	    " FROM generate_series(1, 125) g", 0, NULL);
	for (;;) {
		struct http_resp r;
		size_t i;
		json_t *a;

		snprintf(path, sizeof(path), "/api/alerts/history?kpi=t_paging&limit=%d%s%s", PAGE,
		    cursor ? "&cursor=" : "", cursor ? cursor : "");
		r = api("GET", path, tok, NULL);
		EXPECT_STATUS(r, 200);
		json_array_foreach(jget(r.json, "items"), i, a) {
			if (nseen < N + 64)
				seen[nseen++] = json_integer_value(json_object_get(a, "id"));
		}
		free(cursor);
		cursor = jstr(&r, "next_cursor") ? xstrdup(jstr(&r, "next_cursor")) : NULL;
		http_free(&r);
		pages++;
		/* a newer alert lands between pages: not part of this walk */
		test_exec("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value,"
		    " severity, state, message, triggered_at, resolved_at) VALUES ('paging late',"
		    " 't_paging', 'gt', 1, 2, 'info', 'resolved', 'late', now(), now())", 0, NULL);
		if (cursor == NULL || pages > 40)
			break;
	}
	CU_ASSERT_EQUAL(nseen, N);
	CU_ASSERT_EQUAL(pages, (N + PAGE - 1) / PAGE);
	for (int i = 0; i < nseen; i++)
		for (int j = i + 1; j < nseen; j++)
			CU_ASSERT_NOT_EQUAL(seen[i], seen[j]);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM alerts WHERE rule_name = 'paging'"), N);
	/* newest first */
	for (int i = 1; i < nseen; i++)
		if (seen[i] > seen[i - 1])
			CU_ASSERT_TRUE(0);
	free(cursor);
}

static void t_history_filters(void)
{
	const char *tok = fixture_users()->viewer;
	struct http_resp r = api("GET", "/api/alerts/history?state=resolved&severity=info&kpi=t_paging"
	    "&limit=1000", tok, NULL);
	size_t i;
	json_t *a;

	EXPECT_STATUS(r, 200);
	/* limit is clamped to 500 */
	CU_ASSERT_TRUE(json_array_size(jget(r.json, "items")) <= 500);
	json_array_foreach(jget(r.json, "items"), i, a) {
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "state")), "resolved");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "kpi")), "t_paging");
	}
	http_free(&r);
	r = api("GET", "/api/alerts/history?kpi=t_paging&since=2000-01-01T00:00:00Z"
	    "&until=2000-01-02T00:00:00Z", tok, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 0);
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "next_cursor")));
	http_free(&r);
	r = api("GET", "/api/alerts/history?state=firing&severity=critical", tok, NULL);
	EXPECT_STATUS(r, 200);
	json_array_foreach(jget(r.json, "items"), i, a) {
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "state")), "firing");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "severity")), "critical");
	}
	http_free(&r);
}

static void t_silences(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r;
	long long id;
	char path[64];

	char body[256], ends[40];

	time_format_iso(time_now_us() + INT64_C(30) * 86400 * 1000000, ends, sizeof(ends));
	snprintf(body, sizeof(body), "{\"scope\":\"kpi\",\"kpi\":\"refunds_today\","
	    "\"ends_at\":\"%s\",\"reason\":\"till upgrade\"}", ends);
	r = api("POST", "/api/alerts/silences", u->operator_, body);
	EXPECT_STATUS(r, 201);
	id = jint(&r, "id");
	EXPECT_JSTR(r, "status", "active");
	EXPECT_JSTR(r, "created_by", "operator1");
	http_free(&r);
	r = api("GET", "/api/alerts/silences?status=active", u->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_array_size(jget(r.json, "items")) >= 1);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/silences/%lld", id);
	r = api("DELETE", path, u->operator_, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "status", "past");
	http_free(&r);
	r = api("DELETE", path, u->operator_, NULL);
	EXPECT_ERROR(r, 409, "already_ended");
	http_free(&r);
	r = api("GET", "/api/alerts/silences?status=past", u->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "items.0.id"), id);
	http_free(&r);
	/* a silence planned for later is cancelled by delete */
	r = api("POST", "/api/alerts/silences", u->operator_,
	    "{\"scope\":\"all\",\"starts_at\":\"2098-01-01T00:00:00Z\","
	    "\"ends_at\":\"2098-01-02T00:00:00Z\",\"reason\":\"stocktake\"}");
	EXPECT_STATUS(r, 422); /* more than a year ahead */
	http_free(&r);
}

static void t_events(void)
{
	const char *tok = fixture_users()->viewer;
	long long max = SQL_INT0("SELECT max(id) FROM events");
	char path[128];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/events?after=%lld&limit=5", max - 3);
	r = api("GET", path, tok, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 3);
	CU_ASSERT_EQUAL(jint(&r, "items.0.id"), max - 2);
	CU_ASSERT_EQUAL(jint(&r, "last_id"), max);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "items.0.type"));
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "items.0.at"));
	CU_ASSERT_TRUE(json_is_object(jget(r.json, "items.0.data")));
	http_free(&r);
	snprintf(path, sizeof(path), "/api/events?after=%lld", max);
	r = api("GET", path, tok, NULL);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 0);
	CU_ASSERT_EQUAL(jint(&r, "last_id"), max);
	http_free(&r);
}

/* Deleting a rule with an open alert resolves it, visibly. */
static void t_delete_rule_with_open_alert(void)
{
	const struct fixture_users *u = fixture_users();
	long long id, alert;
	char path[64], a[24];
	struct http_resp r;

	make_push_kpi("t_delete", 0);
	push_value("t_delete", 10, 0);
	id = make_simple_rule("to be deleted", "t_delete", "gt", 5, "");
	r = evaluate_rule(id);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("DELETE", path, u->operator_, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "deleted")));
	CU_ASSERT_EQUAL(jint(&r, "resolved.0.id"), alert);
	EXPECT_JSTR(r, "resolved.0.resolve_reason", "rule deleted");
	http_free(&r);
	r = api("GET", path, u->viewer, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	snprintf(a, sizeof(a), "%lld", alert);
	/* the history keeps the alert, resolved, with the rule's name */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alerts WHERE id = $1::bigint AND state ="
	    " 'resolved' AND rule_id IS NULL AND rule_name = 'to be deleted'", a), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'alert.resolved'"
	    " AND (data->>'id')::bigint = $1::bigint", a), 1);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM mail_outbox WHERE alert_id = $1::bigint"
	    " AND kind = 'resolved'", a), 2);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE type = 'rule.changed'"
	    " AND data->>'action' = 'delete' AND (data->>'id')::bigint = (SELECT (data->>'rule_id')"
	    "::bigint FROM events WHERE type = 'alert.fired' AND (data->>'id')::bigint = $1::bigint)",
	    a), 1);
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
}

static void t_audit(void)
{
	const struct fixture_users *u = fixture_users();
	long long id = make_simple_rule("audited", "t_value", "gt", 1, "");
	char path[96];
	struct http_resp r;

	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("PUT", path, u->admin, "{\"name\":\"audited twice\",\"kpi\":\"t_value\","
	    "\"condition\":\"gt\",\"threshold\":2,\"severity\":\"info\"}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = audit_of("rule", id);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 2);
	EXPECT_JSTR(r, "items.0.action", "rule.update");
	EXPECT_JSTR(r, "items.0.actor", "admin");
	EXPECT_JSTR(r, "items.0.before.name", "audited");
	EXPECT_JSTR(r, "items.0.after.name", "audited twice");
	EXPECT_JSTR(r, "items.1.action", "rule.create");
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "items.1.before")));
	http_free(&r);
	r = api("GET", "/api/audit?object_type=user", u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_array_size(jget(r.json, "items")) >= 1);
	http_free(&r);
	r = api("GET", "/api/audit", u->operator_, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
}

/* SQL metacharacters, HTML and non-ASCII text come back exactly. */
static void t_text_verbatim(void)
{
	const struct fixture_users *u = fixture_users();
	static const char *const text =
	    "'; DROP TABLE alerts; -- <script>alert(\"x\")</script> & \\ %s %n $1 \xe2\x82\xac \xd8\xb0\xd9\x87\xd8\xa8";
	json_t *body = json_pack("{ss ss ss ss sf ss}", "name", text, "description", text,
	    "kpi", "t_value", "condition", "gt", "threshold", 1.0, "severity", "info");
	char *s = json_dumps(body, JSON_COMPACT), path[64], ends[40];
	struct http_resp r;
	long long id;

	r = api("POST", "/api/alerts/rules", u->admin, s);
	EXPECT_STATUS(r, 201);
	EXPECT_JSTR(r, "name", text);
	id = jint(&r, "id");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("GET", path, u->viewer, NULL);
	EXPECT_JSTR(r, "name", text);
	EXPECT_JSTR(r, "description", text);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM alert_rules WHERE name = $1", text), 1);
	free(s);
	json_decref(body);
	/* silence reasons, ack notes, KPI texts and token names the same */
	time_format_iso(time_now_us() + INT64_C(30) * 86400 * 1000000, ends, sizeof(ends));
	body = json_pack("{ss ss ss}", "scope", "all", "ends_at", ends, "reason", text);
	s = json_dumps(body, JSON_COMPACT);
	r = api("POST", "/api/alerts/silences", u->operator_, s);
	EXPECT_STATUS(r, 201);
	EXPECT_JSTR(r, "reason", text);
	snprintf(path, sizeof(path), "/api/alerts/silences/%lld", jint(&r, "id"));
	http_free(&r);
	r = api("DELETE", path, u->operator_, NULL); /* do not silence later suites */
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "reason", text);
	http_free(&r);
	free(s);
	json_decref(body);
	body = json_pack("{ss ss ss ss ss}", "key", "t_verbatim", "name", text, "category",
	    "customer", "description", text, "recommendation", text);
	s = json_dumps(body, JSON_COMPACT);
	r = api("POST", "/api/kpis", u->admin, s);
	EXPECT_STATUS(r, 201);
	EXPECT_JSTR(r, "recommendation", text);
	http_free(&r);
	r = api("GET", "/api/kpis/t_verbatim", u->viewer, NULL);
	EXPECT_JSTR(r, "name", text);
	http_free(&r);
	free(s);
	json_decref(body);
	body = json_pack("{ss}", "name", text);
	s = json_dumps(body, JSON_COMPACT);
	r = api("POST", "/api/auth/tokens", u->admin, s);
	EXPECT_STATUS(r, 201);
	EXPECT_JSTR(r, "name", text);
	http_free(&r);
	free(s);
	json_decref(body);
}

static void t_users(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r;
	char path[64];
	long long id;

	r = api("POST", "/api/users", u->admin, "{\"username\":\"clerk2\",\"password\":"
	    "\"a long password\",\"role\":\"viewer\",\"email\":\"clerk2@shop.example\"}");
	EXPECT_STATUS(r, 201);
	id = jint(&r, "id");
	EXPECT_JSTR(r, "role", "viewer");
	CU_ASSERT_PTR_NULL(jget(r.json, "password_hash"));
	http_free(&r);
	snprintf(path, sizeof(path), "/api/users/%lld", id);
	r = api("PATCH", path, u->admin, "{\"role\":\"operator\",\"email\":null}");
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "role", "operator");
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "email")));
	http_free(&r);
	r = api("PATCH", path, u->admin, "{\"password\":\"another long one\"}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	{
		char *t = test_login("clerk2", "another long one", NULL);
		CU_ASSERT_PTR_NOT_NULL(t);
		free(t);
	}
	r = api("GET", "/api/users", u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_array_size(jget(r.json, "items")) >= 4);
	http_free(&r);
}

/*
 * The read cache (read_cache.h) keeps the summary and history pages only
 * while they are exact: a change made any way (another process, plain SQL)
 * shows at once, a change that does not move the read version (triggers
 * off) stays unseen, which proves the answer was kept, and the summary's
 * 24-hour window lets an alert go at the right moment.
 */
static void t_read_cache(void)
{
	const char *tok = fixture_users()->viewer;
	struct http_resp r;
	long long id, dead, resolved;
	char sid[24], *sql;
	int64_t t0;

	r = api("GET", "/api/alerts/history?limit=1", tok, NULL);
	EXPECT_STATUS(r, 200);
	id = jint(&r, "items.0.id");
	http_free(&r);
	CU_ASSERT_TRUE_FATAL(id > 0);
	snprintf(sid, sizeof(sid), "%lld", id);
	test_exec("UPDATE alerts SET ack_note = 'before' WHERE id = $1::bigint", 1, TP(sid));
	r = api("GET", "/api/alerts/history?limit=1", tok, NULL);
	EXPECT_JSTR(r, "items.0.ack_note", "before");
	http_free(&r);
	/* unseen while the version stays: the page was kept */
	sql = xasprintf("DO $$ BEGIN"
	    " ALTER TABLE alerts DISABLE TRIGGER alerts_changed;"
	    " UPDATE alerts SET ack_note = 'behind its back' WHERE id = %lld;"
	    " ALTER TABLE alerts ENABLE TRIGGER alerts_changed; END $$", id);
	test_exec(sql, 0, NULL);
	free(sql);
	r = api("GET", "/api/alerts/history?limit=1", tok, NULL);
	EXPECT_JSTR(r, "items.0.ack_note", "before");
	http_free(&r);
	/* any change that moves the version shows on the next request */
	test_exec("UPDATE alerts SET ack_note = 'after' WHERE id = $1::bigint", 1, TP(sid));
	r = api("GET", "/api/alerts/history?limit=1", tok, NULL);
	EXPECT_JSTR(r, "items.0.ack_note", "after");
	http_free(&r);

	/* dead mail, written by the mailer (another process), counts at once */
	r = api("GET", "/api/alerts/summary", tok, NULL);
	dead = jint(&r, "mail_dead");
	http_free(&r);
	test_exec("INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, status)"
	    " VALUES ('test', 'cache@shop.example', 'cache', 'x', 'x', 'dead')", 0, NULL);
	r = api("GET", "/api/alerts/summary", tok, NULL);
	CU_ASSERT_EQUAL(jint(&r, "mail_dead"), dead + 1);
	http_free(&r);
	test_exec("DELETE FROM mail_outbox WHERE recipient = 'cache@shop.example'", 0, NULL);

	/* an alert resolved 24 hours less 1.5 s ago leaves resolved_24h on time */
	test_exec("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value, severity,"
	    " state, message, triggered_at, resolved_at) VALUES ('cache window', 't_ack', 'gt', 1,"
	    " 2, 'info', 'resolved', 'm', now() - interval '25 hours',"
	    " now() - interval '24 hours' + interval '1.5 seconds')", 0, NULL);
	t0 = time_now_us();
	r = api("GET", "/api/alerts/summary", tok, NULL);
	resolved = jint(&r, "resolved_24h");
	http_free(&r);
	r = api("GET", "/api/alerts/summary", tok, NULL);
	CU_ASSERT_EQUAL(jint(&r, "resolved_24h"), resolved);
	http_free(&r);
	while (time_now_us() < t0 + 1700000)
		test_sleep_ms(50);
	r = api("GET", "/api/alerts/summary", tok, NULL);
	CU_ASSERT_EQUAL(jint(&r, "resolved_24h"), resolved - 1);
	http_free(&r);
	test_exec("DELETE FROM alerts WHERE rule_name = 'cache window'", 0, NULL);
}

/*
 * Every combination of the history's filters, as a viewer, against one
 * worker thread (so one connection prepares every statement the test
 * reaches, more than a fixed table held): each is answered, none with a
 * 5xx, and the API still answers afterwards.
 */
static void t_history_every_filter(void)
{
	static const char *const warm[] = {
		"/api/auth/me", "/api/alerts/rules", "/api/alerts/summary", "/api/alerts/silences",
		"/api/events", "/api/kpis", "/api/kpis/revenue_today",
		"/api/kpis/revenue_today/samples", "/", "/alerts", "/rules", "/kpis",
		"/kpis/revenue_today", "/silences",
	};
	static const char *const states[] = {NULL, "firing", "acknowledged", "resolved"};
	const char *viewer = fixture_users()->viewer;
	struct http_resp r;
	char *cursor;
	int bad = 0, asked = 0;

	CU_ASSERT_EQUAL_FATAL(test_stack("api-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack_env("GOLDWATCH_THREADS=1", "api-start"), 0);
	r = api("GET", "/api/alerts/history?limit=1", viewer, NULL);
	EXPECT_STATUS(r, 200);
	cursor = xstrdup(jstr(&r, "next_cursor") ? jstr(&r, "next_cursor") : "");
	http_free(&r);
	CU_ASSERT_TRUE(cursor[0] != '\0');
	for (size_t i = 0; i < GW_ARRAY_LEN(warm); i++) {
		r = api("GET", warm[i], viewer, NULL);
		CU_ASSERT_TRUE(r.status > 0 && r.status < 500);
		http_free(&r);
	}
	/* state: none or each; then each other filter on or off */
	for (size_t state = 0; state < GW_ARRAY_LEN(states); state++) {
		for (int m = 0; m < 64; m++) {
			char *path = xasprintf("/api/alerts/history?limit=2%s%s%s%s%s%s%s%s%s",
			    states[state] ? "&state=" : "", states[state] ? states[state] : "",
			    m & 1 ? "&severity=critical" : "", m & 2 ? "&rule_id=1" : "",
			    m & 4 ? "&kpi=revenue_today" : "",
			    m & 8 ? "&since=2000-01-01T00:00:00Z" : "",
			    m & 16 ? "&until=2999-01-01T00:00:00Z" : "",
			    m & 32 ? "&cursor=" : "", m & 32 ? cursor : "");
			r = api("GET", path, viewer, NULL);
			if (r.status != 200) {
				fprintf(stderr, "\n    %s: %ld\n", path, r.status);
				bad++;
			}
			asked++;
			http_free(&r);
			free(path);
		}
	}
	CU_ASSERT_EQUAL(asked, 256);
	CU_ASSERT_EQUAL(bad, 0);
	r = api("GET", "/api/alerts/summary", viewer, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(cursor);
	/* back to the stack's own settings */
	CU_ASSERT_EQUAL(test_stack("api-stop"), 0);
	CU_ASSERT_EQUAL(test_stack("api-start"), 0);
}

void suite_api(void)
{
	static const struct test_case cases[] = {
		{"bulk acknowledge with a note", t_acknowledge},
		{"acknowledgements racing for the same alerts", t_acknowledge_race},
		{"summary counters", t_summary},
		{"keyset paging visits each alert once under inserts", t_paging_under_inserts},
		{"history filters and the limit clamp", t_history_filters},
		{"every combination of history filters is answered", t_history_every_filter},
		{"silences: create, list, end", t_silences},
		{"the event log", t_events},
		{"summary counters stay exact through changes", t_summary_counters_exact},
		{"deleting a rule with an open alert resolves it visibly", t_delete_rule_with_open_alert},
		{"the audit log", t_audit},
		{"text is stored and returned verbatim", t_text_verbatim},
		{"user management", t_users},
		{"the read cache answers only while exact", t_read_cache},
		{NULL, NULL},
	};
	test_add_suite("api", NULL, NULL, cases);
}
