/*
 * pages_contact_points.c - the contact points page: the list, a form to
 * add one, each one's page to change, test or delete it. The form becomes
 * the API's body (cp_decode checks it), so the page and the API accept
 * the same contact points. Secrets are typed into password fields, never
 * shown; left empty, the stored one stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "contact_point_store.h"
#include "cp_test.h"
#include "form_words.h"
#include "page.h"

/* One address a line (or comma-separated) as a JSON array. */
static json_t *form_list(const char *text)
{
	json_t *list = json_array();
	char *copy = strdup(text), *save = NULL;

	for (char *p = strtok_r(copy, ",\r\n", &save); p; p = strtok_r(NULL, ",\r\n", &save)) {
		char *end;
		p += strspn(p, " \t");
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p)
			json_array_append_new(list, json_string(p));
	}
	free(copy);
	return list;
}

/*
 * "Name: value" a line into headers; secret ones as {"value","secret"}
 * ({"secret": true} alone when the value is left empty: keep it). A line
 * without a colon goes on as a header name the decoder refuses.
 */
static void form_headers(json_t *headers, const char *text, int secret)
{
	char *copy = strdup(text), *save = NULL;

	for (char *l = strtok_r(copy, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(l, ':'), *v;
		l += strspn(l, " \t");
		if (*l == '\0')
			continue;
		v = colon ? colon + 1 + strspn(colon + 1, " \t") : (char *)"";
		if (colon)
			*colon = '\0';
		if (!secret)
			json_object_set_new(headers, l, json_string(v));
		else if (*v)
			json_object_set_new(headers, l, json_pack("{ss sb}", "value", v, "secret", 1));
		else
			json_object_set_new(headers, l, json_pack("{sb}", "secret", 1));
	}
	free(copy);
}

/* Sets key of o to the form's value when one was typed (an empty secret field: keep). */
static void typed(json_t *o, const struct request *req, const char *field, const char *key)
{
	if (*page_form(req, field))
		json_object_set_new(o, key, json_string(page_form(req, field)));
}

/* The form as the API's body. */
static json_t *form_body(const struct request *req)
{
	const char *kind = page_form(req, "kind");
	json_t *s = json_object();

	if (strcmp(kind, "email") == 0) {
		json_object_set_new(s, "addresses", form_list(page_form(req, "addresses")));
	} else if (strcmp(kind, "webhook") == 0) {
		json_t *h = json_object();
		form_headers(h, page_form(req, "headers"), 0);
		form_headers(h, page_form(req, "secret_headers"), 1);
		json_object_set_new(s, "url", json_string(page_form(req, "url")));
		typed(s, req, "method", "method");
		typed(s, req, "format", "format");
		json_object_set_new(s, "headers", h);
		if (*page_form(req, "clear_secret"))
			json_object_set_new(s, "secret", json_string(""));
		else
			typed(s, req, "secret", "secret");
	} else if (strcmp(kind, "slack") == 0) {
		typed(s, req, "slack_url", "url");
	} else if (strcmp(kind, "telegram") == 0) {
		typed(s, req, "bot_token", "bot_token");
		json_object_set_new(s, "chat_id", json_string(page_form(req, "chat_id")));
		typed(s, req, "api_base", "api_base");
	}
	return json_pack("{ss ss so}", "name", page_form(req, "name"), "kind", kind,
	    "settings", s);
}

/* The template's error section for a field the decoder named. */
static const char *error_key(const char *kind, const char *field)
{
	static const struct { const char *field, *key; } keys[] = {
		{"name", "ERR_NAME"}, {"kind", "ERR_KIND"}, {"settings.addresses", "ERR_ADDRESSES"},
		{"settings.method", "ERR_METHOD"}, {"settings.format", "ERR_FORMAT"},
		{"settings.secret", "ERR_SECRET"}, {"settings.bot_token", "ERR_BOT_TOKEN"},
		{"settings.chat_id", "ERR_CHAT_ID"}, {"settings.api_base", "ERR_API_BASE"},
	};

	if (strcmp(field, "settings.url") == 0)
		return strcmp(kind, "slack") == 0 ? "ERR_SLACK_URL" : "ERR_URL";
	if (strncmp(field, "settings.headers", 16) == 0)
		return "ERR_HEADERS";
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++)
		if (strcmp(field, keys[i].field) == 0)
			return keys[i].key;
	return "ERR_FORM";
}

