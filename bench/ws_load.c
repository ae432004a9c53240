/*
 * ws_load - the load client for goldwatch-pusher: many authenticated
 * WebSocket clients in one libwebsockets client context (one thread), and
 * one more thread that makes the events and notes when each was committed.
 * Latencies are worked out at the end from raw timestamps (one monotonic
 * clock for both threads), so the threads share nothing while measuring.
 * The sockets are watched by a libuv loop (epoll) that lws joins as a
 * foreign loop: with 10,000 sockets, poll(2) would cost the client more
 * than the messages themselves and inflate what is measured.
 *
 *   ws_load fanout [--clients N] [--events M] [--interval-ms MS] [--via unix|nginx]
 *       M events, one transaction each, MS apart; for every client and
 *       event: commit returned -> message received. Also the pusher's RSS
 *       before and after the clients connected (BENCH_PUSHER_PID).
 *   ws_load e2e [--clients N] [--events M] [--via nginx|unix]
 *       M times: a push KPI value that makes a rule fire, then
 *       POST /api/alerts/evaluate; for every client: the POST returned ->
 *       its alert.fired message received. Then the alert is resolved.
 *       (The value is recorded with "evaluate":false: what is measured is
 *       the evaluation the POST runs.)
 *   ws_load push [--clients N] [--events M] [--via nginx|unix]
 *       M times: a push KPI value that makes the rule fire, evaluated by
 *       that POST itself; for every client: the POST sent (and returned)
 *       -> its alert.fired message received. Then a value resolves it.
 *
 * Environment (scripts/stack.sh's goldwatch.env): DATABASE_URL,
 * GOLDWATCH_PUSHER_SOCKET; BENCH_URL (http://127.0.0.1:PORT, nginx);
 * BENCH_PUSHER_PID. Sessions for the clients are made in the database for
 * the user BENCH_USER (default admin), as logins would make them.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "auth.h"
#include "benchlib.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"
#include "wsclient.h"

#define WAVE 256                 /* handshakes in flight at once */
#define DRAIN_US (10 * LWS_US_PER_SEC) /* after the last event, wait this long at most */
#define WARM_US (60 * LWS_US_PER_SEC)  /* the warm-up event may take this long */

enum mode { MODE_FANOUT, MODE_E2E, MODE_PUSH, MODE__MAX };
static const char *const mode_names[] = {"fanout", "e2e", "push"};
enum via { VIA_UNIX, VIA_NGINX, VIA__MAX };

struct bclient {
	int open;
	int warm;                    /* messages before the measured events */
	int n;                       /* samples recorded */
	int64_t *t;                  /* when each message came (mono us) */
	int64_t *id;                 /* its event id (fanout) or alert id (e2e) */
};

struct bench {
	enum mode mode;
	enum via via;
	int nclients, nevents, interval_ms;
	struct config cfg;
	struct bench_ws ws;
	struct bclient *c;
	char (*tokens)[AUTH_TOKEN_MAX];
	struct bench_conns k;
	/* written by the injector, read after it is joined */
	int64_t *t_sent, *t_done, *ev_id;
	int injected;
	int measuring;               /* the warm-up event reached every client */
	atomic_int injector_done;
	char *url, *admin_token, *kpi;
	int64_t rule_id;
};

/* Records one sample for client c. */
static void record(struct bench *b, struct bclient *c, int64_t id)
{
	if (c->n < 2 * b->nevents + 8) {
		c->t[c->n] = time_mono_us();
		c->id[c->n] = id;
		c->n++;
	}
}

static void on_message(struct bench *b, struct bclient *c, const char *in, size_t len)
{
	json_t *m;
	const char *type;

	if (!b->measuring) {
		c->warm++;
		return;
	}
	if (b->mode == MODE_FANOUT) {
		/* {"id":123,... : the id is all that is needed */
		if (len > 6 && memcmp(in, "{\"id\":", 6) == 0)
			record(b, c, strtoll(in + 6, NULL, 10));
		return;
	}
	m = json_loadb(in, len, 0, NULL);
	type = json_string_value(json_object_get(m, "type"));
	if (type && strcmp(type, "alert.fired") == 0)
		record(b, c, json_integer_value(json_object_get(json_object_get(m, "data"), "id")));
	json_decref(m);
}

