/*
 * test_rule_life.c - the lifecycle options of rule_advance() at their
 * edges: recovery threshold (hysteresis), keep firing, flapping and
 * settling, a re-breach within the cooldown. Pure: fixed moments.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>

#include "rule.h"
#include "testlib.h"
#include "unit.h"

#define MIN INT64_C(60000000)
#define T0 (INT64_C(1795687200) * 1000000)

/* Steps st on from res at now (st becomes the next state); the output in *o. */
static enum rule_action advance(struct rule_state *st, const struct rule_params *p,
    enum cond_result res, int recovered, int64_t now, struct rule_step_out *o)
{
	rule_advance(res, recovered, st, p, now, now, o);
	*st = o->next;
	return o->act;
}

static void t_recovery_side(void)
{
	/* lt 5 kg: resolves above; the recovery must lie above 5 */
	CU_ASSERT_TRUE(rule_recovery_valid(COND_LT, 5, 6));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_LT, 5, 5));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_LT, 5, 4));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_GTE, 10, 9.5));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_GT, 10, 10));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_EQ, 10, 9));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_NEQ, 10, 11));
	/* changes and z-scores: nearer to zero, on the resolving side */
	CU_ASSERT_TRUE(rule_recovery_valid(COND_PCT_CHANGE_GT, 10, 5));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_PCT_CHANGE_GT, 10, -20));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_PCT_CHANGE_GT, 10, 10));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_PCT_CHANGE_LT, -10, -5));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_PCT_CHANGE_LT, -10, 20));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_ZSCORE_GT, 3, 2));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_ZSCORE_GT, 3, 0));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_ZSCORE_GT, 3, 3));
	CU_ASSERT_EQUAL(cond_direction(COND_LTE), -1);
	CU_ASSERT_EQUAL(cond_direction(COND_ZSCORE_GT), 1);
	CU_ASSERT_EQUAL(cond_direction(COND_EQ), 0);
	/* the seasonal conditions and the change either way */
	CU_ASSERT_TRUE(rule_recovery_valid(COND_SEASONAL_PCT_LT, -80, -60));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_SEASONAL_PCT_LT, -80, -90));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_SEASONAL_PCT_GT, 40, 20));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_SEASONAL_PCT_GT, 40, 40));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_SEASONAL_ZSCORE_GT, 3, 1.5));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_SEASONAL_ZSCORE_GT, 3, -1));
	CU_ASSERT_TRUE(rule_recovery_valid(COND_PCT_CHANGE_ABS_GT, 3, 2));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_PCT_CHANGE_ABS_GT, 3, 0));
	CU_ASSERT_FALSE(rule_recovery_valid(COND_STALE, 0, 1));
	/* a change either way recovers by its size: -2.5 % is back within 3 % */
	CU_ASSERT_TRUE(rule_recovered(COND_PCT_CHANGE_ABS_GT, -2.5, 3));
	CU_ASSERT_FALSE(rule_recovered(COND_PCT_CHANGE_ABS_GT, -3.5, 3));
	CU_ASSERT_TRUE(rule_recovered(COND_SEASONAL_PCT_LT, -50, -60));
	CU_ASSERT_FALSE(rule_recovered(COND_SEASONAL_PCT_LT, -70, -60));
}

static void t_hysteresis(void)
{
	struct rule_params p = {.for_evaluations = 1, .cooldown_minutes = 60, .has_recovery = 1,
	    .recovery = 6};
	struct rule_state st = {0};
	struct rule_step_out o;

	/* fires below 5 */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 0, T0, &o), ACT_FIRE);
	CU_ASSERT_TRUE(st.has_open);
	/* 5.5 and exactly 6: the condition is false but not recovered */
	CU_ASSERT_FALSE(rule_recovered(COND_LT, 5.5, 6));
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, rule_recovered(COND_LT, 5.5, 6), T0 + MIN, &o),
	    ACT_FIRING);
	CU_ASSERT_FALSE(rule_recovered(COND_LT, 6, 6));
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 0, T0 + 2 * MIN, &o), ACT_FIRING);
	CU_ASSERT_TRUE(st.has_open);
	/* just above 6: resolved */
	CU_ASSERT_TRUE(rule_recovered(COND_LT, 6.01, 6));
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 3 * MIN, &o), ACT_RESOLVE);
	CU_ASSERT_FALSE(st.has_open);
	/* the other direction: gt 10 recovering below 8 */
	CU_ASSERT_FALSE(rule_recovered(COND_GT, 8, 8));
	CU_ASSERT_TRUE(rule_recovered(COND_GT, 7.9, 8));
	/* without a recovery threshold, recovered is not asked */
	p.has_recovery = 0;
	st = (struct rule_state){.has_open = 1, .consecutive = 1, .last_fired_us = T0};
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 0, T0 + MIN, &o), ACT_RESOLVE);
}

