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
	struct buf body;
	int rc;

	r = events_after(req->db, after, INT64_MAX, req->q.limit);
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
