/*
 * pusher.h - goldwatch-pusher: the libwebsockets server behind nginx at
 * /api/alerts/ws that relays the events table to the staff's browsers.
 *
 * The lws thread never waits on PostgreSQL: two database threads
 * (worker.c) own the connections, run queries the lws thread queues and
 * hand the answers back through lws_cancel_service(). Every lws call, and
 * all state below, stays on the lws thread; the threads share only their
 * job queues.
 *
 *   main.c       configuration, the lws context and protocols, signals, loop
 *   worker.c     a database thread: its connection, its queue of jobs
 *   handshake.c  who may open a socket (checked at the HTTP upgrade)
 *   after.c      ?after= as text: the pure parser handshake.c uses
 *   check.c      the credential check of a new socket, on the query thread
 *   feed.c       the LISTEN connection: notifications, catch-up, reconnect
 *   ring.c       the shared ring of serialized events
 *   frame.c      an event row as the JSON text of one message
 *   client.c     one socket: its position, writing, closing, the queue bound
 *   replay.c     ?after=: events read from the table until the ring has them
 *   beat.c       the heartbeat row: sockets, lag, feed up (pusher_heartbeats)
 *   recheck.c    the batched re-check of every socket's credentials: periodic,
 *                and at once when the feed hears that a credential ended
 */
#ifndef GW_PUSHER_H
#define GW_PUSHER_H

#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "ring.h"

#define PUSHER_PATH "/api/alerts/ws"
#define PUSHER_PROTOCOL "goldwatch"        /* WebSocket clients */
/* What a 503 at the upgrade says to wait, in seconds (as the API's). */
#define PUSHER_RETRY_AFTER_S "2"

struct pusher;
struct worker;

/*
 * A query for a database thread: run() there (it may block), then done()
 * back on the lws thread, which frees the job. A job the thread never ran
 * (shutdown) comes back with cancelled set, to be taken as a failure.
 */
struct job {
	struct job *next;
	void (*run)(struct db *db, struct job *j);
	void (*done)(struct pusher *p, struct job *j);
	int cancelled;
};

/* What a thread watches between jobs besides its queue (the feed's LISTEN). */
struct worker_input {
	/* The socket to wait on, or -1. */
	int (*watch)(void *arg, struct db *db);
	/* After each job (readable 0) and when the socket turns readable (1). */
	void (*readable)(void *arg, struct worker *w, struct db *db, int readable);
};

/* Why the pusher closes a socket: a close code and a reason (see client.c). */
enum client_close {
	CLOSE_NONE = 0,
	CLOSE_TOO_SLOW,     /* fell a whole queue behind */
	CLOSE_AUTH_ENDED,   /* logout, expiry, revoked token, disabled user */
	CLOSE_AUTH_UNKNOWN, /* the upgrade's credential was not accepted */
	CLOSE_UNEXPECTED,   /* the client sent a message */
	CLOSE_TOO_BIG,      /* ... and a large one */
	CLOSE_DB_DOWN,      /* a replay could not read the events table */
	CLOSE_SHUTDOWN,     /* the pusher stops */
	CLOSE__MAX
};

enum client_mode {
	CLIENT_CHECKING,    /* its credential is being looked up: sends nothing yet */
	CLIENT_REPLAY,      /* reading the events table (?after= older than the ring) */
	CLIENT_LIVE,        /* reading the ring */
	CLIENT_MODE__MAX
};

/*
 * One socket: lws' per-session data. Kept small: it is most of what a
 * client costs beyond lws' own structures.
 */
struct client {
	lws_dll2_t node;          /* in pusher.clients while open */
	struct lws *wsi;
	uint64_t pos;             /* LIVE: ring sequence number of the next event */
	int64_t last_id;          /* the last event id sent (or ?after=) */
	int64_t session_id;       /* the credential, for the re-check: */
	int64_t token_id;         /* one of the two is 0 (both while CHECKING) */
	int64_t progress_us;      /* last write, or when events became pending */
	int64_t full_since_us;    /* first seen holding the ring full, 0 = not */
	PGresult *page;           /* REPLAY: the page of events being sent */
	struct client_job *job;   /* the query it waits for (lookup or page), if any */
	int page_row;
	uint8_t mode;             /* enum client_mode */
	uint8_t closing;          /* enum client_close; CLOSE_NONE while open */
	uint8_t caught_up;        /* LIVE: nothing was left to send */
};