static void t_keep_firing(void)
{
	struct rule_params p = {.for_evaluations = 1, .cooldown_minutes = 0,
	    .keep_firing_minutes = 10};
	struct rule_state st = {.has_open = 1, .consecutive = 1, .last_fired_us = T0};
	struct rule_step_out o;

	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(st.clear_since_us, T0 + MIN);
	/* holding again restarts the clock */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 5 * MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(st.clear_since_us, 0);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 6 * MIN, &o), ACT_FIRING);
	/* no data keeps the clock where it is */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_NO_DATA, 1, T0 + 10 * MIN, &o), ACT_NO_DATA);
	CU_ASSERT_EQUAL(st.clear_since_us, T0 + 6 * MIN);
	/* just under 10 minutes clear: still firing; exactly 10: resolved */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 16 * MIN - 1, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 16 * MIN, &o), ACT_RESOLVE);
	CU_ASSERT_EQUAL(st.clear_since_us, 0);
	/* with a recovery threshold, only recovered counts as clear */
	p.has_recovery = 1;
	st = (struct rule_state){.has_open = 1, .consecutive = 1, .last_fired_us = T0};
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 0, T0 + 5 * MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(st.clear_since_us, 0);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 11 * MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 21 * MIN, &o), ACT_RESOLVE);
}

/* Fires and resolves by turns, one change a minute from T0: the step of change k. */
static void flip(struct rule_state *st, const struct rule_params *p, int k,
    struct rule_step_out *o)
{
	advance(st, p, st->has_open ? COND_FALSE : COND_TRUE, 1, T0 + k * MIN, o);
}

static void t_flapping(void)
{
	struct rule_params p = {.for_evaluations = 1, .cooldown_minutes = 0, .flap_changes = 6,
	    .flap_window_minutes = 60};
	struct rule_state st = {0};
	struct rule_step_out o;

	/* five changes: mail for each */
	for (int k = 0; k < 5; k++) {
		flip(&st, &p, k, &o);
		CU_ASSERT_TRUE(o.act == ACT_FIRE || o.act == ACT_RESOLVE);
		CU_ASSERT_EQUAL(o.note, NOTE_NONE);
		CU_ASSERT_FALSE(o.hold);
	}
	CU_ASSERT_FALSE(st.flapping);
	/* the sixth within the window: flapping, said once, this change's mail held */
	flip(&st, &p, 5, &o);
	CU_ASSERT_EQUAL(o.act, ACT_RESOLVE);
	CU_ASSERT_EQUAL(o.note, NOTE_FLAPPING);
	CU_ASSERT_TRUE(o.hold);
	CU_ASSERT_TRUE(st.flapping);
	/* more changes: alerts still open and resolve, no mail, no second note */
	flip(&st, &p, 6, &o);
	CU_ASSERT_EQUAL(o.act, ACT_FIRE);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	CU_ASSERT_TRUE(o.hold);
	CU_ASSERT_TRUE(st.n_changes <= p.flap_changes);
	/* stable: just under the window since the last change nothing; at it, settled */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 66 * MIN - 1, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	CU_ASSERT_TRUE(st.flapping);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 66 * MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(o.note, NOTE_SETTLED);
	CU_ASSERT_FALSE(st.flapping);
	CU_ASSERT_EQUAL(st.n_changes, 0);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 67 * MIN, &o), ACT_FIRING);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
}

static void t_flap_window(void)
{
	struct rule_params p = {.for_evaluations = 1, .cooldown_minutes = 0, .flap_changes = 3,
	    .flap_window_minutes = 60};
	struct rule_state st = {0};
	struct rule_step_out o;

	/* three changes, the first exactly a window before the third: not flapping */
	advance(&st, &p, COND_TRUE, 1, T0, &o);
	advance(&st, &p, COND_FALSE, 1, T0 + 30 * MIN, &o);
	advance(&st, &p, COND_TRUE, 1, T0 + 60 * MIN, &o);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	CU_ASSERT_FALSE(st.flapping);
	/* a fourth a minute later: three within the hour */
	advance(&st, &p, COND_FALSE, 1, T0 + 61 * MIN, &o);
	CU_ASSERT_EQUAL(o.note, NOTE_FLAPPING);
	/* no flap window (unset parameters): never flapping */
	p.flap_window_minutes = 0;
	st = (struct rule_state){0};
	for (int k = 0; k < 20; k++)
		flip(&st, &p, k, &o);
	CU_ASSERT_FALSE(st.flapping);
}

