/*
 * test_badinput.c - the bad-input suite: every case sends one malformed or
 * invalid request and asserts the status, the JSON error body (code, and
 * the field at fault where one is), and that the database is unchanged:
 * row counts and contents of every table a request could touch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

enum who { ANON, VIEWER, OPERATOR, ADMIN };

struct bad {
	const char *method, *path;
	enum who who;
	const char *body;   /* sent as application/json unless ctype says otherwise */
	int status;
	const char *code;
	const char *field;  /* NULL: not asserted; "": must be absent */
	const char *ctype;
};

#define J "application/json"
#define RULE_OK "\"name\":\"n\",\"kpi\":\"t_bad\",\"severity\":\"info\""

static const struct bad cases[] = {
	/* rules: shape */
	{"POST", "/api/alerts/rules", ADMIN, "not json", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "[1,2]", 400, "bad_request", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "\"rule\"", 400, "bad_request", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"colour\":\"red\"}", 400, "unknown_field", "colour", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"a\",\"name\":\"b\"}", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"\xc3\x28\"}", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":NaN}", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1e999}", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":-1e999}", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "text/plain"},
	{"POST", "/api/alerts/rules", ADMIN, "name=x", 415, "unsupported_media_type", "", "application/x-www-form-urlencoded"},
	{"POST", "/api/alerts/rules", ADMIN, "", 400, "malformed_json", "", J},
	/* only UTF-8 is read: any other charset is refused, UTF-8 in any spelling passes on */
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "application/json; charset=latin1"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "application/json;charset=\"ISO-8859-1\""},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "application/json; charset=utf-8; charset=latin1"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "application/json; charset"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 415, "unsupported_media_type", "", "application/json; charset=\"utf-8"},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[1]}", 415, "unsupported_media_type", "", "application/json; charset=utf-16"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"threshold\":1}", 422, "missing_field", "condition", "application/json; charset=utf-8"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"threshold\":1}", 422, "missing_field", "condition", "application/json;charset=UTF-8"},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"threshold\":1}", 422, "missing_field", "condition", "Application/JSON ; Charset=\"utf-8\""},
	/* rules: fields */
	{"POST", "/api/alerts/rules", ADMIN, "{\"kpi\":\"t_bad\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "missing_field", "name", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"\",\"kpi\":\"t_bad\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "invalid_value", "name", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"line\\nbreak\",\"kpi\":\"t_bad\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "invalid_value", "name", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":5,\"kpi\":\"t_bad\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "invalid_type", "name", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":null,\"kpi\":\"t_bad\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "missing_field", "name", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"n\",\"kpi\":\"no_such_kpi\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "unknown_kpi", "kpi", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"n\",\"kpi\":\"Revenue Today\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "invalid_value", "kpi", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"n\",\"condition\":\"gt\",\"threshold\":1,\"severity\":\"info\"}", 422, "missing_field", "kpi", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"ge\",\"threshold\":1}", 422, "invalid_value", "condition", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"threshold\":1}", 422, "missing_field", "condition", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\"}", 422, "missing_field", "threshold", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":\"100\"}", 422, "invalid_type", "threshold", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1e16}", 422, "out_of_range", "threshold", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":null}", 422, "missing_field", "threshold", J},
	{"POST", "/api/alerts/rules", ADMIN, "{\"name\":\"n\",\"kpi\":\"t_bad\",\"severity\":\"fatal\",\"condition\":\"gt\",\"threshold\":1}", 422, "invalid_value", "severity", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"cooldown_minutes\":-1}", 422, "out_of_range", "cooldown_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"cooldown_minutes\":10081}", 422, "out_of_range", "cooldown_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"cooldown_minutes\":1.5}", 422, "invalid_type", "cooldown_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"for_evaluations\":0}", 422, "out_of_range", "for_evaluations", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"for_evaluations\":101}", 422, "out_of_range", "for_evaluations", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"pct_change_gt\",\"threshold\":10}", 422, "missing_field", "window_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":10,\"window_minutes\":60}", 422, "not_applicable", "window_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"zscore_gt\",\"threshold\":3}", 422, "missing_field", "window_samples", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"zscore_gt\",\"threshold\":3,\"window_samples\":1}", 422, "out_of_range", "window_samples", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"zscore_gt\",\"threshold\":0,\"window_samples\":10}", 422, "out_of_range", "threshold", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"zscore_gt\",\"threshold\":3,\"window_samples\":10,\"window_minutes\":5}", 422, "not_applicable", "window_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"lt\",\"threshold\":3,\"window_samples\":10}", 422, "not_applicable", "window_samples", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"pct_change_lt\",\"threshold\":-5,\"window_minutes\":0}", 422, "out_of_range", "window_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"pct_change_lt\",\"threshold\":-5,\"window_minutes\":43201}", 422, "out_of_range", "window_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"recipients\":\"a@shop.example\"}", 422, "invalid_type", "recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"recipients\":[\"not-an-address\"]}", 422, "invalid_value", "recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"recipients\":[\"a@shop.example\\r\\nBcc: x@evil.example\"]}", 422, "invalid_value", "recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"recipients\":[7]}", 422, "invalid_type", "recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"recipients\":[\"@shop.example\"]}", 422, "invalid_value", "recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"escalation\":{\"recipients\":[\"a@shop.example\"]}}", 422, "missing_field", "escalation.after_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"escalation\":{\"after_minutes\":30,\"recipients\":[]}}", 422, "invalid_value", "escalation.recipients", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"escalation\":{\"after_minutes\":0,\"recipients\":[\"a@shop.example\"]}}", 422, "out_of_range", "escalation.after_minutes", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"escalation\":{\"after_minutes\":30,\"recipients\":[\"a@shop.example\"],\"level\":2}}", 400, "unknown_field", "escalation.level", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"escalation\":30}", 422, "invalid_type", "escalation", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"enabled\":\"yes\"}", 422, "invalid_type", "enabled", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"notify_resolved\":1}", 422, "invalid_type", "notify_resolved", J},
	{"POST", "/api/alerts/rules", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1,\"id\":5}", 400, "unknown_field", "id", J},
	{"POST", "/api/alerts/rules", VIEWER, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 403, "forbidden", "", J},
	{"POST", "/api/alerts/rules", OPERATOR, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 403, "forbidden", "", J},
	{"POST", "/api/alerts/rules", ANON, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 401, "unauthorized", "", J},
	/* rules by id */
	{"PUT", "/api/alerts/rules/999999999", ADMIN, "{" RULE_OK ",\"condition\":\"gt\",\"threshold\":1}", 404, "not_found", "", J},
	{"PUT", "/api/alerts/rules/{rule}", ADMIN, "{" RULE_OK ",\"condition\":\"gt\"}", 422, "missing_field", "threshold", J},
	{"PUT", "/api/alerts/rules/{rule}", ADMIN, "{\"enabled\":false}", 422, "missing_field", "name", J},
	{"PUT", "/api/alerts/rules/abc", ADMIN, "{}", 404, "not_found", "", J},
	{"PATCH", "/api/alerts/rules/{rule}", ADMIN, "{}", 405, "method_not_allowed", "", J},
	{"GET", "/api/alerts/rules/999999999", VIEWER, NULL, 404, "not_found", "", NULL},
	{"DELETE", "/api/alerts/rules/999999999", ADMIN, NULL, 404, "not_found", "", NULL},
	{"GET", "/api/alerts/rules?enabled=maybe", VIEWER, NULL, 400, "bad_parameter", "enabled", NULL},
	{"GET", "/api/alerts/rules?kpi=Bad%20Key", VIEWER, NULL, 400, "bad_parameter", "kpi", NULL},
	{"GET", "/api/alerts/rules?sort=name", VIEWER, NULL, 400, "unknown_parameter", "sort", NULL},
	/* history */
	{"GET", "/api/alerts/history?state=open", VIEWER, NULL, 400, "bad_parameter", "state", NULL},
	{"GET", "/api/alerts/history?severity=fatal", VIEWER, NULL, 400, "bad_parameter", "severity", NULL},
	{"GET", "/api/alerts/history?rule_id=abc", VIEWER, NULL, 400, "bad_parameter", "rule_id", NULL},
	{"GET", "/api/alerts/history?rule_id=0", VIEWER, NULL, 400, "bad_parameter", "rule_id", NULL},
	{"GET", "/api/alerts/history?since=yesterday", VIEWER, NULL, 400, "bad_parameter", "since", NULL},
	{"GET", "/api/alerts/history?until=2026-13-01", VIEWER, NULL, 400, "bad_parameter", "until", NULL},
	{"GET", "/api/alerts/history?since=2026-11-26T10:00:00", VIEWER, NULL, 400, "bad_parameter", "since", NULL},
	{"GET", "/api/alerts/history?limit=0", VIEWER, NULL, 400, "bad_parameter", "limit", NULL},
	{"GET", "/api/alerts/history?limit=ten", VIEWER, NULL, 400, "bad_parameter", "limit", NULL},
	{"GET", "/api/alerts/history?cursor=garbage", VIEWER, NULL, 400, "bad_parameter", "cursor", NULL},
	{"GET", "/api/alerts/history?cursor=MTIzLg", VIEWER, NULL, 400, "bad_parameter", "cursor", NULL},
	/* found by fuzz_cursor: times no row has ("-99999999999999999999.1",
	 * "9223372036854775807.1") were taken, the first overflowing */
	{"GET", "/api/alerts/history?cursor=LTk5OTk5OTk5OTk5OTk5OTk5OTk5LjE", VIEWER, NULL, 400,
	    "bad_parameter", "cursor", NULL},
	{"GET", "/api/alerts/history?cursor=OTIyMzM3MjAzNjg1NDc3NTgwNy4x", VIEWER, NULL, 400,
	    "bad_parameter", "cursor", NULL},
	{"GET", "/api/alerts/history?kpi=DROP%20TABLE", VIEWER, NULL, 400, "bad_parameter", "kpi", NULL},
	{"GET", "/api/alerts/history?page=2", VIEWER, NULL, 400, "unknown_parameter", "page", NULL},
	{"GET", "/api/alerts/history?state=firing&state=resolved", VIEWER, NULL, 400, "bad_query", "", NULL},
	{"GET", "/api/alerts/999999999", VIEWER, NULL, 404, "not_found", "", NULL},
	/* acknowledge */
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{}", 422, "missing_field", "alert_ids", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[]}", 422, "invalid_value", "alert_ids", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[0]}", 422, "invalid_value", "alert_ids", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[\"1\"]}", 422, "invalid_value", "alert_ids", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":{\"id\":1}}", 422, "invalid_type", "alert_ids", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[{alert}],\"note\":5}", 422, "invalid_type", "note", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[{alert}],\"by\":\"someone\"}", 400, "unknown_field", "by", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "{\"alert_ids\":[{alert}]", 400, "malformed_json", "", J},
	{"POST", "/api/alerts/acknowledge", OPERATOR, "alert_ids=1", 415, "unsupported_media_type", "", "application/x-www-form-urlencoded"},
	{"POST", "/api/alerts/acknowledge", VIEWER, "{\"alert_ids\":[{alert}]}", 403, "forbidden", "", J},
	{"POST", "/api/alerts/acknowledge", ANON, "{\"alert_ids\":[{alert}]}", 401, "unauthorized", "", J},
	/* silences */
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"some\",\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "invalid_value", "scope", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"rule\",\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "missing_field", "rule_id", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"rule\",\"rule_id\":999999999,\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "unknown_rule", "rule_id", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"rule_id\":{rule},\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "not_applicable", "rule_id", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"kpi\",\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "missing_field", "kpi", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"kpi\",\"kpi\":\"nope_nope\",\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 422, "unknown_kpi", "kpi", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"ends_at\":\"2020-01-01T00:00:00Z\",\"reason\":\"r\"}", 422, "invalid_value", "ends_at", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"starts_at\":\"2026-12-20T00:00:00Z\",\"ends_at\":\"2026-12-10T00:00:00Z\",\"reason\":\"r\"}", 422, "invalid_value", "ends_at", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"ends_at\":\"next week\",\"reason\":\"r\"}", 422, "invalid_value", "ends_at", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"ends_at\":\"{toolong}\",\"reason\":\"r\"}", 422, "out_of_range", "ends_at", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"ends_at\":\"{soon}\",\"reason\":\"\"}", 422, "invalid_value", "reason", J},
	{"POST", "/api/alerts/silences", OPERATOR, "{\"scope\":\"all\",\"ends_at\":\"{soon}\"}", 422, "missing_field", "reason", J},
	{"POST", "/api/alerts/silences", VIEWER, "{\"scope\":\"all\",\"ends_at\":\"{soon}\",\"reason\":\"r\"}", 403, "forbidden", "", J},
	{"DELETE", "/api/alerts/silences/999999999", OPERATOR, NULL, 404, "not_found", "", NULL},
	{"GET", "/api/alerts/silences?status=soon", VIEWER, NULL, 400, "bad_parameter", "status", NULL},
	/* KPIs */
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"Bad Key\",\"name\":\"n\",\"category\":\"customer\"}", 422, "invalid_value", "key", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"revenue_today\",\"name\":\"n\",\"category\":\"customer\"}", 409, "conflict", "key", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"k_new\",\"name\":\"n\",\"category\":\"sales\"}", 422, "invalid_value", "category", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"k_new\",\"category\":\"customer\"}", 422, "missing_field", "name", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"k_new\",\"name\":\"n\",\"category\":\"customer\",\"query\":\"SELECT 1\"}", 400, "unknown_field", "query", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"k_new\",\"name\":\"n\",\"category\":\"customer\",\"source\":\"sql\"}", 400, "unknown_field", "source", J},
	{"POST", "/api/kpis", ADMIN, "{\"key\":\"k_new\",\"name\":\"n\",\"category\":\"customer\",\"max_age_minutes\":0}", 422, "out_of_range", "max_age_minutes", J},
	{"POST", "/api/kpis", OPERATOR, "{\"key\":\"k_new\",\"name\":\"n\",\"category\":\"customer\"}", 403, "forbidden", "", J},
	{"POST", "/api/kpis/t_bad/samples", OPERATOR, "{\"value\":\"12\"}", 422, "invalid_type", "value", J},
	{"POST", "/api/kpis/t_bad/samples", OPERATOR, "{\"value\":1,\"at\":5}", 422, "invalid_type", "at", J},
	{"POST", "/api/kpis/revenue_today/samples", OPERATOR, "{\"value\":1}", 409, "not_a_push_kpi", "", J},
	{"POST", "/api/kpis/unknown_kpi/samples", OPERATOR, "{\"value\":1}", 404, "not_found", "", J},
	{"DELETE", "/api/kpis/revenue_today", ADMIN, NULL, 409, "not_a_push_kpi", "", NULL},
	{"GET", "/api/kpis?category=sales", VIEWER, NULL, 400, "bad_parameter", "category", NULL},
	{"GET", "/api/kpis/revenue_today/samples?limit=5001", VIEWER, NULL, 400, "bad_parameter", "limit", NULL},
	{"GET", "/api/kpis/revenue_today/samples?until=soon", VIEWER, NULL, 400, "bad_parameter", "until", NULL},
	/* users and tokens */
	{"POST", "/api/users", ADMIN, "{\"username\":\"shorty\",\"password\":\"elevenchars\",\"role\":\"viewer\"}", 422, "invalid_value", "password", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"has space\",\"password\":\"long enough pw\",\"role\":\"viewer\"}", 422, "invalid_value", "username", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"rooty\",\"password\":\"long enough pw\",\"role\":\"root\"}", 422, "invalid_value", "role", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"mailer\",\"password\":\"long enough pw\",\"role\":\"viewer\",\"email\":\"nope\"}", 422, "invalid_value", "email", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"ADMIN\",\"password\":\"long enough pw\",\"role\":\"viewer\"}", 409, "conflict", "username", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"nopw\",\"role\":\"viewer\"}", 422, "missing_field", "password", J},
	{"POST", "/api/users", ADMIN, "{\"username\":\"x\",\"password\":\"long enough pw\",\"role\":\"viewer\",\"disabled\":true}", 400, "unknown_field", "disabled", J},
	{"PATCH", "/api/users/{viewer}", ADMIN, "{}", 422, "nothing_to_change", "", J},
	{"PATCH", "/api/users/999999999", ADMIN, "{\"role\":\"viewer\"}", 404, "not_found", "", J},
	{"PATCH", "/api/users/{viewer}", ADMIN, "{\"role\":\"superuser\"}", 422, "invalid_value", "role", J},
	{"PATCH", "/api/users/{viewer}", ADMIN, "{\"disabled\":\"true\"}", 422, "invalid_type", "disabled", J},
	{"PATCH", "/api/users/{viewer}", ADMIN, "{\"password\":\"short\"}", 422, "invalid_value", "password", J},
	{"PATCH", "/api/users/{admin}", ADMIN, "{\"role\":\"viewer\"}", 409, "last_admin", "role", J},
	{"PATCH", "/api/users/{admin}", ADMIN, "{\"disabled\":true}", 409, "last_admin", "disabled", J},
	{"PATCH", "/api/users/{viewer}", OPERATOR, "{\"role\":\"admin\"}", 403, "forbidden", "", J},
	{"POST", "/api/auth/tokens", ADMIN, "{}", 422, "missing_field", "name", J},
	{"POST", "/api/auth/tokens", ADMIN, "{\"name\":\"x\",\"expires_days\":0}", 422, "out_of_range", "expires_days", J},
	{"POST", "/api/auth/tokens", ADMIN, "{\"name\":\"x\",\"user_id\":999999999}", 422, "invalid_value", "user_id", J},
	{"POST", "/api/auth/tokens", ADMIN, "{\"name\":\"x\",\"role\":\"admin\"}", 400, "unknown_field", "role", J},
	/* evaluate, events, audit */
	{"POST", "/api/alerts/evaluate", OPERATOR, "{\"rule_ids\":[]}", 422, "invalid_value", "rule_ids", J},
	{"POST", "/api/alerts/evaluate", OPERATOR, "{\"rule_ids\":\"all\"}", 422, "invalid_type", "rule_ids", J},
	{"POST", "/api/alerts/evaluate", OPERATOR, "{\"rule_ids\":[999999999]}", 422, "unknown_rule", "rule_ids", J},
	{"POST", "/api/alerts/evaluate", OPERATOR, "{\"now\":\"2026-01-01T00:00:00Z\"}", 400, "unknown_field", "now", J},
	{"GET", "/api/events?after=-1", VIEWER, NULL, 400, "bad_parameter", "after", NULL},
	{"GET", "/api/events?limit=1001", VIEWER, NULL, 400, "bad_parameter", "limit", NULL},
	{"GET", "/api/audit?object_type=invoice", ADMIN, NULL, 400, "bad_parameter", "object_type", NULL},
	{"GET", "/api/audit?limit=0", ADMIN, NULL, 400, "bad_parameter", "limit", NULL},
	/* routing */
	{"GET", "/api/alerts/rules/1/../../users", VIEWER, NULL, 404, "not_found", "", NULL},
	{"POST", "/api/health", ANON, "{}", 405, "method_not_allowed", "", J},
	{"GET", "/api/alerts/evaluate", OPERATOR, NULL, 405, "method_not_allowed", "", NULL},
};

