/*
 * escalate.c - see escalate.h.
 */
#include "escalate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "event.h"
#include "mail.h"
#include "silence_store.h"
#include "util.h"

#define ESCALATE_BATCH 100

/*
 * Due alerts of this batch, locked; the ones another escalator holds are
 * skipped (it is escalating them). The level is re-read under the lock.
 * An alert goes up one level per run (escalated_at = now excludes it from
 * the run's later batches), even if it is overdue for more.
 */
DB_STMT(q_due,
    "SELECT a.id, a.escalation_level, r.id AS rule_id, " MAIL_FACT_COLUMNS ","
    "       to_json(r.escalation_recipients)::text AS recipients,"
    "       " MAIL_WHEN_SQL("$1::timestamptz", "$3") " AS now_local,"
    "       " SILENCED_SQL("$1::timestamptz") " AS silenced"
    "  FROM alerts a"
    "  JOIN alert_rules r ON r.id = a.rule_id"
    "  JOIN kpis k ON k.key = r.kpi_key"
    " WHERE a.state = 'firing' AND r.enabled AND r.escalation_after_minutes IS NOT NULL"
    "   AND a.escalation_level < $2::int"
    "   AND (a.escalated_at IS NULL OR a.escalated_at < $1::timestamptz)"
    "   AND a.triggered_at + (a.escalation_level + 1)"
    "       * make_interval(mins => r.escalation_after_minutes) <= $1::timestamptz"
    " ORDER BY a.id LIMIT $4::int"
    " FOR UPDATE OF a SKIP LOCKED");

DB_STMT(q_raise,
    "UPDATE alerts a SET escalation_level = a.escalation_level + 1,"
    "       escalated_at = $2::timestamptz"
    " WHERE a.id = $1::bigint AND a.escalation_level = $3::int AND a.state = 'firing'"
    " RETURNING " ALERT_COLUMNS);

/* One batch in one transaction. Returns alerts escalated, or -1. */
static int escalate_batch(struct db *db, const struct config *cfg, const char *now,
    int64_t max_level, struct escalate_result *res)
{
	char maxl[24], batch[24];
	PGresult *due = NULL;
	struct outbox o;
	struct events ev;
	json_t *done = json_array();
	int n = -1, count = 0, queued;

	outbox_init(&o);
	events_init(&ev);
	if (db_begin(db) < 0)
		goto out;
	due = DB_EXEC(db, &q_due, now, db_i64_param(max_level, maxl), cfg->timezone,
	    db_i64_param(ESCALATE_BATCH, batch));
	if (due == NULL)
		goto out;
	for (int i = 0; i < PQntuples(due); i++) {
		PGresult *up = DB_EXEC(db, &q_raise, db_str(due, i, "id"), now,
		    db_str(due, i, "escalation_level"));
		json_t *a, *rcpt;
		char prefix[64];

		if (up == NULL)
			goto out;
		if (PQntuples(up) != 1) {
			PQclear(up);
			continue;
		}
		a = alert_json(up, 0);
		PQclear(up);
		events_add(&ev, "alert.escalated", a);
		rcpt = json_loads(db_str(due, i, "recipients"), 0, NULL);
		if (!db_bool(due, i, "silenced") && rcpt) {
			struct mail_alert m;

			mail_alert_of(&m, MAIL_ESCALATED, a, due, i, db_str(due, i, "now_local"),
			    json_number_value(json_object_get(a, "value")));
			/* alert and level in the key: a level is mailed once */
			snprintf(prefix, sizeof(prefix), "escalated:%lld:%d",
			    (long long)json_integer_value(json_object_get(a, "id")),
			    m.escalation_level);
			if (mail_queue_alert(db, cfg, &o, &m, rcpt, db_i64(due, i, "rule_id"),
			    prefix) < 0) {
				json_decref(rcpt);
				json_decref(a);
				goto out;
			}
		}
		json_decref(rcpt);
		json_array_append_new(done, a);
		count++;
	}
	if ((queued = outbox_flush(db, cfg, &o)) < 0)
		goto out;
	if (events_flush(db, &ev) < 0 || db_commit(db) < 0)
		goto out;
	res->mails += queued;
	res->escalated += count;
	json_array_extend(res->alerts, done);
	n = PQntuples(due);
out:
	db_rollback(db);
	PQclear(due);
	json_decref(done);
	outbox_free(&o);
	events_free(&ev);
	return n;
}

int escalate_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct escalate_result *res)
{
	char now[40];
	int n;

	memset(res, 0, sizeof(*res));
	res->alerts = json_array();
	time_format_iso(now_us, now, sizeof(now));
	/* batches until one comes back short: what is left is locked elsewhere */
	do {
		n = escalate_batch(db, cfg, now, cfg->escalate_max, res);
		if (n < 0)
			return -1;
	} while (n == ESCALATE_BATCH);
	return 0;
}

void escalate_result_free(struct escalate_result *res)
{
	json_decref(res->alerts);
	memset(res, 0, sizeof(*res));
}
