/*
 * test_pusher.c - live updates end to end with real WebSocket clients
 * (tests/lib/wsclient.c), through nginx like a browser and straight to the
 * pusher's socket: refusals at the handshake, alerts fired, acknowledged
 * and resolved arriving in order, ?after= replays (from the ring and from
 * the table, across the seam), a database restart and a pusher restart
 * with nothing lost or doubled, a client that never reads dropped while
 * another keeps receiving, pings, unexpected frames, logout and expiry.
 *
 * Every delivery check compares the ids received with the events table:
 * exactly the rows after the client's start, in order, then nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert_store.h"
#include "config.h"
#include "db.h"
#include "engine.h"
#include "event.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"
#include "wsclient.h"

#define RECV_MS 5000     /* the longest an expected message may take */
#define QUIET_MS 300     /* how long "nothing more" is watched for */

static long long max_event_id(void)
{
	return SQL_INT0("SELECT coalesce(max(id), 0) FROM events");
}

/* Inserts n kpi.sampled events in one transaction, each padded to ~pad bytes. */
static void insert_events(int n, int pad)
{
	char ns[16], ps[16];

	snprintf(ns, sizeof(ns), "%d", n);
	snprintf(ps, sizeof(ps), "%d", pad);
	test_exec("INSERT INTO events (type, data)"
	    " SELECT 'kpi.sampled', jsonb_build_object('kpi', 't_ws', 'value', g,"
	    "        'pad', repeat('x', $2::int))"
	    "   FROM generate_series(1, $1::int) g", 2, TP(ns, ps));
}

static char *cookie_of(const char *token)
{
	return xasprintf("gw_session=%s", token);
}

/* Opens a socket, retrying while the pusher starts (503, or 502 from nginx). */
static struct ws_client *open_ws(enum ws_via via, const char *query, const char *token)
{
	char *cookie = token ? cookie_of(token) : NULL;
	struct ws_client *c = NULL;
	long status = 0;

	for (int i = 0; i < 100 && c == NULL; i++) {
		c = ws_open(via, query, cookie, &status);
		if (c == NULL && status != 503 && status != 502 && status != 0)
			break;
		if (c == NULL)
			test_sleep_ms(100);
	}
	if (c == NULL)
		fprintf(stderr, "\n    socket (%s, %s) not opened: status %ld\n",
		    via == WS_NGINX ? "nginx" : "direct", query ? query : "", status);
	free(cookie);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/*
 * Reads from c until it has the events (after, until]: they must be
 * exactly the rows of the table, in id order, each a whole event. Returns
 * the id of the last event received (after, if none).
 */
static long long expect_events(struct ws_client *c, long long after, long long until)
{
	char a[24], u[24];
	PGresult *r;
	long long last = after;

	snprintf(a, sizeof(a), "%lld", after);
	snprintf(u, sizeof(u), "%lld", until);
	r = test_sql("SELECT id FROM events WHERE id > $1::bigint AND id <= $2::bigint ORDER BY id",
	    2, TP(a, u));
	for (int i = 0; i < PQntuples(r); i++) {
		long long want = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		json_t *m = ws_recv_json(c, RECV_MS);
		long long id = m ? (long long)json_integer_value(json_object_get(m, "id")) : -1;

		if (id != want) {
			fprintf(stderr, "\n    event %d of %d: got id %lld, want %lld\n", i,
			    PQntuples(r), id, want);
			CU_FAIL("events missing, doubled or out of order");
			json_decref(m);
			break;
		}
		CU_ASSERT_TRUE(json_is_string(json_object_get(m, "type")));
		CU_ASSERT_TRUE(json_is_string(json_object_get(m, "at")));
		CU_ASSERT_TRUE(json_is_object(json_object_get(m, "data")));
		last = id;
		json_decref(m);
	}
	PQclear(r);
	return last;
}

/* Nothing more arrives for a while (no duplicate, nothing invented). */
static void expect_quiet(struct ws_client *c)
{
	char *m = ws_recv(c, QUIET_MS);

	if (m)
		fprintf(stderr, "\n    unexpected message: %.200s\n", m);
	CU_ASSERT_PTR_NULL(m);
	free(m);
}

/* Restarts the pusher with extra environment ("" for the defaults). */
static void pusher_restart(const char *env)
{
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack_env(env, "pusher-start"), 0);
}

/* The status and JSON error code of an upgrade request sent with libcurl. */
static void expect_refused(const char *path, const char *cookie, int status,
    const char *code)
{
	char ch[512];
	const char *headers[] = {"Connection: Upgrade", "Upgrade: websocket",
	    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	    ch, NULL};
	struct http_resp r;

	snprintf(ch, sizeof(ch), "Cookie: %s", cookie ? cookie : "gw_other=1");
	r = http_do("GET", path, headers, NULL, 0);
	EXPECT_ERROR(r, status, code);
	http_free(&r);
}

