/*
 * pages_sessions.c - sessions on the pages: the account page (the
 * signed-in user's own sessions, and for an admin every user's, one link
 * each), a user's sessions for an admin, and ending them all. The rules
 * are core/user_store.c's, as for the API (GET/DELETE
 * /api/users/{id}/sessions).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "page.h"
#include "user_store.h"

/* The user id's name in users (user_list), or NULL. */
static const char *user_name(const json_t *users, int64_t id)
{
	const json_t *u;
	size_t i;

	json_array_foreach(users, i, u)
		if (json_integer_value(json_object_get(u, "id")) == id)
			return json_string_value(json_object_get(u, "username"));
	return NULL;
}

/* The sessions of id and, for an admin, the list of every user. */
static void sessions_fill(struct request *req, struct page *p, const json_t *sessions,
    const json_t *users, int64_t id)
{
	const json_t *s, *u;
	size_t i;

	tpl_setf(p->content, "USER_ID", "%lld", (long long)id);
	tpl_set(p->content, "WHO", user_name(users, id));
	tpl_show(p->content, id == req->who.user_id ? "OWN" : "OTHER");
	json_array_foreach(sessions, i, s) {
		struct tpl_dict *d = tpl_section(p->content, "SESSION");
		page_time(d, "CREATED", json_string_value(json_object_get(s, "created_at")));
		page_time(d, "EXPIRES", json_string_value(json_object_get(s, "expires_at")));
		if (json_is_string(json_object_get(s, "last_seen_at")))
			page_time(tpl_section(d, "SEEN"), "AT",
			    json_string_value(json_object_get(s, "last_seen_at")));
		if (json_is_true(json_object_get(s, "current")))
			tpl_show(d, "CURRENT");
	}
	if (json_array_size(sessions) == 0)
		tpl_show(p->content, "NO_SESSIONS");
	else
		tpl_show(p->content, "CAN_END");
	if (req->who.role < ROLE_ADMIN)
		return;
	json_array_foreach(users, i, u) {
		struct tpl_dict *d = tpl_section(p->content, "USER");
		tpl_setf(d, "ID", "%lld", (long long)json_integer_value(json_object_get(u, "id")));
		tpl_set(d, "NAME", json_string_value(json_object_get(u, "username")));
		tpl_set(d, "ROLE", json_string_value(json_object_get(u, "role")));
	}
}

static int sessions_page(struct request *req, int64_t id)
{
	json_t *sessions = NULL, *users = NULL;
	enum store_rc rc;
	struct page p;

	if (req->who.role < ROLE_ADMIN && req->who.user_id != id)
		return page_error(req, 403, "Only an admin may see another user's sessions.");
	rc = session_list(req->db, id, req->who.session_id, &sessions);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such user.");
	if (rc != ST_OK || user_list(req->db, &users) != ST_OK) {
		json_decref(sessions);
		return 500;
	}
	page_begin(&p, req, id == req->who.user_id ? "Account" : "Sessions", "sessions.html.tpl",
	    NULL);
	sessions_fill(req, &p, sessions, users, id);
	json_decref(sessions);
	json_decref(users);
	return page_end(&p, req, 200);
}

int page_account(struct request *req)
{
	return sessions_page(req, req->who.user_id);
}

int page_user_sessions(struct request *req)
{
	return sessions_page(req, req_param_id(req, "id"));
}

int page_user_sessions_end(struct request *req)
{
	int64_t id = req_param_id(req, "id");
	json_t *out = NULL;
	enum store_rc rc;
	char back[64];

	if (req->who.role < ROLE_ADMIN && req->who.user_id != id)
		return page_error(req, 403, "Only an admin may end another user's sessions.");
	rc = session_end_all(req->db, &req->who, id, &out);
	json_decref(out);
	if (rc == ST_NOT_FOUND)
		return page_error(req, 404, "There is no such user.");
	if (rc != ST_OK)
		return 500;
	/* one's own sessions ended, this one with them: sign in again */
	if (id == req->who.user_id) {
		page_flash(req, "ok", "Every session of yours has ended, this one too. Sign in again.");
		return req_redirect(req, "/login");
	}
	page_flash(req, "ok", "Every session of that user has ended.");
	snprintf(back, sizeof(back), "/users/%lld/sessions", (long long)id);
	return req_redirect(req, back);
}
