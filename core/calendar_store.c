/*
 * calendar_store.c - see calendar_store.h.
 */
#include "calendar_store.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"

DB_STMT(q_calendar_get,
    "SELECT json_build_object('hours', hours, 'closed_days', closed_days)::text AS cal"
    "  FROM shop_calendar");

/* The one row's calendar JSON from r (cleared): 0 or -1, logged. */
static int read_json(PGresult *r, json_t **out)
{
	*out = NULL;
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1)
		*out = json_loads(db_str(r, 0, "cal"), 0, NULL);
	PQclear(r);
	if (*out == NULL) {
		log_err("shop_calendar: no row or not JSON");
		return -1;
	}
	return 0;
}

enum store_rc calendar_get(struct db *db, json_t **out)
{
	return read_json(DB_EXEC0(db, &q_calendar_get), out) < 0 ?
	    ST_ERROR : ST_OK;
}

int calendar_load(struct db *db, struct calendar *cal, json_t **json)
{
	struct verror err;

	memset(cal, 0, sizeof(*cal));
	if (read_json(DB_EXEC0(db, &q_calendar_get), json) < 0)
		return -1;
	if (calendar_decode(*json, cal, &err) < 0) {
		log_err("shop_calendar: %s", err.message);
		json_decref(*json);
		*json = NULL;
		return -1;
	}
	return 0;
}

DB_STMT(q_calendar_lock,
    "SELECT json_build_object('hours', hours, 'closed_days', closed_days)::text AS cal"
    "  FROM shop_calendar FOR UPDATE");
DB_STMT(q_calendar_put,
    "UPDATE shop_calendar SET hours = ($1::jsonb)->'hours',"
    "       closed_days = ($1::jsonb)->'closed_days', updated_at = now()");

enum store_rc calendar_put(struct db *db, const struct principal *who,
    const struct calendar *cal, json_t **out)
{
	json_t *before = NULL;
	char *text;
	int rc;

	*out = calendar_json(cal);
	text = json_dumps(*out, JSON_COMPACT);
	if (db_begin(db) < 0) {
		free(text);
		json_decref(*out);
		*out = NULL;
		return ST_ERROR;
	}
	rc = read_json(DB_EXEC0(db, &q_calendar_lock), &before) < 0 ||
	    DB_RUN(db, &q_calendar_put, text) < 0 ||
	    audit_record(db, who, "calendar.update", "calendar", NULL, before, *out) < 0 ||
	    db_commit(db) < 0 ? -1 : 0;
	free(text);
	json_decref(before);
	if (rc < 0) {
		db_rollback(db);
		json_decref(*out);
		*out = NULL;
		return ST_ERROR;
	}
	return ST_OK;
}
