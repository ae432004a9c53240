/*
 * test_contact_points.c - contact points through the API against real
 * local receivers (tests/lib/receiver.c): every kind, the test message in
 * each shape (goldwatch, Alertmanager version 4, Slack, Telegram),
 * signatures checked with an HMAC computed here, refusals that change
 * nothing, receivers that fail, hang or redirect, and secrets absent from
 * every answer, the audit log, the database's plain text and the logs.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "integration.h"
#include "receiver.h"
#include "testlib.h"
#include "util.h"

#define SECRET "hmac-secret-7d1e0c"
#define BEARER "Bearer tok-a9f3-never-shown"
#define BOT_TOKEN "123456:AAbbCC-dd_ee"

static struct receiver *rcv;

static int cp_init(void)
{
	rcv = receiver_start();
	return rcv ? 0 : -1;
}

static int cp_clean(void)
{
	receiver_stop(rcv);
	rcv = NULL;
	return 0;
}

/* POST /api/contact-points as admin; returns the id (0 on failure). */
long long make_cp(const char *json)
{
	struct http_resp r = api("POST", "/api/contact-points", fixture_users()->admin, json);
	long long id = r.status == 201 ? jint(&r, "id") : 0;

	if (r.status != 201)
		fprintf(stderr, "\n    make_cp: %ld %.300s\n", r.status, r.body ? r.body : "");
	http_free(&r);
	return id;
}

static struct http_resp test_cp(long long id, const char *token)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/contact-points/%lld/test", id);
	return api("POST", path, token, NULL);
}

/* Whether any of the secrets shows in s. */
static int shows_secret(const char *s)
{
	return s && (strstr(s, SECRET) || strstr(s, "tok-a9f3") || strstr(s, "AAbbCC") ||
	    strstr(s, "/services/T000/B000"));
}

/* The signature a receiver computes: sha256=hex(HMAC-SHA256(secret, "ts.body")). */
void expect_signature(const struct rcv_request *q, const char *secret)
{
	char *ts = rcv_header(q, "X-Goldwatch-Timestamp"), *sig = rcv_header(q, "X-Goldwatch-Signature");
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char hex[2 * sizeof(mac) + 1], want[80], *msg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
	msg = xasprintf("%s.%s", ts, q->body);
	/* the state API takes a key of any length, as HMAC does */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(want, sizeof(want), "sha256=%s", hex);
	CU_ASSERT_STRING_EQUAL(sig, want);
	CU_ASSERT(llabs(atoll(ts) - (long long)time(NULL)) < 120);
	free(msg);
	free(ts);
	free(sig);
}

/* Request i of the receiver as JSON (asserts it came). */
static json_t *got_json(int i, struct rcv_request *q)
{
	CU_ASSERT_FATAL(receiver_get(rcv, i, q) == 0);
	return json_loads(q->body, 0, NULL);
}

/* Sends the test message to id and returns the one request the receiver got (asserted). */
static void test_once(long long id, struct rcv_request *q)
{
	struct http_resp r;

	receiver_clear(rcv);
	r = test_cp(id, fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "ok")));
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(receiver_wait(rcv, 1, 5000), 1);
	CU_ASSERT_FATAL(receiver_get(rcv, 0, q) == 0);
}

/* Asserts header name of q is want (NULL: absent). */
static void expect_header(const struct rcv_request *q, const char *name, const char *want)
{
	char *v = rcv_header(q, name);

	if (want) {
		CU_ASSERT_STRING_EQUAL(v ? v : "(absent)", want);
	} else {
		CU_ASSERT_PTR_NULL(v);
	}
	free(v);
}

