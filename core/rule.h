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
	COND__MAX
};

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL, SEV__MAX };

/* Name <-> enum; parse returns COND__MAX / SEV__MAX for unknown names. */
const char *cond_name(enum cond c);
enum cond cond_parse(const char *s);
enum severity severity_parse(const char *s);
int cond_needs_window_minutes(enum cond c);
int cond_needs_window_samples(enum cond c);

/* What a condition is evaluated on. */
struct cond_input {
	int has_latest;   /* the KPI has a current value */
	double latest;
	int has_ref;      /* pct_change: a sample window_minutes ago exists */
	double ref;
	long n;           /* zscore: samples in the window before latest */
	long window;      /* zscore: samples wanted */
	double mean, stddev;
};

enum cond_result { COND_NO_DATA, COND_FALSE, COND_TRUE };

/*
 * Evaluates c with threshold on in. *observed is the number compared with
 * the threshold (the value, the percent change or the z-score) when there
 * is data. No data: no current value; pct_change without a reference or
 * from 0; zscore with fewer samples than the window. zscore with stddev 0
 * is false (spec: no fire).
 */
enum cond_result cond_eval(enum cond c, double threshold, const struct cond_input *in,
    double *observed);

/* The lifecycle state of a rule between evaluations. */
struct rule_state {
	int consecutive;        /* evaluations in a row the condition held */
	int has_open;           /* an alert firing or acknowledged */
	int64_t last_fired_us;  /* 0: never */
};

struct rule_params {
	int for_evaluations;    /* pending: holds this many times before firing */
	int cooldown_minutes;   /* after a fire, none again for this long */
};

enum rule_action {
	ACT_NONE,       /* condition false, nothing open */
	ACT_NO_DATA,    /* no value: neither fires nor resolves */
	ACT_PENDING,    /* holds, not yet for_evaluations times */
	ACT_COOLDOWN,   /* holds long enough, but fired too recently */
	ACT_FIRING,     /* holds and an alert is already open */
	ACT_FIRE,       /* open a new alert */
	ACT_RESOLVE,    /* condition cleared: resolve the open alert */
	ACT__MAX
};

/*
 * One evaluation of one rule: from the condition's result, its state and
 * parameters at time now, the action and the new consecutive count (which
 * stops at for_evaluations and stays put while an alert is open, so a
 * rule that keeps holding changes no state).
 */
enum rule_action rule_step(enum cond_result res, const struct rule_state *st,
    const struct rule_params *p, int64_t now_us, int *consecutive);

#endif
