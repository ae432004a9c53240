/*
 * store.c - see store.h.
 */
#include "store.h"

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
