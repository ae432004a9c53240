/*
 * routes.c - the one route table of goldwatch-api: method, path pattern,
 * handler, least role, accepted body. main only looks routes up here.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http_stats.h"
#include "kpi_store.h"
#include "log.h"
#include "rule.h"

/*
 * The query parameters of each API route that takes any: name, type,
 * bounds, default, into struct query (request.h). The gate refuses a
 * parameter not named here (400 unknown_parameter) and a value outside its
 * field (400 bad_parameter); the handler reads req->q. The pages read
 * their own (a link from mail may carry more than they use). V_NULLABLE
 * marks a number whose absence (0) means "none", outside its bounds.
 */
static int one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 1;
	return 0;
}

static int alert_state(const char *s)
{
	static const char *const states[] = {"firing", "acknowledged", "resolved", NULL};
	return one_of(s, states);
}

static int severity(const char *s)
{
	return severity_parse(s) != SEV__MAX;
}

static int silence_which(const char *s)
{
	static const char *const which[] = {"active", "past", "all", NULL};
	return one_of(s, which);
}

static int outbox_status(const char *s)
{
	static const char *const statuses[] = {"queued", "sent", "dead", NULL};
	return one_of(s, statuses);
}

static int audit_object_type(const char *s)
{
	static const char *const types[] = {"rule", "user", "api_token", "kpi", "silence", "calendar",
	    "contact_point", "notification_policies", "escalation_policy", "notification", NULL};
	return one_of(s, types);
}

#define Q(m) V_AT(struct query, m)
#define Q_KPI {.name = "kpi", .type = V_STRING, .check = valid_kpi_key, \
	.what = "is not a KPI key", .at = Q(kpi)}
#define Q_SINCE {.name = "since", .type = V_TIME, .at = Q(since_us), .has = Q(has_since)}
#define Q_UNTIL {.name = "until", .type = V_TIME, .at = Q(until_us), .has = Q(has_until)}
#define Q_LIMIT(lo, hi, d) {.name = "limit", .type = V_INT, .min = lo, .max = hi, .def = d, \
	.at = Q(limit)}

static const struct vfield q_rules[] = {
	{.name = "enabled", .type = V_BOOL, .at = Q(enabled), .has = Q(has_enabled)},
	Q_KPI,
};
/* limit: more than 500 is clamped by the handler, not refused */
static const struct vfield q_history[] = {
	{.name = "state", .type = V_STRING, .check = alert_state,
	    .what = "must be firing, acknowledged or resolved", .at = Q(state)},
	{.name = "severity", .type = V_STRING, .check = severity,
	    .what = "must be info, warning or critical", .at = Q(severity)},
	Q_KPI,
	{.name = "rule_id", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = INT64_MAX,
	    .at = Q(rule_id)},
	Q_SINCE,
	Q_UNTIL,
	Q_LIMIT(1, INT64_MAX, 50),
	{.name = "cursor", .type = V_STRING, .at = Q(cursor)},
};
static const struct vfield q_silences[] = {
	{.name = "status", .type = V_STRING, .check = silence_which,
	    .what = "must be active, past or all", .at = Q(status)},
};
static const struct vfield q_events[] = {
	{.name = "after", .type = V_INT, .min = 0, .max = INT64_MAX, .at = Q(after)},
	Q_LIMIT(1, 1000, 100),
};
static const struct vfield q_audit[] = {
	{.name = "before", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = INT64_MAX,
	    .at = Q(before)},
	Q_LIMIT(1, 500, 100),
	{.name = "object_type", .type = V_STRING, .check = audit_object_type,
	    .what = "must be rule, user, api_token, kpi, silence, calendar, contact_point,"
	    " notification_policies, escalation_policy or notification", .at = Q(object_type)},
	{.name = "object_id", .type = V_STRING, .max = 64, .what = "is not valid", .at = Q(object_id)},
};
static const struct vfield q_notifications[] = {
	Q_LIMIT(1, 500, 50),
	{.name = "cursor", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = INT64_MAX,
	    .at = Q(cursor_id)},
	{.name = "status", .type = V_STRING, .check = outbox_status,
	    .what = "must be queued, sent or dead", .at = Q(status)},
};
static const struct vfield q_kpis[] = {
	{.name = "category", .type = V_STRING, .check = kpi_valid_category,
	    .what = "must be financial, operational or customer", .at = Q(category)},
	{.name = "include_deleted", .type = V_BOOL, .at = Q(include_deleted)},
};
static const struct vfield q_samples[] = {
	Q_SINCE,
	Q_UNTIL,
	Q_LIMIT(1, 5000, 500),
};

