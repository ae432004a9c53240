/* engine.h - helpers of the engine and API suites: KPIs, rules, samples. */
#ifndef GW_ENGINE_H
#define GW_ENGINE_H

#include <jansson.h>

#include "testlib.h"

/* Defines a push KPI (admin); max_age_minutes 0 = default. Asserts 201. */
void make_push_kpi(const char *key, int max_age_minutes);
/* Creates a rule from a JSON text (admin); returns its id (asserts 201). */
long long make_rule(const char *json);
/* A rule on kpi with two recipients; extra is more JSON members or "". */
long long make_simple_rule(const char *name, const char *kpi, const char *condition,
    double threshold, const char *extra);
/* Records a value for a push KPI, at minutes_ago before now (0 = now),
 * without evaluating it ("evaluate":false): the suites that use it test
 * what the timer's evaluation does with the value. */
void push_value(const char *kpi, double value, int minutes_ago);
/* Six samples 50..0 minutes ago whose last lies far out: mean 100, sample
 * stddev 1.58 over the five before it, z = 18.97. */
void push_z_series(const char *kpi);
/* GET /api/audit?object_type=TYPE&object_id=ID as the admin (200 checked). */
struct http_resp audit_of(const char *object_type, long long object_id);
/* POST /api/alerts/evaluate for these rules; caller frees the response. */
struct http_resp evaluate_rules(const long long *ids, int n);
struct http_resp evaluate_rule(long long id);
/* GET /api/alerts/rules/ID as the admin (200 checked); caller decrefs. */
json_t *rule_of(long long id);
/* Rows of alerts of rule id (optionally in state, NULL = any). */
long long alerts_of(long long rule_id, const char *state);
long long fired_events_of(long long rule_id);
long long outbox_of(long long rule_id, const char *kind);
/* A page form POST as the admin's browser (session cookie, CSRF token); fields urlencoded. */
struct http_resp admin_form(const char *path, const char *fields);
/*
 * The id in the Location of r, a form's 303 to PREFIX<id> ("/rules/"), or 0
 * when it names none; r is freed.
 */
long long form_created_id(struct http_resp *r, const char *prefix);
/* A page GET with token as the session cookie. */
struct http_resp page_as(const char *path, const char *token);
/* id as an SQL parameter (a few at once: the buffers rotate). */
const char *lli(long long id);
/* No notification policy and the default one (no assertion: for a suite's clean-up). */
void policies_reset(void);
/* Runs goldwatch-evaluate with args; returns its exit status. */
int run_evaluate(const char *env, const char *args);

#endif
