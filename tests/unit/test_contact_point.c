/*
 * test_contact_point.c - the pure parts of contact points: which URLs are
 * taken, the hint a Slack URL shows as, what cp_decode refuses, the split
 * into public settings and secrets, the signature against a value
 * computed elsewhere (Python's hmac), and the Telegram and Slack texts
 * escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "contact_point.h"
#include "cp_send.h"
#include "notice.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"

static void t_urls(void)
{
	static const char *const good[] = {"http://127.0.0.1:8080/x", "https://hooks.slack.com/services/T/B/X",
	    "HTTPS://Example.com", "http://[::1]:9/a?b=c#d", "http://host-1.example/path_with%20escape"};
	static const char *const bad[] = {"ftp://h/x", "file:///etc/passwd", "http://u:p@h/x",
	    "http:///x", "http://h/x y", "http://h:/x", "http://h:123456/", "http://h\x01/",
	    "javascript:alert(1)", "http://[]/", "gopher://h", "", "http://h/\xc3\xa9"};
	char hint[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_TRUE(valid_http_url(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_FALSE(valid_http_url(bad[i]));
	cp_url_hint("https://hooks.slack.com/services/T/B/X", hint, sizeof(hint));
	CU_ASSERT_STRING_EQUAL(hint, "https://hooks.slack.com/\xe2\x80\xa6");
	cp_url_hint(NULL, hint, sizeof(hint));
	CU_ASSERT_STRING_EQUAL(hint, "");
	/* a host longer than the hint holds: cut before the "/…", which stays whole (UTF-8) */
	{
		char host[300], url[400], small[40];
		memset(host, 'f', sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		snprintf(url, sizeof(url), "https://%s.com/services/T/B/X", host);
		cp_url_hint(url, small, sizeof(small));
		CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
		CU_ASSERT_STRING_EQUAL(small + strlen(small) - 4, "/\xe2\x80\xa6");
		CU_ASSERT_TRUE(utf8_valid_text(small, strlen(small)));
		cp_url_hint(url, small, 8);
		CU_ASSERT_STRING_EQUAL(small, "");
	}
}

/* Decodes text; returns the error's field ("" when it decoded). */
static const char *decode_field(const char *text, struct verror *err)
{
	json_t *j = json_loads(text, 0, NULL);
	struct cp_input in;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = cp_decode(j, &in, err);
	cp_input_free(&in);
	json_decref(j);
	return rc == 0 ? "" : err->field;
}

static void t_decode(void)
{
	struct verror err;

	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"telegram\",\"settings\":"
	    "{\"bot_token\":\"1:a\",\"chat_id\":-100}}", &err), "");
	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"telegram\",\"settings\":"
	    "{\"bot_token\":\"1:a\",\"chat_id\":1.5}}", &err), "settings.chat_id");
	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"webhook\",\"settings\":"
	    "{\"url\":\"http://h\",\"headers\":{\"Host\":\"x\"}}}", &err), "settings.headers.Host");
	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"webhook\",\"settings\":"
	    "{\"url\":\"http://h\",\"headers\":{\"X-A\":{\"value\":\"v\",\"secret\":\"yes\"}}}}",
	    &err), "settings.headers.X-A");
	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"webhook\",\"settings\":"
	    "{\"url\":\"http://h\",\"headers\":[]}}", &err), "settings.headers");
	CU_ASSERT_STRING_EQUAL(decode_field("{\"name\":\"a\",\"kind\":\"email\",\"settings\":[]}",
	    &err), "settings");
	CU_ASSERT_STRING_EQUAL(decode_field("[]", &err), "");
	CU_ASSERT_EQUAL(err.status, 400);
}

/* A webhook's split: public settings without values, secrets with them. */
static void t_split(void)
{
	json_t *j = json_loads("{\"name\":\"a\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
	    "\"secret\":\"s1\",\"headers\":{\"X-A\":\"a\",\"Auth\":{\"value\":\"b\",\"secret\":true},"
	    "\"Keep\":{\"secret\":true}}}}", 0, NULL);
	json_t *old = json_loads("{\"headers\":{\"Keep\":\"kept\"}}", 0, NULL), *sec, *pub, *names;
	struct cp_input in;
	struct verror err;
	char *text;

	CU_ASSERT_EQUAL_FATAL(cp_decode(j, &in, &err), 0);
	CU_ASSERT_EQUAL(cp_secrets(&in, NULL, &sec, &err), -1);   /* Keep has no value */
	CU_ASSERT_STRING_EQUAL(err.field, "settings.headers");
	CU_ASSERT_EQUAL_FATAL(cp_secrets(&in, old, &sec, &err), 0);
	text = json_dumps(sec, JSON_COMPACT | JSON_SORT_KEYS);
	CU_ASSERT_STRING_EQUAL(text, "{\"headers\":{\"Auth\":\"b\",\"Keep\":\"kept\"},\"secret\":\"s1\"}");
	free(text);
	pub = cp_public_settings(&in, sec);
	text = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
	CU_ASSERT_STRING_EQUAL(text, "{\"format\":\"goldwatch\",\"headers\":{\"Auth\":{\"secret\":true},"
	    "\"Keep\":{\"secret\":true},\"X-A\":\"a\"},\"method\":\"POST\",\"url\":\"http://h\"}");
	free(text);
	names = cp_secret_names(sec);
	CU_ASSERT_EQUAL(json_array_size(names), 3);
	json_decref(names);
	json_decref(pub);
	json_decref(sec);
	json_decref(old);
	cp_input_free(&in);
	json_decref(j);
}

