/*
 * test_partition.c - the database gone silent, as behind a cut link:
 * PostgreSQL reached through a TCP proxy (tests/lib/freeze_proxy.py) that
 * stops passing anything either way without closing. A connection with a
 * deadline gives up at it and connects again once the link is back;
 * goldwatch-api, started through the proxy, answers /api/health and a
 * signed-in request with a 503 within the health check's 2 s and the
 * request deadline, and serves again after the thaw without a restart.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "config.h"
#include "db.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

static pid_t proxy_pid;
static int proxy_port;

/* The stack's Unix socket of PostgreSQL, from DATABASE_URL's host and port. */
static char *pg_socket(void)
{
	const char *url = test_env("DATABASE_URL"), *h = strstr(url, "host="),
	    *p = strstr(url, "port=");
	size_t hl = h ? strcspn(h + 5, "&") : 0;
	int port = p ? atoi(p + 5) : 5432;

	return xasprintf("%.*s/.s.PGSQL.%d", (int)hl, h ? h + 5 : "/tmp", port);
}

static int proxy_start(void)
{
	char *sock = pg_socket(), *pidfile = xasprintf("%s/run/freeze-proxy.pid",
	    test_env("GW_TEST_STACK")), *text;

	remove(pidfile);
	test_system("setsid python3 '%s/tests/lib/freeze_proxy.py' '%s' '%s'"
	    " >>'%s/log/freeze-proxy.log' 2>&1 &", test_top(), sock, pidfile,
	    test_env("GW_TEST_STACK"));
	for (int i = 0; i < 100 && proxy_pid <= 0; i++) {
		long pid = 0;
		text = test_read_file(pidfile);   /* "" until it is written */
		if (sscanf(text, "%ld %d", &pid, &proxy_port) == 2)
			proxy_pid = (pid_t)pid;
		else
			test_sleep_ms(50);
		free(text);
	}
	if (proxy_pid <= 0)
		fprintf(stderr, "partition: the proxy did not start (socket %s): see %s/log/"
		    "freeze-proxy.log\n", sock, test_env("GW_TEST_STACK"));
	free(sock);
	free(pidfile);
	return proxy_pid > 0 ? 0 : -1;
}

static void proxy_signal(int sig)
{
	if (proxy_pid > 0)
		kill(proxy_pid, sig);
	test_sleep_ms(100);   /* the proxy's loop takes it */
}

/* DATABASE_URL through the proxy (libpq: a later parameter wins). */
static char *proxy_url(void)
{
	return xasprintf("%s&host=127.0.0.1&port=%d", test_env("DATABASE_URL"), proxy_port);
}

static int suite_init(void)
{
	return proxy_start();
}

static int suite_clean(void)
{
	proxy_signal(SIGUSR2);
	proxy_signal(SIGTERM);
	proxy_pid = 0;
	return 0;
}

static void t_deadline_ends_the_wait(void)
{
	struct config cfg = {0};
	char *url = proxy_url();
	struct db *db;
	PGresult *r;
	int64_t t0;

	cfg.database_url = url;
	cfg.db_timeout_s = 5;
	db = db_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	proxy_signal(SIGUSR1);
	/* a statement sent into the silence */
	t0 = time_mono_us();
	db_set_deadline(db, t0 + 800000);
	r = db_exec_text(db, "SELECT 1 AS v", 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(r);
	PQclear(r);
	CU_ASSERT_TRUE(db_unavailable_now(db));
	CU_ASSERT_TRUE(time_mono_us() - t0 < 2000000);
	/* connecting into it: the server's greeting never comes */
	test_sleep_ms(1100);   /* past the pause after a slow attempt */
	t0 = time_mono_us();
	db_set_deadline(db, t0 + 800000);
	CU_ASSERT_NOT_EQUAL(db_ensure(db), 0);
	CU_ASSERT_TRUE(time_mono_us() - t0 < 2000000);
	/* the link back: the same handle connects and answers */
	proxy_signal(SIGUSR2);
	test_sleep_ms(1100);
	db_set_deadline(db, time_mono_us() + 3000000);
	r = db_exec_text(db, "SELECT 1 AS v", 0, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(r);
	PQclear(r);
	db_close(db);
	free(url);
}

/* GET path, timed: the status, and the milliseconds it took in *ms. */
static long timed_get(const char *path, const char *token, long *ms)
{
	int64_t t0 = time_mono_us();
	struct http_resp r = api("GET", path, token, NULL);
	long status = r.status;

	*ms = (long)((time_mono_us() - t0) / 1000);
	if (status == 503) {
		char *retry = http_header(&r, "Retry-After");
		CU_ASSERT_PTR_NOT_NULL(retry);
		CU_ASSERT_STRING_EQUAL(jstr(&r, "error.code") ? jstr(&r, "error.code") : "-",
		    "database_unavailable");
		free(retry);
	}
	http_free(&r);
	return status;
}

/* Whether path answers 200 again within 10 s (each API thread reconnects on its next use). */
static int served_again(const char *path, const char *token)
{
	long ms;

	for (int i = 0; i < 50; i++) {
		if (timed_get(path, token, &ms) == 200)
			return 1;
		test_sleep_ms(200);
	}
	return 0;
}

static void t_api_answers_503_in_time(void)
{
	char *url = proxy_url(), *token = NULL;
	char *env = xasprintf("STACK_API_DATABASE_URL='%s' GOLDWATCH_REQUEST_DEADLINE_MS=3000", url);
	long ms, status;

	CU_ASSERT_EQUAL_FATAL(test_stack("api-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack_env(env, "api-start"), 0);
	token = test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), NULL);
	CU_ASSERT_EQUAL(timed_get("/api/health", NULL, &ms), 200);
	proxy_signal(SIGUSR1);
	/* the health check: within 2 s, whatever the database does */
	for (int i = 0; i < 3; i++) {
		status = timed_get("/api/health", NULL, &ms);
		CU_ASSERT_EQUAL(status, 503);
		if (ms >= 2000)
			fprintf(stderr, "\n    /api/health took %ld ms with the database silent\n", ms);
		CU_ASSERT_TRUE(ms < 2000);
	}
	/* a signed-in request: a 503 at its deadline (3 s here), not a hang */
	status = timed_get("/api/alerts/summary", token, &ms);
	CU_ASSERT_EQUAL(status, 503);
	CU_ASSERT_TRUE(ms < 4500);
	/* the link back: served again, no restart */
	proxy_signal(SIGUSR2);
	CU_ASSERT_TRUE(served_again("/api/health", NULL));
	CU_ASSERT_TRUE(served_again("/api/alerts/summary", token));
	CU_ASSERT_EQUAL(test_stack("api-stop"), 0);
	CU_ASSERT_EQUAL(test_stack("api-start"), 0);
	free(token);
	free(env);
	free(url);
}

void suite_partition(void)
{
	static const struct test_case cases[] = {
		{"a deadline ends a wait on a silent server; the link back, it reconnects",
		    t_deadline_ends_the_wait},
		{"goldwatch-api with its database silent: 503 in time, served again after",
		    t_api_answers_503_in_time},
		{NULL, NULL},
	};
	/* on the real clock only: see suite_db (tests/clock.sh's libfaketime
	 * and the servers' timers) */
	if (getenv("FAKETIME") == NULL)
		test_add_suite("partition", suite_init, suite_clean, cases);
}