static int on_event(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct bench *b = lws_context_user(lws_get_context(wsi));
	struct bclient *c = user;

	if (bench_ws_count(&b->k, &c->open, reason, in))
		return 0;
	if (reason == LWS_CALLBACK_CLIENT_RECEIVE && lws_is_first_fragment(wsi) &&
	    lws_is_final_fragment(wsi))
		on_message(b, c, in, len);
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"ws-load", on_event, 0, 8192, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}
};

static void connect_one(struct bench *b, int i)
{
	bench_ws_connect(&b->ws, &b->k, b->via == VIA_UNIX ? b->cfg.pusher_socket : NULL,
	    b->url, b->tokens[i], protocols[0].name, &b->c[i]);
}

/* Runs the loop once, starting connections up to WAVE in flight. */
static int service(struct bench *b)
{
	while (b->k.next < b->nclients && b->k.connecting < WAVE)
		connect_one(b, b->k.next++);
	bench_ws_run_once(&b->ws);
	return 0;
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = strtol(line + 6, NULL, 10);
	fclose(f);
	return kib;
}

/* HTTP through nginx with the admin's bearer token; the JSON of a 2xx or NULL. */
static json_t *http_json(struct bench *b, const char *method, const char *path,
    const char *body)
{
	long status;
	json_t *j = bench_http(b->url, b->admin_token, method, path, body, &status);

	if (status < 200 || status >= 300) {
		json_decref(j);
		return NULL;
	}
	return j ? j : json_object();
}

static void push_and_evaluate(struct bench *b, double value, int i)
{
	char path[128], body[128];
	json_t *r;

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", b->kpi);
	snprintf(body, sizeof(body), "{\"value\":%g,\"evaluate\":false}", value);
	json_decref(http_json(b, "POST", path, body));
	snprintf(body, sizeof(body), "{\"rule_ids\":[%lld]}", (long long)b->rule_id);
	if (i >= 0)
		b->t_sent[i] = time_mono_us();
	r = http_json(b, "POST", "/api/alerts/evaluate", body);
	if (i >= 0) {
		b->t_done[i] = time_mono_us();
		b->ev_id[i] = json_integer_value(json_object_get(
		    json_array_get(json_object_get(r, "fired"), 0), "id"));
	}
	json_decref(r);
}

/* push: the sample's own request evaluates the rule. */
static void push_evaluated(struct bench *b, double value, int i)
{
	char path[128], body[64];
	json_t *r;

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", b->kpi);
	snprintf(body, sizeof(body), "{\"value\":%g}", value);
	if (i >= 0)
		b->t_sent[i] = time_mono_us();
	r = http_json(b, "POST", path, body);
	if (i >= 0) {
		b->t_done[i] = time_mono_us();
		b->ev_id[i] = json_integer_value(json_object_get(json_array_get(
		    json_object_get(json_object_get(r, "evaluation"), "fired"), 0), "id"));
	}
	json_decref(r);
}

DB_STMT(q_event, "INSERT INTO events (type, data)"
    " VALUES ('kpi.sampled', jsonb_build_object('kpi', 'bench', 'value', $1::int,"
    "         'source', 'ws_load')) RETURNING id");

/* The injector thread: makes the events, notes when each was committed. */
static void *inject(void *arg)
{
	struct bench *b = arg;
	struct db *db = db_open(&b->cfg);

	for (int i = 0; db && i < b->nevents; i++) {
		char v[24];
		PGresult *r;

		if (b->mode == MODE_E2E || b->mode == MODE_PUSH) {
			void (*step)(struct bench *, double, int) =
			    b->mode == MODE_E2E ? push_and_evaluate : push_evaluated;
			step(b, 1, i);                         /* fires */
			usleep((useconds_t)b->interval_ms * 500);
			step(b, 100, -1);                      /* resolves */
			usleep((useconds_t)b->interval_ms * 500);
		} else {
			b->t_sent[i] = time_mono_us();
			r = DB_EXEC(db, &q_event, db_i64_param(i, v));
			b->t_done[i] = time_mono_us();
			b->ev_id[i] = r ? db_i64(r, 0, "id") : -1;
			PQclear(r);
			usleep((useconds_t)b->interval_ms * 1000);
		}
		b->injected = i + 1;
	}
	db_close(db);
	atomic_store(&b->injector_done, 1);
	return NULL;
}