/* What the upgrade check learnt, for the socket it let through. */
struct handoff {
	struct lws *wsi;          /* NULL when nothing is handed over */
	int64_t after;            /* -1: no ?after=, live events only */
	char token[AUTH_TOKEN_MAX];  /* the credential, to look up (check.c) */
};

/* A job for one socket, forgotten (c NULL) when the socket closes first. */
struct client_job {
	struct job job;
	struct client *c;
};

/* Why the feed waits for a re-check (recheck.c). */
enum recheck_why {
	RECHECK_PERIODIC,         /* the net for expiry: the feed does not wait */
	RECHECK_AUTH,             /* goldwatch_auth: the feed reads on after it */
	RECHECK_CATCH_UP,         /* after a reconnect: before the feed catches up */
};

/*
 * The LISTEN connection (feed.c). Everything here belongs to the lws
 * thread but listen_gen, which only the feed's database thread touches.
 */
struct feed {
	struct db *db;
	struct worker *worker;    /* the thread that owns db */
	uint64_t listen_gen;      /* feed thread: db_generation() LISTEN was issued on */
	int64_t announced;        /* highest event id notified: read no further */
	int64_t catch_up_to;      /* after a reconnect: the newest id, once re-checked */
	int ready;                /* the ring was filled once: clients may come */
	int up;                   /* subscribed and caught up: reads may go */
	int more;                 /* events may be waiting in the table */
	int reading;              /* a read of the table is in flight */
	int subscribing;          /* a (re)connect is in flight */
	int retrying;             /* sul_retry is scheduled */
	int rechecks;             /* re-checks it waits for before reading on */
	int down;                 /* lost; reconnecting */
	int64_t backoff_ms;
	int64_t down_since_us;
	/*
	 * Shared with the feed thread, which reads ahead (feed.c feed_input):
	 * the ring's last id as the lws thread last published it, and how many
	 * goldwatch_auth notifications wait for their re-check (none may be
	 * read past while one does).
	 */
	_Atomic int64_t ring_last;
	atomic_int auth_pending;
	int64_t seen;             /* feed thread: highest id notified so far */
	lws_sorted_usec_list_t sul_retry;  /* reconnect after backoff */
	lws_sorted_usec_list_t sul_pull;   /* read more once the ring has room */
};

struct pusher_stats {
	uint64_t sockets;         /* accepted */
	uint64_t refused;         /* at the upgrade */
	uint64_t relayed;         /* events read into the ring */
	uint64_t closed[CLOSE__MAX];
};

struct pusher {
	const struct config *cfg;
	char origin[256];         /* of GOLDWATCH_BASE_URL: what a cookie must come from */
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct db *db;            /* upgrade checks, replays, re-checks */
	struct worker *queries;   /* the thread that owns db */
	struct feed feed;
	struct ring ring;
	lws_dll2_owner_t clients;
	struct handoff handoff;
	uint64_t auth_epoch;      /* goldwatch_auth notifications taken so far */
	int periodic_inflight;    /* a periodic re-check has not come back yet */
	int beat_inflight;        /* a heartbeat write has not come back yet */
	lws_sorted_usec_list_t sul_recheck;
	lws_sorted_usec_list_t sul_beat;
	struct pusher_stats stats;
};

/* Walks the open sockets; c may be closed (not freed) on the way. */
#define foreach_client(p, c) \
	for (struct lws_dll2 *d_ = lws_dll2_get_head(&(p)->clients), *n_; \
	     d_ && (n_ = d_->next, (c) = lws_container_of(d_, struct client, node), 1); \
	     d_ = n_)

/* The pusher of the context wsi belongs to. */
struct pusher *pusher_of(struct lws *wsi);

/* worker.c */

/* A database thread for db (input NULL, or what it watches between jobs). */
struct worker *worker_new(const char *name, struct db *db,
    const struct worker_input *input, void *arg);
/* Starts the thread; answers wake ctx's loop. 0, or -1. */
int worker_start(struct worker *w, struct lws_context *ctx);
/* Queues j (lws thread). Once stopped, j comes back cancelled. */
void worker_post(struct worker *w, struct job *j);
/* Hands j to the lws thread (from the worker's thread: a message it made). */
void worker_reply(struct worker *w, struct job *j);
/* LWS_CALLBACK_EVENT_WAIT_CANCELLED: runs the answers' done(). Their count. */
int worker_deliver(struct worker *w, struct pusher *p);
/* Cancels what has not run, the running query too, and joins the thread. */
void worker_stop(struct worker *w);
void worker_free(struct worker *w);

