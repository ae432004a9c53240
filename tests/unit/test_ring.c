/*
 * test_ring.c - the pusher's shared ring of serialized events: what it
 * holds after wrapping, the floor it covers from, and seeking by id
 * across gaps in the ids (rolled-back transactions leave gaps).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "unit.h"
#include "util.h"
#include "../../pusher/ring.h"

#define PRE 16

static void push(struct ring *r, int64_t id)
{
	char text[32];
	size_t n = (size_t)snprintf(text, sizeof(text), "{\"id\":%lld}", (long long)id);
	unsigned char *buf = xmalloc(PRE + n);

	memcpy(buf + PRE, text, n);
	ring_push(r, id, buf, n);
}

static void t_wraps_and_evicts(void)
{
	struct ring r;

	ring_init(&r, 4, PRE, 100);
	CU_ASSERT_EQUAL(ring_seek(&r, 100), r.head);
	CU_ASSERT_PTR_NULL(ring_at(&r, 0));
	CU_ASSERT_TRUE(ring_covers(&r, 100));
	CU_ASSERT_FALSE(ring_covers(&r, 99));
	for (int64_t id = 101; id <= 110; id++)
		push(&r, id);
	/* four held: 107..110; 106 was the last one evicted */
	CU_ASSERT_EQUAL(r.head - r.tail, 4);
	CU_ASSERT_EQUAL(r.floor_id, 106);
	CU_ASSERT_EQUAL(r.last_id, 110);
	CU_ASSERT_PTR_NULL(ring_at(&r, r.tail - 1));
	CU_ASSERT_PTR_NULL(ring_at(&r, r.head));
	CU_ASSERT_EQUAL(ring_at(&r, r.tail)->id, 107);
	CU_ASSERT_NSTRING_EQUAL(ring_at(&r, r.tail)->buf + PRE, "{\"id\":107}", 10);
	CU_ASSERT_EQUAL(ring_at(&r, r.tail)->len, 10);
	CU_ASSERT_TRUE(ring_covers(&r, 106));
	CU_ASSERT_FALSE(ring_covers(&r, 105));
	CU_ASSERT_EQUAL(ring_behind(&r, r.tail), 4);
	CU_ASSERT_EQUAL(ring_behind(&r, r.head), 0);
	ring_free(&r);
}

static void t_seek_across_gaps(void)
{
	static const int64_t ids[] = {5, 6, 9, 10, 20, 21, 22};
	struct ring r;

	ring_init(&r, 16, PRE, 4);
	for (size_t i = 0; i < GW_ARRAY_LEN(ids); i++)
		push(&r, ids[i]);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, 4))->id, 5);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, 6))->id, 9);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, 7))->id, 9);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, 19))->id, 20);
	CU_ASSERT_EQUAL(ring_seek(&r, 22), r.head);
	CU_ASSERT_EQUAL(ring_seek(&r, 1000), r.head);
	/* after wrapping several times the search still sees sequence order */
	for (int64_t id = 30; id < 100; id += 3)
		push(&r, id);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, 70))->id, 72);
	CU_ASSERT_EQUAL(ring_at(&r, ring_seek(&r, r.floor_id))->id, ring_at(&r, r.tail)->id);
	ring_free(&r);
}

void suite_ring(void)
{
	static const struct test_case cases[] = {
		{"wraps, evicts the oldest, covers from its floor", t_wraps_and_evicts},
		{"seeks by id across gaps and wraps", t_seek_across_gaps},
		{NULL, NULL},
	};
	test_add_suite("ring", NULL, NULL, cases);
}
