/*
 * pages_rules.c - the rules pages: the list with enable/disable, the new
 * and edit forms (every field's message next to it, values kept), delete.
 * The forms become the same JSON body the API takes, decoded by the same
 * field table into a struct rule_input, and go through the same store
 * (rule_store.c).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "contact_point_store.h"
#include "alert.h"
#include "escalation_policy_store.h"
#include "page.h"
#include "fmt.h"
#include "form_words.h"
#include "json_out.h"
#include "mail.h"
#include "rule_store.h"
#include "starter.h"

#define MAX_FIELD_ERRORS 16

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/*
 * What rule (its JSON) is doing, in words: the status, the pending count
 * of a pending rule, its last value and when it was evaluated.
 */
static void rule_status_words(struct tpl_dict *d, const json_t *rule, const char *unit)
{
	const char *status = json_string_value(json_object_get(rule, "status"));
	const json_t *last = json_object_get(rule, "last_value");
	const char *at = json_string_value(json_object_get(rule, "last_evaluated_at"));
	char value[64];

	tpl_set(d, "STATUS", status ? status : "normal");
	if (json_is_integer(json_object_get(rule, "pending_count")))
		tpl_setf(d, "PENDING_TEXT", " (%lld of %lld)",
		    (long long)json_integer_value(json_object_get(rule, "pending_count")),
		    (long long)json_integer_value(json_object_get(rule, "for_evaluations")));
	if (json_is_number(last) && at) {
		fmt_value(json_number_value(last), unit, value, sizeof(value));
		tpl_set(tpl_section(d, "HAS_LAST"), "LAST_VALUE", value);
		tpl_set(tpl_section(d, "HAS_LAST"), "LAST_AT", at);
	}
}

#define RULES_PER_PAGE 50

/*
 * The rules list's search, filters and page, from the query string (a GET
 * form: it works without JavaScript and links keep it). A value that is
 * not one of a select's is a message at that filter, which is left out.
 */
struct rules_filter {
	const char *q, *severity, *state, *kind;
	int64_t page;
	const char *err_key, *err;
};

static const char *const rule_sevs[] = {"info", "warning", "critical", NULL};
static const char *const rule_states[][2] = {{"firing", "firing"}, {"ok", "not firing"},
    {"disabled", "disabled"}};
static const char *const rule_kinds[][2] = {{"kpi", "on a KPI"},
    {"system", "goldwatch's own checks"}};

/* The query's value of key if it is one of values (n of them, stride apart), else NULL. */
static const char *one_of(const struct request *req, const char *key, const char *const *values,
    size_t n, size_t stride, struct rules_filter *f, const char *err_key, const char *err)
{
	const char *v = req_query(req, key);

	if (v == NULL || *v == '\0')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, values[i * stride]) == 0)
			return values[i * stride];
	f->err_key = err_key;
	f->err = err;
	return NULL;
}

static void rules_filter_read(const struct request *req, struct rules_filter *f)
{
	const char *q = req_query(req, "q"), *page = req_query(req, "page");

	memset(f, 0, sizeof(*f));
	f->page = 1;
	f->q = q && *q ? q : NULL;
	f->severity = one_of(req, "severity", rule_sevs, 3, 1, f, "ERR_F_SEVERITY",
	    "Choose a severity from the list");
	f->state = one_of(req, "state", &rule_states[0][0], 3, 2, f, "ERR_F_STATE",
	    "Choose a state from the list");
	f->kind = one_of(req, "kind", &rule_kinds[0][0], 2, 2, f, "ERR_F_KIND",
	    "Choose a kind from the list");
	if (page && *page && valid_form_int(page, &f->page) < 0) {
		f->err_key = "ERR_F_PAGE";
		f->err = "The page must be a whole number, like 2";
		f->page = 1;
	}
	if (f->page < 1)
		f->page = 1;
}

/* Whether rule r is what f asks for: its severity, state and kind, q in its name or KPI (any case). */
static int rule_matches(const json_t *r, const struct rules_filter *f,
    const struct kpi_names *names)
{
	const char *kpi = json_str_or(r, "kpi", ""), *kpi_name = kpi_names_name(names, kpi);
	const char *status = json_str_or(r, "status", "normal");
	/* firing: an open alert, acknowledged or not */
	const char *state = !json_is_true(json_object_get(r, "enabled")) ? "disabled" :
	    strcmp(status, "firing") == 0 || strcmp(status, "acknowledged") == 0 ? "firing" : "ok";

	if (f->severity && strcmp(json_str_or(r, "severity", ""), f->severity) != 0)
		return 0;
	if (f->kind && strcmp(json_str_or(r, "kind", "kpi"), f->kind) != 0)
		return 0;
	if (f->state && strcmp(state, f->state) != 0)
		return 0;
	return f->q == NULL || strcasestr(json_str_or(r, "name", ""), f->q) ||
	    strcasestr(kpi, f->q) || (kpi_name && strcasestr(kpi_name, f->q));
}

