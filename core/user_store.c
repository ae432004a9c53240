/*
 * user_store.c - see user_store.h.
 */
#include "user_store.h"

#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "log.h"
#include "util.h"

json_t *user_json(const PGresult *r, int row)
{
	const char *email = db_str(r, row, "email");

	return json_pack("{sI ss ss so sb ss ss}",
	    "id", (json_int_t)db_i64(r, row, "id"),
	    "username", db_str(r, row, "username"),
	    "role", db_str(r, row, "role"),
	    "email", email ? json_string(email) : json_null(),
	    "disabled", db_bool(r, row, "disabled"),
	    "created_at", db_str(r, row, "created_at"),
	    "updated_at", db_str(r, row, "updated_at"));
}

/*
 * The fields a new user and a change share, once: bounds and messages.
 * T is the struct they fill; the rest are more initializers (.has).
 */
#define ROLE_FIELD(fl, T, ...) {.name = "role", .type = V_STRING, .flags = (fl), \
	.check = valid_role, .what = "must be viewer, operator or admin", \
	.at = V_AT(T, role), __VA_ARGS__}
#define EMAIL_FIELD(T) {.name = "email", .type = V_STRING, .flags = V_NULLABLE, \
	.min = 3, .max = 254, .check = valid_email, .what = "is not a valid e-mail address", \
	.at = V_AT(T, email)}
#define PASSWORD_FIELD(fl, T, ...) {.name = "password", .type = V_STRING, .flags = (fl), \
	.min = 12, .max = 1024, .check = valid_password, \
	.what = "must be at least 12 characters", .at = V_AT(T, password), \
	.column = "" /* stored only as its hash */, __VA_ARGS__}

const struct vfield user_fields[] = {
	{.name = "username", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 64,
	    .check = valid_username, .what = "may hold only letters, digits and ._@-",
	    .at = V_AT(struct user_input, username)},
	PASSWORD_FIELD(V_REQUIRED, struct user_input),
	ROLE_FIELD(V_REQUIRED, struct user_input),
	EMAIL_FIELD(struct user_input),
};
const size_t user_nfields = GW_ARRAY_LEN(user_fields);

#define UP(m) V_AT(struct user_patch, m)
const struct vfield user_patch_fields[] = {
	ROLE_FIELD(0, struct user_patch, .has = UP(has_role)),
	EMAIL_FIELD(struct user_patch),
	PASSWORD_FIELD(0, struct user_patch, .has = UP(has_password)),
	{.name = "disabled", .type = V_BOOL, .at = UP(disabled), .has = UP(has_disabled)},
};
const size_t user_patch_nfields = GW_ARRAY_LEN(user_patch_fields);

#define TI(m) V_AT(struct token_input, m)
const struct vfield token_fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 200,
	    .at = TI(name)},
	{.name = "user_id", .type = V_INT, .min = 1, .max = INT64_MAX,
	    .at = TI(user_id), .has = TI(has_user_id)},
	{.name = "expires_days", .type = V_INT, .min = 1, .max = 3650,
	    .at = TI(expires_days), .has = TI(has_expires_days)},
	{.name = "expires_at", .type = V_TIME, .at = TI(expires_at_us), .has = TI(has_expires_at)},
};
const size_t token_nfields = GW_ARRAY_LEN(token_fields);

enum store_rc user_patch_decode(const json_t *in, struct user_patch *out, struct verror *err)
{
	if (valid_decode(in, user_patch_fields, user_patch_nfields, out, err) < 0)
		return ST_INVALID;
	/* null removes the address: given, though the table's flag says unset */
	out->has_email = json_object_get(in, "email") != NULL;
	if (!out->has_role && !out->has_email && !out->has_password && !out->has_disabled) {
		verror_set(err, 422, "nothing_to_change", NULL,
		    "give at least one of role, email, password, disabled");
		return ST_INVALID;
	}
	return ST_OK;
}

DB_STMT(q_users_list, "SELECT " USER_COLUMNS " FROM users ORDER BY id");

enum store_rc user_list(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_users_list), user_json, out);
}

DB_STMT(q_user_exists, "SELECT 1 FROM users WHERE lower(username) = lower($1)");

