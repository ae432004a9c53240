/*
 * metrics_store.h - what the database knows for GET /metrics, read in
 * one set-based statement (no loop over rules or alerts: the open alerts
 * and rules from the dashboard's exact counters, counter_deltas of
 * migration 0003; the outbox through its status and due indexes; each
 * KPI's newest sample through kpi_samples_key_time) and written as
 * Prometheus exposition text (prom.h).
 */
#ifndef GW_METRICS_STORE_H
#define GW_METRICS_STORE_H

#include "db.h"
#include "util.h"

/* Pusher heartbeats older than this are a pusher gone, not a figure. */
#define METRICS_PUSHER_FRESH_S 120

/*
 * Appends the database's families to out (with their HELP and TYPE
 * lines): alerts open, rules, jobs, the outbox, deliveries, KPI sample
 * ages, the pushers' heartbeats, the schema version. 0, or -1 on a
 * database error (logged; out is left as it was).
 */
int metrics_store_write(struct db *db, struct buf *out);

#endif
