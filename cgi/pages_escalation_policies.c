/*
 * pages_escalation_policies.c - the escalation policies pages: the list,
 * a form to make one, each one's page to change or delete it. The form
 * becomes the API's body (esc_policy_decode checks it), so the pages and
 * the API accept the same policies. Adding or removing a level submits
 * the form and shows it again, changed, without saving: nothing typed is
 * lost and nothing half-made is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "contact_point_store.h"
#include "escalation_policy_store.h"
#include "form_words.h"
#include "page.h"

/* The form as the API's body: name, levels (l0_, l1_, ...), repeat; op applied. */
static json_t *form_body(const struct request *req)
{
	json_t *levels = json_array(), *body, *n;
	int64_t count = 0;
	long long drop = -1;
	char key[32];

	parse_int64(page_form(req, "count"), 0, ESC_MAX_LEVELS, &count);
	if (sscanf(page_form(req, "op"), "remove-%lld", &drop) != 1)
		drop = -1;
	for (int64_t i = 0; i < count; i++) {
		json_t *l;
		if (i == drop)
			continue;
		l = json_object();
		snprintf(key, sizeof(key), "l%lld_after", (long long)i);
		if ((n = page_form_number(req, key)) != NULL)
			json_object_set_new(l, "after_minutes", n);
		snprintf(key, sizeof(key), "l%lld_cp_", (long long)i);
		json_object_set_new(l, "contact_points", page_form_all(req, key, 1));
		json_array_append_new(levels, l);
	}
	if (strcmp(page_form(req, "op"), "add") == 0)
		json_array_append_new(levels, json_object());
	body = json_pack("{ss so}", "name", page_form(req, "name"), "levels", levels);
	if ((n = page_form_number(req, "repeat")) != NULL)
		json_object_set_new(body, "repeat", n);
	return body;
}

/* levels.N.field of err as that level's section, else the form's. */
static void show_error(struct tpl_dict *d, struct tpl_dict **levels, size_t n,
    const struct verror *err)
{
	const char *f = err->field;
	char *end;

	if (strcmp(f, "name") == 0 || strcmp(f, "repeat") == 0) {
		tpl_set(tpl_section(d, strcmp(f, "name") == 0 ? "ERR_NAME" : "ERR_REPEAT"), "MSG",
		    err->message);
		return;
	}
	if (strncmp(f, "levels.", 7) == 0) {
		unsigned long i = strtoul(f + 7, &end, 10);
		if (end != f + 7 && i < n) {
			tpl_set(tpl_section(levels[i], strstr(end, "after_minutes") ? "ERR_AFTER" :
			    "ERR_CP"), "MSG", err->message);
			return;
		}
	}
	tpl_set(tpl_section(d, "ERR_FORM"), "MSG", err->message);
}

