/*
 * app.h - the route table of goldwatch-api and the handlers it names.
 * A handler gets a request whose route, identity, role, CSRF token and
 * body type were already checked, and returns the HTTP status it set.
 */
#ifndef GW_APP_H
#define GW_APP_H

#include "auth.h"
#include "request.h"
#include "store.h"

typedef int (*handler_fn)(struct request *req);

#define ROUTE_PAGE 0x1    /* HTML: anonymous users go to /login */
#define ROUTE_NO_CSRF 0x2 /* a form that checks its own token (login) */
#define ROUTE_BODY_OPTIONAL 0x4 /* BODY_JSON, but an empty body is fine */
/* a scrape: an address in GOLDWATCH_METRICS_ALLOW, or any bearer credential */
#define ROUTE_SCRAPE 0x8
/* a GET that reads the primary even with a read replica (read_db.h) */
#define ROUTE_PRIMARY 0x10

struct route {
	enum method method;
	const char *pattern;
	handler_fn handler;
	enum role role;       /* least role; ROLE_PUBLIC for everyone */
	enum body_kind body;
	unsigned flags;
	const struct vfield *query; /* its query parameters (NULL: the handler's own) */
	size_t nquery;
};

/*
 * Declares a route. The role is a required argument: there is no way to
 * write a route without one, and routes_check() refuses ROLE_INVALID.
 * ROUTE_Q adds the table of its query parameters, which the gate checks
 * into req->q before the handler runs.
 */
#define ROUTE(m, pattern, handler, role, body, flags) \
	{m, pattern, handler, role, body, flags, NULL, 0}
#define ROUTE_Q(m, pattern, handler, role, body, flags, query) \
	{m, pattern, handler, role, body, flags, query, GW_ARRAY_LEN(query)}

const struct route *routes_table(size_t *n);
/* Aborts start-up if a route lacks a role or a handler. 0 if all good. */
int routes_check(void);
/* Finds the route for method and path. Returns it, or NULL with *status
 * 404 (no such path) or 405 (path exists, method not; *allow lists). */
const struct route *routes_find(enum method m, const char *path,
    struct route_params *params, int *status, char *allow, size_t allowlen);

/* Runs one request through the checks and its handler. */
void dispatch(struct request *req);

/* health.c */
int health_get(struct request *req);

/* metrics.c: GET /metrics (Prometheus) */
int metrics_get(struct request *req);
/* status.c: GET /api/status (core/status_store.c) */
int status_get(struct request *req);

/* session.c */
int session_login(struct request *req);
int session_logout(struct request *req);
int session_me(struct request *req);
/* Sets the session cookie (Secure when the request came over TLS). */
void session_set_cookie(struct request *req, const char *token, int64_t max_age_s);

/* users.c */
int users_list(struct request *req);
int users_create(struct request *req);
int users_update(struct request *req);
int tokens_create(struct request *req);
/* GET, DELETE /api/users/{id}/sessions: admin, or the user's own */
int user_sessions_list(struct request *req);
int user_sessions_end(struct request *req);

/* tokens.c */
int tokens_list(struct request *req);
int tokens_revoke(struct request *req);

/* rules.c */
int rules_list(struct request *req);
int rules_create(struct request *req);
int rules_get(struct request *req);
int rules_replace(struct request *req);
int rules_delete(struct request *req);
/* POST /api/alerts/rules/load-starter: {"added","skipped","rules"} (core/starter.c) */
int rules_load_starter(struct request *req);
/*
 * Deletes rule id for the API and the rules page alike (rule_delete), the
 * resolved mail of its open alerts delivered right after the response.
 */
enum store_rc rule_delete_request(struct request *req, int64_t id, json_t **out,
    struct verror *err);
/* rules_preview.c: POST /api/alerts/rules/preview (core/preview.c) */
int rules_preview(struct request *req);
/* Answers a core store result (store.h) with status or the error body. */
int store_answer(struct request *req, enum store_rc rc, int status, json_t *out,
    const struct verror *err, const char *what);

/* notifications.c */
int notifications_list(struct request *req);
int notifications_retry(struct request *req);
int alerts_deliveries(struct request *req);
int rules_test(struct request *req);

/* ack_pages.c: the one-click acknowledge link from mail */
int page_ack_form(struct request *req);
int page_ack_submit(struct request *req);