/* The webhook as GET shows it: no secret in it, nor in the list, the row or the audit log. */
static json_t *expect_hidden(const char *path, const char *ids)
{
	struct http_resp r = api("GET", path, fixture_users()->viewer, NULL);
	json_t *shown;

	EXPECT_STATUS(r, 200);
	CU_ASSERT_FALSE(shows_secret(r.body));
	EXPECT_JSTR(r, "settings.headers.X-Shop", "gold");
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "settings.headers.Authorization.secret")));
	EXPECT_JSTR(r, "secrets_set.0", "secret");
	EXPECT_JSTR(r, "secrets_set.1", "headers.Authorization");
	EXPECT_JSTR(r, "settings.format", "goldwatch");
	shown = json_incref(r.json);
	http_free(&r);
	r = api("GET", "/api/contact-points", fixture_users()->admin, NULL);
	CU_ASSERT_FALSE(shows_secret(r.body));
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM contact_points WHERE id = $1::bigint"
	    " AND (settings::text LIKE '%tok-a9f3%' OR encode(sealed, 'escape') LIKE '%" SECRET "%'"
	    " OR encode(sealed, 'escape') LIKE '%tok-a9f3%')", ids), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE object_type = 'contact_point'"
	    " AND object_id = $1 AND (coalesce(after::text, '') || coalesce(before::text, ''))"
	    " ~ 'tok-a9f3|" SECRET "'", ids), 0);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE object_type = 'contact_point'"
	    " AND object_id = $1 AND action = 'contact_point.create'", ids), 1);
	/* what a PUT takes: GET's answer without what only GET says */
	json_object_del(shown, "id");
	json_object_del(shown, "secrets_set");
	json_object_del(shown, "created_at");
	json_object_del(shown, "updated_at");
	json_object_del(shown, "created_by");
	return shown;
}

/* PUTs body to path; asserts 200 and the first secret name (NULL: none). */
static void put_cp(const char *path, const json_t *body, const char *first_secret)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct http_resp r = api("PUT", path, fixture_users()->admin, text);

	free(text);
	EXPECT_STATUS(r, 200);
	if (first_secret)
		EXPECT_JSTR(r, "secrets_set.0", first_secret);
	http_free(&r);
}

/*
 * A webhook with a secret and a secret header: shown without either, the
 * test message signed, a PUT of what GET showed keeps both, "" clears the
 * secret; the audit log and the stored row hold neither in plain text.
 */
static void t_webhook_secrets(void)
{
	char *url = receiver_url(rcv, "/hook"), *body;
	struct rcv_request q;
	json_t *got, *shown;
	long long id;
	char path[64], ids[24];

	body = xasprintf("{\"name\":\"Till webhook\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\","
	    "\"secret\":\"" SECRET "\",\"headers\":{\"X-Shop\":\"gold\",\"Authorization\":"
	    "{\"value\":\"" BEARER "\",\"secret\":true}}}}", url);
	id = make_cp(body);
	free(body);
	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	shown = expect_hidden(path, ids);

	/* the test message: signed, with both headers */
	test_once(id, &q);
	got = json_loads(q.body, 0, NULL);
	CU_ASSERT_STRING_EQUAL(q.method, "POST");
	CU_ASSERT_STRING_EQUAL(q.path, "/hook");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "kind")), "test");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "version")), "1");
	CU_ASSERT_TRUE(json_is_array(json_object_get(got, "alerts")));
	expect_signature(&q, SECRET);
	expect_header(&q, "Authorization", BEARER);
	expect_header(&q, "X-Shop", "gold");
	json_decref(got);
	rcv_request_free(&q);

	/* what GET showed, PUT back: the secrets stay */
	json_object_set_new(shown, "name", json_string("Till webhook (PUT)"));
	put_cp(path, shown, "secret");
	test_once(id, &q);
	expect_signature(&q, SECRET);
	expect_header(&q, "Authorization", BEARER);
	rcv_request_free(&q);

	/* "" clears the secret: no signature any more */
	json_object_set_new(json_object_get(shown, "settings"), "secret", json_string(""));
	put_cp(path, shown, "headers.Authorization");
	test_once(id, &q);
	expect_header(&q, "X-Goldwatch-Signature", NULL);
	rcv_request_free(&q);
	json_decref(shown);
	free(url);
}

