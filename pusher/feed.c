/*
 * feed.c - the LISTEN connection. Its own database thread (worker.c) owns
 * it: between queries the thread waits on the connection's socket, and a
 * notification on goldwatch_events means "read the table after the last
 * id relayed". The reads run on that thread too; the lws thread keeps the
 * state, puts what comes back into the ring and wakes the clients. So that
 * a notification costs one hand-over, not three, the feed thread reads
 * the announced events at once when it hears of them (after the ring's
 * last id as the lws thread published it) and sends them with the news;
 * the lws thread takes them if they still fit (no gap, room in the ring,
 * relaying, no re-check pending), else it reads the usual way. Event
 * ids follow commit order (the events_serialize trigger), so that read
 * never skips an event, and a reconnect catches up the same way.
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
 * When the connection breaks, its thread stops waiting on the socket (an
 * EOF socket stays readable and would spin), and a timer reconnects with
 * backoff, LISTENs again and catches up.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "pusher.h"
#include "util.h"

#define FEED_BATCH 256                 /* events read per query at most */
#define FEED_RETRY_MIN_MS 100
#define FEED_RETRY_MAX_MS 5000
#define FEED_FULL_RETRY_US (20 * LWS_US_PER_MS) /* ring full: look again */
#define FEED_AUTH_CHANNEL "goldwatch_auth"

DB_STMT(q_latest,
    "SELECT " EVENT_COLUMNS " FROM events e ORDER BY e.id DESC LIMIT $1::int");
DB_STMT(q_max_id, "SELECT coalesce(max(id), 0) AS id FROM events");

/* A query of the feed: (re)subscribing, or reading events. */
struct feed_job {
	struct job job;
	struct feed *f;
	int first;                /* subscribe: fill the ring (else: newest id) */
	int64_t after, upto, limit; /* read */
	PGresult *r;
	int64_t newest;
	int failed;
};

/* What the feed's thread heard on the connection. */
struct feed_note {
	struct job job;
	int64_t announced;        /* highest id notified, 0 if none */
	int auth;                 /* a goldwatch_auth notification */
	int lost;                 /* the connection broke */
	PGresult *rows;           /* read ahead: events after `after`, or NULL */
	int64_t after;
};

static struct pusher *pusher_of_feed(struct feed *f)
{
	return lws_container_of(f, struct pusher, feed);
}

static void feed_subscribe(struct pusher *p);
static void feed_rechecked(struct pusher *p, enum recheck_why why, int ok);

static void feed_retry(lws_sorted_usec_list_t *sul)
{
	struct feed *f = lws_container_of(sul, struct feed, sul_retry);

	f->retrying = 0;
	feed_subscribe(pusher_of_feed(f));
}

static void feed_pull_later(lws_sorted_usec_list_t *sul)
{
	struct feed *f = lws_container_of(sul, struct feed, sul_pull);

	feed_pull(pusher_of_feed(f));
}

/* Stops relaying and schedules a reconnect (once, whoever noticed). */
static void feed_lost(struct pusher *p)
{
	struct feed *f = &p->feed;

	f->up = 0;
	lws_sul_cancel(&f->sul_pull);
	if (f->subscribing || f->retrying)
		return;  /* a reconnect is on its way */
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
	f->retrying = 1;
	lws_sul_schedule(p->ctx, 0, &f->sul_retry, feed_retry,
	    f->backoff_ms * LWS_US_PER_MS);
}

/* What the server says outside a query ("terminating connection ..."). */
static void feed_notice(void *arg, const char *message)
{
	(void)arg;
	log_warn("database: %s", message);
}

/* Feed thread: the LISTEN socket while the connection LISTENs, else -1. */
static int feed_watch(void *arg, struct db *db)
{
	struct feed *f = arg;

	if (f->listen_gen == 0 || f->listen_gen != db_generation(db) || db_conn(db) == NULL)
		return -1;
	return PQsocket(db_conn(db));
}

static void note_done(struct pusher *p, struct job *j);

