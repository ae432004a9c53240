/*
 * http_stats.c - per-process HTTP counters; see http_stats.h.
 */
#include "http_stats.h"

#include <stdatomic.h>
#include <stdio.h>

#include "prom.h"

/* The statuses goldwatch answers with; anything else counts as "other". */
static const int statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
    409, 413, 415, 422, 429, 500, 502, 503, 504};
#define NSTATUS (GW_ARRAY_LEN(statuses) + 1)

/* Upper bounds of the latency buckets: in µs to compare, in seconds to show. */
static const int64_t bounds_us[] = {1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
    500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bounds_le[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
#define NBOUNDS GW_ARRAY_LEN(bounds_us)
_Static_assert(GW_ARRAY_LEN(bounds_le) == NBOUNDS, "a text for each bound");

/* slot HTTP_STATS_ROUTES is every path no route matched */
static _Atomic uint64_t requests[HTTP_STATS_ROUTES + 1][METHOD__MAX][NSTATUS];
static _Atomic uint64_t buckets[HTTP_STATS_ROUTES + 1][NBOUNDS + 1];
static _Atomic uint64_t sum_us[HTTP_STATS_ROUTES + 1];

static size_t route_slot(const struct route *route)
{
	size_t n;
	const struct route *table = routes_table(&n);

	if (route == NULL || route < table || route >= table + n ||
	    (size_t)(route - table) >= HTTP_STATS_ROUTES)
		return HTTP_STATS_ROUTES;
	return (size_t)(route - table);
}

static size_t status_slot(int status)
{
	for (size_t i = 0; i < GW_ARRAY_LEN(statuses); i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void http_stats_record(const struct route *route, enum method m, int status,
    int64_t duration_us)
{
	size_t r = route_slot(route), b = 0;

	if ((unsigned)m >= METHOD__MAX)
		m = M_OTHER;
	while (b < NBOUNDS && duration_us > bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&requests[r][m][status_slot(status)], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&buckets[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[r], duration_us > 0 ? (uint64_t)duration_us : 0,
	    memory_order_relaxed);
}

static int route_used(size_t r)
{
	for (size_t b = 0; b <= NBOUNDS; b++)
		if (atomic_load_explicit(&buckets[r][b], memory_order_relaxed))
			return 1;
	return 0;
}

static const char *slot_pattern(size_t r, const struct route *table)
{
	return r == HTTP_STATS_ROUTES ? "unmatched" : table[r].pattern;
}

static void write_requests(struct buf *out, const char *instance, const struct route *table,
    size_t nroutes)
{
	char status[8];

	prom_family(out, "goldwatch_http_requests_total", "counter",
	    "HTTP requests this API process answered, by route pattern, method and status.");
	for (size_t r = 0; r <= HTTP_STATS_ROUTES; r++) {
		/* a route never asked is in no bucket: skip its 150 counters */
		if ((r >= nroutes && r != HTTP_STATS_ROUTES) || !route_used(r))
			continue;
		for (int m = 0; m < METHOD__MAX; m++)
			for (size_t s = 0; s < NSTATUS; s++) {
				uint64_t v = atomic_load_explicit(&requests[r][m][s],
				    memory_order_relaxed);
				if (v == 0)
					continue;
				if (s < NSTATUS - 1)
					snprintf(status, sizeof(status), "%d", statuses[s]);
				else
					snprintf(status, sizeof(status), "other");
				prom_sample(out, "goldwatch_http_requests_total", (const char *[]){
				    "instance", instance, "route", slot_pattern(r, table),
				    "method", method_str((enum method)m), "status", status, NULL},
				    (double)v);
			}
	}
}

static void write_durations(struct buf *out, const char *instance, const struct route *table,
    size_t nroutes)
{
	uint64_t counts[NBOUNDS + 1], total;

	prom_family(out, "goldwatch_http_request_duration_seconds", "histogram",
	    "Time from a request's arrival to its answer, by route pattern.");
	for (size_t r = 0; r <= HTTP_STATS_ROUTES; r++) {
		if (r >= nroutes && r != HTTP_STATS_ROUTES)
			continue;
		total = 0;
		for (size_t b = 0; b <= NBOUNDS; b++)
			total += counts[b] = atomic_load_explicit(&buckets[r][b],
			    memory_order_relaxed);
		if (total == 0)
			continue;
		prom_histogram(out, "goldwatch_http_request_duration_seconds", (const char *[]){
		    "instance", instance, "route", slot_pattern(r, table), NULL},
		    bounds_le, counts, NBOUNDS,
		    (double)atomic_load_explicit(&sum_us[r], memory_order_relaxed) / 1e6);
	}
}

void http_stats_write(struct buf *out, const char *instance)
{
	size_t n;
	const struct route *table = routes_table(&n);

	write_requests(out, instance, table, n);
	write_durations(out, instance, table, n);
}