static void t_signature(void)
{
	char sig[96];

	/* python3: hmac.new(b'shop-secret', b'1700000000.{"a":1}', hashlib.sha256).hexdigest() */
	cp_signature("shop-secret", 1700000000, "{\"a\":1}", sig, sizeof(sig));
	CU_ASSERT_STRING_EQUAL(sig,
	    "sha256=1c27aaf3df0fd0f2d32b4ea9f9d118d51b7c955300fa328b42612b00a9dd7157");
}

static void t_escaped(void)
{
	json_t *none = json_array(), *msg;
	struct notice n = {.kind = "fired", .status = "firing", .title = "<b>Till</b> & co",
	    .text = "value > 5 & \"x\"", .link = "https://g.example/alerts/1?a=1&b=2",
	    .receiver = "r", .base_url = "https://g.example", .sent_at = "2026-12-01T00:00:00Z",
	    .alerts = none};
	char *t = notice_telegram(&n, "42"), *s = notice_slack(&n);
	const char *text;

	msg = json_loads(t, 0, NULL);
	text = json_string_value(json_object_get(msg, "text"));
	CU_ASSERT_STRING_EQUAL(text, "<b>&lt;b&gt;Till&lt;/b&gt; &amp; co</b>\nvalue &gt; 5 &amp; "
	    "&quot;x&quot;\n<a href=\"https://g.example/alerts/1?a=1&amp;b=2\">Open in goldwatch</a>");
	json_decref(msg);
	msg = json_loads(s, 0, NULL);
	text = json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(msg, "blocks"), 0), "text"), "text"));
	CU_ASSERT_STRING_EQUAL(text, "*&lt;b&gt;Till&lt;/b&gt; &amp; co*\nvalue &gt; 5 &amp; \"x\"\n"
	    "<https://g.example/alerts/1?a=1&amp;b=2|Open in goldwatch>");
	json_decref(msg);
	free(t);
	free(s);
	json_decref(none);
}

/* The alerts of a group: n, the first k critical, the rest warning. */
static json_t *alerts_of(int n, int k)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{sI ss ss ss}", "id", (json_int_t)(100 + i),
		    "rule_name", i == 0 ? "Ring stock" : "Other", "severity",
		    i < k ? "critical" : "warning", "message", "22k rings: 3 pcs, below 5 pcs"));
	return a;
}

static void t_group_words(void)
{
	char title[200];
	json_t *one = alerts_of(1, 1), *seven = alerts_of(7, 3), *many = alerts_of(30, 0);
	struct buf b;

	notice_group_title(one, "fired", title, sizeof(title));
	CU_ASSERT_STRING_EQUAL(title, "Ring stock: 22k rings: 3 pcs, below 5 pcs");
	notice_group_title(one, "resolved", title, sizeof(title));
	CU_ASSERT_STRING_EQUAL(title, "Ring stock resolved: 22k rings: 3 pcs, below 5 pcs");
	notice_group_title(seven, "fired", title, sizeof(title));
	CU_ASSERT_STRING_EQUAL(title, "7 alerts: 3 critical, 4 warning");
	notice_group_title(seven, "repeat", title, sizeof(title));
	CU_ASSERT_STRING_EQUAL(title, "7 alerts still firing (reminder): 3 critical, 4 warning");
	notice_group_title(many, "escalated", title, sizeof(title));
	CU_ASSERT_STRING_EQUAL(title, "30 alerts escalated: 30 warning");
	/* a title that does not fit is cut, never overrun */
	notice_group_title(seven, "fired", title, 12);
	CU_ASSERT_EQUAL(strlen(title), 11);
	buf_init(&b);
	notice_group_text(seven, "https://gw.example", &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "CRITICAL  Ring stock: 22k rings: 3 pcs, below 5 pcs\n"
	    "https://gw.example/alerts/100\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "WARNING  Other"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "more"));
	buf_reset(&b);
	notice_group_text(many, "https://gw.example", &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "/alerts/124\n"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "/alerts/125\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "... and 5 more: https://gw.example/alerts\n"));
	buf_free(&b);
	json_decref(one);
	json_decref(seven);
	json_decref(many);
}

void suite_contact_point(void)
{
	static const struct test_case cases[] = {
		{"http(s) URLs only, with a host, no credentials; the Slack hint", t_urls},
		{"cp_decode names the field; chat ids as numbers", t_decode},
		{"public settings and secrets; a kept secret header", t_split},
		{"the signature matches HMAC-SHA256 computed elsewhere", t_signature},
		{"Telegram and Slack texts escaped", t_escaped},
		{"a group's title and list: counts per severity, 25 listed, the rest counted",
		    t_group_words},
		{NULL, NULL},
	};
	test_add_suite("contact_point", NULL, NULL, cases);
}
