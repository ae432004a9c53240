/*
 * rule.h - the rule engine's pure parts: conditions and the lifecycle step
 * of one rule per evaluation (their words for people are in fmt.h). No I/O
 * here: eval.c feeds these with what it read from the database.
 */
#ifndef GW_RULE_H
#define GW_RULE_H

#include <stddef.h>
#include <stdint.h>

enum cond {
	COND_GT, COND_GTE, COND_LT, COND_LTE, COND_EQ, COND_NEQ,
	COND_PCT_CHANGE_GT, COND_PCT_CHANGE_LT, COND_ZSCORE_GT,
	COND_PCT_CHANGE_ABS_GT,
	COND_SEASONAL_PCT_LT, COND_SEASONAL_PCT_GT, COND_SEASONAL_ZSCORE_GT,
	COND_STALE,         /* "no_data": no fresh sample for window_minutes */
	COND__MAX
};

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL, SEV__MAX };

/* Name <-> enum; parse returns COND__MAX / SEV__MAX for unknown names. */
const char *cond_name(enum cond c);
enum cond cond_parse(const char *s);
enum severity severity_parse(const char *s);
int cond_needs_window_minutes(enum cond c);
int cond_needs_window_samples(enum cond c);
int cond_needs_window_weeks(enum cond c);
/* A percent condition: observed is a percent (pct_change_*, seasonal_pct_*). */
int cond_is_pct(enum cond c);
/* A z-score condition: observed is a number of standard deviations. */
int cond_is_zscore(enum cond c);

/* What a condition is evaluated on. */
struct cond_input {
	int has_latest;   /* the KPI has a current value */
	double latest;
	int has_ref;      /* pct_change: a sample window_minutes ago exists */
	double ref;
	long n;           /* zscore: samples in the window before latest */
	long window;      /* zscore: samples wanted */
	double mean, stddev;
	int base_n;       /* seasonal: baseline points found (baseline.h) */
	double base_mean, base_stddev;
	int has_newest;   /* no_data: the KPI has a sample at or before now */
	double age_minutes;  /* no_data: how old the newest sample is */
	long window_minutes; /* no_data: how old it may be */
};

enum cond_result { COND_NO_DATA, COND_FALSE, COND_TRUE };

/*
 * Evaluates c with threshold on in. *observed is the number compared with
 * the threshold (the value, the percent change or the z-score) when there
 * is data. No data: no current value; pct_change without a reference or
 * from 0; zscore with fewer samples than the window. zscore with stddev 0
 * is false (spec: no fire).
 *
 * pct_change_abs_gt: |percent change| > threshold; *observed keeps the
 * sign (+12.5 or -12.5), so people see which way it moved.
 * seasonal_pct_lt/gt: the signed percent of latest against the baseline
 * mean (-30: 30% below the usual), compared like pct_change_lt/gt;
 * seasonal_zscore_gt: |latest - mean| / stddev of the baseline points.
 * Fewer than 2 baseline points, or a mean of 0 for a percent: no data;
 * stddev 0: false, as zscore_gt.
 * no_data (COND_STALE): true when the newest sample is older than
 * window_minutes (exactly that old is still fresh) or there is none,
 * *observed its age in minutes (-1: none). It ignores the threshold and
 * has data whenever its window is set (a stored rule's always is).
 */
enum cond_result cond_eval(enum cond c, double threshold, const struct cond_input *in,
    double *observed);

/* The lifecycle state of a rule between evaluations. */
#define RULE_FLAP_MAX 100   /* flap_changes at most: the changes kept */
struct rule_state {
	int consecutive;        /* sample moments in a row the condition held */
	int64_t counted_us;     /* the moment consecutive last counted; 0: none */
	int has_open;           /* an alert firing or acknowledged */
	int64_t last_fired_us;  /* 0: never */
	int64_t clear_since_us; /* open alert: clear since then (keep firing); 0: not clear */
	int flapping;
	int n_changes;          /* the recent changes (fire, resolve, back), oldest first */
	int64_t changes_us[RULE_FLAP_MAX];
};

struct rule_params {
	int for_evaluations;    /* pending: holds at this many sample moments before firing */
	int cooldown_minutes;   /* after a fire, none again for this long */
	int has_recovery;       /* resolve only once the value crossed recovery */
	double recovery;
	int keep_firing_minutes; /* clear this long in a row before resolving; 0: at once */
	int flap_changes;       /* this many changes within flap_window_minutes: flapping; */
	int flap_window_minutes; /* 0 (unset): never flapping */
};

enum rule_action {
	ACT_NONE,       /* condition false, nothing open */
	ACT_NO_DATA,    /* no value: neither fires nor resolves */
	ACT_PENDING,    /* holds, not yet for_evaluations times */
	ACT_COOLDOWN,   /* holds long enough, but fired too recently */
	ACT_FIRING,     /* holds (or not yet clear) and an alert is already open */
	ACT_FIRE,       /* open a new alert */
	ACT_RESOLVE,    /* condition cleared: resolve the open alert */
	ACT__MAX
};

/*
 * One evaluation of one rule: from the condition's result, its state and
 * parameters at time now, the action and the new consecutive count (which
 * stops at for_evaluations and stays put while an alert is open, so a
 * rule that keeps holding changes no state). rule_advance() without
 * hysteresis.
 */
enum rule_action rule_step(enum cond_result res, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int *consecutive);

/* What a step says besides the action. */
enum rule_note {
	NOTE_NONE,
	NOTE_BACK,      /* re-breached within the cooldown: no new alert yet, but say so */
	NOTE_FLAPPING,  /* this change made the rule flapping */
	NOTE_SETTLED,   /* flapping, then no change for the window */
};

struct rule_step_out {
	enum rule_action act;
	enum rule_note note;
	int hold;               /* flapping: no mail about this fire or resolve */
	struct rule_state next; /* the state after the step */
};

/*
 * The whole lifecycle step. recovered: the observed value lies beyond the
 * recovery threshold (rule_recovered; ignored without one). An open alert
 * resolves when the condition is false, recovered, and has been so for
 * keep_firing_minutes. A step that changes something (fire, resolve, back)
 * counts towards flapping. moment_us names the value the condition saw
 * (the step of an sql KPI's sample, a pushed sample's time): the
 * consecutive count advances once per moment, so evaluating the same
 * value again (the API, a push, a second host) leaves it. Pure: same
 * inputs, same output.
 */
void rule_advance(enum cond_result res, int recovered, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int64_t moment_us, struct rule_step_out *out);

/* Whether two states differ (then the step must be written). */
int rule_state_differs(const struct rule_state *a, const struct rule_state *b);

/*
 * The direction of c: 1 fires above its threshold (gt, gte, pct_change_gt,
 * zscore_gt, pct_change_abs_gt, seasonal_pct_gt, seasonal_zscore_gt), -1
 * below (lt, lte, pct_change_lt, seasonal_pct_lt), 0 none (eq, neq,
 * no_data): no recovery threshold.
 */
int cond_direction(enum cond c);
/* Whether observed (cond_eval's) has crossed recovery, beyond which c's alert resolves. */
int rule_recovered(enum cond c, double observed, double recovery);
/*
 * Whether recovery lies on the resolving side of threshold for c: below
 * it for conditions firing above, above for those firing below; for
 * percent changes and z-scores also nearer to zero. 1 or 0.
 */
int rule_recovery_valid(enum cond c, double threshold, double recovery);

#endif
