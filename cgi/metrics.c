/*
 * metrics.c - GET /metrics: Prometheus text exposition (0.0.4) of this
 * API process's own figures (requests, latency: http_stats.c) and the
 * database's (metrics_store.c), with the database's reachability and the
 * latency of one round trip measured by the scrape that read them. The
 * database down is a 200 with goldwatch_database_up 0: the scrape is how
 * an on-call engineer's Prometheus learns it. The database's part is read
 * at most once per GOLDWATCH_METRICS_CACHE_MS by this process and shared
 * by its threads: several Prometheus servers, or a burst of scrapes, cost
 * the database one statement a second, not one each. Who may scrape is the gate's
 * (dispatch.c: a bearer credential, or an address in GOLDWATCH_METRICS_ALLOW).
 */
#include <pthread.h>
#include <stdio.h>

#include "app.h"
#include "http_stats.h"
#include "metrics_store.h"
#include "page_cache.h"
#include "read_db.h"
#include "prom.h"

#ifndef GW_VERSION
#define GW_VERSION "dev"
#endif

DB_STMT(q_ping, "SELECT 1");

static void write_build(struct buf *b, const char *instance)
{
	char libpq[16];

	snprintf(libpq, sizeof(libpq), "%d", PQlibVersion());
	prom_family(b, "goldwatch_build_info", "gauge",
	    "Always 1: the version of the goldwatch-api process answering, and its libpq.");
	prom_sample(b, "goldwatch_build_info", (const char *[]){"instance", instance,
	    "version", GW_VERSION, "libpq", libpq, NULL}, 1);
}

/* One round trip, timed: 0 or -1 (the database unreachable). */
static int ping(struct db *db, double *seconds)
{
	int64_t t0 = time_mono_us();
	PGresult *r;

	if (db_ensure(db) < 0)
		return -1;
	if ((r = DB_EXEC0(db, &q_ping)) == NULL)
		return -1;
	PQclear(r);
	*seconds = (double)(time_mono_us() - t0) / 1e6;
	return 0;
}

/* The database's part, shared by the worker threads. refreshing is held by
 * the one thread reading it anew; the others answer from the last copy. */
static pthread_mutex_t refreshing = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct buf text; /* the database's families; empty while it is down */
	int up, valid;
	double latency;
	int64_t at_us;
} held;

static void refresh(struct request *req)
{
	struct buf text;
	double latency = 0;
	int up;

	buf_init(&text);
	up = ping(req->db, &latency) == 0 && metrics_store_write(req->db, &text) == 0;
	if (!up)
		buf_reset(&text);
	pthread_mutex_lock(&held_lock);
	buf_free(&held.text);
	held.text = text;
	held.up = up;
	held.latency = latency;
	held.at_us = time_mono_us();
	held.valid = 1;
	pthread_mutex_unlock(&held_lock);
}

/* Appends the database's families to out; *up and *latency as read. */
static void database_part(struct request *req, struct buf *out, int *up, double *latency)
{
	int64_t max_age_us = req->cfg->metrics_cache_ms * 1000;
	int stale, valid;

	pthread_mutex_lock(&held_lock);
	valid = held.valid;
	stale = !valid || time_mono_us() - held.at_us >= max_age_us;
	pthread_mutex_unlock(&held_lock);
	/* nothing read yet: wait for whoever reads it; else one reads anew */
	if (stale && (!valid ? pthread_mutex_lock(&refreshing) == 0 :
	    pthread_mutex_trylock(&refreshing) == 0)) {
		pthread_mutex_lock(&held_lock);
		stale = !held.valid || time_mono_us() - held.at_us >= max_age_us;
		pthread_mutex_unlock(&held_lock);
		if (stale)
			refresh(req);
		pthread_mutex_unlock(&refreshing);
	}
	pthread_mutex_lock(&held_lock);
	*up = held.up;
	*latency = held.latency;
	buf_append(out, held.text.data, held.text.len);
	pthread_mutex_unlock(&held_lock);
}

int metrics_get(struct request *req)
{
	char instance[160];
	struct buf db_part, out;
	double latency = 0;
	int up;

	/* host:pid keeps the series of several API processes apart */
	process_instance(instance, sizeof(instance));
	buf_init(&out);
	buf_init(&db_part);
	write_build(&out, instance);
	database_part(req, &db_part, &up, &latency);
	prom_family(&out, "goldwatch_database_up", "gauge",
	    "1 when this API process last reached PostgreSQL (read at most once per"
	    " GOLDWATCH_METRICS_CACHE_MS), else 0.");
	prom_sample(&out, "goldwatch_database_up", (const char *[]){"instance", instance, NULL},
	    up);
	prom_family(&out, "goldwatch_database_latency_seconds", "gauge",
	    "How long one round trip to PostgreSQL took when this API process last read"
	    " the database's figures.");
	if (up) {
		prom_sample(&out, "goldwatch_database_latency_seconds",
		    (const char *[]){"instance", instance, NULL}, latency);
		buf_append(&out, db_part.data, db_part.len);
	}
	buf_free(&db_part);
	http_stats_write(&out, instance);
	page_cache_write(&out, instance);
	if (req->replica != NULL)
		read_db_write(&out, instance);
	req_header(req, "Cache-Control: no-store");
	return req_text(req, 200, PROM_CONTENT_TYPE, &out);
}
