/*
 * fmt.h - the words and numbers people read, in one place: a value with
 * its unit, the condition words, the observed value and threshold of an
 * alert, an alert's message and the line of an event. Mail, pages and
 * the live events (which carry these texts to the browser) all write
 * them with these functions, so they cannot drift apart.
 */
#ifndef GW_FMT_H
#define GW_FMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "rule.h"
#include "util.h"

/* "above", "at or below", ... */
const char *cond_words(enum cond c);
/* The rule form's choice of c: "below the threshold", ... */
const char *cond_label(enum cond c);

/*
 * A number of a KPI's stored unit for people, in the shop's units
 * (units.h): "12,345.50 USD", "1.234 KWD", "85.74 tola", "18.4%", "3
 * invoices"; whole numbers without decimals, others with the currency's
 * decimals (two for the rest); nothing that rounds to zero is negative;
 * 1e18 and more as "1.5e+18"; "n/a" when not finite. out should hold 64
 * bytes.
 */
void fmt_value(double v, const char *unit, char *out, size_t outlen);

/*
 * A threshold of condition c on a KPI of stored unit as the rule form
 * shows and takes it (in tola, ozt, per tola: units.h), and back. Only the
 * conditions that compare the KPI's value convert; percents and z-scores
 * stay as they are. fmt_threshold_unit: the words shown next to the field
 * ("JPY/tola", "%", "standard deviations", "" for no data).
 */
double fmt_threshold_shown(enum cond c, const char *unit, double t);
double fmt_threshold_stored(enum cond c, const char *unit, double t);
const char *fmt_threshold_unit(enum cond c, const char *unit);

/* What an alert shows of its condition. */
struct fmt_observed {
	char value[64];       /* "4,200 USD", "+12.5%", "z = 3.10" */
	char threshold[160];  /* "below 5,000 USD", "changed by more than 10%" */
};

/*
 * The observed value (what was compared: the KPI's value, the percent
 * change or the z-score) and the condition with its threshold, for an
 * alert of condition c on a KPI of unit.
 */
void fmt_observed(enum cond c, double value, double threshold, const char *unit,
    struct fmt_observed *out);

/* The windows a rule's condition looks back over (those it does not use: 0). */
struct fmt_windows {
	long long minutes;    /* window_minutes */
	long long samples;    /* window_samples */
	long long weeks;      /* window_weeks */
};

/* The units a window is shown and entered in: the rule form's choice. */
#define FMT_WINDOW_UNITS 4
struct fmt_window_unit {
	const char *code;     /* the form's value: min, h, d, w */
	const char *word;     /* minute, hour, day, week */
	long long minutes;
};
extern const struct fmt_window_unit fmt_window_units[FMT_WINDOW_UNITS];
/* The index in fmt_window_units a window of minutes is shown in. */
int fmt_window_unit_of(long long minutes);

/*
 * A window of minutes for people, in the largest unit that divides it:
 * "1 day", "2 hours", "3 weeks"; up to an hour (and 90) in minutes:
 * "30 minutes", or "30 min" with short_minutes (the rule list). out
 * should hold 48 bytes.
 */
void fmt_window(long long minutes, int short_minutes, char *out, size_t outlen);

/*
 * The one-line message of an alert, e.g. "Revenue today is 1,234.50 USD,
 * below the threshold of 5,000 USD." latest is the KPI value, observed
 * what was compared with the threshold (percent change, z-score).
 */
void rule_message(enum cond c, const char *kpi_name, const char *unit,
    double latest, double observed, double threshold, const struct fmt_windows *w,
    char *out, size_t outlen);

/*
 * A rule's condition as the rule list shows it: "below 5,000 USD",
 * "changed by more than 10% in 60 min", "... in 1 day", "z-score above 3 over
 * 20 samples".
 */
void fmt_rule_condition(enum cond c, double threshold, const char *unit,
    const struct fmt_windows *w, char *out, size_t outlen);

/*
 * How long something lasted, for people: "2 hours 15 minutes", "1 day 3
 * hours", "45 minutes" (the two largest units; seconds are dropped),
 * "less than a minute". out should hold 64 bytes.
 */
void fmt_duration(int64_t seconds, char *out, size_t outlen);

/*
 * The line of the live feed and the timelines for an event of type with
 * data: "Fired (critical): Low revenue", "Rule created: Low revenue".
 */
void fmt_event_text(const char *type, const json_t *data, struct buf *out);

#endif
