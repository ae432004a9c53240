/*
 * client.c - one socket's life: where it starts reading (live, the ring,
 * or the table for an old ?after=; fixed at the upgrade, gone to once its
 * credential passed), one message per writeable callback in id order with
 * nothing sent twice, and how it ends.
 *
 * The queue bound: a live client's queue is the part of the ring it has
 * not sent yet, at most GOLDWATCH_PUSHER_QUEUE events. The feed never
 * overwrites an event an open client still needs; a client that holds the
 * ring full is closed (4008, with the id to resume from) when it has
 * written nothing for CLIENT_STALL_US, or when it has held the ring full
 * that long while others keep up. Memory stays the ring's, whatever the
 * clients do, and a stuck client delays the others by CLIENT_STALL_US at
 * the very most, only when it is the one that filled the ring.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pusher.h"

#define CLIENT_STALL_US (2 * LWS_US_PER_SEC)
#define CLIENT_MAX_MESSAGE 256   /* larger client frames: 1009 */

static const struct {
	uint16_t code;
	const char *reason;   /* printf format; may use the last id sent */
} closes[CLOSE__MAX] = {
	[CLOSE_NONE] = {LWS_CLOSE_STATUS_NORMAL, "bye"},
	[CLOSE_TOO_SLOW] = {4008, "too slow: fell a whole queue behind; reconnect with ?after=%lld"},
	[CLOSE_AUTH_ENDED] = {4001, "the session ended or the token was revoked: sign in again"},
	[CLOSE_AUTH_UNKNOWN] = {4001, "the session or token is unknown, expired or revoked"},
	[CLOSE_UNEXPECTED] = {LWS_CLOSE_STATUS_POLICY_VIOLATION,
	    "unexpected message: this socket only sends"},
	[CLOSE_TOO_BIG] = {LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
	    "message too big: this socket only sends"},
	[CLOSE_DB_DOWN] = {1013, "the event log cannot be read now; reconnect with ?after=%lld"},
	[CLOSE_SHUTDOWN] = {LWS_CLOSE_STATUS_GOINGAWAY,
	    "the server restarts; reconnect with ?after=%lld"},
};

static int send_close(struct client *c)
{
	char reason[124];
	int n = snprintf(reason, sizeof(reason), closes[c->closing].reason,
	    (long long)c->last_id);

	lws_close_reason(c->wsi, (enum lws_close_status)closes[c->closing].code,
	    (unsigned char *)reason, n < 0 ? 0 : (size_t)n);
	return -1;
}

void client_close(struct pusher *p, struct client *c, enum client_close why)
{
	if (c->closing)
		return;
	c->closing = (uint8_t)why;
	p->stats.closed[why]++;
	log_debug("closing a socket: %s", closes[why].reason);
	lws_callback_on_writable(c->wsi);
	/* a client that does not read may never let its close frame out */
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, (int)p->cfg->pusher_ping_s);
}

int client_send(struct client *c, unsigned char *payload, size_t len, int64_t id)
{
	/* lws keeps what the socket does not take and writes it first */
	if (lws_write(c->wsi, payload, len, LWS_WRITE_TEXT) < (int)len)
		return -1;
	c->last_id = id;
	c->progress_us = time_mono_us();
	return 0;
}

void client_go_live(struct pusher *p, struct client *c)
{
	c->mode = CLIENT_LIVE;
	c->pos = ring_seek(&p->ring, c->last_id);
	c->caught_up = ring_at(&p->ring, c->pos) == NULL;
	if (!c->caught_up)
		lws_callback_on_writable(c->wsi);
}

void client_start(struct pusher *p, struct client *c)
{
	if (ring_covers(&p->ring, c->last_id)) {
		client_go_live(p, c);
	} else {
		c->mode = CLIENT_REPLAY;
		lws_callback_on_writable(c->wsi);
	}
}

void client_open(struct pusher *p, struct client *c, struct lws *wsi, int64_t after)
{
	memset(c, 0, sizeof(*c));
	c->wsi = wsi;
	c->progress_us = time_mono_us();
	/* where it starts is fixed now; it goes there once its credential passed */
	c->last_id = after < 0 ? p->ring.last_id : after;
	c->mode = CLIENT_CHECKING;
	lws_dll2_add_tail(&c->node, &p->clients);
	p->stats.sockets++;
}