/*
 * Feed thread: events (after, upto], at most limit, or NULL when the read
 * failed or db_exec reconnected under it (the LISTEN is gone: the feed
 * subscribes again).
 */
static PGresult *read_events(struct feed *f, struct db *db, int64_t after, int64_t upto,
    int limit)
{
	PGresult *r = events_after(db, after, upto, limit);

	if (r != NULL && db_generation(db) == f->listen_gen)
		return r;
	PQclear(r);
	f->listen_gen = 0;
	return NULL;
}

/*
 * Feed thread: reads what a notification announced, unless an auth
 * re-check is pending (nothing past a goldwatch_auth notification is read
 * before its re-check; notifications come in commit order, so what this
 * batch announced committed before any later credential change).
 */
static void read_ahead(struct feed *f, struct db *db, struct feed_note *n)
{
	int64_t after = atomic_load(&f->ring_last);

	if (n->lost || n->auth || atomic_load(&f->auth_pending) > 0 || f->seen <= after)
		return;
	n->rows = read_events(f, db, after, f->seen, FEED_BATCH);
	if (n->rows == NULL)
		n->lost = 1;
	else
		n->after = after;
}

/* Feed thread: the notifications libpq gathered, as a note, or NULL. */
static struct feed_note *feed_gather(struct feed *f, PGconn *conn, int readable)
{
	struct feed_note *n = xcalloc(1, sizeof(*n));
	PGnotify *pn;

	if (readable && (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)) {
		f->listen_gen = 0;
		n->lost = 1;
	}
	while ((pn = PQnotifies(conn)) != NULL) {
		if (strcmp(pn->relname, FEED_AUTH_CHANNEL) == 0) {
			n->auth = 1;
		} else {
			/* no id: a schema before migration 0006; read all there is */
			long long id = *pn->extra ? strtoll(pn->extra, NULL, 10) : INT64_MAX;
			if (id > n->announced)
				n->announced = id;
		}
		PQfreemem(pn);
	}
	if (n->lost || n->auth || n->announced)
		return n;
	free(n);
	return NULL;
}

/*
 * Feed thread: takes the input and the notifications libpq gathered. A
 * read ahead is a query, during which more notifications may come in:
 * libpq keeps them (the socket will not turn readable for them), so they
 * are gathered again until none is left.
 */
static void feed_input(void *arg, struct worker *w, struct db *db, int readable)
{
	struct feed *f = arg;
	struct feed_note *n;

	for (;;) {
		PGconn *conn = db_conn(db);

		if (f->listen_gen == 0 || f->listen_gen != db_generation(db) || conn == NULL)
			return;
		if ((n = feed_gather(f, conn, readable)) == NULL)
			return;
		readable = 0;
		if (n->auth)
			atomic_fetch_add(&f->auth_pending, 1);
		if (n->announced > f->seen)
			f->seen = n->announced;
		read_ahead(f, db, n);
		n->job.done = note_done;
		worker_reply(w, &n->job);
	}
}

static const struct worker_input feed_listen = {feed_watch, feed_input};

static struct feed_job *feed_job_new(struct feed *f, void (*run)(struct db *, struct job *),
    void (*done)(struct pusher *, struct job *))
{
	struct feed_job *j = xcalloc(1, sizeof(*j));

	j->f = f;
	j->job.run = run;
	j->job.done = done;
	j->failed = 1;
	return j;
}

/* Feed thread: connects if needed, LISTENs, and reads where to start. */
static void subscribe_run(struct db *db, struct job *jj)
{
	struct feed_job *j = lws_container_of(jj, struct feed_job, job);
	char lim[24];
	uint64_t gen;

	j->f->listen_gen = 0;
	if (db_ensure(db) < 0 ||
	    db_script(db, "LISTEN goldwatch_events; LISTEN " FEED_AUTH_CHANNEL) < 0)
		return;
	gen = db_generation(db);
	PQsetNoticeProcessor(db_conn(db), feed_notice, NULL);
	if (j->first) {
		j->r = DB_EXEC(db, &q_latest, db_i64_param(j->limit, lim));
		if (j->r == NULL)
			return;
	} else if (db_one_i64(db, &q_max_id, &j->newest) < 0) {
		return;
	}
	if (db_generation(db) != gen || PQsocket(db_conn(db)) < 0) {
		/* db_exec reconnected: the LISTEN is gone */
		PQclear(j->r);
		j->r = NULL;
		return;
	}
	j->f->listen_gen = gen;
	j->failed = 0;
}

