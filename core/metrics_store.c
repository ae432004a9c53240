/*
 * metrics_store.c - the database's figures for /metrics; see
 * metrics_store.h.
 */
#include "metrics_store.h"

#include <stdlib.h>
#include <string.h>

#include "prom.h"

#define CHANNELS "unnest(ARRAY['email', 'webhook', 'slack', 'telegram'])"
#define STR_(x) #x
#define STR(x) STR_(x)
/* a literal, not a parameter: the statement has none, so its plan is made once */
#define FRESH_BEAT " FROM pusher_heartbeats" \
	" WHERE beat_at > now() - interval '" STR(METRICS_PUSHER_FRESH_S) " seconds'"

/*
 * Rows of (m: the family's key, a, b: its label values, v). Families that
 * have a fixed set of label values list them all, zeros included, so a
 * query over them never meets "no data" where the answer is 0.
 */
DB_STMT(q_metrics,
    /* the dashboard's exact counters (migration 0003): no scan of alerts */
    "WITH c AS (SELECT name, sum(n)::float8 AS n FROM counter_deltas"
    "            WHERE name LIKE 'open:%' OR name LIKE 'rules:%' GROUP BY name),"
    /* the counters count the shop's rules; the few system rules directly */
    " sys AS (SELECT count(*) FILTER (WHERE enabled)::float8 AS en,"
    "                count(*) FILTER (WHERE NOT enabled)::float8 AS dis"
    "           FROM alert_rules WHERE system_check IS NOT NULL)"
    "SELECT 'alerts_open' AS m, s.sev AS a, st.state AS b, COALESCE(c.n, 0) AS v"
    "  FROM unnest(ARRAY['info', 'warning', 'critical']) s (sev)"
    " CROSS JOIN unnest(ARRAY['firing', 'acknowledged']) st (state)"
    "  LEFT JOIN c ON c.name = 'open:' || st.state || ':' || s.sev"
    " UNION ALL "
    "SELECT 'rules', 'enabled', NULL, COALESCE((SELECT n FROM c WHERE name = 'rules:enabled'), 0)"
    "       + (SELECT en FROM sys)"
    " UNION ALL "
    "SELECT 'rules', 'disabled', NULL, COALESCE((SELECT n FROM c WHERE name = 'rules:total'), 0)"
    "       - COALESCE((SELECT n FROM c WHERE name = 'rules:enabled'), 0) + (SELECT dis FROM sys)"
    " UNION ALL "
    "SELECT 'job_success', job, NULL, extract(epoch FROM last_success_at)::float8"
    "  FROM job_runs WHERE last_success_at IS NOT NULL"
    " UNION ALL "
    "SELECT 'job_duration', job, NULL, duration_ms / 1000.0 FROM job_runs"
    " WHERE duration_ms IS NOT NULL"
    " UNION ALL "
    "SELECT 'job_ok', job, NULL, ok::int::float8 FROM job_runs"
    " UNION ALL "
    /* the timer's full run, not a test of one rule from the API */
    "SELECT 'rules_evaluated', NULL, NULL, (result->>'evaluated')::float8 FROM job_runs"
    " WHERE job = 'evaluate_all' AND jsonb_typeof(result->'evaluated') = 'number'"
    " UNION ALL "
    "SELECT 'outbox', c.ch, st.status, COALESCE(o.n, 0)::float8"
    "  FROM " CHANNELS " c (ch) CROSS JOIN unnest(ARRAY['queued', 'dead']) st (status)"
    "  LEFT JOIN (SELECT channel, status, count(*) AS n FROM mail_outbox"
    "              WHERE status IN ('queued', 'dead') GROUP BY 1, 2) o"
    "         ON o.channel = c.ch AND o.status = st.status"
    " UNION ALL "
    "SELECT 'outbox_due_age', c.ch, NULL,"
    "       COALESCE(extract(epoch FROM now() - o.oldest), 0)::float8"
    "  FROM " CHANNELS " c (ch)"
    "  LEFT JOIN (SELECT channel, min(next_attempt_at) AS oldest FROM mail_outbox"
    "              WHERE status = 'queued' AND next_attempt_at <= now() GROUP BY 1) o"
    "         ON o.channel = c.ch"
    " UNION ALL "
    "SELECT 'deliveries', channel, outcome, n::float8 FROM delivery_counters"
    " UNION ALL "
    "SELECT 'kpi_age', k.key, NULL, extract(epoch FROM now() - (SELECT max(s.sampled_at)"
    "       FROM kpi_samples s WHERE s.kpi_key = k.key))::float8"
    "  FROM kpis k WHERE k.deleted_at IS NULL"
    " UNION ALL "
    "SELECT 'pusher_clients', instance, NULL, clients::float8" FRESH_BEAT
    " UNION ALL "
    "SELECT 'pusher_lag', instance, NULL, lag_events::float8" FRESH_BEAT
    " UNION ALL "
    "SELECT 'pusher_feed', instance, NULL, feed_up::int::float8" FRESH_BEAT
    " UNION ALL "
    "SELECT 'schema', NULL, NULL, max(version)::float8 FROM goldwatch.schema_migrations"
    " ORDER BY 1, 2, 3");