static void t_refused(void)
{
	const struct fixture_users *u = fixture_users();
	char *bad = cookie_of("gws_not-a-real-session-token");
	char *good = cookie_of(u->viewer);
	char *q;
	long status = -1;
	struct ws_client *c;
	struct http_resp r;

	/* a real WebSocket client, through nginx and directly */
	CU_ASSERT_PTR_NULL(ws_open(WS_NGINX, NULL, NULL, &status));
	CU_ASSERT_EQUAL(status, 401);
	status = -1;
	CU_ASSERT_PTR_NULL(ws_open(WS_DIRECT, NULL, NULL, &status));
	CU_ASSERT_EQUAL(status, 401);
	status = -1;
	CU_ASSERT_PTR_NULL(ws_open(WS_NGINX, "token=gwt_bogus", NULL, &status));
	CU_ASSERT_EQUAL(status, 401);
	status = -1;
	CU_ASSERT_PTR_NULL(ws_open(WS_NGINX, NULL, bad, &status));
	CU_ASSERT_EQUAL(status, 401);
	/* the answers carry the API's JSON error body */
	expect_refused("/api/alerts/ws", NULL, 401, "unauthenticated");
	expect_refused("/api/alerts/ws?token=gws_nope", NULL, 401, "unauthenticated");
	expect_refused("/api/alerts/ws", bad, 401, "unauthenticated");
	expect_refused("/api/alerts/ws?after=-1", good, 400, "invalid_parameter");
	expect_refused("/api/alerts/ws?after=12x", good, 400, "invalid_parameter");
	/* a plain GET is not an upgrade */
	r = api("GET", "/api/alerts/ws", u->viewer, NULL);
	EXPECT_ERROR(r, 426, "upgrade_required");
	http_free(&r);
	/* the cookie and ?token= both open it; ?after= may follow the token */
	c = open_ws(WS_NGINX, NULL, u->viewer);
	ws_free(c);
	q = xasprintf("token=%s&after=0", u->viewer);
	c = open_ws(WS_DIRECT, q, NULL);
	ws_free(c);
	free(q);
	free(bad);
	free(good);
}

/*
 * A cookie is taken only with the site's own Origin (or none: not a
 * browser); a page of another site gets 403. ?token= works from anywhere.
 */
static void t_origin(void)
{
	const struct fixture_users *u = fixture_users();
	char *cookie = cookie_of(u->viewer), *q = xasprintf("token=%s", u->viewer);
	char *other_port = xasprintf("%s0", test_base_url());
	char *upper = xasprintf("HTTP://%s/", test_base_url() + strlen("http://"));
	const char *foreign[] = {"https://elsewhere.example", "null", other_port,
	    "http://127.0.0.1.elsewhere.example", "not a url"};
	char oh[256], ch[512];
	const char *headers[] = {"Connection: Upgrade", "Upgrade: websocket",
	    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	    ch, oh, NULL};
	struct ws_client *c;
	struct http_resp r;
	long status;

	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		for (int via = WS_NGINX; via <= WS_DIRECT; via++) {
			status = -1;
			c = ws_open_origin((enum ws_via)via, NULL, cookie, foreign[i], &status);
			if (c || status != 403)
				fprintf(stderr, "\n    Origin %s: status %ld\n", foreign[i], status);
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT_EQUAL(status, 403);
			ws_free(c);
			/* the same Origin with the token: not a browser's cookie */
			c = ws_open_origin((enum ws_via)via, q, NULL, foreign[i], &status);
			CU_ASSERT_PTR_NOT_NULL(c);
			ws_free(c);
		}
	}
	/* the answer is the API's JSON error */
	snprintf(ch, sizeof(ch), "Cookie: %s", cookie);
	snprintf(oh, sizeof(oh), "Origin: https://elsewhere.example");
	r = http_do("GET", "/api/alerts/ws", headers, NULL, 0);
	EXPECT_ERROR(r, 403, "forbidden_origin");
	http_free(&r);
	/* the site's own Origin (in any case) and no Origin at all: open */
	c = ws_open_origin(WS_NGINX, NULL, cookie, test_base_url(), &status);
	CU_ASSERT_PTR_NOT_NULL(c);
	ws_free(c);
	c = ws_open_origin(WS_NGINX, NULL, cookie, upper, &status);
	CU_ASSERT_PTR_NOT_NULL(c);
	ws_free(c);
	c = ws_open_origin(WS_DIRECT, NULL, cookie, NULL, &status);
	CU_ASSERT_PTR_NOT_NULL(c);
	ws_free(c);
	free(other_port);
	free(upper);
	free(cookie);
	free(q);
}

/* The next message about alert id, skipping others (samples, rules). */
static json_t *next_about(struct ws_client *c, long long alert_id)
{
	json_t *m;

	while ((m = ws_recv_json(c, RECV_MS)) != NULL) {
		const char *type = json_string_value(json_object_get(m, "type"));
		if (type && strncmp(type, "alert.", 6) == 0 &&
		    json_integer_value(jget(m, "data.id")) == alert_id)
			return m;
		json_decref(m);
	}
	return NULL;
}

/* A string member at a dotted path, or "(missing)". */
static const char *str_at(const json_t *m, const char *path)
{
	const char *s = m ? json_string_value(jget(m, path)) : NULL;
	return s ? s : "(missing)";
}

static void expect_type(json_t *m, const char *type, long long *last_id)
{
	const char *t = str_at(m, "type");
	long long id = m ? (long long)json_integer_value(json_object_get(m, "id")) : -1;

	if (strcmp(t, type) != 0)
		fprintf(stderr, "\n    got %s, want %s\n", t, type);
	CU_ASSERT_STRING_EQUAL(t, type);
	CU_ASSERT_TRUE(id > *last_id);
	*last_id = id;
}

static void acknowledge(long long alert_id)
{
	struct config cfg;
	struct db *db;
	struct ack_input in;
	struct verror err;
	json_t *body = NULL, *out = NULL;

	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL_FATAL(ack_input_one(alert_id, "on it", &in, &body, &err), 0);
	CU_ASSERT_EQUAL(alert_acknowledge(db, SQL_INT0("SELECT id FROM users WHERE username = 'operator1'"),
	    "operator1", &in, &out, NULL), ST_OK);
	json_decref(body);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(out, "acknowledged")), 1);
	json_decref(out);
	db_close(db);
	config_free(&cfg);
}