/* One row of the list: the rule, what fires it, its state and its toggle. */
static void rule_row(struct request *req, struct tpl_dict *d, const json_t *r,
    const struct kpi_names *names)
{
	struct rule_input v;
	char cond[160];

	rule_view(r, &v);
	tpl_setf(d, "ID", "%lld", (long long)json_integer_value(json_object_get(r, "id")));
	tpl_set(d, "NAME", or_empty(v.name));
	if (*or_empty(v.description))
		tpl_set(tpl_section(d, "HAS_DESCRIPTION"), "DESCRIPTION", v.description);
	tpl_set(d, "KPI_NAME", kpi_names_name(names, or_empty(v.kpi)));
	fmt_rule_condition(cond_parse(or_empty(v.condition)), v.threshold,
	    kpi_names_unit(names, or_empty(v.kpi)), &(struct fmt_windows){v.window_minutes,
	    v.window_samples, v.window_weeks}, cond, sizeof(cond));
	/* a system rule's cause is its description, not a condition on a KPI */
	if (strcmp(json_str_or(r, "kind", "kpi"), "system") == 0) {
		tpl_set(d, "KPI_NAME", "goldwatch itself:");
		snprintf(cond, sizeof(cond), "its built-in check");
	}
	tpl_set(d, "CONDITION_TEXT", cond);
	tpl_set(d, "SEVERITY", or_empty(v.severity));
	tpl_setf(d, "RECIPIENT_COUNT", "%lu", (unsigned long)v.recipients.n);
	rule_status_words(d, r, kpi_names_unit(names, or_empty(v.kpi)));
	/* the button says what it does, and its name starts with the same words */
	tpl_set(d, "ENABLED_TEXT", v.enabled ? "Enabled" : "Disabled");
	tpl_set(d, "TOGGLE_TO", v.enabled ? "0" : "1");
	tpl_set(d, "TOGGLE_LABEL", v.enabled ? "Disable" : "Enable");
	page_roles(req, d);
}

/* The filters as the form shows them again, and the query that keeps them in links. */
static void rules_filter_show(struct tpl_dict *d, const struct rules_filter *f, struct buf *url)
{
	tpl_set(d, "Q", f->q ? f->q : "");
	for (size_t i = 0; rule_sevs[i]; i++)
		page_option(d, "F_SEV_OPT", rule_sevs[i], NULL, f->severity ? f->severity : "");
	for (size_t i = 0; i < GW_ARRAY_LEN(rule_states); i++)
		page_option(d, "F_STATE_OPT", rule_states[i][0], rule_states[i][1],
		    f->state ? f->state : "");
	for (size_t i = 0; i < GW_ARRAY_LEN(rule_kinds); i++)
		page_option(d, "F_KIND_OPT", rule_kinds[i][0], rule_kinds[i][1],
		    f->kind ? f->kind : "");
	if (f->err)
		tpl_set(tpl_section(d, f->err_key), "MSG", f->err);
	page_append_param(url, "q", f->q);
	page_append_param(url, "severity", f->severity);
	page_append_param(url, "state", f->state);
	page_append_param(url, "kind", f->kind);
}

/* "Rules 51-100 of 225" and the links to the pages before and after. */
static void rules_pager(struct tpl_dict *d, const struct rules_filter *f, size_t total,
    size_t all, struct buf *url)
{
	int64_t pages = total ? (int64_t)((total + RULES_PER_PAGE - 1) / RULES_PER_PAGE) : 1;
	int64_t page = f->page > pages ? pages : f->page;
	size_t first = (size_t)(page - 1) * RULES_PER_PAGE;
	size_t last = first + RULES_PER_PAGE < total ? first + RULES_PER_PAGE : total;
	const char *sep = url->len ? "&" : "?";

	if (total)
		tpl_setf(d, "COUNT_TEXT", "Rules %zu-%zu of %zu", first + 1, last, total);
	else
		tpl_set(d, "COUNT_TEXT", "No rules match");
	if (total != all)
		tpl_setf(tpl_section(d, "FILTERED"), "ALL", "%zu", all);
	tpl_setf(d, "PAGE_TEXT", "Page %lld of %lld", (long long)page, (long long)pages);
	if (page > 1)
		tpl_setf(tpl_section(d, "PREV"), "URL", "/rules%s%spage=%lld", url->data ? url->data : "",
		    sep, (long long)(page - 1));
	if (page < pages)
		tpl_setf(tpl_section(d, "NEXT"), "URL", "/rules%s%spage=%lld", url->data ? url->data : "",
		    sep, (long long)(page + 1));
}