static const struct { const char *kind, *label; } kinds[] = {
	{"email", "E-mail"}, {"webhook", "Webhook"}, {"slack", "Slack-compatible chat"},
	{"telegram", "Telegram"},
};

static const char *kind_label(const char *kind)
{
	for (size_t i = 0; i < GW_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].label;
	return kind;
}

/* Where a contact point sends, in a few words (no secret in them). */
static void target_text(const json_t *cp, struct buf *b)
{
	const char *kind = json_string_value(json_object_get(cp, "kind"));
	const json_t *s = json_object_get(cp, "settings"), *a;
	size_t i;

	if (strcmp(kind, "email") == 0) {
		json_array_foreach(json_object_get(s, "addresses"), i, a)
			buf_printf(b, "%s%s", i ? ", " : "", json_string_value(a));
	} else if (strcmp(kind, "telegram") == 0) {
		buf_printf(b, "chat %s", json_string_value(json_object_get(s, "chat_id")));
	} else {
		buf_puts(b, json_string_value(json_object_get(s, "url")));
	}
}

/* Whether the stored contact point has the secret named name set. */
static int secret_set(const json_t *cp, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(cp, "secrets_set"), i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/* A webhook's stored headers as the two text fields (secret values never shown). */
static void headers_text(struct tpl_dict *d, const json_t *cp)
{
	const json_t *h = json_object_get(json_object_get(cp, "settings"), "headers"), *v;
	struct buf plain, hidden;
	const char *name;

	buf_init(&plain);
	buf_init(&hidden);
	buf_puts(&plain, "");
	buf_puts(&hidden, "");
	json_object_foreach((json_t *)h, name, v) {
		if (json_is_string(v))
			buf_printf(&plain, "%s: %s\n", name, json_string_value(v));
		else
			buf_printf(&hidden, "%s:\n", name);
	}
	tpl_set(d, "HEADERS_TEXT", plain.data);
	tpl_set(d, "SECRET_HEADERS_TEXT", hidden.data);
	buf_free(&plain);
	buf_free(&hidden);
}

/* The stored value at settings.key, or dflt. */
static const char *setting(const json_t *cp, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(json_object_get(cp, "settings"), key));
	return v ? v : dflt;
}

/*
 * The form's fields: as typed after a refused submit, else the stored
 * contact point cp (NULL: a new one). Password fields are always empty.
 */
static void show_form(struct tpl_dict *d, const struct request *req, const json_t *cp,
    int was_typed)
{
	const char *kind = was_typed ? page_form(req, "kind") :
	    cp ? json_string_value(json_object_get(cp, "kind")) : "email";
	struct buf addrs;

	buf_init(&addrs);
	buf_puts(&addrs, "");
	if (cp && !was_typed && strcmp(kind, "email") == 0)
		target_text(cp, &addrs);
	for (size_t i = 0; i < GW_ARRAY_LEN(kinds); i++)
		page_option(d, "KIND_OPT", kinds[i].kind, kinds[i].label, kind);
	page_option(d, "METHOD_OPT", "POST", NULL, was_typed ? page_form(req, "method") :
	    setting(cp, "method", "POST"));
	page_option(d, "METHOD_OPT", "PUT", NULL, was_typed ? page_form(req, "method") :
	    setting(cp, "method", "POST"));
	page_option(d, "FORMAT_OPT", "goldwatch", "goldwatch JSON", was_typed ?
	    page_form(req, "format") : setting(cp, "format", "goldwatch"));
	page_option(d, "FORMAT_OPT", "alertmanager", "Alertmanager (version 4)", was_typed ?
	    page_form(req, "format") : setting(cp, "format", "goldwatch"));
	tpl_set(d, "NAME_VALUE", was_typed ? page_form(req, "name") :
	    cp ? json_string_value(json_object_get(cp, "name")) : "");
	tpl_set(d, "ADDRESSES_TEXT", was_typed ? page_form(req, "addresses") : addrs.data);
	tpl_set(d, "URL_VALUE", was_typed ? page_form(req, "url") :
	    strcmp(kind, "webhook") == 0 ? setting(cp, "url", "") : "");
	tpl_set(d, "CHAT_ID_VALUE", was_typed ? page_form(req, "chat_id") : setting(cp, "chat_id", ""));
	tpl_set(d, "API_BASE_VALUE", was_typed ? page_form(req, "api_base") :
	    setting(cp, "api_base", "https://api.telegram.org"));
	if (was_typed) {
		tpl_set(d, "HEADERS_TEXT", page_form(req, "headers"));
		tpl_set(d, "SECRET_HEADERS_TEXT", page_form(req, "secret_headers"));
	} else {
		headers_text(d, cp);
	}
	if (cp && strcmp(kind, "slack") == 0)
		tpl_set(tpl_section(d, "SLACK_URL_SET"), "HINT", setting(cp, "url", ""));
	if (cp && secret_set(cp, "secret"))
		tpl_show(d, "SECRET_SET");
	if (cp && secret_set(cp, "bot_token"))
		tpl_show(d, "BOT_TOKEN_SET");
	buf_free(&addrs);
}