static void t_alert_lifecycle(void)
{
	const struct fixture_users *u = fixture_users();
	long long start = max_event_id(), rule, alert, last = 0;
	struct ws_client *browser = open_ws(WS_NGINX, NULL, u->viewer);
	struct ws_client *direct = open_ws(WS_DIRECT, NULL, u->operator_);
	struct http_resp r;
	char kpi[32];
	json_t *m;

	snprintf(kpi, sizeof(kpi), "t_ws_stock_%d", (int)getpid());
	make_push_kpi(kpi, 0);
	rule = make_simple_rule("ws lifecycle", kpi, "lt", 5, "");
	push_value(kpi, 2, 0);
	r = evaluate_rule(rule);
	EXPECT_STATUS(r, 200);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	CU_ASSERT_FATAL(alert > 0);
	m = next_about(browser, alert);
	expect_type(m, "alert.fired", &last);
	CU_ASSERT_STRING_EQUAL(str_at(m, "data.state"), "firing");
	CU_ASSERT_EQUAL(json_integer_value(jget(m, "data.rule_id")), rule);
	json_decref(m);
	acknowledge(alert);
	m = next_about(browser, alert);
	expect_type(m, "alert.acknowledged", &last);
	CU_ASSERT_STRING_EQUAL(str_at(m, "data.state"), "acknowledged");
	json_decref(m);
	push_value(kpi, 9, 0);
	r = evaluate_rule(rule);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "resolved.0.id"), alert);
	http_free(&r);
	m = next_about(browser, alert);
	expect_type(m, "alert.resolved", &last);
	CU_ASSERT_STRING_EQUAL(str_at(m, "data.state"), "resolved");
	json_decref(m);
	/* the other socket got every event, the samples too, in order, once */
	expect_events(direct, start, max_event_id());
	expect_quiet(direct);
	ws_free(browser);
	ws_free(direct);
}

static void t_after_replay(void)
{
	const struct fixture_users *u = fixture_users();
	long long seen, mid, top;
	char q[64];
	struct ws_client *c;

	/* a short gap: served from the ring */
	insert_events(5, 10);
	seen = max_event_id();
	insert_events(40, 10);
	snprintf(q, sizeof(q), "after=%lld", seen);
	c = open_ws(WS_NGINX, q, u->viewer);
	expect_events(c, seen, max_event_id());
	expect_quiet(c);
	/* then live events, with no gap or duplicate at the seam */
	mid = max_event_id();
	insert_events(3, 10);
	expect_events(c, mid, max_event_id());
	expect_quiet(c);
	ws_free(c);

	/* a gap larger than the ring (1024): read from the table, then the ring */
	seen = max_event_id();
	insert_events(1500, 10);
	snprintf(q, sizeof(q), "after=%lld", seen);
	c = open_ws(WS_DIRECT, q, u->viewer);
	/* more events come while it replays */
	mid = expect_events(c, seen, seen + 100);
	insert_events(300, 10);
	top = max_event_id();
	expect_events(c, mid, top);
	expect_quiet(c);
	ws_free(c);

	/* an id not given out yet: nothing until ids pass it */
	seen = max_event_id() + 2;
	snprintf(q, sizeof(q), "after=%lld", seen);
	c = open_ws(WS_DIRECT, q, u->viewer);
	insert_events(4, 10);
	expect_events(c, seen, max_event_id());
	expect_quiet(c);
	ws_free(c);
}

static void t_database_restart(void)
{
	const struct fixture_users *u = fixture_users();
	long long start = max_event_id();
	struct ws_client *a = open_ws(WS_NGINX, NULL, u->viewer);
	struct ws_client *b = open_ws(WS_DIRECT, NULL, u->admin);

	insert_events(10, 10);
	expect_events(a, start, max_event_id());
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-start"), 0);
	/* written at once, before the pusher is back: caught up, not lost */
	insert_events(7, 10);
	insert_events(5, 10);
	expect_events(a, start + 10, max_event_id());
	expect_events(b, start, max_event_id());
	/* and live again afterwards */
	test_sleep_ms(300);
	insert_events(2, 10);
	expect_events(a, max_event_id() - 2, max_event_id());
	expect_events(b, max_event_id() - 2, max_event_id());
	expect_quiet(a);
	expect_quiet(b);
	ws_free(a);
	ws_free(b);
}

/* An upgrade sent with libcurl through nginx: 1 when answered 503
 * database_unavailable with Retry-After. */
static int upgrade_unavailable(const char *cookie)
{
	char ch[512], *retry;
	const char *headers[] = {"Connection: Upgrade", "Upgrade: websocket",
	    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	    ch, NULL};
	struct http_resp r;
	int yes;

	snprintf(ch, sizeof(ch), "Cookie: %s", cookie);
	r = http_do("GET", "/api/alerts/ws", headers, NULL, 0);
	retry = http_header(&r, "Retry-After");
	yes = r.status == 503 && jstr(&r, "error.code") &&
	    strcmp(jstr(&r, "error.code"), "database_unavailable") == 0 && retry &&
	    atoi(retry) > 0;
	free(retry);
	http_free(&r);
	return yes;
}

/*
 * The database away: the pusher goes on pinging its sockets (a client
 * that stopped answering is dropped, one that answers stays), answers a
 * new upgrade 503 with Retry-After instead of opening a socket it cannot
 * check, and takes sockets again once the database is back.
 */
/* Reads alive for ms, expecting nothing: a client answers pings only
 * while it is serviced. */
static void keep_reading(struct ws_client *alive, int ms)
{
	for (int t = 0; t < ms; t += 100) {
		char *m = ws_recv(alive, 100);
		CU_ASSERT_PTR_NULL(m);
		free(m);
	}
}

