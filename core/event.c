/*
 * event.c - see event.h.
 */
#include "event.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "log.h"

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
    "INSERT INTO event_queue (type, data)"
    " SELECT t, d::jsonb FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(t, d, n)"
    " ORDER BY n");

DB_STMT(q_events_sequence, "SELECT events_sequence()");
DB_STMT(q_events_step, "SELECT events_sequence_step() AS more");

/* Rounds of events_sequence_step() one publish makes at most (0033). */
#define PUBLISH_ROUNDS 16

/* Who numbers a process's queued events after its commits: NULL, the
 * committing connection itself (events_publish). */
static void (*publisher)(void);

void events_publish_by(void (*fn)(void))
{
	publisher = fn;
}

/* What the commit of queued events calls (db_after_commit). */
static void publish(struct db *db)
{
	if (publisher != NULL)
		publisher();
	else if (events_publish(db) < 0)
		log_warn("the events stay queued for the next to number them");
}

int events_publish(struct db *db)
{
	for (int i = 0; i < PUBLISH_ROUNDS; i++) {
		PGresult *r = DB_EXEC(db, &q_events_step);
		int more = r && PQntuples(r) == 1 && db_bool(r, 0, "more");

		PQclear(r);
		if (r == NULL)
			return -1;
		if (!more)
			break;
	}
	return 0;
}

int events_publish_all(struct db *db)
{
	return DB_RUN(db, &q_events_sequence);
}

void events_queued(struct db *db)
{
	db_after_commit(db, publish);
}

int events_flush(struct db *db, struct events *e)
{
	int rc = 0;

	if (e->n > 0) {
		/* in a transaction, sent with its next statement or its COMMIT */
		rc = DB_DEFER(db, &q_events_insert, db_arr_end(&e->types), db_arr_end(&e->datas));
		if (rc == 0)
			events_queued(db);
	}
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

/* The texts of an event of type with data about a KPI of unit, into ev. */
static void event_texts(json_t *ev, const char *type, const json_t *data, const char *unit)
{
	struct buf text;
	char value[64];

	buf_init(&text);
	fmt_event_text(type, data, &text);
	json_object_set_new(ev, "text", json_string(text.data ? text.data : ""));
	buf_free(&text);
	if (strncmp(type, "alert.", 6) == 0) {
		struct fmt_observed shown;

		fmt_observed(cond_parse(json_string_value(json_object_get(data, "condition"))),
		    json_number_value(json_object_get(data, "value")),
		    json_number_value(json_object_get(data, "threshold")), unit, &shown);
		json_object_set_new(ev, "value_text", json_string(shown.value));
		json_object_set_new(ev, "threshold_text", json_string(shown.threshold));
	} else if (strcmp(type, "kpi.sampled") == 0) {
		fmt_value(json_number_value(json_object_get(data, "value")), unit, value,
		    sizeof(value));
		json_object_set_new(ev, "value_text", json_string(value));
	}
}

json_t *event_json(const PGresult *r, int row)
{
	json_t *data = json_loads(db_str(r, row, "data"), JSON_DECODE_ANY, NULL);
	const char *type = db_str(r, row, "type");
	json_t *ev;

	if (data == NULL)
		data = json_object();
	ev = json_pack("{sI ss ss sO}", "id", (json_int_t)db_i64(r, row, "id"),
	    "type", type, "at", db_str(r, row, "at"), "data", data);
	event_texts(ev, type, data, db_str(r, row, "unit"));
	json_decref(data);
	return ev;
}

/* jansson's output callback: appends to the buf of data */
static int write_buf(const char *s, size_t n, void *data)
{
	buf_append(data, s, n);
	return 0;
}

void event_write(struct buf *b, const PGresult *r, int row)
{
	json_t *ev = event_json(r, row);

	json_dump_callback(ev, write_buf, b, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(ev);
}

DB_STMT(q_events_recent,
    "SELECT " EVENT_COLUMNS " FROM events e WHERE e.type <> 'kpi.sampled'"
    " ORDER BY e.id DESC LIMIT $1::int");

PGresult *events_recent(struct db *db, int64_t limit)
{
	char l[24];

	return DB_EXEC(db, &q_events_recent, db_i64_param(limit, l));
}

DB_STMT(q_events_of_alert,
    "SELECT " EVENT_COLUMNS " FROM events e"
    " WHERE (e.data->>'id')::bigint = $1::bigint"
    "   AND e.type IN ('alert.fired', 'alert.acknowledged', 'alert.resolved', 'alert.escalated')"
    " ORDER BY e.id");

PGresult *events_of_alert(struct db *db, int64_t id)
{
	char i[24];

	return DB_EXEC(db, &q_events_of_alert, db_i64_param(id, i));
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
