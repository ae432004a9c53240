/*
 * unit-tests - CUnit tests of the core library and the route table. No
 * server needed; GOLDWATCH_DATA_DIR points at the source tree (templates).
 *
 *   unit-tests [SUITE [TEST]]
 */
#include "testlib.h"
#include "unit.h"

int main(int argc, char **argv)
{
	static const suite_fn suites[] = {
		suite_util, suite_route, suite_valid, suite_auth, suite_tpl,
		suite_routes, suite_rule, suite_rule_life, suite_mail_mime, suite_ring, suite_store_answer,
		suite_config, suite_offline, suite_parsers, suite_chart, suite_fmt, suite_alert, suite_schedule,
		suite_calendar, suite_baseline, suite_cond, suite_contact_point, suite_policy, suite_metrics, suite_units,
		suite_read_db,
	};
	return test_main(argc, argv, suites, sizeof(suites) / sizeof(suites[0]));
}
