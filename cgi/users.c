/*
 * users.c - user management (admin): GET/POST /api/users,
 * PATCH /api/users/{id}; and POST /api/auth/tokens for other systems.
 * Every change is audited in its own transaction.
 */
#include <string.h>

#include "app.h"
#include "audit.h"
#include "log.h"
#include "user.h"

DB_STMT(q_users_list, "SELECT " USER_COLUMNS " FROM users ORDER BY id");

int users_list(struct request *req)
{
	PGresult *r = DB_EXEC0(req->db, &q_users_list);
	json_t *items;

	if (r == NULL)
		return 500;
	items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, user_json(r, i));
	PQclear(r);
	return req_json(req, 200, json_pack("{so}", "items", items));
}

static const struct vfield user_new_fields[] = {
	{.name = "username", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 64,
	    .check = valid_username, .what = "may hold only letters, digits and ._@-"},
	{.name = "password", .type = V_STRING, .flags = V_REQUIRED, .min = 12, .max = 1024,
	    .check = valid_password, .what = "must be at least 12 characters"},
	{.name = "role", .type = V_STRING, .flags = V_REQUIRED, .check = valid_role,
	    .what = "must be viewer, operator or admin"},
	{.name = "email", .type = V_STRING, .flags = V_NULLABLE, .min = 3, .max = 254,
	    .check = valid_email, .what = "is not a valid e-mail address"},
};

DB_STMT(q_user_get, "SELECT " USER_COLUMNS " FROM users WHERE id = $1::bigint");

static json_t *user_fetch(struct db *db, int64_t id, int *found)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_user_get, db_i64_param(id, idb));
	json_t *u = NULL;

	*found = 0;
	if (r == NULL)
		return NULL;
	if (PQntuples(r) == 1) {
		u = user_json(r, 0);
		*found = 1;
	}
	PQclear(r);
	return u;
}

static const char *str_field(const json_t *obj, const char *name)
{
	const json_t *v = json_object_get(obj, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int users_create(struct request *req)
{
	struct verror err;
	int64_t id = 0;
	json_t *u;
	int rc, found;

	if (valid_object(req->json, user_new_fields, GW_ARRAY_LEN(user_new_fields), &err) < 0)
		return req_verror(req, &err);
	if (db_begin(req->db) < 0)
		return 500;
	rc = user_create(req->db, str_field(req->json, "username"),
	    str_field(req->json, "password"), role_parse(str_field(req->json, "role")),
	    str_field(req->json, "email"), &id);
	if (rc < 0)
		return 500;
	if (rc == 1)
		return req_error(req, 409, "conflict", "username", "that user name is taken");
	u = user_fetch(req->db, id, &found);
	if (u == NULL)
		return 500;
	if (audit_record_id(req->db, &req->who, "user.create", "user", id, NULL, u) < 0 ||
	    db_commit(req->db) < 0) {
		json_decref(u);
		return 500;
	}
	req_header(req, "Location: /api/users/%lld", (long long)id);
	return req_json(req, 201, u);
}

static const struct vfield user_patch_fields[] = {
	{.name = "role", .type = V_STRING, .check = valid_role,
	    .what = "must be viewer, operator or admin"},
	{.name = "email", .type = V_STRING, .flags = V_NULLABLE, .min = 3, .max = 254,
	    .check = valid_email, .what = "is not a valid e-mail address"},
	{.name = "password", .type = V_STRING, .min = 12, .max = 1024,
	    .check = valid_password, .what = "must be at least 12 characters"},
	{.name = "disabled", .type = V_BOOL},
};

DB_STMT(q_admins_lock,
    "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE");
DB_STMT(q_user_lock, "SELECT " USER_COLUMNS " FROM users WHERE id = $1::bigint FOR UPDATE");
DB_STMT(q_user_update,
    "UPDATE users SET role = COALESCE($2, role),"
    "       email = CASE WHEN $3::boolean THEN NULLIF($4, '') ELSE email END,"
    "       password_hash = COALESCE($5, password_hash),"
    "       disabled = COALESCE($6::boolean, disabled), updated_at = now()"
    " WHERE id = $1::bigint RETURNING " USER_COLUMNS);
DB_STMT(q_user_end_sessions, "DELETE FROM sessions WHERE user_id = $1::bigint");

int users_update(struct request *req)
{
	struct verror err;
	int64_t id = req_param_id(req, "id");
	const char *role = str_field(req->json, "role");
	const char *password = str_field(req->json, "password");
	json_t *email = json_object_get(req->json, "email");
	json_t *disabled = json_object_get(req->json, "disabled");
	char hash[AUTH_PWHASH_MAX], idb[24];
	PGresult *admins = NULL, *cur = NULL, *upd = NULL;
	json_t *before = NULL, *after = NULL;
	int rc = 500, was_admin, stays_admin;

	if (valid_object(req->json, user_patch_fields, GW_ARRAY_LEN(user_patch_fields), &err) < 0)
		return req_verror(req, &err);
	if (json_object_size(req->json) == 0)
		return req_error(req, 422, "nothing_to_change", NULL,
		    "give at least one of role, email, password, disabled");
	if (password && auth_password_hash(password, hash) < 0)
		return 500;
	db_i64_param(id, idb);
	if (db_begin(req->db) < 0)
		return 500;
	/* lock the active admins first, then the user: one order, no deadlock */
	if ((admins = DB_EXEC0(req->db, &q_admins_lock)) == NULL)
		goto out;
	if ((cur = DB_EXEC(req->db, &q_user_lock, idb)) == NULL)
		goto out;
	if (PQntuples(cur) != 1) {
		rc = req_error(req, 404, "not_found", NULL, "no user %lld", (long long)id);
		goto out;
	}
	was_admin = strcmp(db_str(cur, 0, "role"), "admin") == 0 && !db_bool(cur, 0, "disabled");
	stays_admin = (role ? strcmp(role, "admin") == 0 : was_admin) &&
	    !(json_is_true(disabled));
	if (was_admin && !stays_admin && PQntuples(admins) <= 1) {
		rc = req_error(req, 409, "last_admin", role ? "role" : "disabled",
		    "this is the last active admin; make another admin first");
		goto out;
	}
	before = user_json(cur, 0);
	upd = DB_EXEC(req->db, &q_user_update, idb, role,
	    email ? "true" : "false", json_is_string(email) ? json_string_value(email) : "",
	    password ? hash : NULL,
	    disabled ? (json_is_true(disabled) ? "true" : "false") : NULL);
	if (upd == NULL)
		goto out;
	after = user_json(upd, 0);
	if ((password || json_is_true(disabled)) &&
	    DB_RUN(req->db, &q_user_end_sessions, idb) < 0)
		goto out;
	if (password)
		json_object_set_new(after, "password_changed", json_true());
	if (audit_record_id(req->db, &req->who, "user.update", "user", id, before, after) < 0 ||
	    db_commit(req->db) < 0)
		goto out;
	json_object_del(after, "password_changed");
	rc = req_json(req, 200, after);
	after = NULL;
out:
	db_rollback(req->db);
	PQclear(admins);
	PQclear(cur);
	PQclear(upd);
	json_decref(before);
	json_decref(after);
	return rc;
}

static const struct vfield token_fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 200},
	{.name = "user_id", .type = V_INT, .min = 1, .max = INT64_MAX},
	{.name = "expires_days", .type = V_INT, .min = 1, .max = 3650},
};

