/* test_valid.c - field validators and strict JSON parsing. */
#include <stddef.h>
#include <string.h>

#include "alert_store.h"
#include "app.h"
#include "kpi_store.h"
#include "rule_store.h"
#include "silence_store.h"
#include "testlib.h"
#include "unit.h"
#include "user_store.h"
#include "util.h"
#include "valid.h"

static void t_email(void)
{
	CU_ASSERT_TRUE(valid_email("owner@goldshop.example"));
	CU_ASSERT_TRUE(valid_email("first.last+alerts@mail.example.co"));
	CU_ASSERT_TRUE(valid_email("root@localhost"));
	CU_ASSERT_FALSE(valid_email("no-at-sign"));
	CU_ASSERT_FALSE(valid_email("@example.com"));
	CU_ASSERT_FALSE(valid_email("a@"));
	CU_ASSERT_FALSE(valid_email("a@b"));
	CU_ASSERT_FALSE(valid_email("a..b@example.com"));
	CU_ASSERT_FALSE(valid_email(".a@example.com"));
	CU_ASSERT_FALSE(valid_email("a@-example.com"));
	CU_ASSERT_FALSE(valid_email("a@example..com"));
	CU_ASSERT_FALSE(valid_email("a b@example.com"));
	CU_ASSERT_FALSE(valid_email("a@example.com\r\nBcc: x@evil.example"));
	CU_ASSERT_FALSE(valid_email("<a@example.com>"));
}

static void t_names(void)
{
	CU_ASSERT_TRUE(valid_username("admin"));
	CU_ASSERT_TRUE(valid_username("sara.k@counter-2"));
	CU_ASSERT_FALSE(valid_username(""));
	CU_ASSERT_FALSE(valid_username("has space"));
	CU_ASSERT_FALSE(valid_username("quote'"));
	CU_ASSERT_TRUE(valid_kpi_key("revenue_today"));
	CU_ASSERT_FALSE(valid_kpi_key("Revenue"));
	CU_ASSERT_FALSE(valid_kpi_key("9lives"));
	CU_ASSERT_FALSE(valid_kpi_key("a-b"));
	CU_ASSERT_TRUE(valid_password("twelve chars"));
	CU_ASSERT_FALSE(valid_password("elevenchars"));
	/* twelve characters, not twelve bytes */
	CU_ASSERT_TRUE(valid_password("\xd8\xb0\xd9\x87\xd8\xa8\xd8\xb0\xd9\x87\xd8\xa8\xd8\xb0\xd9\x87\xd8\xa8\xd8\xb0\xd9\x87\xd8\xa8"));
	CU_ASSERT_TRUE(valid_role("operator"));
	CU_ASSERT_FALSE(valid_role("root"));
}

static const struct vfield fields[] = {
	{.name = "name", .type = V_STRING, .flags = V_REQUIRED, .min = 1, .max = 5},
	{.name = "count", .type = V_INT, .min = 0, .max = 10},
	{.name = "ratio", .type = V_NUMBER, .dmin = -1, .dmax = 1},
	{.name = "on", .type = V_BOOL},
	{.name = "mails", .type = V_STRINGS, .min = 0, .max = 2, .check = valid_email,
	    .what = "must hold e-mail addresses"},
	{.name = "note", .type = V_STRING, .flags = V_NULLABLE | V_MULTILINE, .max = 100},
};

static int check(const char *json, struct verror *e)
{
	json_t *v = valid_json_body(json, strlen(json), e);
	int rc;

	if (v == NULL)
		return -2;
	rc = valid_object(v, fields, sizeof(fields) / sizeof(fields[0]), e);
	json_decref(v);
	return rc;
}

