/*
 * cleanup.c - see cleanup.h.
 */
#include "cleanup.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Each deletes at most $2 rows older than $1, by an index, oldest first. */
DB_STMT(q_alerts,
    "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE state = 'resolved'"
    " AND resolved_at < $1::timestamptz ORDER BY resolved_at LIMIT $2::int)");
DB_STMT(q_samples,
    "DELETE FROM kpi_samples WHERE id IN (SELECT id FROM kpi_samples"
    " WHERE sampled_at < $1::timestamptz ORDER BY sampled_at LIMIT $2::int)");
DB_STMT(q_events,
    "DELETE FROM events WHERE id IN (SELECT id FROM events"
    " WHERE at < $1::timestamptz ORDER BY at LIMIT $2::int)");
DB_STMT(q_mail,
    "DELETE FROM mail_outbox WHERE id IN (SELECT id FROM mail_outbox"
    " WHERE status IN ('sent', 'dead') AND created_at < $1::timestamptz"
    " ORDER BY created_at LIMIT $2::int)");
DB_STMT(q_sessions,
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
    " WHERE expires_at < $1::timestamptz LIMIT $2::int)");
DB_STMT(q_ack_links,
    "DELETE FROM ack_tokens WHERE nonce IN (SELECT nonce FROM ack_tokens"
    " WHERE expires_at < $1::timestamptz LIMIT $2::int)");
DB_STMT(q_slots,
    "DELETE FROM job_slots WHERE (job, slot) IN (SELECT job, slot FROM job_slots"
    " WHERE slot < $1::timestamptz LIMIT $2::int)");
DB_STMT(q_compact, "SELECT compact_alert_stats()");

static const char *const kind_names[CLEAN__MAX] = {
	[CLEAN_ALERTS] = "alerts", [CLEAN_SAMPLES] = "samples", [CLEAN_EVENTS] = "events",
	[CLEAN_MAIL] = "mail", [CLEAN_SESSIONS] = "sessions", [CLEAN_ACK_LINKS] = "ack_links",
	[CLEAN_SLOTS] = "slots",
};

const char *cleanup_kind_name(enum cleanup_kind k)
{
	return k < CLEAN__MAX ? kind_names[k] : "?";
}

int cleanup_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct cleanup_result *res)
{
	static const struct db_stmt *const stmts[CLEAN__MAX] = {
		[CLEAN_ALERTS] = &q_alerts, [CLEAN_SAMPLES] = &q_samples,
		[CLEAN_EVENTS] = &q_events, [CLEAN_MAIL] = &q_mail,
		[CLEAN_SESSIONS] = &q_sessions, [CLEAN_ACK_LINKS] = &q_ack_links,
		[CLEAN_SLOTS] = &q_slots,
	};
	const int64_t days[CLEAN__MAX] = {
		[CLEAN_ALERTS] = cfg->keep_alerts_days, [CLEAN_SAMPLES] = cfg->keep_samples_days,
		[CLEAN_EVENTS] = cfg->keep_events_days, [CLEAN_MAIL] = cfg->keep_mail_days,
		[CLEAN_SESSIONS] = 0, [CLEAN_ACK_LINKS] = 1, [CLEAN_SLOTS] = 7,
	};
	char batch[24];

	memset(res, 0, sizeof(*res));
	db_i64_param(cfg->cleanup_batch, batch);
	for (int k = 0; k < CLEAN__MAX; k++) {
		char cutoff[40];
		int64_t n;

		time_format_iso(now_us - days[k] * 86400 * INT64_C(1000000), cutoff, sizeof(cutoff));
		/* one short transaction per batch (autocommit): locks stay brief */
		do {
			PGresult *r = DB_EXEC(db, stmts[k], cutoff, batch);
			if (r == NULL)
				return -1;
			n = strtoll(PQcmdTuples(r), NULL, 10);
			PQclear(r);
			res->deleted[k] += n;
			res->batches++;
		} while (n == cfg->cleanup_batch);
	}
	return db_run(db, &q_compact, 0, NULL);
}