int page_rules(struct request *req)
{
	struct kpi_names *names = kpi_names_load(req);
	json_t *rules = NULL, *shown = json_array();
	struct rules_filter f;
	struct page p;
	struct buf url;
	size_t i, from;

	if (names == NULL || rule_list(req->db, -1, NULL, &rules) != ST_OK) {
		kpi_names_free(names);
		json_decref(shown);
		return 500;
	}
	rules_filter_read(req, &f);
	/* newest first: the rule just made is on the first page, however many there are */
	for (i = json_array_size(rules); i-- > 0; )
		if (rule_matches(json_array_get(rules, i), &f, names))
			json_array_append(shown, json_array_get(rules, i));
	/* a page past the last shows the last */
	from = (size_t)(f.page - 1) * RULES_PER_PAGE;
	if (from >= json_array_size(shown) && json_array_size(shown))
		from = (json_array_size(shown) - 1) / RULES_PER_PAGE * RULES_PER_PAGE;
	f.page = (int64_t)(from / RULES_PER_PAGE) + 1;
	page_begin(&p, req, "Rules", "rules.html.tpl", "RULES");
	buf_init(&url);
	rules_filter_show(p.content, &f, &url);
	rules_pager(p.content, &f, json_array_size(shown), json_array_size(rules), &url);
	for (i = from; i < json_array_size(shown) && i < from + RULES_PER_PAGE; i++)
		rule_row(req, tpl_section(p.content, "RULE"), json_array_get(shown, i), names);
	if (json_array_size(rules) == 0)
		tpl_show(p.content, "NONE");
	else if (json_array_size(shown) == 0)
		tpl_show(p.content, "NO_MATCH");
	buf_free(&url);
	json_decref(shown);
	json_decref(rules);
	kpi_names_free(names);
	return page_end(&p, req, f.err ? 422 : 200);
}

/* Whether the form's threshold is a percent (a percent-change or seasonal condition): "3%" is 3. */
static int form_in_percent(const struct request *req)
{
	return cond_is_pct(cond_parse(page_form(req, "condition")));
}

/* A condition on a fall below its reference: the form asks for the fall's size. */
static int cond_falls(enum cond c)
{
	return c == COND_PCT_CHANGE_LT || c == COND_SEASONAL_PCT_LT;
}

/*
 * What the threshold is measured in, shown next to its field: a percent
 * for the percent conditions, standard deviations for z-scores, nothing for
 * no data, else the KPI's unit. The one place the form's unit is chosen.
 */
static const char *threshold_unit(const struct kpi_names *names, const char *kpi, enum cond c)
{
	if (cond_is_pct(c))
		return "%";
	if (cond_is_zscore(c))
		return "standard deviations";
	if (c == COND_STALE || *kpi == '\0')
		return "";
	return fmt_threshold_unit(c, kpi_names_unit(names, kpi));
}

/* The words before the threshold's field: which way the value must move. */
static const char *threshold_words(enum cond c)
{
	switch (c) {
	case COND_PCT_CHANGE_GT:
		return "rises by more than";
	case COND_PCT_CHANGE_LT:
		return "falls by more than";
	case COND_PCT_CHANGE_ABS_GT:
		return "moves either way by more than";
	case COND_SEASONAL_PCT_LT:
		return "below the usual by more than";
	case COND_SEASONAL_PCT_GT:
		return "above the usual by more than";
	default:
		return "";
	}
}

static void field_error(struct verror *errs, int *nerr, const struct verror *e)
{
	if (*nerr < MAX_FIELD_ERRORS)
		errs[(*nerr)++] = *e;
}

/*
 * A number field in the forms' grammar (valid_form_number: grouping
 * commas, and a trailing '%' where percent): set in obj as key if given, a
 * field error naming field if not such a number.
 */