int user_exists(struct db *db, const char *username)
{
	PGresult *r = DB_EXEC(db, &q_user_exists, username);
	int rc;

	if (r == NULL)
		return -1;
	rc = PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

/*
 * Audits the change *out records and commits; on failure rolls back and
 * drops *out. The one ending of every store transaction here.
 */
static enum store_rc audit_commit(struct db *db, const struct principal *who,
    const char *action, const char *type, int64_t id, const json_t *before, json_t **out)
{
	if (audit_record_id(db, who, action, type, id, before, *out) == 0 &&
	    db_commit(db) == 0)
		return ST_OK;
	db_rollback(db);
	json_decref(*out);
	*out = NULL;
	return ST_ERROR;
}

DB_STMT(q_user_new,
    "INSERT INTO users (username, password_hash, role, email)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING " USER_COLUMNS);

enum store_rc user_create(struct db *db, const struct principal *who,
    const struct user_input *in, json_t **out, struct verror *err)
{
	char hash[AUTH_PWHASH_MAX];
	PGresult *r;
	int taken;

	*out = NULL;
	/* argon2id takes ~100 ms: never while holding a transaction open */
	if (auth_password_hash(in->password, hash) < 0)
		return ST_ERROR;
	if (db_begin(db) < 0)
		return ST_ERROR;
	r = DB_EXEC(db, &q_user_new, in->username, hash, in->role, in->email);
	sodium_memzero(hash, sizeof(hash));
	if (r == NULL) {
		db_rollback(db);
		return ST_ERROR;
	}
	taken = PQntuples(r) == 0;
	if (!taken)
		*out = user_json(r, 0);
	PQclear(r);
	if (taken) {
		db_rollback(db);
		verror_set(err, 409, "conflict", "username", "that user name is taken");
		return ST_CONFLICT;
	}
	return audit_commit(db, who, "user.create", "user",
	    json_integer_value(json_object_get(*out, "id")), NULL, out);
}

DB_STMT(q_admins_lock,
    "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE");
DB_STMT(q_user_lock, "SELECT " USER_COLUMNS " FROM users WHERE id = $1::bigint FOR UPDATE");
DB_STMT(q_user_update,
    "UPDATE users SET role = COALESCE($2, role),"
    "       email = CASE WHEN $3::boolean THEN $4 ELSE email END,"
    "       password_hash = COALESCE($5, password_hash),"
    "       disabled = COALESCE($6::boolean, disabled), updated_at = now()"
    " WHERE id = $1::bigint RETURNING " USER_COLUMNS);
DB_STMT(q_user_end_sessions, "DELETE FROM sessions WHERE user_id = $1::bigint");

/*
 * The last-admin rule: cur is the user's locked row, admins the locked
 * active admins. ST_OK, or ST_CONFLICT with err.
 */
static enum store_rc keeps_an_admin(const PGresult *cur, const PGresult *admins,
    const struct user_patch *in, struct verror *err)
{
	int was_admin = strcmp(db_str(cur, 0, "role"), "admin") == 0 && !db_bool(cur, 0, "disabled");
	int stays_admin = (in->has_role ? strcmp(in->role, "admin") == 0 : was_admin) &&
	    !(in->has_disabled && in->disabled);

	if (!was_admin || stays_admin || PQntuples(admins) > 1)
		return ST_OK;
	verror_set(err, 409, "last_admin", in->has_role ? "role" : "disabled",
	    "this is the last active admin; make another admin first");
	return ST_CONFLICT;
}

/* The UPDATE of user_update, on the locked row: *upd or -1. */
static int user_write(struct db *db, const char *idb, const struct user_patch *in,
    const char *hash, PGresult **upd)
{
	*upd = DB_EXEC(db, &q_user_update, idb, in->has_role ? in->role : NULL,
	    in->has_email ? "true" : "false", in->email, in->has_password ? hash : NULL,
	    in->has_disabled ? (in->disabled ? "true" : "false") : NULL);
	if (*upd == NULL)
		return -1;
	/* a new password or a disabled account: whoever holds a session is out */
	if ((in->has_password || (in->has_disabled && in->disabled)) &&
	    DB_RUN(db, &q_user_end_sessions, idb) < 0)
		return -1;
	return 0;
}

enum store_rc user_update(struct db *db, const struct principal *who, int64_t id,
    const struct user_patch *in, json_t **out, struct verror *err)
{
	char hash[AUTH_PWHASH_MAX], idb[24];
	PGresult *admins = NULL, *cur = NULL, *upd = NULL;
	json_t *before = NULL;
	enum store_rc rc = ST_ERROR;

	*out = NULL;
	if (in->has_password && auth_password_hash(in->password, hash) < 0)
		return ST_ERROR;
	db_i64_param(id, idb);
	if (db_begin(db) < 0)
		goto out;
	/* lock the active admins first, then the user: one order, no deadlock */
	if ((admins = DB_EXEC0(db, &q_admins_lock)) == NULL ||
	    (cur = DB_EXEC(db, &q_user_lock, idb)) == NULL)
		goto out;
	if (PQntuples(cur) != 1) {
		rc = ST_NOT_FOUND;
		goto out;
	}
	if ((rc = keeps_an_admin(cur, admins, in, err)) != ST_OK)
		goto out;
	rc = ST_ERROR;
	before = user_json(cur, 0);
	if (user_write(db, idb, in, hash, &upd) < 0)
		goto out;
	*out = user_json(upd, 0);
	if (in->has_password)
		json_object_set_new(*out, "password_changed", json_true());
	rc = audit_commit(db, who, "user.update", "user", id, before, out);
	if (*out)
		json_object_del(*out, "password_changed");
out:
	db_rollback(db);
	sodium_memzero(hash, sizeof(hash));
	PQclear(admins);
	PQclear(cur);
	PQclear(upd);
	json_decref(before);
	return rc;
}

DB_STMT(q_token_new,
    "INSERT INTO api_tokens (name, token_hash, user_id, created_by, expires_at)"
    " SELECT $1, $2, u.id, NULLIF($4::bigint, 0),"
    "        COALESCE($6::timestamptz, CASE WHEN $5::int IS NULL THEN NULL"
    "                 ELSE now() + make_interval(days => $5::int) END)"
    "   FROM users u WHERE u.id = $3::bigint AND NOT u.disabled"
    " RETURNING id, name, user_id, iso(created_at) AS created_at, iso(expires_at) AS expires_at");

static json_t *token_json(const PGresult *r)
{
	const char *exp = db_str(r, 0, "expires_at");

	return json_pack("{sI ss sI ss so}", "id", (json_int_t)db_i64(r, 0, "id"),
	    "name", db_str(r, 0, "name"), "user_id", (json_int_t)db_i64(r, 0, "user_id"),
	    "created_at", db_str(r, 0, "created_at"),
	    "expires_at", exp ? json_string(exp) : json_null());
}

DB_STMT(q_in_future, "SELECT ($1::timestamptz > now())::int AS future");

/*
 * The expiry of a new token (at: its ISO form): ST_OK, ST_INVALID naming
 * expires_at, or ST_ERROR. "The future" is the database's, whose clock
 * every lookup compares expires_at with.
 */
static enum store_rc token_expiry(struct db *db, const struct token_input *in, const char *at,
    struct verror *err)
{
	PGresult *r;
	int future;

	if (!in->has_expires_at)
		return ST_OK;
	if (in->has_expires_days) {
		verror_set(err, 422, "invalid_value", "expires_at",
		    "give expires_at or expires_days, not both");
		return ST_INVALID;
	}
	if ((r = DB_EXEC(db, &q_in_future, at)) == NULL)
		return ST_ERROR;
	future = db_i64(r, 0, "future") == 1;
	PQclear(r);
	if (!future) {
		verror_set(err, 422, "invalid_value", "expires_at", "expires_at must be in the future");
		return ST_INVALID;
	}
	return ST_OK;
}

enum store_rc token_create(struct db *db, const struct principal *who,
    const struct token_input *in, json_t **out, struct verror *err)
{
	char token[AUTH_TOKEN_MAX], hash[AUTH_HASH_HEX], uid[24], me[24], days[24], at[40];
	int64_t me_id = who ? who->user_id : 0;
	enum store_rc rc;
	PGresult *r;

	*out = NULL;
	if (in->has_expires_at)
		time_format_iso(in->expires_at_us, at, sizeof(at));
	if ((rc = token_expiry(db, in, at, err)) != ST_OK)
		return rc;
	auth_token_new("gwt_", token);
	auth_token_hash(token, hash);
	if (db_begin(db) < 0)
		return ST_ERROR;
	r = DB_EXEC(db, &q_token_new, in->name, hash,
	    db_i64_param(in->has_user_id ? in->user_id : me_id, uid), db_i64_param(me_id, me),
	    in->has_expires_days ? db_i64_param(in->expires_days, days) : NULL,
	    in->has_expires_at ? at : NULL);
	if (r == NULL) {
		db_rollback(db);
		return ST_ERROR;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		db_rollback(db);
		verror_set(err, 422, "invalid_value", "user_id", "user_id names no active user");
		return ST_INVALID;
	}
	*out = token_json(r);
	PQclear(r);
	/* the audit keeps what the token is, never the token itself */
	rc = audit_commit(db, who, "token.create", "api_token",
	    json_integer_value(json_object_get(*out, "id")), NULL, out);
	if (rc == ST_OK)
		json_object_set_new(*out, "token", json_string(token));
	sodium_memzero(token, sizeof(token));
	return rc;
}

/* What the admin's list shows of a token (t) and its owner (u). */
#define TOKEN_LIST_COLUMNS \
	"t.id, t.name, u.role, u.id AS owner_id, u.username, u.email," \
	" iso(t.created_at) AS created_at, iso(t.last_used_at) AS last_used_at," \
	" iso(t.expires_at) AS expires_at, iso(t.revoked_at) AS revoked_at," \
	" (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())" \
	"  AND NOT u.disabled) AS active"

static json_t *str_or_null(const PGresult *r, int row, const char *col)
{
	const char *v = db_str(r, row, col);
	return v ? json_string(v) : json_null();
}

static json_t *token_row_json(const PGresult *r, int row)
{
	return json_pack("{sI ss ss s{sI ss so} ss so so so sb}",
	    "id", (json_int_t)db_i64(r, row, "id"), "name", db_str(r, row, "name"),
	    "role", db_str(r, row, "role"),
	    "owner", "id", (json_int_t)db_i64(r, row, "owner_id"),
	    "username", db_str(r, row, "username"), "email", str_or_null(r, row, "email"),
	    "created_at", db_str(r, row, "created_at"),
	    "last_used_at", str_or_null(r, row, "last_used_at"),
	    "expires_at", str_or_null(r, row, "expires_at"),
	    "revoked_at", str_or_null(r, row, "revoked_at"),
	    "active", db_bool(r, row, "active"));
}

DB_STMT(q_tokens_list,
    "SELECT " TOKEN_LIST_COLUMNS " FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " ORDER BY t.id DESC");

enum store_rc token_list(struct db *db, json_t **out)
{
	return store_rows(DB_EXEC0(db, &q_tokens_list), token_row_json, out);
}

DB_STMT(q_token_revoke,
    "UPDATE api_tokens t SET revoked_at = now() FROM users u"
    " WHERE t.id = $1::bigint AND t.revoked_at IS NULL AND u.id = t.user_id"
    " RETURNING " TOKEN_LIST_COLUMNS);

enum store_rc token_revoke(struct db *db, const struct principal *who, int64_t id,
    json_t **out)
{
	return store_delete_audited(db, who, &q_token_revoke, id, token_row_json,
	    "token.revoke", "api_token", NULL, out, NULL);
}

DB_STMT(q_sessions_list,
    "SELECT s.id, iso(s.created_at) AS created_at, iso(s.last_seen_at) AS last_seen_at,"
    "       iso(s.expires_at) AS expires_at"
    "  FROM users u LEFT JOIN sessions s ON s.user_id = u.id AND s.expires_at > now()"
    " WHERE u.id = $1::bigint ORDER BY s.id DESC NULLS LAST");

enum store_rc session_list(struct db *db, int64_t user_id, int64_t current_session,
    json_t **out)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, &q_sessions_list, db_i64_param(user_id, idb));

	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ST_NOT_FOUND;
	}
	*out = json_array();
	/* a user without sessions is one row of NULLs (the LEFT JOIN) */
	for (int i = 0; i < PQntuples(r) && !PQgetisnull(r, i, 0); i++) {
		int64_t sid = db_i64(r, i, "id");
		json_array_append_new(*out, json_pack("{sI ss so ss sb}", "id", (json_int_t)sid,
		    "created_at", db_str(r, i, "created_at"),
		    "last_seen_at", str_or_null(r, i, "last_seen_at"),
		    "expires_at", db_str(r, i, "expires_at"), "current", sid == current_session));
	}
	PQclear(r);
	return ST_OK;
}