/*
 * First connection: the ring starts with the newest events (clients that
 * reconnect with a recent ?after= need no query), and live-only clients
 * start after the newest.
 */
/* Frames rows from..to of r (either direction, both included) into the ring. */
static void ring_put_rows(struct pusher *p, const PGresult *r, int from, int to)
{
	int step = from <= to ? 1 : -1;

	for (int i = from; i != to + step; i += step) {
		size_t len;
		unsigned char *buf = frame_event(r, i, &len);
		ring_push(&p->ring, db_i64(r, i, "id"), buf, len);
	}
	atomic_store(&p->feed.ring_last, p->ring.last_id);
}

static void fill_ring(struct pusher *p, PGresult *r)
{
	uint64_t cap = p->ring.cap;
	int n = PQntuples(r);

	ring_free(&p->ring);
	/* a full page may not reach back to the oldest event: cover from it */
	ring_init(&p->ring, cap, LWS_PRE,
	    (uint64_t)n == cap ? db_i64(r, n - 1, "id") - 1 : 0);
	if (n > 0)
		ring_put_rows(p, r, n - 1, 0);
	if (p->ring.last_id > p->feed.announced)
		p->feed.announced = p->ring.last_id;
	atomic_store(&p->feed.ring_last, p->ring.last_id);
}

/*
 * Puts the events of r (those after `after`, in id order) that the ring
 * lacks into it and wakes the clients. -1 when r does not join the ring
 * (a gap after its last id) or when the new ones would not fit in the room
 * the slowest client leaves: then nothing is taken and the caller reads
 * the usual way.
 */
static int feed_take(struct pusher *p, PGresult *r, int64_t after)
{
	int n = PQntuples(r), first = 0;

	if (after > p->ring.last_id)
		return -1;
	while (first < n && db_i64(r, first, "id") <= p->ring.last_id)
		first++;
	if (first == n)
		return 0;
	if ((uint64_t)(n - first) > clients_room(p))
		return -1;
	ring_put_rows(p, r, first, n - 1);
	p->stats.relayed += (uint64_t)(n - first);
	clients_wake(p);
	return n - first;
}

/* Subscribed and caught up: relaying. */
static void feed_up(struct pusher *p)
{
	struct feed *f = &p->feed;

	if (!f->ready)
		log_info("relaying events after id %lld", (long long)p->ring.last_id);
	else if (f->down)
		log_info("events connection back after %.1f s; catching up after id %lld",
		    (double)(time_mono_us() - f->down_since_us) / 1e6,
		    (long long)p->ring.last_id);
	f->ready = 1;
	f->down = 0;
	f->up = 1;
	f->more = 1;
	feed_pull(p);
}

static void subscribe_done(struct pusher *p, struct job *jj)
{
	struct feed_job *j = lws_container_of(jj, struct feed_job, job);
	struct feed *f = &p->feed;

	f->subscribing = 0;
	if (jj->cancelled || j->failed) {
		feed_lost(p);
	} else if (j->first) {
		fill_ring(p, j->r);
		feed_up(p);
	} else {
		/*
		 * After a reconnect: what committed while the feed was away came
		 * without notifications. The newest id was read first; now every
		 * socket is re-checked: a credential that ended before any of
		 * those events did is closed before they are relayed; later ends
		 * are notified.
		 */
		f->catch_up_to = j->newest;
		f->rechecks++;
		recheck_post(p, RECHECK_CATCH_UP, feed_rechecked);
	}
	PQclear(j->r);
	free(j);
}

