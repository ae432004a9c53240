/*
 * ring.h - the shared ring of serialized events (the shape of lws'
 * minimal-ws-server-threads): each event is turned into its JSON text
 * once, after `pre` bytes of headroom for the WebSocket frame header, and
 * every client keeps only its read position, a sequence number. The ring
 * holds at most `cap` events; it covers every event with
 * floor_id < id <= last_id. Memory is bounded by cap, whatever the number
 * of clients. Used on the lws service thread only.
 */
#ifndef GW_PUSHER_RING_H
#define GW_PUSHER_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring_entry {
	int64_t id;
	size_t len;             /* bytes of JSON after the headroom */
	unsigned char *buf;     /* pre bytes of headroom, then the JSON */
};

struct ring {
	struct ring_entry *e;
	size_t pre;
	uint64_t cap;
	uint64_t tail, head;    /* sequence numbers: [tail, head) are held */
	int64_t floor_id;       /* every event with floor_id < id <= last_id */
	int64_t last_id;        /* is held */
};

/* An empty ring of cap events that covers nothing after start_id yet. */
void ring_init(struct ring *r, uint64_t cap, size_t pre, int64_t start_id);
void ring_free(struct ring *r);

/*
 * Appends event id (greater than last_id), evicting the oldest event when
 * the ring is full (floor_id becomes its id). buf holds pre bytes of
 * headroom, then len bytes of text; the ring owns it from now on.
 */
void ring_push(struct ring *r, int64_t id, unsigned char *buf, size_t len);

/* The entry at sequence number seq, or NULL if evicted or not yet there. */
const struct ring_entry *ring_at(const struct ring *r, uint64_t seq);

/* The sequence number of the first held event with id > after (head if none). */
uint64_t ring_seek(const struct ring *r, int64_t after);

/* True when every event with id > after is held (or still to come). */
int ring_covers(const struct ring *r, int64_t after);

/* Events a reader at seq has still to read. */
uint64_t ring_behind(const struct ring *r, uint64_t seq);

#endif
