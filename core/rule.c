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

static const char *const cond_word[COND__MAX] = {
	[COND_GT] = "above", [COND_GTE] = "at or above", [COND_LT] = "below",
	[COND_LTE] = "at or below", [COND_EQ] = "equal to", [COND_NEQ] = "not equal to",
	[COND_PCT_CHANGE_GT] = "changed by more than",
	[COND_PCT_CHANGE_LT] = "changed by less than",
	[COND_ZSCORE_GT] = "unusually far from its recent mean: z-score above",
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

const char *severity_name(enum severity s)
{
	return s < SEV__MAX ? sev_names[s] : "?";
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

const char *cond_words(enum cond c)
{
	return c < COND__MAX ? cond_word[c] : "?";
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

void fmt_value(double v, const char *unit, char *out, size_t outlen)
{
	char num[48], grouped[64];
	const char *p;
	size_t n, o = 0, intlen;
	int decimals;

	if (!isfinite(v)) {
		snprintf(out, outlen, "n/a");
		return;
	}
	/* whole numbers stay whole; money and ratios get two decimals */
	decimals = (v == floor(v) && fabs(v) < 1e15) ? 0 : 2;
	snprintf(num, sizeof(num), "%.*f", decimals, v);
	p = num;
	if (*p == '-')
		grouped[o++] = *p++;
	intlen = strcspn(p, ".");
	for (n = 0; n < intlen; n++) {
		if (n > 0 && (intlen - n) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = p[n];
	}
	snprintf(grouped + o, sizeof(grouped) - o, "%s", p + intlen);
	if (unit == NULL || *unit == '\0')
		snprintf(out, outlen, "%s", grouped);
	else if (strcmp(unit, "%") == 0)
		snprintf(out, outlen, "%s%%", grouped);
	else
		snprintf(out, outlen, "%s %s", grouped, unit);
}

void rule_message(enum cond c, const char *kpi_name, const char *unit,
    double latest, double observed, double threshold, int window_minutes,
    int window_samples, char *out, size_t outlen)
{
	char v[64], t[64];

	fmt_value(latest, unit, v, sizeof(v));
	switch (c) {
	case COND_PCT_CHANGE_GT:
	case COND_PCT_CHANGE_LT:
		snprintf(out, outlen, "%s is %s, a change of %+.1f%% over %d minutes "
		    "(threshold: %s %g%%).", kpi_name, v, observed, window_minutes,
		    c == COND_PCT_CHANGE_GT ? "more than" : "less than", threshold);
		return;
	case COND_ZSCORE_GT:
		snprintf(out, outlen, "%s is %s, %.1f standard deviations from the mean "
		    "of the last %d samples (threshold: %g).", kpi_name, v, observed,
		    window_samples, threshold);
		return;
	default:
		fmt_value(threshold, unit, t, sizeof(t));
		snprintf(out, outlen, "%s is %s, %s the threshold of %s.", kpi_name, v,
		    cond_words(c), t);
		return;
	}
}
