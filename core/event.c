/*
 * event.c - see event.h.
 */
#include "event.h"

#include <stdlib.h>
#include <string.h>

void events_init(struct events *e)
{
	memset(e, 0, sizeof(*e));
	db_arr_begin(&e->types);
	db_arr_begin(&e->datas);
}

void events_add(struct events *e, const char *type, const json_t *data)
{
	char *s = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(17));

	db_arr_str(&e->types, type);
	db_arr_str(&e->datas, s ? s : "{}");
	free(s);
	e->n++;
}

DB_STMT(q_events_insert,
    "INSERT INTO events (type, data)"
    " SELECT t, d::jsonb FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(t, d, n)"
    " ORDER BY n");

int events_flush(struct db *db, struct events *e)
{
	int rc = 0;

	if (e->n > 0)
		rc = DB_RUN(db, &q_events_insert, db_arr_end(&e->types), db_arr_end(&e->datas));
	events_free(e);
	events_init(e);
	return rc;
}

void events_free(struct events *e)
{
	buf_free(&e->types);
	buf_free(&e->datas);
	e->n = 0;
}

int event_emit(struct db *db, const char *type, const json_t *data)
{
	struct events e;
	int rc;

	events_init(&e);
	events_add(&e, type, data);
	rc = events_flush(db, &e);
	events_free(&e);
	return rc;
}

json_t *event_json(const PGresult *r, int row)
{
	json_t *data = json_loads(db_str(r, row, "data"), JSON_DECODE_ANY, NULL);

	return json_pack("{sI ss ss so}", "id", (json_int_t)db_i64(r, row, "id"),
	    "type", db_str(r, row, "type"), "at", db_str(r, row, "at"),
	    "data", data ? data : json_object());
}

DB_STMT(q_events_after,
    "SELECT " EVENT_COLUMNS " FROM events e WHERE e.id > $1::bigint AND e.id <= $2::bigint"
    " ORDER BY e.id LIMIT $3::int");

PGresult *events_after(struct db *db, int64_t after, int64_t upto, int64_t limit)
{
	char a[24], u[24], l[24];

	return DB_EXEC(db, &q_events_after, db_i64_param(after, a), db_i64_param(upto, u),
	    db_i64_param(limit, l));
}