static void t_database_away(void)
{
	const struct fixture_users *u = fixture_users();
	char *cookie = cookie_of(u->viewer);
	struct ws_client *alive, *dead, *later = NULL;
	long long start;
	long status = 0;
	int refused = 0, dropped = -1;

	/* ping every 2 s, hang up after 4 s without a pong */
	pusher_restart("GOLDWATCH_PUSHER_PING=2");
	alive = open_ws(WS_NGINX, NULL, u->viewer);
	dead = open_ws(WS_DIRECT, NULL, u->viewer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(alive);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	ws_pause(dead, 1);
	CU_ASSERT_EQUAL_FATAL(test_stack("pg-stop"), 0);
	for (int i = 0; i < 30 && !refused; i++) {
		refused = upgrade_unavailable(cookie);
		if (!refused)
			keep_reading(alive, 100);
	}
	CU_ASSERT_TRUE(refused);
	/* a real client directly: the same 503, no socket */
	CU_ASSERT_PTR_NULL(ws_open(WS_DIRECT, NULL, cookie, &status));
	CU_ASSERT_EQUAL(status, 503);
	/* pings went on: the silent client is dropped, the live one stays */
	/* past a ping and the hang-up 4 s after the last pong, untouched */
	keep_reading(alive, 6000);
	ws_pause(dead, 0);
	for (int i = 0; i < 20 && dropped == -1; i++) {
		dropped = ws_wait_closed(dead, 100, NULL, 0);
		keep_reading(alive, 100);
	}
	CU_ASSERT_NOT_EQUAL(dropped, -1);
	CU_ASSERT_EQUAL(ws_wait_closed(alive, 10, NULL, 0), -1);
	/* the database comes back while the live client keeps answering */
	CU_ASSERT_EQUAL_FATAL(test_system("STACK_QUIET=1 BUILD='%s' '%s/scripts/stack.sh' pg-start"
	    " '%s' >/dev/null 2>&1 &", test_env("GW_TEST_BIN"), test_top(),
	    test_env("GW_TEST_STACK")), 0);
	for (int i = 0; i < 150 && later == NULL; i++) {
		keep_reading(alive, 100);
		later = ws_open(WS_DIRECT, NULL, cookie, &status);
	}
	CU_ASSERT_PTR_NOT_NULL(later);
	start = max_event_id();
	insert_events(3, 10);
	expect_events(alive, start, max_event_id());
	if (later)
		expect_events(later, start, max_event_id());
	ws_free(alive);
	ws_free(dead);
	if (later)
		ws_free(later);
	free(cookie);
	pusher_restart("");
}

/* A writer of t_parallel_writers: its own connection, as a worker's. */
#define WRITERS 8
#define WRITES 40
struct writer {
	pthread_t t;
	int n, failed;
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	struct config cfg = {0};
	char *url = xstrdup(test_env("DATABASE_URL"));
	struct db *db;

	cfg.database_url = url;
	cfg.db_timeout_s = 5;
	if ((db = db_open(&cfg)) == NULL) {
		w->failed++;
		free(url);
		return NULL;
	}
	for (int i = 0; i < WRITES; i++) {
		/* what goldwatch's writers do: queue in the transaction, and
		 * publish after the commit (events_publish, never waiting) */
		struct events ev;

		events_init(&ev);
		for (int g = 1; g <= 3; g++) {
			json_t *d = json_pack("{ss si si si}", "kpi", "t_ws", "w", w->n, "i", i,
			    "value", g);
			events_add(&ev, "kpi.sampled", d);
			json_decref(d);
		}
		w->failed += db_begin(db) < 0 || events_flush(db, &ev) < 0 || db_commit(db) < 0;
		events_free(&ev);
	}
	db_close(db);
	free(url);
	return NULL;
}

/*
 * Eight writers commit at once, each numbering after its commit and none
 * waiting for another sequencer (0033): the ids are gap-free, each writer's three events in its order, nothing stays
 * queued, and a socket gets every event exactly once, in id order.
 */
static void t_parallel_writers(void)
{
	const struct fixture_users *u = fixture_users();
	struct ws_client *c = open_ws(WS_NGINX, NULL, u->viewer);
	struct writer w[WRITERS];
	long long start = max_event_id();
	char a[24];

	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){.n = i};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&w[i].t, NULL, writer_run, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(w[i].t, NULL);
		CU_ASSERT_EQUAL(w[i].failed, 0);
	}
	snprintf(a, sizeof(a), "%lld", start);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM event_queue"), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM events WHERE id > $1::bigint", a),
	    WRITERS * WRITES * 3);
	CU_ASSERT_EQUAL(SQL_INT("SELECT max(id) - min(id) + 1 FROM events WHERE id > $1::bigint", a),
	    WRITERS * WRITES * 3);
	/* a writer's events in its order: its transactions one after the
	 * other, each one's three in theirs */
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM (SELECT (data->>'i')::int AS i,"
	    " (data->>'value')::int AS v,"
	    " row_number() OVER (PARTITION BY data->>'w' ORDER BY id) AS k FROM events"
	    " WHERE id > $1::bigint) x WHERE k <> i * 3 + v", a), 0);
	expect_events(c, start, max_event_id());
	expect_quiet(c);
	ws_free(c);
}

/* Events a writer queued and never published (it died) are numbered by
 * the next writer's publish, or else by a pusher's heartbeat. */
