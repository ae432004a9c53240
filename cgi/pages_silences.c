/*
 * pages_silences.c - the silences page: the active and coming silences,
 * a form to add one (the field table of silence_store.c), ending one.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "kpi.h"
#include "form_words.h"
#include "page.h"
#include "rule_store.h"
#include "silence_store.h"

/* "everything", "rule Till cash high", "KPI Revenue today" */
static void scope_text(const json_t *s, const json_t *rules, struct kpi_names *names,
    char *out, size_t len)
{
	const char *scope = json_string_value(json_object_get(s, "scope"));
	size_t i;
	const json_t *r;

	if (strcmp(scope, "all") == 0) {
		snprintf(out, len, "everything");
		return;
	}
	if (strcmp(scope, "kpi") == 0) {
		snprintf(out, len, "KPI %s", kpi_names_name(names,
		    json_string_value(json_object_get(s, "kpi"))));
		return;
	}
	snprintf(out, len, "rule #%lld", (long long)json_integer_value(json_object_get(s, "rule_id")));
	json_array_foreach(rules, i, r)
		if (json_equal(json_object_get(r, "id"), json_object_get(s, "rule_id")))
			snprintf(out, len, "rule %s", json_string_value(json_object_get(r, "name")));
}

static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const weekday_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* ", weekly Mon Fri 12:00-14:00" for a recurring silence, "" otherwise. */
static void recurrence_text(const json_t *s, char *out, size_t len)
{
	const json_t *rec = json_object_get(s, "recurrence"), *d;
	size_t i, used;

	*out = '\0';
	if (!json_is_object(rec))
		return;
	used = (size_t)snprintf(out, len, ", weekly");
	json_array_foreach(json_object_get(rec, "weekdays"), i, d)
		for (size_t k = 0; k < GW_ARRAY_LEN(weekdays) && used < len; k++)
			if (strcmp(json_string_value(d), weekdays[k]) == 0)
				used += (size_t)snprintf(out + used, len - used, " %s", weekday_names[k]);
	if (used < len)
		snprintf(out + used, len - used, " %s-%s",
		    json_string_value(json_object_get(rec, "from")),
		    json_string_value(json_object_get(rec, "to")));
}

/* The form's repeat fields, kept after a refused submit. */
static void repeat_fields(struct tpl_dict *content, const struct request *req)
{
	for (size_t k = 0; k < GW_ARRAY_LEN(weekdays); k++) {
		struct tpl_dict *d = tpl_section(content, "REPEAT_DAY");
		char key[16];
		snprintf(key, sizeof(key), "rec_%s", weekdays[k]);
		tpl_set(d, "NAME", key);
		tpl_set(d, "LABEL", weekday_names[k]);
		if (*page_form(req, key))
			tpl_show(d, "CHECKED");
	}
	tpl_set(content, "REC_FROM", page_form(req, "rec_from"));
	tpl_set(content, "REC_TO", page_form(req, "rec_to"));
}

/* The silence form's fields in its labels' words (form_words.h). */
static const struct form_word silence_words[] = {
	{.field = "scope", .label = "What", .ask = "Choose what to silence", .always = 1},
	{.field = "rule_id", .label = "Rule", .ask = "Choose the rule to silence", .always = 1},
	{.field = "kpi", .label = "KPI", .ask = "Choose the KPI to silence", .always = 1},
	{.field = "minutes", .label = "For", .ask = "Choose how long the silence lasts", .always = 1},
	{.field = "ends_at", .label = "For", .ask = "Choose how long the silence lasts", .always = 1,
	    .input = "minutes"},
	{.field = "recurrence", .label = "Repeat every week",
	    .ask = "Tick the weekdays to repeat on and the times from and to", .always = 1},
	{.field = "recurrence.weekdays", .label = "Repeat every week",
	    .ask = "Tick the weekdays to repeat on", .always = 1},
	{.field = "recurrence.from", .label = "From",
	    .ask = "Enter the time the repeat starts, like 12:00", .always = 1},
	{.field = "recurrence.to", .label = "to",
	    .ask = "The repeat must end after it starts: to after From", .always = 1},
	{.field = "reason", .label = "Why", .ask = "Enter why: the reason is required"},
};

/* The field a page error belongs to, as the template names it. */
static const char *error_key(const char *field)
{
	if (strcmp(field, "rule_id") == 0)
		return "ERR_RULE_ID";
	if (strcmp(field, "kpi") == 0)
		return "ERR_KPI";
	if (strcmp(field, "reason") == 0)
		return "ERR_REASON";
	if (strcmp(field, "minutes") == 0 || strcmp(field, "ends_at") == 0)
		return "ERR_MINUTES";
	if (strncmp(field, "recurrence", 10) == 0)
		return "ERR_REPEAT";
	return "ERR_SCOPE";
}

