/*
 * integration-tests - CUnit tests that drive a running throwaway stack
 * (PostgreSQL, goldwatch-api, nginx, ...) over HTTP with libcurl and read
 * its database to check what was stored. Started by tests/run.sh, which
 * sets GW_TEST_URL, GW_TEST_STACK, GW_TEST_BIN, DATABASE_URL and
 * GW_TEST_ADMIN_PASSWORD.
 *
 *   integration-tests [SUITE [TEST]]
 */
#include "integration.h"
#include "testlib.h"

int main(int argc, char **argv)
{
	static const suite_fn suites[] = {
		suite_first_screen, suite_doctor, suite_http, suite_auth_api, suite_health, suite_engine, suite_mail, suite_api,
		suite_badinput, suite_jobs, suite_roles, suite_pusher, suite_forms,
		suite_db, suite_collation, suite_clock, suite_nginx, suite_ack_key,
		suite_options, suite_schema, suite_stores, suite_words, suite_starter,
		suite_scheduler, suite_trade, suite_backfill, suite_calendar,
		suite_lifecycle, suite_seasonal, suite_push_eval, suite_preview,
		suite_hysteresis, suite_contact_points, suite_notify, suite_deliveries, suite_escalation_policy,
		suite_tokens, suite_logs, suite_metrics, suite_prometheus, suite_system_rules,
		suite_status, suite_money, suite_page_cache, suite_partition,
		suite_slots, suite_replica,
	};
	return test_main(argc, argv, suites, sizeof(suites) / sizeof(suites[0]));
}
