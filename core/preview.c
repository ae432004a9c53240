/*
 * preview.c - see preview.h.
 *
 * One statement reads the span's samples with their wall-clock moment in
 * the shop's zone (as the evaluation's prelude computes it), plus enough
 * samples before the span for the first moments' percent-change reference
 * and z-score window. Then C walks the samples in time order: what
 * eval.c's read phase asks PostgreSQL for at a moment (the reference at or
 * before moment - window_minutes, the window_samples before the latest) is
 * found in the array, and the lifecycle goes on in memory exactly as the
 * write phase would store it (the count, the open alert, the last firing).
 */
#include "preview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "calendar_store.h"
#include "json_out.h"
#include "log.h"
#include "rule.h"
#include "schedule.h"
#include "util.h"

/* The evaluation step, within which a seasonal baseline point counts (eval.c's). */
#define PREVIEW_STEP_US ((int64_t)SCHEDULE_EVAL_PERIOD_S * 1000000)

/* The members of a preview body that are not the rule's. */
struct preview_opts {
	int64_t days, now_us, rule_id;
	int has_now, has_rule_id;
};

#define PO(m) V_AT(struct preview_opts, m)
static const struct vfield preview_fields[] = {
	{.name = "days", .type = V_INT, .min = 1, .max = PREVIEW_DAYS_MAX,
	    .def = PREVIEW_DAYS_DEFAULT, .at = PO(days)},
	{.name = "now", .type = V_TIME, .at = PO(now_us), .has = PO(has_now)},
	{.name = "rule_id", .type = V_INT, .min = 1, .max = INT64_MAX, .at = PO(rule_id),
	    .has = PO(has_rule_id)},
};

DB_STMT(q_kpi, "SELECT name, unit FROM kpis WHERE key = $1 AND deleted_at IS NULL");

/*
 * $1 KPI, $2 the end, $3 days, $4 the reference's reach in minutes, $5
 * how many samples before that reach, $6 the shop's zone. in_span: an
 * evaluation moment; the others are only looked back at.
 */
DB_STMT(q_samples,
    "WITH b AS (SELECT $2::timestamptz - make_interval(hours => $3::int * 24) AS start),"
    " s AS ("
    "  SELECT x.id, x.value, x.sampled_at FROM kpi_samples x, b"
    "   WHERE x.kpi_key = $1 AND x.sampled_at <= $2::timestamptz"
    "     AND x.sampled_at > b.start - make_interval(mins => $4::int)"
    "  UNION ALL"
    "  (SELECT x.id, x.value, x.sampled_at FROM kpi_samples x, b"
    "    WHERE x.kpi_key = $1"
    "      AND x.sampled_at <= b.start - make_interval(mins => $4::int)"
    "    ORDER BY x.kpi_key, x.sampled_at DESC, x.id DESC LIMIT $5::int))"
    " SELECT (extract(epoch FROM s.sampled_at) * 1000000)::bigint AS at_us, s.value,"
    "        s.sampled_at > b.start AS in_span,"
    "        to_char(s.sampled_at AT TIME ZONE $6, 'YYYY-MM-DD') AS local_date,"
    "        extract(isodow FROM s.sampled_at AT TIME ZONE $6)::int - 1 AS local_wday,"
    "        (extract(hour FROM s.sampled_at AT TIME ZONE $6) * 60"
    "         + extract(minute FROM s.sampled_at AT TIME ZONE $6))::int AS local_minute,"
    "        (extract(epoch FROM b.start) * 1000000)::bigint AS start_us"
    "   FROM s, b ORDER BY s.sampled_at, s.id");

/* The members of saved rule json that a rule body takes, non-null ones. */
static json_t *rule_body_of(const json_t *rule)
{
	json_t *out = json_object();

	for (size_t i = 0; i < rule_nfields; i++) {
		json_t *v = json_object_get(rule, rule_fields[i].name);
		if (v != NULL && !json_is_null(v))
			json_object_set(out, rule_fields[i].name, v);
	}
	return out;
}