DB_STMT(q_user_exists_id, "SELECT 1 FROM users WHERE id = $1::bigint FOR UPDATE");
DB_STMT(q_sessions_end,
    "WITH gone AS (DELETE FROM sessions WHERE user_id = $1::bigint RETURNING 1)"
    " SELECT count(*) AS n FROM gone");

enum store_rc session_end_all(struct db *db, const struct principal *who, int64_t user_id,
    json_t **out)
{
	char idb[24];
	PGresult *u = NULL, *r = NULL;
	enum store_rc rc = ST_ERROR;

	*out = NULL;
	db_i64_param(user_id, idb);
	if (db_begin(db) < 0)
		return ST_ERROR;
	if ((u = DB_EXEC(db, &q_user_exists_id, idb)) == NULL)
		goto out;
	if (PQntuples(u) == 0) {
		rc = ST_NOT_FOUND;
		goto out;
	}
	if ((r = DB_EXEC(db, &q_sessions_end, idb)) == NULL)
		goto out;
	*out = json_pack("{sI}", "ended", (json_int_t)db_i64(r, 0, "n"));
	rc = audit_commit(db, who, "user.sessions_end", "user", user_id, NULL, out);
out:
	if (rc != ST_OK)
		db_rollback(db);
	PQclear(u);
	PQclear(r);
	return rc;
}