static void number_field(const struct request *req, json_t *obj, const char *field,
    const char *key, int integer, struct verror *errs, int *nerr)
{
	const char *v = page_form(req, field);
	int percent = !integer && form_in_percent(req);
	struct verror e;
	int64_t i;
	double d;

	if (*v == '\0')
		return;
	if (integer && valid_form_int(v, &i) == 0) {
		json_object_set_new(obj, key, json_integer((json_int_t)i));
		return;
	}
	if (!integer && valid_form_number(v, percent, &d) == 0) {
		json_object_set_new(obj, key, json_real(d));
		return;
	}
	verror_set(&e, 422, "invalid_type", field, integer ?
	    "%s must be a whole number, like 60 or 1,440" : percent ?
	    "%s must be a number, like 3, 2.5 or 3%%" :
	    "%s must be a number, like 5,000, 1,250.50, -3 or 0.5", field);
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

/* The unit the form's window is in (window_unit: min, h, d, w; absent: min), or -1. */
static int form_window_unit(const struct request *req)
{
	const char *u = page_form(req, "window_unit");

	if (*u == '\0')
		return 0;
	for (int i = 0; i < FMT_WINDOW_UNITS; i++)
		if (strcmp(u, fmt_window_units[i].code) == 0)
			return i;
	return -1;
}

/*
 * The window as typed (a number of window_unit) into the API's
 * window_minutes; a number too large to scale stays as typed, which the
 * field's bounds refuse.
 */
static void window_in_minutes(const struct request *req, json_t *in, struct verror *errs,
    int *nerr)
{
	json_t *n = json_object_get(in, "window_minutes");
	int unit = form_window_unit(req);
	struct verror e;

	if (unit < 0) {
		verror_set(&e, 422, "invalid_value", "window_minutes",
		    "the window's unit must be minutes, hours, days or weeks%s", "");
		field_error(errs, nerr, &e);
		return;
	}
	if (json_is_integer(n) && llabs((long long)json_integer_value(n)) <= 1000000000LL)
		json_integer_set(n, json_integer_value(n) * fmt_window_units[unit].minutes);
}

/*
 * What a rule may name on the form: the contact points and escalation
 * policies no rule owns (a rule's escalation shorthand is shown as its
 * own fields). New references, NULL if the read failed.
 */
static json_t *nameable_cps(const struct request *req)
{
	json_t *list = NULL;

	return cp_list_shared(req->db, &list) == ST_OK ? list : NULL;
}

static json_t *nameable_policies(const struct request *req)
{
	json_t *list = NULL;

	return esc_policy_list_shared(req->db, &list) == ST_OK ? list : NULL;
}

/* The ticked contact points (checkboxes cp_<id>) into the body's contact_points. */
static void form_contact_points(const struct request *req, json_t *in)
{
	json_t *cps = nameable_cps(req), *ids = json_array(), *v;
	char key[40];
	size_t i;

	json_array_foreach(cps, i, v) {
		json_int_t id = json_integer_value(json_object_get(v, "id"));
		snprintf(key, sizeof(key), "cp_%lld", (long long)id);
		if (*page_form(req, key))
			json_array_append_new(ids, json_integer(id));
	}
	json_decref(cps);
	json_object_set_new(in, "contact_points", ids);
}

/*
 * A falling condition's threshold is asked for as the size of the fall
 * ("falls by more than 3 %"), whichever sign is typed: the rule's is negative.
 */
static void form_threshold_sign(const struct request *req, json_t *in)
{
	json_t *t = json_object_get(in, "threshold");

	if (t && cond_falls(cond_parse(page_form(req, "condition"))))
		json_real_set(t, -fabs(json_number_value(t)));
}

/*
 * The form as the API's rule body. Number and address fields that break
 * their grammar are errors here; the rest is the core's validation.
 */
static json_t *form_rule(const struct request *req, struct verror *errs, int *nerr)
{
	static const char *const texts[] = {"name", "description", "kpi", "condition", "severity"};
	static const char *const ints[] = {"window_minutes", "window_samples", "window_weeks",
	    "for_evaluations", "cooldown_minutes", "keep_firing_minutes", "flap_changes",
	    "flap_window_minutes"};
	json_t *in = json_object(), *rcpt, *esc_rcpt;
	const char *esc_after = page_form(req, "escalation_after_minutes");

	*nerr = 0;
	for (size_t k = 0; k < GW_ARRAY_LEN(texts); k++)
		json_object_set_new(in, texts[k], json_string(page_form(req, texts[k])));
	number_field(req, in, "threshold", "threshold", 0, errs, nerr);
	form_threshold_sign(req, in);
	number_field(req, in, "recovery_threshold", "recovery_threshold", 0, errs, nerr);
	for (size_t k = 0; k < GW_ARRAY_LEN(ints); k++)
		number_field(req, in, ints[k], ints[k], 1, errs, nerr);
	window_in_minutes(req, in, errs, nerr);
	if ((rcpt = address_field(req, "recipients", errs, nerr)) != NULL)
		json_object_set_new(in, "recipients", rcpt);
	json_object_set_new(in, "notify_resolved", json_boolean(*page_form(req, "notify_resolved")));
	json_object_set_new(in, "enabled", json_boolean(*page_form(req, "enabled")));
	if (*page_form(req, "active_hours"))    /* absent: the default, always */
		json_object_set_new(in, "active_hours", json_string(page_form(req, "active_hours")));
	esc_rcpt = address_field(req, "escalation_recipients", errs, nerr);
	if (*esc_after || esc_rcpt == NULL || json_array_size(esc_rcpt)) {
		json_t *esc = json_object();
		if (esc_rcpt)
			json_object_set(esc, "recipients", esc_rcpt);
		number_field(req, esc, "escalation_after_minutes", "after_minutes", 1, errs, nerr);
		json_object_set_new(in, "escalation", esc);
	}
	json_decref(esc_rcpt);
	form_contact_points(req, in);
	if (*page_form(req, "escalation_policy_id"))    /* empty: none */
		number_field(req, in, "escalation_policy_id", "escalation_policy_id", 1, errs, nerr);
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
static void join_addresses(const struct vlist *list, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < list->n; i++) {
		if (i)
			buf_putc(out, '\n');
		buf_puts(out, vlist_str(list, i));
	}
}

/* A field as shown: after a failed submit what was typed, else the stored value. */
static void show_field(const struct request *req, struct tpl_dict *d, const char *field,
    const char *stored)
{
	char key[64];

	upper_key(key, sizeof(key), "", field);
	tpl_set(d, key, req->route->method == M_POST ? page_form(req, field) : stored);
}

static void show_int(const struct request *req, struct tpl_dict *d, const char *field,
    int has, int64_t v)
{
	char text[24] = "";

	if (has)
		snprintf(text, sizeof(text), "%lld", (long long)v);
	show_field(req, d, field, text);
}

/* A stored number as the form shows it: the shortest text that reads back the same double. */
static void show_number(const struct request *req, struct tpl_dict *d, const char *field,
    double v)
{
	char text[40];

	if (v == floor(v) && fabs(v) < 9e15)
		snprintf(text, sizeof(text), "%.0f", v);
	else {
		snprintf(text, sizeof(text), "%.15g", v);
		if (strtod(text, NULL) != v)
			snprintf(text, sizeof(text), "%.17g", v);
	}
	show_field(req, d, field, text);
}

/* The window as a number of the largest unit that divides it, or as typed. */
static void show_window(const struct request *req, struct tpl_dict *d,
    const struct rule_input *rule)
{
	int unit = rule->has_window_minutes ? fmt_window_unit_of(rule->window_minutes) : 0;
	char text[24] = "";

	if (req->route->method == M_POST) {
		unit = form_window_unit(req) < 0 ? 0 : form_window_unit(req);
		show_field(req, d, "window_minutes", "");
	} else {
		if (rule->has_window_minutes)
			snprintf(text, sizeof(text), "%lld",
			    (long long)(rule->window_minutes / fmt_window_units[unit].minutes));
		show_field(req, d, "window_minutes", text);
	}
	for (int i = 0; i < FMT_WINDOW_UNITS; i++) {
		char label[16];

		snprintf(label, sizeof(label), "%ss", fmt_window_units[i].word);
		page_option(d, "UNIT_OPT", fmt_window_units[i].code, label,
		    fmt_window_units[unit].code);
	}
}

static void show_addresses(const struct request *req, struct tpl_dict *d, const char *field,
    const struct vlist *list)
{
	struct buf text;

	buf_init(&text);
	join_addresses(list, &text);
	show_field(req, d, field, text.data ? text.data : "");
	buf_free(&text);
}

/* Every field's value: the options selected, numbers and lists as typed back. */
/* Whether l holds id. */
static int vlist_has(const struct vlist *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (vlist_int(l, i) == id)
			return 1;
	return 0;
}

/* The contact points to tick and the escalation policies to choose ("none" first). */
static void show_targets(const struct request *req, struct tpl_dict *d,
    const struct rule_input *rule)
{
	json_t *cps = nameable_cps(req), *eps = nameable_policies(req), *v;
	char id[24], sel[24] = "";
	size_t i;

	json_array_foreach(cps, i, v) {
		struct tpl_dict *o = tpl_section(d, "CP_OPT");
		json_int_t n = json_integer_value(json_object_get(v, "id"));
		tpl_setf(o, "ID", "%lld", (long long)n);
		tpl_set(o, "NAME", json_string_value(json_object_get(v, "name")));
		tpl_set(o, "KIND", json_string_value(json_object_get(v, "kind")));
		if (vlist_has(&rule->contact_points, n))
			tpl_show(o, "CHECKED");
	}
	if (rule->has_escalation_policy_id)
		snprintf(sel, sizeof(sel), "%lld", (long long)rule->escalation_policy_id);
	page_option(d, "EP_OPT", "", "none", sel);
	json_array_foreach(eps, i, v) {
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(v, "id")));
		page_option(d, "EP_OPT", id, json_string_value(json_object_get(v, "name")), sel);
	}
	json_decref(cps);
	json_decref(eps);
}