/* The form's fields for policy ep (stored or as typed; NULL: a new one with one level). */
static void show_form(struct tpl_dict *d, const json_t *cps, const json_t *ep,
    const struct verror *err)
{
	struct tpl_dict *rows[ESC_MAX_LEVELS];
	const json_t *levels = json_object_get(ep, "levels"), *l, *v;
	json_t *one = NULL;
	size_t i, n;

	if (ep == NULL)
		levels = one = json_pack("[{}]");
	n = json_array_size(levels);
	tpl_set(d, "NAME_VALUE", ep ? json_string_value(json_object_get(ep, "name")) : "");
	v = json_object_get(ep, "repeat");
	if (json_is_integer(v))
		tpl_setf(d, "REPEAT_VALUE", "%lld", (long long)json_integer_value(v));
	else
		tpl_set(d, "REPEAT_VALUE", json_is_string(v) ? json_string_value(v) : "0");
	tpl_setf(d, "COUNT", "%zu", n > ESC_MAX_LEVELS ? (size_t)ESC_MAX_LEVELS : n);
	json_array_foreach(levels, i, l) {
		if (i >= ESC_MAX_LEVELS)
			break;
		rows[i] = tpl_section(d, "LEVEL");
		tpl_setf(rows[i], "I", "%zu", i);
		tpl_setf(rows[i], "N", "%zu", i + 1);
		if (i == 0)
			tpl_show(rows[i], "FIRST");
		else
			tpl_setf(tpl_section(rows[i], "LATER"), "PREV", "%zu", i);
		v = json_object_get(l, "after_minutes");
		if (json_is_integer(v))
			tpl_setf(rows[i], "AFTER", "%lld", (long long)json_integer_value(v));
		else
			tpl_set(rows[i], "AFTER", json_is_string(v) ? json_string_value(v) : "");
		page_id_options(rows[i], "CP_OPT", cps, json_object_get(l, "contact_points"));
		if (n > 1)
			tpl_show(rows[i], "CAN_REMOVE");
	}
	if (n < ESC_MAX_LEVELS)
		tpl_show(d, "CAN_ADD");
	if (json_array_size(cps) == 0)
		tpl_show(d, "NO_CPS");
	if (err)
		show_error(d, rows, n < ESC_MAX_LEVELS ? n : ESC_MAX_LEVELS, err);
	json_decref(one);
}

/* "after 15 min: Owner, Stock; after 30 min: ..." with the contact points' names. */
static void levels_text(const json_t *levels, const json_t *cps, struct buf *b)
{
	const json_t *l, *id, *cp;
	size_t i, k, c;

	buf_puts(b, "");
	json_array_foreach(levels, i, l) {
		buf_printf(b, "%safter %lld min:", i ? "; " : "",
		    (long long)json_integer_value(json_object_get(l, "after_minutes")));
		json_array_foreach(json_object_get(l, "contact_points"), k, id)
			json_array_foreach(cps, c, cp)
				if (json_integer_value(json_object_get(cp, "id")) == json_integer_value(id))
					buf_printf(b, "%s %s", k ? "," : "",
					    json_string_value(json_object_get(cp, "name")));
	}
}

static int list_page(struct request *req)
{
	json_t *list = NULL, *cps = NULL, *ep;
	struct page p;
	size_t i;
	int rc = 500;

	if (esc_policy_list(req->db, &list) != ST_OK || cp_list(req->db, &cps) != ST_OK)
		goto out;
	page_begin(&p, req, "Escalation policies", "escalation_policies.html.tpl", "RULES");
	json_array_foreach(list, i, ep) {
		struct tpl_dict *row = tpl_section(p.content, "EP");
		struct buf text;
		buf_init(&text);
		levels_text(json_object_get(ep, "levels"), cps, &text);
		tpl_setf(row, "ID", "%lld", (long long)json_integer_value(json_object_get(ep, "id")));
		tpl_set(row, "NAME", json_string_value(json_object_get(ep, "name")));
		tpl_set(row, "LEVELS", text.data);
		if (json_integer_value(json_object_get(ep, "repeat")) > 0)
			tpl_setf(row, "REPEAT", "%lld more time(s)",
			    (long long)json_integer_value(json_object_get(ep, "repeat")));
		else
			tpl_set(row, "REPEAT", "no");
		buf_free(&text);
	}
	if (json_array_size(list) == 0)
		tpl_show(p.content, "NO_EP");
	tpl_show(p.content, "LIST");
	rc = page_end(&p, req, 200);
out:
	json_decref(list);
	json_decref(cps);
	return rc;
}

/*
 * The form page: a new policy (id 0) or policy id (its stored name, NULL:
 * the one typed), ep as stored or typed.
 */
/* The escalation policy form's fields in its labels' words (form_words.h). */
static const struct form_word esc_words[] = {
	{.field = "name", .label = "Name", .ask = "Enter a name for the escalation policy"},
	{.field = "levels.0.after_minutes", .label = "Minutes after the alert fired"},
	{.field = "levels.*.after_minutes", .label = "Minutes after the level before"},
	{.field = "levels.*.contact_points", .label = "Tell"},
	{.field = "repeat", .label = "Run through the levels again, times"},
};

