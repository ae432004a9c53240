/*
 * test_collation.c - what the C code looks up in rows ordered by
 * PostgreSQL (KPI names by key, each KPI's sparkline rows) must not
 * depend on the database's collation. The keys differ in '_' against
 * digits, which the C collation (strcmp) and ICU's en-US order apart;
 * tests/run.sh runs this suite on a C database and on an ICU one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

static const char *const keys[] = {
	"t_coll_a0z", "t_coll_a1", "t_coll_a_1", "t_coll_a_b", "t_coll_ab", "t_coll_b",
};

static void make_named_kpi(const char *key)
{
	char *body = xasprintf("{\"key\":\"%s\",\"name\":\"Coll %s\",\"category\":\"financial\","
	    "\"unit\":\"USD\"}", key, key);
	struct http_resp r = api("POST", "/api/kpis", fixture_users()->admin, body);

	EXPECT_STATUS(r, 201);
	http_free(&r);
	free(body);
}

/* The page at path as the viewer (asserts 200); caller frees. */
static struct http_resp page(const char *path)
{
	char auth[256];
	const char *h[2] = {auth, NULL};
	struct http_resp r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", fixture_users()->viewer);
	r = http_do("GET", path, h, NULL, 0);
	EXPECT_STATUS(r, 200);
	return r;
}

static void t_lookups_any_collation(void)
{
	struct http_resp r;
	long long rules[GW_ARRAY_LEN(keys)];

	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		char name[64];
		make_named_kpi(keys[i]);
		/* three samples in the last 24 hours: a sparkline with a line */
		push_value(keys[i], 1, 30);
		push_value(keys[i], 3, 20);
		push_value(keys[i], 2, 10);
		snprintf(name, sizeof(name), "collation %s", keys[i]);
		rules[i] = make_simple_rule(name, keys[i], "gt", 0, "");
	}
	r = evaluate_rules(rules, (int)GW_ARRAY_LEN(keys));
	EXPECT_STATUS(r, 200);
	http_free(&r);

	/* each KPI's card on /kpis has its own sparkline */
	r = page("/kpis");
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		char *attr = xasprintf("data-kpi=\"%s\"", keys[i]);
		const char *card = r.body ? strstr(r.body, attr) : NULL;
		const char *end = card ? strstr(card, "</a>") : NULL;
		const char *line = card ? strstr(card, "<polyline") : NULL;

		CU_ASSERT_PTR_NOT_NULL(card);
		if (!(line && end && line < end))
			fprintf(stderr, "\n    /kpis: no sparkline for %s\n", keys[i]);
		CU_ASSERT_TRUE(line && end && line < end);
		free(attr);
	}
	http_free(&r);

	/* the alert rows and the rules name each KPI, not its key */
	r = page("/alerts");
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		char *want = xasprintf("<span class=\"sub\">Coll %s</span>", keys[i]);
		if (!(r.body && strstr(r.body, want)))
			fprintf(stderr, "\n    /alerts: no KPI name for %s\n", keys[i]);
		CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
		free(want);
	}
	http_free(&r);
	r = page("/rules");
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		char *want = xasprintf("<td data-label=\"Fires when\">Coll %s ", keys[i]);
		CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, want) : NULL);
		free(want);
	}
	http_free(&r);
	for (size_t i = 0; i < GW_ARRAY_LEN(keys); i++) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", rules[i]);
		test_exec("UPDATE alert_rules SET enabled = false WHERE id = $1::bigint", 1, TP(id));
	}
}

void suite_collation(void)
{
	static const struct test_case cases[] = {
		{"KPI names and sparklines under the database's collation",
		    t_lookups_any_collation},
		{NULL, NULL},
	};
	test_add_suite("collation", NULL, NULL, cases);
}
