/*
 * rule_store.c - see rule_store.h.
 */
#include "rule_store.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "contact_point_store.h"
#include "baseline.h"
#include "event.h"
#include "json_out.h"
#include "mail.h"
#include "rule.h"
#include "silence_store.h"
#include "util.h"

static int valid_condition(const char *s)
{
	return cond_parse(s) != COND__MAX;
}

static int valid_active_hours(const char *s)
{
	return strcmp(s, "always") == 0 || strcmp(s, "open") == 0 || strcmp(s, "closed") == 0;
}

static int valid_kind(const char *s)
{
	return strcmp(s, "kpi") == 0 || strcmp(s, "system") == 0;
}

static int valid_severity(const char *s)
{
	return severity_parse(s) != SEV__MAX;
}

#define RE(m) (offsetof(struct rule_escalation, m) + 1)
const struct vfield rule_escalation_fields[] = {
	{.name = "after_minutes", .type = V_INT, .flags = V_REQUIRED, .min = 1, .max = 10080,
	    .at = RE(after_minutes), .column = "escalation_after_minutes"},
	{.name = "recipients", .type = V_STRINGS, .flags = V_REQUIRED, .min = 1, .max = 50,
	    .check = valid_email, .what = "must hold valid e-mail addresses",
	    .at = RE(recipients), .column = "escalation_recipients"},
};
const size_t rule_escalation_nfields = GW_ARRAY_LEN(rule_escalation_fields);

#define RI(m) V_AT(struct rule_input, m)
/*
 * window_minutes and window_samples: a month of minutes or a thousand
 * samples is already more than one query should read (migration 0009 holds
 * the schema to the same bounds).
 */
const struct vfield rule_fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 200, .at = RI(name)},
	{.name = "description", .type = V_STRING, .flags = V_NULLABLE | V_MULTILINE,
	    .min = 0, .max = 2000, .sdef = "", .at = RI(description)},
	{.name = "kpi", .type = V_STRING, .flags = V_REQUIRED, .check = valid_kpi_key,
	    .what = "is not a KPI key", .at = RI(kpi), .column = "kpi_key"},
	{.name = "condition", .type = V_STRING, .flags = V_REQUIRED, .check = valid_condition,
	    .what = "must be one of gt, gte, lt, lte, eq, neq, pct_change_gt, pct_change_lt,"
	    " pct_change_abs_gt, zscore_gt, seasonal_pct_lt, seasonal_pct_gt, seasonal_zscore_gt,"
	    " no_data",
	    .at = RI(condition)},
	{.name = "threshold", .type = V_NUMBER, .flags = V_REQUIRED, .dmin = -1e15, .dmax = 1e15,
	    .at = RI(threshold)},
	{.name = "severity", .type = V_STRING, .flags = V_REQUIRED, .check = valid_severity,
	    .what = "must be info, warning or critical", .at = RI(severity)},
	{.name = "cooldown_minutes", .type = V_INT, .min = 0, .max = 10080, .def = 60,
	    .at = RI(cooldown_minutes)},
	{.name = "for_evaluations", .type = V_INT, .min = 1, .max = 100, .def = 1,
	    .at = RI(for_evaluations)},
	{.name = "window_minutes", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = 43200,
	    .at = RI(window_minutes), .has = RI(has_window_minutes)},
	{.name = "window_samples", .type = V_INT, .flags = V_NULLABLE, .min = 2, .max = 1000,
	    .at = RI(window_samples), .has = RI(has_window_samples)},
	{.name = "window_weeks", .type = V_INT, .flags = V_NULLABLE, .min = 1,
	    .max = BASELINE_MAX_WEEKS, .at = RI(window_weeks), .has = RI(has_window_weeks)},
	{.name = "recipients", .type = V_STRINGS, .min = 0, .max = 50, .check = valid_email,
	    .what = "must hold valid e-mail addresses", .at = RI(recipients)},
	{.name = "notify_resolved", .type = V_BOOL, .def = 1, .at = RI(notify_resolved)},
	{.name = "escalation", .type = V_OBJECT, .flags = V_NULLABLE, .sub = rule_escalation_fields,
	    .nsub = GW_ARRAY_LEN(rule_escalation_fields), .at = RI(escalation),
	    .has = RI(has_escalation)},
	{.name = "contact_points", .type = V_INTS, .min = 0, .max = 20, .at = RI(contact_points)},
	{.name = "escalation_policy_id", .type = V_INT, .flags = V_NULLABLE, .min = 1,
	    .max = INT64_MAX, .at = RI(escalation_policy_id), .has = RI(has_escalation_policy_id)},
	{.name = "enabled", .type = V_BOOL, .def = 1, .at = RI(enabled)},
	{.name = "active_hours", .type = V_STRING, .check = valid_active_hours, .sdef = "always",
	    .what = "must be always, open or closed", .at = RI(active_hours)},
	{.name = "recovery_threshold", .type = V_NUMBER, .flags = V_NULLABLE, .dmin = -1e15,
	    .dmax = 1e15, .at = RI(recovery_threshold), .has = RI(has_recovery_threshold)},
	{.name = "keep_firing_minutes", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = 1440,
	    .at = RI(keep_firing_minutes), .has = RI(has_keep_firing_minutes)},
	{.name = "flap_changes", .type = V_INT, .min = 2, .max = 100, .def = 6,
	    .at = RI(flap_changes)},
	{.name = "flap_window_minutes", .type = V_INT, .min = 5, .max = 1440, .def = 60,
	    .at = RI(flap_window_minutes)},
	/* read-only: taken so that a rule as GET shows it can be PUT back */
	{.name = "kind", .type = V_STRING, .check = valid_kind, .what = "must be kpi or system",
	    .at = RI(kind)},
};
const size_t rule_nfields = GW_ARRAY_LEN(rule_fields);