static const struct route routes[] = {
	/* JSON API */
	ROUTE(M_GET, "/api/health", health_get, ROLE_PUBLIC, BODY_NONE, ROUTE_PRIMARY),
	/* public to the role check: the gate's scrape check decides (ROUTE_SCRAPE) */
	ROUTE(M_GET, "/metrics", metrics_get, ROLE_PUBLIC, BODY_NONE,
	    ROUTE_SCRAPE | ROUTE_PRIMARY),
	ROUTE(M_GET, "/api/status", status_get, ROLE_ADMIN, BODY_NONE, ROUTE_PRIMARY),
	ROUTE(M_POST, "/api/auth/login", session_login, ROLE_PUBLIC, BODY_JSON, 0),
	ROUTE(M_POST, "/api/auth/logout", session_logout, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/auth/me", session_me, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/auth/tokens", tokens_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/auth/tokens", tokens_list, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/auth/tokens/{id}", tokens_revoke, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_GET, "/api/users", users_list, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/users", users_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_PATCH, "/api/users/{id}", users_update, ROLE_ADMIN, BODY_JSON, 0),
	/* the handler lets a user at their own sessions, an admin at anyone's */
	ROUTE(M_GET, "/api/users/{id}/sessions", user_sessions_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/users/{id}/sessions", user_sessions_end, ROLE_VIEWER, BODY_NONE, 0),

	ROUTE_Q(M_GET, "/api/alerts/rules", rules_list, ROLE_VIEWER, BODY_NONE, 0, q_rules),
	ROUTE(M_POST, "/api/alerts/rules", rules_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_POST, "/api/alerts/rules/load-starter", rules_load_starter, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/rules/preview", rules_preview, ROLE_VIEWER, BODY_JSON, 0),
	ROUTE(M_GET, "/api/alerts/rules/{id}", rules_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/alerts/rules/{id}", rules_replace, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_DELETE, "/api/alerts/rules/{id}", rules_delete, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/rules/{id}/test", rules_test, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/evaluate", alerts_evaluate, ROLE_OPERATOR, BODY_JSON,
	    ROUTE_BODY_OPTIONAL),
	ROUTE_Q(M_GET, "/api/alerts/history", alerts_history, ROLE_VIEWER, BODY_NONE, 0,
	    q_history),
	ROUTE(M_GET, "/api/alerts/summary", alerts_summary, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/acknowledge", alerts_acknowledge, ROLE_OPERATOR, BODY_JSON, 0),
	ROUTE_Q(M_GET, "/api/alerts/silences", silences_list, ROLE_VIEWER, BODY_NONE, 0,
	    q_silences),
	ROUTE(M_POST, "/api/alerts/silences", silences_create, ROLE_OPERATOR, BODY_JSON, 0),
	ROUTE(M_GET, "/api/alerts/silences/{id}", silences_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/alerts/silences/{id}", silences_delete, ROLE_OPERATOR, BODY_NONE, 0),
	ROUTE(M_GET, "/api/alerts/{id}", alerts_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/alerts/{id}/deliveries", alerts_deliveries, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE_Q(M_GET, "/api/events", events_list, ROLE_VIEWER, BODY_NONE, 0, q_events),
	ROUTE_Q(M_GET, "/api/audit", audit_list, ROLE_ADMIN, BODY_NONE, 0, q_audit),

	ROUTE(M_GET, "/api/shop/calendar", shop_calendar_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/shop/calendar", shop_calendar_put, ROLE_ADMIN, BODY_JSON, 0),

	ROUTE(M_GET, "/api/contact-points", contact_points_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/contact-points", contact_points_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/contact-points/{id}", contact_points_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/contact-points/{id}", contact_points_replace, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_DELETE, "/api/contact-points/{id}", contact_points_delete, ROLE_ADMIN, BODY_NONE,
	    0),
	ROUTE(M_POST, "/api/contact-points/{id}/test", contact_points_test, ROLE_ADMIN, BODY_NONE,
	    0),

	ROUTE(M_GET, "/api/escalation-policies", esc_policies_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/escalation-policies", esc_policies_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/escalation-policies/{id}", esc_policies_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/escalation-policies/{id}", esc_policies_replace, ROLE_ADMIN, BODY_JSON,
	    0),
	ROUTE(M_DELETE, "/api/escalation-policies/{id}", esc_policies_delete, ROLE_ADMIN,
	    BODY_NONE, 0),
	ROUTE(M_GET, "/api/notification-policies", policies_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/notification-policies", policies_put, ROLE_ADMIN, BODY_JSON, 0),

	ROUTE_Q(M_GET, "/api/notifications", notifications_list, ROLE_ADMIN, BODY_NONE, 0,
	    q_notifications),
	ROUTE(M_POST, "/api/notifications/{id}/retry", notifications_retry, ROLE_OPERATOR,
	    BODY_NONE, 0),

	ROUTE_Q(M_GET, "/api/kpis", kpis_list, ROLE_VIEWER, BODY_NONE, 0, q_kpis),
	ROUTE(M_POST, "/api/kpis", kpis_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/kpis/{key}", kpis_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/kpis/{key}", kpis_delete, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE_Q(M_GET, "/api/kpis/{key}/samples", kpis_samples, ROLE_VIEWER, BODY_NONE, 0,
	    q_samples),
	ROUTE(M_POST, "/api/kpis/{key}/samples", kpis_push_sample, ROLE_OPERATOR, BODY_JSON, 0),

	/* staff pages */
	ROUTE(M_GET, "/login", page_login_form, ROLE_PUBLIC, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/login", page_login_submit, ROLE_PUBLIC, BODY_FORM,
	    ROUTE_PAGE | ROUTE_NO_CSRF),
	ROUTE(M_POST, "/logout", page_logout, ROLE_VIEWER, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/", page_dashboard, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/alerts", page_alerts, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/alerts/{id}", page_alert_detail, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/alerts/{id}/acknowledge", page_alert_ack, ROLE_OPERATOR, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/alerts/acknowledge", page_alerts_ack, ROLE_OPERATOR, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/notifications/{id}/retry", page_notification_retry, ROLE_OPERATOR,
	    BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/rules", page_rules, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/rules", page_rule_create, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/rules/new", page_rule_new, ROLE_ADMIN, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/load-starter", page_rules_load_starter, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/rules/{id}", page_rule_edit, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}", page_rule_update, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}/enabled", page_rule_enabled, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}/test", page_rule_test, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}/delete", page_rule_delete, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/kpis", page_kpis, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/kpis/{key}", page_kpi, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/calendar", page_calendar, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/calendar", page_calendar_update, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/contact-points", page_contact_points, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/contact-points", page_contact_point_create, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/contact-points/{id}", page_contact_point, ROLE_VIEWER, BODY_NONE,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/contact-points/{id}", page_contact_point_update, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/contact-points/{id}/test", page_contact_point_test, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/contact-points/{id}/delete", page_contact_point_delete, ROLE_ADMIN,
	    BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/notification-policies", page_policies, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/notification-policies", page_policies_save, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/escalation-policies", page_esc_policies, ROLE_VIEWER, BODY_NONE,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/escalation-policies", page_esc_policy_create, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/escalation-policies/new", page_esc_policy_new, ROLE_ADMIN, BODY_NONE,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/escalation-policies/{id}", page_esc_policy, ROLE_VIEWER, BODY_NONE,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/escalation-policies/{id}", page_esc_policy_update, ROLE_ADMIN, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_POST, "/escalation-policies/{id}/delete", page_esc_policy_delete, ROLE_ADMIN,
	    BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/tokens", page_tokens, ROLE_ADMIN, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/status", page_status, ROLE_ADMIN, BODY_NONE, ROUTE_PAGE | ROUTE_PRIMARY),
	ROUTE(M_POST, "/tokens", page_token_create, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/tokens/{id}/revoke", page_token_revoke, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/account", page_account, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	/* the handlers let a user at their own sessions, an admin at anyone's */
	ROUTE(M_GET, "/users/{id}/sessions", page_user_sessions, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/users/{id}/sessions/end", page_user_sessions_end, ROLE_VIEWER, BODY_FORM,
	    ROUTE_PAGE),
	ROUTE(M_GET, "/silences", page_silences, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/silences", page_silence_create, ROLE_OPERATOR, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/silences/{id}/end", page_silence_end, ROLE_OPERATOR, BODY_FORM,
	    ROUTE_PAGE),
	/* the link in mail: the signed single-use token is the credential and
	 * the CSRF defence (checked in constant time); a GET changes nothing */
	ROUTE(M_GET, "/alerts/{id}/ack", page_ack_form, ROLE_PUBLIC, BODY_NONE,
	    ROUTE_PAGE | ROUTE_PRIMARY),
	ROUTE(M_POST, "/alerts/{id}/ack", page_ack_submit, ROLE_PUBLIC, BODY_FORM,
	    ROUTE_PAGE | ROUTE_NO_CSRF),
};

const struct route *routes_table(size_t *n)
{
	*n = GW_ARRAY_LEN(routes);
	return routes;
}

int routes_check(void)
{
	if (GW_ARRAY_LEN(routes) > HTTP_STATS_ROUTES) {
		log_err("%lu routes: the request counters (http_stats.h) hold %d",
		    (unsigned long)GW_ARRAY_LEN(routes), HTTP_STATS_ROUTES);
		return -1;
	}
	for (size_t i = 0; i < GW_ARRAY_LEN(routes); i++) {
		const struct route *r = &routes[i];
		if (r->role <= ROLE_INVALID || r->role >= ROLE__MAX || r->handler == NULL ||
		    r->pattern == NULL || r->pattern[0] != '/') {
			log_err("route %lu (%s) lacks a role, handler or pattern",
			    (unsigned long)i, r->pattern ? r->pattern : "?");
			return -1;
		}
		for (size_t k = 0; k < r->nquery; k++)
			if (r->query[k].at == 0) {
				log_err("route %s: query parameter %s has no member in struct query",
				    r->pattern, r->query[k].name);
				return -1;
			}
	}
	return 0;
}

const struct route *routes_find(enum method m, const char *path,
    struct route_params *params, int *status, char *allow, size_t allowlen)
{
	struct route_params p;
	int path_seen = 0;
	size_t used = 0;

	if (m == M_HEAD)
		m = M_GET;
	allow[0] = '\0';
	for (size_t i = 0; i < GW_ARRAY_LEN(routes); i++) {
		if (!route_match(routes[i].pattern, path, &p))
			continue;
		if (routes[i].method == m) {
			*params = p;
			return &routes[i];
		}
		path_seen = 1;
		if (used < allowlen) {
			int n = snprintf(allow + used, allowlen - used, "%s%s",
			    used ? ", " : "", method_str(routes[i].method));
			if (n > 0)
				used += (size_t)n;
		}
	}
	*status = path_seen ? 405 : 404;
	return NULL;
}
