/*
 * policy.c - see policy.h.
 */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "rule.h"
#include "util.h"

static int valid_sev(const char *s)
{
	return severity_parse(s) != SEV__MAX;
}

static int valid_category(const char *s)
{
	return strcmp(s, "financial") == 0 || strcmp(s, "operational") == 0 ||
	    strcmp(s, "customer") == 0;
}

#define PM(m) V_AT(struct policy_matchers, m)
static const struct vfield matcher_fields[] = {
	{.name = "severity", .type = V_STRINGS, .max = 3, .check = valid_sev,
	    .what = "must be info, warning or critical", .at = PM(severity)},
	{.name = "category", .type = V_STRINGS, .max = 3, .check = valid_category,
	    .what = "must be financial, operational or customer", .at = PM(category)},
	{.name = "kpi", .type = V_STRINGS, .max = 100, .check = valid_kpi_key,
	    .what = "must be KPI keys", .at = PM(kpi)},
	{.name = "rule_ids", .type = V_INTS, .max = 1000, .at = PM(rule_ids)},
};

#define PO(m) V_AT(struct policy, m)
static const struct vfield policy_fields[] = {
	{.name = "matchers", .type = V_OBJECT, .sub = matcher_fields,
	    .nsub = GW_ARRAY_LEN(matcher_fields), .at = PO(m), .column = ""},
	{.name = "contact_points", .type = V_INTS, .flags = V_REQUIRED, .min = 1,
	    .max = POLICY_MAX_TARGETS, .at = PO(contact_points)},
	{.name = "continue", .type = V_BOOL, .at = PO(continue_matching),
	    .column = "continue_matching"},
	{.name = "group_wait_seconds", .type = V_INT, .min = 0, .max = 3600, .def = 30,
	    .at = PO(group_wait_seconds)},
	{.name = "repeat_minutes", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = 10080,
	    .at = PO(repeat_minutes), .has = PO(has_repeat)},
};

static const struct vfield default_fields[] = {
	{.name = "contact_points", .type = V_INTS, .min = 0, .max = POLICY_MAX_TARGETS,
	    .at = PO(contact_points)},
	{.name = "group_wait_seconds", .type = V_INT, .min = 0, .max = 3600, .def = 30,
	    .at = PO(group_wait_seconds)},
	{.name = "repeat_minutes", .type = V_INT, .flags = V_NULLABLE, .min = 1, .max = 10080,
	    .at = PO(repeat_minutes), .has = PO(has_repeat)},
};

/* The body's own keys: policies (required), default. */
static int check_top(const json_t *body, struct verror *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(body)) {
		verror_set(err, 400, "bad_request", NULL, "the body must be a JSON object");
		return -1;
	}
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "policies") != 0 && strcmp(key, "default") != 0) {
			verror_set(err, 400, "unknown_field", key, "unknown field %.64s", key);
			return -1;
		}
	}
	v = json_object_get(body, "policies");
	if (!json_is_array(v) || json_array_size(v) > POLICY_MAX) {
		verror_set(err, 422, v ? "invalid_value" : "missing_field", "policies",
		    "policies must be a list of at most %d policies", POLICY_MAX);
		return -1;
	}
	v = json_object_get(body, "default");
	if (v && !json_is_object(v)) {
		verror_set(err, 422, "invalid_type", "default", "default must be an object");
		return -1;
	}
	return 0;
}

int routing_decode(const json_t *body, struct routing *r, struct verror *err)
{
	const json_t *p, *dflt;
	char path[32];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (check_top(body, err) < 0)
		return -1;
	r->own = json_deep_copy(body);
	json_array_foreach(json_object_get(r->own, "policies"), i, p) {
		snprintf(path, sizeof(path), "policies.%zu", i);
		if (!json_is_object(p)) {
			verror_set(err, 422, "invalid_type", path, "%s must be an object", path);
			return -1;
		}
		if (valid_decode_in(path, p, VFIELDS(policy_fields), &r->list[i], err) < 0)
			return -1;
		r->n++;
	}
	dflt = json_object_get(r->own, "default");
	if (dflt == NULL)
		json_object_set_new(r->own, "default", json_object());
	return valid_decode_in("default", json_object_get(r->own, "default"),
	    VFIELDS(default_fields), &r->dflt, err);
}

void routing_free(struct routing *r)
{
	json_decref(r->own);
	memset(r, 0, sizeof(*r));
}

static json_t *str_list(const struct vlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(vlist_str(l, i)));
	return a;
}

static json_t *int_list(const struct vlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_integer(vlist_int(l, i)));
	return a;
}

static json_t *policy_json(const struct policy *p, int is_default)
{
	json_t *o = json_pack("{so sI so}", "contact_points", int_list(&p->contact_points),
	    "group_wait_seconds", (json_int_t)p->group_wait_seconds,
	    "repeat_minutes", p->has_repeat ? json_integer(p->repeat_minutes) : json_null());

	if (!is_default) {
		json_object_set_new(o, "matchers", json_pack("{so so so so}",
		    "severity", str_list(&p->m.severity), "category", str_list(&p->m.category),
		    "kpi", str_list(&p->m.kpi), "rule_ids", int_list(&p->m.rule_ids)));
		json_object_set_new(o, "continue", json_boolean(p->continue_matching));
	}
	return o;
}

json_t *routing_json(const struct routing *r)
{
	json_t *list = json_array();

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(list, policy_json(&r->list[i], 0));
	return json_pack("{so so}", "policies", list, "default", policy_json(&r->dflt, 1));
}

static int has_str(const struct vlist *l, const char *v)
{
	if (l->n == 0)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (v && strcmp(vlist_str(l, i), v) == 0)
			return 1;
	return 0;
}

static int has_int(const struct vlist *l, int64_t v)
{
	if (l->n == 0)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (vlist_int(l, i) == v)
			return 1;
	return 0;
}

static int matches(const struct policy_matchers *m, const struct route_alert *a)
{
	return has_str(&m->severity, a->severity) && has_str(&m->category, a->category) &&
	    has_str(&m->kpi, a->kpi) && has_int(&m->rule_ids, a->rule_id);
}

/* Adds p's contact points not yet in out; returns the new count. */
static size_t add_targets(const struct policy *p, struct route_target *out, size_t n,
    size_t max)
{
	for (size_t i = 0; i < p->contact_points.n && n < max; i++) {
		int64_t cp = vlist_int(&p->contact_points, i);
		size_t k = 0;
		while (k < n && out[k].contact_point != cp)
			k++;
		if (k < n)
			continue;
		out[n++] = (struct route_target){cp, p->group_wait_seconds,
		    p->has_repeat ? p->repeat_minutes : 0};
	}
	return n;
}

size_t routing_targets(const struct routing *r, const struct route_alert *a,
    struct route_target *out, size_t max)
{
	size_t n = 0;
	int matched = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (!matches(&r->list[i].m, a))
			continue;
		matched = 1;
		n = add_targets(&r->list[i], out, n, max);
		if (!r->list[i].continue_matching)
			break;
	}
	return matched ? n : add_targets(&r->dflt, out, n, max);
}