/* Adds an error for field unless it already has one; 1 if added. */
static int add_error(struct verror *errs, int *n, int max, const char *field,
    const char *code, const char *fmt, const char *arg)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(errs[i].field, field) == 0)
			return 0;
	if (*n >= max)
		return 0;
	verror_set(&errs[*n], 422, code, field, fmt, arg);
	(*n)++;
	return 1;
}

/* A window field that condition c needs (and lacks) or refuses (and has): an error. */
static void rule_check_window(enum cond c, int needs, int has, const char *field,
    const char *applies, struct verror *errs, int max, int *n)
{
	if (needs && !has)
		add_error(errs, n, max, field, "missing_field", "%s is required for the chosen"
		    " condition", field);
	if (!needs && has)
		add_error(errs, n, max, field, "not_applicable", applies, cond_name(c));
}

/* What the table cannot say: the window fields each condition needs and refuses. */
static void rule_check_condition(const struct rule_input *in, struct verror *errs, int max,
    int *n)
{
	enum cond c = cond_parse(in->condition ? in->condition : "");

	if (c == COND__MAX)
		return;
	rule_check_window(c, cond_needs_window_minutes(c), in->has_window_minutes,
	    "window_minutes", "window_minutes applies only to pct_change_gt, pct_change_lt,"
	    " pct_change_abs_gt and no_data, not %s", errs, max, n);
	rule_check_window(c, cond_needs_window_samples(c), in->has_window_samples,
	    "window_samples", "window_samples applies only to zscore_gt, not %s", errs, max, n);
	rule_check_window(c, cond_needs_window_weeks(c), in->has_window_weeks,
	    "window_weeks", "window_weeks applies only to seasonal_pct_lt, seasonal_pct_gt and"
	    " seasonal_zscore_gt, not %s", errs, max, n);
	if (cond_is_zscore(c) && in->threshold <= 0)
		add_error(errs, n, max, "threshold", "out_of_range",
		    "a z-score threshold must be above 0 (3 is usual)%s", "");
	if (in->has_recovery_threshold && cond_direction(c) == 0)
		add_error(errs, n, max, "recovery_threshold", "not_applicable",
		    "recovery_threshold does not apply to %s: it has no direction", cond_name(c));
	else if (in->has_recovery_threshold &&
	    !rule_recovery_valid(c, in->threshold, in->recovery_threshold))
		add_error(errs, n, max, "recovery_threshold", "out_of_range",
		    "recovery_threshold must lie on the resolving side of the threshold: %s",
		    cond_direction(c) > 0 ? "below it (and nearer to 0 for changes and z-scores)" :
		    "above it (and nearer to 0 for changes)");
}

enum store_rc rule_decode_all(const json_t *in, struct rule_input *out, struct verror *errs,
    int max, int *nerr)
{
	int n = valid_decode_all(in, rule_fields, rule_nfields, out, errs, max);

	if (n > 0 && errs[0].status == 400) {
		*nerr = 1;
		return ST_INVALID;
	}
	/* a seasonal condition without window_weeks compares the last 4 weeks */
	if (cond_needs_window_weeks(cond_parse(out->condition ? out->condition : "")) &&
	    !out->has_window_weeks) {
		out->window_weeks = BASELINE_DEFAULT_WEEKS;
		out->has_window_weeks = 1;
	}
	rule_check_condition(out, errs, max, &n);
	*nerr = n;
	return n > 0 ? ST_INVALID : ST_OK;
}

enum store_rc rule_decode(const json_t *in, struct rule_input *out, struct verror *err)
{
	int n;

	return rule_decode_all(in, out, err, 1, &n);
}

enum store_rc rule_view(const json_t *rule, struct rule_input *out)
{
	/* shallow: the values stay rule's, only what the server adds is dropped */
	json_t *body = json_copy((json_t *)rule);
	struct verror errs[16];
	enum store_rc rc;
	int n;

	json_object_del(body, "id");
	json_object_del(body, "created_at");
	json_object_del(body, "updated_at");
	json_object_del(body, "status");
	json_object_del(body, "kind");
	json_object_del(body, "pending_count");
	json_object_del(body, "last_value");
	json_object_del(body, "last_evaluated_at");
	rc = rule_decode_all(body, out, errs, GW_ARRAY_LEN(errs), &n);
	json_decref(body);
	return rc;
}

