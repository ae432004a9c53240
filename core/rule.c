/*
 * rule.c - see rule.h.
 */
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const cond_names[COND__MAX] = {
	[COND_GT] = "gt", [COND_GTE] = "gte", [COND_LT] = "lt", [COND_LTE] = "lte",
	[COND_EQ] = "eq", [COND_NEQ] = "neq",
	[COND_PCT_CHANGE_GT] = "pct_change_gt", [COND_PCT_CHANGE_LT] = "pct_change_lt",
	[COND_ZSCORE_GT] = "zscore_gt", [COND_PCT_CHANGE_ABS_GT] = "pct_change_abs_gt",
	[COND_SEASONAL_PCT_LT] = "seasonal_pct_lt", [COND_SEASONAL_PCT_GT] = "seasonal_pct_gt",
	[COND_SEASONAL_ZSCORE_GT] = "seasonal_zscore_gt", [COND_STALE] = "no_data",
};

static const char *const sev_names[SEV__MAX] = {
	[SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_CRITICAL] = "critical",
};

const char *cond_name(enum cond c)
{
	return c < COND__MAX ? cond_names[c] : "?";
}

enum cond cond_parse(const char *s)
{
	for (int i = 0; s && i < COND__MAX; i++)
		if (strcmp(s, cond_names[i]) == 0)
			return (enum cond)i;
	return COND__MAX;
}

enum severity severity_parse(const char *s)
{
	for (int i = 0; s && i < SEV__MAX; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return (enum severity)i;
	return SEV__MAX;
}

int cond_needs_window_minutes(enum cond c)
{
	return c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT ||
	    c == COND_PCT_CHANGE_ABS_GT || c == COND_STALE;
}

int cond_needs_window_samples(enum cond c)
{
	return c == COND_ZSCORE_GT;
}

int cond_needs_window_weeks(enum cond c)
{
	return c == COND_SEASONAL_PCT_LT || c == COND_SEASONAL_PCT_GT ||
	    c == COND_SEASONAL_ZSCORE_GT;
}

int cond_is_pct(enum cond c)
{
	return c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT ||
	    c == COND_PCT_CHANGE_ABS_GT || c == COND_SEASONAL_PCT_LT ||
	    c == COND_SEASONAL_PCT_GT;
}

int cond_is_zscore(enum cond c)
{
	return c == COND_ZSCORE_GT || c == COND_SEASONAL_ZSCORE_GT;
}

/* Equality of KPI values: exact up to rounding noise of sums in SQL. */
static int nearly_equal(double a, double b)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
	return fabs(a - b) <= 1e-9 * scale;
}

/* Compares x with threshold: above for the _gt conditions, below for the _lt ones. */
static enum cond_result compared(enum cond c, double x, double threshold, double *observed)
{
	int below = c == COND_PCT_CHANGE_LT || c == COND_SEASONAL_PCT_LT;

	*observed = x;
	if (c == COND_PCT_CHANGE_ABS_GT)
		x = fabs(x);
	return (below ? x < threshold : x > threshold) ? COND_TRUE : COND_FALSE;
}

/* The percent of latest against ref; no data from 0 (no percent, not infinity). */
static enum cond_result pct_of(enum cond c, double latest, double ref, double threshold,
    double *observed)
{
	if (!isfinite(ref) || ref == 0.0)
		return COND_NO_DATA;
	return compared(c, (latest - ref) / fabs(ref) * 100.0, threshold, observed);
}

/* |latest - mean| / sd; sd 0 is false (every point equal: nothing is unusual). */
static enum cond_result zscore_of(double latest, double mean, double sd, double threshold,
    double *observed)
{
	if (!isfinite(mean) || !isfinite(sd))
		return COND_NO_DATA;
	if (sd <= 0.0) {
		*observed = 0.0;
		return COND_FALSE;
	}
	return compared(COND_ZSCORE_GT, fabs((latest - mean) / sd), threshold, observed);
}

/* no_data: judged by the newest sample's age alone, never without data. */
static enum cond_result stale(const struct cond_input *in, double *observed)
{
	if (in->window_minutes < 1)
		return COND_NO_DATA;
	if (!in->has_newest || !isfinite(in->age_minutes)) {
		*observed = -1.0;
		return COND_TRUE;
	}
	*observed = in->age_minutes;
	return in->age_minutes > (double)in->window_minutes ? COND_TRUE : COND_FALSE;
}