enum store_rc preview_decode(struct db *db, const json_t *body, struct preview_request *out,
    struct verror *err)
{
	struct preview_opts o;
	json_t *opts = json_object(), *saved = NULL;
	const char *k;
	json_t *v;
	enum store_rc rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body)) {
		json_decref(opts);
		verror_set(err, 400, "bad_request", NULL, "the body must be a JSON object");
		return ST_INVALID;
	}
	out->body = json_object();
	json_object_foreach((json_t *)body, k, v)
		json_object_set(valid_field(VFIELDS(preview_fields), k) ? opts : out->body, k, v);
	rc = valid_decode(opts, VFIELDS(preview_fields), &o, err) < 0 ? ST_INVALID : ST_OK;
	json_decref(opts);
	if (rc != ST_OK)
		return rc;
	out->days = o.days;
	out->now_us = o.now_us;
	out->has_now = o.has_now;
	out->rule_id = o.rule_id;
	out->has_rule_id = o.has_rule_id;
	if (o.has_rule_id) {
		json_t *merged;

		if ((rc = rule_get(db, o.rule_id, &saved)) != ST_OK)
			return rc;
		merged = rule_body_of(saved);
		json_decref(saved);
		json_object_update(merged, out->body);
		json_decref(out->body);
		out->body = merged;
	}
	if (json_object_get(out->body, "name") == NULL)
		json_object_set_new(out->body, "name", json_string("preview"));
	return rule_decode(out->body, &out->rule, err);
}

void preview_request_free(struct preview_request *req)
{
	json_decref(req->body);
	memset(req, 0, sizeof(*req));
}

/* A sample read for the replay. */
struct sample {
	int64_t at_us;
	double value;
	int in_span;
	struct cal_local local;
};

/* The replay in progress. */
struct replay {
	const struct rule_input *rule;
	enum cond cond;
	const struct calendar *cal;
	const char *zone;               /* the shop's, for the seasonal baseline */
	const struct sample *s;
	struct baseline_sample *bs;     /* s as the baseline takes them (seasonal only) */
	size_t n;
	struct preview_result *out;
	size_t cap;
};

/*
 * What eval.c's read phase would give cond_eval() at sample i's moment,
 * from the samples before it: the reference (the latest at or before
 * moment - window_minutes) and the z-score window (the window_samples
 * latest strictly before the moment).
 */
static void cond_input_at(const struct replay *rp, size_t i, struct cond_input *in)
{
	const struct rule_input *r = rp->rule;
	const struct sample *s = rp->s;
	int64_t t = s[i].at_us;

	memset(in, 0, sizeof(*in));
	in->has_latest = 1;
	in->latest = s[i].value;
	if (r->has_window_minutes) {
		int64_t reach = t - r->window_minutes * INT64_C(60000000);
		for (size_t j = i + 1; j-- > 0;) {
			if (s[j].at_us <= reach) {
				in->has_ref = 1;
				in->ref = s[j].value;
				break;
			}
		}
	}
	if (r->has_window_samples) {
		double sum = 0, sq = 0;
		size_t j = i;

		in->window = (long)r->window_samples;
		while (j > 0 && s[j - 1].at_us == t)
			j--;
		for (; j > 0 && in->n < in->window; j--, in->n++)
			sum += s[j - 1].value;
		in->mean = in->n > 0 ? sum / (double)in->n : NAN;
		for (size_t m = j; m < j + (size_t)in->n; m++)
			sq += (s[m].value - in->mean) * (s[m].value - in->mean);
		in->stddev = in->n > 1 ? sqrt(sq / (double)(in->n - 1)) : NAN;
	}
	/* staleness at a sample's own moment: it is the newest, and fresh */
	in->window_minutes = r->has_window_minutes ? (long)r->window_minutes : 0;
	in->has_newest = 1;
	in->age_minutes = 0;
	if (rp->bs) {
		struct baseline b;
		if (baseline_of(rp->bs, i, t, rp->zone, (int)r->window_weeks, PREVIEW_STEP_US,
		    &b) == 0) {
			in->base_n = b.n;
			in->base_mean = b.mean;
			in->base_stddev = b.stddev;
		}
	}
}

/* Whether the rule is evaluated at the local moment, as the evaluation decides it. */
static int active_at(const struct replay *rp, const struct cal_local *at)
{
	return calendar_rule_active(rp->rule->active_hours, calendar_open(rp->cal, at));
}

static void add_firing(struct replay *rp, int64_t at_us, double value)
{
	struct preview_result *o = rp->out;

	if (o->count == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 16;
		o->firings = xrealloc(o->firings, rp->cap * sizeof(*o->firings));
	}
	o->firings[o->count++] = (struct preview_firing){.at_us = at_us, .value = value};
}