/* Pairs every sample with its event; prints the distribution. */
static void report(struct bench *b, int64_t connect_us, long rss0, long rss1)
{
	size_t cap = (size_t)b->nclients * (size_t)b->nevents, n = 0, n2 = 0;
	double *lat = xmalloc((cap + 1) * sizeof(double));
	double *from_sent = xmalloc((cap + 1) * sizeof(double));
	long missing = 0, unordered = 0;

	for (int i = 0; i < b->nclients; i++) {
		struct bclient *c = &b->c[i];
		int64_t prev = -1;
		int matched = 0;

		for (int k = 0; k < c->n; k++) {
			for (int e = 0; e < b->nevents; e++) {
				if (b->ev_id[e] != c->id[k])
					continue;
				if (n < cap) {
					lat[n++] = (double)(c->t[k] - b->t_done[e]) / 1000.0;
					from_sent[n2++] = (double)(c->t[k] - b->t_sent[e]) / 1000.0;
				}
				matched++;
				break;
			}
			if (c->id[k] <= prev)
				unordered++;
			prev = c->id[k];
		}
		missing += b->nevents - matched;
	}
	bench_sort(lat, n);
	bench_sort(from_sent, n2);
	printf("mode %s via %s: %d clients (%d failed), %d events, interval %d ms\n",
	    mode_names[b->mode], b->via == VIA_UNIX ? "unix" : "nginx",
	    b->k.opened, b->k.failed, b->nevents, b->interval_ms);
	printf("connect: all open in %.2f s\n", (double)connect_us / 1e6);
	printf("samples %zu, missing %ld, out of order %ld, closed early %d\n", n, missing,
	    unordered, b->k.closed);
	printf("latency from %s (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  min %.2f\n",
	    b->mode == MODE_FANOUT ? "commit returned" : "POST returned",
	    bench_pct(lat, n, 0.5), bench_pct(lat, n, 0.9), bench_pct(lat, n, 0.99),
	    n ? lat[n - 1] : 0, n ? lat[0] : 0);
	printf("latency from %s (ms): p50 %.2f  p99 %.2f\n",
	    b->mode == MODE_FANOUT ? "INSERT sent" : "POST sent",
	    bench_pct(from_sent, n2, 0.5), bench_pct(from_sent, n2, 0.99));
	if (rss0 > 0 && rss1 > 0)
		printf("pusher RSS: %ld KiB before, %ld KiB with the clients: %.2f KiB per client\n",
		    rss0, rss1, (double)(rss1 - rss0) / (b->k.opened ? b->k.opened : 1));
	free(lat);
	free(from_sent);
}

/* Sessions for the clients, made as a login makes them. 0, or -1. */
static int make_sessions(struct bench *b)
{
	char admin[AUTH_TOKEN_MAX];

	b->tokens = xcalloc((size_t)b->nclients, sizeof(*b->tokens));
	if (bench_sessions(&b->cfg, b->nclients, b->tokens, admin) < 0)
		return -1;
	b->admin_token = xstrdup(admin);
	return 0;
}

/* e2e: a push KPI and a rule on it that fires below 5, without cooldown. */
static int make_rule(struct bench *b)
{
	char body[512];
	json_t *r;

	b->kpi = xasprintf("bench_e2e_%d", (int)getpid());
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"name\":\"bench\",\"category\":\"operational\","
	    "\"unit\":\"count\"}", b->kpi);
	json_decref(http_json(b, "POST", "/api/kpis", body));
	snprintf(body, sizeof(body), "{\"name\":\"bench e2e\",\"kpi\":\"%s\",\"condition\":\"lt\","
	    "\"threshold\":5,\"severity\":\"critical\",\"cooldown_minutes\":0,"
	    "\"recipients\":[\"bench@shop.example\"],\"notify_resolved\":false}", b->kpi);
	r = http_json(b, "POST", "/api/alerts/rules", body);
	b->rule_id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	return b->rule_id > 0 ? 0 : -1;
}

static int parse_args(struct bench *b, int argc, char **argv)
{
	if (argc < 2)
		return -1;
	for (b->mode = 0; b->mode < MODE__MAX && strcmp(argv[1], mode_names[b->mode]) != 0;)
		b->mode++;
	if (b->mode == MODE__MAX)
		return -1;
	b->nclients = b->mode == MODE_FANOUT ? 10000 : 100;
	b->nevents = 100;
	b->interval_ms = b->mode == MODE_FANOUT ? 250 : 200;
	b->via = b->mode == MODE_FANOUT ? VIA_UNIX : VIA_NGINX;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--clients") == 0)
			b->nclients = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--events") == 0)
			b->nevents = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--interval-ms") == 0)
			b->interval_ms = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--via") == 0)
			b->via = strcmp(argv[i + 1], "nginx") == 0 ? VIA_NGINX : VIA_UNIX;
		else
			return -1;
	}
	return b->nclients > 0 && b->nevents > 0 ? 0 : -1;
}

