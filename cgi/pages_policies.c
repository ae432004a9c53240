/*
 * pages_policies.c - the notification policies page: the ordered list as
 * one form (each policy's matchers, contact points, continue, group wait
 * and repeat; the default; a blank policy to add), saved whole through
 * routing_put like PUT /api/notification-policies. Move up, move down and
 * remove submit the whole form too, so nothing typed is lost; a refusal
 * comes back as typed with the decoder's message at its field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "contact_point_store.h"
#include "form_words.h"
#include "page.h"
#include "policy_store.h"
#include "rule_store.h"

/* One policy of the form (prefix "p0", "p1", ..., "pnew"; "pd" the default) as the API's. */
/*
 * "12, 15": the rule ids typed, as the API's list. A word that is no id
 * stays a string, which the API's check refuses at the field. (A shop has
 * hundreds of rules: a box for each in every policy would make the page
 * too long to use.)
 */
static json_t *typed_ids(const char *text)
{
	json_t *a = json_array();
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	int64_t v;

	for (char *w = strtok_r(copy, ", \t\r\n", &save); w; w = strtok_r(NULL, ", \t\r\n", &save))
		json_array_append_new(a, parse_int64(w, 1, INT64_MAX, &v) == 0 ? json_integer(v) :
		    json_string(w));
	free(copy);
	return a;
}

static json_t *form_policy(const struct request *req, const char *prefix, int is_default)
{
	char key[48];
	json_t *p = json_object(), *n;

#define FIELD(name) (snprintf(key, sizeof(key), "%s_%s", prefix, name), key)
	json_object_set_new(p, "contact_points", page_form_all(req, FIELD("cp_"), 1));
	if ((n = page_form_number(req, FIELD("wait"))) != NULL)
		json_object_set_new(p, "group_wait_seconds", n);
	if ((n = page_form_number(req, FIELD("repeat"))) != NULL)
		json_object_set_new(p, "repeat_minutes", n);
	if (!is_default) {
		json_t *m = json_object();
		json_object_set_new(m, "severity", page_form_all(req, FIELD("severity_"), 0));
		json_object_set_new(m, "category", page_form_all(req, FIELD("category_"), 0));
		json_object_set_new(m, "kpi", page_form_all(req, FIELD("kpi_"), 0));
		json_object_set_new(m, "rule_ids", typed_ids(page_form(req, FIELD("rules"))));
		json_object_set_new(p, "matchers", m);
		json_object_set_new(p, "continue", json_boolean(*page_form(req, FIELD("continue"))));
	}
#undef FIELD
	return p;
}

/* Whether the blank policy was filled in: any contact point or matcher chosen. */
static int filled(const json_t *p)
{
	const json_t *m = json_object_get(p, "matchers"), *v;
	const char *k;

	if (json_array_size(json_object_get(p, "contact_points")))
		return 1;
	json_object_foreach((json_t *)m, k, v)
		if (json_array_size(v))
			return 1;
	return 0;
}

/* op "up-N", "down-N" or "remove-N" applied to the list. */
static void apply_op(json_t *list, const char *op)
{
	size_t n = json_array_size(list);
	long i = -1;
	int up = 0, down = 0;

	if (sscanf(op, "up-%ld", &i) == 1)
		up = 1;
	else if (sscanf(op, "down-%ld", &i) == 1)
		down = 1;
	else if (sscanf(op, "remove-%ld", &i) != 1)
		return;
	if (i < 0 || (size_t)i >= n)
		return;
	if (!up && !down) {
		json_array_remove(list, (size_t)i);
	} else if ((up && i > 0) || (down && (size_t)i + 1 < n)) {
		size_t j = up ? (size_t)i - 1 : (size_t)i + 1;
		json_t *a = json_incref(json_array_get(list, (size_t)i));
		json_array_set(list, (size_t)i, json_array_get(list, j));
		json_array_set_new(list, j, a);
	}
}

/* The form as the API's body, the move or removal asked for applied. */
static json_t *form_body(const struct request *req)
{
	json_t *list = json_array(), *fresh;
	int64_t count = 0;
	char prefix[24];

	parse_int64(page_form(req, "count"), 0, POLICY_MAX, &count);
	for (int64_t i = 0; i < count; i++) {
		snprintf(prefix, sizeof(prefix), "p%lld", (long long)i);
		json_array_append_new(list, form_policy(req, prefix, 0));
	}
	apply_op(list, page_form(req, "op"));
	fresh = form_policy(req, "pnew", 0);
	if (filled(fresh))
		json_array_append_new(list, fresh);
	else
		json_decref(fresh);
	return json_pack("{so so}", "policies", list, "default", form_policy(req, "pd", 1));
}

/* What the page chooses from: contact points, rules, KPIs. */
struct choices {
	json_t *cps, *rules;
	struct kpi_names *kpis;
};