/* {rule} {alert} {viewer} {admin}; then moments from the real clock, not
 * dates that one day are past: {soon} (in 30 days), {toolong} (400) */
static char ids[6][40];

static void setup(void)
{
	const struct fixture_users *u = fixture_users();
	long long rule;
	struct http_resp r;

	make_push_kpi("t_bad", 0);
	push_value("t_bad", 10, 0);
	rule = make_simple_rule("bad input target", "t_bad", "gt", 5, "");
	r = evaluate_rule(rule);
	snprintf(ids[0], sizeof(ids[0]), "%lld", rule);
	snprintf(ids[1], sizeof(ids[1]), "%lld", jint(&r, "fired.0.id"));
	http_free(&r);
	snprintf(ids[2], sizeof(ids[2]), "%lld", SQL_INT0("SELECT id FROM users WHERE username = 'viewer1'"));
	snprintf(ids[3], sizeof(ids[3]), "%lld", SQL_INT0("SELECT id FROM users WHERE username = 'admin'"));
	time_format_iso(time_now_us() + INT64_C(30) * 86400 * 1000000, ids[4], sizeof(ids[4]));
	time_format_iso(time_now_us() + INT64_C(400) * 86400 * 1000000, ids[5], sizeof(ids[5]));
	(void)u;
}

