/*
 * pusher.h - goldwatch-pusher: the libwebsockets server behind nginx at
 * /api/alerts/ws that relays the events table to the staff's browsers.
 *
 * One thread does everything: the lws service loop also drives libpq (the
 * LISTEN connection's socket is adopted into the loop), so no lws call is
 * ever made from another thread and nothing needs a lock.
 *
 *   main.c       configuration, the lws context and protocols, signals, loop
 *   handshake.c  who may open a socket (checked at the HTTP upgrade)
 *   after.c      ?after= as text: the pure parser handshake.c uses
 *   feed.c       the LISTEN connection: notifications, catch-up, reconnect
 *   ring.c       the shared ring of serialized events
 *   frame.c      an event row as the JSON text of one message
 *   client.c     one socket: its position, writing, closing, the queue bound
 *   replay.c     ?after=: events read from the table until the ring has them
 *   recheck.c    the batched re-check of every socket's credentials: periodic,
 *                and at once when the feed hears that a credential ended
 */
#ifndef GW_PUSHER_H
#define GW_PUSHER_H

#include <libwebsockets.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "ring.h"

#define PUSHER_PATH "/api/alerts/ws"
#define PUSHER_PROTOCOL "goldwatch"        /* WebSocket clients */
#define PUSHER_FEED_PROTOCOL "goldwatch-feed" /* the adopted libpq socket */

/* Why the pusher closes a socket: a close code and a reason (see client.c). */
enum client_close {
	CLOSE_NONE = 0,
	CLOSE_TOO_SLOW,     /* fell a whole queue behind */
	CLOSE_AUTH_ENDED,   /* logout, expiry, revoked token, disabled user */
	CLOSE_UNEXPECTED,   /* the client sent a message */
	CLOSE_TOO_BIG,      /* ... and a large one */
	CLOSE_DB_DOWN,      /* a replay could not read the events table */
	CLOSE_SHUTDOWN,     /* the pusher stops */
	CLOSE__MAX
};

enum client_mode {
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
	int64_t token_id;         /* one of the two is 0 */
	int64_t progress_us;      /* last write, or when events became pending */
	int64_t full_since_us;    /* first seen holding the ring full, 0 = not */
	PGresult *page;           /* REPLAY: the page of events being sent */
	int page_row;
	uint8_t mode;             /* enum client_mode */
	uint8_t closing;          /* enum client_close; CLOSE_NONE while open */
	uint8_t caught_up;        /* LIVE: nothing was left to send */
};

/* What the upgrade check learnt, for the socket it let through. */
struct handoff {
	struct lws *wsi;          /* NULL when nothing is handed over */
	int64_t session_id, token_id;
	int64_t after;            /* -1: no ?after=, live events only */
};

/* The LISTEN connection (feed.c). */
struct feed {
	struct db *db;
	struct lws *wsi;          /* the adopted duplicate of the libpq socket */
	struct lws *in_rx;        /* wsi whose callback is running, if any */
	uint64_t generation;      /* db_generation() LISTEN was issued on */
	int64_t announced;        /* highest event id notified: read no further */
	int ready;                /* the ring was filled once: clients may come */
	int more;                 /* events may be waiting in the table */
	int down;                 /* lost; reconnecting */
	int64_t backoff_ms;
	int64_t down_since_us;
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
	struct feed feed;
	struct ring ring;
	lws_dll2_owner_t clients;
	struct handoff handoff;
	lws_sorted_usec_list_t sul_recheck;
	struct pusher_stats stats;
};

/* Walks the open sockets; c may be closed (not freed) on the way. */
#define foreach_client(p, c) \
	for (struct lws_dll2 *d_ = lws_dll2_get_head(&(p)->clients), *n_; \
	     d_ && (n_ = d_->next, (c) = lws_container_of(d_, struct client, node), 1); \
	     d_ = n_)

/* The pusher of the context wsi belongs to. */
struct pusher *pusher_of(struct lws *wsi);

/* handshake.c */

/*
 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: checks the path, ?after= and the
 * credential (cookie gw_session or ?token=) against the database, and that
 * a cookie comes from the site's own Origin. Returns 0 to let the upgrade
 * go on (the result waits in p->handoff), or 1 after answering 400, 401,
 * 403, 404 or 503 with a JSON error body.
 */
int handshake_confirm(struct pusher *p, struct lws *wsi, const char *upgrade);
/* LWS_CALLBACK_HTTP (no upgrade): answers 426. Returns lws' verdict. */
int handshake_plain_http(struct lws *wsi);
/* Takes what handshake_confirm() left for wsi (once). 0, or -1 if nothing was. */
int handshake_claim(struct pusher *p, struct lws *wsi, struct handoff *out);

/* feed.c */

/* Connects, LISTENs, fills the ring and adopts the socket; retries on its own. */
void feed_start(struct pusher *p);
/* LWS_CALLBACK_RAW_RX_FILE on the adopted socket. 0, or -1 to close it. */
int feed_readable(struct pusher *p, struct lws *wsi);
/* LWS_CALLBACK_RAW_CLOSE_FILE. */
void feed_closed(struct pusher *p, struct lws *wsi);
/* Reads waiting events into the ring while it has room; wakes the clients. */
void feed_pull(struct pusher *p);
void feed_stop(struct pusher *p);

/* client.c */

/* LWS_CALLBACK_ESTABLISHED: 0, or -1 to refuse. */
int client_open(struct pusher *p, struct client *c, struct lws *wsi);
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
/*
 * Re-checks every socket's credential now; ended ones are closed (4001)
 * before anything more is written to them. 0, or -1 if the database could
 * not be asked (nothing closed).
 */
int recheck_now(struct pusher *p);

/* frame.c */

/*
 * Row row of a result of EVENT_COLUMNS as the JSON text of one message,
 * after LWS_PRE bytes of headroom (malloc'd; the caller frees it or hands
 * it to the ring). *len gets the length of the text.
 */
unsigned char *frame_event(const PGresult *r, int row, size_t *len);

#endif
