/*
 * system_check.c - see system_check.h.
 *
 * Each check is one statement over $1, the moment, answering one row:
 * holds, the alert's message (names what is wrong) and value (how many,
 * or how old). Their columns are the ones /metrics and /api/status read
 * too (job_runs, pusher_heartbeats, mail_outbox, kpi_samples), through
 * indexes, so a check costs a few milliseconds.
 */
#include "system_check.h"

#include <string.h>

#include "alert.h"
#include "log.h"
#include "schedule.h"
#include "util.h"

#define SYSCHK_S_(x) #x
#define SYSCHK_S(x) SYSCHK_S_(x)

/* Three evaluation intervals without a successful evaluation; a job that
 * never ran (a fresh install) is not stale yet. */
DB_STMT(q_evaluation_stale,
    "SELECT $1::timestamptz - j.last_success_at"
    "         > make_interval(secs => 3 * " SYSCHK_S(SCHEDULE_EVAL_PERIOD_S) ") AS holds,"
    "       'no successful evaluation since ' || iso(j.last_success_at) || ' ('"
    "         || floor(extract(epoch FROM $1::timestamptz - j.last_success_at) / 60)"
    "         || ' minutes; expected every "
    SYSCHK_S(SCHEDULE_EVAL_PERIOD_S) " s)' AS message,"
    "       extract(epoch FROM $1::timestamptz - j.last_success_at)::float8 AS value"
    "  FROM (SELECT max(last_success_at) AS last_success_at FROM job_runs"
    "         WHERE job = 'evaluate') j");

DB_STMT(q_job_failed,
    "SELECT count(*) > 0 AS holds, count(*)::float8 AS value,"
    "       'last run failed: ' || string_agg(job || ' (' || coalesce(error, 'no error given')"
    "         || ')', '; ' ORDER BY job) AS message"
    "  FROM job_runs WHERE NOT ok AND started_at <= $1::timestamptz");

/* Due for ten minutes and not tried: no delivery service takes it. */
DB_STMT(q_delivery_failing,
    "WITH d AS (SELECT count(*) AS n FROM mail_outbox"
    "            WHERE status = 'dead' AND dead_at <= $1::timestamptz"
    "              AND dead_at > $1::timestamptz - interval '1 hour'),"
    " s AS (SELECT coalesce(c.name, o.channel) AS what, min(o.next_attempt_at) AS due"
    "         FROM mail_outbox o LEFT JOIN contact_points c ON c.id = o.contact_point_id"
    "        WHERE o.status = 'queued'"
    "          AND o.next_attempt_at < $1::timestamptz - interval '10 minutes'"
    "        GROUP BY 1)"
    " SELECT (SELECT n FROM d) > 0 OR EXISTS (SELECT 1 FROM s) AS holds,"
    "        ((SELECT n FROM d) + (SELECT count(*) FROM s))::float8 AS value,"
    "        concat_ws('; ',"
    "          CASE WHEN (SELECT n FROM d) > 0 THEN (SELECT n FROM d)"
    "               || ' message(s) dead in the last hour' END,"
    "          (SELECT 'due for over 10 minutes: ' || string_agg(what || ' (since '"
    "             || iso(due) || ')', ', ' ORDER BY what) FROM s)) AS message");

/* Only once a pusher has ever beaten: an install without one is not down. */
DB_STMT(q_pusher_down,
    "SELECT max(beat_at) < $1::timestamptz - interval '1 minute' AS holds,"
    "       'no pusher heartbeat since ' || iso(max(beat_at)) AS message,"
    "       extract(epoch FROM $1::timestamptz - max(beat_at))::float8 AS value"
    "  FROM pusher_heartbeats");

/* Push KPIs that rules watch and that were pushed at least once. */
DB_STMT(q_kpi_stale,
    "SELECT count(*) > 0 AS holds, count(*)::float8 AS value,"
    "       'no sample within max_age_minutes: ' || string_agg(k.key || ' (last '"
    "         || iso(l.at) || ')', ', ' ORDER BY k.key) AS message"
    "  FROM kpis k"
    "  CROSS JOIN LATERAL (SELECT max(s.sampled_at) AS at FROM kpi_samples s"
    "                       WHERE s.kpi_key = k.key AND s.sampled_at <= $1::timestamptz) l"
    " WHERE k.source = 'push' AND k.deleted_at IS NULL"
    "   AND EXISTS (SELECT 1 FROM alert_rules r WHERE r.kpi_key = k.key AND r.enabled)"
    "   AND l.at < $1::timestamptz - make_interval(mins => k.max_age_minutes)");

static const struct {
	unsigned bit;
	const char *check;
	const struct db_stmt *st;
} checks[] = {
	{SYSCHK_EVALUATION_STALE, "evaluation_stale", &q_evaluation_stale},
	{SYSCHK_JOB_FAILED, "job_failed", &q_job_failed},
	{SYSCHK_DELIVERY_FAILING, "delivery_failing", &q_delivery_failing},
	{SYSCHK_PUSHER_DOWN, "pusher_down", &q_pusher_down},
	{SYSCHK_KPI_STALE, "kpi_stale", &q_kpi_stale},
};

/* One check at now: its verdict applied. 0 or -1. */
static int check_one(struct db *db, const struct config *cfg, int64_t now_us,
    const char *now, size_t k, struct eval_result *res)
{
	PGresult *r = DB_EXEC(db, checks[k].st, now);
	struct system_verdict v = {.check = checks[k].check};
	int rc;

	if (r == NULL)
		return -1;
	/* NULL (never ran, never beaten): does not hold */
	v.holds = !db_isnull(r, 0, "holds") && db_bool(r, 0, "holds");
	v.message = db_str(r, 0, "message");
	v.value = db_isnull(r, 0, "value") ? 0 : db_f64(r, 0, "value");
	if (v.message == NULL)
		v.message = "";
	rc = eval_system(db, cfg, now_us, &v, res);
	PQclear(r);
	return rc;
}

int system_checks_run(struct db *db, const struct config *cfg, int64_t now_us,
    unsigned mask, struct eval_result *res)
{
	struct eval_result own;
	char now[40];
	int failed = 0;

	if (!cfg->system_checks)
		return 0;
	if (now_us == 0)
		now_us = time_now_us();
	memset(&own, 0, sizeof(own));
	if (res == NULL) {
		own.fired = json_array();
		own.resolved = json_array();
		res = &own;
	}
	time_format_iso(now_us, now, sizeof(now));
	for (size_t k = 0; k < GW_ARRAY_LEN(checks); k++) {
		if (!(mask & checks[k].bit))
			continue;
		if (check_one(db, cfg, now_us, now, k, res) < 0) {
			log_err("system check %s failed (see above); the other checks go on",
			    checks[k].check);
			failed++;
		}
	}
	if (res == &own)
		eval_result_free(&own);
	return failed;
}
