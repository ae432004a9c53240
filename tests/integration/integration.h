/* integration.h - the integration suites and their shared fixtures. */
#ifndef GW_INTEGRATION_H
#define GW_INTEGRATION_H

void suite_http(void);
void suite_auth_api(void);
void suite_health(void);
void suite_engine(void);
void suite_api(void);
void suite_badinput(void);
void suite_roles(void);
void suite_jobs(void);
/* test_api.c: the summary agrees with the alerts (used after cleanup too). */
void t_summary_recheck(void);
void suite_mail(void);
void suite_pusher(void);
void suite_forms(void);
void suite_db(void);
void suite_collation(void);
void suite_clock(void);
void suite_nginx(void);
void suite_page_cache(void);
void suite_partition(void);
void suite_slots(void);
void suite_replica(void);
void suite_money(void);
void suite_ack_key(void);
void suite_options(void);
void suite_schema(void);
void suite_stores(void);
void suite_words(void);
void suite_scheduler(void);
void suite_starter(void);
/* test_starter.c: the dashboard with no rules; runs first, on the stack as it started */
void suite_first_screen(void);
/* test_starter.c: removes the starter rules and their alerts and mail */
void starter_rules_remove(void);
void suite_trade(void);
void suite_backfill(void);
void suite_calendar(void);
void suite_lifecycle(void);
void suite_seasonal(void);
void suite_push_eval(void);
void suite_preview(void);
void suite_hysteresis(void);
void suite_contact_points(void);
void suite_notify(void);
void suite_tokens(void);
void suite_logs(void);
/* test_status.c, test_doctor.c: GET /api/status and goldwatch-admin doctor */
void suite_status(void);
void suite_doctor(void);
struct rcv_request;
/* Asserts q carries goldwatch's signature of its body under secret (test_contact_points.c). */
void expect_signature(const struct rcv_request *q, const char *secret);
/* POST /api/contact-points as admin: the id, or 0 (said on stderr). */
long long make_cp(const char *json);
void suite_deliveries(void);
void suite_escalation_policy(void);
void suite_metrics(void);
void suite_prometheus(void);
void suite_system_rules(void);

/* Users of every role, made once per run: tokens for the API. */
struct fixture_users {
	char *admin, *operator_, *viewer;      /* session tokens (bearer) */
	char *admin_csrf;
};
const struct fixture_users *fixture_users(void);
/* Signs the fixture users in again (after a test ended their sessions). */
void fixture_users_renew(void);
#define PASSWORD_OPERATOR "operator-password-1"
#define PASSWORD_VIEWER "viewer-password-12"

#endif