static void t_object(void)
{
	struct verror e;

	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"count\":3,\"ratio\":0.5,\"on\":true,"
	    "\"mails\":[\"a@b.example\"],\"note\":null}", &e), 0);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"note\":\"two\\nlines\"}", &e), 0);

	CU_ASSERT_EQUAL(check("[1,2]", &e), -1);
	CU_ASSERT_EQUAL(e.status, 400);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"extra\":1}", &e), -1);
	CU_ASSERT_EQUAL(e.status, 400);
	CU_ASSERT_STRING_EQUAL(e.field, "extra");
	CU_ASSERT_STRING_EQUAL(e.code, "unknown_field");

	CU_ASSERT_EQUAL(check("{}", &e), -1);
	CU_ASSERT_EQUAL(e.status, 422);
	CU_ASSERT_STRING_EQUAL(e.field, "name");
	CU_ASSERT_EQUAL(check("{\"name\":\"\"}", &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "name");
	CU_ASSERT_EQUAL(check("{\"name\":\"toolong\"}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":\"a\\tb\"}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"count\":11}", &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "count");
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"count\":1.5}", &e), -1);
	CU_ASSERT_STRING_EQUAL(e.code, "invalid_type");
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"count\":\"3\"}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"ratio\":2}", &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "ratio");
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"on\":1}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"mails\":[\"x\"]}", &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "mails");
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"mails\":[\"a@b.example\",\"c@d.example\","
	    "\"e@f.example\"]}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":\"ab\",\"mails\":[1]}", &e), -1);
	CU_ASSERT_EQUAL(check("{\"name\":null}", &e), -1);
	CU_ASSERT_EQUAL(e.status, 422);
}

static void t_strict_json(void)
{
	struct verror e;
	/* refused as malformed: duplicates, NaN, overflow, bad UTF-8, NUL */
	static const char *const bad[] = {
		"{\"name\":\"a\",\"name\":\"b\"}",
		"{\"ratio\":NaN}",
		"{\"ratio\":1e999}",
		"{\"ratio\":-1e999}",
		"{\"count\":99999999999999999999999}",
		"{\"name\":\"\xc3\x28\"}",
		"{\"name\":\"a\\u0000b\"}",
		"{\"name\":\"a\"} trailing",
		"",
		"{",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(check(bad[i], &e), -2);
		CU_ASSERT_EQUAL(e.status, 400);
		CU_ASSERT_STRING_EQUAL(e.code, "malformed_json");
	}
}

