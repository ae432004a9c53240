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

enum rule_action rule_step(enum cond_result res, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int *consecutive)
{
	*consecutive = st->consecutive;
	switch (res) {
	case COND_NO_DATA:
		return ACT_NO_DATA;
	case COND_FALSE:
		*consecutive = 0;
		return st->has_open ? ACT_RESOLVE : ACT_NONE;
	case COND_TRUE:
		break;
	}
	/* while an alert is open the count does not matter: leave it */
	if (st->has_open)
		return ACT_FIRING;
	/* counting past for_evaluations changes nothing: stop there */
	*consecutive = st->consecutive < p->for_evaluations ? st->consecutive + 1 :
	    p->for_evaluations;
	if (*consecutive < p->for_evaluations)
		return ACT_PENDING;
	if (st->last_fired_us > 0 &&
	    now_us < st->last_fired_us + (int64_t)p->cooldown_minutes * 60 * 1000000)
		return ACT_COOLDOWN;
	return ACT_FIRE;
}
