/*
 * pages_rules.c - the rules pages: the list with enable/disable, the new
 * and edit forms (every field's message next to it, values kept), delete.
 * The forms become the same JSON body the API takes and go through the
 * same core validation and transactions (rule_store.c).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "page.h"
#include "rule.h"
#include "rule_store.h"

#define MAX_FIELD_ERRORS 16

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* "Revenue today below 5,000 USD" */
static void condition_text(const json_t *rule, const char *unit, char *out, size_t len)
{
	enum cond c = cond_parse(jstr(rule, "condition"));
	double t = json_number_value(json_object_get(rule, "threshold"));
	char v[64];

	if (c == COND_PCT_CHANGE_GT || c == COND_PCT_CHANGE_LT)
		snprintf(out, len, "%s %g%% in %lld min", cond_words(c), t,
		    (long long)json_integer_value(json_object_get(rule, "window_minutes")));
	else if (c == COND_ZSCORE_GT)
		snprintf(out, len, "z-score above %g over %lld samples", t,
		    (long long)json_integer_value(json_object_get(rule, "window_samples")));
	else {
		fmt_value(t, unit, v, sizeof(v));
		snprintf(out, len, "%s %s", cond_words(c), v);
	}
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
		condition_text(r, kpi_names_unit(names, jstr(r, "kpi")), cond, sizeof(cond));
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

/* Addresses from a textarea: one per line (commas too), blanks dropped. */
static json_t *address_list(const char *text)
{
	json_t *list = json_array();
	char *copy = xstrdup(text), *save = NULL;

	for (char *tok = strtok_r(copy, ",;\r\n", &save); tok; tok = strtok_r(NULL, ",;\r\n", &save)) {
		char *end;
		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*tok)
			json_array_append_new(list, json_string(tok));
	}
	free(copy);
	return list;
}

/* A number field: set in obj if given; a field error if not a number. */
static void number_field(const struct request *req, json_t *obj, const char *field,
    int integer, struct verror *errs, int *nerr)
{
	const char *v = page_form(req, field);
	char *end;
	double d;

	while (isspace((unsigned char)*v))
		v++;
	if (*v == '\0')
		return;
	errno = 0;
	d = strtod(v, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || errno != 0 || !isfinite(d) || (integer && d != floor(d))) {
		if (*nerr < MAX_FIELD_ERRORS)
			verror_set(&errs[(*nerr)++], 422, "invalid_type", field, "%s must be %s",
			    field, integer ? "a whole number" : "a number");
		return;
	}
	json_object_set_new(obj, field, integer ? json_integer((json_int_t)d) : json_real(d));
}

/*
 * The form as the API's rule body. Number fields that are not numbers are
 * errors here; the rest is the core's validation.
 */