/*
 * One event before the measured ones, waited for by every open client: a
 * socket is open before the pusher has looked its credential up, and the
 * measured events should find every client live. Returns the time it took.
 */
static int64_t warm_up(struct bench *b)
{
	struct db *db = db_open(&b->cfg);
	int64_t t0 = time_mono_us();
	int all = 0;

	if (db)
		PQclear(DB_EXEC(db, &q_event, "-1"));
	db_close(db);
	while (!all && time_mono_us() - t0 < WARM_US) {
		service(b);
		all = 1;
		for (int i = 0; i < b->nclients && all; i++)
			all = !b->c[i].open || b->c[i].warm > 0;
	}
	if (!all)
		fprintf(stderr, "ws_load: not every client had the warm-up event\n");
	return time_mono_us() - t0;
}

/* Injects the events and takes the messages until every client had them. */
static void measure(struct bench *b)
{
	pthread_t injector;
	int64_t deadline = 0;

	b->measuring = 1;
	pthread_create(&injector, NULL, inject, b);
	for (;;) {
		if (service(b) < 0)
			break;
		if (atomic_load(&b->injector_done)) {
			int all = 1;
			if (deadline == 0)
				deadline = time_mono_us() + DRAIN_US;
			for (int i = 0; i < b->nclients && all; i++)
				all = !b->c[i].open || b->c[i].n >= b->nevents;
			if (all || time_mono_us() > deadline)
				break;
		}
	}
	pthread_join(injector, NULL);
}

int main(int argc, char **argv)
{
	struct bench b;
	struct rlimit rl;
	pid_t pid = getenv("BENCH_PUSHER_PID") ? atoi(getenv("BENCH_PUSHER_PID")) : 0;
	int64_t t0, connect_us, warm_us;
	long rss0, rss1;

	memset(&b, 0, sizeof(b));
	log_init("ws_load", LOG_LVL_WARN);
	if (parse_args(&b, argc, argv) < 0) {
		fprintf(stderr, "usage: ws_load fanout|e2e|push [--clients N] [--events M]"
		    " [--interval-ms MS] [--via unix|nginx]\n");
		return 2;
	}
	if (config_load(&b.cfg) < 0 || auth_init() < 0)
		return 1;
	b.url = getenv("BENCH_URL") ? getenv("BENCH_URL") : "http://127.0.0.1:8080";
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (make_sessions(&b) < 0 || (b.mode != MODE_FANOUT && make_rule(&b) < 0))
		return 1;
	b.c = xcalloc((size_t)b.nclients, sizeof(*b.c));
	for (int i = 0; i < b.nclients; i++) {
		b.c[i].t = xcalloc((size_t)(2 * b.nevents + 8), sizeof(int64_t));
		b.c[i].id = xcalloc((size_t)(2 * b.nevents + 8), sizeof(int64_t));
	}
	b.t_sent = xcalloc((size_t)b.nevents, sizeof(int64_t));
	b.t_done = xcalloc((size_t)b.nevents, sizeof(int64_t));
	b.ev_id = xcalloc((size_t)b.nevents, sizeof(int64_t));
	if (bench_ws_init(&b.ws, protocols, &b) < 0)
		return 1;
	rss0 = rss_kib(pid);
	t0 = time_mono_us();
	while (b.k.opened + b.k.failed < b.nclients && service(&b) >= 0)
		;
	connect_us = time_mono_us() - t0;
	warm_us = warm_up(&b);
	/* let the pusher settle, then weigh it */
	for (int64_t until = time_mono_us() + LWS_US_PER_SEC; time_mono_us() < until;)
		service(&b);
	rss1 = rss_kib(pid);
	measure(&b);
	printf("warm-up: every client had the first event %.2f s after all opened\n",
	    (double)warm_us / 1e6);
	report(&b, connect_us, rss0, rss1);
	bench_ws_free(&b.ws);
	curl_global_cleanup();
	return b.k.failed ? 1 : 0;
}
