/*
 * eval.c - see eval.h.
 *
 * Two phases. The read phase evaluates every rule from one lock-free
 * statement (conditions need only the rule, its state and the KPI
 * history). Most rules end where they started (false and quiet, or still
 * firing), so only the rules whose state would change go on to the write
 * phase: in transactions of at most `chunk` rules, their state rows are
 * locked in id order, their state is read again (a concurrent evaluator
 * may have moved it meanwhile) and the lifecycle step is redone on the
 * fresh state with the condition result of the read phase; then state,
 * alerts, outbox mail and events are written together, or nothing is.
 */
#include "eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "baseline.h"
#include "calendar_store.h"
#include "event.h"
#include "fmt.h"
#include "job_runs.h"
#include "kpi.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "policy_store.h"
#include "rule.h"
#include "schedule.h"
#include "silence_store.h"
#include "util.h"

#define EVAL_CHUNK 2000
#define EVAL_STEP_US ((int64_t)SCHEDULE_EVAL_PERIOD_S * 1000000)

/* What rule_advance() needs of alert_rules r and rule_state s (both phases). */
#define LIFE_COLUMNS \
	"r.for_evaluations, r.cooldown_minutes, r.recovery_threshold, r.keep_firing_minutes," \
	" r.flap_changes, r.flap_window_minutes, s.consecutive, s.flapping," \
	" (extract(epoch FROM s.counted_at) * 1000000)::bigint AS counted_us," \
	" s.changes::text AS changes," \
	" (extract(epoch FROM s.last_fired_at) * 1000000)::bigint AS last_fired_us," \
	" (extract(epoch FROM s.clear_since) * 1000000)::bigint AS clear_since_us"

DB_STMT(q_prelude,
    "SELECT " MAIL_WHEN_SQL("$1::timestamptz", "$2") " AS now_local,"
    "       to_char($1::timestamptz AT TIME ZONE $2, 'YYYY-MM-DD') AS local_date,"
    "       extract(isodow FROM $1::timestamptz AT TIME ZONE $2)::int - 1 AS local_wday,"
    "       (extract(hour FROM $1::timestamptz AT TIME ZONE $2) * 60"
    "        + extract(minute FROM $1::timestamptz AT TIME ZONE $2))::int AS local_minute");

/*
 * The read phase: each enabled rule (all, or those in $1) with what its
 * condition needs. Percent-change references and z-score windows are
 * computed once per distinct (KPI, window), not once per rule. Seasonal
 * rules get their KPI's candidate baseline samples (bs: for each week
 * moment in $5, baseline_moments() of now over the most weeks, the latest
 * sample within the step $6 before it) as [[at_us, value], ...], from
 * which baseline_of() takes each rule's weeks; no_data rules get their
 * KPI's newest sample time (nw).
 */
DB_STMT(q_read,
    "WITH r AS ("
    "  SELECT r.id, r.kpi_key, r.condition, r.threshold,"
    "         r.window_minutes, r.window_samples, r.window_weeks, r.active_hours,"
    "         s.last_outcome, " LIFE_COLUMNS ","
    "         (extract(epoch FROM r.updated_at) * 1000000)::bigint AS updated_us"
    "    FROM alert_rules r JOIN rule_state s ON s.rule_id = r.id"
    "   WHERE r.enabled AND r.kind = 'kpi'"
    "     AND ($1::bigint[] IS NULL OR r.id = ANY($1::bigint[]))),"
    " lat AS (SELECT * FROM unnest($3::text[], $4::timestamptz[]) AS l(kpi_key, at)),"
    " pc AS ("
    "  SELECT w.kpi_key, w.window_minutes, ref.value AS ref_value"
    "    FROM (SELECT DISTINCT kpi_key, window_minutes FROM r"
    "           WHERE condition LIKE 'pct_change_%') w"
    "    LEFT JOIN LATERAL (SELECT x.value FROM kpi_samples x"
    "                        WHERE x.kpi_key = w.kpi_key AND x.sampled_at <="
    "                              $2::timestamptz - make_interval(mins => w.window_minutes)"
    "                        ORDER BY x.kpi_key, x.sampled_at DESC, x.id DESC LIMIT 1) ref ON true),"
    " zs AS ("
    "  SELECT w.kpi_key, w.window_samples, st.n, st.mean, st.sd"
    "    FROM (SELECT DISTINCT kpi_key, window_samples FROM r"
    "           WHERE window_samples IS NOT NULL) w"
    "    JOIN lat ON lat.kpi_key = w.kpi_key"
    "   CROSS JOIN LATERAL (SELECT count(*) AS n, avg(value) AS mean,"
    "                              stddev_samp(value) AS sd"
    "                         FROM (SELECT x.value FROM kpi_samples x"
    "                                WHERE x.kpi_key = w.kpi_key AND x.sampled_at < lat.at"
    "                                ORDER BY x.kpi_key, x.sampled_at DESC, x.id DESC"
    "                                LIMIT w.window_samples) last) st),"
    " bs AS ("
    "  SELECT w.kpi_key, json_agg(json_build_array("
    "             (extract(epoch FROM p.sampled_at) * 1000000)::bigint, p.value))::text AS pts"
    "    FROM (SELECT DISTINCT kpi_key FROM r WHERE condition LIKE 'seasonal_%') w"
    "   CROSS JOIN unnest($5::timestamptz[]) AS t(at)"
    "   CROSS JOIN LATERAL (SELECT x.sampled_at, x.value FROM kpi_samples x"
    "                        WHERE x.kpi_key = w.kpi_key AND x.sampled_at <= t.at"
    "                          AND x.sampled_at >= t.at - make_interval(secs => $6::int)"
    "                        ORDER BY x.kpi_key, x.sampled_at DESC, x.id DESC LIMIT 1) p"
    "   GROUP BY w.kpi_key),"
    " nw AS ("
    "  SELECT w.kpi_key, (SELECT (extract(epoch FROM max(x.sampled_at)) * 1000000)::bigint"
    "                       FROM kpi_samples x WHERE x.kpi_key = w.kpi_key"
    "                        AND x.sampled_at <= $2::timestamptz) AS newest_us"
    "    FROM (SELECT DISTINCT kpi_key FROM r WHERE condition = 'no_data') w),"
    " op AS (SELECT rule_id, id FROM alerts WHERE state IN ('firing', 'acknowledged'))"
    " SELECT r.*, pc.ref_value, zs.n AS z_n, zs.mean AS z_mean, zs.sd AS z_sd,"
    "        bs.pts AS base_pts, nw.newest_us, op.id AS open_id"
    "   FROM r"
    "   LEFT JOIN pc ON pc.kpi_key = r.kpi_key AND pc.window_minutes = r.window_minutes"
    "   LEFT JOIN zs ON zs.kpi_key = r.kpi_key AND zs.window_samples = r.window_samples"
    "   LEFT JOIN bs ON bs.kpi_key = r.kpi_key"
    "   LEFT JOIN nw ON nw.kpi_key = r.kpi_key"
    "   LEFT JOIN op ON op.rule_id = r.id"
    "  ORDER BY r.id");

