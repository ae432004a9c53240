/*
 * test_metrics.c - the Prometheus exposition writer (escaping, HELP and
 * TYPE, cumulative histogram buckets, +Inf, _sum, _count), the address
 * allow-list of GOLDWATCH_METRICS_ALLOW and its check at config load.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "addr_list.h"
#include "config.h"
#include "prom.h"
#include "testlib.h"
#include "unit.h"

static void t_escaping(void)
{
	struct buf b;

	buf_init(&b);
	prom_sample(&b, "x_total", (const char *[]){"path", "a\\b\"c\nd", "k", "", NULL}, 3);
	CU_ASSERT_STRING_EQUAL(b.data, "x_total{path=\"a\\\\b\\\"c\\nd\",k=\"\"} 3\n");
	buf_reset(&b);
	prom_sample(&b, "up", NULL, 1);
	prom_sample(&b, "ratio", (const char *[]){NULL}, 0.25);
	prom_sample(&b, "nan", NULL, NAN);
	prom_sample(&b, "inf", NULL, INFINITY);
	prom_sample(&b, "big", NULL, 1733100000.5);
	CU_ASSERT_STRING_EQUAL(b.data,
	    "up 1\nratio 0.25\nnan NaN\ninf +Inf\nbig 1733100000.5\n");
	buf_reset(&b);
	prom_family(&b, "x_total", "counter", "back\\slash and\nnewline \"quoted\"");
	CU_ASSERT_STRING_EQUAL(b.data, "# HELP x_total back\\\\slash and\\nnewline \"quoted\"\n"
	    "# TYPE x_total counter\n");
	buf_free(&b);
}

static void t_histogram(void)
{
	static const char *const bounds[] = {"0.1", "0.5", "1"};
	/* 2 at or below 0.1, none in (0.1, 0.5], 3 in (0.5, 1], 1 above */
	static const uint64_t counts[] = {2, 0, 3, 1};
	struct buf b;

	buf_init(&b);
	prom_histogram(&b, "d_seconds", (const char *[]){"route", "/api/x", NULL}, bounds, counts,
	    3, 4.75);
	CU_ASSERT_STRING_EQUAL(b.data,
	    "d_seconds_bucket{route=\"/api/x\",le=\"0.1\"} 2\n"
	    "d_seconds_bucket{route=\"/api/x\",le=\"0.5\"} 2\n"
	    "d_seconds_bucket{route=\"/api/x\",le=\"1\"} 5\n"
	    "d_seconds_bucket{route=\"/api/x\",le=\"+Inf\"} 6\n"
	    "d_seconds_sum{route=\"/api/x\"} 4.75\n"
	    "d_seconds_count{route=\"/api/x\"} 6\n");
	buf_reset(&b);
	prom_histogram(&b, "e", NULL, bounds, (const uint64_t[]){0, 0, 0, 0}, 3, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "e_bucket{le=\"0.1\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "e_count 0\n"));
	buf_free(&b);
}

static struct addr_list parsed(const char *s)
{
	struct addr_list l;
	const char *bad = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL(addr_list_parse(s, &l, &bad, &len), 0);
	return l;
}

static void t_allow_list(void)
{
	struct addr_list l = parsed(" 127.0.0.1, 10.1.0.0/16 ,::1,fd00::/8,192.168.7.9/31");
	static const char *const bad[] = {"localhost", "10.0.0.0/33", "::1/129", "1.2.3",
	    "10.0.0.0/", "1.2.3.4,,nope", "1.2.3.4/8x", "*"};
	const char *at;
	size_t len;

	CU_ASSERT_EQUAL(l.n, 5);
	CU_ASSERT_TRUE(addr_list_match(&l, "127.0.0.1"));
	CU_ASSERT_FALSE(addr_list_match(&l, "127.0.0.2"));
	CU_ASSERT_TRUE(addr_list_match(&l, "10.1.255.3"));
	CU_ASSERT_FALSE(addr_list_match(&l, "10.2.0.1"));
	CU_ASSERT_TRUE(addr_list_match(&l, "::1"));
	CU_ASSERT_TRUE(addr_list_match(&l, "fdab::17"));
	CU_ASSERT_FALSE(addr_list_match(&l, "fe80::1"));
	CU_ASSERT_TRUE(addr_list_match(&l, "192.168.7.8"));
	CU_ASSERT_FALSE(addr_list_match(&l, "192.168.7.10"));
	/* an IPv4 client on a dual-stack socket */
	CU_ASSERT_TRUE(addr_list_match(&l, "::ffff:127.0.0.1"));
	CU_ASSERT_FALSE(addr_list_match(&l, NULL));
	CU_ASSERT_FALSE(addr_list_match(&l, "garbage"));
	l = parsed("0.0.0.0/0");
	CU_ASSERT_TRUE(addr_list_match(&l, "203.0.113.9"));
	CU_ASSERT_FALSE(addr_list_match(&l, "2001:db8::1"));
	l = parsed("");
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_FALSE(addr_list_match(&l, "127.0.0.1"));
	for (size_t i = 0; i < GW_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(addr_list_parse(bad[i], &l, &at, &len), -1);
	CU_ASSERT_EQUAL(addr_list_parse("10.0.0.1, 10.0.0.0/40", &l, &at, &len), -1);
	CU_ASSERT_EQUAL(len, 11);
	CU_ASSERT_EQUAL(strncmp(at, "10.0.0.0/40", len), 0);
}

static void t_config(void)
{
	struct config cfg;

	unsetenv("GOLDWATCH_METRICS_ALLOW");
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_STRING_EQUAL(cfg.metrics_allow, "127.0.0.1");
	CU_ASSERT_TRUE(addr_list_match(&cfg.metrics_nets, "127.0.0.1"));
	CU_ASSERT_FALSE(addr_list_match(&cfg.metrics_nets, "10.0.0.1"));
	config_free(&cfg);
	setenv("GOLDWATCH_METRICS_ALLOW", "10.0.0.0/8,2001:db8::/32", 1);
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_TRUE(addr_list_match(&cfg.metrics_nets, "2001:db8::5"));
	CU_ASSERT_FALSE(addr_list_match(&cfg.metrics_nets, "127.0.0.1"));
	config_free(&cfg);
	setenv("GOLDWATCH_METRICS_ALLOW", "10.0.0.0/8, prometheus.lan", 1);
	CU_ASSERT_EQUAL(config_load(&cfg), -1);
	unsetenv("GOLDWATCH_METRICS_ALLOW");
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_EQUAL(cfg.metrics_cache_ms, 1000);
	config_free(&cfg);
	setenv("GOLDWATCH_METRICS_CACHE_MS", "-1", 1);
	CU_ASSERT_EQUAL(config_load(&cfg), -1);
	setenv("GOLDWATCH_METRICS_CACHE_MS", "0", 1);
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg), 0);
	CU_ASSERT_EQUAL(cfg.metrics_cache_ms, 0);
	config_free(&cfg);
	unsetenv("GOLDWATCH_METRICS_CACHE_MS");
}

void suite_metrics(void)
{
	static const struct test_case cases[] = {
		{"exposition: escaping, HELP, TYPE, values", t_escaping},
		{"exposition: histogram buckets cumulative, +Inf, _sum, _count", t_histogram},
		{"allow-list: addresses and CIDRs, IPv4 and IPv6", t_allow_list},
		{"GOLDWATCH_METRICS_ALLOW and _CACHE_MS at config load", t_config},
		{NULL, NULL},
	};
	test_add_suite("metrics", NULL, NULL, cases);
}