static json_t *form_rule(const struct request *req, struct verror *errs, int *nerr)
{
	json_t *in = json_object(), *esc_rcpt;
	const char *esc_after = page_form(req, "escalation_after_minutes");

	*nerr = 0;
	json_object_set_new(in, "name", json_string(page_form(req, "name")));
	json_object_set_new(in, "description", json_string(page_form(req, "description")));
	json_object_set_new(in, "kpi", json_string(page_form(req, "kpi")));
	json_object_set_new(in, "condition", json_string(page_form(req, "condition")));
	json_object_set_new(in, "severity", json_string(page_form(req, "severity")));
	number_field(req, in, "threshold", 0, errs, nerr);
	number_field(req, in, "window_minutes", 1, errs, nerr);
	number_field(req, in, "window_samples", 1, errs, nerr);
	number_field(req, in, "for_evaluations", 1, errs, nerr);
	number_field(req, in, "cooldown_minutes", 1, errs, nerr);
	json_object_set_new(in, "recipients", address_list(page_form(req, "recipients")));
	json_object_set_new(in, "notify_resolved", json_boolean(*page_form(req, "notify_resolved")));
	json_object_set_new(in, "enabled", json_boolean(*page_form(req, "enabled")));
	esc_rcpt = address_list(page_form(req, "escalation_recipients"));
	if (*esc_after || json_array_size(esc_rcpt)) {
		json_t *esc = json_object();
		struct verror e;
		int n = 0;
		json_object_set_new(esc, "recipients", json_incref(esc_rcpt));
		number_field(req, esc, "escalation_after_minutes", 1, &e, &n);
		if (n) {
			if (*nerr < MAX_FIELD_ERRORS)
				errs[(*nerr)++] = e;
		} else if (json_object_get(esc, "escalation_after_minutes")) {
			json_object_set(esc, "after_minutes", json_object_get(esc, "escalation_after_minutes"));
			json_object_del(esc, "escalation_after_minutes");
		}
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

/*
 * Renders the form with the values of rule (a stored rule, or the body a
 * failed submit made) and errs next to their fields.
 */
static int rule_form(struct request *req, int status, const json_t *rule, int64_t id,
    const struct verror *errs, int nerr)
{
	static const char *const conds[][2] = {
		{"gt", "above the threshold"}, {"gte", "at or above the threshold"},
		{"lt", "below the threshold"}, {"lte", "at or below the threshold"},
		{"eq", "equal to the threshold"}, {"neq", "not equal to the threshold"},
		{"pct_change_gt", "rose by more than threshold % (percent change)"},
		{"pct_change_lt", "changed by less than threshold % (a fall: negative)"},
		{"zscore_gt", "unusual: more than threshold standard deviations from the mean"},
	};
	static const char *const sevs[] = {"info", "warning", "critical"};
	static const char *const fields[] = {"name", "description", "kpi", "condition",
	    "threshold", "severity", "window_minutes", "window_samples", "for_evaluations",
	    "cooldown_minutes", "recipients", "escalation_after_minutes",
	    "escalation_recipients"};
	struct kpi_names *names = kpi_names_load(req);
	const json_t *esc = json_object_get(rule, "escalation");
	struct page p;
	struct buf text;
	char key[64];

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
	tpl_set(p.content, "NAME", jstr(rule, "name"));
	tpl_set(p.content, "DESCRIPTION", jstr(rule, "description"));
	page_kpi_options(p.content, names, jstr(rule, "kpi"));
	for (size_t k = 0; k < GW_ARRAY_LEN(conds); k++)
		page_option(p.content, "COND_OPT", conds[k][0], conds[k][1], jstr(rule, "condition"));
	for (size_t k = 0; k < GW_ARRAY_LEN(sevs); k++)
		page_option(p.content, "SEV_OPT", sevs[k], NULL,
		    *jstr(rule, "severity") ? jstr(rule, "severity") : "warning");
	/* numbers: what was stored or typed (a typed non-number is kept as typed) */
	{
		static const char *const nums[] = {"threshold", "window_minutes", "window_samples",
		    "for_evaluations", "cooldown_minutes"};
		for (size_t k = 0; k < GW_ARRAY_LEN(nums); k++) {
			const json_t *v = json_object_get(rule, nums[k]);
			const char *typed = req->route->method == M_POST ? req_form(req, nums[k]) : NULL;
			upper_key(key, sizeof(key), "", nums[k]);
			if (typed)
				tpl_set(p.content, key, typed);
			else if (json_is_integer(v))
				tpl_setf(p.content, key, "%lld", (long long)json_integer_value(v));
			else if (json_is_number(v))
				tpl_setf(p.content, key, "%.15g", json_number_value(v));
		}
	}
	buf_init(&text);
	join_addresses(json_object_get(rule, "recipients"), &text);
	tpl_set(p.content, "RECIPIENTS", text.data ? text.data : "");
	join_addresses(json_object_get(esc, "recipients"), &text);
	tpl_set(p.content, "ESCALATION_RECIPIENTS", text.data ? text.data : "");
	if (req->route->method == M_POST)
		tpl_set(p.content, "ESCALATION_AFTER_MINUTES", page_form(req, "escalation_after_minutes"));
	else if (json_is_integer(json_object_get(esc, "after_minutes")))
		tpl_setf(p.content, "ESCALATION_AFTER_MINUTES", "%lld",
		    (long long)json_integer_value(json_object_get(esc, "after_minutes")));
	buf_free(&text);
	if (json_is_true(json_object_get(rule, "notify_resolved")))
		tpl_show(p.content, "NOTIFY_RESOLVED");
	if (json_is_true(json_object_get(rule, "enabled")))
		tpl_show(p.content, "ENABLED");
	for (size_t k = 0; k < GW_ARRAY_LEN(fields); k++) {
		upper_key(key, sizeof(key), "INVALID_", fields[k]);
		tpl_set(p.content, key, "false");
	}
	for (int k = 0; k < nerr; k++) {
		const char *field = form_field(errs[k].field);
		struct tpl_dict *e;
		upper_key(key, sizeof(key), "ERR_", field);
		e = tpl_section(p.content, key);
		tpl_set(e, "MSG", errs[k].message);
		upper_key(key, sizeof(key), "INVALID_", field);
		tpl_set(p.content, key, "true");
	}
	if (nerr) {
		struct tpl_dict *h = tpl_section(p.content, "HAS_ERRORS");
		tpl_set_int(h, "ERROR_COUNT", nerr);
	}
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

/* Create (id 0) or replace from the form; errors re-render it (422). */
static int rule_save(struct request *req, int64_t id)
{
	struct verror errs[MAX_FIELD_ERRORS];
	int nerr = 0, more = 0, status;
	json_t *in = form_rule(req, errs, &nerr), *out = NULL;
	enum store_rc rc = rule_validate_all(req->db, in, errs + nerr, MAX_FIELD_ERRORS - nerr, &more);

	nerr += more;
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
	enum store_rc rc = rule_delete(req->db, req->cfg, &req->who, req_param_id(req, "id"), &out);
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