static void feed_subscribe(struct pusher *p)
{
	struct feed *f = &p->feed;
	struct feed_job *j = feed_job_new(f, subscribe_run, subscribe_done);

	j->first = !f->ready;
	j->limit = (int64_t)p->ring.cap;
	f->subscribing = 1;
	worker_post(f->worker, &j->job);
}

/* A re-check the feed waited for came back: ok, or not (-1). */
static void feed_rechecked(struct pusher *p, enum recheck_why why, int ok)
{
	struct feed *f = &p->feed;

	f->rechecks--;
	if (why == RECHECK_AUTH)
		atomic_fetch_sub(&f->auth_pending, 1);
	if (ok < 0) {
		feed_lost(p);
		return;
	}
	if (why == RECHECK_CATCH_UP) {
		if (f->subscribing || f->retrying)
			return;  /* lost again meanwhile: the next reconnect catches up */
		if (f->catch_up_to > f->announced)
			f->announced = f->catch_up_to;
		feed_up(p);
		return;
	}
	feed_pull(p);
}

static void note_done(struct pusher *p, struct job *jj)
{
	struct feed_note *n = lws_container_of(jj, struct feed_note, job);
	struct feed *f = &p->feed;

	if (n->announced > f->announced)
		f->announced = n->announced;
	if (n->auth) {
		/* sockets are re-checked before the feed reads on */
		p->auth_epoch++;
		f->rechecks++;
		recheck_post(p, RECHECK_AUTH, feed_rechecked);
	}
	if (n->lost) {
		feed_lost(p);
	} else {
		/* what was read ahead counts only while reads may go */
		if (n->rows && f->up && f->rechecks == 0)
			feed_take(p, n->rows, n->after);
		f->more = 1;
		feed_pull(p);
	}
	PQclear(n->rows);
	free(n);
}

/* Feed thread: events (after, upto], limit of them. */
static void read_run(struct db *db, struct job *jj)
{
	struct feed_job *j = lws_container_of(jj, struct feed_job, job);

	j->r = read_events(j->f, db, j->after, j->upto, j->limit);
	if (j->r != NULL)
		j->failed = 0;
}

static void read_done(struct pusher *p, struct job *jj)
{
	struct feed_job *j = lws_container_of(jj, struct feed_job, job);
	struct feed *f = &p->feed;
	int n;

	f->reading = 0;
	if (jj->cancelled || j->failed) {
		free(j);
		feed_lost(p);
		return;
	}
	n = PQntuples(j->r);
	/* what was read ahead meanwhile may have filled the room it had */
	f->more = feed_take(p, j->r, j->after) < 0 || n == j->limit || f->announced > j->upto;
	PQclear(j->r);
	free(j);
	feed_pull(p);
}

void feed_pull(struct pusher *p)
{
	struct feed *f = &p->feed;
	struct feed_job *j;
	uint64_t room;

	/* one read at a time, none while a re-check it waits for is out */
	if (!f->up || f->reading || f->rechecks > 0 || !f->more)
		return;
	if (p->ring.last_id >= f->announced) {
		f->more = 0;  /* nothing announced is left to read */
		return;
	}
	room = clients_room(p);
	if (room == 0) {
		/* a client is a whole ring behind: give it time, or drop it */
		lws_sul_schedule(p->ctx, 0, &f->sul_pull, feed_pull_later, FEED_FULL_RETRY_US);
		return;
	}
	j = feed_job_new(f, read_run, read_done);
	j->after = p->ring.last_id;
	j->upto = f->announced;
	j->limit = room < FEED_BATCH ? (int64_t)room : FEED_BATCH;
	f->reading = 1;
	worker_post(f->worker, &j->job);
}

int feed_start(struct pusher *p)
{
	struct feed *f = &p->feed;

	f->worker = worker_new("feed", f->db, &feed_listen, f);
	if (worker_start(f->worker, p->ctx) < 0)
		return -1;
	feed_subscribe(p);
	return 0;
}

void feed_stop(struct pusher *p)
{
	lws_sul_cancel(&p->feed.sul_retry);
	lws_sul_cancel(&p->feed.sul_pull);
	worker_stop(p->feed.worker);
}