/* handshake.c */

/*
 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: checks the path, ?after=, that a
 * credential (cookie gw_session or ?token=) of the right shape is given,
 * and that a cookie comes from the site's own Origin. Returns 0 to let the
 * upgrade go on (the credential waits in p->handoff, for check.c), or 1
 * after answering 400, 401, 403, 404 or 503 with a JSON error body.
 */
int handshake_confirm(struct pusher *p, struct lws *wsi, const char *upgrade);
/* LWS_CALLBACK_HTTP (no upgrade): answers 426. Returns lws' verdict. */
int handshake_plain_http(struct lws *wsi);
/* Takes what handshake_confirm() left for wsi (once). 0, or -1 if nothing was. */
int handshake_claim(struct pusher *p, struct lws *wsi, struct handoff *out);

/* check.c */

/*
 * LWS_CALLBACK_ESTABLISHED: opens c with what the upgrade let through and
 * looks its credential up on the query thread; c sends nothing until the
 * answer, then starts where it would have at the upgrade, or closes (4001,
 * or 1013 when the database cannot say). 0, or -1 to refuse.
 */
int check_open(struct pusher *p, struct client *c, struct lws *wsi);

/* feed.c */

/* Starts the feed's thread and connects; retries on its own. 0, or -1. */
int feed_start(struct pusher *p);
/* Reads waiting events into the ring while it has room; wakes the clients. */
void feed_pull(struct pusher *p);
void feed_stop(struct pusher *p);

/* client.c */

/* Sets c up for wsi; it starts after the id after (-1: the newest relayed). */
void client_open(struct pusher *p, struct client *c, struct lws *wsi, int64_t after);
/* LWS_CALLBACK_SERVER_WRITEABLE: one message at most. 0, or -1 to close. */
int client_writeable(struct pusher *p, struct client *c);
/* LWS_CALLBACK_RECEIVE: clients send nothing; anything closes the socket. */
int client_receive(struct pusher *p, struct client *c, size_t len);
/* LWS_CALLBACK_CLOSED. */
void client_closed(struct pusher *p, struct client *c);
/* Closes c with the code and reason of why, once its close frame can go. */
void client_close(struct pusher *p, struct client *c, enum client_close why);
/* Sends one message; records its id as the client's last. 0, or -1. */
int client_send(struct client *c, unsigned char *payload, size_t len, int64_t id);
/* Starts reading the ring after c->last_id. */
void client_go_live(struct pusher *p, struct client *c);
/* Starts c after c->last_id: from the ring if it covers that, else the table. */
void client_start(struct pusher *p, struct client *c);
/* Queues cj (for c) on the query thread; c then waits for it. */
void client_post(struct pusher *p, struct client *c, struct client_job *cj);
/* The socket an answer is for (NULL: closed meanwhile); it waits no more. */
struct client *client_of_answer(struct client_job *cj);
/*
 * How many events the ring can take without overwriting one that an open
 * client still has to send. A client that holds the ring full for too
 * long is closed as too slow, so that it never holds the others up.
 */
uint64_t clients_room(struct pusher *p);
/* Asks to write to every live client with events to send. */
void clients_wake(struct pusher *p);
/* Closes every socket with why (shutdown). */
void clients_close_all(struct pusher *p, enum client_close why);

/* replay.c */

/* Writes the next event read from the table to c (REPLAY). 0, or -1. */
int replay_write(struct pusher *p, struct client *c);

/* recheck.c */

/* Schedules the periodic re-check of every socket's credentials. */
void recheck_start(struct pusher *p);
/* Told how a re-check ended: ok 0, or -1 when the database could not say. */
typedef void (*recheck_then)(struct pusher *p, enum recheck_why why, int ok);
/*
 * Re-checks every socket's credential on the query thread; ended ones are
 * closed (4001) before anything more is written to them, then then (if
 * not NULL) hears the outcome (at once when no socket holds a credential).
 * After a failure nothing is closed.
 */
void recheck_post(struct pusher *p, enum recheck_why why, recheck_then then);

/* beat.c */

/* Writes the heartbeat now and every few seconds (pusher_heartbeats). */
void beat_start(struct pusher *p);

/* frame.c */

/*
 * Row row of a result of EVENT_COLUMNS as the JSON text of one message,
 * after LWS_PRE bytes of headroom (malloc'd; the caller frees it or hands
 * it to the ring). *len gets the length of the text.
 */
unsigned char *frame_event(const PGresult *r, int row, size_t *len);

#endif