enum cond_result cond_eval(enum cond c, double threshold, const struct cond_input *in,
    double *observed)
{
	double x;

	if (c == COND_STALE)
		return stale(in, observed);
	if (!in->has_latest || !isfinite(in->latest) || !isfinite(threshold))
		return COND_NO_DATA;
	switch (c) {
	case COND_GT:
	case COND_GTE:
	case COND_LT:
	case COND_LTE:
	case COND_EQ:
	case COND_NEQ:
		x = in->latest;
		*observed = x;
		switch (c) {
		case COND_GT: return x > threshold ? COND_TRUE : COND_FALSE;
		case COND_GTE: return x >= threshold ? COND_TRUE : COND_FALSE;
		case COND_LT: return x < threshold ? COND_TRUE : COND_FALSE;
		case COND_LTE: return x <= threshold ? COND_TRUE : COND_FALSE;
		case COND_EQ: return nearly_equal(x, threshold) ? COND_TRUE : COND_FALSE;
		default: return nearly_equal(x, threshold) ? COND_FALSE : COND_TRUE;
		}
	case COND_PCT_CHANGE_GT:
	case COND_PCT_CHANGE_LT:
	case COND_PCT_CHANGE_ABS_GT:
		if (!in->has_ref)
			return COND_NO_DATA;
		return pct_of(c, in->latest, in->ref, threshold, observed);
	case COND_ZSCORE_GT:
		if (in->window < 2 || in->n < in->window)
			return COND_NO_DATA;
		return zscore_of(in->latest, in->mean, in->stddev, threshold, observed);
	case COND_SEASONAL_PCT_LT:
	case COND_SEASONAL_PCT_GT:
		if (in->base_n < 2)
			return COND_NO_DATA;
		return pct_of(c, in->latest, in->base_mean, threshold, observed);
	case COND_SEASONAL_ZSCORE_GT:
		if (in->base_n < 2)
			return COND_NO_DATA;
		return zscore_of(in->latest, in->base_mean, in->base_stddev, threshold, observed);
	case COND_STALE:
	case COND__MAX:
		break;
	}
	return COND_NO_DATA;
}

#define US_PER_MIN INT64_C(60000000)

int cond_direction(enum cond c)
{
	switch (c) {
	case COND_GT:
	case COND_GTE:
	case COND_PCT_CHANGE_GT:
	case COND_ZSCORE_GT:
	case COND_PCT_CHANGE_ABS_GT:
	case COND_SEASONAL_PCT_GT:
	case COND_SEASONAL_ZSCORE_GT:
		return 1;
	case COND_LT:
	case COND_LTE:
	case COND_PCT_CHANGE_LT:
	case COND_SEASONAL_PCT_LT:
		return -1;
	default:
		return 0;
	}
}

int rule_recovered(enum cond c, double observed, double recovery)
{
	int d = cond_direction(c);

	/* a change either way is resolved by its size (the alert keeps the sign) */
	if (c == COND_PCT_CHANGE_ABS_GT)
		observed = fabs(observed);
	return d > 0 ? observed < recovery : d < 0 ? observed > recovery : 1;
}

int rule_recovery_valid(enum cond c, double threshold, double recovery)
{
	int d = cond_direction(c);

	if (d == 0 || !isfinite(recovery) || (d > 0 ? recovery >= threshold : recovery <= threshold))
		return 0;
	/* a z-score or a change's size is a distance: a recovery at or below 0 is never reached */
	if (cond_is_zscore(c) || c == COND_PCT_CHANGE_ABS_GT)
		return recovery > 0;
	if (c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT || c == COND_SEASONAL_PCT_GT ||
	    c == COND_SEASONAL_PCT_LT)
		return fabs(recovery) < fabs(threshold);
	return 1;
}

int rule_state_differs(const struct rule_state *a, const struct rule_state *b)
{
	return a->consecutive != b->consecutive || a->counted_us != b->counted_us ||
	    a->has_open != b->has_open ||
	    a->last_fired_us != b->last_fired_us || a->clear_since_us != b->clear_since_us ||
	    a->flapping != b->flapping || a->n_changes != b->n_changes ||
	    memcmp(a->changes_us, b->changes_us, (size_t)a->n_changes * sizeof(a->changes_us[0]));
}

/*
 * A change (fire, resolve, back) at now: kept with those still within the
 * flap window (only the last flap_changes matter); enough of them make
 * the rule flapping, and a flapping rule's changes send no mail.
 */
