/*
 * fmt.c - see fmt.h.
 */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static const char *const cond_word[COND__MAX] = {
	[COND_GT] = "above", [COND_GTE] = "at or above", [COND_LT] = "below",
	[COND_LTE] = "at or below", [COND_EQ] = "equal to", [COND_NEQ] = "not equal to",
	[COND_PCT_CHANGE_GT] = "changed by more than",
	[COND_PCT_CHANGE_LT] = "changed by less than",
	[COND_ZSCORE_GT] = "unusually far from its recent mean: z-score above",
	[COND_PCT_CHANGE_ABS_GT] = "moved either way by more than",
	[COND_SEASONAL_PCT_LT] = "compared with the usual for this time of the week: below",
	[COND_SEASONAL_PCT_GT] = "compared with the usual for this time of the week: above",
	[COND_SEASONAL_ZSCORE_GT] =
	    "unusually far from the usual for this time of the week: z-score above",
	[COND_STALE] = "no fresh value for longer than",
};

static const char *const cond_labels[COND__MAX] = {
	[COND_GT] = "above the threshold", [COND_GTE] = "at or above the threshold",
	[COND_LT] = "below the threshold", [COND_LTE] = "at or below the threshold",
	[COND_EQ] = "equal to the threshold", [COND_NEQ] = "not equal to the threshold",
	[COND_PCT_CHANGE_GT] = "rose by more than threshold %",
	[COND_PCT_CHANGE_LT] = "fell by more than threshold %",
	[COND_ZSCORE_GT] = "unusual: more than threshold standard deviations from the mean",
	[COND_PCT_CHANGE_ABS_GT] = "moved either way by more than threshold %",
	[COND_SEASONAL_PCT_LT] = "below the week's usual by more than threshold %",
	[COND_SEASONAL_PCT_GT] = "above the week's usual by more than threshold %",
	[COND_SEASONAL_ZSCORE_GT] =
	    "unusual for this time of the week: more than threshold standard deviations",
	[COND_STALE] = "no fresh value for the window (the threshold is not used)",
};

const char *cond_words(enum cond c)
{
	return c < COND__MAX ? cond_word[c] : "?";
}

const char *cond_label(enum cond c)
{
	return c < COND__MAX ? cond_labels[c] : "?";
}

/* "1 hour", "2 hours": n of unit, its plural by English's one rule. */
static int unit_words(char *out, size_t outlen, long long n, const char *unit)
{
	return snprintf(out, outlen, "%lld %s%s", n, unit, n == 1 ? "" : "s");
}

const struct fmt_window_unit fmt_window_units[FMT_WINDOW_UNITS] = {
	{"min", "minute", 1}, {"h", "hour", 60}, {"d", "day", 1440}, {"w", "week", 10080},
};

int fmt_window_unit_of(long long minutes)
{
	/* up to an hour, and wherever no larger unit divides it, in minutes */
	for (int i = FMT_WINDOW_UNITS - 1; minutes > 60 && i > 0; i--)
		if (minutes % fmt_window_units[i].minutes == 0)
			return i;
	return 0;
}

void fmt_window(long long minutes, int short_minutes, char *out, size_t outlen)
{
	const struct fmt_window_unit *u = &fmt_window_units[fmt_window_unit_of(minutes)];

	if (u->minutes == 1 && short_minutes)
		snprintf(out, outlen, "%lld min", minutes);
	else
		unit_words(out, outlen, minutes / u->minutes, u->word);
}

