/*
 * http_stats.h - this goldwatch-api process's request counters and
 * latency histograms for /metrics, by route (the route table's pattern;
 * every unknown path is one "unmatched" route, so the label set stays
 * bounded), method and status. Lock-free: each worker thread adds with
 * relaxed atomics; a scrape reads whatever they hold at that moment.
 */
#ifndef GW_HTTP_STATS_H
#define GW_HTTP_STATS_H

#include <stdint.h>

#include "app.h"
#include "util.h"

/* Routes the counters have room for (routes_check() refuses more). */
#define HTTP_STATS_ROUTES 192

/* Counts one answered request: route NULL when none matched. */
void http_stats_record(const struct route *route, enum method m, int status,
    int64_t duration_us);

/* Appends goldwatch_http_requests_total and goldwatch_http_request_duration_seconds,
 * each series labelled instance (host:pid). */
void http_stats_write(struct buf *out, const char *instance);

#endif
