/*
 * replay.c - a client that connects with ?after=ID older than the ring
 * reads the events table, a page at a time, one message per writeable
 * callback, until the ring holds everything after the last event it sent;
 * then it reads the ring. Its queue is its page: a replaying client costs
 * a page of rows, whatever it is behind, and holds nobody up (the ring
 * does not wait for it). At the seam nothing is missed (the ring covers
 * every id after its floor) and nothing is sent twice (the ring's events
 * up to the last id sent are skipped).
 *
 * Pages are read on the query thread: the socket waits for its page while
 * the others go on.
 */
#include <stdlib.h>

#include "event.h"
#include "log.h"
#include "pusher.h"
#include "util.h"

#define REPLAY_PAGE 32

struct page {
	struct client_job cj;
	int64_t after, upto;
	PGresult *r;
};

static void page_run(struct db *db, struct job *j)
{
	struct page *pg = lws_container_of(j, struct page, cj.job);

	pg->r = events_after(db, pg->after, pg->upto, REPLAY_PAGE);
}

static void page_done(struct pusher *p, struct job *j)
{
	struct page *pg = lws_container_of(j, struct page, cj.job);
	struct client *c = client_of_answer(&pg->cj);
	int64_t floor = p->ring.floor_id;

	if (c == NULL || c->closing) {
		PQclear(pg->r);
	} else if (j->cancelled || pg->r == NULL) {
		client_close(p, c, CLOSE_DB_DOWN);
	} else if (PQntuples(pg->r) == 0) {
		/*
		 * Removed by the retention clean-up: go on with what is left,
		 * from the ring's floor unless the ring moved past the page
		 */
		PQclear(pg->r);
		if (floor > c->last_id)
			c->last_id = floor < pg->upto ? floor : pg->upto;
		lws_callback_on_writable(c->wsi);
	} else {
		c->page = pg->r;
		c->page_row = 0;
		lws_callback_on_writable(c->wsi);
	}
	free(pg);
}

/* Asks for the page after c->last_id, no further than the feed has read. */
static void page_ask(struct pusher *p, struct client *c)
{
	struct page *pg = xcalloc(1, sizeof(*pg));

	pg->cj.job.run = page_run;
	pg->cj.job.done = page_done;
	pg->after = c->last_id;
	/* no further than the feed: it has re-checked credentials up to there */
	pg->upto = p->ring.last_id;
	client_post(p, c, &pg->cj);
}

int replay_write(struct pusher *p, struct client *c)
{
	unsigned char *buf;
	size_t len;
	int64_t id;
	int rc;

	if (c->job)
		return 0;  /* its page is on its way */
	if (c->page && c->page_row >= PQntuples(c->page)) {
		PQclear(c->page);
		c->page = NULL;
	}
	if (c->page == NULL) {
		if (ring_covers(&p->ring, c->last_id))
			client_go_live(p, c);
		else
			page_ask(p, c);
		return 0;
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