static const char *const severities[] = {"critical", "warning", "info"};
static const char *const categories[] = {"financial", "operational", "customer"};

static int in_list(const json_t *list, const char *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), v) == 0)
			return 1;
	return 0;
}

/* SECTION options of values, SEL those in chosen. */
static void str_options(struct tpl_dict *d, const char *section, const char *const *values,
    size_t n, const json_t *chosen)
{
	for (size_t i = 0; i < n; i++) {
		struct tpl_dict *o = tpl_section(d, section);
		tpl_set(o, "V", values[i]);
		if (in_list(chosen, values[i]))
			tpl_show(o, "SEL");
	}
}

/* The rule ids as typed ("12, 15") and, for each that is a rule, its name. */
static void rule_ids_shown(struct tpl_dict *row, const json_t *rules, const json_t *ids)
{
	struct buf text;
	const json_t *v, *r;
	size_t i, k;

	buf_init(&text);
	json_array_foreach(ids, i, v) {
		if (json_is_integer(v))
			buf_printf(&text, "%s%lld", i ? ", " : "", (long long)json_integer_value(v));
		else if (json_is_string(v))
			buf_printf(&text, "%s%s", i ? ", " : "", json_string_value(v));
		json_array_foreach(rules, k, r)
			if (json_is_integer(v) && json_integer_value(json_object_get(r, "id")) ==
			    json_integer_value(v))
				tpl_set(tpl_section(row, "RULE_CHOSEN"), "LABEL",
				    json_string_value(json_object_get(r, "name")));
	}
	tpl_set(row, "RULE_IDS", text.data ? text.data : "");
	buf_free(&text);
}

static void matcher_options(struct tpl_dict *row, const struct choices *c, const json_t *m)
{
	str_options(row, "SEV_OPT", severities, GW_ARRAY_LEN(severities),
	    json_object_get(m, "severity"));
	str_options(row, "CAT_OPT", categories, GW_ARRAY_LEN(categories),
	    json_object_get(m, "category"));
	for (int k = 0; k < kpi_names_count(c->kpis); k++) {
		struct tpl_dict *o = tpl_section(row, "KPI_OPT");
		tpl_set(o, "V", kpi_names_key_at(c->kpis, k));
		tpl_set(o, "LABEL", kpi_names_name_at(c->kpis, k));
		if (in_list(json_object_get(m, "kpi"), kpi_names_key_at(c->kpis, k)))
			tpl_show(o, "SEL");
	}
	rule_ids_shown(row, c->rules, json_object_get(m, "rule_ids"));
}

/* The number typed or stored at key of p, or "" (none). */
static void number_value(struct tpl_dict *row, const char *tkey, const json_t *p, const char *key)
{
	const json_t *v = json_object_get(p, key);

	if (json_is_integer(v))
		tpl_setf(row, tkey, "%lld", (long long)json_integer_value(v));
	else
		tpl_set(row, tkey, json_is_string(v) ? json_string_value(v) : "");
}

/* One POLICY section: prefix (the form's names), legend, the policy p (NULL: blank). */
static struct tpl_dict *show_policy(const struct request *req, struct tpl_dict *d,
    const struct choices *c, const char *prefix, const json_t *p, int is_default)
{
	struct tpl_dict *row = tpl_section(d, "POLICY");

	page_roles(req, row);
	tpl_set(row, "P", prefix);
	page_id_options(row, "CP_OPT", c->cps, json_object_get(p, "contact_points"));
	number_value(row, "WAIT", p, "group_wait_seconds");
	number_value(row, "REPEAT", p, "repeat_minutes");
	if (is_default) {
		tpl_show(row, "IS_DEFAULT");
		return row;
	}
	tpl_show(row, "HAS_MATCHERS");
	matcher_options(row, c, json_object_get(p, "matchers"));
	if (json_is_true(json_object_get(p, "continue")))
		tpl_show(row, "CONTINUE");
	return row;
}

/* The error's field ("policies.2.matchers.kpi", "default.repeat_minutes") as its section. */
static void show_error(struct tpl_dict **rows, size_t nrows, struct tpl_dict *dflt,
    struct tpl_dict *top, const struct verror *err)
{
	static const struct { const char *field, *key; } keys[] = {
		{"matchers.severity", "ERR_SEVERITY"}, {"matchers.category", "ERR_CATEGORY"},
		{"matchers.kpi", "ERR_KPI"}, {"matchers.rule_ids", "ERR_RULES"},
		{"contact_points", "ERR_CP"}, {"group_wait_seconds", "ERR_WAIT"},
		{"repeat_minutes", "ERR_REPEAT"},
	};
	const char *f = err->field, *rest = NULL;
	struct tpl_dict *row = NULL;
	char *end;

