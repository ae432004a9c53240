/*
 * pages_rules.c - the rules pages: the list with enable/disable, the new
 * and edit forms (every field's message next to it, values kept), delete.
 * The forms become the same JSON body the API takes and go through the
 * same core validation and transactions (rule_store.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "page.h"
#include "fmt.h"
#include "rule_store.h"

#define MAX_FIELD_ERRORS 16

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

int page_rules(struct request *req)
{
	struct kpi_names *names = kpi_names_load(req);
	json_t *rules = NULL, *r;
	struct page p;
	size_t i;

	if (names == NULL || rule_list(req->db, -1, NULL, &rules) != ST_OK) {
		kpi_names_free(names);
		return 500;
	}
	page_begin(&p, req, "Rules", "rules.html.tpl", "RULES");
	json_array_foreach(rules, i, r) {
		struct tpl_dict *d = tpl_section(p.content, "RULE");
		int enabled = json_is_true(json_object_get(r, "enabled"));
		char cond[160];

		tpl_setf(d, "ID", "%lld", (long long)json_integer_value(json_object_get(r, "id")));
		tpl_set(d, "NAME", jstr(r, "name"));
		if (*jstr(r, "description"))
			tpl_set(tpl_section(d, "HAS_DESCRIPTION"), "DESCRIPTION", jstr(r, "description"));
		tpl_set(d, "KPI_NAME", kpi_names_name(names, jstr(r, "kpi")));
		fmt_rule_condition(cond_parse(jstr(r, "condition")),
		    json_number_value(json_object_get(r, "threshold")), kpi_names_unit(names, jstr(r, "kpi")),
		    (long long)json_integer_value(json_object_get(r, "window_minutes")),
		    (long long)json_integer_value(json_object_get(r, "window_samples")), cond, sizeof(cond));
		tpl_set(d, "CONDITION_TEXT", cond);
		tpl_set(d, "SEVERITY", jstr(r, "severity"));
		tpl_setf(d, "RECIPIENT_COUNT", "%lu",
		    (unsigned long)json_array_size(json_object_get(r, "recipients")));
		tpl_set(d, "ENABLED_TEXT", enabled ? "on" : "off");
		tpl_set(d, "TOGGLE_TO", enabled ? "0" : "1");
		tpl_set(d, "TOGGLE_LABEL", enabled ? "disable" : "enable");
		page_roles(req, d);
	}
	if (json_array_size(rules) == 0)
		tpl_show(p.content, "NONE");
	json_decref(rules);
	kpi_names_free(names);
	return page_end(&p, req, 200);
}

static void field_error(struct verror *errs, int *nerr, const struct verror *e)
{
	if (*nerr < MAX_FIELD_ERRORS)
		errs[(*nerr)++] = *e;
}

/*
 * A number field in the API's grammar (parse_number, parse_int64): set in
 * obj as key if given, a field error naming field if not such a number.
 */
static void number_field(const struct request *req, json_t *obj, const char *field,
    const char *key, int integer, struct verror *errs, int *nerr)
{
	const char *v = page_form(req, field);
	struct verror e;
	int64_t i;
	double d;

	if (*v == '\0')
		return;
	if (integer && parse_int64(v, INT64_MIN, INT64_MAX, &i) == 0) {
		json_object_set_new(obj, key, json_integer((json_int_t)i));
		return;
	}
	if (!integer && parse_number(v, &d) == 0) {
		json_object_set_new(obj, key, json_real(d));
		return;
	}
	verror_set(&e, 422, "invalid_type", field, integer ?
	    "%s must be a whole number, like 60 (digits, no spaces)" :
	    "%s must be a decimal number, like 5000, -3, 0.5 or 1e3 (no spaces, no hex)", field);
	field_error(errs, nerr, &e);
}

/* An address textarea as a JSON array (valid_address_lines); NULL and a field error if it breaks the grammar. */
static json_t *address_field(const struct request *req, const char *field,
    struct verror *errs, int *nerr)
{
	struct verror e;
	json_t *list = valid_address_lines(page_form(req, field), field, &e);

