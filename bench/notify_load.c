/*
 * notify_load - how fast an alert reaches a webhook through the whole
 * pipeline of a running stack (the evaluation of a pushed sample, the
 * notice, the delivery service's grouping and its POST), received by a
 * real HTTP receiver in this process (tests/lib/receiver.c).
 *
 *   notify_load latency --events N
 *       N firings, each a sample that breaches one rule; the time from the
 *       sample's answer (the alert has committed) to the webhook's
 *       request, and from the sample's request; each then resolved.
 *   notify_load burst --rules N --wait S
 *       N rules on one push KPI fire from one sample, routed to 3
 *       contact points (webhook, Slack-style, Telegram-style) with a group
 *       wait of S seconds: the time to the last delivery, how many
 *       messages came and how many alerts they carried.
 *
 * BENCH_URL (through nginx) and BENCH_TOKEN (an admin's) say where.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "receiver.h"

#define LAT_KPIS 10

static const char *base, *token;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One request that must answer want; exits otherwise. */
static json_t *must(const char *method, const char *path, const char *body, long want)
{
	long status;
	json_t *r = bench_http(base, token, method, path, body, &status);

	if (status != want) {
		fprintf(stderr, "notify_load: %s %s answered %ld\n", method, path, status);
		exit(1);
	}
	return r;
}

static long long make_cp(const char *body)
{
	json_t *r = must("POST", "/api/contact-points", body, 201);
	long long id = json_integer_value(json_object_get(r, "id"));

	json_decref(r);
	return id;
}

/* The default policy: every alert to cps, with group wait wait_s. */
static void route_all(const char *cps, int wait_s)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"policies\":[],\"default\":{\"contact_points\":[%s],"
	    "\"group_wait_seconds\":%d}}", cps, wait_s);
	json_decref(must("PUT", "/api/notification-policies", body, 200));
}

static void setup_kpi(const char *key)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"name\":\"%s\",\"category\":\"operational\","
	    "\"unit\":\"pcs\",\"max_age_minutes\":60}", key, key);
	json_decref(must("POST", "/api/kpis", body, 201));
}

static void rule(const char *kpi, int i, double above)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"bench notify %d\",\"kpi\":\"%s\","
	    "\"condition\":\"gt\",\"threshold\":%g,\"severity\":\"%s\",\"cooldown_minutes\":0,"
	    "\"flap_changes\":100,\"flap_window_minutes\":5,\"recipients\":[]}", i, kpi, above,
	    i % 3 == 0 ? "critical" : "warning");
	json_decref(must("POST", "/api/alerts/rules", body, 201));
}

static void sample(const char *kpi, double v)
{
	char path[128], body[64];

	snprintf(path, sizeof(path), "/api/kpis/%s/samples", kpi);
	snprintf(body, sizeof(body), "{\"value\":%g}", v);
	json_decref(must("POST", path, body, 201));
}

static void report(const char *what, double *v, int n)
{
	bench_sort(v, (size_t)n);
	printf("%s: n %d p50 %.2f ms p99 %.2f ms max %.2f ms\n", what, n,
	    bench_pct(v, (size_t)n, 0.5), bench_pct(v, (size_t)n, 0.99), v[n - 1]);
}

static int latency(struct receiver *rcv, int events)
{
	char *url = receiver_url(rcv, "/hook"), body[512], cps[32], kpi[64];
	double *after = calloc((size_t)events, sizeof(double));
	double *from = calloc((size_t)events, sizeof(double));

	snprintf(body, sizeof(body), "{\"name\":\"bench latency hook\",\"kind\":\"webhook\","
	    "\"settings\":{\"url\":\"%s\",\"secret\":\"bench-secret\"}}", url);
	snprintf(cps, sizeof(cps), "%lld", make_cp(body));
	route_all(cps, 0);
	/* the firings go round LAT_KPIS rules, none of which then counts as flapping */
	for (int k = 0; k < LAT_KPIS; k++) {
		snprintf(kpi, sizeof(kpi), "bench_notify_lat%d", k);
		setup_kpi(kpi);
		rule(kpi, k, 5);
	}
	for (int i = 0; i < events; i++) {
		double t0, t1;
		snprintf(kpi, sizeof(kpi), "bench_notify_lat%d", i % LAT_KPIS);
		receiver_clear(rcv);
		t0 = now_ms();
		sample(kpi, 10);
		t1 = now_ms();
		if (receiver_wait(rcv, 1, 10000) < 1) {
			fprintf(stderr, "notify_load: firing %d never arrived\n", i);
			return 1;
		}
		after[i] = now_ms() - t1;
		from[i] = now_ms() - t0;
		sample(kpi, 0);
		receiver_wait(rcv, 2, 10000);
	}
	report("fired (sample answered) -> webhook received", after, events);
	report("sample posted -> webhook received", from, events);
	free(url);
	free(after);
	free(from);
	return 0;
}