/* A table with a type past the known ones: an error that names the field, no read past type_names[]. */
static void t_unknown_type(void)
{
	static const struct vfield sentinel[] = {{.name = "x", .type = V_TYPE__MAX}};
	static const struct vfield past[] = {{.name = "y", .type = (enum vtype)15}};
	json_t *o = json_pack("{si}", "x", 1);
	struct verror e;

	CU_ASSERT_EQUAL(valid_object(o, sentinel, 1, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "x");
	CU_ASSERT_STRING_EQUAL(e.message, "x must be of a known type");
	json_object_del(o, "x");
	json_object_set_new(o, "y", json_integer(2));
	CU_ASSERT_EQUAL(valid_object(o, past, 1, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.message, "y must be of a known type");
	json_decref(o);
}

struct decoded {
	const char *name;
	int64_t count;
	int has_count;
	double ratio;
	int on;
	struct vlist mails;
	struct { int64_t after; struct vlist ids; } esc;
	int has_esc;
	int64_t at_us;
};

#define DE(m) V_AT(struct decoded, m)
static const struct vfield esc_fields[] = {
	{.name = "after", .type = V_INT, .flags = V_REQUIRED, .min = 1, .max = 9,
	    .at = V_AT(struct decoded, esc.after) - offsetof(struct decoded, esc)},
	{.name = "ids", .type = V_INTS, .min = 0, .max = 3,
	    .at = V_AT(struct decoded, esc.ids) - offsetof(struct decoded, esc)},
};
static const struct vfield typed[] = {
	{.name = "name", .type = V_STRING, .min = 1, .max = 5, .sdef = "anon", .at = DE(name)},
	{.name = "count", .type = V_INT, .flags = V_NULLABLE, .min = 0, .max = 10, .def = 7,
	    .at = DE(count), .has = DE(has_count)},
	{.name = "ratio", .type = V_NUMBER, .dmin = -1, .dmax = 1, .ddef = 0.25, .at = DE(ratio)},
	{.name = "on", .type = V_BOOL, .def = 1, .at = DE(on)},
	{.name = "mails", .type = V_STRINGS, .max = 2, .check = valid_email, .at = DE(mails)},
	{.name = "esc", .type = V_OBJECT, .flags = V_NULLABLE, .sub = esc_fields, .nsub = 2,
	    .at = DE(esc), .has = DE(has_esc)},
	{.name = "at", .type = V_TIME, .at = DE(at_us)},
};

static int decode(const char *text, struct decoded *d, struct verror *e)
{
	static json_t *keep;   /* the strings live while their JSON does */
	json_decref(keep);
	keep = json_loads(text, 0, NULL);
	memset(d, 0xa5, sizeof(*d));
	return valid_decode(keep, VFIELDS(typed), d, e);
}

/* Validation yields typed values: given, defaulted, flagged, nested. */
static void t_decode(void)
{
	struct decoded d;
	struct verror e;

	CU_ASSERT_EQUAL_FATAL(decode("{}", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "anon");
	CU_ASSERT_EQUAL(d.count, 7);
	CU_ASSERT_EQUAL(d.has_count, 0);
	CU_ASSERT_DOUBLE_EQUAL(d.ratio, 0.25, 1e-12);
	CU_ASSERT_EQUAL(d.on, 1);
	CU_ASSERT_EQUAL(d.mails.n, 0);
	CU_ASSERT_PTR_NULL(d.mails.items);
	CU_ASSERT_EQUAL(d.has_esc, 0);
	CU_ASSERT_EQUAL(d.esc.after, 0);
	CU_ASSERT_EQUAL(d.at_us, 0);

	CU_ASSERT_EQUAL_FATAL(decode("{\"name\":\"ab\",\"count\":0,\"ratio\":-0.5,\"on\":false,"
	    "\"mails\":[\"a@b.example\",\"c@d.example\"],\"esc\":{\"after\":3,\"ids\":[4,5]},"
	    "\"at\":\"2026-01-02T03:04:05.000006Z\"}", &d, &e), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "ab");
	CU_ASSERT_EQUAL(d.count, 0);
	CU_ASSERT_EQUAL(d.has_count, 1);
	CU_ASSERT_DOUBLE_EQUAL(d.ratio, -0.5, 1e-12);
	CU_ASSERT_EQUAL(d.on, 0);
	CU_ASSERT_EQUAL_FATAL(d.mails.n, 2);
	CU_ASSERT_STRING_EQUAL(vlist_str(&d.mails, 1), "c@d.example");
	CU_ASSERT_EQUAL(d.has_esc, 1);
	CU_ASSERT_EQUAL(d.esc.after, 3);
	CU_ASSERT_EQUAL_FATAL(d.esc.ids.n, 2);
	CU_ASSERT_EQUAL(vlist_int(&d.esc.ids, 0), 4);
	CU_ASSERT_EQUAL(d.at_us, INT64_C(1767323045000006));

	/* null where nullable: the default, not present */
	CU_ASSERT_EQUAL_FATAL(decode("{\"count\":null,\"esc\":null}", &d, &e), 0);
	CU_ASSERT_EQUAL(d.count, 7);
	CU_ASSERT_EQUAL(d.has_count, 0);
	CU_ASSERT_EQUAL(d.has_esc, 0);

	/* a nested field at fault is named by its path */
	CU_ASSERT_EQUAL(decode("{\"esc\":{\"after\":10}}", &d, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.field, "esc.after");
	CU_ASSERT_STRING_EQUAL(e.code, "out_of_range");

	/* the defaults alone, as a form shows them */
	memset(&d, 0xa5, sizeof(d));
	valid_defaults(VFIELDS(typed), &d);
	CU_ASSERT_EQUAL(d.count, 7);
	CU_ASSERT_EQUAL(d.on, 1);
	CU_ASSERT_STRING_EQUAL(d.name, "anon");
	CU_ASSERT_PTR_NOT_NULL(valid_field(VFIELDS(typed), "esc"));
	CU_ASSERT_PTR_NULL(valid_field(VFIELDS(typed), "nope"));
	decode("{}", &d, &e);   /* frees the kept JSON's predecessor */
}

/* A table's own sense: names once, a member for each, defaults within the bounds. */
static int table_sound(const struct vfield *f, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (valid_field(f, i, f[i].name) != NULL || f[i].at == 0)
			bad++;
		if (f[i].type == V_INT && !(f[i].flags & (V_REQUIRED | V_NULLABLE)) &&
		    (f[i].def < f[i].min || f[i].def > f[i].max))
			bad++;
		if (f[i].type == V_OBJECT)
			bad += table_sound(f[i].sub, f[i].nsub);
	}
	return bad;
}

static void t_tables_sound(void)
{
	size_t n;
	const struct route *r = routes_table(&n);
	int with_query = 0;

	CU_ASSERT_EQUAL(table_sound(rule_fields, rule_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(silence_fields, silence_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(ack_fields, ack_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(user_fields, user_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(user_patch_fields, user_patch_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(kpi_fields, kpi_nfields), 0);
	CU_ASSERT_EQUAL(table_sound(sample_fields, sample_nfields), 0);
	for (size_t i = 0; i < n; i++) {
		if (r[i].query == NULL)
			continue;
		with_query++;
		CU_ASSERT_EQUAL(table_sound(r[i].query, r[i].nquery), 0);
	}
	CU_ASSERT_TRUE(with_query >= 8);
}

/* The gate's query tables: typed values and defaults into req->q, or the 400 the handlers gave. */
static int query(const char *route, const char *qs, struct request *req)
{
	static struct kv kv[8];
	static char text[256];
	struct route_params p;
	char allow[64];
	int status;
	const struct route *r = routes_find(M_GET, route, &p, &status, allow, sizeof(allow));
	size_t nkv = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	buf_free(&req->resp_body);
	memset(req, 0, sizeof(*req));
	snprintf(text, sizeof(text), "%s", qs);
	for (char *save = NULL, *t = strtok_r(text, "&", &save); t && nkv < 8;
	    t = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(t, '=');
		*eq = '\0';
		kv[nkv++] = (struct kv){t, eq + 1};
	}
	req->query = kv;
	req->nquery = nkv;
	return request_query_decode(req, r->query, r->nquery);
}

static void t_query_tables(void)
{
	struct request req = {0};

	CU_ASSERT_EQUAL(query("/api/alerts/history", "", &req), 0);
	CU_ASSERT_EQUAL(req.q.limit, 50);
	CU_ASSERT_EQUAL(req.q.has_since, 0);
	CU_ASSERT_PTR_NULL(req.q.state);
	CU_ASSERT_EQUAL(query("/api/alerts/history",
	    "state=firing&rule_id=7&since=2026-01-02T03:04:05Z&limit=900", &req), 0);
	CU_ASSERT_STRING_EQUAL(req.q.state, "firing");
	CU_ASSERT_EQUAL(req.q.rule_id, 7);
	CU_ASSERT_EQUAL(req.q.has_since, 1);
	CU_ASSERT_EQUAL(req.q.since_us, INT64_C(1767323045000000));
	CU_ASSERT_EQUAL(req.q.limit, 900);   /* the handler clamps, the gate does not refuse */
	CU_ASSERT_EQUAL(query("/api/alerts/history", "state=open", &req), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(req.resp_body.data,
	    "\"message\":\"state must be firing, acknowledged or resolved\""));
	CU_ASSERT_EQUAL(query("/api/alerts/history", "page=2", &req), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(req.resp_body.data, "\"code\":\"unknown_parameter\""));
	CU_ASSERT_EQUAL(query("/api/events", "limit=1001", &req), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(req.resp_body.data,
	    "\"message\":\"limit must be a whole number from 1 to 1000\""));
	CU_ASSERT_EQUAL(query("/api/events", "", &req), 0);
	CU_ASSERT_EQUAL(req.q.limit, 100);
	CU_ASSERT_EQUAL(query("/api/alerts/rules", "enabled=false", &req), 0);
	CU_ASSERT_EQUAL(req.q.has_enabled, 1);
	CU_ASSERT_EQUAL(req.q.enabled, 0);
	CU_ASSERT_EQUAL(query("/api/alerts/rules", "enabled=maybe", &req), 400);
	CU_ASSERT_EQUAL(query("/api/audit", "object_id=a%09b", &req), 0);
	CU_ASSERT_EQUAL(query("/api/kpis/till_cash/samples", "since=yesterday", &req), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(req.resp_body.data, "\"field\":\"since\""));
	buf_free(&req.resp_body);
}

/* One address per line; a comma is an error naming the field, never a split. */
static void t_address_lines(void)
{
	struct verror e;
	json_t *l = valid_address_lines("  a@shop.example \n\n\tb@shop.example\n", "recipients", &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(json_array_size(l), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(l, 0)), "a@shop.example");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(l, 1)), "b@shop.example");
	json_decref(l);
	l = valid_address_lines("", "recipients", &e);
	CU_ASSERT_EQUAL(json_array_size(l), 0);
	json_decref(l);
	l = valid_address_lines("a@shop.example\nb@shop.example, c@shop.example", "escalation_recipients", &e);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_EQUAL(e.status, 422);
	CU_ASSERT_STRING_EQUAL(e.field, "escalation_recipients");
	CU_ASSERT_STRING_EQUAL(e.message, "escalation_recipients: one address per line; "
	    "line 2 holds a comma or semicolon");
	CU_ASSERT_PTR_NULL(valid_address_lines("a@shop.example;b@shop.example", "recipients", &e));
}

/* The forms' numbers: grouped thousands and a percent sign where one is meant; nonsense refused. */
static void t_form_numbers(void)
{
	static const struct { const char *s; int percent; double want; } good[] = {
		{"5,000", 0, 5000}, {"1,250.50", 0, 1250.5}, {"-12,345,678", 0, -12345678},
		{"3%", 1, 3}, {"-2.5%", 1, -2.5}, {"5000", 0, 5000}, {"1e3", 0, 1000}, {"0.5", 0, 0.5},
	};
	static const struct { const char *s; int percent; } bad[] = {
		{"5,00,0", 0}, {"1,5", 0}, {",500", 0}, {"5,000,", 0}, {"1234,567", 0}, {"5,,000", 0},
		{"3%", 0}, {"3%%", 1}, {"%", 1}, {"", 0}, {"+5", 0}, {"0x10", 0}, {"5 000", 0},
		{"1,000.5,0", 0},
	};
	double d;
	int64_t i;

	for (size_t k = 0; k < GW_ARRAY_LEN(good); k++) {
		CU_ASSERT_EQUAL(valid_form_number(good[k].s, good[k].percent, &d), 0);
		CU_ASSERT_DOUBLE_EQUAL(d, good[k].want, 1e-9);
	}
	for (size_t k = 0; k < GW_ARRAY_LEN(bad); k++) {
		if (valid_form_number(bad[k].s, bad[k].percent, &d) == 0)
			fprintf(stderr, "\n    \"%s\" read as %g\n", bad[k].s, d);
		CU_ASSERT_EQUAL(valid_form_number(bad[k].s, bad[k].percent, &d), -1);
	}
	CU_ASSERT_EQUAL(valid_form_int("1,440", &i), 0);
	CU_ASSERT_EQUAL(i, 1440);
	CU_ASSERT_EQUAL(valid_form_int("1,440.5", &i), -1);
	CU_ASSERT_EQUAL(valid_form_int("14,40", &i), -1);
	CU_ASSERT_EQUAL(valid_form_int("3%", &i), -1);
}

/* A date typed the way pages print one, or in ISO; a day that is none refused. */
static void t_form_dates(void)
{
	static const char *const good[][2] = {
		{"01 Dec 2026", "2026-12-01"}, {"1 dec 2026", "2026-12-01"},
		{"29 February 2028", "2028-02-29"}, {"2026-12-01", "2026-12-01"},
		{"31 DEC 1999", "1999-12-31"},
	};
	static const char *const bad[] = {"12/01/2026", "2026-13-01", "30 Feb 2026", "29 Feb 2027",
	    "01 Dez 2026", "01 Dec 26", "01 Dec 2026 x", "", "2026-12-1", "Dec 01 2026", "00 Dec 2026",
	    "2026-02-30", "01 De 2026"};
	char iso[11];

	for (size_t k = 0; k < GW_ARRAY_LEN(good); k++) {
		CU_ASSERT_EQUAL(valid_form_date(good[k][0], iso), 0);
		CU_ASSERT_STRING_EQUAL(iso, good[k][1]);
	}
	for (size_t k = 0; k < GW_ARRAY_LEN(bad); k++) {
		if (valid_form_date(bad[k], iso) == 0)
			fprintf(stderr, "\n    \"%s\" read as %s\n", bad[k], iso);
		CU_ASSERT_EQUAL(valid_form_date(bad[k], iso), -1);
	}
}

void suite_valid(void)
{
	static const struct test_case cases[] = {
		{"valid_email", t_email},
		{"names, keys, passwords, roles", t_names},
		{"valid_object field table", t_object},
		{"valid_decode fills a typed struct", t_decode},
		{"field and query tables: names once, defaults in bounds", t_tables_sound},
		{"query tables: typed values, defaults, the handlers' 400s", t_query_tables},
		{"strict JSON bodies", t_strict_json},
		{"a field type past the table", t_unknown_type},
		{"address lists: one per line", t_address_lines},
		{"form numbers: grouping and percent", t_form_numbers},
		{"form dates: as pages print them, or ISO", t_form_dates},
		{NULL, NULL},
	};
	test_add_suite("valid", NULL, NULL, cases);
}
