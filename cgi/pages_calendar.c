/*
 * pages_calendar.c - the shop's calendar page: the weekly opening hours
 * and the closed days; admins edit them (one text field per weekday,
 * "10:00-14:00, 15:00-21:00", empty for closed; one closed day a line,
 * "2026-12-25 Christmas"), everyone else reads them. The form becomes the
 * API's body and calendar_decode checks it, so the page and the API
 * accept exactly the same calendars.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "calendar_store.h"
#include "form_words.h"
#include "page.h"

/* "10:00-14:00, 15:00-21:00" as [["10:00","14:00"],["15:00","21:00"]]. */
/* The calendar form's fields in its labels' words (form_words.h). */
static const struct form_word calendar_words[] = {
	{.field = "hours.mon", .label = "Monday"}, {.field = "hours.tue", .label = "Tuesday"},
	{.field = "hours.wed", .label = "Wednesday"}, {.field = "hours.thu", .label = "Thursday"},
	{.field = "hours.fri", .label = "Friday"}, {.field = "hours.sat", .label = "Saturday"},
	{.field = "hours.sun", .label = "Sunday"}, {.field = "closed_days", .label = "Closed days"},
};

static json_t *form_hours(const char *text)
{
	json_t *list = json_array();
	char *copy = strdup(text), *save = NULL;

	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char from[16] = "", to[16] = "";
		int n = 0;
		if (strspn(p, " \t") == strlen(p))
			continue;
		/* anything but "HH:MM-HH:MM" goes on as an interval calendar_decode refuses */
		if (sscanf(p, " %15[0-9:] - %15[0-9:] %n", from, to, &n) != 2 || p[n] != '\0')
			snprintf(from, sizeof(from), "?");
		json_array_append_new(list, json_pack("[ss]", from, to));
	}
	free(copy);
	return list;
}

/* One closed day a line: the date, a space, the reason. */
static json_t *form_closed(const char *text)
{
	json_t *list = json_array();
	char *copy = strdup(text), *save = NULL;

	for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *reason;
		line += strspn(line, " \t");
		if (*line == '\0')
			continue;
		reason = line + strcspn(line, " \t");
		if (*reason)
			*reason++ = '\0';
		reason += strspn(reason, " \t");
		json_array_append_new(list, json_pack("{ss ss}", "date", line, "reason", reason));
	}
	free(copy);
	return list;
}

/* The calendar JSON's weekday d as the form's text. */
static void hours_text(const json_t *list, char *out, size_t len)
{
	size_t i, n = 0;
	const json_t *iv;

	*out = '\0';
	json_array_foreach(list, i, iv)
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s-%s", i ? ", " : "",
		    json_string_value(json_array_get(iv, 0)), json_string_value(json_array_get(iv, 1)));
}

static void show_calendar(struct tpl_dict *d, const json_t *cal)
{
	const json_t *day;
	size_t i;

	for (int w = 0; w < 7; w++) {
		struct tpl_dict *row = tpl_section(d, "DAY");
		char text[256];
		hours_text(json_object_get(json_object_get(cal, "hours"), calendar_wday_names[w]),
		    text, sizeof(text));
		tpl_set(row, "WDAY", calendar_wday_names[w]);
		tpl_set(row, "HOURS", text);
		if (!*text)
			tpl_show(row, "CLOSED");
	}
	json_array_foreach(json_object_get(cal, "closed_days"), i, day) {
		struct tpl_dict *row = tpl_section(d, "CLOSED_DAY");
		tpl_set(row, "DATE", json_string_value(json_object_get(day, "date")));
		tpl_set(row, "REASON", json_string_value(json_object_get(day, "reason")));
	}
	if (json_array_size(json_object_get(cal, "closed_days")) == 0)
		tpl_show(d, "NO_CLOSED");
}

/* The form's fields: as typed back after an error, else the stored calendar. */
static void show_form(const struct request *req, struct tpl_dict *d, const json_t *cal,
    int typed)
{
	struct buf closed;
	const json_t *day;
	size_t i;

	for (int w = 0; w < 7; w++) {
		char key[16], upper[16], text[256];
		snprintf(key, sizeof(key), "hours_%s", calendar_wday_names[w]);
		snprintf(upper, sizeof(upper), "HOURS_%s", calendar_wday_names[w]);
		for (char *p = upper; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		hours_text(json_object_get(json_object_get(cal, "hours"), calendar_wday_names[w]),
		    text, sizeof(text));
		tpl_set(d, upper, typed ? page_form(req, key) : text);
	}
	buf_init(&closed);
	json_array_foreach(json_object_get(cal, "closed_days"), i, day)
		buf_printf(&closed, "%s %s\n", json_string_value(json_object_get(day, "date")),
		    json_string_value(json_object_get(day, "reason")));
	tpl_set(d, "CLOSED_TEXT", typed ? page_form(req, "closed_days") :
	    closed.data ? closed.data : "");
	buf_free(&closed);
}

static int calendar_page(struct request *req, int status, const struct verror *err)
{
	json_t *cal = NULL;
	struct page p;

	if (calendar_get(req->db, &cal) != ST_OK)
		return 500;
	page_begin(&p, req, "Opening hours", "calendar.html.tpl", "RULES");
	tpl_set(p.content, "ZONE", req->cfg->timezone);
	show_calendar(p.content, cal);
	page_roles(req, p.content);
	show_form(req, p.content, cal, err != NULL);
	if (err) {
		struct verror said;
		char key[48];
		const char *f = err->field;
		if (strncmp(f, "hours.", 6) == 0)
			snprintf(key, sizeof(key), "ERR_%.3s", f + 6);
		else
			snprintf(key, sizeof(key), "%s", strcmp(f, "closed_days") == 0 ? "ERR_CLOSED" :
			    "ERR_FORM");
		for (char *q = key; *q; q++)
			*q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
		said = *err;
		form_words(req, &said, FORM_WORDS(calendar_words));
		tpl_set(tpl_section(p.content, key), "MSG", said.message);
	}
	json_decref(cal);
	return page_end(&p, req, status);
}

int page_calendar(struct request *req)
{
	return calendar_page(req, 200, NULL);
}

int page_calendar_update(struct request *req)
{
	json_t *in = json_object(), *hours = json_object(), *out = NULL;
	struct calendar cal;
	struct verror err;
	enum store_rc rc = ST_INVALID;

	for (int w = 0; w < 7; w++) {
		char key[16];
		snprintf(key, sizeof(key), "hours_%s", calendar_wday_names[w]);
		json_object_set_new(hours, calendar_wday_names[w], form_hours(page_form(req, key)));
	}
	json_object_set_new(in, "hours", hours);
	json_object_set_new(in, "closed_days", form_closed(page_form(req, "closed_days")));
	if (calendar_decode(in, &cal, &err) == 0) {
		rc = calendar_put(req->db, &req->who, &cal, &out);
		calendar_free(&cal);
	}
	json_decref(in);
	json_decref(out);
	if (rc == ST_INVALID)
		return calendar_page(req, 422, &err);
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "The calendar is saved. Rules follow it from the next evaluation.");
	return req_redirect(req, "/calendar");
}