/* Alerts in the messages received so far (each body's "alerts", or blocks' lines). */
static long alerts_in(struct receiver *rcv, int n)
{
	long total = 0;

	for (int i = 0; i < n; i++) {
		struct rcv_request q;
		json_t *j;
		if (receiver_get(rcv, i, &q) != 0)
			continue;
		j = json_loads(q.body, 0, NULL);
		if (json_object_get(j, "alerts"))
			total += (long)json_array_size(json_object_get(j, "alerts"));
		json_decref(j);
		rcv_request_free(&q);
	}
	return total;
}

static int burst(struct receiver *rcv, int rules, int wait_s)
{
	char *hook = receiver_url(rcv, "/hook"), *slack = receiver_url(rcv, "/slack/T/B/x");
	char *tg = receiver_url(rcv, "/tg"), body[512], cps[96];
	long long a, b, c;
	double t0, last = 0;
	int got = 0;

	snprintf(body, sizeof(body), "{\"name\":\"bench burst hook\",\"kind\":\"webhook\","
	    "\"settings\":{\"url\":\"%s\"}}", hook);
	a = make_cp(body);
	snprintf(body, sizeof(body), "{\"name\":\"bench burst chat\",\"kind\":\"slack\","
	    "\"settings\":{\"url\":\"%s\"}}", slack);
	b = make_cp(body);
	snprintf(body, sizeof(body), "{\"name\":\"bench burst telegram\",\"kind\":\"telegram\","
	    "\"settings\":{\"bot_token\":\"1:bench\",\"chat_id\":\"42\",\"api_base\":\"%s\"}}", tg);
	c = make_cp(body);
	snprintf(cps, sizeof(cps), "%lld,%lld,%lld", a, b, c);
	route_all(cps, wait_s);
	setup_kpi("bench_notify_burst");
	for (int i = 0; i < rules; i++)
		rule("bench_notify_burst", i, i % 100);
	receiver_clear(rcv);
	t0 = now_ms();
	sample("bench_notify_burst", 1000);
	printf("sample with %d firings answered in %.1f ms\n", rules, now_ms() - t0);
	/* one message per contact point at least; then 2 s with none new: all came */
	got = receiver_wait(rcv, 3, 60000);
	last = now_ms() - t0;
	for (;;) {
		int more = receiver_wait(rcv, got + 1, 2000);
		if (more <= got)
			break;
		got = more;
		last = now_ms() - t0;
	}
	printf("burst: %d rules, group wait %d s: %d messages to 3 contact points, %ld alerts in"
	    " the webhook's, last delivery %.1f ms after the sample\n", rules, wait_s, got,
	    alerts_in(rcv, got), last);
	free(hook);
	free(slack);
	free(tg);
	return got >= 3 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct receiver *rcv;
	int n = 100, wait_s = 5, rc;

	base = getenv("BENCH_URL");
	token = getenv("BENCH_TOKEN");
	if (argc < 2 || !base || !token) {
		fprintf(stderr, "usage: notify_load latency [--events N] | burst [--rules N]"
		    " [--wait S]  (BENCH_URL, BENCH_TOKEN)\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--events") == 0 || strcmp(argv[i], "--rules") == 0)
			n = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--wait") == 0)
			wait_s = atoi(argv[i + 1]);
	}
	if ((rcv = receiver_start()) == NULL)
		return 1;
	rc = strcmp(argv[1], "burst") == 0 ? burst(rcv, n, wait_s) : latency(rcv, n);
	receiver_stop(rcv);
	return rc;
}
