/*
 * policy.h - notification policies: the ordered list that says which
 * contact points an alert goes to, how long the first alert for a contact
 * point waits for others to go with it (group_wait_seconds) and how often
 * a still-firing, unacknowledged alert is told again (repeat_minutes).
 * Decoding the API's body and walking the list for one alert; no I/O.
 */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#include <jansson.h>
#include <stdint.h>

#include "valid.h"

#define POLICY_MAX 50           /* policies in the list */
#define POLICY_MAX_TARGETS 20   /* contact points of one policy */

struct policy_matchers {
	struct vlist severity, category, kpi, rule_ids;   /* absent or empty: any */
};

struct policy {
	struct policy_matchers m;
	struct vlist contact_points;
	int continue_matching;
	int64_t group_wait_seconds;
	int64_t repeat_minutes;
	int has_repeat;
};

/*
 * {"policies": [{"matchers", "contact_points", "continue",
 * "group_wait_seconds", "repeat_minutes"}, ...], "default":
 * {"contact_points", "group_wait_seconds", "repeat_minutes"}}, decoded.
 */
struct routing {
	struct policy list[POLICY_MAX];
	size_t n;
	struct policy dflt;
	json_t *own;     /* the decoded JSON the vlists point into */
};

/* Decodes and checks body into r (free with routing_free, also after -1). */
int routing_decode(const json_t *body, struct routing *r, struct verror *err);
void routing_free(struct routing *r);
/* The routing as the API shows it. New reference. */
json_t *routing_json(const struct routing *r);

/* What the walk is about: one alert. */
struct route_alert {
	const char *severity;
	const char *category;   /* the KPI's */
	const char *kpi;
	int64_t rule_id;
};

struct route_target {
	int64_t contact_point;
	int64_t group_wait_seconds;
	int64_t repeat_minutes;   /* 0: never */
};

/*
 * The contact points a's notifications go to, each once (the first policy
 * that names one sets its group wait and repeat), at most max into out;
 * the default policy's when no policy matched. Returns how many.
 */
size_t routing_targets(const struct routing *r, const struct route_alert *a,
    struct route_target *out, size_t max);

#endif
