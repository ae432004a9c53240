/*
 * feed.c - the LISTEN connection, driven by the lws loop. A duplicate of
 * the libpq socket is adopted as a raw file (lws closes what it adopts):
 * when it turns readable, libpq consumes the input and any notification
 * on goldwatch_events means "read the table after the last id relayed".
 * Event ids follow commit order (the events_serialize trigger), so that
 * read never skips an event, and a reconnect catches up the same way.
 *
 * Ended credentials (migration 0006): the feed reads no event past the
 * highest id a goldwatch_events notification has announced, and a
 * goldwatch_auth notification (logout, a disabled user, a revoked token)
 * re-checks every socket's credential before anything more is read. The
 * notifications arrive in commit order, so an event committed after the
 * change is announced after it, and never reaches a socket of the ended
 * credential. Should that re-check fail, the feed drops its connection:
 * nothing is relayed until a reconnect has re-checked.
 *
 * When the connection breaks the socket stays readable (EOF) and would
 * spin the loop: the adopted wsi is closed at once, and a timer reconnects
 * with backoff, LISTENs again, adopts the new socket and catches up.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "pusher.h"

#define FEED_BATCH 256                 /* events read per query at most */
#define FEED_RETRY_MIN_MS 100
#define FEED_RETRY_MAX_MS 5000
#define FEED_FULL_RETRY_US (20 * LWS_US_PER_MS) /* ring full: look again */
#define FEED_AUTH_CHANNEL "goldwatch_auth"

DB_STMT(q_latest,
    "SELECT " EVENT_COLUMNS " FROM events e ORDER BY e.id DESC LIMIT $1::int");
DB_STMT(q_max_id, "SELECT coalesce(max(id), 0) AS id FROM events");

static struct pusher *pusher_of_feed(struct feed *f)
{
	return lws_container_of(f, struct pusher, feed);
}

static void feed_retry(lws_sorted_usec_list_t *sul);
static void feed_pull_later(lws_sorted_usec_list_t *sul);

/* Drops the connection's socket from the loop and schedules a reconnect. */
static void feed_lost(struct pusher *p)
{
	struct feed *f = &p->feed;

	/* the wsi whose callback runs now is closed by its return value */
	if (f->wsi && f->wsi != f->in_rx)
		lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	f->wsi = NULL;
	f->generation = 0;
	lws_sul_cancel(&f->sul_pull);
	if (!f->down) {
		f->down = 1;
		f->down_since_us = time_mono_us();
		f->backoff_ms = FEED_RETRY_MIN_MS;
		if (f->ready)
			log_err("lost the events connection after id %lld; reconnecting",
			    (long long)p->ring.last_id);
		else
			log_err("cannot reach the database yet; retrying");
	} else {
		f->backoff_ms = f->backoff_ms * 2 > FEED_RETRY_MAX_MS ? FEED_RETRY_MAX_MS :
		    f->backoff_ms * 2;
	}
	lws_sul_schedule(p->ctx, 0, &f->sul_retry, feed_retry,
	    f->backoff_ms * LWS_US_PER_MS);
}

/* What the server says outside a query ("terminating connection ..."). */
static void feed_notice(void *arg, const char *message)
{
	(void)arg;
	log_warn("database: %s", message);
}

/*
 * Takes the notifications libpq gathered: an events one moves how far the
 * feed may read, an auth one re-checks the sockets at once (before the
 * feed reads on). Returns 1 if there was any, 0 if none, -1 when the
 * re-check failed.
 */
static int drain_notifies(struct pusher *p)
{
	struct feed *f = &p->feed;
	PGnotify *n;
	int any = 0, auth = 0;

	while ((n = PQnotifies(db_conn(f->db))) != NULL) {
		any = 1;
		if (strcmp(n->relname, FEED_AUTH_CHANNEL) == 0) {
			auth = 1;
		} else {
			/* no id: a schema before migration 0006; read all there is */
			long long id = *n->extra ? strtoll(n->extra, NULL, 10) : INT64_MAX;
			if (id > f->announced)
				f->announced = id;
		}
		PQfreemem(n);
	}
	if (auth && recheck_now(p) < 0)
		return -1;
	return any;
}

/*
 * First connection: the ring starts with the newest events (clients that
 * reconnect with a recent ?after= need no query), and live-only clients
 * start after the newest. 0, or -1.
 */
static int fill_ring(struct pusher *p)
{
	char lim[24];
	PGresult *r = DB_EXEC(p->feed.db, &q_latest, db_i64_param((int64_t)p->ring.cap, lim));
	uint64_t cap = p->ring.cap;
	int n;

	if (r == NULL)
		return -1;
	n = PQntuples(r);
	ring_free(&p->ring);
	/* a full page may not reach back to the oldest event: cover from it */
	ring_init(&p->ring, cap, LWS_PRE,
	    (uint64_t)n == cap ? db_i64(r, n - 1, "id") - 1 : 0);
	for (int i = n - 1; i >= 0; i--) {
		size_t len;
		unsigned char *buf = frame_event(r, i, &len);
		ring_push(&p->ring, db_i64(r, i, "id"), buf, len);
	}
	PQclear(r);
	p->feed.announced = p->ring.last_id;
	return 0;
}