void client_post(struct pusher *p, struct client *c, struct client_job *cj)
{
	cj->c = c;
	c->job = cj;
	worker_post(p->queries, &cj->job);
}

struct client *client_of_answer(struct client_job *cj)
{
	struct client *c = cj->c;

	if (c)
		c->job = NULL;
	return c;
}

/* Sends the next event of the ring (LIVE). 0, or -1 to close. */
static int write_live(struct pusher *p, struct client *c)
{
	const struct ring_entry *e;

	if (c->pos < p->ring.tail) {
		/* overwritten under it: clients_room() prevents this; a guard */
		client_close(p, c, CLOSE_TOO_SLOW);
		return send_close(c);
	}
	/* an event a replay already sent comes again through the ring: skip */
	while ((e = ring_at(&p->ring, c->pos)) != NULL && e->id <= c->last_id)
		c->pos++;
	if (e == NULL) {
		c->caught_up = 1;
		return 0;
	}
	if (client_send(c, e->buf + p->ring.pre, e->len, e->id) < 0)
		return -1;
	c->pos++;
	if (ring_behind(&p->ring, c->pos) <= p->ring.cap / 2)
		c->full_since_us = 0;
	if (ring_at(&p->ring, c->pos))
		lws_callback_on_writable(c->wsi);
	else
		c->caught_up = 1;
	return 0;
}

int client_writeable(struct pusher *p, struct client *c)
{
	if (c->closing)
		return send_close(c);
	if (c->mode == CLIENT_CHECKING)
		return 0;
	if (c->mode == CLIENT_REPLAY)
		return replay_write(p, c);
	return write_live(p, c);
}

int client_receive(struct pusher *p, struct client *c, size_t len)
{
	if (len + lws_remaining_packet_payload(c->wsi) > CLIENT_MAX_MESSAGE)
		client_close(p, c, CLOSE_TOO_BIG);
	else
		client_close(p, c, CLOSE_UNEXPECTED);
	return 0;
}

void client_closed(struct pusher *p, struct client *c)
{
	(void)p;
	if (c->wsi == NULL)
		return;  /* refused before it was set up */
	lws_dll2_remove(&c->node);
	/* an answer still on its way finds no socket */
	if (c->job)
		c->job->c = NULL;
	c->job = NULL;
	PQclear(c->page);
	c->page = NULL;
	c->wsi = NULL;
}

uint64_t clients_room(struct pusher *p)
{
	const struct ring *r = &p->ring;
	struct client *c;
	uint64_t worst = 0;
	int keeping_up = 0;
	int64_t now;

	foreach_client(p, c) {
		uint64_t behind = ring_behind(r, c->pos);
		if (c->mode != CLIENT_LIVE || c->closing)
			continue;
		if (behind <= r->cap / 2)
			keeping_up = 1;
		if (behind > worst)
			worst = behind;
	}
	if (worst < r->cap)
		return r->cap - worst;
	/* the ring is full for someone: drop whoever holds it too long */
	now = time_mono_us();
	worst = 0;
	foreach_client(p, c) {
		uint64_t behind = ring_behind(r, c->pos);
		if (c->mode != CLIENT_LIVE || c->closing)
			continue;
		if (behind >= r->cap) {
			if (c->full_since_us == 0)
				c->full_since_us = now;
			if (now - c->progress_us >= CLIENT_STALL_US ||
			    (keeping_up && now - c->full_since_us >= CLIENT_STALL_US)) {
				client_close(p, c, CLOSE_TOO_SLOW);
				continue;
			}
		}
		if (behind > worst)
			worst = behind;
	}
	return worst < r->cap ? r->cap - worst : 0;
}

void clients_wake(struct pusher *p)
{
	struct client *c;
	int64_t now = time_mono_us();

	foreach_client(p, c) {
		if (c->mode != CLIENT_LIVE || c->closing || ring_at(&p->ring, c->pos) == NULL)
			continue;
		if (c->caught_up) {
			/* it had nothing to do until now: not a stall */
			c->caught_up = 0;
			c->progress_us = now;
		}
		lws_callback_on_writable(c->wsi);
	}
}

void clients_close_all(struct pusher *p, enum client_close why)
{
	struct client *c;

	foreach_client(p, c)
		client_close(p, c, why);
}
