/*
 * test_money.c - the shop's currency and gold unit through the real
 * stack: goldwatch-api restarted with GOLDWATCH_CURRENCY=KWD and
 * GOLDWATCH_WEIGHT_UNIT=tola (the rest of the stack as it is) answers the
 * money KPIs' unit as KWD and keeps weights in grams with a display_unit;
 * its pages show grams as tola and money with three decimals; a threshold
 * typed in tola on the rule form is stored in grams and shown back in
 * tola; the alert's message speaks tola. An unknown currency stops the
 * API at start with a line naming the setting. The suite's clean-up
 * starts the API again as the other suites expect it (USD, grams).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "integration.h"
#include "testlib.h"
#include "util.h"

#define SHOP_ENV "GOLDWATCH_CURRENCY=KWD GOLDWATCH_WEIGHT_UNIT=tola"

static int money_init(void)
{
	return test_stack("api-stop") || test_stack_env(SHOP_ENV, "api-start");
}

static int money_clean(void)
{
	return test_stack("api-stop") || test_stack("api-start");
}

static struct http_resp page(const char *method, const char *path, const char *body)
{
	const struct fixture_users *u = fixture_users();
	char cookie[256];
	const char *h[] = {cookie, "Content-Type: application/x-www-form-urlencoded", NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", u->admin);
	return http_do(method, path, h, body, body ? strlen(body) : 0);
}

/* The page at path holds text. */
static void page_shows(const char *path, const char *text)
{
	struct http_resp r = page("GET", path, NULL);

	EXPECT_STATUS(r, 200);
	if (r.body == NULL || strstr(r.body, text) == NULL)
		fprintf(stderr, "\n    %s does not show \"%s\"\n", path, text);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, text) : NULL);
	http_free(&r);
}

static void t_api_units(void)
{
	const char *admin = fixture_users()->admin;
	struct http_resp r = api("GET", "/api/kpis/revenue_today", admin, NULL);

	EXPECT_STATUS(r, 200);
	CU_ASSERT_STRING_EQUAL(jstr(&r, "unit") ? jstr(&r, "unit") : "-", "KWD");
	CU_ASSERT_STRING_EQUAL(jstr(&r, "display_unit") ? jstr(&r, "display_unit") : "-", "KWD");
	http_free(&r);
	r = api("GET", "/api/kpis/gold_price_per_gram", admin, NULL);
	CU_ASSERT_STRING_EQUAL(jstr(&r, "unit") ? jstr(&r, "unit") : "-", "KWD/g");
	CU_ASSERT_STRING_EQUAL(jstr(&r, "display_unit") ? jstr(&r, "display_unit") : "-",
	    "KWD/tola");
	http_free(&r);
	r = api("GET", "/api/kpis/gold_stock_grams", admin, NULL);
	CU_ASSERT_STRING_EQUAL(jstr(&r, "unit") ? jstr(&r, "unit") : "-", "g (fine)");
	CU_ASSERT_STRING_EQUAL(jstr(&r, "display_unit") ? jstr(&r, "display_unit") : "-",
	    "tola (fine)");
	http_free(&r);
}

static void t_pages_and_rule_form(void)
{
	const struct fixture_users *u = fixture_users();
	struct http_resp r;
	char *body, path[64];
	long long id;

	r = api("POST", "/api/kpis", u->admin, "{\"key\":\"m_gold\",\"name\":\"Money gold\","
	    "\"category\":\"operational\",\"unit\":\"g\"}");
	EXPECT_STATUS(r, 201);
	http_free(&r);
	r = api("POST", "/api/kpis", u->admin, "{\"key\":\"m_till\",\"name\":\"Money till\","
	    "\"category\":\"financial\",\"unit\":\"USD\"}");
	EXPECT_STATUS(r, 201);
	http_free(&r);
	/* 10 tola of gold; 5,000.25 in the till */
	r = api("POST", "/api/kpis/m_gold/samples", u->admin, "{\"value\":116.638038,\"evaluate\":false}");
	EXPECT_STATUS(r, 201);
	http_free(&r);
	r = api("POST", "/api/kpis/m_till/samples", u->admin, "{\"value\":5000.25,\"evaluate\":false}");
	EXPECT_STATUS(r, 201);
	http_free(&r);
	page_shows("/kpis/m_gold", "10 tola");
	page_shows("/kpis/m_till", "5,000.250 KWD");
	/* the rule form takes tola and keeps grams */
	body = xasprintf("_csrf=%s&name=Money+gold+low&kpi=m_gold&condition=lt&threshold=20"
	    "&severity=info&recipients=owner%%40shop.example&enabled=1", u->admin_csrf);
	r = page("POST", "/rules", body);
	free(body);
	EXPECT_STATUS(r, 303);
	id = form_created_id(&r, "/rules/");
	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("GET", path, u->admin, NULL);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(jget(r.json, "threshold")), 233.276076, 1e-6);
	http_free(&r);
	snprintf(path, sizeof(path), "/rules/%lld", id);
	page_shows(path, "name=\"threshold\"");
	page_shows(path, "value=\"20\"");
	page_shows("/rules", "below 20 tola");
	/* the alert's words are in tola too */
	body = xasprintf("{\"rule_ids\":[%lld]}", id);
	r = api("POST", "/api/alerts/evaluate", u->admin, body);
	free(body);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL_FATAL(json_array_size(jget(r.json, "fired")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(jget(json_array_get(jget(r.json, "fired"), 0),
	    "message")), "Money gold is 10 tola, below the threshold of 20 tola.");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/alerts/rules/%lld", id);
	r = api("DELETE", path, u->admin, NULL);
	http_free(&r);
}

static void t_unknown_currency(void)
{
	char *path = xasprintf("%s/log/api.log", test_env("GW_TEST_STACK")), *log;

	CU_ASSERT_EQUAL_FATAL(test_stack("api-stop"), 0);
	CU_ASSERT_NOT_EQUAL(test_stack_env("GOLDWATCH_CURRENCY=XYZ", "api-start"), 0);
	log = test_read_file(path);
	CU_ASSERT_PTR_NOT_NULL(log ? strstr(log, "GOLDWATCH_CURRENCY \"XYZ\" is not a currency") :
	    NULL);
	free(log);
	free(path);
	CU_ASSERT_EQUAL(test_stack_env(SHOP_ENV, "api-start"), 0);
}

void suite_money(void)
{
	static const struct test_case cases[] = {
		{"the API names the shop's currency, keeps grams, says the display unit", t_api_units},
		{"pages in tola and KWD; the rule form takes tola and stores grams", t_pages_and_rule_form},
		{"an unknown GOLDWATCH_CURRENCY stops goldwatch-api at start", t_unknown_currency},
		{NULL, NULL},
	};
	test_add_suite("money", money_init, money_clean, cases);
}
