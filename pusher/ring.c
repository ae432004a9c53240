/*
 * ring.c - see ring.h.
 */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void ring_init(struct ring *r, uint64_t cap, size_t pre, int64_t start_id)
{
	memset(r, 0, sizeof(*r));
	r->e = xcalloc(cap, sizeof(*r->e));
	r->cap = cap;
	r->pre = pre;
	r->floor_id = start_id;
	r->last_id = start_id;
}

void ring_free(struct ring *r)
{
	for (uint64_t s = r->tail; s < r->head; s++)
		free(r->e[s % r->cap].buf);
	free(r->e);
	memset(r, 0, sizeof(*r));
}

void ring_push(struct ring *r, int64_t id, unsigned char *buf, size_t len)
{
	struct ring_entry *e;

	if (r->head - r->tail == r->cap) {
		e = &r->e[r->tail % r->cap];
		r->floor_id = e->id;
		free(e->buf);
		r->tail++;
	}
	e = &r->e[r->head % r->cap];
	e->id = id;
	e->len = len;
	e->buf = buf;
	r->head++;
	r->last_id = id;
}

const struct ring_entry *ring_at(const struct ring *r, uint64_t seq)
{
	if (seq < r->tail || seq >= r->head)
		return NULL;
	return &r->e[seq % r->cap];
}

uint64_t ring_seek(const struct ring *r, int64_t after)
{
	uint64_t lo = r->tail, hi = r->head;

	/* ids grow with the sequence: binary search */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (r->e[mid % r->cap].id <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ring_covers(const struct ring *r, int64_t after)
{
	return after >= r->floor_id;
}

uint64_t ring_behind(const struct ring *r, uint64_t seq)
{
	return seq < r->head ? r->head - seq : 0;
}