static void t_queued_left_behind(void)
{
	const struct fixture_users *u = fixture_users();
	struct ws_client *c = open_ws(WS_DIRECT, NULL, u->viewer);
	long long start = max_event_id();

	test_exec("INSERT INTO event_queue (type, data) SELECT 'kpi.sampled',"
	    " jsonb_build_object('kpi', 't_ws', 'value', g) FROM generate_series(1, 4) g", 0, NULL);
	/* the heartbeat (every 10 s) numbers them */
	for (int i = 0; i < 150 && SQL_INT0("SELECT count(*) FROM event_queue") > 0; i++)
		test_sleep_ms(100);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM event_queue"), 0);
	expect_events(c, start, max_event_id());
	/* and a writer's publish numbers what it finds queued besides its own */
	start = max_event_id();
	test_exec("INSERT INTO event_queue (type, data) SELECT 'kpi.sampled',"
	    " jsonb_build_object('kpi', 't_ws', 'value', g) FROM generate_series(1, 2) g", 0, NULL);
	test_exec("INSERT INTO event_queue (type, data) VALUES ('kpi.sampled',"
	    " '{\"kpi\":\"t_ws\",\"value\":3}')", 0, NULL);
	test_exec("SELECT events_sequence()", 0, NULL);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM event_queue"), 0);
	CU_ASSERT_EQUAL(max_event_id() - start, 3);
	expect_events(c, start, max_event_id());
	ws_free(c);
}

/*
 * A step of the sequencer never waits: with the events lock held
 * elsewhere it returns false at once and leaves the queue; once the lock
 * is free it numbers the queue and says so, and then there is nothing.
 */
static void t_step_never_waits(void)
{
	struct ws_client *c = open_ws(WS_DIRECT, NULL, fixture_users()->viewer);
	PGconn *holder = PQconnectdb(test_env("DATABASE_URL"));
	PGresult *r = PQexec(holder, "BEGIN; SELECT pg_advisory_xact_lock(1735355492)");
	long long start = max_event_id();
	int64_t t0;

	CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	test_exec("INSERT INTO event_queue (type, data) VALUES ('kpi.sampled',"
	    " '{\"kpi\":\"t_ws\",\"value\":1}')", 0, NULL);
	t0 = time_mono_us();
	CU_ASSERT_EQUAL(SQL_INT0("SELECT events_sequence_step()::int"), 0);
	CU_ASSERT_TRUE(time_mono_us() - t0 < 1000000);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM event_queue"), 1);
	r = PQexec(holder, "COMMIT");
	PQclear(r);
	PQfinish(holder);
	/* true: it numbered the row (false only if a pusher's heartbeat,
	 * waiting for the lock, took it first) */
	(void)SQL_INT0("SELECT events_sequence_step()::int");
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM event_queue"), 0);
	CU_ASSERT_EQUAL(max_event_id() - start, 1);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT events_sequence_step()::int"), 0);
	/* relayed, before the next test opens its sockets */
	expect_events(c, start, max_event_id());
	ws_free(c);
}

static void t_pusher_restart(void)
{
	const struct fixture_users *u = fixture_users();
	long long start = max_event_id(), last;
	char q[64], reason[128];
	struct ws_client *a = open_ws(WS_NGINX, NULL, u->viewer);

	insert_events(6, 10);
	last = expect_events(a, start, max_event_id());
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-stop"), 0);
	/* a clean stop says goodbye and names where to resume */
	CU_ASSERT_EQUAL(ws_wait_closed(a, RECV_MS, reason, sizeof(reason)), 1001);
	snprintf(q, sizeof(q), "after=%lld", last);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason, q));
	ws_free(a);
	/* events while it is down */
	insert_events(9, 10);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-start"), 0);
	insert_events(2, 10);
	a = open_ws(WS_NGINX, q, u->viewer);
	expect_events(a, last, max_event_id());
	expect_quiet(a);
	ws_free(a);
}

static void t_slow_client_dropped(void)
{
	const struct fixture_users *u = fixture_users();
	long long start, last, top;
	char reason[128], q[64], want[64];
	struct ws_client *slow, *fast;
	int code;

	pusher_restart("GOLDWATCH_PUSHER_QUEUE=16");
	slow = open_ws(WS_DIRECT, NULL, u->viewer);
	fast = open_ws(WS_NGINX, NULL, u->viewer);
	start = max_event_id();
	ws_pause(slow, 1);
	/* far more than the slow socket's buffers and its queue can hold */
	insert_events(1200, 4000);
	top = max_event_id();
	expect_events(fast, start, top);
	expect_quiet(fast);
	/* the slow one got a prefix, then was closed, naming where to resume */
	ws_pause(slow, 0);
	last = start;
	for (char *m; (m = ws_recv(slow, 1000)) != NULL; free(m)) {
		json_t *j = json_loads(m, 0, NULL);
		long long id = (long long)json_integer_value(json_object_get(j, "id"));
		CU_ASSERT_TRUE(id > last);
		last = id;
		json_decref(j);
	}
	code = ws_wait_closed(slow, RECV_MS, reason, sizeof(reason));
	if (code != 4008 || last >= top)
		fprintf(stderr, "\n    slow client: close %d '%s', last %lld of %lld\n", code,
		    reason, last, top);
	CU_ASSERT_EQUAL(code, 4008);
	CU_ASSERT_TRUE(last < top);
	snprintf(want, sizeof(want), "after=%lld", last);
	if (strstr(reason, want) == NULL)
		fprintf(stderr, "\n    close reason '%s' lacks %s\n", reason, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason, want));
	ws_free(slow);
	/* it resumes with nothing lost */
	snprintf(q, sizeof(q), "after=%lld", last);
	slow = open_ws(WS_DIRECT, q, u->viewer);
	expect_events(slow, last, top);
	expect_quiet(slow);
	ws_free(slow);
	ws_free(fast);
	pusher_restart("");
}