/* The members of RULE_STATUS_SQL's JSON text into rule o. */
static void rule_status_json(json_t *o, const char *text)
{
	json_t *st = text ? json_loads(text, 0, NULL) : NULL;
	const char *status = json_string_value(json_object_get(st, "status"));
	const char *keys[] = {"last_value", "last_evaluated_at"};

	json_object_set_new(o, "status", json_string(status ? status : "normal"));
	if (status && strcmp(status, "pending") == 0)
		json_object_set(o, "pending_count", json_object_get(st, "pending_count"));
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(st, keys[i]);
		json_object_set_new(o, keys[i], v ? json_incref(v) : json_null());
	}
	json_decref(st);
}

json_t *rule_json(const PGresult *r, int row)
{
	json_t *o = json_object(), *esc = json_null();
	json_t *rcpt = json_loads(db_str(r, row, "recipients"), 0, NULL);
	json_t *cps = json_loads(db_str(r, row, "contact_points"), 0, NULL);

	json_object_set_new(o, "id", json_integer(db_i64(r, row, "id")));
	json_object_set_new(o, "name", json_string(db_str(r, row, "name")));
	json_object_set_new(o, "description", json_string(db_str(r, row, "description")));
	json_object_set_new(o, "kpi", json_string(db_str(r, row, "kpi_key")));
	json_object_set_new(o, "condition", json_string(db_str(r, row, "condition")));
	json_object_set_new(o, "threshold", json_num(db_f64(r, row, "threshold")));
	json_object_set_new(o, "severity", json_string(db_str(r, row, "severity")));
	json_object_set_new(o, "cooldown_minutes", json_integer(db_i64(r, row, "cooldown_minutes")));
	json_object_set_new(o, "for_evaluations", json_integer(db_i64(r, row, "for_evaluations")));
	json_object_set_new(o, "window_minutes", db_isnull(r, row, "window_minutes") ? json_null() :
	    json_integer(db_i64(r, row, "window_minutes")));
	json_object_set_new(o, "window_samples", db_isnull(r, row, "window_samples") ? json_null() :
	    json_integer(db_i64(r, row, "window_samples")));
	json_object_set_new(o, "window_weeks", db_isnull(r, row, "window_weeks") ? json_null() :
	    json_integer(db_i64(r, row, "window_weeks")));
	json_object_set_new(o, "recipients", rcpt ? rcpt : json_array());
	json_object_set_new(o, "notify_resolved", json_boolean(db_bool(r, row, "notify_resolved")));
	if (!db_isnull(r, row, "escalation_after_minutes")) {
		json_t *er = json_loads(db_str(r, row, "escalation_recipients"), 0, NULL);
		esc = json_pack("{sI so}", "after_minutes",
		    (json_int_t)db_i64(r, row, "escalation_after_minutes"),
		    "recipients", er ? er : json_array());
	}
	json_object_set_new(o, "escalation", esc);
	json_object_set_new(o, "contact_points", cps ? cps : json_array());
	json_object_set_new(o, "escalation_policy_id", db_isnull(r, row, "escalation_policy_id") ?
	    json_null() : json_integer(db_i64(r, row, "escalation_policy_id")));
	json_object_set_new(o, "kind", json_string(db_str(r, row, "kind")));
	json_object_set_new(o, "enabled", json_boolean(db_bool(r, row, "enabled")));
	json_object_set_new(o, "active_hours", json_string(db_str(r, row, "active_hours")));
	json_object_set_new(o, "recovery_threshold", db_isnull(r, row, "recovery_threshold") ?
	    json_null() : json_num(db_f64(r, row, "recovery_threshold")));
	json_object_set_new(o, "keep_firing_minutes", db_isnull(r, row, "keep_firing_minutes") ?
	    json_null() : json_integer(db_i64(r, row, "keep_firing_minutes")));
	json_object_set_new(o, "flap_changes", json_integer(db_i64(r, row, "flap_changes")));
	json_object_set_new(o, "flap_window_minutes",
	    json_integer(db_i64(r, row, "flap_window_minutes")));
	rule_status_json(o, db_str(r, row, "rule_status"));
	json_object_set_new(o, "created_at", json_string(db_str(r, row, "created_at")));
	json_object_set_new(o, "updated_at", json_string(db_str(r, row, "updated_at")));
	return o;
}

/* Byte for byte, whatever the database's collation: "Low stock" is not "low stock". */
DB_STMT(q_rule_named,
    "SELECT EXISTS (SELECT 1 FROM alert_rules WHERE name = $1 COLLATE \"C\") AS taken");

int rule_name_taken(struct db *db, const char *name)
{
	PGresult *r = DB_EXEC(db, &q_rule_named, name);
	int taken;

	if (r == NULL)
		return -1;
	taken = db_bool(r, 0, "taken");
	PQclear(r);
	return taken;
}