/* alerts.c */
int alerts_evaluate(struct request *req);
int alerts_get(struct request *req);
int alerts_history(struct request *req);
int alerts_acknowledge(struct request *req);
int alerts_summary(struct request *req);

/* calendar.c */
int contact_points_list(struct request *req);
int contact_points_get(struct request *req);
int contact_points_create(struct request *req);
int contact_points_replace(struct request *req);
int contact_points_delete(struct request *req);
int contact_points_test(struct request *req);
int esc_policies_list(struct request *req);
int esc_policies_get(struct request *req);
int esc_policies_create(struct request *req);
int esc_policies_replace(struct request *req);
int esc_policies_delete(struct request *req);
int policies_get(struct request *req);
int policies_put(struct request *req);
int shop_calendar_get(struct request *req);
int shop_calendar_put(struct request *req);

/* silences.c */
int silences_list(struct request *req);
int silences_create(struct request *req);
int silences_delete(struct request *req);
int silences_get(struct request *req);

/* events.c */
int events_list(struct request *req);

/* audit.c */
int audit_list(struct request *req);

/* kpis.c */
int kpis_list(struct request *req);
int kpis_get(struct request *req);
int kpis_samples(struct request *req);
int kpis_create(struct request *req);
int kpis_push_sample(struct request *req);
int kpis_delete(struct request *req);

/* pages.c */
int page_login_form(struct request *req);
int page_login_submit(struct request *req);
int page_logout(struct request *req);
/*
 * A page route asked for while signed out: a GET goes to /login?next= its
 * path and query; a form (form_read: its fields are in req->form) is
 * kept in the sign-in page's hidden fields, without its CSRF token.
 */
int page_signin_needed(struct request *req, int form_read);
/* pages_resume.c: after signing in, the kept action offered again (a form
 * with a fresh CSRF token), or the way to next when it cannot be. */
struct page_resume {
	const char *path;
	const struct kv *fields;
	size_t n;
};
int page_resume_offer(struct request *req, const struct page_resume *r, const char *next);
int page_dashboard(struct request *req);

/* pages_alerts.c */
int page_alerts(struct request *req);
int page_alert_detail(struct request *req);
int page_alert_ack(struct request *req);
int page_alerts_ack(struct request *req);
/* POST /notifications/{id}/retry: the alert page's Retry button */
int page_notification_retry(struct request *req);

/* pages_status.c: /status, goldwatch itself (admin) */
int page_status(struct request *req);

/* pages_tokens.c: the admin's API tokens */
int page_tokens(struct request *req);
int page_token_create(struct request *req);
int page_token_revoke(struct request *req);

/* pages_sessions.c: the account page and a user's sessions */
int page_account(struct request *req);
int page_user_sessions(struct request *req);
int page_user_sessions_end(struct request *req);

/* pages_calendar.c */
int page_calendar(struct request *req);
int page_calendar_update(struct request *req);

/* pages_rules.c */
int page_rules(struct request *req);
int page_rule_new(struct request *req);
int page_rule_create(struct request *req);
int page_rule_edit(struct request *req);
int page_rule_update(struct request *req);
int page_rule_enabled(struct request *req);
int page_rule_test(struct request *req);
int page_rule_delete(struct request *req);
int page_rules_load_starter(struct request *req);

/* pages_kpis.c */
int page_kpis(struct request *req);
int page_kpi(struct request *req);
int page_silences(struct request *req);
int page_silence_create(struct request *req);
int page_silence_end(struct request *req);
/* Renders an error page for page routes. */
int page_error(struct request *req, int status, const char *message);
int page_contact_points(struct request *req);
int page_contact_point(struct request *req);
int page_contact_point_create(struct request *req);
int page_contact_point_update(struct request *req);
int page_contact_point_test(struct request *req);
int page_contact_point_delete(struct request *req);

/* pages_policies.c */
int page_policies(struct request *req);
int page_policies_save(struct request *req);

/* pages_escalation_policies.c */
int page_esc_policies(struct request *req);
int page_esc_policy_new(struct request *req);
int page_esc_policy(struct request *req);
int page_esc_policy_create(struct request *req);
int page_esc_policy_update(struct request *req);
int page_esc_policy_delete(struct request *req);

#endif
