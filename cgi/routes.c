/*
 * routes.c - the one route table of goldwatch-api: method, path pattern,
 * handler, least role, accepted body. main only looks routes up here.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "log.h"

static const struct route routes[] = {
	/* JSON API */
	ROUTE(M_GET, "/api/health", health_get, ROLE_PUBLIC, BODY_NONE, 0),
	ROUTE(M_POST, "/api/auth/login", session_login, ROLE_PUBLIC, BODY_JSON, 0),
	ROUTE(M_POST, "/api/auth/logout", session_logout, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/auth/me", session_me, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/auth/tokens", tokens_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/users", users_list, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/users", users_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_PATCH, "/api/users/{id}", users_update, ROLE_ADMIN, BODY_JSON, 0),

	ROUTE(M_GET, "/api/alerts/rules", rules_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/rules", rules_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/alerts/rules/{id}", rules_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_PUT, "/api/alerts/rules/{id}", rules_replace, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_DELETE, "/api/alerts/rules/{id}", rules_delete, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/rules/{id}/test", rules_test, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/evaluate", alerts_evaluate, ROLE_OPERATOR, BODY_JSON,
	    ROUTE_BODY_OPTIONAL),
	ROUTE(M_GET, "/api/alerts/history", alerts_history, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/alerts/summary", alerts_summary, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/acknowledge", alerts_acknowledge, ROLE_OPERATOR, BODY_JSON, 0),
	ROUTE(M_GET, "/api/alerts/silences", silences_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/alerts/silences", silences_create, ROLE_OPERATOR, BODY_JSON, 0),
	ROUTE(M_GET, "/api/alerts/silences/{id}", silences_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/alerts/silences/{id}", silences_delete, ROLE_OPERATOR, BODY_NONE, 0),
	ROUTE(M_GET, "/api/alerts/{id}", alerts_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/events", events_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_GET, "/api/audit", audit_list, ROLE_ADMIN, BODY_NONE, 0),

	ROUTE(M_GET, "/api/notifications", notifications_list, ROLE_ADMIN, BODY_NONE, 0),

	ROUTE(M_GET, "/api/kpis", kpis_list, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_POST, "/api/kpis", kpis_create, ROLE_ADMIN, BODY_JSON, 0),
	ROUTE(M_GET, "/api/kpis/{key}", kpis_get, ROLE_VIEWER, BODY_NONE, 0),
	ROUTE(M_DELETE, "/api/kpis/{key}", kpis_delete, ROLE_ADMIN, BODY_NONE, 0),
	ROUTE(M_GET, "/api/kpis/{key}/samples", kpis_samples, ROLE_VIEWER, BODY_NONE, 0),
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
	ROUTE(M_GET, "/rules", page_rules, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/rules", page_rule_create, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/rules/new", page_rule_new, ROLE_ADMIN, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/rules/{id}", page_rule_edit, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}", page_rule_update, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}/enabled", page_rule_enabled, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/rules/{id}/delete", page_rule_delete, ROLE_ADMIN, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_GET, "/kpis", page_kpis, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/kpis/{key}", page_kpi, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_GET, "/silences", page_silences, ROLE_VIEWER, BODY_NONE, ROUTE_PAGE),
	ROUTE(M_POST, "/silences", page_silence_create, ROLE_OPERATOR, BODY_FORM, ROUTE_PAGE),
	ROUTE(M_POST, "/silences/{id}/end", page_silence_end, ROLE_OPERATOR, BODY_FORM,
	    ROUTE_PAGE),
	/* the link in mail: the signed single-use token is the credential and
	 * the CSRF defence (checked in constant time); a GET changes nothing */
	ROUTE(M_GET, "/alerts/{id}/ack", page_ack_form, ROLE_PUBLIC, BODY_NONE, ROUTE_PAGE),
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
	for (size_t i = 0; i < GW_ARRAY_LEN(routes); i++) {
		const struct route *r = &routes[i];
		if (r->role <= ROLE_INVALID || r->role >= ROLE__MAX || r->handler == NULL ||
		    r->pattern == NULL || r->pattern[0] != '/') {
			log_err("route %lu (%s) lacks a role, handler or pattern",
			    (unsigned long)i, r->pattern ? r->pattern : "?");
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