struct family {
	const char *key, *name, *type, *help;
	const char *label_a, *label_b; /* NULL: none */
};

static const struct family families[] = {
	{"alerts_open", "goldwatch_alerts_open", "gauge",
	    "Open alerts (firing or acknowledged) by severity and state.", "severity", "state"},
	{"rules", "goldwatch_rules", "gauge", "Alert rules by status (enabled, disabled).",
	    "status", NULL},
	{"job_success", "goldwatch_job_last_success_timestamp_seconds", "gauge",
	    "When each job last finished successfully (Unix time).", "job", NULL},
	{"job_duration", "goldwatch_job_last_duration_seconds", "gauge",
	    "How long each job's last run took.", "job", NULL},
	{"job_ok", "goldwatch_job_last_run_ok", "gauge",
	    "1 when each job's last run succeeded, 0 when it failed.", "job", NULL},
	{"rules_evaluated", "goldwatch_evaluation_rules_evaluated", "gauge",
	    "Rules the last full evaluation evaluated.", NULL, NULL},
	{"outbox", "goldwatch_outbox_messages", "gauge",
	    "Messages in the outbox waiting (queued) or given up (dead), by channel.",
	    "channel", "status"},
	{"outbox_due_age", "goldwatch_outbox_oldest_due_age_seconds", "gauge",
	    "Age of the oldest message due for sending, by channel (0: none due).",
	    "channel", NULL},
	{"deliveries", "goldwatch_deliveries_total", "counter",
	    "Delivery attempts by channel and outcome (sent, failed: to be retried, dead).",
	    "channel", "outcome"},
	{"kpi_age", "goldwatch_kpi_last_sample_age_seconds", "gauge",
	    "Age of each KPI's newest sample.", "kpi", NULL},
	{"pusher_clients", "goldwatch_pusher_clients", "gauge",
	    "WebSocket clients of each live pusher.", "instance", NULL},
	{"pusher_lag", "goldwatch_pusher_lag_events", "gauge",
	    "Events each live pusher has not yet relayed.", "instance", NULL},
	{"pusher_feed", "goldwatch_pusher_feed_up", "gauge",
	    "1 when each live pusher hears the database's events.", "instance", NULL},
	{"schema", "goldwatch_schema_version", "gauge",
	    "The newest database migration applied.", NULL, NULL},
};

static void write_family(struct buf *b, const struct family *f, PGresult *r)
{
	const char *labels[5];
	int rows = PQntuples(r);

	prom_family(b, f->name, f->type, f->help);
	for (int i = 0; i < rows; i++) {
		int k = 0;

		if (strcmp(db_str(r, i, "m"), f->key) != 0 || db_isnull(r, i, "v"))
			continue;
		if (f->label_a) {
			labels[k++] = f->label_a;
			labels[k++] = db_str(r, i, "a") ? db_str(r, i, "a") : "";
		}
		if (f->label_b) {
			labels[k++] = f->label_b;
			labels[k++] = db_str(r, i, "b") ? db_str(r, i, "b") : "";
		}
		labels[k] = NULL;
		prom_sample(b, f->name, labels, db_f64(r, i, "v"));
	}
}

int metrics_store_write(struct db *db, struct buf *out)
{
	PGresult *r = DB_EXEC0(db, &q_metrics);

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < GW_ARRAY_LEN(families); i++)
		write_family(out, &families[i], r);
	PQclear(r);
	return 0;
}