DB_STMT(q_lock,
    "SELECT rule_id FROM rule_state WHERE rule_id = ANY($1::bigint[])"
    " ORDER BY rule_id FOR UPDATE");

/* The write phase: the locked rules' fresh state and what mail needs. */
DB_STMT(q_fresh,
    "SELECT r.id, r.name, r.description, r.kpi_key, r.severity, r.notify_resolved,"
    "        r.enabled, r.window_minutes, r.window_samples, r.window_weeks, " LIFE_COLUMNS ","
    "        to_json(r.recipients)::text AS recipients,"
    "        (extract(epoch FROM r.updated_at) * 1000000)::bigint AS updated_us,"
    "        k.name AS kpi_name, k.unit AS kpi_unit, k.recommendation, k.category,"
    "        to_json(r.contact_points)::text AS contact_points,"
    "        (SELECT a.id FROM alerts a WHERE a.rule_id = r.id"
    "            AND a.state IN ('firing', 'acknowledged')) AS open_id,"
    "        " SILENCED_SQL("$2::timestamptz", "$3") " AS silenced"
    "   FROM alert_rules r"
    "   JOIN rule_state s ON s.rule_id = r.id"
    "   JOIN kpis k ON k.key = r.kpi_key"
    "  WHERE r.id = ANY($1::bigint[])"
    "  ORDER BY r.id");

DB_STMT(q_state,
    "UPDATE rule_state s SET consecutive = v.c, last_evaluated_at = $5::timestamptz,"
    "       last_value = v.val,"
    "       last_fired_at = CASE WHEN v.fired THEN $5::timestamptz ELSE s.last_fired_at END,"
    "       clear_since = timestamptz 'epoch' + v.clear * interval '1 microsecond',"
    "       flapping = v.flapping,"
    "       changes = v.changes::bigint[],"
    "       counted_at = timestamptz 'epoch' + v.counted * interval '1 microsecond'"
    "  FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::bool[], $6::bigint[],"
    "              $7::bool[], $8::text[], $9::bigint[])"
    "       AS v(id, c, val, fired, clear, flapping, changes, counted)"
    " WHERE s.rule_id = v.id");

/*
 * What a rule of the run saw, in one statement for all of them: in a run
 * of selected rules every one; in a full run only those whose outcome
 * changed (evaluated, no_data, inactive), since a full run's moment is
 * recorded once (job evaluate_all) and RULE_STATUS_SQL reads it, so that
 * a run does not write every rule's row. A rule going inactive keeps the
 * moment it was last evaluated: its own, or the last full run's if the
 * rule existed then (never evaluated: none). Rows
 * another evaluator or an edit holds are skipped, not waited for: they
 * are being written anyway, and taking locks in id order without waiting
 * cannot deadlock.
 */
DB_STMT(q_seen,
    "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS v(id, o)),"
    " l AS (SELECT s.rule_id FROM rule_state s WHERE s.rule_id IN (SELECT id FROM v)"
    "        ORDER BY s.rule_id FOR UPDATE SKIP LOCKED)"
    " UPDATE rule_state s SET last_outcome = v.o,"
    "       last_evaluated_at = CASE WHEN v.o <> 'inactive' THEN $3::timestamptz"
    "           ELSE greatest(s.last_evaluated_at, (SELECT j.started_at"
    "                FROM job_runs j JOIN alert_rules r ON r.id = s.rule_id"
    "               WHERE j.job = 'evaluate_all' AND j.started_at >= r.created_at)) END"
    "  FROM v WHERE s.rule_id = v.id AND s.rule_id IN (SELECT rule_id FROM l)");

/* The newest alert of each rule in $1 (what a flapping, settled or back mail is about). */
DB_STMT(q_latest,
    "SELECT DISTINCT ON (a.rule_id) " ALERT_COLUMNS " FROM alerts a"
    " WHERE a.rule_id = ANY($1::bigint[]) ORDER BY a.rule_id, a.triggered_at DESC, a.id DESC");

DB_STMT(q_fire,
    "INSERT INTO alerts AS a (rule_id, rule_name, kpi_key, condition, threshold, value,"
    "                         severity, message, silenced, triggered_at)"
    " SELECT u.*, $10::timestamptz"
    "   FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[],"
    "               $6::float8[], $7::text[], $8::text[], $9::bool[]) AS u"
    " RETURNING " ALERT_COLUMNS);

DB_STMT(q_resolve,
    "UPDATE alerts a SET state = 'resolved', resolved_at = $2::timestamptz,"
    "       resolve_reason = 'condition cleared'"
    " WHERE a.id = ANY($1::bigint[]) AND a.state IN ('firing', 'acknowledged')"
    " RETURNING " ALERT_COLUMNS);

DB_STMT(q_compact, "SELECT compact_alert_stats()");

DB_STMT(q_kpi_rules,
    "SELECT coalesce(array_agg(id ORDER BY id), '{}')::text AS ids FROM alert_rules"
    " WHERE enabled AND kind = 'kpi' AND kpi_key = $1");


