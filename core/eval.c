/*
 * eval.c - see eval.h.
 */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "event.h"
#include "kpi.h"
#include "log.h"
#include "mail.h"
#include "rule.h"
#include "util.h"

#define EVAL_CHUNK 2000

DB_STMT(q_prelude,
    "SELECT to_char($1::timestamptz AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI') || ' ' || $2"
    "       AS now_local");

DB_STMT(q_rule_ids,
    "SELECT id FROM alert_rules"
    " WHERE enabled AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[])) ORDER BY id");

DB_STMT(q_lock,
    "SELECT rule_id FROM rule_state WHERE rule_id = ANY($1::bigint[])"
    " ORDER BY rule_id FOR UPDATE");

/*
 * Everything the chunk's conditions need, read after the locks are held
 * (a new statement: it sees what a concurrent evaluator committed).
 * Percent-change references and z-score windows are computed once per
 * distinct (KPI, window), not once per rule.
 */
DB_STMT(q_rules,
    "WITH r AS ("
    "  SELECT r.id, r.name, r.description, r.kpi_key, r.condition, r.threshold,"
    "         r.severity, r.cooldown_minutes, r.for_evaluations, r.window_minutes,"
    "         r.window_samples, to_json(r.recipients)::text AS recipients,"
    "         r.notify_resolved, s.consecutive,"
    "         (extract(epoch FROM s.last_fired_at) * 1000000)::bigint AS last_fired_us,"
    "         k.name AS kpi_name, k.unit AS kpi_unit, k.recommendation"
    "    FROM alert_rules r"
    "    JOIN rule_state s ON s.rule_id = r.id"
    "    JOIN kpis k ON k.key = r.kpi_key"
    "   WHERE r.id = ANY($1::bigint[]) AND r.enabled),"
    " lat AS (SELECT * FROM unnest($3::text[], $4::timestamptz[]) AS l(kpi_key, at)),"
    " pc AS ("
    "  SELECT w.kpi_key, w.window_minutes, ref.value AS ref_value"
    "    FROM (SELECT DISTINCT kpi_key, window_minutes FROM r"
    "           WHERE window_minutes IS NOT NULL) w"
    "    LEFT JOIN LATERAL (SELECT x.value FROM kpi_samples x"
    "                        WHERE x.kpi_key = w.kpi_key AND x.sampled_at <="
    "                              $2::timestamptz - make_interval(mins => w.window_minutes)"
    "                        ORDER BY x.sampled_at DESC, x.id DESC LIMIT 1) ref ON true),"
    " zs AS ("
    "  SELECT w.kpi_key, w.window_samples, st.n, st.mean, st.sd"
    "    FROM (SELECT DISTINCT kpi_key, window_samples FROM r"
    "           WHERE window_samples IS NOT NULL) w"
    "    JOIN lat ON lat.kpi_key = w.kpi_key"
    "   CROSS JOIN LATERAL (SELECT count(*) AS n, avg(value) AS mean,"
    "                              stddev_samp(value) AS sd"
    "                         FROM (SELECT x.value FROM kpi_samples x"
    "                                WHERE x.kpi_key = w.kpi_key AND x.sampled_at < lat.at"
    "                                ORDER BY x.sampled_at DESC, x.id DESC"
    "                                LIMIT w.window_samples) last) st),"
    " sil AS (SELECT scope, rule_id, kpi_key FROM silences"
    "          WHERE starts_at <= $2::timestamptz AND ends_at > $2::timestamptz)"
    " SELECT r.*, pc.ref_value, zs.n AS z_n, zs.mean AS z_mean, zs.sd AS z_sd,"
    "        a.id AS open_id,"
    "        EXISTS (SELECT 1 FROM sil WHERE sil.scope = 'all' OR sil.rule_id = r.id"
    "                                     OR sil.kpi_key = r.kpi_key) AS silenced"
    "   FROM r"
    "   LEFT JOIN pc ON pc.kpi_key = r.kpi_key AND pc.window_minutes = r.window_minutes"
    "   LEFT JOIN zs ON zs.kpi_key = r.kpi_key AND zs.window_samples = r.window_samples"
    "   LEFT JOIN alerts a ON a.rule_id = r.id AND a.state IN ('firing', 'acknowledged')"
    "  ORDER BY r.id");

