/*
 * replay.c - a client that connects with ?after=ID older than the ring
 * reads the events table, a page at a time, one message per writeable
 * callback, until the ring holds everything after the last event it sent;
 * then it reads the ring. Its queue is its page: a replaying client costs
 * a page of rows, whatever it is behind, and holds nobody up (the ring
 * does not wait for it). At the seam nothing is missed (the ring covers
 * every id after its floor) and nothing is sent twice (the ring's events
 * up to the last id sent are skipped).
 */
#include <stdlib.h>

#include "event.h"
#include "log.h"
#include "pusher.h"

#define REPLAY_PAGE 32

int replay_write(struct pusher *p, struct client *c)
{
	unsigned char *buf;
	size_t len;
	int64_t id;
	int rc;

	if (c->page && c->page_row >= PQntuples(c->page)) {
		PQclear(c->page);
		c->page = NULL;
	}
	if (c->page == NULL) {
		if (ring_covers(&p->ring, c->last_id)) {
			client_go_live(p, c);
			return 0;
		}
		/* no further than the feed: it has re-checked credentials up to there */
		c->page = events_after(p->db, c->last_id, p->ring.last_id, REPLAY_PAGE);
		c->page_row = 0;
		if (c->page == NULL) {
			client_close(p, c, CLOSE_DB_DOWN);
			return 0;
		}
		if (PQntuples(c->page) == 0) {
			/* removed by the retention clean-up: go on with what is left */
			PQclear(c->page);
			c->page = NULL;
			c->last_id = p->ring.floor_id;
			client_go_live(p, c);
			return 0;
		}
	}
	id = db_i64(c->page, c->page_row, "id");
	buf = frame_event(c->page, c->page_row, &len);
	rc = client_send(c, buf + LWS_PRE, len, id);
	free(buf);
	if (rc < 0)
		return -1;
	c->page_row++;
	lws_callback_on_writable(c->wsi);
	return 0;
}