/* The Alertmanager shape: version 4 and every field its receivers read. */
static void t_alertmanager_format(void)
{
	char *url = receiver_url(rcv, "/am"), *body, *sig;
	struct rcv_request q;
	struct http_resp r;
	json_t *got, *a;
	long long id;

	body = xasprintf("{\"name\":\"Bridge\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\","
	    "\"method\":\"PUT\",\"format\":\"alertmanager\"}}", url);
	id = make_cp(body);
	free(body);
	CU_ASSERT_FATAL(id > 0);
	receiver_clear(rcv);
	r = test_cp(id, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "ok")));
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(receiver_wait(rcv, 1, 5000), 1);
	got = got_json(0, &q);
	CU_ASSERT_STRING_EQUAL(q.method, "PUT");
	sig = rcv_header(&q, "X-Goldwatch-Signature");
	CU_ASSERT_PTR_NULL(sig);
	free(sig);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "version")), "4");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "status")), "firing");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "receiver")), "Bridge");
	CU_ASSERT_TRUE(json_is_string(json_object_get(got, "groupKey")));
	CU_ASSERT_TRUE(json_is_object(json_object_get(got, "groupLabels")));
	CU_ASSERT_TRUE(json_is_object(json_object_get(got, "commonLabels")));
	CU_ASSERT_TRUE(json_is_object(json_object_get(got, "commonAnnotations")));
	CU_ASSERT_TRUE(json_is_string(json_object_get(got, "externalURL")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(got, "alerts")), 1);
	a = json_array_get(json_object_get(got, "alerts"), 0);
	CU_ASSERT_TRUE(json_is_string(json_object_get(json_object_get(a, "labels"), "alertname")));
	CU_ASSERT_TRUE(json_is_string(json_object_get(json_object_get(a, "annotations"), "summary")));
	CU_ASSERT_TRUE(json_is_string(json_object_get(a, "startsAt")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "endsAt")), "0001-01-01T00:00:00Z");
	CU_ASSERT_TRUE(json_is_string(json_object_get(a, "generatorURL")));
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(a, "fingerprint"))), 16);
	json_decref(got);
	rcv_request_free(&q);
	free(url);
}

/* Slack and Telegram at local fakes: their shapes, the bot token only in the path. */
static void t_chat_kinds(void)
{
	char *slack = receiver_url(rcv, "/services/T000/B000/XXXX"), *base = receiver_url(rcv, "");
	char *body, hint[64];
	struct rcv_request q;
	struct http_resp r;
	json_t *got;
	long long sid, tid;

	body = xasprintf("{\"name\":\"Owner chat\",\"kind\":\"slack\",\"settings\":{\"url\":\"%s\"}}",
	    slack);
	sid = make_cp(body);
	free(body);
	CU_ASSERT_FATAL(sid > 0);
	snprintf(hint, sizeof(hint), "http://127.0.0.1:%d/\xe2\x80\xa6", receiver_port(rcv));
	r = api("GET", "/api/contact-points", fixture_users()->viewer, NULL);
	CU_ASSERT_FALSE(shows_secret(r.body));
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, hint) : NULL);
	http_free(&r);
	receiver_clear(rcv);
	r = test_cp(sid, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "ok")));
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(receiver_wait(rcv, 1, 5000), 1);
	got = got_json(0, &q);
	CU_ASSERT_STRING_EQUAL(q.path, "/services/T000/B000/XXXX");
	CU_ASSERT_TRUE(json_is_string(json_object_get(got, "text")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
	    json_object_get(got, "blocks"), 0), "type")), "section");
	json_decref(got);
	rcv_request_free(&q);

	/* Telegram: a name with markup comes escaped; its error text is shown */
	body = xasprintf("{\"name\":\"Counter <b>&</b>\",\"kind\":\"telegram\",\"settings\":"
	    "{\"bot_token\":\"" BOT_TOKEN "\",\"chat_id\":-100123,\"api_base\":\"%s\"}}", base);
	tid = make_cp(body);
	free(body);
	CU_ASSERT_FATAL(tid > 0);
	receiver_clear(rcv);
	r = test_cp(tid, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "ok")));
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(receiver_wait(rcv, 1, 5000), 1);
	got = got_json(0, &q);
	CU_ASSERT_STRING_EQUAL(q.path, "/bot" BOT_TOKEN "/sendMessage");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "chat_id")), "-100123");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(got, "parse_mode")), "HTML");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(got, "text")),
	    "Counter &lt;b&gt;&amp;&lt;/b&gt;"));
	CU_ASSERT_PTR_NULL(strstr(json_string_value(json_object_get(got, "text")), "<b>&"));
	json_decref(got);
	rcv_request_free(&q);
	receiver_answer(rcv, 400, "{\"ok\":false,\"error_code\":400,"
	    "\"description\":\"Bad Request: chat not found\"}", 0, 0);
	r = test_cp(tid, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_false(jget(r.json, "ok")));
	CU_ASSERT_EQUAL(jint(&r, "status"), 400);
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "error") ? strstr(jstr(&r, "error"), "chat not found") : NULL);
	CU_ASSERT_FALSE(shows_secret(r.body));
	http_free(&r);
	receiver_answer(rcv, 200, "{\"ok\":true}", 0, 0);
	free(slack);
	free(base);
}

