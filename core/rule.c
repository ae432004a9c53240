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
	[COND_ZSCORE_GT] = "zscore_gt",
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
	return c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT;
}

int cond_needs_window_samples(enum cond c)
{
	return c == COND_ZSCORE_GT;
}

/* Equality of KPI values: exact up to rounding noise of sums in SQL. */
static int nearly_equal(double a, double b)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
	return fabs(a - b) <= 1e-9 * scale;
}

enum cond_result cond_eval(enum cond c, double threshold, const struct cond_input *in,
    double *observed)
{
	double x;

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
		/* a change from 0 has no percent: no data, not infinity */
		if (!in->has_ref || !isfinite(in->ref) || in->ref == 0.0)
			return COND_NO_DATA;
		x = (in->latest - in->ref) / fabs(in->ref) * 100.0;
		*observed = x;
		if (c == COND_PCT_CHANGE_GT)
			return x > threshold ? COND_TRUE : COND_FALSE;
		return x < threshold ? COND_TRUE : COND_FALSE;
	case COND_ZSCORE_GT:
		if (in->window < 2 || in->n < in->window || !isfinite(in->mean) ||
		    !isfinite(in->stddev))
			return COND_NO_DATA;
		if (in->stddev <= 0.0) {
			*observed = 0.0;
			return COND_FALSE;
		}
		x = fabs((in->latest - in->mean) / in->stddev);
		*observed = x;
		return x > threshold ? COND_TRUE : COND_FALSE;
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