static void count_change(const struct rule_params *p, int64_t now, struct rule_step_out *o)
{
	struct rule_state *n = &o->next;
	int64_t window = (int64_t)p->flap_window_minutes * US_PER_MIN;
	int keep = p->flap_changes < RULE_FLAP_MAX ? p->flap_changes : RULE_FLAP_MAX, k = 0;

	if (p->flap_window_minutes <= 0 || keep < 1)
		return;
	for (int i = 0; i < n->n_changes; i++)
		if (n->changes_us[i] > now - window)
			n->changes_us[k++] = n->changes_us[i];
	if (k >= keep) {
		memmove(n->changes_us, n->changes_us + (k - keep + 1),
		    (size_t)(keep - 1) * sizeof(n->changes_us[0]));
		k = keep - 1;
	}
	n->changes_us[k++] = now;
	n->n_changes = k;
	if (!n->flapping && k >= p->flap_changes) {
		n->flapping = 1;
		o->note = NOTE_FLAPPING;
	}
	o->hold = n->flapping;
}

/* Flapping and no change for the whole window: settled. */
static void maybe_settle(const struct rule_params *p, int64_t now, struct rule_step_out *o)
{
	struct rule_state *n = &o->next;
	int64_t last = n->n_changes > 0 ? n->changes_us[n->n_changes - 1] : 0;

	if (!n->flapping || now - last < (int64_t)p->flap_window_minutes * US_PER_MIN)
		return;
	n->flapping = 0;
	n->n_changes = 0;
	o->note = NOTE_SETTLED;
}

/* The condition is false and an alert is open: resolve once clear long enough. */
static enum rule_action step_clear(int recovered, const struct rule_params *p, int64_t now,
    struct rule_state *n)
{
	if (p->has_recovery && !recovered) {
		n->clear_since_us = 0;
		return ACT_FIRING;
	}
	if (n->clear_since_us == 0)
		n->clear_since_us = now;
	return now - n->clear_since_us >= (int64_t)p->keep_firing_minutes * US_PER_MIN ?
	    ACT_RESOLVE : ACT_FIRING;
}

/* The condition holds. */
static enum rule_action step_holds(const struct rule_state *st, const struct rule_params *p,
    int64_t now, int64_t moment, struct rule_step_out *o)
{
	struct rule_state *n = &o->next;

	/* holding again restarts the keep-firing clock */
	n->clear_since_us = 0;
	/* while an alert is open the count does not matter: leave it */
	if (st->has_open)
		return ACT_FIRING;
	/* counting past for_evaluations changes nothing: stop there; the
	 * moment counted already (the same value again) is not counted twice */
	if (moment == 0 || moment != st->counted_us || st->consecutive == 0) {
		n->consecutive = st->consecutive < p->for_evaluations ? st->consecutive + 1 :
		    p->for_evaluations;
		n->counted_us = moment;
	}
	if (n->consecutive < p->for_evaluations)
		return ACT_PENDING;
	if (st->last_fired_us > 0 &&
	    now < st->last_fired_us + (int64_t)p->cooldown_minutes * US_PER_MIN) {
		/* no second alert within the cooldown, but the news is not dropped */
		if (st->consecutive < p->for_evaluations)
			o->note = NOTE_BACK;
		return ACT_COOLDOWN;
	}
	return ACT_FIRE;
}

void rule_advance(enum cond_result res, int recovered, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int64_t moment_us, struct rule_step_out *out)
{
	struct rule_state *n = &out->next;

	memset(out, 0, sizeof(*out));
	*n = *st;
	switch (res) {
	case COND_NO_DATA:
		out->act = ACT_NO_DATA;
		break;
	case COND_FALSE:
		n->consecutive = 0;
		n->counted_us = 0;
		out->act = st->has_open ? step_clear(recovered, p, now_us, n) : ACT_NONE;
		break;
	case COND_TRUE:
		out->act = step_holds(st, p, now_us, moment_us, out);
		break;
	}
	if (out->act == ACT_FIRE) {
		n->has_open = 1;
		n->last_fired_us = now_us;
	} else if (out->act == ACT_RESOLVE) {
		n->has_open = 0;
		n->clear_since_us = 0;
	}
	if (out->act == ACT_FIRE || out->act == ACT_RESOLVE || out->note == NOTE_BACK)
		count_change(p, now_us, out);
	else
		maybe_settle(p, now_us, out);
}

enum rule_action rule_step(enum cond_result res, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int *consecutive)
{
	struct rule_step_out o;

	rule_advance(res, 1, st, p, now_us, now_us, &o);
	*consecutive = o.next.consecutive;
	return o.act;
}
