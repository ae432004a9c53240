/*
 * events.c - GET /api/events?after=ID&limit=N: the event log, oldest
 * first, the same events the WebSocket sends.
 */
#include "app.h"
#include "event.h"

int events_list(struct request *req)
{
	int64_t after = req->q.after, last;
	PGresult *r;
	json_t *items;

	r = events_after(req->db, after, INT64_MAX, req->q.limit);
	if (r == NULL)
		return 500;
	items = json_array();
	last = after;
	for (int i = 0; i < PQntuples(r); i++) {
		json_array_append_new(items, event_json(r, i));
		last = db_i64(r, i, "id");
	}
	PQclear(r);
	return req_json(req, 200, json_pack("{so sI}", "items", items, "last_id", (json_int_t)last));
}
