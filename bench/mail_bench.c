/*
 * mail-bench - the e-mail delivery benchmarks of docs/BENCHMARKS.md
 * ("E-mail delivery"). bench/mail.sh runs it against a private stack and
 * the test SMTP server (tests/smtp/smtpd.py), which writes for every
 * message it accepts the time it accepted it (received_at, taken when the
 * whole DATA is in, just before the 250 reply), the alert it is about
 * (X-Goldwatch-Alert) and its recipient.
 *
 *   mail-bench latency N api|job   (a) one alert with two recipients fired
 *                                  N times in a row: commit -> accepted
 *   mail-bench burst N K api|job   (b) N alerts fired by one evaluation,
 *                                  K rounds: commit -> last accepted
 *   mail-bench backlog N K         (c) N mails queued by one statement,
 *                                  delivered by the stack's delivery
 *                                  service, K rounds: mails/s
 *
 * "api" fires through POST /api/alerts/evaluate, "job" through
 * goldwatch-evaluate --rule; either only queues, and the stack's delivery
 * service (goldwatch-mailer --serve), woken by the commit, sends. The
 * commit time is the alert.fired event's `at` (clock_timestamp() of its
 * insert, the last statement before COMMIT), on the same clock as the
 * SMTP server's.
 *
 * Environment: GW_BENCH_URL, GW_BENCH_ADMIN_PASSWORD, GW_BENCH_SMTP_DIR,
 * GW_BENCH_BIN, and the stack's goldwatch.env (DATABASE_URL, SMTP_*).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "benchlib.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		fprintf(stderr, "mail-bench: %s is not set (run bench/mail.sh)\n", name);
		exit(2);
	}
	return v;
}

/* ---- HTTP ---- */

static char *token;

/* method path body -> parsed JSON (or NULL) and *status (a 409 is quiet). */
static json_t *http_call(const char *method, const char *path, const char *body, long *status)
{
	return bench_http(env("GW_BENCH_URL"), token, method, path, body, status);
}

/* The same; exits unless the status is 2xx. */
static json_t *http(const char *method, const char *path, const char *body)
{
	long status;
	json_t *j = http_call(method, path, body, &status);

	if (status < 200 || status >= 300)
		exit(1);
	return j;
}

static void http_quiet(const char *method, const char *path, const char *body)
{
	json_decref(http(method, path, body));
}

/* Creates something that may exist from an earlier run (409 is fine). */
static void http_create(const char *path, const char *body)
{
	long status;

	json_decref(http_call("POST", path, body, &status));
	if (status != 201 && status != 409)
		exit(1);
}

/* ---- the SMTP server's records ---- */

static int next_seq = 1;

/* Skips what the server received before. */
static void skip_received(void)
{
	char path[600];
	struct stat st;

	for (;;) {
		snprintf(path, sizeof(path), "%s/mail/%06d.json", env("GW_BENCH_SMTP_DIR"), next_seq);
		if (stat(path, &st) < 0)
			return;
		next_seq++;
	}
}

/* The next record, or NULL if none has come yet. */
static json_t *next_received(void)
{
	char path[600];
	json_t *j;

	snprintf(path, sizeof(path), "%s/mail/%06d.json", env("GW_BENCH_SMTP_DIR"), next_seq);
	j = json_load_file(path, 0, NULL);
	if (j)
		next_seq++;
	return j;
}

/*
 * Waits for n messages; *first and *last get the earliest and latest accept
 * times, at[i] (if given) each one's. Exits after 60 s.
 */
static void wait_messages(int n, double *first, double *last, double *at)
{
	int got = 0;
	int64_t t0 = time_mono_us();

	*first = INFINITY;
	*last = 0;
	while (got < n) {
		json_t *j = next_received();
		double t;
		if (j == NULL) {
			if (time_mono_us() - t0 > 60000000) {
				fprintf(stderr, "mail-bench: %d of %d messages after 60 s\n", got, n);
				exit(1);
			}
			struct timespec ts = {0, 2000000}; /* the server stamps the time, not we */
			nanosleep(&ts, NULL);
			continue;
		}
		t = json_real_value(json_object_get(j, "received_at"));
		if (at)
			at[got] = t;
		*first = t < *first ? t : *first;
		*last = t > *last ? t : *last;
		got++;
		json_decref(j);
	}
}

/* ---- the database ---- */

static struct db *db;

DB_STMT(q_fired_at,
    "SELECT max(extract(epoch FROM at))::float8 AS at FROM events"
    " WHERE type = 'alert.fired' AND (data->>'rule_id')::bigint = ANY($1::bigint[])"
    "   AND id > $2::bigint");
DB_STMT(q_last_event, "SELECT COALESCE(max(id), 0) AS id FROM events");

static int64_t last_event(void)
{
	PGresult *r = DB_EXEC0(db, &q_last_event);
	int64_t id;

	if (r == NULL)
		exit(1);
	id = db_i64(r, 0, "id");
	PQclear(r);
	return id;
}