static int form_page(struct request *req, int64_t id, const char *stored_name, const json_t *ep,
    int status, const struct verror *err)
{
	const char *name = json_string_value(json_object_get(ep, "name"));
	struct tpl_dict *f;
	json_t *cps = NULL;
	struct verror said;
	struct page p;

	if (cp_list(req->db, &cps) != ST_OK)
		return 500;
	/* the name as stored heads the page, not as typed */
	name = !id ? "New escalation policy" : stored_name ? stored_name :
	    name && *name ? name : "Escalation policy";
	page_begin(&p, req, name, "escalation_policies.html.tpl", "RULES");
	f = tpl_section(p.content, "FORM");
	page_roles(req, f);
	tpl_set(p.content, "EP_NAME", name);
	tpl_show(p.content, id ? "EDIT" : "NEW");
	tpl_show(f, id ? "EDIT" : "NEW");
	if (id) {
		tpl_setf(p.content, "EP_ID", "%lld", (long long)id);
		tpl_setf(p.content, "ACTION", "/escalation-policies/%lld", (long long)id);
	} else {
		tpl_set(p.content, "ACTION", "/escalation-policies");
	}
	if (err) {
		said = *err;
		form_words(req, &said, FORM_WORDS(esc_words));
	}
	show_form(f, cps, ep, err ? &said : NULL);
	json_decref(cps);
	return page_end(&p, req, status);
}

int page_esc_policies(struct request *req)
{
	return list_page(req);
}

int page_esc_policy_new(struct request *req)
{
	return form_page(req, 0, NULL, NULL, 200, NULL);
}

int page_esc_policy(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *ep = NULL;
	enum store_rc rc = esc_policy_get(req->db, id, &ep);
	int status;

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such escalation policy.");
	if (rc != ST_OK)
		return 500;
	status = form_page(req, id, json_string_value(json_object_get(ep, "name")), ep, 200, NULL);
	json_decref(ep);
	return status;
}

/* Create (id 0) or change from the form; a level added or removed: the form again. */
static int form_write(struct request *req, int64_t id)
{
	json_t *body = form_body(req), *out = NULL;
	struct esc_policy_input in;
	struct verror err;
	enum store_rc rc = ST_INVALID;
	int status;

	if (*page_form(req, "op")) {
		status = form_page(req, id, NULL, body, 200, NULL);
		json_decref(body);
		return status;
	}
	if (esc_policy_decode(body, &in, &err) == 0)
		rc = id ? esc_policy_replace(req->db, &req->who, id, &in, &out, &err) :
		    esc_policy_create(req->db, &req->who, &in, &out, &err);
	esc_policy_free(&in);
	if (rc == ST_OK && !id)
		id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	if (rc == ST_INVALID || rc == ST_CONFLICT) {
		status = form_page(req, id, NULL, body, 422, &err);
		json_decref(body);
		return status;
	}
	json_decref(body);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such escalation policy.");
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "The escalation policy is saved. Rules take it on their form.");
	return req_redirect(req, "/escalation-policies");
}

int page_esc_policy_create(struct request *req)
{
	return form_write(req, 0);
}

int page_esc_policy_update(struct request *req)
{
	return form_write(req, req_param_id(req, "id"));
}

int page_esc_policy_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	int64_t id = req_param_id(req, "id");
	enum store_rc rc = esc_policy_delete(req->db, &req->who, id, &out, &err);
	char back[64];

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such escalation policy.");
	if (rc == ST_CONFLICT) {
		page_flash(req, "error", "Rules escalate by this policy: choose another for them"
		    " first.");
		snprintf(back, sizeof(back), "/escalation-policies/%lld", (long long)id);
		return req_redirect(req, back);
	}
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "The escalation policy is deleted.");
	return req_redirect(req, "/escalation-policies");
}