/* The contact point form's fields in its labels' words (form_words.h). */
static const struct form_word cp_words[] = {
	{.field = "name", .label = "Name", .ask = "Enter a name for the contact point"},
	{.field = "kind", .label = "Kind", .ask = "Choose a kind", .always = 1},
	{.field = "settings.addresses", .label = "Addresses", .ask = "Enter at least one address",
	    .input = "addresses", .addresses = 1},
	{.field = "settings.url", .label = "URL", .ask = "Enter the URL", .input = "url"},
	{.field = "settings.method", .label = "Method", .ask = "Choose a method", .always = 1},
	{.field = "settings.format", .label = "Payload", .ask = "Choose a payload", .always = 1},
	{.field = "settings.headers", .label = "Headers"},
	{.field = "settings.secret", .label = "Signing secret"},
	{.field = "settings.bot_token", .label = "Bot token", .ask = "Enter the bot token",
	    .input = "bot_token"},
	{.field = "settings.chat_id", .label = "Chat id", .ask = "Enter the chat id or @channel",
	    .input = "chat_id"},
	{.field = "settings.api_base", .label = "API address"},
};

static void show_error(struct tpl_dict *d, const struct request *req, const struct verror *err)
{
	struct verror said;

	if (err == NULL)
		return;
	said = *err;
	form_words(req, &said, FORM_WORDS(cp_words));
	tpl_set(tpl_section(d, error_key(page_form(req, "kind"), said.field)), "MSG", said.message);
}

static int list_page(struct request *req, int status, const struct verror *err)
{
	json_t *list = NULL, *cp;
	struct page p;
	size_t i;

	if (cp_list(req->db, &list) != ST_OK)
		return 500;
	page_begin(&p, req, "Contact points", "contact_points.html.tpl", "RULES");
	json_array_foreach(list, i, cp) {
		struct tpl_dict *row = tpl_section(p.content, "CP");
		struct buf target;
		buf_init(&target);
		buf_puts(&target, "");
		target_text(cp, &target);
		tpl_setf(row, "ID", "%lld", (long long)json_integer_value(json_object_get(cp, "id")));
		tpl_set(row, "NAME", json_string_value(json_object_get(cp, "name")));
		tpl_set(row, "KIND", kind_label(json_string_value(json_object_get(cp, "kind"))));
		tpl_set(row, "TARGET", target.data);
		buf_free(&target);
	}
	if (json_array_size(list) == 0)
		tpl_show(p.content, "NO_CP");
	page_roles(req, p.content);
	tpl_show(p.content, "NEW");
	tpl_set(p.content, "ACTION", "/contact-points");
	show_form(p.content, req, NULL, err != NULL);
	show_error(p.content, req, err);
	json_decref(list);
	return page_end(&p, req, status);
}

