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
 * the run's later batches), even if it is overdue for more. A silenced
 * alert waits; released, its next level is a full step after the release.
 */
DB_STMT(q_due,
    "SELECT a.id, a.escalation_level, r.id AS rule_id, " MAIL_FACT_COLUMNS ","
    "       to_json(r.escalation_recipients)::text AS recipients,"
    "       " MAIL_WHEN_SQL("$1::timestamptz", "$3") " AS now_local"
    "  FROM alerts a"
    "  JOIN alert_rules r ON r.id = a.rule_id"
    "  JOIN kpis k ON k.key = r.kpi_key"
    " WHERE a.state = 'firing' AND r.enabled AND r.escalation_after_minutes IS NOT NULL"
    "   AND a.escalation_level < $2::int"
    "   AND (a.escalated_at IS NULL OR a.escalated_at < $1::timestamptz)"
    "   AND a.triggered_at + (a.escalation_level + 1)"
    "       * make_interval(mins => r.escalation_after_minutes) <= $1::timestamptz"
    "   AND (a.escalation_resumed_at IS NULL OR a.escalation_resumed_at"
    "       + make_interval(mins => r.escalation_after_minutes) <= $1::timestamptz)"
    "   AND NOT " SILENCED_SQL("$1::timestamptz", "$3")
    " ORDER BY a.id LIMIT $4::int"
    " FOR UPDATE OF a SKIP LOCKED");

DB_STMT(q_raise,
    "UPDATE alerts a SET escalation_level = a.escalation_level + 1,"
    "       escalated_at = $2::timestamptz"
    " WHERE a.id = $1::bigint AND a.escalation_level = $3::int AND a.state = 'firing'"
    " RETURNING " ALERT_COLUMNS);

/*
 * A silence holds the escalation of the firing alerts it covers: marked
 * once, at the first run that sees them silenced.
 */
DB_STMT(q_hold,
    "UPDATE alerts a SET silence_held_at = $1::timestamptz"
    "  FROM alert_rules r"
    " WHERE r.id = a.rule_id AND a.state = 'firing' AND a.silence_held_at IS NULL"
    "   AND " SILENCED_SQL("$1::timestamptz", "$2"));

/*
 * The silence is over (ended or deleted) and they still fire: released
 * once, with what the mail needs. An alert that fired silenced was never
 * told it fired, so it is released too (once: then it has resumed).
 */
DB_STMT(q_release,
    "UPDATE alerts a SET silence_held_at = NULL, escalation_resumed_at = $1::timestamptz"
    "  FROM alert_rules r JOIN kpis k ON k.key = r.kpi_key"
    " WHERE r.id = a.rule_id AND a.state = 'firing'"
    "   AND (a.silence_held_at IS NOT NULL OR (a.silenced AND a.escalation_resumed_at IS NULL))"
    "   AND NOT " SILENCED_SQL("$1::timestamptz", "$2")
    " RETURNING " ALERT_COLUMNS ", r.id AS rid, " MAIL_FACT_COLUMNS ","
    "       to_json(r.recipients)::text AS recipients,"
    "       " MAIL_WHEN_SQL("$1::timestamptz", "$2") " AS now_local");

/* Queues the "still firing" mail of released row i (once per release). 0 or -1. */
static int tell_still_firing(struct db *db, const struct config *cfg, struct outbox *o,
    const PGresult *rel, int i, const char *now)
{
	json_t *a = alert_json(rel, i), *rcpt = json_loads(db_str(rel, i, "recipients"), 0, NULL);
	struct mail_alert m;
	char prefix[96];
	int rc = 0;

	if (rcpt != NULL) {
		mail_alert_of(&m, MAIL_STILL_FIRING, a, rel, i, db_str(rel, i, "now_local"),
		    json_number_value(json_object_get(a, "value")));
		/* alert and the moment of its release in the key: told once per silence */
		snprintf(prefix, sizeof(prefix), "still_firing:%lld:%s",
		    (long long)json_integer_value(json_object_get(a, "id")), now);
		rc = mail_queue_alert(db, cfg, o, &m, rcpt, db_i64(rel, i, "rid"), prefix);
	}
	json_decref(rcpt);
	json_decref(a);
	return rc;
}

/* Holds the newly silenced alerts and releases those whose silence ended. */
static int hold_and_release(struct db *db, const struct config *cfg, const char *now,
    struct escalate_result *res)
{
	PGresult *rel = NULL;
	struct outbox o;
	int rc = -1, queued;

	outbox_init(&o);
	if (db_begin(db) < 0 || DB_RUN(db, &q_hold, now, cfg->timezone) < 0)
		goto out;
	if ((rel = DB_EXEC(db, &q_release, now, cfg->timezone)) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(rel); i++)
		if (tell_still_firing(db, cfg, &o, rel, i, now) < 0)
			goto out;
	if ((queued = outbox_flush(db, cfg, &o)) < 0 || db_commit(db) < 0)
		goto out;
	res->mails += queued;
	rc = 0;
out:
	db_rollback(db);
	PQclear(rel);
	outbox_free(&o);
	return rc;
}

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
		if (rcpt) {
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
	if (hold_and_release(db, cfg, now, res) < 0)
		return -1;
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