/*
 * A stored threshold as the form shows it: in the shop's unit (units.h)
 * and, for the threshold of a fall, as its size (stored negative).
 */
static double shown_threshold(const struct kpi_names *names, const struct rule_input *rule,
    double t, int is_threshold)
{
	enum cond c = cond_parse(or_empty(rule->condition));

	t = fmt_threshold_shown(c, kpi_names_unit(names, or_empty(rule->kpi)), t);
	return is_threshold && cond_falls(c) ? -t : t;
}

static void rule_form_values(const struct request *req, struct tpl_dict *d,
    const struct kpi_names *names, const struct rule_input *rule, int has_threshold)
{
	static const char *const sevs[] = {"info", "warning", "critical"};
	static const char *const hours[][2] = {{"always", "always"},
	    {"open", "only while the shop is open"}, {"closed", "only while the shop is closed"}};
	const struct rule_escalation *esc = &rule->escalation;

	show_field(req, d, "name", or_empty(rule->name));
	show_field(req, d, "description", or_empty(rule->description));
	page_kpi_options(d, names, or_empty(rule->kpi));
	for (int c = 0; c < COND__MAX; c++)
		page_option(d, "COND_OPT", cond_name((enum cond)c), cond_label((enum cond)c),
		    or_empty(rule->condition));
	for (size_t k = 0; k < GW_ARRAY_LEN(sevs); k++)
		page_option(d, "SEV_OPT", sevs[k], NULL, rule->severity ? rule->severity : "warning");
	for (size_t k = 0; k < GW_ARRAY_LEN(hours); k++)
		page_option(d, "HOURS_OPT", hours[k][0], hours[k][1],
		    rule->active_hours ? rule->active_hours : "always");
	if (has_threshold)
		show_number(req, d, "threshold", shown_threshold(names, rule, rule->threshold, 1));
	else
		show_field(req, d, "threshold", "");
	tpl_set(d, "THRESHOLD_UNIT", threshold_unit(names, or_empty(rule->kpi),
	    cond_parse(or_empty(rule->condition))));
	tpl_set(d, "THRESHOLD_WORDS", threshold_words(cond_parse(or_empty(rule->condition))));
	show_window(req, d, rule);
	show_int(req, d, "window_samples", rule->has_window_samples, rule->window_samples);
	show_int(req, d, "window_weeks", rule->has_window_weeks, rule->window_weeks);
	show_int(req, d, "for_evaluations", 1, rule->for_evaluations);
	show_int(req, d, "cooldown_minutes", 1, rule->cooldown_minutes);
	if (rule->has_recovery_threshold)
		show_number(req, d, "recovery_threshold",
		    shown_threshold(names, rule, rule->recovery_threshold, 0));
	else
		show_field(req, d, "recovery_threshold", "");
	show_int(req, d, "keep_firing_minutes", rule->has_keep_firing_minutes,
	    rule->keep_firing_minutes);
	show_int(req, d, "flap_changes", 1, rule->flap_changes);
	show_int(req, d, "flap_window_minutes", 1, rule->flap_window_minutes);
	show_addresses(req, d, "recipients", &rule->recipients);
	show_addresses(req, d, "escalation_recipients", &esc->recipients);
	show_int(req, d, "escalation_after_minutes", rule->has_escalation, esc->after_minutes);
	show_targets(req, d, rule);
	if (rule->notify_resolved)
		tpl_show(d, "NOTIFY_RESOLVED");
	if (rule->enabled)
		tpl_show(d, "ENABLED");
}