/* A rule the read phase found about to change, and why. */
struct change {
	int64_t id;
	int64_t updated_us;      /* the definition the result was computed for */
	enum cond_result cr;
	int64_t moment_us;       /* the sample moment it saw (rule_advance) */
	int recovered;           /* beyond the recovery threshold (rule_recovered) */
	enum cond cond;
	double threshold, observed, latest;
};

/* Column numbers of LIFE_COLUMNS in a result, looked up once. */
struct life_cols {
	int foreval, cooldown, recovery, keepf, flapn, flapw, consecutive, counted, flapping,
	    changes, fired, clear;
};

static void life_cols(const PGresult *r, struct life_cols *c)
{
	c->foreval = db_col(r, "for_evaluations");
	c->cooldown = db_col(r, "cooldown_minutes");
	c->recovery = db_col(r, "recovery_threshold");
	c->keepf = db_col(r, "keep_firing_minutes");
	c->flapn = db_col(r, "flap_changes");
	c->flapw = db_col(r, "flap_window_minutes");
	c->consecutive = db_col(r, "consecutive");
	c->counted = db_col(r, "counted_us");
	c->flapping = db_col(r, "flapping");
	c->changes = db_col(r, "changes");
	c->fired = db_col(r, "last_fired_us");
	c->clear = db_col(r, "clear_since_us");
}

static double cell_f64(const PGresult *r, int row, int col, double if_null)
{
	return PQgetisnull(r, row, col) ? if_null : strtod(PQgetvalue(r, row, col), NULL);
}

static int64_t cell_i64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* The bigint[] literal "{1,2}" of the recent changes into st. */
static void changes_parse(const char *s, struct rule_state *st)
{
	char *end;

	st->n_changes = 0;
	for (s = s ? strchr(s, '{') : NULL; s && *s && *s != '}'; s = end) {
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1)
			break;
		if (st->n_changes < RULE_FLAP_MAX)
			st->changes_us[st->n_changes++] = v;
	}
}

static void changes_literal(const struct rule_state *st, struct buf *b)
{
	buf_putc(b, '{');
	for (int i = 0; i < st->n_changes; i++)
		buf_printf(b, "%s%lld", i ? "," : "", (long long)st->changes_us[i]);
	buf_putc(b, '}');
}

/* Row i's lifecycle state and parameters (LIFE_COLUMNS); has_open is the caller's. */
static void life_of_row(const PGresult *r, int i, const struct life_cols *c,
    struct rule_state *st, struct rule_params *p)
{
	memset(st, 0, sizeof(*st));
	memset(p, 0, sizeof(*p));
	st->consecutive = (int)cell_i64(r, i, c->consecutive);
	st->counted_us = cell_i64(r, i, c->counted);
	st->last_fired_us = cell_i64(r, i, c->fired);
	st->clear_since_us = cell_i64(r, i, c->clear);
	st->flapping = PQgetvalue(r, i, c->flapping)[0] == 't';
	changes_parse(PQgetvalue(r, i, c->changes), st);
	p->for_evaluations = (int)cell_i64(r, i, c->foreval);
	p->cooldown_minutes = (int)cell_i64(r, i, c->cooldown);
	p->has_recovery = !PQgetisnull(r, i, c->recovery);
	p->recovery = cell_f64(r, i, c->recovery, 0);
	p->keep_firing_minutes = (int)cell_i64(r, i, c->keepf);
	p->flap_changes = (int)cell_i64(r, i, c->flapn);
	p->flap_window_minutes = (int)cell_i64(r, i, c->flapw);
}

/* The evaluation in progress. */
struct run {
	struct db *db;
	const struct config *cfg;
	const struct kpi_values *kv;
	const char *now;
	int64_t now_us;
	const char *now_local;
	int shop_open;           /* the shop's calendar at now: 1 open, 0 closed */
	struct eval_result *res;
};

/* What one write transaction decided, as array literals. */
struct writes {
	struct buf st_id, st_c, st_val, st_fired, st_clear, st_flap, st_changes, st_counted;
	int n_state;
	struct buf f_rule, f_name, f_kpi, f_cond, f_thr, f_val, f_sev, f_msg, f_sil;
	int n_fire;
	struct buf resolve_ids;
	int n_resolve;
	unsigned char *hold;     /* per fresh row: flapping, no fired/resolved mail */
	struct buf note_ids;     /* rules with a note, and the notes (per fresh row) */
	int n_note;
	enum rule_note *note;
	double *note_value;
};

#define WRITES_BUFS(w) {&(w)->st_id, &(w)->st_c, &(w)->st_val, &(w)->st_fired, \
	&(w)->st_clear, &(w)->st_flap, &(w)->st_changes, &(w)->st_counted, &(w)->f_rule, &(w)->f_name, \
	&(w)->f_kpi, &(w)->f_cond, &(w)->f_thr, &(w)->f_val, &(w)->f_sev, &(w)->f_msg, \
	&(w)->f_sil, &(w)->resolve_ids, &(w)->note_ids}

/* For a transaction over n_fresh rules. */
static void writes_init(struct writes *w, int n_fresh)
{
	struct buf *const all[] = WRITES_BUFS(w);

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < GW_ARRAY_LEN(all); i++)
		db_arr_begin(all[i]);
	w->hold = xcalloc((size_t)n_fresh + 1, 1);
	w->note = xcalloc((size_t)n_fresh + 1, sizeof(*w->note));
	w->note_value = xcalloc((size_t)n_fresh + 1, sizeof(*w->note_value));
}