/* path/body with {rule} {alert} {viewer} {admin} filled in */
static char *fill(const char *s)
{
	static const char *const names[] = {"{rule}", "{alert}", "{viewer}", "{admin}", "{soon}",
	    "{toolong}"};
	struct buf b;

	if (s == NULL)
		return NULL;
	buf_init(&b);
	while (*s) {
		int done = 0;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = strlen(names[i]);
			if (strncmp(s, names[i], n) == 0) {
				buf_puts(&b, ids[i]);
				s += n;
				done = 1;
				break;
			}
		}
		if (!done)
			buf_putc(&b, *s++);
	}
	return buf_detach(&b);
}

/* Counts and contents of every table a request could change. */
static char *snapshot(void)
{
	return test_sql_str(
	    "SELECT concat_ws('|',"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))"
	    "    FROM alert_rules t),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY rule_id), ''))"
	    "    FROM rule_state t),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))"
	    "    FROM alerts t),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))"
	    "    FROM silences t),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY key), ''))"
	    "    FROM kpis t),"
	    " (SELECT count(*) || ':' || max(id) FROM kpi_samples),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))"
	    "    FROM users t),"
	    " (SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))"
	    "    FROM api_tokens t),"
	    " (SELECT count(*) FROM sessions),"
	    " (SELECT count(*) || ':' || max(id) FROM audit_log),"
	    " (SELECT count(*) || ':' || max(id) FROM events),"
	    " (SELECT count(*) FROM mail_outbox),"
	    " (SELECT count(*) FROM ack_tokens))", 0, NULL);
}

