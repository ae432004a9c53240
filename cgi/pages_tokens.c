/*
 * pages_tokens.c - the admin's API tokens page: every token with its
 * owner, last use and expiry, a form to make one (shown once, on the
 * answer to the form, never in a cookie or a redirect) and revoking one.
 * The rules are core/user_store.c's, as for the API.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "form_words.h"
#include "page.h"
#include "user_store.h"

/* "active", "revoked" or "expired" */
/* The token form's fields in its labels' words (form_words.h). */
static const struct form_word token_words[] = {
	{.field = "name", .label = "Name", .ask = "Enter a name for the token"},
	{.field = "user_id", .label = "Acts as", .ask = "Choose who the token acts as", .always = 1},
	{.field = "expires_days", .label = "Expires", .ask = "Choose when the token expires",
	    .always = 1},
};

static const char *token_state(const json_t *t)
{
	if (json_is_true(json_object_get(t, "active")))
		return "active";
	return json_is_string(json_object_get(t, "revoked_at")) ? "revoked" : "expired";
}

static void token_row(struct page *p, const json_t *t)
{
	struct tpl_dict *d = tpl_section(p->content, "TOKEN");
	const json_t *owner = json_object_get(t, "owner");
	const char *state = token_state(t);

	tpl_setf(d, "ID", "%lld", (long long)json_integer_value(json_object_get(t, "id")));
	tpl_set(d, "NAME", json_string_value(json_object_get(t, "name")));
	tpl_setf(d, "OWNER_ID", "%lld", (long long)json_integer_value(json_object_get(owner, "id")));
	tpl_set(d, "OWNER", json_string_value(json_object_get(owner, "username")));
	tpl_set(d, "ROLE", json_string_value(json_object_get(t, "role")));
	tpl_set(d, "STATE", state);
	page_time(d, "CREATED", json_string_value(json_object_get(t, "created_at")));
	if (json_is_string(json_object_get(t, "last_used_at")))
		page_time(tpl_section(d, "USED"), "AT",
		    json_string_value(json_object_get(t, "last_used_at")));
	else
		tpl_show(d, "NEVER_USED");
	if (json_is_string(json_object_get(t, "expires_at")))
		page_time(tpl_section(d, "EXPIRES"), "AT",
		    json_string_value(json_object_get(t, "expires_at")));
	else
		tpl_show(d, "NO_EXPIRY");
	if (strcmp(state, "active") == 0)
		tpl_show(d, "REVOCABLE");
}

/* The form's choices: owners (every enabled user) and lifetimes; the
 * values sent when keep (a refused submit), else a blank form. */
static void token_form(struct request *req, struct page *p, const json_t *users, int keep)
{
	static const struct { const char *v, *label; } lifetimes[] = {
		{"", "never expires"}, {"30", "30 days"}, {"90", "90 days"}, {"365", "1 year"},
	};
	const char *owner = keep ? page_form(req, "user_id") : "";
	char me[24];
	const json_t *u;
	size_t i;

	snprintf(me, sizeof(me), "%lld", (long long)req->who.user_id);
	json_array_foreach(users, i, u) {
		char id[24];
		if (json_is_true(json_object_get(u, "disabled")))
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(u, "id")));
		page_option(p->content, "OWNER_OPT", id,
		    json_string_value(json_object_get(u, "username")), *owner ? owner : me);
	}
	for (size_t k = 0; k < GW_ARRAY_LEN(lifetimes); k++)
		page_option(p->content, "LIFETIME", lifetimes[k].v, lifetimes[k].label,
		    keep ? page_form(req, "expires_days") : "");
	tpl_set(p->content, "NAME_VALUE", keep ? page_form(req, "name") : "");
}

/* The page; created: the new token's answer (its secret shown once), or NULL. */
static int tokens_page(struct request *req, int status, const json_t *created,
    const struct verror *err)
{
	json_t *tokens = NULL, *users = NULL, *t;
	struct page p;
	size_t i;

	if (token_list(req->db, &tokens) != ST_OK || user_list(req->db, &users) != ST_OK) {
		json_decref(tokens);
		return 500;
	}
	page_begin(&p, req, "API tokens", "tokens.html.tpl", NULL);
	json_array_foreach(tokens, i, t)
		token_row(&p, t);
	if (json_array_size(tokens) == 0)
		tpl_show(p.content, "NO_TOKENS");
	token_form(req, &p, users, created == NULL);
	if (created) {
		struct tpl_dict *d = tpl_section(p.content, "CREATED");
		tpl_set(d, "NAME", json_string_value(json_object_get(created, "name")));
		tpl_set(d, "TOKEN", json_string_value(json_object_get(created, "token")));
		/* the secret is on this answer only: no cache keeps it */
		req_header(req, "Cache-Control: no-store");
	}
	if (err) {
		struct verror said = *err;

		form_words(req, &said, FORM_WORDS(token_words));
		tpl_set(tpl_section(p.content, strcmp(said.field, "name") == 0 ?
		    "ERR_NAME" : "ERR_OWNER"), "MSG", said.message);
	}
	json_decref(tokens);
	json_decref(users);
	return page_end(&p, req, status);
}

int page_tokens(struct request *req)
{
	return tokens_page(req, 200, NULL, NULL);
}

int page_token_create(struct request *req)
{
	json_t *in = json_object(), *out = NULL;
	struct token_input ti;
	struct verror err;
	enum store_rc rc = ST_INVALID;
	int64_t n;
	int status;

	json_object_set_new(in, "name", json_string(page_form(req, "name")));
	if (parse_int64(page_form(req, "user_id"), 1, INT64_MAX, &n) == 0)
		json_object_set_new(in, "user_id", json_integer(n));
	if (parse_int64(page_form(req, "expires_days"), 1, 3650, &n) == 0)
		json_object_set_new(in, "expires_days", json_integer(n));
	if (valid_decode(in, token_fields, token_nfields, &ti, &err) == 0)
		rc = token_create(req->db, &req->who, &ti, &out, &err);
	if (rc == ST_OK)
		status = tokens_page(req, 201, out, NULL);
	else
		status = rc == ST_INVALID ? tokens_page(req, 422, NULL, &err) : 500;
	json_decref(in);
	json_decref(out);
	return status;
}

int page_token_revoke(struct request *req)
{
	json_t *out = NULL;
	enum store_rc rc = token_revoke(req->db, &req->who, req_param_id(req, "id"), &out);

	json_decref(out);
	if (rc == ST_NOT_FOUND)
		page_flash(req, "error", "That token was already revoked, or is not there.");
	else if (rc != ST_OK)
		return 500;
	else
		page_flash(req, "ok", "The token is revoked: it works nowhere from now on.");
	return req_redirect(req, "/tokens");
}