DB_STMT(q_rule_get, "SELECT " RULE_COLUMNS " FROM alert_rules r WHERE r.id = $1::bigint");

enum store_rc rule_get(struct db *db, int64_t id, json_t **out)
{
	return store_get_by_id(db, &q_rule_get, id, rule_json, out);
}

DB_STMT(q_rule_list,
    "SELECT " RULE_COLUMNS " FROM alert_rules r"
    " WHERE ($1::boolean IS NULL OR r.enabled = $1::boolean)"
    "   AND ($2::text IS NULL OR r.kpi_key = $2)"
    " ORDER BY r.id");

enum store_rc rule_list(struct db *db, int enabled, const char *kpi, json_t **out)
{
	return store_rows(DB_EXEC(db, &q_rule_list,
	    enabled < 0 ? NULL : enabled ? "true" : "false", kpi), rule_json, out);
}

/* The text[] literal of a list of strings. */
static void str_array(struct buf *b, const struct vlist *l)
{
	db_arr_begin(b);
	for (size_t i = 0; i < l->n; i++)
		db_arr_str(b, vlist_str(l, i));
	db_arr_end(b);
}

/* The parameters of a decoded rule, in the order of $1..$15. */
struct rule_params_sql {
	char threshold[32], cooldown[24], foreval[24], wmin[24], wsamp[24], escafter[24];
	char recovery[32], keepf[24], flapn[24], flapw[24], wweeks[24], policy[24];
	struct buf rcpt, escrcpt, cps;
	const char *v[15];
	const char *life[4];   /* recovery_threshold .. flap_window_minutes */
	/* after the caller's own parameters and life: window_weeks, contact_points, policy */
	const char *tail[3];
};

static void rule_params_sql(struct rule_params_sql *p, const struct rule_input *in)
{
	static const struct vlist none;

	buf_init(&p->rcpt);
	buf_init(&p->escrcpt);
	buf_init(&p->cps);
	str_array(&p->rcpt, &in->recipients);
	db_arr_begin(&p->cps);
	for (size_t i = 0; i < in->contact_points.n; i++)
		db_arr_i64(&p->cps, vlist_int(&in->contact_points, i));
	db_arr_end(&p->cps);
	str_array(&p->escrcpt, in->has_escalation ? &in->escalation.recipients : &none);
	p->v[0] = in->name;
	p->v[1] = in->description;
	p->v[2] = in->kpi;
	p->v[3] = in->condition;
	p->v[4] = db_f64_param(in->threshold, p->threshold);
	p->v[5] = in->severity;
	p->v[6] = db_i64_param(in->cooldown_minutes, p->cooldown);
	p->v[7] = db_i64_param(in->for_evaluations, p->foreval);
	p->v[8] = in->has_window_minutes ? db_i64_param(in->window_minutes, p->wmin) : NULL;
	p->v[9] = in->has_window_samples ? db_i64_param(in->window_samples, p->wsamp) : NULL;
	p->v[10] = p->rcpt.data;
	p->v[11] = in->notify_resolved ? "true" : "false";
	p->v[12] = in->has_escalation ?
	    db_i64_param(in->escalation.after_minutes, p->escafter) : NULL;
	p->v[13] = p->escrcpt.data;
	p->v[14] = in->enabled ? "true" : "false";
	p->life[0] = in->has_recovery_threshold ?
	    db_f64_param(in->recovery_threshold, p->recovery) : NULL;
	p->life[1] = in->has_keep_firing_minutes ?
	    db_i64_param(in->keep_firing_minutes, p->keepf) : NULL;
	p->life[2] = db_i64_param(in->flap_changes, p->flapn);
	p->life[3] = db_i64_param(in->flap_window_minutes, p->flapw);
	p->tail[0] = in->has_window_weeks ? db_i64_param(in->window_weeks, p->wweeks) : NULL;
	p->tail[1] = p->cps.data;
	p->tail[2] = in->has_escalation_policy_id ?
	    db_i64_param(in->escalation_policy_id, p->policy) : NULL;
}

static void rule_params_free(struct rule_params_sql *p)
{
	buf_free(&p->rcpt);
	buf_free(&p->escrcpt);
	buf_free(&p->cps);
}

DB_STMT(q_rule_insert,
    "WITH r AS ("
    "  INSERT INTO alert_rules (name, description, kpi_key, condition, threshold, severity,"
    "         cooldown_minutes, for_evaluations, window_minutes, window_samples, recipients,"
    "         notify_resolved, escalation_after_minutes, escalation_recipients, enabled,"
    "         created_by, updated_by, active_hours, recovery_threshold, keep_firing_minutes,"
    "         flap_changes, flap_window_minutes, window_weeks, contact_points,"
    "         escalation_policy_id)"
    "  VALUES ($1, $2, $3, $4, $5::float8, $6, $7::int, $8::int, $9::int, $10::int,"
    "          $11::text[], $12::boolean, $13::int, $14::text[], $15::boolean,"
    "          NULLIF($16::bigint, 0), NULLIF($16::bigint, 0), $17, $18::float8, $19::int,"
    "          $20::int, $21::int, $22::int, $23::bigint[], $24::bigint)"
    "  RETURNING *),"
    " s AS (INSERT INTO rule_state (rule_id) SELECT id FROM r)"
    " SELECT " RULE_COLUMNS " FROM r");