static void t_ping_and_dead_clients(void)
{
	const struct fixture_users *u = fixture_users();
	struct ws_client *alive, *dead;
	long long start;

	pusher_restart("GOLDWATCH_PUSHER_PING=1");
	alive = open_ws(WS_NGINX, NULL, u->viewer);
	dead = open_ws(WS_DIRECT, NULL, u->viewer);
	ws_pause(dead, 1);
	/* long idle: pings answered keep one open; the other never answers */
	for (int i = 0; i < 35; i++) {
		char *m = ws_recv(alive, 100);
		CU_ASSERT_PTR_NULL(m);
		free(m);
	}
	ws_pause(dead, 0);
	CU_ASSERT_NOT_EQUAL(ws_wait_closed(dead, 3000, NULL, 0), -1);
	CU_ASSERT_EQUAL(ws_wait_closed(alive, 10, NULL, 0), -1);
	/* and the events connection, idle as long, still relays */
	start = max_event_id();
	insert_events(2, 10);
	expect_events(alive, start, max_event_id());
	ws_free(alive);
	ws_free(dead);
	pusher_restart("");
}

static void t_unexpected_frames(void)
{
	const struct fixture_users *u = fixture_users();
	struct ws_client *talker = open_ws(WS_NGINX, NULL, u->viewer);
	struct ws_client *shouter = open_ws(WS_DIRECT, NULL, u->viewer);
	struct ws_client *binary = open_ws(WS_DIRECT, NULL, u->viewer);
	struct ws_client *quiet = open_ws(WS_NGINX, NULL, u->viewer);
	char *big = xmalloc(20000);
	long long start = max_event_id();

	memset(big, 'a', 20000);
	CU_ASSERT_EQUAL(ws_send(talker, "hello", 5, 0), 0);
	CU_ASSERT_EQUAL(ws_wait_closed(talker, RECV_MS, NULL, 0), 1008);
	ws_send(shouter, big, 20000, 0);
	CU_ASSERT_EQUAL(ws_wait_closed(shouter, RECV_MS, NULL, 0), 1009);
	ws_send(binary, "\x01\x02", 2, 1);
	CU_ASSERT_EQUAL(ws_wait_closed(binary, RECV_MS, NULL, 0), 1008);
	/* the others go on */
	insert_events(2, 10);
	expect_events(quiet, start, max_event_id());
	free(big);
	ws_free(talker);
	ws_free(shouter);
	ws_free(binary);
	ws_free(quiet);
}

static void t_logout_and_expiry(void)
{
	char *csrf = NULL;
	char *gone = test_login("viewer1", PASSWORD_VIEWER, &csrf);
	char *expiring = test_login("viewer1", PASSWORD_VIEWER, NULL);
	char *stays = test_login("viewer1", PASSWORD_VIEWER, NULL);
	struct ws_client *a, *b, *c, *t;
	struct http_resp r;
	char reason[128], *hash, *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expiring);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stays);
	a = open_ws(WS_NGINX, NULL, gone);
	b = open_ws(WS_NGINX, NULL, expiring);
	c = open_ws(WS_NGINX, NULL, stays);
	q = xasprintf("token=%s", stays);
	t = open_ws(WS_DIRECT, q, NULL);
	r = api("POST", "/api/auth/logout", gone, NULL);
	EXPECT_STATUS(r, 204);
	http_free(&r);
	hash = test_sql_str("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, TP(expiring));
	test_exec("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
	    1, TP(hash));
	/* the re-check runs every 5 s by default */
	CU_ASSERT_EQUAL(ws_wait_closed(a, 8000, reason, sizeof(reason)), 4001);
	CU_ASSERT_EQUAL(ws_wait_closed(b, 8000, NULL, 0), 4001);
	CU_ASSERT_EQUAL(ws_wait_closed(c, 10, NULL, 0), -1);
	CU_ASSERT_EQUAL(ws_wait_closed(t, 10, NULL, 0), -1);
	/* and the same credential cannot come back */
	CU_ASSERT_PTR_NULL(ws_open(WS_NGINX, NULL, NULL, NULL));
	ws_free(a);
	ws_free(b);
	ws_free(c);
	ws_free(t);
	free(q);
	free(hash);
	free(gone);
	free(csrf);
	free(expiring);
	free(stays);
}

/* How a credential ends in t_ended_before_next_event. */
enum ending { END_LOGOUT, END_DISABLED, END_TOKEN_REVOKED, END_SESSION_SHORTENED };

/* Ends the credential of user (id uid, session token session, API token
 * id token_id) the way e says. */
static void end_credential(enum ending e, long long uid, const char *session,
    long long token_id)
{
	char path[64], id[24];
	struct http_resp r;

	switch (e) {
	case END_LOGOUT:
		r = api("POST", "/api/auth/logout", session, NULL);
		EXPECT_STATUS(r, 204);
		http_free(&r);
		break;
	case END_DISABLED:
		snprintf(path, sizeof(path), "/api/users/%lld", uid);
		r = api("PATCH", path, fixture_users()->admin, "{\"disabled\":true}");
		EXPECT_STATUS(r, 200);
		http_free(&r);
		break;
	case END_TOKEN_REVOKED:
		snprintf(id, sizeof(id), "%lld", token_id);
		test_exec("UPDATE api_tokens SET revoked_at = now() WHERE id = $1::bigint", 1, TP(id));
		break;
	case END_SESSION_SHORTENED:
		test_exec("UPDATE sessions SET expires_at = now() - interval '1 second'"
		    " WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1,
		    TP(session));
		break;
	}
}