/* The rule form's fields in its labels' words (form_words.h). */
static const struct form_word rule_words[] = {
	{.field = "name", .label = "Name", .ask = "Enter a name for the rule"},
	{.field = "description", .label = "Description"},
	{.field = "kpi", .label = "KPI", .ask = "Choose a KPI", .always = 1},
	{.field = "condition", .label = "Condition", .ask = "Choose a condition", .always = 1},
	{.field = "threshold", .label = "Threshold", .ask = "Enter the threshold"},
	{.field = "severity", .label = "Severity", .ask = "Choose a severity", .always = 1},
	{.field = "active_hours", .label = "Evaluate", .ask = "Choose when the rule is evaluated",
	    .always = 1},
	{.field = "window_minutes", .label = "Window", .ask = "Enter the window"},
	{.field = "window_weeks", .label = "Weeks the usual is taken over"},
	{.field = "window_samples", .label = "Samples the mean is taken over",
	    .ask = "Enter how many samples the mean is taken over"},
	{.field = "for_evaluations", .label = "Breaches in a row"},
	{.field = "cooldown_minutes", .label = "Quiet minutes after it fired"},
	{.field = "recovery_threshold", .label = "Resolve only past this value"},
	{.field = "keep_firing_minutes", .label = "Keep firing for minutes after it cleared"},
	{.field = "flap_changes", .label = "Flapping after this many changes"},
	{.field = "flap_window_minutes", .label = "Flapping: the changes counted within minutes"},
	{.field = "recipients", .label = "Mail these addresses", .addresses = 1},
	{.field = "escalation.after_minutes", .label = "Escalate after minutes unacknowledged",
	    .ask = "Enter after how many minutes to escalate", .input = "escalation_after_minutes"},
	{.field = "escalation", .label = "Escalate after minutes unacknowledged",
	    .ask = "Enter after how many minutes to escalate", .input = "escalation_after_minutes"},
	{.field = "escalation.recipients", .label = "Escalate to", .input = "escalation_recipients",
	    .addresses = 1},
	{.field = "contact_points", .label = "Also tell these contact points"},
	{.field = "escalation_policy_id", .label = "Escalation policy",
	    .ask = "Choose an escalation policy", .always = 1},
};

/*
 * Every error at its field and in the summary above the form (a link to
 * the field each), in the words of the form's labels; the summary counts
 * the fields marked.
 */
static void rule_form_errors(const struct request *req, struct tpl_dict *d,
    struct verror *errs, int nerr)
{
	struct tpl_dict *summary = nerr ? tpl_section(d, "HAS_ERRORS") : NULL;
	char key[64], count[48];