/* A receiver that fails, hangs, redirects or is not there: the outcome says so. */
static void t_receiver_failures(void)
{
	char *url = receiver_url(rcv, "/fail"), *body;
	struct http_resp r;
	long long id, gone;
	int64_t t0;

	body = xasprintf("{\"name\":\"Flaky\",\"kind\":\"webhook\",\"settings\":{\"url\":\"%s\"}}", url);
	id = make_cp(body);
	free(body);
	CU_ASSERT_FATAL(id > 0);
	receiver_answer(rcv, 500, "{\"error\":\"boom\"}", 0, 0);
	r = test_cp(id, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_false(jget(r.json, "ok")));
	CU_ASSERT_EQUAL(jint(&r, "status"), 500);
	EXPECT_JSTR(r, "error", "the receiver answered 500");
	http_free(&r);

	/* a redirect is an answer, not followed */
	receiver_clear(rcv);
	receiver_answer(rcv, 302, "", 0, 0);
	r = test_cp(id, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_false(jget(r.json, "ok")));
	CU_ASSERT_EQUAL(jint(&r, "status"), 302);
	http_free(&r);
	test_sleep_ms(200);
	CU_ASSERT_EQUAL(receiver_wait(rcv, 1, 100), 1);

	/* one that never answers: the total timeout (GOLDWATCH_HTTP_TIMEOUT_MS) ends it */
	receiver_answer(rcv, 200, "{}", 0, 1);
	t0 = time_mono_us();
	r = test_cp(id, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_false(jget(r.json, "ok")));
	EXPECT_JSTR(r, "error", "timed out");
	CU_ASSERT(time_mono_us() - t0 < 8 * INT64_C(1000000));
	http_free(&r);
	receiver_answer(rcv, 200, "{\"ok\":true}", 0, 0);

	/* nobody listening */
	body = xasprintf("{\"name\":\"Gone\",\"kind\":\"webhook\",\"settings\":"
	    "{\"url\":\"http://127.0.0.1:9/nothing\"}}");
	gone = make_cp(body);
	free(body);
	r = test_cp(gone, fixture_users()->admin);
	CU_ASSERT_TRUE(json_is_false(jget(r.json, "ok")));
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "status")));
	CU_ASSERT_PTR_NOT_NULL(jstr(&r, "error"));
	http_free(&r);
	free(url);
}

/* Bad bodies: refused naming the field, nothing stored. */
static void t_bad_input(void)
{
	static const struct { const char *body, *field; int status; } bad[] = {
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"ftp://h/x\"}}",
		    "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"file:///etc/passwd\"}}",
		    "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://u:p@h/x\"}}",
		    "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http:///x\"}}",
		    "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h/x y\"}}",
		    "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
		    "\"method\":\"GET\"}}", "settings.method", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
		    "\"format\":\"xml\"}}", "settings.format", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
		    "\"headers\":{\"Content-Type\":\"text/plain\"}}}", "settings.headers.Content-Type", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
		    "\"headers\":{\"X-A\":\"a\\r\\nX-B: b\"}}}", "settings.headers.X-A", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\","
		    "\"headers\":{\"X-A\":{\"secret\":true}}}}", "settings.headers", 422},
		{"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://h\",\"x\":1}}",
		    "settings.x", 400},
		{"{\"name\":\"x\",\"kind\":\"pager\",\"settings\":{}}", "kind", 422},
		{"{\"name\":\"x\",\"kind\":\"email\"}", "settings", 422},
		{"{\"name\":\"x\",\"kind\":\"email\",\"settings\":{\"addresses\":[\"not-mail\"]}}",
		    "settings.addresses", 422},
		{"{\"name\":\"x\",\"kind\":\"email\",\"settings\":{\"addresses\":[]}}",
		    "settings.addresses", 422},
		{"{\"name\":\"x\",\"kind\":\"slack\",\"settings\":{}}", "settings.url", 422},
		{"{\"name\":\"x\",\"kind\":\"telegram\",\"settings\":{\"chat_id\":\"1\"}}",
		    "settings.bot_token", 422},
		{"{\"name\":\"x\",\"kind\":\"telegram\",\"settings\":{\"bot_token\":\"nope\","
		    "\"chat_id\":\"1\"}}", "settings.bot_token", 422},
		{"{\"name\":\"x\",\"kind\":\"telegram\",\"settings\":{\"bot_token\":\"" BOT_TOKEN "\","
		    "\"chat_id\":\"1 OR 1\"}}", "settings.chat_id", 422},
		{"{\"name\":\"\",\"kind\":\"email\",\"settings\":{\"addresses\":[\"a@b.c\"]}}",
		    "name", 422},
	};
	long long before = SQL_INT0("SELECT count(*) FROM contact_points");
	struct http_resp r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = api("POST", "/api/contact-points", fixture_users()->admin, bad[i].body);
		EXPECT_STATUS(r, bad[i].status);
		if (jstr(&r, "error.field") == NULL || strcmp(jstr(&r, "error.field"), bad[i].field))
			fprintf(stderr, "\n    case %zu: %.300s\n", i, r.body ? r.body : "");
		EXPECT_JSTR(r, "error.field", bad[i].field);
		http_free(&r);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM contact_points"), before);
	/* a name taken: 409 */
	CU_ASSERT(make_cp("{\"name\":\"Twice\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"a@shop.test\"]}}") > 0);
	r = api("POST", "/api/contact-points", fixture_users()->admin, "{\"name\":\"Twice\","
	    "\"kind\":\"email\",\"settings\":{\"addresses\":[\"b@shop.test\"]}}");
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	r = api("PUT", "/api/contact-points/999999999", fixture_users()->admin, "{\"name\":\"N\","
	    "\"kind\":\"email\",\"settings\":{\"addresses\":[\"b@shop.test\"]}}");
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
}