/*
 * After a reconnect: what committed while the feed was away came without
 * notifications. The newest id is read first, then every socket is
 * re-checked: a credential that ended before any of those events did is
 * closed before they are relayed; later ends are notified. 0, or -1.
 */
static int catch_up_bound(struct pusher *p)
{
	PGresult *r = DB_EXEC0(p->feed.db, &q_max_id);
	int64_t newest;

	if (r == NULL)
		return -1;
	newest = db_i64(r, 0, "id");
	PQclear(r);
	if (recheck_now(p) < 0)
		return -1;
	if (newest > p->feed.announced)
		p->feed.announced = newest;
	return 0;
}

/* Connects if needed, LISTENs, adopts the socket and catches up. */
static void feed_subscribe(struct pusher *p)
{
	struct feed *f = &p->feed;
	lws_sock_file_fd_type fd;
	uint64_t gen;

	if (db_ensure(f->db) < 0 ||
	    db_script(f->db, "LISTEN goldwatch_events; LISTEN " FEED_AUTH_CHANNEL) < 0)
		goto lost;
	gen = db_generation(f->db);
	PQsetNoticeProcessor(db_conn(f->db), feed_notice, NULL);
	if (!f->ready ? fill_ring(p) < 0 : catch_up_bound(p) < 0)
		goto lost;
	if (db_generation(f->db) != gen || PQsocket(db_conn(f->db)) < 0)
		goto lost;
	fd.filefd = dup(PQsocket(db_conn(f->db)));
	if (fd.filefd < 0)
		goto lost;
	/* on failure lws closes the descriptor */
	f->wsi = lws_adopt_descriptor_vhost(p->vh, LWS_ADOPT_RAW_FILE_DESC, fd,
	    PUSHER_FEED_PROTOCOL, NULL);
	if (f->wsi == NULL)
		goto lost;
	f->generation = gen;
	if (!f->ready)
		log_info("relaying events after id %lld", (long long)p->ring.last_id);
	else if (f->down)
		log_info("events connection back after %.1f s; catching up after id %lld",
		    (double)(time_mono_us() - f->down_since_us) / 1e6,
		    (long long)p->ring.last_id);
	f->ready = 1;
	f->down = 0;
	f->more = 1;
	feed_pull(p);
	return;
lost:
	feed_lost(p);
}

static void feed_retry(lws_sorted_usec_list_t *sul)
{
	struct feed *f = lws_container_of(sul, struct feed, sul_retry);

	feed_subscribe(pusher_of_feed(f));
}

static void feed_pull_later(lws_sorted_usec_list_t *sul)
{
	struct feed *f = lws_container_of(sul, struct feed, sul_pull);

	feed_pull(pusher_of_feed(f));
}

void feed_pull(struct pusher *p)
{
	struct feed *f = &p->feed;

	while (f->more && f->wsi) {
		uint64_t room = clients_room(p);
		int64_t limit = room < FEED_BATCH ? (int64_t)room : FEED_BATCH;
		PGresult *r;
		int n, notified;

		if (p->ring.last_id >= f->announced) {
			f->more = 0;  /* nothing announced is left to read */
			break;
		}

		if (room == 0) {
			/* a client is a whole ring behind: give it time, or drop it */
			lws_sul_schedule(p->ctx, 0, &f->sul_pull, feed_pull_later,
			    FEED_FULL_RETRY_US);
			return;
		}
		r = events_after(f->db, p->ring.last_id, f->announced, limit);
		if (r == NULL || db_generation(f->db) != f->generation) {
			/* failed, or db_exec reconnected: the LISTEN is gone */
			PQclear(r);
			feed_lost(p);
			return;
		}
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			size_t len;
			unsigned char *buf = frame_event(r, i, &len);
			ring_push(&p->ring, db_i64(r, i, "id"), buf, len);
		}
		PQclear(r);
		p->stats.relayed += (uint64_t)n;
		/* notifications that came during the query: an auth one closes
		 * sockets before these events are written (in a later callback) */
		notified = drain_notifies(p);
		if (notified < 0) {
			feed_lost(p);
			return;
		}
		f->more = n == limit || notified;
		if (n > 0)
			clients_wake(p);
	}
}

int feed_readable(struct pusher *p, struct lws *wsi)
{
	struct feed *f = &p->feed;
	PGconn *conn = db_conn(f->db);

	if (wsi != f->wsi)
		return -1;  /* a socket of a connection that is gone */
	f->in_rx = wsi;
	if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
		feed_lost(p);
	} else {
		int notified = drain_notifies(p);
		if (notified < 0) {
			feed_lost(p);
		} else {
			if (notified)
				f->more = 1;
			feed_pull(p);
		}
	}
	f->in_rx = NULL;
	return f->wsi == wsi ? 0 : -1;
}

void feed_closed(struct pusher *p, struct lws *wsi)
{
	/* lws closed the socket itself (hang-up): the connection is gone */
	if (wsi == p->feed.wsi) {
		p->feed.wsi = NULL;
		feed_lost(p);
	}
}

void feed_start(struct pusher *p)
{
	feed_subscribe(p);
}

void feed_stop(struct pusher *p)
{
	lws_sul_cancel(&p->feed.sul_retry);
	lws_sul_cancel(&p->feed.sul_pull);
	p->feed.wsi = NULL;
}