	for (size_t k = 0; k < GW_ARRAY_LEN(rule_words); k++) {
		upper_key(key, sizeof(key), "INVALID_", form_field(rule_words[k].field));
		tpl_set(d, key, "false");
	}
	for (int k = 0; k < nerr; k++) {
		const char *field = form_field(errs[k].field);
		struct tpl_dict *item = tpl_section(summary, "ERROR");

		form_words(req, &errs[k], FORM_WORDS(rule_words));
		upper_key(key, sizeof(key), "ERR_", field);
		tpl_set(tpl_section(d, key), "MSG", errs[k].message);
		upper_key(key, sizeof(key), "INVALID_", field);
		tpl_set(d, key, "true");
		tpl_set(item, "FIELD", *field ? field : "rule-form");
		tpl_set(item, "MSG", errs[k].message);
	}
	if (nerr) {
		form_error_count(count, sizeof(count), nerr);
		tpl_set(summary, "ERROR_COUNT_TEXT", count);
	}
}

/* "Created by admin on 01 Dec 2026 14:02 · changed by sara on ...": from the audit log. */
static void rule_made(struct request *req, struct tpl_dict *d, int64_t id)
{
	struct audit_made m;
	struct tpl_dict *made, *s;
	char iso[40];

	if (audit_made_of(req->db, "rule", id, &m) < 0 || !(m.has_created || m.has_changed))
		return;
	made = tpl_section(d, "MADE");
	if (m.has_created) {
		s = tpl_section(made, "CREATED");
		tpl_set(s, "BY", m.created_by);
		time_format_iso(m.created_us, iso, sizeof(iso));
		page_time(s, "AT", iso);
	}
	if (m.has_changed) {
		s = tpl_section(made, "CHANGED");
		tpl_set(s, "SEP", m.has_created ? " · " : "");
		tpl_set(s, "VERB", m.has_created ? "changed" : "Changed");
		tpl_set(s, "BY", m.changed_by);
		time_format_iso(m.changed_us, iso, sizeof(iso));
		page_time(s, "AT", iso);
	}
}

/*
 * Renders the form with the values of rule (a stored rule, or what a
 * failed submit decoded: its text fields show what was typed) and errs
 * next to their fields; stored (the rule's JSON, or NULL) adds its status.
 */
static int rule_form(struct request *req, int status, const struct rule_input *rule, int64_t id,
    const json_t *stored, struct verror *errs, int nerr)
{
	struct kpi_names *names = kpi_names_load(req);
	const char *name = req->route->method == M_POST ? page_form(req, "name") :
	    or_empty(rule->name);
	struct page p;

	if (names == NULL)
		return 500;
	page_begin(&p, req, id ? name : "New rule", "rule_form.html.tpl", "RULES");
	if (id) {
		tpl_setf(tpl_section(p.content, "EXISTING"), "ID", "%lld", (long long)id);
		tpl_setf(p.content, "ACTION", "/rules/%lld", (long long)id);
		tpl_set(p.content, "HEADING", *name ? name : "Rule");
		tpl_set(p.content, "CRUMB", "Edit");
		tpl_set(p.content, "SUBMIT", "Save");
		tpl_setf(p.content, "ID", "%lld", (long long)id);
	} else {
		tpl_set(p.content, "ACTION", "/rules");
		tpl_set(p.content, "HEADING", "New rule");
		tpl_set(p.content, "CRUMB", "New");
		tpl_set(p.content, "SUBMIT", "Create rule");
	}
	if (stored)
		rule_status_words(tpl_section(p.content, "HAS_STATUS"), stored,
		    kpi_names_unit(names, or_empty(rule->kpi)));
	if (id)
		rule_made(req, p.content, id);
	rule_form_values(req, p.content, names, rule, id != 0);
	if (strcmp(or_empty(rule->kpi), SYSTEM_KPI) == 0) {
		/* what the check owns is shown, not offered: the save keeps the rule's */
		tpl_show(p.content, "SYSTEM_CHECK");
		tpl_show(p.content, "FIXED");
	}
	rule_form_errors(req, p.content, errs, nerr);
	page_rule_preview(req, p.content, nerr == 0 ? rule : NULL);
	kpi_names_free(names);
	return page_end(&p, req, status);
}

int page_rule_new(struct request *req)
{
	struct rule_input blank;

	/* the API's defaults, and the choices the form offers first */
	valid_defaults(rule_fields, rule_nfields, &blank);
	blank.condition = "gt";
	blank.severity = "warning";
	/* from a KPI's page ("Add one."): that KPI chosen; a key that is none chooses nothing */
	blank.kpi = req_query(req, "kpi");
	return rule_form(req, 200, &blank, 0, NULL, NULL, 0);
}

int page_rule_edit(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	struct rule_input view;
	json_t *rule = NULL;
	enum store_rc rc = rule_get(req->db, id, &rule);
	int status;

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK)
		return 500;
	rule_view(rule, &view);
	status = rule_form(req, 200, &view, id, rule, NULL, 0);
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

/*
 * A system rule's check is its own: what its form cannot change (name,
 * KPI, condition, threshold, windows) is taken from the rule, so the form
 * changes the rest (recipients, contact points, escalation, severity...).
 */