static int announce(struct db *db, const struct principal *who, const char *action,
    int64_t id, const json_t *before, const json_t *after)
{
	char audit_action[32];
	json_t *ev;
	int rc;

	snprintf(audit_action, sizeof(audit_action), "rule.%s", action);
	if (audit_record_id(db, who, audit_action, "rule", id, before, after) < 0)
		return -1;
	ev = json_pack("{ss sI sO}", "action", action, "id", (json_int_t)id,
	    "rule", after ? after : before);
	rc = event_emit(db, "rule.changed", ev);
	json_decref(ev);
	return rc;
}

/* A rule's kind is what it was made as (new rules: kpi; system rules: migration 0026). */
static enum store_rc rule_kind_is(const struct rule_input *in, const char *kind,
    struct verror *err)
{
	if (in->kind == NULL || strcmp(in->kind, kind) == 0)
		return ST_OK;
	verror_set(err, 422, "not_changeable", "kind",
	    "kind is read-only: this rule is of kind %s", kind);
	return ST_INVALID;
}

DB_STMT(q_kpi_live, "SELECT 1 FROM kpis WHERE key = $1 AND deleted_at IS NULL");

/* The rule's KPI exists and is not deleted: ST_OK, ST_INVALID (err), ST_ERROR. */
static enum store_rc rule_kpi_live(struct db *db, const struct rule_input *in,
    struct verror *err)
{
	PGresult *r = DB_EXEC(db, &q_kpi_live, in->kpi);
	enum store_rc rc = ST_OK;

	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) != 1) {
		verror_set(err, 422, "unknown_kpi", "kpi", "there is no KPI %.64s", in->kpi);
		rc = ST_INVALID;
	}
	PQclear(r);
	return rc;
}

DB_STMT(q_policy_held,
    "SELECT e.owner_rule_id FROM escalation_policies e WHERE e.id = $1::bigint FOR KEY SHARE");

/*
 * In the write transaction of rule id (0: a new one): its contact points
 * and its escalation policy exist, held until commit so that none is
 * deleted meanwhile (cp_delete and esc_policy_delete then see the rule).
 * A policy another rule owns (its escalation shorthand) is not this
 * rule's to take, and with the shorthand the rule's policy is its own.
 */
static enum store_rc rule_links_check(struct db *db, int64_t id, const struct rule_input *in,
    const struct rule_params_sql *p, struct verror *err)
{
	int64_t missing, owner = 0;
	int found;
	PGresult *r;

	if (cp_missing(db, p->cps.data, &missing) != ST_OK)
		return ST_ERROR;
	if (missing) {
		verror_set(err, 422, "unknown_contact_point", "contact_points",
		    "there is no contact point %lld", (long long)missing);
		return ST_INVALID;
	}
	if (!in->has_escalation_policy_id)
		return ST_OK;
	if ((r = DB_EXEC(db, &q_policy_held, p->tail[2])) == NULL)
		return ST_ERROR;
	found = PQntuples(r) == 1;
	if (found && !db_isnull(r, 0, "owner_rule_id"))
		owner = db_i64(r, 0, "owner_rule_id");
	PQclear(r);
	if (!found || (owner != 0 && owner != id)) {
		verror_set(err, 422, "unknown_escalation_policy", "escalation_policy_id",
		    "there is no escalation policy %lld", (long long)in->escalation_policy_id);
		return ST_INVALID;
	}
	if (in->has_escalation && (owner == 0 || owner != id)) {
		verror_set(err, 422, "not_applicable", "escalation_policy_id",
		    "give escalation (the rule's own policy) or escalation_policy_id, not both%s", "");
		return ST_INVALID;
	}
	return ST_OK;
}

/*
 * The rule as it is now in the transaction: the escalation shorthand's
 * trigger (migration 0022) sets escalation_policy_id after the write's
 * RETURNING was made. ST_OK or ST_ERROR.
 */
static enum store_rc rule_reread(struct db *db, int64_t id, json_t **out)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_rule_get, db_i64_param(id, idb));
	enum store_rc rc = r != NULL && PQntuples(r) == 1 ? ST_OK : ST_ERROR;

	if (rc == ST_OK)
		*out = rule_json(r, 0);
	PQclear(r);
	return rc;
}