DB_STMT(q_token_new,
    "INSERT INTO api_tokens (name, token_hash, user_id, created_by, expires_at)"
    " SELECT $1, $2, u.id, $4::bigint,"
    "        CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(days => $5::int) END"
    "   FROM users u WHERE u.id = $3::bigint AND NOT u.disabled"
    " RETURNING id, name, user_id, iso(created_at) AS created_at, iso(expires_at) AS expires_at");

int tokens_create(struct request *req)
{
	struct verror err;
	json_t *juid = json_object_get(req->json, "user_id");
	json_t *jdays = json_object_get(req->json, "expires_days");
	char token[AUTH_TOKEN_MAX], hash[AUTH_HASH_HEX], uid[24], me[24], days[24];
	PGresult *r = NULL;
	json_t *out = NULL;
	int rc = 500;
	const char *exp;

	if (valid_object(req->json, token_fields, GW_ARRAY_LEN(token_fields), &err) < 0)
		return req_verror(req, &err);
	auth_token_new("gwt_", token);
	auth_token_hash(token, hash);
	if (db_begin(req->db) < 0)
		return 500;
	r = DB_EXEC(req->db, &q_token_new, str_field(req->json, "name"), hash,
	    db_i64_param(juid ? json_integer_value(juid) : req->who.user_id, uid),
	    db_i64_param(req->who.user_id, me),
	    jdays ? db_i64_param(json_integer_value(jdays), days) : NULL);
	if (r == NULL)
		goto out;
	if (PQntuples(r) != 1) {
		rc = req_error(req, 422, "invalid_value", "user_id",
		    "user_id names no active user");
		goto out;
	}
	exp = db_str(r, 0, "expires_at");
	out = json_pack("{sI ss sI ss so}", "id", (json_int_t)db_i64(r, 0, "id"),
	    "name", db_str(r, 0, "name"), "user_id", (json_int_t)db_i64(r, 0, "user_id"),
	    "created_at", db_str(r, 0, "created_at"),
	    "expires_at", exp ? json_string(exp) : json_null());
	/* the audit keeps what the token is, never the token itself */
	if (audit_record_id(req->db, &req->who, "token.create", "api_token",
	    db_i64(r, 0, "id"), NULL, out) < 0 || db_commit(req->db) < 0)
		goto out;
	json_object_set_new(out, "token", json_string(token));
	rc = req_json(req, 201, out);
	out = NULL;
out:
	db_rollback(req->db);
	PQclear(r);
	json_decref(out);
	return rc;
}