static void system_rule_fixed(struct request *req, int64_t id, json_t *in)
{
	static const char *const fixed[] = {"name", "kpi", "condition", "threshold",
	    "window_minutes", "window_samples", "window_weeks"};
	json_t *cur = NULL;

	if (id == 0 || rule_get(req->db, id, &cur) != ST_OK)
		return;
	if (strcmp(json_str_or(cur, "kind", "kpi"), "system") == 0)
		for (size_t i = 0; i < GW_ARRAY_LEN(fixed); i++)
			json_object_set(in, fixed[i], json_object_get(cur, fixed[i]));
	json_decref(cur);
}

/* The form's thresholds are in the unit it shows (units.h): into the KPI's stored unit. */
static void thresholds_stored(struct request *req, struct rule_input *rule)
{
	struct kpi_names *names = kpi_names_load(req);
	const char *unit = names ? kpi_names_unit(names, or_empty(rule->kpi)) : NULL;
	enum cond c = cond_parse(or_empty(rule->condition));

	rule->threshold = fmt_threshold_stored(c, unit, rule->threshold);
	if (rule->has_recovery_threshold)
		rule->recovery_threshold = fmt_threshold_stored(c, unit, rule->recovery_threshold);
	kpi_names_free(names);
}

/* Create (id 0) or replace from the form; errors re-render it (422). */
static int rule_save(struct request *req, int64_t id)
{
	struct verror errs[MAX_FIELD_ERRORS];
	struct rule_input rule;
	int nerr = 0, more = 0, status, preview = strcmp(page_form(req, "_action"), "preview") == 0;
	json_t *in = form_rule(req, errs, &nerr), *out = NULL;
	enum store_rc rc;

	/* a name changes nothing of what a preview shows: none is needed for one */
	if (preview && *page_form(req, "name") == '\0')
		json_object_set_new(in, "name", json_string("preview"));
	system_rule_fixed(req, id, in);
	rule_decode_all(in, &rule, errs + nerr, MAX_FIELD_ERRORS - nerr, &more);
	nerr = keep_first_per_field(errs, nerr + more);
	thresholds_stored(req, &rule);
	/* the Preview button: the form again with its preview, nothing saved */
	if (nerr == 0 && preview) {
		status = rule_form(req, 200, &rule, id, NULL, NULL, 0);
		json_decref(in);
		return status;
	}
	/* the store checks what needs the database (the KPI exists) once, as it writes */
	rc = nerr > 0 ? ST_INVALID : id ? rule_replace(req->db, req->cfg, &req->who, id, &rule, &out, &errs[0]) :
	    rule_create(req->db, &req->who, &rule, &out, &errs[0]);
	if (rc == ST_INVALID) {
		status = rule_form(req, 422, &rule, id, NULL, errs, nerr > 0 ? nerr : 1);
		json_decref(in);
		return status;
	}
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
	enum store_rc rc = rule_set_enabled(req->db, req->cfg, &req->who, req_param_id(req, "id"), on, &out);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", on ? "The rule is enabled." : "The rule is disabled.");
	return req_redirect(req, "/rules");
}

/* The form's "Send a test notification": the API's test message, its outcome on the rule's page. */
int page_rule_test(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *rcpt = NULL;
	enum store_rc rc = mail_queue_rule_test(req->db, req->cfg, id, &rcpt);
	char text[160], *loc;
	int status;

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc == ST_INVALID)
		page_flash(req, "error", "No test notification sent: Mail these addresses is empty.");
	else if (rc != ST_OK)
		return 500;
	else {
		size_t n = json_array_size(rcpt);
		snprintf(text, sizeof(text), "A test notification is on its way to %zu address%s: "
		    "check that it arrives.", n, n == 1 ? "" : "es");
		page_flash(req, "ok", text);
	}
	json_decref(rcpt);
	loc = xasprintf("/rules/%lld", (long long)id);
	status = req_redirect(req, loc);
	free(loc);
	return status;
}

int page_rule_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = rule_delete_request(req, req_param_id(req, "id"), &out, &err);
	size_t resolved = json_array_size(json_object_get(out, "resolved"));

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such rule.");
	if (rc == ST_CONFLICT)
		return page_error(req, 409, err.message);
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", resolved ? "The rule is deleted; its open alerts are resolved." :
	    "The rule is deleted.");
	return req_redirect(req, "/rules");
}

/* The dashboard's button when there are no rules (core/starter.c). */
int page_rules_load_starter(struct request *req)
{
	json_t *out = NULL;
	char text[96];

	if (starter_load(req->db, req->cfg, &req->who, &out) != ST_OK)
		return 500;
	snprintf(text, sizeof(text), "Starter rules: %lld added, %lld already there by name.",
	    (long long)json_integer_value(json_object_get(out, "added")),
	    (long long)json_integer_value(json_object_get(out, "skipped")));
	json_decref(out);
	page_flash(req, "ok", text);
	return req_redirect(req, "/rules");
}
