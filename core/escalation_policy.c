/*
 * escalation_policy.c - see escalation_policy.h.
 */
#include "escalation_policy.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define EL(m) V_AT(struct esc_level, m)
static const struct vfield level_fields[] = {
	{.name = "after_minutes", .type = V_INT, .flags = V_REQUIRED, .min = 1, .max = 10080,
	    .at = EL(after_minutes)},
	{.name = "contact_points", .type = V_INTS, .flags = V_REQUIRED, .min = 1, .max = 20,
	    .at = EL(contact_points)},
};

struct esc_top {
	const char *name;
	const json_t *levels;
	int64_t repeat;
};
#define ET(m) V_AT(struct esc_top, m)
static const struct vfield top_fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 100,
	    .check = valid_text_line, .what = "must be one line of text", .at = ET(name)},
	{.name = "levels", .type = V_ARRAY, .flags = V_REQUIRED, .min = 1, .max = ESC_MAX_LEVELS,
	    .at = ET(levels), .column = ""},
	{.name = "repeat", .type = V_INT, .min = 0, .max = 10, .def = 0, .at = ET(repeat)},
};

int esc_policy_decode(const json_t *body, struct esc_policy_input *in, struct verror *err)
{
	struct esc_top top;
	const json_t *lv;
	char path[32];
	size_t i;

	memset(in, 0, sizeof(*in));
	in->own = json_deep_copy(body);
	if (valid_decode(in->own, VFIELDS(top_fields), &top, err) < 0)
		return -1;
	in->name = top.name;
	in->repeat = top.repeat;
	json_array_foreach(top.levels, i, lv) {
		snprintf(path, sizeof(path), "levels.%zu", i);
		if (!json_is_object(lv)) {
			verror_set(err, 422, "invalid_type", path, "%s must be an object", path);
			return -1;
		}
		if (valid_decode_in(path, lv, VFIELDS(level_fields), &in->levels[i], err) < 0)
			return -1;
		in->n++;
	}
	return 0;
}

void esc_policy_free(struct esc_policy_input *in)
{
	json_decref(in->own);
	memset(in, 0, sizeof(*in));
}

json_t *esc_levels_json(const struct esc_policy_input *in)
{
	json_t *levels = json_array();

	for (size_t i = 0; i < in->n; i++) {
		json_t *cps = json_array();
		for (size_t k = 0; k < in->levels[i].contact_points.n; k++)
			json_array_append_new(cps, json_integer(vlist_int(&in->levels[i].contact_points, k)));
		json_array_append_new(levels, json_pack("{sI so}", "after_minutes",
		    (json_int_t)in->levels[i].after_minutes, "contact_points", cps));
	}
	return levels;
}

int esc_step(const int64_t *after_minutes, size_t n, int64_t repeat, int64_t k, size_t *level,
    int64_t *at)
{
	int64_t round_len = 0, t;

	if (n == 0 || k < 0 || k >= (int64_t)n * (repeat + 1))
		return -1;
	for (size_t i = 0; i < n; i++)
		round_len += after_minutes[i];
	*level = (size_t)(k % (int64_t)n);
	t = (k / (int64_t)n) * round_len;
	for (size_t i = 0; i <= *level; i++)
		t += after_minutes[i];
	*at = t;
	return 0;
}