static int edit_page(struct request *req, int64_t id, int status, const struct verror *err)
{
	json_t *cp = NULL;
	struct page p;
	enum store_rc rc = cp_get(req->db, id, &cp);

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such contact point.");
	if (rc != ST_OK)
		return 500;
	page_begin(&p, req, json_string_value(json_object_get(cp, "name")),
	    "contact_points.html.tpl", "RULES");
	tpl_show(p.content, "EDIT");
	tpl_set(p.content, "CP_NAME", json_string_value(json_object_get(cp, "name")));
	tpl_set(p.content, "CP_KIND", kind_label(json_string_value(json_object_get(cp, "kind"))));
	tpl_setf(p.content, "CP_ID", "%lld", (long long)id);
	{
		struct buf target;
		buf_init(&target);
		buf_puts(&target, "");
		target_text(cp, &target);
		tpl_set(p.content, "CP_TARGET", target.data);
		buf_free(&target);
	}
	tpl_setf(p.content, "ACTION", "/contact-points/%lld", (long long)id);
	page_roles(req, p.content);
	show_form(p.content, req, cp, err != NULL);
	show_error(p.content, req, err);
	json_decref(cp);
	return page_end(&p, req, status);
}

static int redirect_to(struct request *req, int64_t id)
{
	char path[64];

	snprintf(path, sizeof(path), "/contact-points/%lld", (long long)id);
	return req_redirect(req, path);
}

int page_contact_points(struct request *req)
{
	return list_page(req, 200, NULL);
}

int page_contact_point(struct request *req)
{
	return edit_page(req, req_param_id(req, "id"), 200, NULL);
}

/* Create (id 0) or change from the form; back to the form with the error at its field. */
static int form_write(struct request *req, int64_t id)
{
	json_t *body = form_body(req), *out = NULL;
	struct cp_input in;
	struct verror err;
	enum store_rc rc = ST_INVALID;

	if (cp_decode(body, &in, &err) == 0)
		rc = id ? cp_replace(req->db, req->cfg, &req->who, id, &in, &out, &err) :
		    cp_create(req->db, req->cfg, &req->who, &in, &out, &err);
	cp_input_free(&in);
	json_decref(body);
	if (rc == ST_OK && !id)
		id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	if (rc == ST_INVALID || rc == ST_CONFLICT)
		return id ? edit_page(req, id, 422, &err) : list_page(req, 422, &err);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such contact point.");
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "Saved. Send a test message to see that it arrives.");
	return redirect_to(req, id);
}

int page_contact_point_create(struct request *req)
{
	return form_write(req, 0);
}

int page_contact_point_update(struct request *req)
{
	return form_write(req, req_param_id(req, "id"));
}

int page_contact_point_test(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	struct cp_target t;
	enum store_rc rc = cp_target_load(req->db, req->cfg, id, &t);
	json_t *out;
	char msg[400];

	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such contact point.");
	if (rc != ST_OK)
		return 500;
	out = cp_test(req->db, req->cfg, &t, req->who.username);
	cp_target_free(&t);
	if (out == NULL)
		return 500;
	if (json_is_integer(json_object_get(out, "queued")))
		snprintf(msg, sizeof(msg), "The test message is queued for %lld address(es).",
		    (long long)json_integer_value(json_object_get(out, "queued")));
	else if (json_is_true(json_object_get(out, "ok")))
		snprintf(msg, sizeof(msg), "The test message arrived (answer %lld).",
		    (long long)json_integer_value(json_object_get(out, "status")));
	else
		snprintf(msg, sizeof(msg), "The test message did not arrive: %s.",
		    json_string_value(json_object_get(out, "error")));
	page_flash(req, json_is_true(json_object_get(out, "ok")) ? "ok" : "error", msg);
	json_decref(out);
	return redirect_to(req, id);
}

int page_contact_point_delete(struct request *req)
{
	json_t *out = NULL;
	struct verror err;
	int64_t id = req_param_id(req, "id");
	enum store_rc rc = cp_delete(req->db, &req->who, id, &out, &err);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such contact point.");
	if (rc == ST_CONFLICT) {
		page_flash(req, "error", "Notification or escalation policies send to this contact"
		    " point: take it out of them first.");
		return redirect_to(req, id);
	}
	if (rc != ST_OK)
		return 500;
	page_flash(req, "ok", "The contact point is deleted.");
	return req_redirect(req, "/contact-points");
}