enum store_rc rule_create(struct db *db, const struct principal *who,
    const struct rule_input *in, json_t **out, struct verror *err)
{
	struct rule_params_sql p;
	char uid[24];
	const char *params[24];
	PGresult *r = NULL;
	enum store_rc rc;

	*out = NULL;
	if ((rc = rule_kind_is(in, "kpi", err)) != ST_OK ||
	    (rc = rule_kpi_live(db, in, err)) != ST_OK)
		return rc;
	rule_params_sql(&p, in);
	memcpy(params, p.v, sizeof(p.v));
	params[15] = db_i64_param(who ? who->user_id : 0, uid);
	params[16] = in->active_hours;
	memcpy(params + 17, p.life, sizeof(p.life));
	memcpy(params + 21, p.tail, sizeof(p.tail));
	rc = ST_ERROR;
	if (db_begin(db) < 0 || (rc = rule_links_check(db, 0, in, &p, err)) != ST_OK)
		goto out;
	rc = ST_ERROR;
	r = db_exec(db, &q_rule_insert, 24, params);
	if (r == NULL || PQntuples(r) != 1 || rule_reread(db, db_i64(r, 0, "id"), out) != ST_OK)
		goto out;
	if (announce(db, who, "create", db_i64(r, 0, "id"), NULL, *out) < 0 || db_commit(db) < 0) {
		json_decref(*out);
		*out = NULL;
		goto out;
	}
	rc = ST_OK;
out:
	db_rollback(db);
	PQclear(r);
	rule_params_free(&p);
	return rc;
}

/* Locks the rule's evaluation state first (the evaluator's lock order). */
DB_STMT(q_rule_lock,
    "SELECT " RULE_COLUMNS " FROM rule_state s JOIN alert_rules r ON r.id = s.rule_id"
    " WHERE s.rule_id = $1::bigint FOR UPDATE OF s");

DB_STMT(q_rule_update,
    "UPDATE alert_rules r SET name = $1, description = $2, kpi_key = $3, condition = $4,"
    "       threshold = $5::float8, severity = $6, cooldown_minutes = $7::int,"
    "       for_evaluations = $8::int, window_minutes = $9::int, window_samples = $10::int,"
    "       recipients = $11::text[], notify_resolved = $12::boolean,"
    "       escalation_after_minutes = $13::int, escalation_recipients = $14::text[],"
    "       enabled = $15::boolean, updated_by = NULLIF($16::bigint, 0), updated_at = now(),"
    "       active_hours = $18, recovery_threshold = $19::float8,"
    "       keep_firing_minutes = $20::int, flap_changes = $21::int,"
    "       flap_window_minutes = $22::int, window_weeks = $23::int,"
    "       contact_points = $24::bigint[], escalation_policy_id = $25::bigint"
    " WHERE r.id = $17::bigint RETURNING " RULE_COLUMNS);

/* A changed condition starts its pending count afresh. */
DB_STMT(q_state_reset,
    "UPDATE rule_state SET consecutive = 0, counted_at = NULL WHERE rule_id = $1::bigint");

/*
 * Begins the transaction of a change to rule idb: its state row locked,
 * *cur the rule as it is, *before its JSON. ST_OK, ST_NOT_FOUND, ST_ERROR
 * (the caller rolls back on every path).
 */
static enum store_rc rule_begin_locked(struct db *db, const char *idb, PGresult **cur,
    json_t **before)
{
	if (db_begin(db) < 0)
		return ST_ERROR;
	if ((*cur = DB_EXEC(db, &q_rule_lock, idb)) == NULL)
		return ST_ERROR;
	if (PQntuples(*cur) != 1)
		return ST_NOT_FOUND;
	*before = rule_json(*cur, 0);
	return ST_OK;
}

static int condition_changed(const json_t *a, const json_t *b)
{
	static const char *const keys[] = {"kpi", "condition", "threshold", "window_minutes",
	    "window_samples", "window_weeks", "enabled"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])))
			return 1;
	return 0;
}

DB_STMT(q_rule_facts,
    "SELECT r.id, r.notify_resolved, to_json(r.recipients)::text AS recipients,"
    "       " MAIL_FACT_COLUMNS ", " MAIL_WHEN_SQL("now()", "$2") " AS now_local,"
    "       " SILENCED_SQL("now()", "$2") " AS silenced"
    "  FROM alert_rules r JOIN kpis k ON k.key = r.kpi_key WHERE r.id = $1::bigint");
DB_STMT(q_rule_resolve_open,
    "UPDATE alerts a SET state = 'resolved', resolved_at = now(), resolve_reason = $2"
    " WHERE a.rule_id = $1::bigint AND a.state IN ('firing', 'acknowledged')"
    " RETURNING " ALERT_COLUMNS);

/*
 * Resolves rule id's open alerts with reason in the caller's transaction
 * (the rule's lock held): an alert.resolved event each into ev, the
 * resolved mail unless the rule is silenced or does not notify resolves,
 * the alerts appended to resolved. 0 or -1.
 */
