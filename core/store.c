/*
 * store.c - see store.h.
 */
#include "store.h"

#include "audit.h"
#include "valid.h"

enum store_rc store_get_by_id(struct db *db, const struct db_stmt *st, int64_t id,
    json_t *(*to_json)(const PGresult *r, int row), json_t **out)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, st, db_i64_param(id, idb));
	enum store_rc rc = ST_NOT_FOUND;

	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	if (PQntuples(r) == 1) {
		*out = to_json(r, 0);
		rc = ST_OK;
	}
	PQclear(r);
	return rc;
}

enum store_rc store_rows(PGresult *r, json_t *(*to_json)(const PGresult *r, int row),
    json_t **out)
{
	*out = NULL;
	if (r == NULL)
		return ST_ERROR;
	*out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(*out, to_json(r, i));
	PQclear(r);
	return ST_OK;
}

enum store_rc store_delete_audited(struct db *db, const struct principal *who,
    const struct db_stmt *st, int64_t id, json_t *(*to_json)(const PGresult *r, int row),
    const char *action, const char *object_type,
    enum store_rc (*check)(struct db *db, int64_t id, json_t **out, struct verror *err),
    json_t **out, struct verror *err)
{
	char idb[24];
	enum store_rc rc = ST_OK;
	PGresult *r;

	*out = NULL;
	if (db_begin(db) < 0)
		return ST_ERROR;
	if ((r = DB_EXEC(db, st, db_i64_param(id, idb))) == NULL || PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(db);
		return r ? ST_NOT_FOUND : ST_ERROR;
	}
	*out = to_json(r, 0);
	PQclear(r);
	if (check)
		rc = check(db, id, out, err);
	if (rc == ST_OK && (audit_record_id(db, who, action, object_type, id, *out, NULL) < 0 ||
	    db_commit(db) < 0))
		rc = ST_ERROR;
	if (rc != ST_OK) {
		db_rollback(db);
		if (rc != ST_CONFLICT) {
			json_decref(*out);
			*out = NULL;
		}
	}
	return rc;
}

enum store_rc store_still_used(struct db *db, const struct db_stmt *st, int64_t id,
    const char *why, json_t **out, struct verror *err)
{
	char idb[24];
	PGresult *r = DB_EXEC(db, st, db_i64_param(id, idb));
	json_t *users = r && PQntuples(r) == 1 ? json_loads(db_str(r, 0, "users"), 0, NULL) : NULL;
	const char *key;
	json_t *v;
	int used = 0;

	PQclear(r);
	if (users == NULL)
		return ST_ERROR;
	json_object_foreach(users, key, v)
		used |= json_array_size(v) > 0;
	if (!used) {
		json_decref(users);
		return ST_OK;
	}
	json_decref(*out);
	*out = users;
	verror_set(err, 409, "conflict", NULL, "%s", why);
	return ST_CONFLICT;
}

enum store_rc store_owned(const PGresult *r, struct verror *err)
{
	verror_set(err, 409, "conflict", NULL, "this is rule %lld's own escalation: change it"
	    " through the rule's escalation", (long long)db_i64(r, 0, "owner_rule_id"));
	return ST_CONFLICT;
}
