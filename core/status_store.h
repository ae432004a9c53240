/*
 * status_store.h - what goldwatch knows of its own health, read from the
 * database: each job's last run judged by its schedule, the delivery
 * backlog per contact point and for e-mail, the pushers' heartbeats, the
 * database's round trip and schema version. GET /api/status answers it
 * whole; goldwatch-admin doctor judges the same figures, so the two never
 * disagree about a job or a pusher.
 */
#ifndef GW_STATUS_STORE_H
#define GW_STATUS_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"
#include "schedule.h"
#include "store.h"

/* A pusher whose last beat is older than this is down (it beats every 10 s). */
#define STATUS_PUSHER_UP_S 60
/* A daily job is overdue this long after its slot passed without a run. */
#define STATUS_DAILY_GRACE_S 3600

/*
 * The jobs the schedule runs (a service that runs of its own, the mailer,
 * records no runs: it is left out), each {"name", "schedule", "state":
 * ok|failed|overdue|never_ran, "overdue", the job_runs columns, "result"}
 * at now_us. A job is overdue when its next slot after the last start
 * passed by more than its period (a daily one: STATUS_DAILY_GRACE_S).
 */
enum store_rc status_jobs(struct db *db, const struct schedule *s, int64_t now_us,
    json_t **out);
/* {"contact_points": [{id, name, kind, queued, due, oldest_due_age_s,
 * dead_last_hour}], "email": {queued, due, oldest_due_age_s, dead_last_hour}} */
enum store_rc status_deliveries(struct db *db, json_t **out);
/* [{instance, started_at, beat_at, seconds_since_beat, up, clients,
 * lag_events, feed_up, relayed}], the newest beat first */
enum store_rc status_pushers(struct db *db, json_t **out);
/*
 * {"latency_ms" (one measured round trip), "schema_version" (the newest
 * applied migration), "migrations_on_disk" (the newest in migrations_dir),
 * "pending" (how many on disk are not applied)}; with migrations_dir NULL
 * or unreadable, the last two are null.
 */
enum store_rc status_database(struct db *db, const char *migrations_dir, json_t **out);
/* The whole status of GET /api/status at now_us. */
enum store_rc status_read(struct db *db, const struct schedule *s, const char *migrations_dir,
    int64_t now_us, json_t **out);

#endif
