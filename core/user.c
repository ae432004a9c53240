/*
 * user.c - see user.h.
 */
#include "user.h"


DB_STMT(q_user_new,
    "INSERT INTO users (username, password_hash, role, email)"
    " VALUES ($1, $2, $3, NULLIF($4, '')) ON CONFLICT DO NOTHING RETURNING id");

int user_create(struct db *db, const char *username, const char *password,
    enum role role, const char *email, int64_t *id)
{
	char hash[AUTH_PWHASH_MAX];
	PGresult *r;
	int rc;

	if (auth_password_hash(password, hash) < 0)
		return -1;
	r = DB_EXEC(db, &q_user_new, username, hash, role_name(role), email ? email : "");
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		rc = 1;
	} else {
		*id = db_i64(r, 0, "id");
		rc = 0;
	}
	PQclear(r);
	return rc;
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