/* E-mail: the test goes to the mail delivery, one row per address. */
static void t_email_test(void)
{
	long long id = make_cp("{\"name\":\"Stock keeper\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"stock@shop.test\",\"owner@shop.test\"]}}");
	struct http_resp r;

	CU_ASSERT_FATAL(id > 0);
	r = test_cp(id, fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "ok")));
	CU_ASSERT_EQUAL(jint(&r, "queued"), 2);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM mail_outbox WHERE kind = 'test'"
	    " AND recipient IN ('stock@shop.test', 'owner@shop.test')"
	    " AND subject = '[goldwatch] Test message: Stock keeper'"), 2);
}

/* Roles: viewers read, only admins write and test; delete is audited. */
static void t_roles_and_delete(void)
{
	long long id = make_cp("{\"name\":\"Doomed\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"d@shop.test\"]}}");
	struct http_resp r;
	char path[64], ids[24];

	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	r = api("POST", "/api/contact-points", fixture_users()->operator_, "{\"name\":\"o\","
	    "\"kind\":\"email\",\"settings\":{\"addresses\":[\"o@shop.test\"]}}");
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = test_cp(id, fixture_users()->viewer);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = api("DELETE", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE object_type = 'contact_point'"
	    " AND object_id = $1 AND action = 'contact_point.delete'", ids), 1);
}

/*
 * The pages: a webhook made from the form with a secret header; its page
 * shows neither secret; a bad URL comes back at its field and changes
 * nothing; the test button says how it went; delete.
 */
