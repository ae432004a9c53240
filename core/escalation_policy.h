/*
 * escalation_policy.h - an escalation policy: levels, each told
 * after_minutes after the one before (the first after the alert fired),
 * run through 1 + repeat times while the alert stays unacknowledged.
 * Decoding the API's body and the schedule of one alert; no I/O.
 */
#ifndef GW_ESCALATION_POLICY_H
#define GW_ESCALATION_POLICY_H

#include <jansson.h>
#include <stdint.h>

#include "valid.h"

#define ESC_MAX_LEVELS 10

struct esc_level {
	int64_t after_minutes;
	struct vlist contact_points;
};

struct esc_policy_input {
	const char *name;
	struct esc_level levels[ESC_MAX_LEVELS];
	size_t n;
	int64_t repeat;
	json_t *own;
};

/* Decodes body (free with esc_policy_free, also after -1). 0, or -1 with err. */
int esc_policy_decode(const json_t *body, struct esc_policy_input *in, struct verror *err);
void esc_policy_free(struct esc_policy_input *in);
/* The levels as stored and shown: [{"after_minutes", "contact_points"}]. New reference. */
json_t *esc_levels_json(const struct esc_policy_input *in);

/*
 * Step k (0-based) of the schedule over levels of these after_minutes
 * (n of them) run 1 + repeat times: the level told (0-based) into *level
 * and the minutes after the alert fired into *at. 0, or -1 past the last.
 */
int esc_step(const int64_t *after_minutes, size_t n, int64_t repeat, int64_t k, size_t *level,
    int64_t *at);

#endif
