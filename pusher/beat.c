/*
 * beat.c - the pusher's heartbeat: every PUSHER_BEAT_S seconds one row of
 * pusher_heartbeats (migration 0025) per process gets its figures: open
 * sockets, how far the ring is behind the events table, whether the feed
 * is up, events relayed. /metrics and /api/status read them, and the
 * system rule system.pusher_down fires when no pusher has beaten for a
 * minute: the pusher cannot say it is gone, the rows' age says it.
 *
 * The write runs on the query thread; one at a time, so a slow database
 * does not pile them up. Rows of processes quiet for a day go with it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "event.h"
#include "pusher.h"
#include "util.h"

#define PUSHER_BEAT_S 10

struct beat {
	struct job job;
	char clients[24], lag_from[24], relayed[24];
	int feed_up;
};

DB_STMT(q_beat,
    "WITH gone AS (DELETE FROM pusher_heartbeats WHERE beat_at < now() - interval '1 day')"
    " INSERT INTO pusher_heartbeats (instance, started_at, beat_at, clients, lag_events,"
    "   feed_up, relayed)"
    " VALUES ($1, to_timestamp($2::float8 / 1e6), now(), $3::int4,"
    "   GREATEST(0, coalesce((SELECT max(id) FROM events), 0) - $4::int8), $5::bool, $6::int8)"
    " ON CONFLICT (instance) DO UPDATE SET beat_at = now(), clients = EXCLUDED.clients,"
    "   lag_events = EXCLUDED.lag_events, feed_up = EXCLUDED.feed_up,"
    "   relayed = EXCLUDED.relayed");

static char instance[128];
static char started[24];

static void beat_run(struct db *db, struct job *j)
{
	struct beat *b = (struct beat *)j;

	DB_RUN(db, &q_beat, instance, started, b->clients, b->lag_from,
	    b->feed_up ? "true" : "false", b->relayed);
	/* events a writer queued and could not publish (it died, or lost
	 * the database after its commit) are numbered now */
	events_publish_all(db);
}

static void beat_done(struct pusher *p, struct job *j)
{
	p->beat_inflight = 0;
	free(j);
}

static void beat_tick(lws_sorted_usec_list_t *sul)
{
	struct pusher *p = lws_container_of(sul, struct pusher, sul_beat);

	if (!p->beat_inflight) {
		struct beat *b = xcalloc(1, sizeof(*b));

		b->job.run = beat_run;
		b->job.done = beat_done;
		db_i64_param((int64_t)p->clients.count, b->clients);
		/* before the ring was filled its last id says nothing: all is lag */
		db_i64_param(p->feed.ready ? p->ring.last_id : 0, b->lag_from);
		db_i64_param((int64_t)p->stats.relayed, b->relayed);
		b->feed_up = p->feed.up && !p->feed.down;
		p->beat_inflight = 1;
		worker_post(p->queries, &b->job);
	}
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_tick, PUSHER_BEAT_S * LWS_US_PER_SEC);
}

void beat_start(struct pusher *p)
{
	process_instance(instance, sizeof(instance));
	db_i64_param(time_now_us(), started);
	/* the first beat at once: a pusher that just started is seen at once */
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_tick, 1);
}
