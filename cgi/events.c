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
	struct buf body;
	int rc;

	if ((rc = req_query_allow(req, params)) != 0 ||
	    (rc = req_query_int(req, "after", 0, INT64_MAX, 0, &after)) != 0 ||
	    (rc = req_query_int(req, "limit", 1, 1000, 100, &limit)) != 0)
		return rc;
	r = events_after(req->db, after, INT64_MAX, limit);
	if (r == NULL)
		return 500;
	buf_init(&body);
	buf_puts(&body, "{\"items\":[");
	last = after;
	for (int i = 0; i < PQntuples(r); i++) {
		if (i > 0)
			buf_putc(&body, ',');
		event_write(&body, r, i);
		last = db_i64(r, i, "id");
	}
	PQclear(r);
	buf_printf(&body, "],\"last_id\":%lld}", (long long)last);
	rc = req_json_text(req, 200, &body);
	buf_free(&body);
	return rc;
}
