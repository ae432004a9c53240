/*
 * test_replica.c - the read replica path: goldwatch-api started with
 * GOLDWATCH_READ_DATABASE_URL at a streaming replica of the stack's
 * cluster (scripts/stack.sh replica-start). Every read route answers
 * from the replica without a failed read (a GET that writes would be
 * refused there); with the replica's replay paused, a client that made a
 * change reads it from the primary (its user, the Goldwatch-Read-After
 * header, the gw_read_after cookie) while another client reads the
 * replica's older state; a stopped replica sends reads to the primary at
 * once, and a restarted one takes them back.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

#define REPLICA_PORT "5433"   /* scripts/stack.sh */

/* The replica's URL (libpq: a later parameter wins), as user when given. */
static char *replica_url(const char *user)
{
	return xasprintf("%s&port=" REPLICA_PORT "%s%s", test_env("DATABASE_URL"),
	    user ? "&user=" : "", user ? user : "");
}

/* Runs sql on the replica as the superuser; 0 when it succeeded. */
static int replica_sql(const char *sql)
{
	char *url = replica_url("postgres");
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "\n    replica: %s: %s\n", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	free(url);
	return ok ? 0 : -1;
}

static int api_with_replica(void)
{
	char *url = replica_url(NULL);
	char *env = xasprintf("GOLDWATCH_READ_DATABASE_URL='%s' GOLDWATCH_READ_MAX_LAG_MS=600000", url);
	int rc = test_stack("api-stop") || test_stack_env(env, "api-start");

	free(env);
	free(url);
	return rc;
}

static int suite_init(void)
{
	if (test_stack("replica-start") != 0) {
		fprintf(stderr, "replica: the replica did not start: see %s/log/\n",
		    test_env("GW_TEST_STACK"));
		return -1;
	}
	return api_with_replica();
}

static int suite_clean(void)
{
	int rc = test_stack("api-stop") || test_stack("api-start");

	replica_sql("SELECT pg_wal_replay_resume()");
	return test_stack("replica-stop") || rc;
}

/* The server that answered r: "replica", "primary" or "-". */
static const char *read_from(const struct http_resp *r)
{
	char *v = http_header(r, "Goldwatch-Read-From");
	static char out[16];

	snprintf(out, sizeof(out), "%s", v ? v : "-");
	free(v);
	return out;
}

/* GET path as token with an extra header line (or NULL). */
static struct http_resp get_with(const char *path, const char *token, const char *line)
{
	char *auth = xasprintf("Authorization: Bearer %s", token);
	const char *headers[] = {auth, line, NULL};
	struct http_resp r = http_do("GET", path, headers, NULL, 0);

	free(auth);
	return r;
}

/* Whether path reads from the replica within 10 s (its replay catches up). */
static int reads_replica_soon(const char *path, const char *token, long want)
{
	for (int i = 0; i < 100; i++) {
		struct http_resp r = get_with(path, token, NULL);
		int ok = r.status == want && strcmp(read_from(&r), "replica") == 0;

		http_free(&r);
		if (ok)
			return 1;
		test_sleep_ms(100);
	}
	return 0;
}

static long replica_failures(void)
{
	struct http_resp r = http_do("GET", "/metrics", NULL, NULL, 0);
	const char *p = r.body ? strstr(r.body, "\ngoldwatch_read_replica_failures_total{") : NULL;
	long n = -1;

	if (p && (p = strchr(p, '}')) != NULL)
		n = strtol(p + 1, NULL, 10);
	http_free(&r);
	return n;
}

static void t_health_reads_primary(void)
{
	struct http_resp r = http_do("GET", "/api/health", NULL, NULL, 0);

	EXPECT_STATUS(r, 200);
	CU_ASSERT_STRING_EQUAL(read_from(&r), "primary");
	http_free(&r);
}

/* A firing alert of a rule on KPI replica_sweep; its id. */
static long firing_alert(void)
{
	struct http_resp r;
	long long rule, alert;

	make_push_kpi("replica_sweep", 0);
	push_value("replica_sweep", 10, 0);
	rule = make_simple_rule("replica sweep", "replica_sweep", "gt", 5, "");
	r = evaluate_rule(rule);
	alert = jint(&r, "fired.0.id");
	http_free(&r);
	return (long)alert;
}

