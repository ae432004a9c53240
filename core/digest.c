/*
 * digest.c - see digest.h.
 */
#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery_store.h"
#include "mail.h"
#include "tpl.h"
#include "util.h"

#define DIGEST_TOP_RULES 5

/*
 * Per recipient and rule: what happened in [$1, $2). The alerts read are
 * those of the window (by the triggered/acknowledged/resolved indexes)
 * and the open ones, never the whole history.
 */
DB_STMT(q_digest,
    "WITH rr AS (SELECT DISTINCT r.id, r.name, r.severity, lower(x.rcpt) AS rcpt"
    "              FROM alert_rules r, unnest(r.recipients) AS x(rcpt)),"
    " w AS (SELECT * FROM alerts WHERE id IN ("
    "         SELECT id FROM alerts WHERE triggered_at >= $1::timestamptz"
    "            AND triggered_at < $2::timestamptz"
    "         UNION SELECT id FROM alerts WHERE acknowledged_at >= $1::timestamptz"
    "            AND acknowledged_at < $2::timestamptz"
    "         UNION SELECT id FROM alerts WHERE state = 'resolved'"
    "            AND resolved_at >= $1::timestamptz AND resolved_at < $2::timestamptz"
    "         UNION SELECT id FROM alerts WHERE state IN ('firing', 'acknowledged')))"
    " SELECT rr.rcpt, rr.id, rr.name, rr.severity,"
    "        count(w.id) FILTER (WHERE w.triggered_at >= $1::timestamptz"
    "                            AND w.triggered_at < $2::timestamptz) AS fired,"
    "        count(w.id) FILTER (WHERE w.acknowledged_at >= $1::timestamptz"
    "                            AND w.acknowledged_at < $2::timestamptz) AS acked,"
    "        count(w.id) FILTER (WHERE w.resolved_at >= $1::timestamptz"
    "                            AND w.resolved_at < $2::timestamptz) AS resolved,"
    "        count(w.id) FILTER (WHERE w.state <> 'resolved') AS open,"
    "        coalesce(sum(extract(epoch FROM w.acknowledged_at - w.triggered_at))"
    "          FILTER (WHERE w.acknowledged_at >= $1::timestamptz"
    "                  AND w.acknowledged_at < $2::timestamptz), 0)::float8 AS ack_secs,"
    "        to_char($2::timestamptz AT TIME ZONE $3, 'YYYY-MM-DD') AS day"
    "   FROM rr LEFT JOIN w ON w.rule_id = rr.id"
    "  GROUP BY rr.rcpt, rr.id, rr.name, rr.severity"
    "  ORDER BY rr.rcpt, fired DESC, rr.id");

DB_STMT(q_already,
    "SELECT 1 FROM mail_outbox WHERE dedup_key = $1");

struct totals {
	long fired, acked, resolved, open;
	double ack_secs;
	const json_t *failures;   /* of the day, per contact point (delivery_store.h) */
};