	if (strncmp(f, "policies.", 9) == 0) {
		unsigned long i = strtoul(f + 9, &end, 10);
		if (end != f + 9 && i < nrows) {
			row = rows[i];
			rest = *end == '.' ? end + 1 : "";
		}
	} else if (strncmp(f, "default.", 8) == 0) {
		row = dflt;
		rest = f + 8;
	}
	for (size_t k = 0; row && k < GW_ARRAY_LEN(keys); k++)
		if (strncmp(rest, keys[k].field, strlen(keys[k].field)) == 0) {
			tpl_set(tpl_section(row, keys[k].key), "MSG", err->message);
			return;
		}
	tpl_set(tpl_section(row ? row : top, row ? "ERR_POLICY" : "ERR_FORM"), "MSG",
	    err->message);
}

/* The notification policies' fields in their labels' words (form_words.h). */
static const struct form_word policy_words[] = {
	{.field = "policies.*.matchers.rule_ids", .label = "Rule ids"},
	{.field = "policies.*.contact_points", .label = "Send to"},
	{.field = "policies.*.group_wait_seconds", .label = "Group wait, seconds"},
	{.field = "policies.*.repeat_minutes", .label = "Repeat every, minutes"},
	{.field = "default.contact_points", .label = "Send to"},
	{.field = "default.group_wait_seconds", .label = "Group wait, seconds"},
	{.field = "default.repeat_minutes", .label = "Repeat every, minutes"},
};

/* The page for routing r (stored, or as typed after a refusal err). */
static int render(struct request *req, const json_t *r, int status, const struct verror *err)
{
	const json_t *list = json_object_get(r, "policies"), *pol;
	struct tpl_dict *rows[POLICY_MAX + 1], *dflt;
	struct choices c = {0};
	struct page p;
	char prefix[24];
	size_t i, n = json_array_size(list);
	int rc = 500;

	if (cp_list(req->db, &c.cps) != ST_OK || rule_list(req->db, -1, NULL, &c.rules) != ST_OK ||
	    (c.kpis = kpi_names_load(req)) == NULL)
		goto out;
	page_begin(&p, req, "Notification policies", "notification_policies.html.tpl", "RULES");
	page_roles(req, p.content);
	tpl_setf(p.content, "COUNT", "%zu", n > POLICY_MAX ? (size_t)POLICY_MAX : n);
	json_array_foreach(list, i, pol) {
		if (i >= POLICY_MAX)
			break;
		snprintf(prefix, sizeof(prefix), "p%zu", i);
		rows[i] = show_policy(req, p.content, &c, prefix, pol, 0);
		tpl_setf(rows[i], "N", "%zu", i + 1);
		tpl_setf(rows[i], "I", "%zu", i);
		if (i > 0)
			tpl_show(rows[i], "CAN_UP");
		if (i + 1 < n)
			tpl_show(rows[i], "CAN_DOWN");
		tpl_show(rows[i], "CAN_MOVE");
	}
	if (n == 0)
		tpl_show(p.content, "NO_POLICIES");
	dflt = show_policy(req, p.content, &c, "pd", json_object_get(r, "default"), 1);
	if (req->who.role >= ROLE_ADMIN)
		tpl_show(show_policy(req, p.content, &c, "pnew", NULL, 0), "IS_NEW");
	if (json_array_size(c.cps) == 0)
		tpl_show(p.content, "NO_CPS");
	if (err) {
		struct verror said = *err;

		form_words(req, &said, FORM_WORDS(policy_words));
		show_error(rows, n < POLICY_MAX ? n : POLICY_MAX, dflt, p.content, &said);
	}
	rc = page_end(&p, req, status);
out:
	json_decref(c.cps);
	json_decref(c.rules);
	kpi_names_free(c.kpis);
	return rc;
}

int page_policies(struct request *req)
{
	json_t *r = NULL;
	int rc;

	if (routing_get(req->db, &r) != ST_OK)
		return 500;
	rc = render(req, r, 200, NULL);
	json_decref(r);
	return rc;
}

/* POST /notification-policies: the whole list, saved (or refused at its field). */
int page_policies_save(struct request *req)
{
	json_t *body = form_body(req), *out = NULL;
	struct routing r;
	struct verror err;
	enum store_rc rc = ST_INVALID;
	int status;

	if (routing_decode(body, &r, &err) == 0)
		rc = routing_put(req->db, &req->who, &r, &out, &err);
	routing_free(&r);
	json_decref(out);
	if (rc == ST_INVALID || rc == ST_CONFLICT) {
		status = render(req, body, 422, &err);
		json_decref(body);
		return status;
	}
	json_decref(body);
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "The notification policies are saved.");
	return req_redirect(req, "/notification-policies");
}