/* Each read route as the admin: from the replica, no read failed there. */
static void t_every_read_on_replica(void)
{
	const char *token = fixture_users()->admin;
	long alert = firing_alert(), cp = (long)make_cp("{\"name\":\"Replica sweep\","
	    "\"kind\":\"email\",\"settings\":{\"addresses\":[\"sweep@shop.test\"]}}");
	long rule = SQL_INT0("SELECT max(id) FROM alert_rules");
	long user = SQL_INT0("SELECT id FROM users WHERE username = 'admin'");
	const char *kpi = "replica_sweep";
	char *paths[] = {
	    xstrdup("/api/auth/me"), xstrdup("/api/auth/tokens"), xstrdup("/api/users"),
	    xasprintf("/api/users/%ld/sessions", user), xstrdup("/api/alerts/rules"),
	    xasprintf("/api/alerts/rules/%ld", rule), xstrdup("/api/alerts/history"),
	    xstrdup("/api/alerts/summary"), xstrdup("/api/alerts/silences"),
	    xasprintf("/api/alerts/%ld", alert), xasprintf("/api/alerts/%ld/deliveries", alert),
	    xstrdup("/api/events"), xstrdup("/api/audit"), xstrdup("/api/shop/calendar"),
	    xstrdup("/api/contact-points"), xasprintf("/api/contact-points/%ld", cp),
	    xstrdup("/api/escalation-policies"), xstrdup("/api/notification-policies"),
	    xstrdup("/api/notifications"), xstrdup("/api/kpis"), xasprintf("/api/kpis/%s", kpi),
	    xasprintf("/api/kpis/%s/samples", kpi), xstrdup("/"), xstrdup("/alerts"),
	    xasprintf("/alerts/%ld", alert), xstrdup("/rules"), xasprintf("/rules/%ld", rule),
	    xstrdup("/rules/new"), xstrdup("/kpis"), xasprintf("/kpis/%s", kpi),
	    xstrdup("/calendar"), xstrdup("/contact-points"), xstrdup("/notification-policies"),
	    xstrdup("/escalation-policies"), xstrdup("/tokens"), xstrdup("/account"),
	    xstrdup("/silences"), NULL};
	long failures = replica_failures();

	CU_ASSERT_TRUE_FATAL(alert > 0 && cp > 0);
	CU_ASSERT_TRUE(failures >= 0);
	CU_ASSERT_TRUE_FATAL(reads_replica_soon("/api/auth/me", token, 200));
	for (char **p = paths; *p; p++) {
		struct http_resp r = get_with(*p, token, NULL);

		if (r.status >= 500 || strcmp(read_from(&r), "replica") != 0)
			fprintf(stderr, "\n    GET %s: %ld from %s\n", *p, r.status, read_from(&r));
		CU_ASSERT_TRUE(r.status < 500);
		CU_ASSERT_STRING_EQUAL(read_from(&r), "replica");
		http_free(&r);
		free(*p);
	}
	CU_ASSERT_EQUAL(replica_failures(), failures);
}

/* A KPI made by the admin with the replica's replay paused. */
static char *kpi_made_while_paused(char **read_after)
{
	char *key = xasprintf("replica_%d", (int)(time_mono_us() % 1000000));
	char *body = xasprintf("{\"key\":\"%s\",\"name\":\"Replica check\","
	    "\"category\":\"operational\",\"unit\":\"count\"}", key);
	struct http_resp r;

	CU_ASSERT_EQUAL(replica_sql("SELECT pg_wal_replay_pause()"), 0);
	r = api("POST", "/api/kpis", fixture_users()->admin, body);
	EXPECT_STATUS(r, 201);
	*read_after = http_header(&r, "Goldwatch-Read-After");
	CU_ASSERT_PTR_NOT_NULL(*read_after);
	http_free(&r);
	free(body);
	return key;
}

/* GET path as token (with an extra header line, or NULL): want, from the server. */
static void expect_read(const char *path, const char *token, const char *line, long want,
    const char *from)
{
	struct http_resp r = get_with(path, token, line);

	if (r.status != want || strcmp(read_from(&r), from) != 0)
		fprintf(stderr, "\n    GET %s [%s]: %ld from %s, want %ld from %s\n", path,
		    line ? line : "", r.status, read_from(&r), want, from);
	CU_ASSERT_EQUAL(r.status, want);
	CU_ASSERT_STRING_EQUAL(read_from(&r), from);
	http_free(&r);
}

static void t_read_your_writes(void)
{
	const struct fixture_users *u = fixture_users();
	char *after = NULL, *key = kpi_made_while_paused(&after);
	char *path = xasprintf("/api/kpis/%s", key);
	char *header = xasprintf("Goldwatch-Read-After: %s", after ? after : "0/0");
	char *cookie = xasprintf("Cookie: gw_read_after=%s", after ? after : "0/0");

	/* the writer: its user's change, from the primary */
	expect_read(path, u->admin, NULL, 200, "primary");
	/* another client: the replica, which has not replayed it */
	expect_read(path, u->viewer, NULL, 404, "replica");
	/* the position sent back, as the header and as the cookie */
	expect_read(path, u->viewer, header, 200, "primary");
	expect_read(path, u->viewer, cookie, 200, "primary");
	/* a position that is not one is no position */
	expect_read(path, u->viewer, "Goldwatch-Read-After: not/an/lsn", 404, "replica");
	/* replayed: everyone reads it from the replica */
	CU_ASSERT_EQUAL(replica_sql("SELECT pg_wal_replay_resume()"), 0);
	CU_ASSERT_TRUE(reads_replica_soon(path, u->viewer, 200));
	CU_ASSERT_TRUE(reads_replica_soon(path, u->admin, 200));
	free(cookie);
	free(header);
	free(path);
	free(after);
	free(key);
}

static void t_replica_down(void)
{
	const char *token = fixture_users()->viewer;
	int64_t t0;

	CU_ASSERT_TRUE(reads_replica_soon("/api/kpis", token, 200));
	CU_ASSERT_EQUAL_FATAL(test_stack("replica-stop"), 0);
	for (int i = 0; i < 3; i++) {
		t0 = time_mono_us();
		expect_read("/api/kpis", token, NULL, 200, "primary");
		CU_ASSERT_TRUE(time_mono_us() - t0 < 1000000);
	}
	CU_ASSERT_EQUAL_FATAL(test_stack("replica-start"), 0);
	CU_ASSERT_TRUE(reads_replica_soon("/api/kpis", token, 200));
}

void suite_replica(void)
{
	static const struct test_case cases[] = {
		{"the health check reads the primary", t_health_reads_primary},
		{"every read route answers from the replica, none failed there",
		    t_every_read_on_replica},
		{"replay paused: the writer reads its change, another client the replica",
		    t_read_your_writes},
		{"the replica down: reads from the primary at once, back after", t_replica_down},
		{NULL, NULL},
	};
	/* on the real clock only: the replica's replay timestamps and the
	 * moved clock of tests/clock.sh do not agree */
	if (getenv("FAKETIME") == NULL)
		test_add_suite("replica", suite_init, suite_clean, cases);
}
