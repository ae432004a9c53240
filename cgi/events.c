/*
 * events.c - GET /api/events?after=ID&limit=N: the event log, oldest
 * first, the same events the WebSocket sends.
 */
#include "app.h"
#include "event.h"

int events_list(struct request *req)
{
	static const char *const params[] = {"after", "limit", NULL};
	int64_t after, limit, last;
	PGresult *r;
	json_t *items;
	int rc;

	if ((rc = req_query_allow(req, params)) != 0 ||
	    (rc = req_query_int(req, "after", 0, INT64_MAX, 0, &after)) != 0 ||
	    (rc = req_query_int(req, "limit", 1, 1000, 100, &limit)) != 0)
		return rc;
	r = events_after(req->db, after, INT64_MAX, limit);
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