/* num ("-1234.5") with its whole part in groups of three: "-1,234.5". */
static void group_digits(const char *num, char *out, size_t outlen)
{
	const char *p = num;
	size_t n, o = 0, intlen;

	if (*p == '-')
		out[o++] = *p++;
	intlen = strcspn(p, ".");
	for (n = 0; n < intlen && o + 2 < outlen; n++) {
		if (n > 0 && (intlen - n) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[n];
	}
	snprintf(out + o, outlen - o, "%s", p + intlen);
}

void fmt_value(double v, const char *unit, char *out, size_t outlen)
{
	const char *shown = units_display(unit);
	char num[48], grouped[72];
	int decimals;

	v = units_to_display(unit, v);
	if (!isfinite(v)) {
		snprintf(out, outlen, "n/a");
		return;
	}
	/* whole numbers stay whole; others get the currency's decimals (two
	 * for the rest); past what a double holds exactly, the exponent form */
	decimals = (v == floor(v) && fabs(v) < 1e15) ? 0 : units_decimals(unit);
	if (fabs(v) >= 1e18)
		snprintf(grouped, sizeof(grouped), "%.4g", v);
	else {
		snprintf(num, sizeof(num), "%.*f", decimals, v);
		/* what rounds to zero is not negative */
		group_digits(strspn(num, "-0.") == strlen(num) ? num + (num[0] == '-') : num,
		    grouped, sizeof(grouped));
	}
	if (shown[0] == '\0')
		snprintf(out, outlen, "%s", grouped);
	else if (strcmp(shown, "%") == 0)
		snprintf(out, outlen, "%s%%", grouped);
	else
		snprintf(out, outlen, "%s %s", grouped, shown);
}

void fmt_observed(enum cond c, double value, double threshold, const char *unit,
    struct fmt_observed *out)
{
	char t[64];

	if (c == COND_STALE) {
		if (value < 0)
			snprintf(out->value, sizeof(out->value), "no value yet");
		else
			fmt_duration((int64_t)(value * 60.0), out->value, sizeof(out->value));
		snprintf(out->threshold, sizeof(out->threshold), "%s", "no fresh value");
		return;
	}
	if (cond_is_pct(c)) {
		snprintf(out->value, sizeof(out->value), "%+.1f%%", value);
		snprintf(t, sizeof(t), "%g%%", threshold);
	} else if (cond_is_zscore(c)) {
		snprintf(out->value, sizeof(out->value), "z = %.2f", value);
		snprintf(t, sizeof(t), "%g", threshold);
	} else {
		fmt_value(value, unit, out->value, sizeof(out->value));
		fmt_value(threshold, unit, t, sizeof(t));
	}
	snprintf(out->threshold, sizeof(out->threshold), "%s %s", cond_words(c), t);
}

/* The message of the conditions that compare with past values (not the plain ones). */
static void window_message(enum cond c, const char *kpi_name, const char *v,
    double observed, double threshold, const struct fmt_windows *w, char *out, size_t outlen)
{
	char win[48];

	fmt_window(w->minutes, 0, win, sizeof(win));
	if (c == COND_PCT_CHANGE_ABS_GT)
		snprintf(out, outlen, "%s is %s, a change of %+.1f%% over %s (threshold: more than"
		    " %g%% either way).", kpi_name, v, observed, win, threshold);
	else if (c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT)
		snprintf(out, outlen, "%s is %s, a change of %+.1f%% over %s "
		    "(threshold: %s %g%%).", kpi_name, v, observed, win,
		    c == COND_PCT_CHANGE_GT ? "more than" : "less than", threshold);
	else if (c == COND_ZSCORE_GT)
		snprintf(out, outlen, "%s is %s, %.1f standard deviations from the mean "
		    "of the last %lld samples (threshold: %g).", kpi_name, v, observed,
		    w->samples, threshold);
	else if (c == COND_SEASONAL_ZSCORE_GT)
		snprintf(out, outlen, "%s is %s, %.1f standard deviations from its value at this"
		    " time of the week over the last %lld weeks (threshold: %g).", kpi_name, v,
		    observed, w->weeks, threshold);
	else
		snprintf(out, outlen, "%s is %s, %+.1f%% against its mean at this time of the week"
		    " over the last %lld weeks (threshold: %s %g%%).", kpi_name, v, observed,
		    w->weeks, c == COND_SEASONAL_PCT_GT ? "more than" : "less than", threshold);
}

void rule_message(enum cond c, const char *kpi_name, const char *unit,
    double latest, double observed, double threshold, const struct fmt_windows *w,
    char *out, size_t outlen)
{
	char v[64], t[64];

	fmt_value(latest, unit, v, sizeof(v));
	if (c == COND_STALE) {
		fmt_window(w->minutes, 0, t, sizeof(t));
		if (observed < 0)
			snprintf(out, outlen, "%s has no value at all (allowed: none for %s).",
			    kpi_name, t);
		else
			snprintf(out, outlen, "%s has had no fresh value for %.0f minutes (allowed:"
			    " %s).", kpi_name, observed, t);
	} else if (c >= COND_PCT_CHANGE_GT) {
		window_message(c, kpi_name, v, observed, threshold, w, out, outlen);
	} else {
		fmt_value(threshold, unit, t, sizeof(t));
		snprintf(out, outlen, "%s is %s, %s the threshold of %s.", kpi_name, v,
		    cond_words(c), t);
	}
}

void fmt_rule_condition(enum cond c, double threshold, const char *unit,
    const struct fmt_windows *w, char *out, size_t outlen)
{
	char v[64], win[48];

	fmt_window(w->minutes, 1, win, sizeof(win));
	if (c == COND_STALE) {
		snprintf(out, outlen, "%s %s", cond_words(c), win);
	} else if (cond_is_pct(c) && !cond_needs_window_weeks(c)) {
		snprintf(out, outlen, "%s %g%% in %s", cond_words(c), threshold, win);
	} else if (c == COND_ZSCORE_GT) {
		snprintf(out, outlen, "z-score above %g over %lld samples", threshold, w->samples);
	} else if (c == COND_SEASONAL_ZSCORE_GT) {
		snprintf(out, outlen, "z-score above %g against this time of the week over %lld"
		    " weeks", threshold, w->weeks);
	} else if (cond_needs_window_weeks(c)) {
		snprintf(out, outlen, "%s %+g%% of the mean at this time of the week over %lld weeks",
		    c == COND_SEASONAL_PCT_LT ? "below" : "above", threshold, w->weeks);
	} else {
		fmt_value(threshold, unit, v, sizeof(v));
		snprintf(out, outlen, "%s %s", cond_words(c), v);
	}
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

void fmt_event_text(const char *type, const json_t *d, struct buf *out)
{
	const char *name = str_or(d, "rule_name", "?");

	if (type == NULL)
		return;
	if (strcmp(type, "alert.fired") == 0)
		buf_printf(out, "Fired (%s): %s", str_or(d, "severity", "?"), name);
	else if (strcmp(type, "alert.acknowledged") == 0)
		buf_printf(out, "Acknowledged by %s: %s", str_or(d, "acknowledged_by", "?"), name);
	else if (strcmp(type, "alert.resolved") == 0)
		buf_printf(out, "Resolved: %s", name);
	else if (strcmp(type, "alert.escalated") == 0)
		buf_printf(out, "Escalated to level %lld: %s",
		    (long long)json_integer_value(json_object_get(d, "escalation_level")), name);
	else if (strcmp(type, "rule.flapping") == 0)
		buf_printf(out, "Flapping (mail held until it settles): %s", name);
	else if (strcmp(type, "rule.settled") == 0)
		buf_printf(out, "Settled: %s", name);
	else if (strcmp(type, "rule.back") == 0)
		buf_printf(out, "Back within the cooldown: %s", name);
	else if (strcmp(type, "rule.changed") == 0)
		buf_printf(out, "Rule %sd: %s", str_or(d, "action", "change"),
		    str_or(json_object_get(d, "rule"), "name", "?"));
	else
		buf_puts(out, type);
}

void fmt_duration(int64_t seconds, char *out, size_t outlen)
{
	static const struct { long long secs; const char *unit; } units[] = {
		{86400, "day"}, {3600, "hour"}, {60, "minute"},
	};
	long long left = seconds > 0 ? (long long)seconds : 0;
	size_t used = 0, shown = 0;

	if (left < 60) {
		snprintf(out, outlen, "less than a minute");
		return;
	}
	/* the two largest units that are not zero: "1 day 3 hours", not the minutes */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && shown < 2; i++) {
		long long n = left / units[i].secs;

		left %= units[i].secs;
		if (n == 0) {
			if (shown > 0)
				break;
			continue;
		}
		if (shown++ > 0 && used + 1 < outlen)
			out[used++] = ' ';
		if (used < outlen)
			used += (size_t)unit_words(out + used, outlen - used, n, units[i].unit);
	}
	if (used >= outlen && outlen > 0)
		out[outlen - 1] = '\0';
}

/* Whether c compares the KPI's own value, so that its threshold is in the KPI's unit. */
static int threshold_in_kpi_unit(enum cond c)
{
	return !cond_is_pct(c) && !cond_is_zscore(c) && c != COND_STALE;
}

double fmt_threshold_shown(enum cond c, const char *unit, double t)
{
	char text[32];
	double v;

	if (!threshold_in_kpi_unit(c) || units_to_display(unit, 1.0) == 1.0)
		return t;
	/* 1 tola stored as 11.6638038 g comes back as 1, not 0.99999999999999989 */
	v = units_to_display(unit, t);
	snprintf(text, sizeof(text), "%.12g", v);
	return strtod(text, NULL);
}

double fmt_threshold_stored(enum cond c, const char *unit, double t)
{
	return threshold_in_kpi_unit(c) ? units_from_display(unit, t) : t;
}

const char *fmt_threshold_unit(enum cond c, const char *unit)
{
	if (cond_is_pct(c))
		return "%";
	if (cond_is_zscore(c))
		return "standard deviations";
	if (c == COND_STALE)
		return "";
	return units_display(unit);
}