DB_STMT(q_state,
    "UPDATE rule_state s SET consecutive = v.c, last_evaluated_at = $5::timestamptz,"
    "       last_value = v.val,"
    "       last_fired_at = CASE WHEN v.fired THEN $5::timestamptz ELSE s.last_fired_at END"
    "  FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::bool[]) AS v(id, c, val, fired)"
    " WHERE s.rule_id = v.id");

DB_STMT(q_fire,
    "INSERT INTO alerts AS a (rule_id, rule_name, kpi_key, condition, threshold, value,"
    "                         severity, message, silenced, triggered_at)"
    " SELECT u.*, $10::timestamptz"
    "   FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[],"
    "               $6::float8[], $7::text[], $8::text[], $9::bool[]) AS u"
    " RETURNING " ALERT_RETURNING);

DB_STMT(q_resolve,
    "UPDATE alerts a SET state = 'resolved', resolved_at = $2::timestamptz,"
    "       resolve_reason = 'condition cleared'"
    " WHERE a.id = ANY($1::bigint[]) AND a.state IN ('firing', 'acknowledged')"
    " RETURNING " ALERT_RETURNING);

DB_STMT(q_job,
    "INSERT INTO job_runs (job, started_at, finished_at, result)"
    " VALUES ('evaluate', $1::timestamptz, clock_timestamp(), $2::jsonb)"
    " ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,"
    "   finished_at = EXCLUDED.finished_at, result = EXCLUDED.result");

/* What the chunk decided, as array literals for the set-based writes. */
struct decisions {
	struct buf st_id, st_c, st_val, st_fired;
	int n_state;
	struct buf f_rule, f_name, f_kpi, f_cond, f_thr, f_val, f_sev, f_msg, f_sil;
	int n_fire;
	struct buf resolve_ids;
	int n_resolve;
};

static void dec_init(struct decisions *d)
{
	memset(d, 0, sizeof(*d));
	db_arr_begin(&d->st_id);
	db_arr_begin(&d->st_c);
	db_arr_begin(&d->st_val);
	db_arr_begin(&d->st_fired);
	db_arr_begin(&d->f_rule);
	db_arr_begin(&d->f_name);
	db_arr_begin(&d->f_kpi);
	db_arr_begin(&d->f_cond);
	db_arr_begin(&d->f_thr);
	db_arr_begin(&d->f_val);
	db_arr_begin(&d->f_sev);
	db_arr_begin(&d->f_msg);
	db_arr_begin(&d->f_sil);
	db_arr_begin(&d->resolve_ids);
}

static void dec_free(struct decisions *d)
{
	buf_free(&d->st_id);
	buf_free(&d->st_c);
	buf_free(&d->st_val);
	buf_free(&d->st_fired);
	buf_free(&d->f_rule);
	buf_free(&d->f_name);
	buf_free(&d->f_kpi);
	buf_free(&d->f_cond);
	buf_free(&d->f_thr);
	buf_free(&d->f_val);
	buf_free(&d->f_sev);
	buf_free(&d->f_msg);
	buf_free(&d->f_sil);
	buf_free(&d->resolve_ids);
}