static void t_pages(void)
{
	char *url = receiver_url(rcv, "/page-hook"), *fields, *loc;
	struct http_resp r;
	long long id, before;
	char path[64];

	fields = xasprintf("name=Page+hook&kind=webhook&url=%s&method=POST&format=goldwatch"
	    "&headers=X-Shop%%3A+gold&secret_headers=Authorization%%3A+Bearer+tok-a9f3-page"
	    "&secret=" SECRET "&addresses=&slack_url=&bot_token=&chat_id=&api_base=", url);
	r = admin_form("/contact-points", fields);
	free(fields);
	EXPECT_STATUS(r, 303);
	loc = http_header(&r, "Location");
	http_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
	id = atoll(loc + strlen("/contact-points/"));
	free(loc);
	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", id);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_JSTR(r, "settings.headers.X-Shop", "gold");
	EXPECT_JSTR(r, "secrets_set.0", "secret");
	EXPECT_JSTR(r, "secrets_set.1", "headers.Authorization");
	http_free(&r);
	snprintf(path, sizeof(path), "/contact-points/%lld", id);
	r = page_as(path, fixture_users()->admin);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_FALSE(shows_secret(r.body));
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "Authorization:\n") : NULL);
	http_free(&r);
	r = page_as(path, fixture_users()->viewer);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NULL(r.body ? strstr(r.body, "id=\"cp-form\"") : "");
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "id=\"cp-target\"") : NULL);
	http_free(&r);

	/* a bad URL: at its field, nothing changed */
	before = SQL_INT0("SELECT count(*) FROM audit_log WHERE object_type = 'contact_point'");
	r = admin_form(path, "name=Page+hook&kind=webhook&url=ftp%3A%2F%2Fx&method=POST"
	    "&format=goldwatch&headers=&secret_headers=Authorization%3A&secret=");
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "id=\"err-url\">URL must be") : NULL);
	CU_ASSERT_PTR_NOT_NULL(r.body ? strstr(r.body, "value=\"ftp://x\"") : NULL);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log WHERE object_type = 'contact_point'"),
	    before);

	/* the test button */
	receiver_clear(rcv);
	snprintf(path, sizeof(path), "/contact-points/%lld/test", id);
	r = admin_form(path, "x=1");
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(receiver_wait(rcv, 1, 5000), 1);

	snprintf(path, sizeof(path), "/contact-points/%lld/delete", id);
	r = admin_form(path, "confirm=1");
	EXPECT_STATUS(r, 303);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", id);
	r = api("GET", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 404);
	http_free(&r);
	free(url);
}

/*
 * Notification policies: PUT and GET agree; an unknown contact point or a
 * bad matcher is refused at its field and changes nothing; a contact point
 * a policy sends to cannot be deleted (409 naming the policy).
 */
static void t_policies(void)
{
	long long a = make_cp("{\"name\":\"Policy owner\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"owner@shop.test\"]}}");
	long long b = make_cp("{\"name\":\"Policy stock\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"stock@shop.test\"]}}");
	long long audits = SQL_INT0("SELECT count(*) FROM audit_log"
	    " WHERE object_type = 'notification_policies'");
	char *body, *bad, path[64];
	struct http_resp r;

	CU_ASSERT_FATAL(a > 0 && b > 0);
	body = xasprintf("{\"policies\":[{\"matchers\":{\"severity\":[\"critical\"]},"
	    "\"contact_points\":[%lld],\"continue\":true,\"group_wait_seconds\":0},"
	    "{\"matchers\":{\"category\":[\"operational\"]},\"contact_points\":[%lld],"
	    "\"repeat_minutes\":60}],\"default\":{\"contact_points\":[%lld]}}", a, b, a);
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, body);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = api("GET", "/api/notification-policies", fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	EXPECT_JSTR(r, "policies.0.matchers.severity.0", "critical");
	CU_ASSERT_EQUAL(jint(&r, "policies.0.contact_points.0"), a);
	CU_ASSERT_TRUE(json_is_true(jget(r.json, "policies.0.continue")));
	CU_ASSERT_EQUAL(jint(&r, "policies.0.group_wait_seconds"), 0);
	CU_ASSERT_EQUAL(jint(&r, "policies.1.repeat_minutes"), 60);
	CU_ASSERT_EQUAL(jint(&r, "policies.1.group_wait_seconds"), 30);
	CU_ASSERT_TRUE(json_is_null(jget(r.json, "policies.0.repeat_minutes")));
	CU_ASSERT_EQUAL(jint(&r, "default.contact_points.0"), a);
	http_free(&r);

	/* refused, nothing changed */
	bad = xasprintf("{\"policies\":[{\"contact_points\":[%lld]},{\"contact_points\":"
	    "[999999999]}]}", a);
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, bad);
	EXPECT_ERROR(r, 422, "unknown_contact_point");
	EXPECT_JSTR(r, "error.field", "policies.1.contact_points");
	http_free(&r);
	free(bad);
	r = api("PUT", "/api/notification-policies", fixture_users()->admin,
	    "{\"policies\":[{\"contact_points\":[1],\"matchers\":{\"kpi\":[\"no such key!\"]}}]}");
	EXPECT_STATUS(r, 422);
	EXPECT_JSTR(r, "error.field", "policies.0.matchers.kpi");
	http_free(&r);
	r = api("PUT", "/api/notification-policies", fixture_users()->operator_, body);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = api("GET", "/api/notification-policies", fixture_users()->viewer, NULL);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "policies")), 2);
	http_free(&r);

	/* in use: not deleted */
	snprintf(path, sizeof(path), "/api/contact-points/%lld", b);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	CU_ASSERT_EQUAL(jint(&r, "error.details.policies.0"), 1);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/contact-points/%lld", a);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	EXPECT_JSTR(r, "error.details.policies.1", "default");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM audit_log"
	    " WHERE object_type = 'notification_policies'"), audits + 1);
	/* emptied again: the suites after this one start from no policies */
	r = api("PUT", "/api/notification-policies", fixture_users()->admin, "{\"policies\":[]}");
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	free(body);
}