/* The lifecycle in memory: what eval.c's write phase stores, moved the same way. */
struct replay_state {
	struct rule_params p;
	struct rule_state st;
};

/*
 * One evaluation at moment t on in: the whole lifecycle step (eval.c's
 * read_change: recovered past recovery_threshold, then rule_advance), its
 * next state kept, a firing opened or closed.
 */
static void evaluate_at(struct replay *rp, struct replay_state *rs, int64_t t,
    const struct cond_input *in)
{
	double observed = NAN;
	enum cond_result cr = cond_eval(rp->cond, rp->rule->threshold, in, &observed);
	int recovered = cr != COND_NO_DATA && rs->p.has_recovery ?
	    rule_recovered(rp->cond, observed, rs->p.recovery) : 1;
	struct rule_step_out o;

	rule_advance(cr, recovered, &rs->st, &rs->p, t, t, &o);
	rs->st = o.next;
	if (o.act == ACT_FIRE)
		add_firing(rp, t, observed);
	else if (o.act == ACT_RESOLVE && rp->out->count > 0)
		rp->out->firings[rp->out->count - 1].resolved_us = t;
}

/*
 * Staleness is about the time between samples: evaluated at every
 * evaluation step of the span (the timer's moments), on the newest sample
 * at or before it.
 */
static void replay_staleness(struct replay *rp, struct replay_state *rs)
{
	const int64_t step = PREVIEW_STEP_US;
	int64_t t = (rp->out->from_us / step + 1) * step;
	size_t newest = 0;
	int have = 0;

	for (; t <= rp->out->to_us; t += step) {
		struct cond_input in = {.has_latest = 1};
		struct cal_local at;

		while (newest < rp->n && rp->s[newest].at_us <= t) {
			newest++;
			have = 1;
		}
		if (calendar_local(t, &at) < 0 || !active_at(rp, &at))
			continue;
		in.latest = have ? rp->s[newest - 1].value : NAN;
		in.has_latest = have;
		in.has_newest = have;
		in.age_minutes = have ? (double)(t - rp->s[newest - 1].at_us) / 60e6 : NAN;
		in.window_minutes = (long)rp->rule->window_minutes;
		evaluate_at(rp, rs, t, &in);
	}
}

/*
 * The timer's lifecycle over every moment of the span, in memory: the
 * state is rule_advance()'s next one each time, what eval.c's write phase
 * stores (the count, the open alert, the last firing, the clear-since
 * clock, the flapping changes), so hysteresis, keep-firing and flapping
 * play out here as they would. The moments are
 * the samples' (the timer samples a KPI when it evaluates it); staleness
 * is evaluated at every step.
 */
static void replay(struct replay *rp)
{
	const struct rule_input *r = rp->rule;
	struct replay_state rs = {.p = {.for_evaluations = (int)r->for_evaluations,
	    .cooldown_minutes = (int)r->cooldown_minutes,
	    .has_recovery = r->has_recovery_threshold, .recovery = r->recovery_threshold,
	    .keep_firing_minutes = r->has_keep_firing_minutes ? (int)r->keep_firing_minutes : 0,
	    .flap_changes = (int)r->flap_changes,
	    .flap_window_minutes = (int)r->flap_window_minutes}};

	if (rp->cond == COND_STALE) {
		replay_staleness(rp, &rs);
		return;
	}
	for (size_t i = 0; i < rp->n; i++) {
		const struct sample *s = &rp->s[i];
		struct cond_input in;

		/* the latest of samples at one moment is the one evaluated */
		if (!s->in_span || (i + 1 < rp->n && rp->s[i + 1].at_us == s->at_us))
			continue;
		if (!active_at(rp, &s->local))
			continue;
		cond_input_at(rp, i, &in);
		evaluate_at(rp, &rs, s->at_us, &in);
	}
}

/* The rows of q_samples as samples, and the span's points for the chart. */
static struct sample *samples_of(const PGresult *r, struct preview_result *out)
{
	size_t n = (size_t)PQntuples(r);
	struct sample *s = xcalloc(n + 1, sizeof(*s));