	if (list == NULL)
		field_error(errs, nerr, &e);
	return list;
}

/*
 * The form as the API's rule body. Number and address fields that break
 * their grammar are errors here; the rest is the core's validation.
 */
static json_t *form_rule(const struct request *req, struct verror *errs, int *nerr)
{
	static const char *const texts[] = {"name", "description", "kpi", "condition", "severity"};
	static const char *const ints[] = {"window_minutes", "window_samples", "for_evaluations",
	    "cooldown_minutes"};
	json_t *in = json_object(), *rcpt, *esc_rcpt;
	const char *esc_after = page_form(req, "escalation_after_minutes");

	*nerr = 0;
	for (size_t k = 0; k < GW_ARRAY_LEN(texts); k++)
		json_object_set_new(in, texts[k], json_string(page_form(req, texts[k])));
	number_field(req, in, "threshold", "threshold", 0, errs, nerr);
	for (size_t k = 0; k < GW_ARRAY_LEN(ints); k++)
		number_field(req, in, ints[k], ints[k], 1, errs, nerr);
	if ((rcpt = address_field(req, "recipients", errs, nerr)) != NULL)
		json_object_set_new(in, "recipients", rcpt);
	json_object_set_new(in, "notify_resolved", json_boolean(*page_form(req, "notify_resolved")));
	json_object_set_new(in, "enabled", json_boolean(*page_form(req, "enabled")));
	esc_rcpt = address_field(req, "escalation_recipients", errs, nerr);
	if (*esc_after || esc_rcpt == NULL || json_array_size(esc_rcpt)) {
		json_t *esc = json_object();
		if (esc_rcpt)
			json_object_set(esc, "recipients", esc_rcpt);
		number_field(req, esc, "escalation_after_minutes", "after_minutes", 1, errs, nerr);
		json_object_set_new(in, "escalation", esc);
	}
	json_decref(esc_rcpt);
	return in;
}

/* The form field a validation error belongs to. */
static const char *form_field(const char *api_field)
{
	if (strcmp(api_field, "escalation.after_minutes") == 0 || strcmp(api_field, "escalation") == 0)
		return "escalation_after_minutes";
	if (strcmp(api_field, "escalation.recipients") == 0)
		return "escalation_recipients";
	return api_field;
}

static void upper_key(char *out, size_t len, const char *prefix, const char *field)
{
	size_t n = (size_t)snprintf(out, len, "%s", prefix);
	for (; *field && n + 1 < len; field++)
		out[n++] = (char)(isalnum((unsigned char)*field) ? toupper((unsigned char)*field) : '_');
	out[n] = '\0';
}

/* The lines of a textarea (valid_address_lines' grammar) for a list of addresses. */
static void join_addresses(const json_t *list, struct buf *out)
{
	size_t i;
	const json_t *v;

	buf_reset(out);
	json_array_foreach(list, i, v) {
		if (i)
			buf_putc(out, '\n');
		buf_puts(out, json_string_value(v));
	}
}

/* A stored number as the form shows it: the shortest text that reads back the same double. */
static void number_text(const json_t *v, char *out, size_t len)
{
	out[0] = '\0';
	if (json_is_integer(v)) {
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_number(v)) {
		double d = json_number_value(v);
		snprintf(out, len, "%.15g", d);
		if (strtod(out, NULL) != d)
			snprintf(out, len, "%.17g", d);
	}
}

/* A field as shown: after a failed submit what was typed, else the stored value. */
static void show_field(const struct request *req, struct tpl_dict *d, const char *field,
    const char *stored)
{
	const char *typed = req->route->method == M_POST ? req_form(req, field) : NULL;
	char key[64];

	upper_key(key, sizeof(key), "", field);
	tpl_set(d, key, typed ? typed : stored);
}

