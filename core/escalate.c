/*
 * escalate.c - see escalate.h.
 */
#include "escalate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "escalation_policy.h"
#include "event.h"
#include "mail.h"
#include "notify.h"
#include "notify_flush.h"
#include "policy_store.h"
#include "silence_store.h"
#include "util.h"

#define ESCALATE_BATCH 100

/*
 * Alerts of this batch (ids after $5) that may be due, by their rule's
 * escalation policy, locked; the ones another escalator holds are skipped
 * (it is escalating them). The level is re-read under the lock, and
 * esc_due() says whether the next step is due. An alert goes up one level
 * per run (escalated_at = now excludes it from the run's later batches),
 * even if it is overdue for more. A silenced alert waits; released, its
 * next level is a full step after the release.
 */
DB_STMT(q_due,
    "SELECT a.id, a.escalation_level, e.levels::text AS levels, e.repeat,"
    "       (extract(epoch FROM a.triggered_at) * 1000000)::bigint AS fired_us,"
    "       (extract(epoch FROM a.escalation_resumed_at) * 1000000)::bigint AS resumed_us"
    "  FROM alerts a"
    "  JOIN alert_rules r ON r.id = a.rule_id"
    "  JOIN escalation_policies e ON e.id = r.escalation_policy_id"
    " WHERE a.state = 'firing' AND r.enabled AND a.escalation_level < $2::int"
    "   AND a.escalation_level < jsonb_array_length(e.levels) * (1 + e.repeat)"
    "   AND (a.escalated_at IS NULL OR a.escalated_at < $1::timestamptz)"
    "   AND NOT " SILENCED_SQL("$1::timestamptz", "$3")
    "   AND a.id > $5::bigint"
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
    " RETURNING " ALERT_COLUMNS ", r.id AS rid, " MAIL_FACT_COLUMNS ", k.category,"
    "       to_json(r.recipients)::text AS recipients,"
    "       to_json(r.contact_points)::text AS contact_points,"
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

/*
 * The contact points of released row i are told too (routed as a fire
 * is): an alert that fired silenced was never told them at all.
 */
static void route_still_firing(struct notices *q, const struct routing *rt, const PGresult *rel,
    int i)
{
	struct route_alert ra = {
		.severity = db_str(rel, i, "severity"), .category = db_str(rel, i, "category"),
		.kpi = db_str(rel, i, "kpi_key"), .rule_id = db_i64(rel, i, "rid"),
	};

	notices_route(q, rt, &ra, db_str(rel, i, "contact_points"), db_i64(rel, i, "id"),
	    "still_firing");
}

/* Holds the newly silenced alerts and releases those whose silence ended. */
static int hold_and_release(struct db *db, const struct config *cfg, const char *now,
    struct escalate_result *res)
{
	PGresult *rel = NULL;
	struct outbox o;
	struct notices q;
	struct routing rt = {0};
	int rc = -1, queued;

	outbox_init(&o);
	notices_init(&q);
	if (db_begin(db) < 0 || DB_RUN(db, &q_hold, now, cfg->timezone) < 0)
		goto out;
	if ((rel = DB_EXEC(db, &q_release, now, cfg->timezone)) == NULL)
		goto out;
	if (PQntuples(rel) > 0 && routing_load(db, &rt) < 0)
		goto out;
	for (int i = 0; i < PQntuples(rel); i++) {
		if (tell_still_firing(db, cfg, &o, rel, i, now) < 0)
			goto out;
		route_still_firing(&q, &rt, rel, i);
	}
	if ((queued = outbox_flush(db, cfg, &o)) < 0 || notices_flush(db, &q, now) < 0 ||
	    db_commit(db) < 0)
		goto out;
	res->mails += queued;
	rc = 0;
out:
	db_rollback(db);
	PQclear(rel);
	outbox_free(&o);
	notices_free(&q);
	routing_free(&rt);
	return rc;
}

/*
 * Whether step k of policy levels (its JSON) run 1 + repeat times is due
 * at now_us for an alert fired at fired_us and released from a silence at
 * resumed_us (0: never held): at its time after the fire, and a full step
 * (its level's after_minutes) after the release. *cps: that level's
 * contact points (borrowed from levels). 1 due, 0 not yet, -1 none left.
 */
static int esc_due(const json_t *levels, int64_t repeat, int64_t k, int64_t now_us,
    int64_t fired_us, int64_t resumed_us, const json_t **cps)
{
	int64_t after[ESC_MAX_LEVELS], at;
	size_t n = 0, level;

	while (n < ESC_MAX_LEVELS && n < json_array_size(levels)) {
		after[n] = json_integer_value(json_object_get(json_array_get(levels, n),
		    "after_minutes"));
		n++;
	}
	if (esc_step(after, n, repeat, k, &level, &at) < 0)
		return -1;
	*cps = json_object_get(json_array_get(levels, level), "contact_points");
	if (now_us < fired_us + at * 60 * 1000000LL)
		return 0;
	return resumed_us == 0 || now_us >= resumed_us + after[level] * 60 * 1000000LL;
}

/* Row i of due, if its step is due: up a level, its event into ev, its notices into q. */
static int escalate_one(struct db *db, const PGresult *due, int i, const char *now,
    int64_t now_us, struct events *ev, struct notices *q, json_t *done)
{
	json_t *levels = json_loads(db_str(due, i, "levels"), 0, NULL), *a;
	const json_t *cps = NULL, *cp;
	int64_t k = db_i64(due, i, "escalation_level");
	PGresult *up = NULL;
	size_t j;
	int rc = 0;

	if (esc_due(levels, db_i64(due, i, "repeat"), k, now_us, db_i64(due, i, "fired_us"),
	    db_isnull(due, i, "resumed_us") ? 0 : db_i64(due, i, "resumed_us"), &cps) != 1)
		goto out;
	/* compare-and-set on the level: a level is raised, and told, once */
	if ((up = DB_EXEC(db, &q_raise, db_str(due, i, "id"), now,
	    db_str(due, i, "escalation_level"))) == NULL) {
		rc = -1;
		goto out;
	}
	if (PQntuples(up) != 1)
		goto out;
	a = alert_json(up, 0);
	events_add(ev, "alert.escalated", a);
	json_array_foreach(cps, j, cp)
		notices_add(q, json_integer_value(cp), db_i64(up, 0, "id"), "escalated", (int)k + 1,
		    0, 0);
	json_array_append_new(done, a);
	rc = 1;
out:
	PQclear(up);
	json_decref(levels);
	return rc;
}

/*
 * One batch (alerts after *last) in one transaction; *last moves to its
 * last alert. Returns the rows the batch saw, or -1.
 */
static int escalate_batch(struct db *db, const struct config *cfg, const char *now,
    int64_t now_us, int64_t *last, struct escalate_result *res)
{
	char maxl[24], batch[24], after[24];
	PGresult *due = NULL;
	struct notices q;
	struct events ev;
	json_t *done = json_array();
	int n = -1, count = 0, one, told;

	notices_init(&q);
	events_init(&ev);
	if (db_begin(db) < 0)
		goto out;
	due = DB_EXEC(db, &q_due, now, db_i64_param(cfg->escalate_max, maxl), cfg->timezone,
	    db_i64_param(ESCALATE_BATCH, batch), db_i64_param(*last, after));
	if (due == NULL)
		goto out;
	for (int i = 0; i < PQntuples(due); i++) {
		if ((one = escalate_one(db, due, i, now, now_us, &ev, &q, done)) < 0)
			goto out;
		count += one;
	}
	if ((told = notices_flush(db, &q, now)) < 0)
		goto out;
	if (events_flush(db, &ev) < 0 || db_commit(db) < 0)
		goto out;
	res->notices += told;
	res->escalated += count;
	json_array_extend(res->alerts, done);
	n = PQntuples(due);
	if (n > 0)
		*last = db_i64(due, n - 1, "id");
out:
	db_rollback(db);
	PQclear(due);
	json_decref(done);
	notices_free(&q);
	events_free(&ev);
	return n;
}

/*
 * Repeats due at $1 of alerts still firing and not silenced move on by
 * their interval; the row lock makes a second escalator at the same
 * moment find them not due any more, so each is told once.
 */
DB_STMT(q_repeat_due,
    "UPDATE alert_repeats p SET next_at = $1::timestamptz"
    "       + make_interval(mins => p.repeat_minutes)"
    "  FROM alerts a JOIN alert_rules r ON r.id = a.rule_id"
    " WHERE a.id = p.alert_id AND a.state = 'firing' AND p.next_at <= $1::timestamptz"
    "   AND NOT " SILENCED_SQL("$1::timestamptz", "$2")
    " RETURNING p.alert_id, p.contact_point_id");

/* Acknowledged or resolved: nothing to repeat any more. */
DB_STMT(q_repeat_gone,
    "DELETE FROM alert_repeats p USING alerts a"
    " WHERE a.id = p.alert_id AND a.state <> 'firing'");

/* Queues the due repeats as notices, in one transaction. 0 or -1. */
static int repeat_due(struct db *db, const struct config *cfg, const char *now,
    struct escalate_result *res)
{
	PGresult *r = NULL;
	struct notices q;
	int rc = -1, told;

	notices_init(&q);
	if (db_begin(db) < 0 || DB_RUN(db, &q_repeat_gone) < 0)
		goto out;
	if ((r = DB_EXEC(db, &q_repeat_due, now, cfg->timezone)) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(r); i++)
		notices_add(&q, db_i64(r, i, "contact_point_id"), db_i64(r, i, "alert_id"), "repeat",
		    0, 0, 0);
	if ((told = notices_flush(db, &q, now)) < 0 || db_commit(db) < 0)
		goto out;
	res->repeats += told;
	rc = 0;
out:
	db_rollback(db);
	PQclear(r);
	notices_free(&q);
	return rc;
}

/*
 * The notices a committed batch wrote become messages at once, at the
 * run's moment (they are due then, which a run at a --now ahead of the
 * clock would otherwise leave to the delivery service until the clock
 * gets there). 0 or -1.
 */
static int flush_notices(struct db *db, const struct config *cfg, int64_t now_us,
    struct escalate_result *res)
{
	int messages;

	if (notify_flush(db, cfg, now_us, &messages) < 0)
		return -1;
	res->messages += messages;
	return 0;
}

int escalate_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct escalate_result *res)
{
	char now[40];
	int64_t last = 0;
	int n;

	memset(res, 0, sizeof(*res));
	res->alerts = json_array();
	time_format_iso(now_us, now, sizeof(now));
	if (hold_and_release(db, cfg, now, res) < 0)
		return -1;
	/* batches until one comes back short: what is left is locked elsewhere */
	do {
		n = escalate_batch(db, cfg, now, now_us, &last, res);
		if (n < 0 || flush_notices(db, cfg, now_us, res) < 0)
			return -1;
	} while (n == ESCALATE_BATCH);
	if (repeat_due(db, cfg, now, res) < 0)
		return -1;
	return flush_notices(db, cfg, now_us, res);
}

void escalate_result_free(struct escalate_result *res)
{
	json_decref(res->alerts);
	memset(res, 0, sizeof(*res));
}
