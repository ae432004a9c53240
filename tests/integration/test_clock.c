/*
 * test_clock.c - the shop's calendar where the clock changes: the alerts
 * page's date filter takes whole days of the shop's zone, 25 and 23 hours
 * long on the days its clocks change, and prints times in that zone.
 *
 * The days are found in the zone of the stack (GOLDWATCH_TIMEZONE): the
 * last day of each kind in the past two years, or yesterday in a zone
 * without daylight saving (UTC). tests/run.sh's clock variants run the
 * suite in zones that change their clocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "util.h"

/* The last day before today in the shop's zone whose length compares to
 * 24 hours as cmp says ('>' or '<'), else yesterday. */
static char *changed_day(const char *cmp)
{
	char *sql = xasprintf(
	    "WITH d AS (SELECT (now() AT TIME ZONE $1)::date - g AS day FROM generate_series(1, 730) g)"
	    " SELECT coalesce((SELECT day FROM d WHERE ((day + 1)::timestamp AT TIME ZONE $1)"
	    "     - (day::timestamp AT TIME ZONE $1) %s interval '24 hours' ORDER BY day DESC LIMIT 1),"
	    "   (now() AT TIME ZONE $1)::date - 1)::text", cmp);
	char *day = test_sql_str(sql, 1, TP(test_shop_zone()));

	free(sql);
	return day;
}

/* A resolved alert of kpi at the shop's local time hh_mm, days after day. */
static long long alert_at(const char *kpi, const char *day, int days, const char *hh_mm)
{
	char d[16];

	snprintf(d, sizeof(d), "%d", days);
	return test_sql_int("INSERT INTO alerts (rule_name, kpi_key, condition, threshold, value,"
	    " severity, state, message, triggered_at, resolved_at)"
	    " SELECT 'shop day', $1, 'gt', 1, 2, 'info', 'resolved', 'day edge', t, t"
	    "   FROM (SELECT (($2::date + $3::int) + $4::time) AT TIME ZONE $5 AS t) x"
	    " RETURNING id", 5, TP(kpi, day, d, hh_mm, test_shop_zone()));
}

static int listed(const struct http_resp *r, long long id)
{
	char needle[48];

	snprintf(needle, sizeof(needle), "data-alert-id=\"%lld\"", id);
	return r->body && strstr(r->body, needle) != NULL;
}

/* From DAY to DAY on the alerts page: exactly that day's alerts. */
static void check_day(const char *kpi, const char *day)
{
	long long before = alert_at(kpi, day, -1, "23:30");
	long long first = alert_at(kpi, day, 0, "00:30");
	long long last = alert_at(kpi, day, 0, "23:30");
	long long after = alert_at(kpi, day, 1, "00:30");
	char cookie[200], path[128], id[24], *shown;
	const char *h[] = {cookie, NULL};
	struct http_resp r;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", fixture_users()->viewer);
	snprintf(path, sizeof(path), "/alerts?kpi=%s&since=%s&until=%s", kpi, day, day);
	r = http_do("GET", path, h, NULL, 0);
	EXPECT_STATUS(r, 200);
	if (!listed(&r, first) || !listed(&r, last) || listed(&r, before) || listed(&r, after))
		fprintf(stderr, "\n    %s in %s (%s): listed %d %d %d %d, want 0 1 1 0\n", day,
		    test_shop_zone(), kpi, listed(&r, before), listed(&r, first), listed(&r, last),
		    listed(&r, after));
	CU_ASSERT_FALSE(listed(&r, before));
	CU_ASSERT_TRUE(listed(&r, first));
	CU_ASSERT_TRUE(listed(&r, last));
	CU_ASSERT_FALSE(listed(&r, after));
	/* and the page prints the shop's time, not the server's */
	snprintf(id, sizeof(id), "%lld", last);
	shown = test_sql_str("SELECT to_char(triggered_at AT TIME ZONE $1, 'DD Mon YYYY HH24:MI')"
	    " FROM alerts WHERE id = $2::bigint", 2, TP(test_shop_zone(), id));
	CU_ASSERT(r.body && strstr(r.body, shown));
	CU_ASSERT_PTR_NOT_NULL(strstr(shown, "23:30"));
	free(shown);
	http_free(&r);
}

static void t_alerts_page_days(void)
{
	char *longer = changed_day(">"), *shorter = changed_day("<");

	make_push_kpi("t_day_long", 0);
	make_push_kpi("t_day_short", 0);
	check_day("t_day_long", longer);
	check_day("t_day_short", shorter);
	free(longer);
	free(shorter);
}

void suite_clock(void)
{
	static const struct test_case cases[] = {
		{"the alerts page's dates are whole shop days, 23 or 25 hours too", t_alerts_page_days},
		{NULL, NULL},
	};
	test_add_suite("clock", NULL, NULL, cases);
}
