/*
 * test_prometheus.c - Debian's Prometheus scrapes the test stack's nginx
 * /metrics (one job with a bearer token, one from 127.0.0.1 without),
 * loads docs/prometheus-rules.yml, and answers PromQL over its HTTP API
 * from what it scraped: the open alerts equal what the test fired (the
 * token's job keeps goldwatch's labels as docs/METRICS.md says, the other
 * has Prometheus's default, so their series stay apart). It
 * runs on a free loopback port in its own folder; its pid is recorded and
 * it is stopped by that pid.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "integration.h"
#include "metrics_scrape.h"
#include "testlib.h"
#include "util.h"

static char *dir;
static int prom_port;
static long prom_pid;

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int write_config(const char *token)
{
	const char *target = test_base_url() + strlen("http://");
	char *path = xasprintf("%s/prometheus.yml", dir);
	FILE *f = fopen(path, "w");

	free(path);
	if (f == NULL)
		return -1;
	fprintf(f, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
	    "rule_files:\n  - %s/docs/prometheus-rules.yml\n"
	    "scrape_configs:\n"
	    "  - job_name: goldwatch\n    honor_labels: true\n"
	    "    authorization:\n      type: Bearer\n"
	    "      credentials: %s\n    static_configs:\n      - targets: ['%s']\n"
	    "  - job_name: goldwatch_local\n    static_configs:\n      - targets: ['%s']\n",
	    test_top(), token, target, target);
	return fclose(f);
}

static int start(void)
{
	char *token = metrics_token();
	int rc;

	dir = xasprintf("%s/prometheus-%d", test_env("GW_TEST_STACK"), (int)getpid());
	prom_port = free_port();
	if (prom_port < 0 || token[0] == '\0' || test_system("rm -rf '%s' && mkdir -p '%s/data'", dir, dir) != 0 ||
	    write_config(token) != 0) {
		free(token);
		return -1;
	}
	free(token);
	rc = test_system("cd '%s' && { prometheus --config.file=prometheus.yml"
	    " --storage.tsdb.path=data --web.listen-address=127.0.0.1:%d"
	    " >prometheus.log 2>&1 & echo $! >prometheus.pid; }", dir, prom_port);
	if (rc == 0) {
		char *pidfile = xasprintf("%s/prometheus.pid", dir);
		FILE *f = fopen(pidfile, "r");
		if (f == NULL || fscanf(f, "%ld", &prom_pid) != 1)
			rc = -1;
		if (f)
			fclose(f);
		free(pidfile);
	}
	return rc;
}

static int suite_clean(void)
{
	if (prom_pid > 0 && kill((pid_t)prom_pid, SIGTERM) == 0)
		for (int i = 0; i < 100 && kill((pid_t)prom_pid, 0) == 0; i++)
			test_sleep_ms(100);
	prom_pid = 0;
	free(dir);
	dir = NULL;
	return 0;
}

/* GET path?query=... of Prometheus's HTTP API: the parsed body, or NULL. */
static json_t *prom_api(const char *path, const char *query)
{
	char *out = xasprintf("%s/answer.json", dir);
	json_t *j = NULL;

	if (test_system("curl -sf -o '%s' 'http://127.0.0.1:%d%s' %s%s%s", out, prom_port, path,
	    query ? "--data-urlencode 'query=" : "", query ? query : "", query ? "'" : "") == 0)
		j = json_load_file(out, 0, NULL);
	free(out);
	return j;
}

/* The value of an instant query's only sample; *n the samples returned. */
static double query_value(const char *promql, size_t *n)
{
	json_t *j = prom_api("/api/v1/query", promql), *res;
	double v = -1;

	*n = 0;
	res = j ? jget(j, "data.result") : NULL;
	if (res && json_is_array(res)) {
		*n = json_array_size(res);
		if (*n == 1)
			v = strtod(json_string_value(json_array_get(jget(json_array_get(res, 0),
			    "value"), 1)), NULL);
	}
	json_decref(j);
	return v;
}

/* Polls promql until it has one sample equal to want (10 s at most). */
static double await_value(const char *promql, double want)
{
	double v = -1;
	size_t n = 0;

	for (int i = 0; i < 100; i++) {
		v = query_value(promql, &n);
		if (n == 1 && v == want)
			break;
		test_sleep_ms(100);
	}
	if (v != want)
		fprintf(stderr, "\n    %s: %g (%zu samples), want %g", promql, v, n, want);
	return v;
}

static void t_scraped_and_queried(void)
{
	char name[64], args[128], now[40];
	long long rule;
	double open;

	/* started here, not in the suite's set-up: making its token asserts */
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(await_value("up{job=\"goldwatch\"}", 1), 1);
	CU_ASSERT_EQUAL(await_value("up{job=\"goldwatch_local\"}", 1), 1);
	CU_ASSERT_EQUAL(await_value("goldwatch_database_up{job=\"goldwatch\"}", 1), 1);
	snprintf(name, sizeof(name), "prometheus open %d", (int)getpid());
	if (SQL_INT0("SELECT count(*) FROM kpis WHERE key = 't_prometheus'") == 0)
		make_push_kpi("t_prometheus", 0);
	rule = make_simple_rule(name, "t_prometheus", "gt", 5, "");
	push_value("t_prometheus", 10, 0);
	time_format_iso(time_now_us(), now, sizeof(now));
	snprintf(args, sizeof(args), "--rule %lld --now=%s", rule, now);
	CU_ASSERT_EQUAL_FATAL(run_evaluate(NULL, args), 0);
	open = (double)SQL_INT0("SELECT count(*) FROM alerts WHERE state = 'firing'"
	    " AND severity = 'critical'");
	CU_ASSERT_TRUE(open >= 1);
	CU_ASSERT_EQUAL(await_value("sum(goldwatch_alerts_open{job=\"goldwatch\","
	    "severity=\"critical\",state=\"firing\"})", open), open);
	CU_ASSERT_TRUE(await_value("sum(goldwatch_http_requests_total{job=\"goldwatch\","
	    "route=\"/metrics\"}) > bool 0", 1) == 1);
}

/* The shipped rules load and evaluate without errors against the data. */
static void t_rules_loaded(void)
{
	json_t *j = NULL, *groups;
	size_t rules = 0, bad = 0;

	for (int i = 0; i < 50; i++) {
		json_decref(j);
		j = prom_api("/api/v1/rules", NULL);
		groups = j ? jget(j, "data.groups") : NULL;
		rules = bad = 0;
		for (size_t g = 0; groups && g < json_array_size(groups); g++) {
			json_t *rs = json_object_get(json_array_get(groups, g), "rules");
			for (size_t k = 0; k < json_array_size(rs); k++) {
				const char *h = json_string_value(json_object_get(json_array_get(rs, k),
				    "health"));
				rules++;
				bad += h == NULL || strcmp(h, "ok") != 0;
			}
		}
		if (rules > 0 && bad == 0)
			break;
		test_sleep_ms(200);
	}
	json_decref(j);
	CU_ASSERT_TRUE(rules >= 6);
	CU_ASSERT_EQUAL(bad, 0);
}

void suite_prometheus(void)
{
	static const struct test_case cases[] = {
		{"Prometheus scrapes /metrics and answers PromQL", t_scraped_and_queried},
		{"the shipped alerting rules load and evaluate", t_rules_loaded},
		{NULL, NULL},
	};
	test_add_suite("prometheus", NULL, suite_clean, cases);
}