	out->points = xcalloc(n + 1, sizeof(*out->points));
	for (size_t i = 0; i < n; i++) {
		int row = (int)i;

		s[i].at_us = db_i64(r, row, "at_us");
		s[i].value = db_f64(r, row, "value");
		s[i].in_span = db_bool(r, row, "in_span");
		snprintf(s[i].local.date, sizeof(s[i].local.date), "%s",
		    db_str(r, row, "local_date"));
		s[i].local.wday = (int)db_i64(r, row, "local_wday");
		s[i].local.minute = (int)db_i64(r, row, "local_minute");
		if (s[i].in_span)
			out->points[out->samples++] = (struct preview_point){s[i].at_us, s[i].value};
	}
	return s;
}

/* The KPI's name and unit into out: ST_OK, or ST_INVALID (unknown_kpi). */
static enum store_rc preview_kpi(struct db *db, const char *key, struct preview_result *out,
    struct verror *err)
{
	PGresult *r = DB_EXEC(db, &q_kpi, key);

	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		verror_set(err, 422, "unknown_kpi", "kpi", "there is no KPI %.64s", key);
		return ST_INVALID;
	}
	out->kpi_name = xstrdup(db_str(r, 0, "name"));
	out->kpi_unit = xstrdup(db_str(r, 0, "unit") ? db_str(r, 0, "unit") : "");
	PQclear(r);
	return ST_OK;
}

enum store_rc preview_run(struct db *db, const struct config *cfg,
    const struct preview_request *req, struct preview_result *out, struct verror *err)
{
	const struct rule_input *rule = &req->rule;
	char now[40], days[24], reach[24], before[24];
	struct calendar cal;
	json_t *cal_json = NULL;
	struct replay rp = {.rule = rule, .cal = &cal, .out = out};
	struct sample *s;
	PGresult *r;
	enum store_rc rc;

	memset(out, 0, sizeof(*out));
	out->to_us = req->has_now ? req->now_us : time_now_us();
	out->from_us = out->to_us - req->days * 86400 * INT64_C(1000000);
	if ((rc = preview_kpi(db, rule->kpi, out, err)) != ST_OK)
		return rc;
	time_format_iso(out->to_us, now, sizeof(now));
	db_i64_param(req->days, days);
	/* far enough back for the reference and, seasonal, the last window_weeks weeks */
	db_i64_param(cond_needs_window_weeks(cond_parse(rule->condition)) ?
	    rule->window_weeks * 7 * 1440 + SCHEDULE_EVAL_PERIOD_S / 60 :
	    rule->has_window_minutes ? rule->window_minutes : 0, reach);
	db_i64_param(rule->has_window_samples ? rule->window_samples : 1, before);
	if (calendar_load(db, &cal, &cal_json) < 0)
		return ST_ERROR;
	r = DB_EXEC(db, &q_samples, rule->kpi, now, days, reach, before, cfg->timezone);
	if (r == NULL) {
		calendar_free(&cal);
		json_decref(cal_json);
		return ST_ERROR;
	}
	s = samples_of(r, out);
	rp.s = s;
	rp.n = (size_t)PQntuples(r);
	rp.cond = cond_parse(rule->condition);
	rp.zone = cfg->timezone;
	if (cond_needs_window_weeks(rp.cond)) {
		rp.bs = xcalloc(rp.n + 1, sizeof(*rp.bs));
		for (size_t i = 0; i < rp.n; i++)
			rp.bs[i] = (struct baseline_sample){s[i].at_us, s[i].value};
	}
	PQclear(r);
	replay(&rp);
	free(rp.bs);
	free(s);
	calendar_free(&cal);
	json_decref(cal_json);
	return ST_OK;
}

json_t *preview_json(const struct preview_result *res)
{
	json_t *firings = json_array();
	char at[40], resolved[40];

	for (size_t i = 0; i < res->count; i++) {
		const struct preview_firing *f = &res->firings[i];

		time_format_iso(f->at_us, at, sizeof(at));
		if (f->resolved_us)
			time_format_iso(f->resolved_us, resolved, sizeof(resolved));
		json_array_append_new(firings, json_pack("{ss so so}", "at", at,
		    "value", json_num(f->value),
		    "resolved_at", f->resolved_us ? json_string(resolved) : json_null()));
	}
	return json_pack("{so sI sI}", "firings", firings, "count", (json_int_t)res->count,
	    "samples", (json_int_t)res->samples);
}

void preview_result_free(struct preview_result *res)
{
	free(res->firings);
	free(res->points);
	free((char *)res->kpi_name);
	free((char *)res->kpi_unit);
	memset(res, 0, sizeof(*res));
}