static void writes_free(struct writes *w)
{
	struct buf *const all[] = WRITES_BUFS(w);

	for (size_t i = 0; i < GW_ARRAY_LEN(all); i++)
		buf_free(all[i]);
	free(w->hold);
	free(w->note);
	free(w->note_value);
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

/* The mail of kind about alert a, with the facts of fresh row i. */
static void mail_facts(struct mail_alert *m, enum mail_kind kind, const PGresult *fresh,
    int i, const json_t *a, const struct run *run)
{
	const struct kpi_value *v = kpi_values_get(run->kv, db_str(fresh, i, "kpi_key"));

	mail_alert_of(m, kind, a, fresh, i, run->now_local,
	    v && v->has ? v->value : json_number_value(json_object_get(a, "value")));
}

/*
 * What one write transaction makes besides its rows: mail, notices,
 * events, and the alerts it fired and resolved (for the result once it
 * commits).
 */
struct announced {
	struct outbox o;
	struct notices nq;
	struct routing rt;
	struct events ev;
	json_t *fired, *resolved;
};

/*
 * Tells kind about alert a of fresh row i: mail to the rule's recipients
 * now, notices to the contact points routing and the rule give. 0 or -1.
 */
static int tell_rule(const struct run *run, struct announced *an, const PGresult *fresh, int i,
    enum mail_kind kind, const json_t *a)
{
	struct mail_alert m;
	json_t *rcpt = json_loads(db_str(fresh, i, "recipients"), 0, NULL);
	struct route_alert ra = {
		.severity = db_str(fresh, i, "severity"), .category = db_str(fresh, i, "category"),
		.kpi = db_str(fresh, i, "kpi_key"), .rule_id = db_i64(fresh, i, "id"),
	};
	int rc;

	mail_facts(&m, kind, fresh, i, a, run);
	rc = rcpt ? mail_queue_alert(run->db, run->cfg, &an->o, &m, rcpt, db_i64(fresh, i, "id"),
	    NULL) : 0;
	json_decref(rcpt);
	notices_route(&an->nq, &an->rt, &ra, db_str(fresh, i, "contact_points"),
	    json_integer_value(json_object_get(a, "id")), mail_kind_name(kind));
	return rc;
}

/* Events and mail of the alerts just fired or resolved (none while flapping). 0 or -1. */
static int announce(const struct run *run, struct announced *an,
    const PGresult *alerts, const PGresult *fresh, const struct writes *w,
    enum mail_kind kind, json_t *out)
{
	const char *type = kind == MAIL_FIRED ? "alert.fired" : "alert.resolved";

	for (int j = 0; j < PQntuples(alerts); j++) {
		json_t *a = alert_json(alerts, j);
		int i = row_of_rule(fresh, db_i64(alerts, j, "rule_id"));
		int notify = i >= 0 && !db_bool(fresh, i, "silenced") && !w->hold[i] &&
		    (kind == MAIL_FIRED || db_bool(fresh, i, "notify_resolved"));

		events_add(&an->ev, type, a);
		json_array_append_new(out, a);
		if (notify && tell_rule(run, an, fresh, i, kind, a) < 0)
			return -1;
	}
	return 0;
}

/*
 * The notes (flapping, settled, problem back) about the rules' newest
 * alerts (alerts: q_latest), as events and mail. 0 or -1.
 */
static int announce_notes(const struct run *run, struct announced *an,
    const PGresult *alerts, const PGresult *fresh, const struct writes *w)
{
	static const char *const types[] = {
		[NOTE_BACK] = "rule.back", [NOTE_FLAPPING] = "rule.flapping",
		[NOTE_SETTLED] = "rule.settled",
	};
	static const enum mail_kind kinds[] = {
		[NOTE_BACK] = MAIL_BACK, [NOTE_FLAPPING] = MAIL_FLAPPING,
		[NOTE_SETTLED] = MAIL_SETTLED,
	};

	for (int j = 0; j < PQntuples(alerts); j++) {
		int i = row_of_rule(fresh, db_i64(alerts, j, "rule_id"));
		json_t *a, *data;
		int rc = 0;

		if (i < 0 || w->note[i] == NOTE_NONE)
			continue;
		a = alert_json(alerts, j);
		data = json_pack("{sI ss ss so sO}", "rule_id", (json_int_t)db_i64(fresh, i, "id"),
		    "rule_name", db_str(fresh, i, "name"), "kpi", db_str(fresh, i, "kpi_key"),
		    "value", json_num(w->note_value[i]), "alert", a);
		events_add(&an->ev, types[w->note[i]], data);
		json_decref(data);
		if (!db_bool(fresh, i, "silenced"))
			rc = tell_rule(run, an, fresh, i, kinds[w->note[i]], a);
		json_decref(a);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Adds the firing of change c (fresh row i) with its message to w. */
static void add_fire_msg(struct writes *w, const struct change *c, const PGresult *fresh,
    int i, const char *msg)
{
	db_arr_i64(&w->f_rule, c->id);
	db_arr_str(&w->f_name, db_str(fresh, i, "name"));
	db_arr_str(&w->f_kpi, db_str(fresh, i, "kpi_key"));
	db_arr_str(&w->f_cond, cond_name(c->cond));
	db_arr_f64(&w->f_thr, c->threshold);
	db_arr_f64(&w->f_val, c->observed);
	db_arr_str(&w->f_sev, db_str(fresh, i, "severity"));
	db_arr_str(&w->f_msg, msg);
	db_arr_bool(&w->f_sil, db_bool(fresh, i, "silenced"));
	w->n_fire++;
}

/* Adds the firing of change c (fresh row i) to w. */
static void add_fire(struct writes *w, const struct change *c, const PGresult *fresh, int i)
{
	char msg[512];

	struct fmt_windows win = {db_i64(fresh, i, "window_minutes"),
	    db_i64(fresh, i, "window_samples"), db_i64(fresh, i, "window_weeks")};

	rule_message(c->cond, db_str(fresh, i, "kpi_name"), db_str(fresh, i, "kpi_unit"),
	    c->latest, c->observed, c->threshold, &win, msg, sizeof(msg));
	add_fire_msg(w, c, fresh, i, msg);
}

/* Adds the state after step o of change c to w. */
static void add_state(struct writes *w, const struct change *c, const struct rule_step_out *o)
{
	struct buf lit;

	buf_init(&lit);
	changes_literal(&o->next, &lit);
	db_arr_i64(&w->st_id, c->id);
	db_arr_i64(&w->st_c, o->next.consecutive);
	if (isfinite(c->latest))
		db_arr_f64(&w->st_val, c->latest);
	else
		db_arr_null(&w->st_val);
	db_arr_bool(&w->st_fired, o->act == ACT_FIRE);
	if (o->next.clear_since_us > 0)
		db_arr_i64(&w->st_clear, o->next.clear_since_us);
	else
		db_arr_null(&w->st_clear);
	db_arr_bool(&w->st_flap, o->next.flapping);
	db_arr_str(&w->st_changes, lit.data ? lit.data : "{}");
	if (o->next.counted_us != 0)
		db_arr_i64(&w->st_counted, o->next.counted_us);
	else
		db_arr_null(&w->st_counted);
	buf_free(&lit);
	w->n_state++;
}

/* The lifecycle step of each change redone on its fresh (locked) state. */
static void decide(const struct run *run, const struct change *ch, int n,
    const PGresult *fresh, struct writes *w)
{
	struct life_cols lc;

	life_cols(fresh, &lc);
	for (int k = 0; k < n; k++) {
		const struct change *c = &ch[k];
		int i = row_of_rule(fresh, c->id);
		struct rule_state st;
		struct rule_params p;
		struct rule_step_out o;

		/* deleted, disabled or redefined since the read: next time */
		if (i < 0 || !db_bool(fresh, i, "enabled") ||
		    db_i64(fresh, i, "updated_us") != c->updated_us)
			continue;
		life_of_row(fresh, i, &lc, &st, &p);
		st.has_open = !db_isnull(fresh, i, "open_id");
		rule_advance(c->cr, c->recovered, &st, &p, run->now_us, c->moment_us, &o);
		if (rule_state_differs(&st, &o.next) || o.act == ACT_FIRE)
			add_state(w, c, &o);
		w->hold[i] = (unsigned char)o.hold;
		if (o.note != NOTE_NONE && !(o.note == NOTE_BACK && o.hold)) {
			w->note[i] = o.note;
			w->note_value[i] = c->latest;
			db_arr_i64(&w->note_ids, c->id);
			w->n_note++;
		}
		if (o.act == ACT_FIRE) {
			add_fire(w, c, fresh, i);
		} else if (o.act == ACT_RESOLVE) {
			db_arr_i64(&w->resolve_ids, db_i64(fresh, i, "open_id"));
			w->n_resolve++;
		}
	}
}

/*
 * Writes what decide() put in w inside the open transaction: state,
 * firings, resolutions, their mail and events (events last: their lock is
 * then held only for the commit). 0 or -1.
 */
static int apply(const struct run *run, struct writes *w, const PGresult *fresh,
    struct announced *an)
{
	struct db *db = run->db;
	PGresult *fired = NULL, *resolved = NULL, *latest = NULL;
	int rc = -1, queued;

	if (w->n_state > 0 && DB_RUN(db, &q_state, db_arr_end(&w->st_id), db_arr_end(&w->st_c),
	    db_arr_end(&w->st_val), db_arr_end(&w->st_fired), run->now, db_arr_end(&w->st_clear),
	    db_arr_end(&w->st_flap), db_arr_end(&w->st_changes), db_arr_end(&w->st_counted)) < 0)
		goto out;
	if (w->n_fire > 0) {
		fired = DB_EXEC(db, &q_fire, db_arr_end(&w->f_rule), db_arr_end(&w->f_name),
		    db_arr_end(&w->f_kpi), db_arr_end(&w->f_cond), db_arr_end(&w->f_thr),
		    db_arr_end(&w->f_val), db_arr_end(&w->f_sev), db_arr_end(&w->f_msg),
		    db_arr_end(&w->f_sil), run->now);
		if (fired == NULL ||
		    announce(run, an, fired, fresh, w, MAIL_FIRED, an->fired) < 0)
			goto out;
	}
	if (w->n_resolve > 0) {
		resolved = DB_EXEC(db, &q_resolve, db_arr_end(&w->resolve_ids), run->now);
		if (resolved == NULL ||
		    announce(run, an, resolved, fresh, w, MAIL_RESOLVED, an->resolved) < 0)
			goto out;
	}
	/* after the fires: a note is about the rule's newest alert */
	if (w->n_note > 0) {
		latest = DB_EXEC(db, &q_latest, db_arr_end(&w->note_ids));
		if (latest == NULL || announce_notes(run, an, latest, fresh, w) < 0)
			goto out;
	}
	if ((queued = outbox_flush(db, run->cfg, &an->o)) < 0)
		goto out;
	run->res->mails_queued += queued;
	if (notices_flush(db, &an->nq, run->now) < 0)
		goto out;
	rc = events_flush(db, &an->ev);
out:
	PQclear(fired);
	PQclear(resolved);
	PQclear(latest);
	return rc;
}

/* What a write transaction decides on its fresh (locked) rows. */
typedef void (*decide_fn)(const struct run *run, const void *ctx, const PGresult *fresh,
    struct writes *w);

/*
 * The write phase for the rules ids (an array literal): lock, read again,
 * decide (fn) on the fresh state, write, commit. 0, or -1 (rolled back).
 */
static int write_locked(const struct run *run, const char *ids, decide_fn fn, const void *ctx)
{
	struct db *db = run->db;
	struct writes w;
	struct announced an = {.fired = json_array(), .resolved = json_array()};
	PGresult *lock = NULL, *fresh = NULL;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	outbox_init(&an.o);
	notices_init(&an.nq);
	events_init(&an.ev);
	if (db_begin(db) < 0)
		goto out;
	if ((lock = DB_EXEC(db, &q_lock, ids)) == NULL)
		goto out;
	if ((fresh = DB_EXEC(db, &q_fresh, ids, run->now, run->cfg->timezone)) == NULL)
		goto out;
	/* read in the transaction: the routing the decision is made under */
	if (routing_load(db, &an.rt) < 0)
		goto out;
	writes_init(&w, PQntuples(fresh));
	fn(run, ctx, fresh, &w);
	if (apply(run, &w, fresh, &an) < 0 || db_commit(db) < 0)
		goto out;
	json_array_extend(run->res->fired, an.fired);
	json_array_extend(run->res->resolved, an.resolved);
	rc = 0;
out:
	/* a no-op after the commit; otherwise the transaction ends here */
	db_rollback(db);
	PQclear(lock);
	PQclear(fresh);
	json_decref(an.fired);
	json_decref(an.resolved);
	outbox_free(&an.o);
	notices_free(&an.nq);
	routing_free(&an.rt);
	events_free(&an.ev);
	writes_free(&w);
	return rc;
}

/* The changes of a chunk, for decide_changes. */
struct change_set {
	const struct change *ch;
	int n;
};

static void decide_changes(const struct run *run, const void *ctx, const PGresult *fresh,
    struct writes *w)
{
	const struct change_set *cs = ctx;

	decide(run, cs->ch, cs->n, fresh, w);
}

/* The write phase for changes[0..n). 0, or -1 (rolled back). */
static int write_changes(const struct run *run, const struct change *ch, int n)
{
	struct change_set cs = {ch, n};
	struct buf ids;
	int rc;

	buf_init(&ids);
	db_arr_begin(&ids);
	for (int i = 0; i < n; i++)
		db_arr_i64(&ids, ch[i].id);
	db_arr_end(&ids);
	rc = write_locked(run, ids.data, decide_changes, &cs);
	buf_free(&ids);
	return rc;
}

/* Column numbers of the read phase's result, looked up once. */
struct read_cols {
	int id, kpi, cond, thr, wsamp, updated, ref, zn, zmean, zsd, open, wmin, wweeks, base,
	    newest, outcome;
	struct life_cols life;
};

static void read_cols(const PGresult *r, struct read_cols *c)
{
	c->id = db_col(r, "id");
	c->kpi = db_col(r, "kpi_key");
	c->cond = db_col(r, "condition");
	c->thr = db_col(r, "threshold");
	c->wsamp = db_col(r, "window_samples");
	c->updated = db_col(r, "updated_us");
	c->ref = db_col(r, "ref_value");
	c->zn = db_col(r, "z_n");
	c->zmean = db_col(r, "z_mean");
	c->zsd = db_col(r, "z_sd");
	c->open = db_col(r, "open_id");
	c->wmin = db_col(r, "window_minutes");
	c->wweeks = db_col(r, "window_weeks");
	c->base = db_col(r, "base_pts");
	c->newest = db_col(r, "newest_us");
	c->outcome = db_col(r, "last_outcome");
	life_cols(r, &c->life);
}

/* What the rules of the run saw, for q_seen. */
struct seen {
	struct buf ids, outcomes;
	int n;
	int all;          /* a run of selected rules: every one, not only changed outcomes */
};

/* Rule row i of the read phase (columns c) saw outcome. */
static void seen_add(struct seen *s, const PGresult *r, int i, const struct read_cols *c,
    const char *outcome)
{
	if (!s->all && strcmp(PQgetvalue(r, i, c->outcome), outcome) == 0)
		return;
	db_arr_i64(&s->ids, strtoll(PQgetvalue(r, i, c->id), NULL, 10));
	db_arr_str(&s->outcomes, outcome);
	s->n++;
}

/*
 * The seasonal baseline of rule row i into in: baseline_of() over the
 * candidate samples the read phase found for its KPI.
 */
static void seasonal_input(const struct run *run, const PGresult *r, int i,
    const struct read_cols *c, struct cond_input *in)
{
	json_t *pts = PQgetisnull(r, i, c->base) ? NULL :
	    json_loads(PQgetvalue(r, i, c->base), 0, NULL), *p;
	size_t n = json_array_size(pts), k;
	struct baseline_sample *s = xcalloc(n + 1, sizeof(*s));
	struct baseline b = {0};

	json_array_foreach(pts, k, p) {
		s[k].at_us = (int64_t)json_integer_value(json_array_get(p, 0));
		s[k].value = json_number_value(json_array_get(p, 1));
	}
	if (baseline_of(s, n, run->now_us, run->cfg->timezone, (int)cell_i64(r, i, c->wweeks),
	    EVAL_STEP_US, &b) == 0) {
		in->base_n = b.n;
		in->base_mean = b.mean;
		in->base_stddev = b.stddev;
	}
	free(s);
	json_decref(pts);
}

/*
 * What rule row i's condition is evaluated on, besides the state; returns
 * its KPI's latest value (NULL: none), which the count of moments reads.
 */
static const struct kpi_value *cond_input_of(const struct run *run, const PGresult *r, int i,
    const struct read_cols *c, enum cond cond, struct cond_input *in)
{
	const struct kpi_value *v = kpi_values_get(run->kv, PQgetvalue(r, i, c->kpi));

	in->has_latest = v && v->has;
	in->latest = in->has_latest ? v->value : NAN;
	in->has_ref = !PQgetisnull(r, i, c->ref);
	in->ref = cell_f64(r, i, c->ref, NAN);
	in->window = (long)cell_i64(r, i, c->wsamp);
	in->n = (long)cell_i64(r, i, c->zn);
	in->mean = cell_f64(r, i, c->zmean, NAN);
	in->stddev = cell_f64(r, i, c->zsd, NAN);
	in->window_minutes = (long)cell_i64(r, i, c->wmin);
	in->has_newest = !PQgetisnull(r, i, c->newest);
	in->age_minutes = in->has_newest ?
	    (double)(run->now_us - cell_i64(r, i, c->newest)) / 60e6 : NAN;
	if (cond_needs_window_weeks(cond))
		seasonal_input(run, r, i, c, in);
	return v;
}

/*
 * The moment whose value rule row i's condition saw: its KPI's sample's
 * (an sql KPI's evaluation step, a pushed sample's time); for no_data,
 * which is about the absence of samples, the run's step. 0: no value.
 */
static int64_t sample_moment(const struct run *run, const struct kpi_value *v, enum cond cond)
{
	if (cond == COND_STALE)
		return schedule_eval_step(run->now_us);
	return v && v->has ? v->moment_us : 0;
}

/*
 * Rule row i of the read phase, decided on the state read with it: 1 when
 * it would change or has something to say (filled into *out), 0 when not
 * (quiet, still firing, or without data: then noted in the result). What
 * it saw goes into seen.
 */
static int read_change(const struct run *run, const PGresult *r, int i,
    const struct read_cols *c, struct seen *seen, struct change *out)
{
	enum cond cond = cond_parse(PQgetvalue(r, i, c->cond));
	struct cond_input in = {0};
	const struct kpi_value *v;
	struct rule_state st;
	struct rule_params p;
	struct rule_step_out o;
	double threshold = cell_f64(r, i, c->thr, NAN), observed = NAN;
	enum cond_result cr;
	int64_t moment;
	int recovered;

	v = cond_input_of(run, r, i, c, cond, &in);
	life_of_row(r, i, &c->life, &st, &p);
	st.has_open = !PQgetisnull(r, i, c->open);

	cr = cond_eval(cond, threshold, &in, &observed);
	recovered = cr != COND_NO_DATA && p.has_recovery ?
	    rule_recovered(cond, observed, p.recovery) : 1;
	moment = sample_moment(run, v, cond);
	rule_advance(cr, recovered, &st, &p, run->now_us, moment, &o);
	run->res->evaluated++;
	seen_add(seen, r, i, c, cr == COND_NO_DATA ? "no_data" : "evaluated");
	if (o.act == ACT_NO_DATA)
		json_array_append_new(run->res->no_data, json_integer(cell_i64(r, i, c->id)));
	/* quiet rules and rules still firing change nothing: no lock, no write */
	if (!rule_state_differs(&st, &o.next) && o.note == NOTE_NONE)
		return 0;
	out->id = cell_i64(r, i, c->id);
	out->updated_us = cell_i64(r, i, c->updated);
	out->cr = cr;
	out->moment_us = moment;
	out->recovered = recovered;
	out->cond = cond;
	out->threshold = threshold;
	out->observed = observed;
	out->latest = in.latest;
	return 1;
}

/*
 * Whether a rule with these active hours is evaluated at the run's moment.
 * One outside its hours is passed over before anything is decided: its
 * pending count, open alert and cooldown stay as they are, it fires and
 * resolves nothing.
 */
/*
 * The shop's calendar at the prelude's local moment (row 0 of r): open 1
 * or closed 0, or -1 (logged).
 */
static int shop_open_at(struct db *db, const PGresult *r)
{
	struct calendar cal;
	struct cal_local at;
	json_t *json = NULL;
	int open;

	if (calendar_load(db, &cal, &json) < 0)
		return -1;
	snprintf(at.date, sizeof(at.date), "%s", db_str(r, 0, "local_date"));
	at.wday = (int)db_i64(r, 0, "local_wday");
	at.minute = (int)db_i64(r, 0, "local_minute");
	open = calendar_open(&cal, &at);
	calendar_free(&cal);
	json_decref(json);
	return open;
}

/*
 * The read phase over every rule, then the write phase for the changes in
 * chunks. 0, or -1 (chunks already committed stay).
 */
static int eval_rules(const struct run *run, const char *selected, int chunk)
{
	const struct kpi_values *kv = run->kv;
	struct buf lat_keys, lat_at, weeks;
	struct change *ch = NULL;
	struct read_cols c;
	struct seen seen = {0};
	PGresult *r = NULL;
	int n, nch = 0, rc = -1;
	char at[40], step[24];
	int64_t t = time_mono_us(), week_at[BASELINE_MAX_WEEKS];

	buf_init(&lat_keys);
	buf_init(&lat_at);
	buf_init(&weeks);
	db_arr_begin(&lat_keys);
	db_arr_begin(&lat_at);
	db_arr_begin(&weeks);
	if (baseline_moments(run->now_us, run->cfg->timezone, BASELINE_MAX_WEEKS, week_at) < 0) {
		log_err("the week moments of the seasonal baselines in %s cannot be computed",
		    run->cfg->timezone);
		goto out;
	}
	for (int k = 0; k < BASELINE_MAX_WEEKS; k++) {
		time_format_iso(week_at[k], at, sizeof(at));
		db_arr_str(&weeks, at);
	}
	db_arr_begin(&seen.ids);
	db_arr_begin(&seen.outcomes);
	seen.all = selected != NULL;
	for (size_t i = 0; i < kv->n; i++) {
		if (!kv->v[i].has)
			continue;
		time_format_iso(kv->v[i].at_us, at, sizeof(at));
		db_arr_str(&lat_keys, kv->v[i].key);
		db_arr_str(&lat_at, at);
	}
	r = DB_EXEC(run->db, &q_read, selected, run->now, db_arr_end(&lat_keys),
	    db_arr_end(&lat_at), db_arr_end(&weeks),
	    db_i64_param(SCHEDULE_EVAL_PERIOD_S, step));
	if (r == NULL)
		goto out;
	n = PQntuples(r);
	log_debug("read %d rules in %lld us", n, (long long)(time_mono_us() - t));
	read_cols(r, &c);
	ch = xcalloc((size_t)n + 1, sizeof(*ch));
	for (int i = 0; i < n; i++) {
		if (!calendar_rule_active(db_str(r, i, "active_hours"), run->shop_open)) {
			run->res->inactive++;
			seen_add(&seen, r, i, &c, "inactive");
			continue;
		}
		nch += read_change(run, r, i, &c, &seen, &ch[nch]);
	}
	log_debug("decided in %lld us: %d rules change", (long long)(time_mono_us() - t), nch);
	for (int start = 0; start < nch; start += chunk) {
		int m = nch - start < chunk ? nch - start : chunk;
		if (write_changes(run, ch + start, m) < 0)
			goto out;
	}
	if (seen.n > 0 && DB_RUN(run->db, &q_seen, db_arr_end(&seen.ids),
	    db_arr_end(&seen.outcomes), run->now) < 0)
		goto out;
	rc = 0;
out:
	PQclear(r);
	free(ch);
	buf_free(&seen.ids);
	buf_free(&seen.outcomes);
	buf_free(&lat_keys);
	buf_free(&lat_at);
	buf_free(&weeks);
	return rc;
}

/*
 * The selected rules as an array literal in sel (left empty: every
 * enabled rule): the ids given, or the enabled rules on the KPI given, read
 * once here so the read and write phases are the timer's own. 0 or -1.
 */
static int select_rules(struct db *db, const struct eval_opts *opts, struct buf *sel)
{
	PGresult *r;

	if (opts->kpi_key) {
		if ((r = DB_EXEC(db, &q_kpi_rules, opts->kpi_key)) == NULL)
			return -1;
		buf_puts(sel, db_str(r, 0, "ids"));
		PQclear(r);
	} else if (opts->rule_ids) {
		db_arr_begin(sel);
		for (size_t i = 0; i < opts->n_rule_ids; i++)
			db_arr_i64(sel, opts->rule_ids[i]);
		db_arr_end(sel);
	}
	return 0;
}

int eval_run(struct db *db, const struct config *cfg, const struct eval_opts *opts,
    struct eval_result *res)
{
	int64_t t0 = time_mono_us(), t1, now_us = opts->now_us ? opts->now_us : time_now_us();
	char now[40];
	struct buf sel;
	struct kpi_values kv = {0};
	struct run run = {0};
	PGresult *r = NULL;
	json_t *summary;
	char *summary_s, *now_local = NULL;
	double ms;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->fired = json_array();
	res->resolved = json_array();
	res->no_data = json_array();
	buf_init(&sel);
	time_format_iso(now_us, now, sizeof(now));

	r = DB_EXEC(db, &q_prelude, now, cfg->timezone);
	if (r == NULL) {
		if (!db_lost(db))
			log_err("GOLDWATCH_TIMEZONE \"%s\" is not a time zone PostgreSQL knows",
			    cfg->timezone);
		goto out;
	}
	now_local = xstrdup(db_str(r, 0, "now_local"));
	run.shop_open = shop_open_at(db, r);
	PQclear(r);
	r = NULL;
	if (run.shop_open < 0)
		goto out;

	if (select_rules(db, opts, &sel) < 0)
		goto out;
	if (kpi_sample(db, cfg, now_us, sel.len ? sel.data : NULL, &kv) < 0)
		goto out;
	res->kpis_sampled = kv.sampled;
	t1 = time_mono_us();
	res->sample_us = t1 - t0;

	run.db = db;
	run.cfg = cfg;
	run.kv = &kv;
	run.now = now;
	run.now_us = now_us;
	run.now_local = now_local;
	run.res = res;
	if (eval_rules(&run, sel.len ? sel.data : NULL,
	    opts->chunk > 0 ? opts->chunk : EVAL_CHUNK) < 0)
		goto out;
	res->rules_us = time_mono_us() - t1;
	res->total_us = time_mono_us() - t0;
	ms = (double)res->total_us / 1000.0;
	summary = json_pack("{si si si si si si}", "evaluated", res->evaluated,
	    "inactive", res->inactive,
	    "fired", (int)json_array_size(res->fired),
	    "resolved", (int)json_array_size(res->resolved),
	    "no_data", (int)json_array_size(res->no_data), "kpis_sampled", res->kpis_sampled);
	summary_s = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	/* fold the counters' deltas while we are here (see migration 0003) */
	if (!opts->unrecorded && (job_runs_record(db, "evaluate", now, summary_s, ms) < 0 ||
	    (opts->rule_ids == NULL && opts->kpi_key == NULL &&
	     job_runs_record(db, "evaluate_all", now, summary_s, ms) < 0) ||
	    db_run(db, &q_compact, 0, NULL) < 0)) {
		free(summary_s);
		goto out;
	}
	free(summary_s);
	rc = 0;
out:
	free(now_local);
	kpi_values_free(&kv);
	buf_free(&sel);
	return rc;
}

/* One alert per system rule (ctx: its verdict): fired while its cause holds,
 * resolved when it goes. */
static void decide_system(const struct run *run, const void *ctx, const PGresult *fresh,
    struct writes *w)
{
	const struct system_verdict *v = ctx;
	int open;

	(void)run;
	/* deleted meanwhile, or disabled (which resolved its alert) */
	if (PQntuples(fresh) != 1 || !db_bool(fresh, 0, "enabled"))
		return;
	open = !db_isnull(fresh, 0, "open_id");
	if (v->holds && !open) {
		struct change c = {.id = db_i64(fresh, 0, "id"), .cond = COND_GT,
		    .observed = v->value, .latest = v->value};
		add_fire_msg(w, &c, fresh, 0, v->message);
	} else if (!v->holds && open) {
		db_arr_i64(&w->resolve_ids, db_i64(fresh, 0, "open_id"));
		w->n_resolve++;
	}
}

DB_STMT(q_system_rule,
    "SELECT '{' || r.id || '}' AS ids, r.enabled,"
    "       EXISTS (SELECT 1 FROM alerts a WHERE a.rule_id = r.id"
    "                  AND a.state IN ('firing', 'acknowledged')) AS open"
    "  FROM alert_rules r WHERE r.system_check = $1");

int eval_system(struct db *db, const struct config *cfg, int64_t now_us,
    const struct system_verdict *v, struct eval_result *res)
{
	struct kpi_values kv = {0};
	struct run run = {.db = db, .cfg = cfg, .kv = &kv, .now_us = now_us, .res = res};
	char now[40];
	PGresult *r, *pre = NULL;
	int rc = -1;

	time_format_iso(now_us, now, sizeof(now));
	run.now = now;
	if ((r = DB_EXEC(db, &q_system_rule, v->check)) == NULL)
		return -1;
	/* the common case, nothing to change, takes no lock */
	if (PQntuples(r) != 1 || !db_bool(r, 0, "enabled") || v->holds == db_bool(r, 0, "open")) {
		PQclear(r);
		return 0;
	}
	if ((pre = DB_EXEC(db, &q_prelude, now, cfg->timezone)) != NULL) {
		run.now_local = db_str(pre, 0, "now_local");
		rc = write_locked(&run, db_str(r, 0, "ids"), decide_system, v);
	}
	PQclear(pre);
	PQclear(r);
	return rc;
}

json_t *eval_result_json(const struct eval_result *res)
{
	return json_pack("{si si sO sO sO sf}", "evaluated", res->evaluated,
	    "inactive", res->inactive, "fired", res->fired, "resolved", res->resolved, "no_data", res->no_data,
	    "duration_ms", (double)res->total_us / 1000.0);
}

void eval_result_free(struct eval_result *res)
{
	json_decref(res->fired);
	json_decref(res->resolved);
	json_decref(res->no_data);
	memset(res, 0, sizeof(*res));
}