/*
 * A socket whose credential ends is closed (4001) before any event
 * committed after the end reaches it: the change NOTIFYs the pusher in
 * its transaction, in commit order with the events. Without that, the
 * next re-check (5 s) closed it, and every event until then went out.
 */
static void t_ended_before_next_event(void)
{
	static const char *const names[] = {"logout", "user disabled", "token revoked",
	    "session shortened"};
	char user[32], reason[128], *session, *q, *body, *m;
	long long uid, token_id, next, last_seen, start = max_event_id();
	struct http_resp r;
	struct ws_client *c, *bystander;

	bystander = open_ws(WS_NGINX, NULL, fixture_users()->viewer);
	for (int e = END_LOGOUT; e <= END_SESSION_SHORTENED; e++) {
		snprintf(user, sizeof(user), "ws-end-%d-%d", e, (int)getpid());
		test_user(user, "ws-end-password-1", "viewer");
		uid = test_sql_int("SELECT id FROM users WHERE username = $1", 1, TP(user));
		session = test_login(user, "ws-end-password-1", NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(session);
		body = xasprintf("{\"name\":\"ws %s\",\"user_id\":%lld}", user, uid);
		r = api("POST", "/api/auth/tokens", fixture_users()->admin, body);
		EXPECT_STATUS(r, 201);
		token_id = jint(&r, "id");
		q = xasprintf("token=%s", jstr(&r, "token") ? jstr(&r, "token") : "none");
		http_free(&r);
		free(body);
		c = e == END_TOKEN_REVOKED ? open_ws(WS_NGINX, q, NULL) : open_ws(WS_NGINX, NULL, session);
		/* live: an event before the end arrives */
		insert_events(1, 0);
		last_seen = expect_events(c, max_event_id() - 1, max_event_id());
		end_credential((enum ending)e, uid, session, token_id);
		insert_events(3, 0);
		next = max_event_id() - 2;
		if (ws_wait_closed(c, 3000, reason, sizeof(reason)) != 4001)
			fprintf(stderr, "\n    %s: not closed with 4001 within 3 s\n", names[e]);
		CU_ASSERT_EQUAL(ws_wait_closed(c, 0, NULL, 0), 4001);
		while ((m = ws_recv(c, 0)) != NULL) {
			json_t *j = json_loads(m, 0, NULL);
			long long id = (long long)json_integer_value(json_object_get(j, "id"));
			if (id >= next)
				fprintf(stderr, "\n    %s: event %lld, committed after the end, reached"
				    " the socket\n", names[e], id);
			CU_ASSERT_TRUE(id > last_seen && id < next);
			json_decref(j);
			free(m);
		}
		ws_free(c);
		free(q);
		free(session);
	}
	/* the others' sockets go on and get every event */
	expect_events(bystander, start, max_event_id());
	CU_ASSERT_EQUAL(ws_wait_closed(bystander, 0, NULL, 0), -1);
	ws_free(bystander);
}

#define SLOW_CLIENTS 100
#define SLOW_HOLD_MS 6000   /* how long the database is stuck */
#define SLOW_LATENCY_MS 1000 /* the most an event may take to every client */

/* A connection of its own that holds LOCK TABLE table until released. */
static PGconn *lock_table(const char *table)
{
	PGconn *c = PQconnectdb(test_env("DATABASE_URL"));
	char *sql = xasprintf("SET search_path = goldwatch, public; BEGIN;"
	    " LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
	PGresult *r = PQexec(c, sql);

	CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	free(sql);
	return c;
}

static void unlock_table(PGconn *c)
{
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
}

/*
 * One event inserted; every client gets it (and nothing else) within
 * SLOW_LATENCY_MS of its commit. Returns the slowest time in ms.
 */
static long long one_event_to_all(struct ws_client **cs, int n)
{
	int64_t t0, worst = 0;
	long long id;

	insert_events(1, 10);
	t0 = time_mono_us();
	id = max_event_id();
	for (int i = 0; i < n; i++) {
		int64_t left = SLOW_LATENCY_MS - (time_mono_us() - t0) / 1000;
		json_t *m = ws_recv_json(cs[i], left > 0 ? (int)left : 0);
		long long got = m ? (long long)json_integer_value(json_object_get(m, "id")) : -1;

		if (got != id)
			fprintf(stderr, "\n    client %d: got %lld, want event %lld within %d ms\n", i,
			    got, id, SLOW_LATENCY_MS);
		CU_ASSERT_EQUAL(got, id);
		json_decref(m);
		if (time_mono_us() - t0 > worst)
			worst = time_mono_us() - t0;
	}
	return (long long)(worst / 1000);
}

/*
 * The database is stuck for a new socket (its credential lookup, and the
 * replay behind it, wait on a lock the test holds) while 100 connected
 * clients keep getting every event within a second and keep answering
 * pings (1 s; a socket without a pong for 2 s is dropped). Once the lock
 * goes, the waiting sockets get exactly what they were owed. On a pusher
 * whose lws thread queries the database, everything stalls instead.
 */
static void t_slow_database(void)
{
	const struct fixture_users *u = fixture_users();
	char *fresh = test_login("viewer1", PASSWORD_VIEWER, NULL);
	char *cookie = cookie_of(fresh ? fresh : "none"), q[64];
	struct ws_client *cs[SLOW_CLIENTS], *stuck, *replayer;
	long long start, old, worst = 0;
	int64_t t0;
	long status = 0;
	PGconn *locker;
	int rounds = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	pusher_restart("GOLDWATCH_PUSHER_PING=1 GOLDWATCH_PUSHER_QUEUE=16");
	for (int i = 0; i < SLOW_CLIENTS; i++)
		cs[i] = open_ws(i % 4 ? WS_DIRECT : WS_NGINX, NULL, u->viewer);
	insert_events(40, 10);
	old = max_event_id() - 40;  /* older than the ring: read from the table */
	for (int i = 0; i < SLOW_CLIENTS; i++)
		expect_events(cs[i], old, max_event_id());
	start = max_event_id();
	/* every query about credentials waits for this lock */
	locker = lock_table("sessions");
	t0 = time_mono_us();
	stuck = ws_open(WS_NGINX, NULL, cookie, &status);
	snprintf(q, sizeof(q), "after=%lld", old);
	replayer = ws_open(WS_DIRECT, q, cookie, &status);
	/* the upgrades are answered at once; what they need waits */
	CU_ASSERT_PTR_NOT_NULL(stuck);
	CU_ASSERT_PTR_NOT_NULL(replayer);
	CU_ASSERT_TRUE((time_mono_us() - t0) / 1000 < SLOW_LATENCY_MS);
	/* 10 events at least, whatever the upgrades took */
	while ((time_mono_us() - t0) / 1000 < SLOW_HOLD_MS || rounds < 10) {
		long long w = one_event_to_all(cs, SLOW_CLIENTS);
		if (w > worst)
			worst = w;
		rounds++;
		/* the waiting sockets answer pings too, are open, and get nothing */
		for (int i = 0; i < 2; i++) {
			struct ws_client *w1 = i ? replayer : stuck;
			if (w1 == NULL)
				continue;
			CU_ASSERT_EQUAL(ws_wait_closed(w1, 1, NULL, 0), -1);
			CU_ASSERT_EQUAL(ws_queued(w1), 0);
		}
		test_sleep_ms(200);
	}
	fprintf(stderr, "(%d events, slowest to all %d clients %lld ms) ", rounds,
	    SLOW_CLIENTS, worst);
	for (int i = 0; i < SLOW_CLIENTS; i++)
		CU_ASSERT_EQUAL(ws_wait_closed(cs[i], 0, NULL, 0), -1);
	unlock_table(locker);
	/* then each gets what it was owed: nothing missed, nothing twice */
	if (stuck) {
		expect_events(stuck, start, max_event_id());
		expect_quiet(stuck);
	}
	if (replayer) {
		expect_events(replayer, old, max_event_id());
		expect_quiet(replayer);
	}
	for (int i = 0; i < SLOW_CLIENTS; i++)
		ws_free(cs[i]);
	ws_free(stuck);
	ws_free(replayer);
	free(cookie);
	free(fresh);
	pusher_restart("");
}

#define STOP_MS 5000  /* a stop, the sanitizer build on a busy machine too */

/*
 * A stop while a query is stuck is still clean and quick: the waiting
 * socket gets 1001 with where to resume, as every socket does; the stuck
 * query is cancelled rather than waited for.
 */
static void t_stop_while_stuck(void)
{
	char *fresh = test_login("viewer1", PASSWORD_VIEWER, NULL);
	char *cookie = cookie_of(fresh ? fresh : "none"), reason[128];
	struct ws_client *c;
	PGconn *locker;
	int64_t t0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	locker = lock_table("sessions");
	c = ws_open(WS_DIRECT, NULL, cookie, NULL);
	CU_ASSERT_PTR_NOT_NULL(c);
	t0 = time_mono_us();
	CU_ASSERT_EQUAL(test_stack("pusher-stop"), 0);
	/* well inside the 10 s after which the stop kills it (and waits no more) */
	if ((time_mono_us() - t0) / 1000 >= STOP_MS)
		fprintf(stderr, "\n    the stop took %lld ms\n", (long long)(time_mono_us() - t0) / 1000);
	CU_ASSERT_TRUE((time_mono_us() - t0) / 1000 < STOP_MS);
	if (c) {
		CU_ASSERT_EQUAL(ws_wait_closed(c, RECV_MS, reason, sizeof(reason)), 1001);
		CU_ASSERT_PTR_NOT_NULL(strstr(reason, "after="));
	}
	unlock_table(locker);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-start"), 0);
	ws_free(c);
	free(cookie);
	free(fresh);
}

void suite_pusher(void)
{
	static const struct test_case cases[] = {
		{"refused without valid credentials (401 at the handshake)", t_refused},
		{"a cookie only from the site's own Origin (403), a token from any", t_origin},
		{"fired, acknowledged, resolved arrive in order", t_alert_lifecycle},
		{"?after= replays exactly the missed events", t_after_replay},
		{"database restart with clients connected loses nothing", t_database_restart},
		{"database away: pings go on, upgrades get 503 with Retry-After", t_database_away},
		{"eight writers at once: ids gap-free in commit order, each relayed once",
		    t_parallel_writers},
		{"events left queued are numbered by the next publish or a heartbeat",
		    t_queued_left_behind},
		{"a step of the sequencer never waits for the events lock", t_step_never_waits},
		{"pusher restart: clients resume, nothing lost or doubled", t_pusher_restart},
		{"a client that never reads is dropped, others go on", t_slow_client_dropped},
		{"pings keep live clients, dead ones are dropped", t_ping_and_dead_clients},
		{"unexpected or oversized frames close only that client", t_unexpected_frames},
		{"logout and session expiry close the socket", t_logout_and_expiry},
		{"an ended credential's socket closes before the next event", t_ended_before_next_event},
		{"a stuck query stalls only its socket: 100 others get events and pings", t_slow_database},
		{"a stop while a query is stuck is clean and quick", t_stop_while_stuck},
		{NULL, NULL},
	};
	test_add_suite("pusher", NULL, NULL, cases);
}