static int rule_resolve_open(struct db *db, const struct config *cfg, int64_t id,
    const char *reason, struct events *ev, json_t *resolved)
{
	char idb[24];
	PGresult *facts = NULL, *res = NULL;
	json_t *rcpt = NULL;
	struct outbox o;
	int rc = -1;

	outbox_init(&o);
	db_i64_param(id, idb);
	if ((facts = DB_EXEC(db, &q_rule_facts, idb, cfg->timezone)) == NULL ||
	    PQntuples(facts) != 1)
		goto out;
	if ((res = DB_EXEC(db, &q_rule_resolve_open, idb, reason)) == NULL)
		goto out;
	rcpt = json_loads(db_str(facts, 0, "recipients"), 0, NULL);
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *a = alert_json(res, i);
		json_array_append_new(resolved, a);
		events_add(ev, "alert.resolved", a);
		if (db_bool(facts, 0, "notify_resolved") && !db_bool(facts, 0, "silenced") && rcpt) {
			struct mail_alert m;

			mail_alert_of(&m, MAIL_RESOLVED, a, facts, 0, db_str(facts, 0, "now_local"),
			    json_number_value(json_object_get(a, "value")));
			if (mail_queue_alert(db, cfg, &o, &m, rcpt, id, NULL) < 0)
				goto out;
		}
	}
	rc = outbox_flush(db, cfg, &o) < 0 ? -1 : 0;
out:
	PQclear(facts);
	PQclear(res);
	json_decref(rcpt);
	outbox_free(&o);
	return rc;
}

/* Re-enabled, a rule forgets its last firing: no cooldown left from before. */
DB_STMT(q_state_fresh,
    "UPDATE rule_state SET consecutive = 0, counted_at = NULL, last_fired_at = NULL,"
    "       clear_since = NULL,"
    "       flapping = false, changes = '{}' WHERE rule_id = $1::bigint");

/*
 * What switching rule id on or off (before -> after) does beyond the
 * column: disabled, its open alert ends with the change (a disabled rule
 * watches nothing, so nothing may stay firing or escalate); enabled, it
 * starts from normal. 0 or -1.
 */
static int rule_switched(struct db *db, const struct config *cfg, int64_t id,
    const json_t *before, const json_t *after, struct events *ev, json_t *resolved)
{
	int was = json_is_true(json_object_get(before, "enabled"));
	int is = json_is_true(json_object_get(after, "enabled"));
	char idb[24];

	if (was && !is)
		return rule_resolve_open(db, cfg, id, "rule disabled", ev, resolved);
	if (!was && is)
		return DB_RUN(db, &q_state_fresh, db_i64_param(id, idb)) < 0 ? -1 : 0;
	return 0;
}

/* A full replace's body: its links are checked under the rule's lock. */
struct rule_links {
	const struct rule_input *in;
	const struct rule_params_sql *p;
	struct verror *err;
};

/*
 * The transaction of a change to rule id: its lock, the links' check
 * (links NULL: none changes), then st (an UPDATE of alert_rules r ...
 * RETURNING RULE_COLUMNS; params in st's own order), a fresh pending
 * count if the condition changed, the audit and the event.
 */
static enum store_rc rule_update_locked(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, const struct db_stmt *st, int n,
    const char *const *params, const struct rule_links *links, json_t **out)
{
	char idb[24];
	PGresult *cur = NULL, *r = NULL;
	json_t *before = NULL, *resolved = json_array();
	struct events ev;
	enum store_rc rc;

	*out = NULL;
	events_init(&ev);
	db_i64_param(id, idb);
	/* every change of a rule takes the state row's lock first: an edit in
	 * progress finishes before this one reads or writes anything */
	if ((rc = rule_begin_locked(db, idb, &cur, &before)) != ST_OK)
		goto out;
	if (links && (rc = rule_links_check(db, id, links->in, links->p, links->err)) != ST_OK)
		goto out;
	rc = ST_ERROR;
	if ((r = db_exec(db, st, n, params)) == NULL || PQntuples(r) != 1 ||
	    rule_reread(db, id, out) != ST_OK)
		goto out;
	if (condition_changed(before, *out) && DB_RUN(db, &q_state_reset, idb) < 0)
		goto out;
	if (rule_switched(db, cfg, id, before, *out, &ev, resolved) < 0)
		goto out;
	if (events_flush(db, &ev) < 0 || announce(db, who, "update", id, before, *out) < 0 ||
	    db_commit(db) < 0)
		goto out;
	rc = ST_OK;
out:
	if (rc != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	db_rollback(db);
	PQclear(cur);
	PQclear(r);
	json_decref(before);
	json_decref(resolved);
	events_free(&ev);
	return rc;
}

DB_STMT(q_rule_system,
    "SELECT name, kpi_key, condition, threshold, window_minutes IS NULL"
    "       AND window_samples IS NULL AND window_weeks IS NULL AS no_window"
    "  FROM alert_rules WHERE id = $1::bigint AND kind = 'system'");

/*
 * A system rule's name, KPI and condition are its own (kind never
 * changes, so reading it outside the write's lock is safe): a replace
 * must give them as they are. ST_OK (a system rule, unchanged),
 * ST_NOT_FOUND (not a system rule), ST_INVALID at the field, ST_ERROR.
 */
static enum store_rc rule_system_fixed(struct db *db, int64_t id, const struct rule_input *in,
    struct verror *err)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_rule_system, db_i64_param(id, idb));
	const char *field = NULL;

	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return ST_NOT_FOUND;
	}
	if (rule_kind_is(in, "system", err) != ST_OK) {
		PQclear(r);
		return ST_INVALID;
	}
	if (strcmp(in->name, db_str(r, 0, "name")) != 0)
		field = "name";
	else if (strcmp(in->kpi, db_str(r, 0, "kpi_key")) != 0)
		field = "kpi";
	else if (strcmp(in->condition, db_str(r, 0, "condition")) != 0)
		field = "condition";
	else if (in->threshold != db_f64(r, 0, "threshold"))
		field = "threshold";
	else if (!db_bool(r, 0, "no_window") || in->has_window_minutes ||
	    in->has_window_samples || in->has_window_weeks)
		field = "window_minutes";
	PQclear(r);
	if (field == NULL)
		return ST_OK;
	verror_set(err, 422, "system_rule", field,
	    "%s of a system rule cannot be changed (its check is built in)", field);
	return ST_INVALID;
}