static int row_of_rule(const PGresult *r, int64_t rule_id)
{
	int lo = 0, hi = PQntuples(r) - 1, c = db_col(r, "id");

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int64_t v = strtoll(PQgetvalue(r, mid, c), NULL, 10);
		if (v == rule_id)
			return mid;
		if (v < rule_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The mail facts of rule row i of the chunk about alert a. */
static void mail_facts(struct mail_alert *m, enum mail_kind kind, const PGresult *rules,
    int i, const json_t *a, const struct kpi_values *kv, const char *now_local)
{
	const struct kpi_value *v = kpi_values_get(kv, db_str(rules, i, "kpi_key"));

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->alert = a;
	m->kpi_name = db_str(rules, i, "kpi_name");
	m->kpi_unit = db_str(rules, i, "kpi_unit");
	m->recommendation = db_str(rules, i, "recommendation");
	m->rule_description = db_str(rules, i, "description");
	m->when_local = now_local;
	m->latest = v && v->has ? v->value : json_number_value(json_object_get(a, "value"));
	m->window_minutes = (int)db_i64(rules, i, "window_minutes");
	m->window_samples = (int)db_i64(rules, i, "window_samples");
}

/* Queues the mail of the alerts in res (fired or resolved). 0 or -1. */
static int queue_mail(struct db *db, const struct config *cfg, struct outbox *o,
    const PGresult *alerts, const PGresult *rules, enum mail_kind kind,
    const struct kpi_values *kv, const char *now_local, json_t *out, struct events *ev,
    const char *event_type)
{
	for (int j = 0; j < PQntuples(alerts); j++) {
		json_t *a = alert_json(alerts, j);
		int i = row_of_rule(rules, db_i64(alerts, j, "rule_id"));
		int notify = i >= 0 && !db_bool(rules, i, "silenced") &&
		    (kind == MAIL_FIRED || db_bool(rules, i, "notify_resolved"));

		events_add(ev, event_type, a);
		if (notify) {
			struct mail_alert m;
			json_t *rcpt = json_loads(db_str(rules, i, "recipients"), 0, NULL);
			int rc;

			mail_facts(&m, kind, rules, i, a, kv, now_local);
			rc = rcpt ? mail_queue_alert(db, cfg, o, &m, rcpt,
			    db_i64(rules, i, "id"), NULL) : 0;
			json_decref(rcpt);
			if (rc < 0) {
				json_decref(a);
				return -1;
			}
		}
		json_array_append_new(out, a);
	}
	return 0;
}

static int eval_chunk(struct db *db, const struct config *cfg, const char *ids,
    const char *now, int64_t now_us, const char *now_local,
    const struct kpi_values *kv, struct eval_result *res)
{
	struct buf lat_keys, lat_at;
	struct decisions d;
	struct outbox o;
	struct events ev;
	PGresult *rules = NULL, *fired = NULL, *resolved = NULL, *lock = NULL;
	json_t *fired_json = json_array(), *resolved_json = json_array();
	int rc = -1, evaluated = 0;
	char at[40];

	buf_init(&lat_keys);
	buf_init(&lat_at);
	dec_init(&d);
	outbox_init(&o);
	events_init(&ev);
	db_arr_begin(&lat_keys);
	db_arr_begin(&lat_at);
	for (size_t i = 0; i < kv->n; i++) {
		if (!kv->v[i].has)
			continue;
		time_format_iso(kv->v[i].at_us, at, sizeof(at));
		db_arr_str(&lat_keys, kv->v[i].key);
		db_arr_str(&lat_at, at);
	}
	if (db_begin(db) < 0)
		goto out;
	if ((lock = DB_EXEC(db, &q_lock, ids)) == NULL)
		goto out;
	rules = DB_EXEC(db, &q_rules, ids, now, db_arr_end(&lat_keys), db_arr_end(&lat_at));
	if (rules == NULL)
		goto out;

	for (int i = 0; i < PQntuples(rules); i++) {
		enum cond c = cond_parse(db_str(rules, i, "condition"));
		double threshold = db_f64(rules, i, "threshold"), observed = NAN;
		const struct kpi_value *v = kpi_values_get(kv, db_str(rules, i, "kpi_key"));
		struct cond_input in = {0};
		struct rule_state st = {0};
		struct rule_params p = {0};
		enum cond_result cr;
		enum rule_action act;
		int consecutive;
		int64_t id = db_i64(rules, i, "id");

		evaluated++;
		in.has_latest = v && v->has;
		in.latest = in.has_latest ? v->value : NAN;
		in.has_ref = !db_isnull(rules, i, "ref_value");
		in.ref = db_f64(rules, i, "ref_value");
		in.window = (long)db_i64(rules, i, "window_samples");
		in.n = (long)db_i64(rules, i, "z_n");
		in.mean = db_isnull(rules, i, "z_mean") ? NAN : db_f64(rules, i, "z_mean");
		in.stddev = db_isnull(rules, i, "z_sd") ? NAN : db_f64(rules, i, "z_sd");
		st.consecutive = (int)db_i64(rules, i, "consecutive");
		st.has_open = !db_isnull(rules, i, "open_id");
		st.last_fired_us = db_i64(rules, i, "last_fired_us");
		p.for_evaluations = (int)db_i64(rules, i, "for_evaluations");
		p.cooldown_minutes = (int)db_i64(rules, i, "cooldown_minutes");

		cr = cond_eval(c, threshold, &in, &observed);
		act = rule_step(cr, &st, &p, now_us, &consecutive);
		if (act == ACT_NO_DATA) {
			json_array_append_new(res->no_data, json_integer(id));
			continue;
		}
		if (consecutive != st.consecutive || act == ACT_FIRE) {
			db_arr_i64(&d.st_id, id);
			db_arr_i64(&d.st_c, consecutive);
			db_arr_f64(&d.st_val, in.latest);
			db_arr_bool(&d.st_fired, act == ACT_FIRE);
			d.n_state++;
		}
		if (act == ACT_FIRE) {
			char msg[512];
			rule_message(c, db_str(rules, i, "kpi_name"), db_str(rules, i, "kpi_unit"),
			    in.latest, observed, threshold, (int)db_i64(rules, i, "window_minutes"),
			    (int)in.window, msg, sizeof(msg));
			db_arr_i64(&d.f_rule, id);
			db_arr_str(&d.f_name, db_str(rules, i, "name"));
			db_arr_str(&d.f_kpi, db_str(rules, i, "kpi_key"));
			db_arr_str(&d.f_cond, cond_name(c));
			db_arr_f64(&d.f_thr, threshold);
			db_arr_f64(&d.f_val, observed);
			db_arr_str(&d.f_sev, db_str(rules, i, "severity"));
			db_arr_str(&d.f_msg, msg);
			db_arr_bool(&d.f_sil, db_bool(rules, i, "silenced"));
			d.n_fire++;
		} else if (act == ACT_RESOLVE) {
			db_arr_i64(&d.resolve_ids, db_i64(rules, i, "open_id"));
			d.n_resolve++;
		}
	}

	if (d.n_state > 0 && DB_RUN(db, &q_state, db_arr_end(&d.st_id), db_arr_end(&d.st_c),
	    db_arr_end(&d.st_val), db_arr_end(&d.st_fired), now) < 0)
		goto out;
	if (d.n_fire > 0) {
		fired = DB_EXEC(db, &q_fire, db_arr_end(&d.f_rule), db_arr_end(&d.f_name),
		    db_arr_end(&d.f_kpi), db_arr_end(&d.f_cond), db_arr_end(&d.f_thr),
		    db_arr_end(&d.f_val), db_arr_end(&d.f_sev), db_arr_end(&d.f_msg),
		    db_arr_end(&d.f_sil), now);
		if (fired == NULL || queue_mail(db, cfg, &o, fired, rules, MAIL_FIRED, kv,
		    now_local, fired_json, &ev, "alert.fired") < 0)
			goto out;
	}
	if (d.n_resolve > 0) {
		resolved = DB_EXEC(db, &q_resolve, db_arr_end(&d.resolve_ids), now);
		if (resolved == NULL || queue_mail(db, cfg, &o, resolved, rules, MAIL_RESOLVED,
		    kv, now_local, resolved_json, &ev, "alert.resolved") < 0)
			goto out;
	}
	{
		int queued = outbox_flush(db, &o);
		if (queued < 0)
			goto out;
		res->mails_queued += queued;
	}
	/* events last: their lock is then held only for the commit */
	if (events_flush(db, &ev) < 0 || db_commit(db) < 0)
		goto out;
	res->evaluated += evaluated;
	json_array_extend(res->fired, fired_json);
	json_array_extend(res->resolved, resolved_json);
	rc = 0;
out:
	db_rollback(db);
	PQclear(lock);
	PQclear(rules);
	PQclear(fired);
	PQclear(resolved);
	json_decref(fired_json);
	json_decref(resolved_json);
	outbox_free(&o);
	events_free(&ev);
	dec_free(&d);
	buf_free(&lat_keys);
	buf_free(&lat_at);
	return rc;
}

int eval_run(struct db *db, const struct config *cfg, const struct eval_opts *opts,
    struct eval_result *res)
{
	int64_t t0 = time_mono_us(), t1, now_us = opts->now_us ? opts->now_us : time_now_us();
	int chunk = opts->chunk > 0 ? opts->chunk : EVAL_CHUNK;
	char now[40], *now_local = NULL;
	struct buf sel, ids;
	struct kpi_values kv = {0};
	PGresult *r = NULL;
	json_t *summary;
	char *summary_s;
	int rc = -1, n;

	memset(res, 0, sizeof(*res));
	res->fired = json_array();
	res->resolved = json_array();
	res->no_data = json_array();
	buf_init(&sel);
	buf_init(&ids);
	time_format_iso(now_us, now, sizeof(now));

	r = DB_EXEC(db, &q_prelude, now, cfg->timezone);
	if (r == NULL) {
		if (!db_lost(db))
			log_err("GOLDWATCH_TIMEZONE \"%s\" is not a time zone PostgreSQL knows",
			    cfg->timezone);
		goto out;
	}
	now_local = xstrdup(db_str(r, 0, "now_local"));
	PQclear(r);
	r = NULL;

	if (opts->rule_ids) {
		db_arr_begin(&sel);
		for (size_t i = 0; i < opts->n_rule_ids; i++)
			db_arr_i64(&sel, opts->rule_ids[i]);
		db_arr_end(&sel);
	}
	if (kpi_sample(db, cfg, now_us, opts->rule_ids ? sel.data : NULL, &kv) < 0)
		goto out;
	res->kpis_sampled = kv.sampled;
	t1 = time_mono_us();
	res->sample_us = t1 - t0;

	r = DB_EXEC(db, &q_rule_ids, opts->rule_ids ? sel.data : NULL);
	if (r == NULL)
		goto out;
	n = PQntuples(r);
	for (int start = 0; start < n; start += chunk) {
		db_arr_begin(&ids);
		for (int i = start; i < n && i < start + chunk; i++)
			db_arr_i64(&ids, db_i64(r, i, "id"));
		if (eval_chunk(db, cfg, db_arr_end(&ids), now, now_us, now_local, &kv, res) < 0)
			goto out;
	}
	res->rules_us = time_mono_us() - t1;
	res->total_us = time_mono_us() - t0;
	summary = json_pack("{si si si si si}", "evaluated", res->evaluated,
	    "fired", (int)json_array_size(res->fired),
	    "resolved", (int)json_array_size(res->resolved),
	    "no_data", (int)json_array_size(res->no_data), "kpis_sampled", res->kpis_sampled);
	summary_s = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	if (DB_RUN(db, &q_job, now, summary_s) < 0) {
		free(summary_s);
		goto out;
	}
	free(summary_s);
	rc = 0;
out:
	PQclear(r);
	free(now_local);
	kpi_values_free(&kv);
	buf_free(&sel);
	buf_free(&ids);
	return rc;
}

json_t *eval_result_json(const struct eval_result *res)
{
	return json_pack("{si sO sO sO sf}", "evaluated", res->evaluated,
	    "fired", res->fired, "resolved", res->resolved, "no_data", res->no_data,
	    "duration_ms", (double)res->total_us / 1000.0);
}

void eval_result_free(struct eval_result *res)
{
	json_decref(res->fired);
	json_decref(res->resolved);
	json_decref(res->no_data);
	memset(res, 0, sizeof(*res));
}