/* Renders and queues the digest of rows [from, to) of one recipient. */
static int queue_one(struct db *db, const struct config *cfg, struct outbox *o,
    const PGresult *r, int from, int to, const struct totals *t, struct digest_result *res)
{
	const char *rcpt = db_str(r, from, "rcpt"), *day = db_str(r, from, "day");
	struct mail_msg m = {0};
	struct tpl_dict *d;
	char *dedup = xasprintf("digest:%s:%s", day, rcpt);
	PGresult *seen;
	int rc = -1, shown = 0;

	seen = DB_EXEC(db, &q_already, dedup);
	if (seen == NULL)
		goto out;
	if (PQntuples(seen) > 0) {
		PQclear(seen);
		res->already++;
		rc = 0;
		goto out;
	}
	PQclear(seen);
	buf_init(&m.text);
	buf_init(&m.html);
	m.subject = xasprintf("[goldwatch] Daily summary %s: %ld fired, %ld still open", day,
	    t->fired, t->open);
	d = tpl_dict_new("digest");
	tpl_set(d, "DAY", day);
	tpl_set(d, "SUBJECT", m.subject);
	tpl_set_int(d, "FIRED", t->fired);
	tpl_set_int(d, "ACKED", t->acked);
	tpl_set_int(d, "RESOLVED", t->resolved);
	tpl_set_int(d, "OPEN", t->open);
	if (t->acked > 0)
		tpl_setf(d, "MTTA", "%.0f min", t->ack_secs / t->acked / 60.0);
	else
		tpl_set(d, "MTTA", "none acknowledged");
	tpl_setf(d, "DASHBOARD_URL", "%s/", cfg->base_url);
	for (int i = from; i < to; i++) {
		struct tpl_dict *row;
		if (db_i64(r, i, "fired") == 0 && db_i64(r, i, "open") == 0)
			continue;
		if (shown++ >= DIGEST_TOP_RULES)
			break;
		row = tpl_section(d, "RULE");
		tpl_set(row, "RULE_NAME", db_str(r, i, "name"));
		tpl_set(row, "SEVERITY", db_str(r, i, "severity"));
		tpl_set(row, "RULE_FIRED", db_str(r, i, "fired"));
		tpl_set(row, "RULE_OPEN", db_str(r, i, "open"));
		tpl_setf(row, "RULE_URL", "%s/rules/%s", cfg->base_url, db_str(r, i, "id"));
	}
	if (shown == 0)
		tpl_show(d, "QUIET");
	delivery_failures_show(d, t->failures);
	if (tpl_expand("mail/digest.txt.tpl", d, &m.text) == 0 &&
	    tpl_expand("mail/digest.html.tpl", d, &m.html) == 0) {
		outbox_add(o, MAIL_DIGEST, 0, 0, rcpt, &m, dedup);
		res->queued++;
		rc = 0;
	}
	tpl_dict_free(d);
	mail_msg_free(&m);
out:
	free(dedup);
	return rc;
}

int digest_run(struct db *db, const struct config *cfg, int64_t now_us,
    struct digest_result *res)
{
	char since[40], until[40];
	struct outbox o;
	PGresult *r = NULL;
	json_t *failures = NULL;
	int rc = -1, n, start = 0;

	memset(res, 0, sizeof(*res));
	outbox_init(&o);
	time_format_iso(now_us - INT64_C(86400) * 1000000, since, sizeof(since));
	time_format_iso(now_us, until, sizeof(until));
	if (db_begin(db) < 0)
		goto out;
	r = DB_EXEC(db, &q_digest, since, until, cfg->timezone);
	if (r == NULL || delivery_failures(db, since, &failures) != ST_OK)
		goto out;
	n = PQntuples(r);
	while (start < n) {
		const char *rcpt = db_str(r, start, "rcpt");
		struct totals t = {.failures = failures};
		int end = start;

		for (; end < n && strcmp(db_str(r, end, "rcpt"), rcpt) == 0; end++) {
			t.fired += (long)db_i64(r, end, "fired");
			t.acked += (long)db_i64(r, end, "acked");
			t.resolved += (long)db_i64(r, end, "resolved");
			t.open += (long)db_i64(r, end, "open");
			t.ack_secs += db_f64(r, end, "ack_secs");
		}
		res->recipients++;
		if (t.fired + t.acked + t.resolved + t.open == 0 && !cfg->digest_empty)
			res->skipped++;
		else if (queue_one(db, cfg, &o, r, start, end, &t, res) < 0)
			goto out;
		start = end;
	}
	/* a concurrent run that queued first wins: ON CONFLICT skips ours */
	if (outbox_flush(db, cfg, &o) < 0 || db_commit(db) < 0)
		goto out;
	rc = 0;
out:
	db_rollback(db);
	PQclear(r);
	json_decref(failures);
	outbox_free(&o);
	return rc;
}
