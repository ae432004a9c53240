/*
 * event.h - the event log: every change worth showing is a row in events.
 * The transaction of the change queues it (event_queue, no lock taken);
 * once it commits, events_publish() has the sequencer move the queue into
 * events, ids in commit order (migration 0031); goldwatch-api's workers
 * hand that to one thread of their process (cgi/sequencer.h). A trigger NOTIFYs
 * goldwatch_events; the pusher relays rows in id order. Types: alert.fired, alert.acknowledged, alert.resolved,
 * alert.escalated, rule.changed, kpi.sampled.
 */
#ifndef GW_EVENT_H
#define GW_EVENT_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"
#include "util.h"

/* Events gathered in memory and written by one INSERT, in order. */
struct events {
	int n;
	struct buf types, datas;
};

void events_init(struct events *e);
/* Adds an event; data is borrowed (serialised now). */
void events_add(struct events *e, const char *type, const json_t *data);
/* Queues the gathered events; they are published (events_publish) when
 * the open transaction commits, at once without one. 0, or -1. In a
 * transaction the insert goes with its next statement or its COMMIT
 * (db_defer), so a failure to queue them fails that call. */
int events_flush(struct db *db, struct events *e);
/* Numbers what is queued into events, after a commit that queued some:
 * events_sequence_step() until it says done, never waiting for another
 * sequencer (which then numbers these too; migration 0033). 0, or -1. */
int events_publish(struct db *db);
/* Hands the numbering after a commit to fn (goldwatch-api's sequencer
 * thread, which numbers the commits of all its workers in one step and
 * returns once it has numbered the caller's): set once, before threads
 * start; NULL, the default, numbers on the committing connection. */
void events_publish_by(void (*fn)(void));
/* The same, waiting for the events lock (SELECT events_sequence()): the
 * pusher's heartbeat, for what a writer that died or gave up left. */
int events_publish_all(struct db *db);
/* A statement of the caller's queued events into event_queue itself:
 * publish them when the open transaction commits (at once without one). */
void events_queued(struct db *db);
void events_free(struct events *e);

/* One event, at once. 0, or -1. */
int event_emit(struct db *db, const char *type, const json_t *data);

/*
 * Events as JSON: {"id","type","at","data","text"}, and for alert.* and
 * kpi.sampled events "value_text" (and for alert.* "threshold_text"): the
 * words the pages, the mail and the browser show (fmt.h), so that the
 * browser carries no copy of them. Select EVENT_COLUMNS (the unit is
 * the KPI's, read with the event).
 */
#define EVENT_COLUMNS "e.id, e.type, iso(e.at) AS at, e.data::text AS data," \
	" (SELECT k.unit FROM kpis k WHERE k.key = e.data->>'kpi') AS unit"
json_t *event_json(const PGresult *r, int row);
/* The same event appended as JSON text: the one serialisation of a frame. */
void event_write(struct buf *b, const PGresult *r, int row);

/* The latest limit events but kpi.sampled, newest first (the dashboard's feed). */
PGresult *events_recent(struct db *db, int64_t limit);
/* The events about alert id, oldest first (its timeline). */
PGresult *events_of_alert(struct db *db, int64_t id);

/*
 * Events with after < id <= upto, oldest first, at most limit rows of
 * EVENT_COLUMNS (the API's event log with upto INT64_MAX, and the pusher's
 * catch-up and replay: upto is how far it may read, see pusher/feed.c). Returns the result (caller clears
 * it) or NULL (logged by the db module).
 */
PGresult *events_after(struct db *db, int64_t after, int64_t upto, int64_t limit);

#endif