static void t_back_in_cooldown(void)
{
	struct rule_params p = {.for_evaluations = 1, .cooldown_minutes = 60};
	struct rule_state st = {.last_fired_us = T0};
	struct rule_step_out o;

	/* resolved 10 minutes after the fire, back at 20: no alert, but said once */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 20 * MIN, &o), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(o.note, NOTE_BACK);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 25 * MIN, &o), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	/* a dip and back again: said again */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_FALSE, 1, T0 + 30 * MIN, &o), ACT_NONE);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 35 * MIN, &o), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(o.note, NOTE_BACK);
	/* the cooldown over: a new alert */
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 60 * MIN, &o), ACT_FIRE);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	/* pending first: the note comes when the count is reached */
	p.for_evaluations = 3;
	st = (struct rule_state){.last_fired_us = T0};
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 20 * MIN, &o), ACT_PENDING);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 21 * MIN, &o), ACT_PENDING);
	CU_ASSERT_EQUAL(o.note, NOTE_NONE);
	CU_ASSERT_EQUAL(advance(&st, &p, COND_TRUE, 1, T0 + 22 * MIN, &o), ACT_COOLDOWN);
	CU_ASSERT_EQUAL(o.note, NOTE_BACK);
}

static void t_state_differs(void)
{
	struct rule_state a = {.consecutive = 1, .n_changes = 1, .changes_us = {T0}}, b = a;

	CU_ASSERT_FALSE(rule_state_differs(&a, &b));
	b.changes_us[0] = T0 + 1;
	CU_ASSERT_TRUE(rule_state_differs(&a, &b));
	b = a;
	b.clear_since_us = T0;
	CU_ASSERT_TRUE(rule_state_differs(&a, &b));
	b = a;
	b.flapping = 1;
	CU_ASSERT_TRUE(rule_state_differs(&a, &b));
}

/*
 * for_evaluations counts sample moments: the same moment seen again (the
 * API's evaluate, a push's evaluation, a second host) does not advance
 * it; a new moment does; a false one starts over.
 */
static void t_counts_moments(void)
{
	struct rule_params p = {.for_evaluations = 3};
	struct rule_state st = {0};
	struct rule_step_out o;
	int64_t m1 = T0, m2 = T0 + 5 * MIN, m3 = T0 + 10 * MIN;

	rule_advance(COND_TRUE, 1, &st, &p, m1, m1, &o);
	st = o.next;
	CU_ASSERT_EQUAL(o.act, ACT_PENDING);
	CU_ASSERT_EQUAL(st.consecutive, 1);
	CU_ASSERT_EQUAL(st.counted_us, m1);
	/* evaluated again at later times, on the same value */
	for (int k = 1; k <= 4; k++) {
		rule_advance(COND_TRUE, 1, &st, &p, m1 + k * MIN, m1, &o);
		CU_ASSERT_EQUAL(o.act, ACT_PENDING);
		CU_ASSERT_EQUAL(o.next.consecutive, 1);
		CU_ASSERT_FALSE(rule_state_differs(&st, &o.next));
	}
	rule_advance(COND_TRUE, 1, &st, &p, m2, m2, &o);
	st = o.next;
	CU_ASSERT_EQUAL(st.consecutive, 2);
	rule_advance(COND_TRUE, 1, &st, &p, m2 + MIN, m2, &o);
	CU_ASSERT_EQUAL(o.act, ACT_PENDING);
	rule_advance(COND_TRUE, 1, &st, &p, m3, m3, &o);
	CU_ASSERT_EQUAL(o.act, ACT_FIRE);
	/* a false moment resets, and the count starts again at the next one */
	st = (struct rule_state){.consecutive = 2, .counted_us = m2};
	rule_advance(COND_FALSE, 1, &st, &p, m3, m3, &o);
	st = o.next;
	CU_ASSERT_EQUAL(st.consecutive, 0);
	CU_ASSERT_EQUAL(st.counted_us, 0);
	rule_advance(COND_TRUE, 1, &st, &p, m3 + MIN, m3, &o);
	CU_ASSERT_EQUAL(o.next.consecutive, 1);
}

void suite_rule_life(void)
{
	static const struct test_case cases[] = {
		{"recovery threshold: which side is valid", t_recovery_side},
		{"hysteresis: resolves only past the recovery threshold", t_hysteresis},
		{"keep firing: clear that long in a row", t_keep_firing},
		{"flapping: said once at flap_changes, settled at the window", t_flapping},
		{"flapping: only changes within the window count", t_flap_window},
		{"re-breach within the cooldown is said, once per breach", t_back_in_cooldown},
		{"state comparison", t_state_differs},
		{"for_evaluations counts sample moments, not evaluations", t_counts_moments},
		{NULL, NULL},
	};
	test_add_suite("rule_life", NULL, NULL, cases);
}