static void show_number(const struct request *req, struct tpl_dict *d, const char *field,
    const json_t *v)
{
	char text[40];

	number_text(v, text, sizeof(text));
	show_field(req, d, field, text);
}

static void show_addresses(const struct request *req, struct tpl_dict *d, const char *field,
    const json_t *list)
{
	struct buf text;

	buf_init(&text);
	join_addresses(list, &text);
	show_field(req, d, field, text.data ? text.data : "");
	buf_free(&text);
}

/* Every field's value: the options selected, numbers and lists as typed back. */
static void rule_form_values(const struct request *req, struct tpl_dict *d,
    const struct kpi_names *names, const json_t *rule)
{
	static const char *const sevs[] = {"info", "warning", "critical"};
	static const char *const nums[] = {"threshold", "window_minutes", "window_samples",
	    "for_evaluations", "cooldown_minutes"};
	const json_t *esc = json_object_get(rule, "escalation");

	tpl_set(d, "NAME", jstr(rule, "name"));
	tpl_set(d, "DESCRIPTION", jstr(rule, "description"));
	page_kpi_options(d, names, jstr(rule, "kpi"));
	for (int c = 0; c < COND__MAX; c++)
		page_option(d, "COND_OPT", cond_name((enum cond)c), cond_label((enum cond)c),
		    jstr(rule, "condition"));
	for (size_t k = 0; k < GW_ARRAY_LEN(sevs); k++)
		page_option(d, "SEV_OPT", sevs[k], NULL,
		    *jstr(rule, "severity") ? jstr(rule, "severity") : "warning");
	for (size_t k = 0; k < GW_ARRAY_LEN(nums); k++)
		show_number(req, d, nums[k], json_object_get(rule, nums[k]));
	show_addresses(req, d, "recipients", json_object_get(rule, "recipients"));
	show_addresses(req, d, "escalation_recipients", json_object_get(esc, "recipients"));
	show_number(req, d, "escalation_after_minutes", json_object_get(esc, "after_minutes"));
	if (json_is_true(json_object_get(rule, "notify_resolved")))
		tpl_show(d, "NOTIFY_RESOLVED");
	if (json_is_true(json_object_get(rule, "enabled")))
		tpl_show(d, "ENABLED");
}

static void rule_form_errors(struct tpl_dict *d, const struct verror *errs, int nerr)
{
	static const char *const fields[] = {"name", "description", "kpi", "condition",
	    "threshold", "severity", "window_minutes", "window_samples", "for_evaluations",
	    "cooldown_minutes", "recipients", "escalation_after_minutes",
	    "escalation_recipients"};
	char key[64];

	for (size_t k = 0; k < GW_ARRAY_LEN(fields); k++) {
		upper_key(key, sizeof(key), "INVALID_", fields[k]);
		tpl_set(d, key, "false");
	}
	for (int k = 0; k < nerr; k++) {
		const char *field = form_field(errs[k].field);
		upper_key(key, sizeof(key), "ERR_", field);
		tpl_set(tpl_section(d, key), "MSG", errs[k].message);
		upper_key(key, sizeof(key), "INVALID_", field);
		tpl_set(d, key, "true");
	}
	if (nerr)
		tpl_set_int(tpl_section(d, "HAS_ERRORS"), "ERROR_COUNT", nerr);
}

/*
 * Renders the form with the values of rule (a stored rule, or the body a
 * failed submit made) and errs next to their fields.
 */
