/*
 * alert_store.c - see alert_store.h.
 */
#include "alert_store.h"

#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "event.h"
#include "util.h"

/* Lock the named alerts in id order: one order for every locker. */
DB_STMT(q_ack_lock,
    "SELECT id, state FROM alerts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE");
DB_STMT(q_ack,
    "UPDATE alerts a SET state = 'acknowledged', acknowledged_at = now(),"
    "       acknowledged_by_id = $2::bigint, acknowledged_by = $3, ack_note = NULLIF($4, '')"
    " WHERE a.id = ANY($1::bigint[]) AND a.state = 'firing'"
    " RETURNING " ALERT_RETURNING);

static int has_id(const PGresult *r, int64_t id, const char **state)
{
	for (int i = 0; i < PQntuples(r); i++)
		if (db_i64(r, i, "id") == id) {
			*state = db_str(r, i, "state");
			return 1;
		}
	return 0;
}

enum store_rc alert_acknowledge(struct db *db, int64_t user_id, const char *username,
    const int64_t *ids, size_t n, const char *note, json_t **out, json_t **alerts)
{
	struct buf lit;
	struct events ev;
	PGresult *locked = NULL, *done = NULL;
	json_t *acked = json_array(), *already = json_array(), *missing = json_array();
	json_t *list = json_array();
	char uid[24];
	enum store_rc rc = ST_ERROR;
	int own_tx = !db_in_tx(db);

	*out = NULL;
	if (alerts)
		*alerts = NULL;
	buf_init(&lit);
	events_init(&ev);
	db_arr_begin(&lit);
	for (size_t i = 0; i < n; i++)
		db_arr_i64(&lit, ids[i]);
	db_arr_end(&lit);
	if (own_tx && db_begin(db) < 0)
		goto out;
	if ((locked = DB_EXEC(db, &q_ack_lock, lit.data)) == NULL)
		goto out;
	if ((done = DB_EXEC(db, &q_ack, lit.data, db_i64_param(user_id, uid), username,
	    note ? note : "")) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(done); i++) {
		json_t *a = alert_json(done, i);
		events_add(&ev, "alert.acknowledged", a);
		json_array_append_new(list, a);
	}
	if (events_flush(db, &ev) < 0 || (own_tx && db_commit(db) < 0))
		goto out;
	/* sort the request's ids into the three answers, each id once */
	for (size_t i = 0; i < n; i++) {
		const char *state = NULL;
		json_t *target;
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		if (dup)
			continue;
		if (!has_id(locked, ids[i], &state))
			target = missing;
		else if (strcmp(state, "firing") == 0)
			target = acked;
		else
			target = already;
		json_array_append_new(target, json_integer(ids[i]));
	}
	*out = json_pack("{sO sO sO}", "acknowledged", acked, "already", already,
	    "not_found", missing);
	if (alerts)
		*alerts = json_incref(list);
	rc = ST_OK;
out:
	if (own_tx)
		db_rollback(db);
	PQclear(locked);
	PQclear(done);
	json_decref(acked);
	json_decref(already);
	json_decref(missing);
	json_decref(list);
	events_free(&ev);
	buf_free(&lit);
	return rc;
}