static void t_bad_inputs(void)
{
	const struct fixture_users *u = fixture_users();
	const char *tokens[4] = {NULL, u->viewer, u->operator_, u->admin};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	int failures = 0;

	CU_ASSERT_TRUE(n >= 80);
	setup();
	for (size_t i = 0; i < n; i++) {
		const struct bad *c = &cases[i];
		char *path = fill(c->path), *body = fill(c->body), *before = snapshot(), *after;
		char auth[256], ctype[128];
		const char *h[3] = {NULL, NULL, NULL};
		int k = 0, ok;
		struct http_resp r;
		const char *code, *field;

		if (tokens[c->who]) {
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[c->who]);
			h[k++] = auth;
		}
		if (c->ctype) {
			snprintf(ctype, sizeof(ctype), "Content-Type: %s", c->ctype);
			h[k++] = ctype;
		}
		r = http_do(c->method, path, h, body, body ? strlen(body) : 0);
		after = snapshot();
		code = jstr(&r, "error.code");
		field = jstr(&r, "error.field");
		ok = r.status == c->status && code && strcmp(code, c->code) == 0 &&
		    jstr(&r, "error.message") != NULL && strcmp(before, after) == 0 &&
		    (c->field == NULL || (*c->field == '\0' ? field == NULL :
		        field && strcmp(field, c->field) == 0));
		if (!ok) {
			failures++;
			fprintf(stderr, "\n    case %lu: %s %s: got %ld %s (field %s)%s, want %d %s (field %s)\n",
			    (unsigned long)i, c->method, path, r.status, code ? code : "-",
			    field ? field : "-", strcmp(before, after) ? " AND THE DATABASE CHANGED" : "",
			    c->status, c->code, c->field ? c->field : "-");
		}
		CU_ASSERT_TRUE(ok);
		http_free(&r);
		free(path);
		free(body);
		free(before);
		free(after);
	}
	fprintf(stderr, "\n    %lu bad-input cases, %d failed\n", (unsigned long)n, failures);
}

void suite_badinput(void)
{
	static const struct test_case tcases[] = {
		{"bad input: status, error body, database unchanged", t_bad_inputs},
		{NULL, NULL},
	};
	test_add_suite("badinput", NULL, NULL, tcases);
}