static int rule_form(struct request *req, int status, const json_t *rule, int64_t id,
    const struct verror *errs, int nerr)
{
	struct kpi_names *names = kpi_names_load(req);
	struct page p;

	if (names == NULL)
		return 500;
	page_begin(&p, req, id ? jstr(rule, "name") : "New rule", "rule_form.html.tpl", "RULES");
	if (id) {
		tpl_setf(tpl_section(p.content, "EXISTING"), "ID", "%lld", (long long)id);
		tpl_setf(p.content, "ACTION", "/rules/%lld", (long long)id);
		tpl_set(p.content, "HEADING", *jstr(rule, "name") ? jstr(rule, "name") : "Rule");
		tpl_set(p.content, "CRUMB", "Edit");
		tpl_set(p.content, "SUBMIT", "Save");
		tpl_setf(p.content, "ID", "%lld", (long long)id);
	} else {
		tpl_set(p.content, "ACTION", "/rules");
		tpl_set(p.content, "HEADING", "New rule");
		tpl_set(p.content, "CRUMB", "New");
		tpl_set(p.content, "SUBMIT", "Create rule");
	}
	rule_form_values(req, p.content, names, rule);
	rule_form_errors(p.content, errs, nerr);
	kpi_names_free(names);
	return page_end(&p, req, status);
}

int page_rule_new(struct request *req)
{
	json_t *blank = json_pack("{ss ss sb sb si si}", "condition", "gt", "severity", "warning",
	    "notify_resolved", 1, "enabled", 1, "for_evaluations", 1, "cooldown_minutes", 60);
	int rc = rule_form(req, 200, blank, 0, NULL, 0);

	json_decref(blank);
	return rc;
}

int page_rule_edit(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *rule = NULL;
	enum store_rc rc = rule_get(req->db, id, &rule);
	int status;

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK)
		return 500;
	status = rule_form(req, 200, rule, id, NULL, 0);
	json_decref(rule);
	return status;
}

/* Drops the errors of a form field that has one already (the form's own come first); the count left. */
static int keep_first_per_field(struct verror *errs, int n)
{
	int kept = 0;

	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < kept && !seen; j++)
			seen = strcmp(form_field(errs[j].field), form_field(errs[i].field)) == 0;
		if (!seen)
			errs[kept++] = errs[i];
	}
	return kept;
}

/* Create (id 0) or replace from the form; errors re-render it (422). */
static int rule_save(struct request *req, int64_t id)
{
	struct verror errs[MAX_FIELD_ERRORS];
	int nerr = 0, more = 0, status;
	json_t *in = form_rule(req, errs, &nerr), *out = NULL;
	enum store_rc rc = rule_validate_all(req->db, in, errs + nerr, MAX_FIELD_ERRORS - nerr, &more);

	nerr = keep_first_per_field(errs, nerr + more);
	if (rc == ST_ERROR) {
		json_decref(in);
		return 500;
	}
	if (nerr > 0) {
		status = rule_form(req, 422, in, id, errs, nerr);
		json_decref(in);
		return status;
	}
	rc = id ? rule_replace(req->db, &req->who, id, in, &out, &errs[0]) :
	    rule_create(req->db, &req->who, in, &out, &errs[0]);
	json_decref(in);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK) {
		json_decref(out);
		return 500;
	}
	page_flash(req, "ok", id ? "The rule is saved." : "The rule is created.");
	{
		char *loc = xasprintf("/rules/%lld",
		    (long long)json_integer_value(json_object_get(out, "id")));
		status = req_redirect(req, loc);
		free(loc);
	}
	json_decref(out);
	return status;
}

int page_rule_create(struct request *req)
{
	return rule_save(req, 0);
}

int page_rule_update(struct request *req)
{
	return rule_save(req, req_param_id(req, "id"));
}

int page_rule_enabled(struct request *req)
{
	json_t *out = NULL;
	int on = strcmp(page_form(req, "enabled"), "1") == 0;
	enum store_rc rc = rule_set_enabled(req->db, &req->who, req_param_id(req, "id"), on, &out);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", on ? "The rule is enabled." : "The rule is disabled.");
	return req_redirect(req, "/rules");
}

int page_rule_delete(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = rule_delete_request(req, req_param_id(req, "id"), &out);
	size_t resolved = json_array_size(json_object_get(out, "resolved"));

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", resolved ? "The rule is deleted; its open alerts are resolved." :
	    "The rule is deleted.");
	return req_redirect(req, "/rules");
}