/* The commit of the evaluation that fired rules (after event id since). */
static double fired_at(const char *rules, int64_t since)
{
	char sb[24];
	PGresult *r = DB_EXEC(db, &q_fired_at, rules, db_i64_param(since, sb));
	double at;

	if (r == NULL || db_isnull(r, 0, "at")) {
		fprintf(stderr, "mail-bench: the rules did not fire\n");
		exit(1);
	}
	at = db_f64(r, 0, "at");
	PQclear(r);
	return at;
}

/* ---- setting up ---- */

static void setup(void)
{
	json_t *login = json_pack("{ss ss}", "username", "admin", "password",
	    env("GW_BENCH_ADMIN_PASSWORD"));
	char *s = json_dumps(login, JSON_COMPACT);
	json_t *r = http("POST", "/api/auth/login", s);

	token = xstrdup(json_string_value(json_object_get(r, "token")));
	json_decref(r);
	json_decref(login);
	free(s);
	/* two recipients who are users: each mail carries an acknowledge link */
	http_create("/api/users", "{\"username\":\"bench-owner\",\"password\":\"bench-owner-pw-1\","
	    "\"role\":\"operator\",\"email\":\"owner@bench.example\"}");
	http_create("/api/users", "{\"username\":\"bench-manager\",\"password\":\"bench-manager-pw\","
	    "\"role\":\"operator\",\"email\":\"manager@bench.example\"}");
}

static void make_kpi(const char *key)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"name\":\"Bench %s\",\"category\":"
	    "\"financial\",\"unit\":\"USD\"}", key, key);
	http_create("/api/kpis", body);
}

static void push(const char *key, double v)
{
	char path[100], body[64];

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", key);
	snprintf(body, sizeof(body), "{\"value\":%g}", v);
	http_quiet("POST", path, body);
}

static long long make_rule(const char *kpi, int i)
{
	char body[600];
	json_t *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"bench %s %d\",\"kpi\":\"%s\",\"condition\":\"gt\","
	    "\"threshold\":50,\"severity\":\"critical\",\"cooldown_minutes\":0,"
	    "\"notify_resolved\":false,\"description\":\"Benchmark rule\","
	    "\"recipients\":[\"owner@bench.example\",\"manager@bench.example\"]}", kpi, i, kpi);
	r = http("POST", "/api/alerts/rules", body);
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	return id;
}

/* Evaluates the rules (array literal and JSON list) through the API or the job. */
static void evaluate(const char *how, const long long *ids, int n)
{
	struct buf b;

	buf_init(&b);
	if (strcmp(how, "api") == 0) {
		buf_puts(&b, "{\"rule_ids\":[");
		for (int i = 0; i < n; i++)
			buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
		buf_puts(&b, "]}");
		http_quiet("POST", "/api/alerts/evaluate", b.data);
	} else {
		buf_printf(&b, "'%s/goldwatch-evaluate'", env("GW_BENCH_BIN"));
		for (int i = 0; i < n; i++)
			buf_printf(&b, " --rule %lld", ids[i]);
		buf_puts(&b, " >>/dev/null 2>>\"$GW_BENCH_LOG\"");
		if (system(b.data) != 0) {
			fprintf(stderr, "mail-bench: goldwatch-evaluate failed\n");
			exit(1);
		}
	}
	buf_free(&b);
}

static char *id_array(const long long *ids, int n)
{
	struct buf b;

	buf_init(&b);
	db_arr_begin(&b);
	for (int i = 0; i < n; i++)
		db_arr_i64(&b, ids[i]);
	db_arr_end(&b);
	return buf_detach(&b);
}

/* The p-quantile of n samples (sorts them). */
static double pct(double *v, int n, double p)
{
	bench_sort(v, (size_t)n);
	return bench_pct(v, (size_t)n, p);
}

/* ---- the benchmarks ---- */

static void bench_latency(int n, const char *how)
{
	char kpi[32];
	long long rule;
	double *lat = xcalloc((size_t)n * 2, sizeof(*lat)), first, last, at[2];
	char *arr;

	snprintf(kpi, sizeof(kpi), "lat_%s", how);
	make_kpi(kpi);
	rule = make_rule(kpi, 0);
	arr = id_array(&rule, 1);
	skip_received();
	for (int i = 0; i < n; i++) {
		int64_t since = last_event();
		double commit;
		push(kpi, 100);
		evaluate(how, &rule, 1);
		commit = fired_at(arr, since);
		wait_messages(2, &first, &last, at);
		lat[2 * i] = (at[0] - commit) * 1000.0;
		lat[2 * i + 1] = (at[1] - commit) * 1000.0;
		push(kpi, 1);
		evaluate(how, &rule, 1); /* resolves; no resolved mail */
	}
	printf("latency %s: %d alerts x 2 recipients: commit -> accepted p50 %.1f ms,"
	    " p99 %.1f ms, max %.1f ms\n", how, n, pct(lat, 2 * n, 0.50), pct(lat, 2 * n, 0.99),
	    pct(lat, 2 * n, 1.0));
	free(arr);
	free(lat);
}