static int silences_page(struct request *req, int status, const struct verror *err)
{
	static const struct { const char *v, *label; } durations[] = {
		{"60", "1 hour"}, {"120", "2 hours"}, {"240", "4 hours"}, {"480", "8 hours"},
		{"1440", "1 day"}, {"4320", "3 days"}, {"10080", "1 week"},
		{"40320", "4 weeks"}, {"131040", "13 weeks"}, {"525600", "1 year"},
	};
	struct kpi_names *names = kpi_names_load(req);
	json_t *list = NULL, *rules = NULL, *s;
	const char *scope = page_form(req, "scope"), *minutes = page_form(req, "minutes");
	struct page p;
	size_t i;
	int nactive = 0, npast = 0;

	if (names == NULL || silence_list(req->db, NULL, &list) != ST_OK ||
	    rule_list(req->db, -1, NULL, &rules) != ST_OK) {
		kpi_names_free(names);
		json_decref(list);
		return 500;
	}
	page_begin(&p, req, "Silences", "silences.html.tpl", "SILENCES");
	json_array_foreach(list, i, s) {
		int past = strcmp(json_string_value(json_object_get(s, "status")), "past") == 0;
		struct tpl_dict *d = tpl_section(p.content, past ? "PAST" : "ACTIVE");
		char what[256], rec[96];
		const json_t *by = json_object_get(s, "created_by");

		scope_text(s, rules, names, what, sizeof(what));
		recurrence_text(s, rec, sizeof(rec));
		tpl_set(d, "REPEAT_TEXT", rec);
		tpl_setf(d, "ID", "%lld", (long long)json_integer_value(json_object_get(s, "id")));
		tpl_set(d, "SCOPE_TEXT", what);
		tpl_set(d, "STATUS", json_string_value(json_object_get(s, "status")));
		tpl_set(d, "REASON", json_string_value(json_object_get(s, "reason")));
		tpl_set(d, "BY", json_is_string(by) ? json_string_value(by) : "someone");
		page_time(d, "STARTS", json_string_value(json_object_get(s, "starts_at")));
		page_time(d, "ENDS", json_string_value(json_object_get(s, "ends_at")));
		page_roles(req, d);   /* the row's End button sees the row's ID */
		if (past)
			npast++;
		else
			nactive++;
	}
	if (!nactive)
		tpl_show(p.content, "NO_ACTIVE");
	if (!npast)
		tpl_show(p.content, "NO_PAST");
	tpl_show(p.content, strcmp(scope, "rule") == 0 ? "SCOPE_RULE" :
	    strcmp(scope, "kpi") == 0 ? "SCOPE_KPI" : "SCOPE_ALL");
	json_array_foreach(rules, i, s) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
		page_option(p.content, "RULE_OPT", id, json_string_value(json_object_get(s, "name")),
		    page_form(req, "rule_id"));
	}
	page_kpi_options(p.content, names, page_form(req, "kpi"));
	for (size_t k = 0; k < GW_ARRAY_LEN(durations); k++)
		page_option(p.content, "DURATION", durations[k].v, durations[k].label,
		    *minutes ? minutes : "120");
	tpl_set(p.content, "REASON_VALUE", page_form(req, "reason"));
	repeat_fields(p.content, req);
	if (err) {
		struct verror said = *err;

		form_words(req, &said, FORM_WORDS(silence_words));
		tpl_set(tpl_section(p.content, error_key(said.field)), "MSG", said.message);
	}
	json_decref(list);
	json_decref(rules);
	kpi_names_free(names);
	return page_end(&p, req, status);
}

int page_silences(struct request *req)
{
	return silences_page(req, 200, NULL);
}

/*
 * The repeat fields as a recurrence: none when no weekday is ticked; the
 * times as given, so a missing one is refused by the store's own check.
 */
static void repeat_input(const struct request *req, json_t *in)
{
	json_t *days = json_array();

	for (size_t k = 0; k < GW_ARRAY_LEN(weekdays); k++) {
		char key[16];
		snprintf(key, sizeof(key), "rec_%s", weekdays[k]);
		if (*page_form(req, key))
			json_array_append_new(days, json_string(weekdays[k]));
	}
	if (json_array_size(days) == 0) {
		json_decref(days);
		return;
	}
	json_object_set_new(in, "recurrence", json_pack("{so ss ss}", "weekdays", days,
	    "from", page_form(req, "rec_from"), "to", page_form(req, "rec_to")));
}

int page_silence_create(struct request *req)
{
	const char *scope = page_form(req, "scope"), *minutes = page_form(req, "minutes");
	json_t *in = json_object(), *out = NULL;
	struct silence_input si;
	struct verror err;
	int64_t m;
	char ends[40];
	enum store_rc rc;

	if (parse_int64(minutes, 1, 525600, &m) < 0) {
		verror_set(&err, 422, "invalid_value", "minutes",
		    "minutes must be a whole number from 1 to 525600 (one of the durations offered)");
		json_decref(in);
		return silences_page(req, 422, &err);
	}
	time_format_iso(time_now_us() + m * 60 * INT64_C(1000000), ends, sizeof(ends));
	json_object_set_new(in, "scope", json_string(scope));
	json_object_set_new(in, "ends_at", json_string(ends));
	json_object_set_new(in, "reason", json_string(page_form(req, "reason")));
	repeat_input(req, in);
	if (strcmp(scope, "rule") == 0) {
		int64_t rid;
		if (parse_int64(page_form(req, "rule_id"), 1, INT64_MAX, &rid) == 0)
			json_object_set_new(in, "rule_id", json_integer(rid));
	} else if (strcmp(scope, "kpi") == 0 && *page_form(req, "kpi")) {
		json_object_set_new(in, "kpi", json_string(page_form(req, "kpi")));
	}
	rc = ST_INVALID;
	if (valid_decode(in, silence_fields, silence_nfields, &si, &err) == 0)
		rc = silence_create(req->db, &req->who, &si, &out, &err);
	json_decref(in);
	json_decref(out);
	if (rc == ST_INVALID)
		return silences_page(req, 422, &err);
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "Silenced. Alerts are still recorded, but nobody is mailed.");
	/* the alert page's Silence comes back to the alert */
	return req_redirect(req, page_local_path(req_form(req, "back")) ? req_form(req, "back") :
	    "/silences");
}

int page_silence_end(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	enum store_rc rc = silence_end(req->db, &req->who, req_param_id(req, "id"), &out, &err);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such silence.");
	if (rc == ST_CONFLICT)
		page_flash(req, "error", "That silence had already ended.");
	else if (rc != ST_OK)
		return 500;
	else
		page_flash(req, "ok", "The silence has ended.");
	return req_redirect(req, "/silences");
}