/*
 * Escalation policies: made, read, replaced; an unknown contact point is
 * refused at its level; a contact point a level names cannot be deleted.
 */
static void t_escalation_policies(void)
{
	long long cp = make_cp("{\"name\":\"Escalation owner\",\"kind\":\"email\",\"settings\":"
	    "{\"addresses\":[\"owner@shop.test\"]}}");
	char *body, path[64], cpath[64];
	struct http_resp r;
	long long id;

	CU_ASSERT_FATAL(cp > 0);
	body = xasprintf("{\"name\":\"Unanswered stock\",\"levels\":[{\"after_minutes\":15,"
	    "\"contact_points\":[%lld]},{\"after_minutes\":30,\"contact_points\":[%lld]}],"
	    "\"repeat\":1}", cp, cp);
	r = api("POST", "/api/escalation-policies", fixture_users()->admin, body);
	EXPECT_STATUS(r, 201);
	id = jint(&r, "id");
	CU_ASSERT_EQUAL(jint(&r, "levels.1.after_minutes"), 30);
	CU_ASSERT_EQUAL(jint(&r, "repeat"), 1);
	http_free(&r);
	r = api("POST", "/api/escalation-policies", fixture_users()->admin, body);
	EXPECT_ERROR(r, 409, "conflict");
	http_free(&r);
	free(body);
	snprintf(path, sizeof(path), "/api/escalation-policies/%lld", id);
	body = xasprintf("{\"name\":\"Unanswered stock\",\"levels\":[{\"after_minutes\":15,"
	    "\"contact_points\":[%lld]},{\"after_minutes\":30,\"contact_points\":[999999999]}]}",
	    cp);
	r = api("PUT", path, fixture_users()->admin, body);
	EXPECT_ERROR(r, 422, "unknown_contact_point");
	EXPECT_JSTR(r, "error.field", "levels.1.contact_points");
	http_free(&r);
	free(body);
	r = api("GET", path, fixture_users()->viewer, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "levels")), 2);
	http_free(&r);
	snprintf(cpath, sizeof(cpath), "/api/contact-points/%lld", cp);
	r = api("DELETE", cpath, fixture_users()->admin, NULL);
	EXPECT_ERROR(r, 409, "conflict");
	CU_ASSERT_EQUAL(jint(&r, "error.details.escalation_policies.0"), id);
	http_free(&r);
	r = api("DELETE", path, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	r = api("DELETE", cpath, fixture_users()->admin, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
}

/* Last: no secret of this suite in any log of the stack (nginx's included). */
static void t_no_secret_in_logs(void)
{
	CU_ASSERT_EQUAL(test_system("! grep -rqE 'tok-a9f3|" SECRET "|AAbbCC|T000/B000' '%s/log'",
	    test_env("GW_TEST_STACK")), 0);
}

void suite_contact_points(void)
{
	static const struct test_case cases[] = {
		{"a webhook's secrets: never shown, signed with, kept by a PUT of GET", t_webhook_secrets},
		{"the Alertmanager payload, version 4", t_alertmanager_format},
		{"Slack and Telegram at local fakes", t_chat_kinds},
		{"a receiver that fails, redirects, hangs or is not there", t_receiver_failures},
		{"bad bodies refused naming the field, nothing stored", t_bad_input},
		{"an e-mail contact point's test goes to the mail delivery", t_email_test},
		{"roles; delete is audited", t_roles_and_delete},
		{"the pages: make, show without secrets, refuse at the field, test, delete", t_pages},
		{"notification policies: PUT, GET, refusals; a used contact point stays", t_policies},
		{"escalation policies: made, refused at the level, a used contact point stays",
		    t_escalation_policies},
		{"no secret in any log", t_no_secret_in_logs},
		{NULL, NULL},
	};
	test_add_suite("contact_points", cp_init, cp_clean, cases);
}