static void bench_burst(int n, int rounds, const char *how)
{
	char kpi[32];
	long long *rules = xcalloc((size_t)n, sizeof(*rules));
	double *took = xcalloc((size_t)rounds, sizeof(*took)), first, last;
	char *arr;

	snprintf(kpi, sizeof(kpi), "burst_%s", how);
	make_kpi(kpi);
	for (int i = 0; i < n; i++)
		rules[i] = make_rule(kpi, i);
	arr = id_array(rules, n);
	skip_received();
	for (int k = 0; k < rounds; k++) {
		int64_t since = last_event();
		double commit;
		push(kpi, 100);
		evaluate(how, rules, n);
		commit = fired_at(arr, since);
		wait_messages(2 * n, &first, &last, NULL);
		took[k] = (last - commit) * 1000.0;
		printf("  round %d: %d mails, commit -> first accepted %.1f ms, -> last %.1f ms\n",
		    k + 1, 2 * n, (first - commit) * 1000.0, took[k]);
		push(kpi, 1);
		evaluate(how, rules, n);
	}
	printf("burst %s: %d alerts x 2 recipients in one evaluation: commit -> last accepted"
	    " median %.1f ms (of %d rounds)\n", how, n, pct(took, rounds, 0.5), rounds);
	free(arr);
	free(took);
	free(rules);
}

DB_STMT(q_backlog,
    "INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html)"
    " SELECT 'fired', 'backlog-' || g || '@bench.example', t.subject, t.body_text, t.body_html"
    "   FROM generate_series(1, $1::int) g,"
    "        (SELECT subject, body_text, body_html FROM mail_outbox WHERE kind = 'fired'"
    "          ORDER BY id DESC LIMIT 1) t");
DB_STMT(q_sizes,
    "SELECT octet_length(body_text) + octet_length(body_html) AS bytes FROM mail_outbox"
    " WHERE kind = 'fired' ORDER BY id DESC LIMIT 1");
DB_STMT(q_unsent, "SELECT count(*) AS n FROM mail_outbox WHERE status <> 'sent'");

static void bench_backlog(int n, int rounds)
{
	double *wall = xcalloc((size_t)rounds, sizeof(*wall));
	double *server = xcalloc((size_t)rounds, sizeof(*server)), first, last;
	char nb[24];
	PGresult *r = DB_EXEC0(db, &q_sizes);

	if (r == NULL || PQntuples(r) != 1) {
		fprintf(stderr, "mail-bench: run latency first (its mail is the template)\n");
		exit(1);
	}
	printf("backlog: each mail %lld bytes of text and HTML as queued\n",
	    (long long)db_i64(r, 0, "bytes"));
	PQclear(r);
	for (int k = 0; k < rounds; k++) {
		double committed;
		skip_received();
		/* the service wakes on this commit: from it to the last accepted */
		if (DB_RUN(db, &q_backlog, db_i64_param(n, nb)) < 0)
			exit(1);
		committed = (double)time_now_us() / 1e6;
		wait_messages(n, &first, &last, NULL);
		wall[k] = last - committed;
		server[k] = last - first;
		/* the last outcome is recorded just after the server's 250 */
		for (int i = 0; i < 100; i++) {
			r = DB_EXEC0(db, &q_unsent);
			if (r == NULL || db_i64(r, 0, "n") == 0)
				break;
			PQclear(r);
			nanosleep(&(struct timespec){0, 10000000}, NULL);
		}
		printf("  round %d: %d mails in %.2f s: %.0f mails/s (server: first to last accepted"
		    " %.2f s, %.0f/s); %lld not sent\n", k + 1, n, wall[k], n / wall[k], server[k],
		    (n - 1) / server[k], r ? (long long)db_i64(r, 0, "n") : -1LL);
		PQclear(r);
	}
	printf("backlog: %d queued mails, the delivery service: median %.0f mails/s"
	    " (of %d rounds)\n", n, n / pct(wall, rounds, 0.5), rounds);
	free(wall);
	free(server);
}

int main(int argc, char **argv)
{
	struct config cfg;

	log_init("mail-bench", LOG_LVL_ERROR);
	if (argc < 3) {
		fprintf(stderr, "usage: mail-bench latency N api|job | burst N K api|job |"
		    " backlog N K\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (config_load(&cfg) < 0 || (db = db_open(&cfg)) == NULL)
		return 1;
	setup();
	if (strcmp(argv[1], "latency") == 0 && argc == 4)
		bench_latency(atoi(argv[2]), argv[3]);
	else if (strcmp(argv[1], "burst") == 0 && argc == 5)
		bench_burst(atoi(argv[2]), atoi(argv[3]), argv[4]);
	else if (strcmp(argv[1], "backlog") == 0 && argc == 4)
		bench_backlog(atoi(argv[2]), atoi(argv[3]));
	else
		return 2;
	db_close(db);
	config_free(&cfg);
	free(token);
	curl_global_cleanup();
	return 0;
}