static enum store_rc rule_write(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, const struct rule_input *in, json_t **out,
    struct verror *err)
{
	struct rule_params_sql p;
	struct rule_links links = {in, &p, err};
	char uid[24], idb[24];
	const char *params[25];
	enum store_rc rc;

	rule_params_sql(&p, in);
	memcpy(params, p.v, sizeof(p.v));
	params[15] = db_i64_param(who ? who->user_id : 0, uid);
	params[16] = db_i64_param(id, idb);
	params[17] = in->active_hours;
	memcpy(params + 18, p.life, sizeof(p.life));
	memcpy(params + 22, p.tail, sizeof(p.tail));
	rc = rule_update_locked(db, cfg, who, id, &q_rule_update, 25, params, &links, out);
	rule_params_free(&p);
	return rc;
}

enum store_rc rule_replace(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, const struct rule_input *in, json_t **out,
    struct verror *err)
{
	enum store_rc rc;

	*out = NULL;
	/* a system rule's KPI is the reserved one, which is not live */
	if ((rc = rule_system_fixed(db, id, in, err)) == ST_NOT_FOUND &&
	    (rc = rule_kind_is(in, "kpi", err)) == ST_OK)
		rc = rule_kpi_live(db, in, err);
	if (rc != ST_OK)
		return rc;
	return rule_write(db, cfg, who, id, in, out, err);
}

DB_STMT(q_rule_set_enabled,
    "UPDATE alert_rules r SET enabled = $2::boolean, updated_by = NULLIF($3::bigint, 0),"
    "       updated_at = now()"
    " WHERE r.id = $1::bigint RETURNING " RULE_COLUMNS);

enum store_rc rule_set_enabled(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, int enabled, json_t **out)
{
	char idb[24], uid[24];
	const char *params[3] = {db_i64_param(id, idb), enabled ? "true" : "false",
	    db_i64_param(who ? who->user_id : 0, uid)};

	return rule_update_locked(db, cfg, who, id, &q_rule_set_enabled, 3, params, NULL, out);
}

DB_STMT(q_rule_delete, "DELETE FROM alert_rules WHERE id = $1::bigint");

/* A system rule stays: it is disabled, not deleted. */
static enum store_rc rule_deletable(const json_t *rule, struct verror *err)
{
	if (strcmp(json_string_value(json_object_get(rule, "kind")), "system") != 0)
		return ST_OK;
	verror_set(err, 409, "system_rule", NULL,
	    "%.200s is a system rule: it cannot be deleted (disable it instead)",
	    json_string_value(json_object_get(rule, "name")));
	return ST_CONFLICT;
}

enum store_rc rule_delete(struct db *db, const struct config *cfg,
    const struct principal *who, int64_t id, json_t **out, struct verror *err)
{
	char idb[24];
	PGresult *cur = NULL;
	json_t *before = NULL, *resolved = json_array();
	struct events ev;
	enum store_rc rc = ST_ERROR;

	*out = NULL;
	events_init(&ev);
	db_i64_param(id, idb);
	if ((rc = rule_begin_locked(db, idb, &cur, &before)) != ST_OK ||
	    (rc = rule_deletable(before, err)) != ST_OK)
		goto out;
	rc = ST_ERROR;
	if (rule_resolve_open(db, cfg, id, "rule deleted", &ev, resolved) < 0 ||
	    DB_RUN(db, &q_rule_delete, idb) < 0)
		goto out;
	if (audit_record_id(db, who, "rule.delete", "rule", id, before, NULL) < 0)
		goto out;
	{
		json_t *e = json_pack("{ss sI sO}", "action", "delete", "id", (json_int_t)id,
		    "rule", before);
		events_add(&ev, "rule.changed", e);
		json_decref(e);
	}
	if (events_flush(db, &ev) < 0 || db_commit(db) < 0)
		goto out;
	*out = json_pack("{sI sb sO}", "id", (json_int_t)id, "deleted", 1, "resolved", resolved);
	rc = ST_OK;
out:
	db_rollback(db);
	PQclear(cur);
	json_decref(before);
	json_decref(resolved);
	events_free(&ev);
	return rc;
}
