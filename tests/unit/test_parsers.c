/*
 * test_parsers.c - the pure parsers of outside input that the fuzz targets
 * (fuzz/) run: query strings, forms, cookies, the history cursor, the
 * acknowledge token, ?after=. Inputs the fuzzers found are kept here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "cursor.h"
#include "params.h"
#include "testlib.h"
#include "unit.h"
#include "util.h"
#include "../../pusher/after.h"

static void t_params(void)
{
	struct pool *pool = pool_new();
	char many[PARAMS_MAX * 8] = "";
	struct kv *kv;

	CU_ASSERT_EQUAL(params_parse(pool, "a=1&&b=%41+c&flag", &kv), 3);
	CU_ASSERT_STRING_EQUAL(params_get(kv, 3, "b"), "A c");
	CU_ASSERT_STRING_EQUAL(params_get(kv, 3, "flag"), "");
	CU_ASSERT_PTR_NULL(params_get(kv, 3, "c"));
	CU_ASSERT_EQUAL(params_parse(pool, "a=1&a=2", &kv), -1);
	CU_ASSERT_EQUAL(params_parse(pool, "a=%00", &kv), -1);
	CU_ASSERT_EQUAL(params_parse(pool, "a=%4", &kv), -1);
	for (int i = 0; i <= PARAMS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "p%d=&", i);
	CU_ASSERT_EQUAL(params_parse(pool, many, &kv), -1);
	/* forms: UTF-8 text, raw and decoded */
	CU_ASSERT_EQUAL(params_parse_form(pool, "note=%E2%82%AC", 14, &kv), 1);
	CU_ASSERT_STRING_EQUAL(kv[0].value, "\xe2\x82\xac");
	CU_ASSERT_EQUAL(params_parse_form(pool, "note=%C3%28", 11, &kv), -1);
	CU_ASSERT_EQUAL(params_parse_form(pool, "note=%01", 8, &kv), -1);
	CU_ASSERT_EQUAL(params_parse_form(pool, "a=1\0b=2", 7, &kv), -1);
	/* line breaks as LF; a key without '=' (once a write to a literal) */
	CU_ASSERT_EQUAL(params_parse_form(pool, "d=a%0D%0Ab%0Dc&flag", 19, &kv), 2);
	CU_ASSERT_STRING_EQUAL(params_get(kv, 2, "d"), "a\nb\nc");
	CU_ASSERT_STRING_EQUAL(params_get(kv, 2, "flag"), "");
	pool_free(pool);
}

static void t_cookie(void)
{
	struct pool *pool = pool_new();

	CU_ASSERT_STRING_EQUAL(cookie_get(pool, "xgw_session=evil; gw_session=good ", "gw_session"),
	    "good");
	CU_ASSERT_STRING_EQUAL(cookie_get(pool, ";;gw_csrf=;gw_session=a", "gw_csrf"), "");
	CU_ASSERT_PTR_NULL(cookie_get(pool, "gw_sessionx=a; gw_session", "gw_session"));
	CU_ASSERT_PTR_NULL(cookie_get(pool, "", "gw_session"));
	pool_free(pool);
}

static char *b64(const char *text)
{
	static char out[128];

	base64url_encode((const unsigned char *)text, strlen(text), out);
	return out;
}

static void t_cursor(void)
{
	int64_t t, id;
	char *c = cursor_make(INT64_C(1764151200000000), 42);

	CU_ASSERT_EQUAL(cursor_parse(c, &t, &id), 0);
	CU_ASSERT_EQUAL(t, INT64_C(1764151200000000));
	CU_ASSERT_EQUAL(id, 42);
	free(c);
	CU_ASSERT_EQUAL(cursor_parse(b64("-2208988800000000.1"), &t, &id), 0);
	CU_ASSERT_EQUAL(cursor_parse(b64("253402300799999999.1"), &t, &id), 0);
	/* found by fuzz_cursor: a time below INT64_MIN + 999999 overflowed
	 * time_format_iso(); no time outside the years the API reads is one */
	CU_ASSERT_EQUAL(cursor_parse(b64("-99999999999999999999.1"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("-9223372036854775808.1"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("9223372036854775807.1"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("-2208988800000001.1"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("253402300800000000.1"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("1.0"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64("1.99999999999999999999"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse(b64(".5"), &t, &id), -1);
	CU_ASSERT_EQUAL(cursor_parse("garbage", &t, &id), -1);
}

static void t_ack_token(void)
{
	unsigned char key[crypto_auth_KEYBYTES] = {1, 2, 3};
	struct ack_token t = {.alert_id = 42, .user_id = 7, .expires = 1796000000,
	    .nonce = "AbCdEfGh-_012345"}, back;
	char tok[ACK_TOKEN_MAX], bad[ACK_TOKEN_MAX];

	ack_token_sign(key, &t, tok, sizeof(tok));
	CU_ASSERT_EQUAL(strncmp(tok, "42.7.1796000000.AbCdEfGh-_012345.", 33), 0);
	CU_ASSERT_EQUAL(ack_token_parse(tok, &back), 0);
	CU_ASSERT_EQUAL(back.alert_id, 42);
	CU_ASSERT_EQUAL(back.user_id, 7);
	CU_ASSERT_EQUAL(back.expires, 1796000000);
	CU_ASSERT_STRING_EQUAL(back.nonce, t.nonce);
	CU_ASSERT_TRUE(ack_token_signed(key, tok));
	/* another mac, another payload, another key */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	CU_ASSERT_FALSE(ack_token_signed(key, bad));
	snprintf(bad, sizeof(bad), "43%s", tok + 2);
	CU_ASSERT_FALSE(ack_token_signed(key, bad));
	key[0] = 9;
	CU_ASSERT_FALSE(ack_token_signed(key, tok));
	/* malformed: signs, spaces, zero ids, short or dotted nonces, no mac */
	CU_ASSERT_EQUAL(ack_token_parse("+42.7.1796000000.AbCdEfGh-_012345.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse(" 42.7.1796000000.AbCdEfGh-_012345.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse("0.7.1796000000.AbCdEfGh-_012345.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse("42.7.1796000000.short.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse("42.7.1796000000.AbCdEfGh.-012345.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse("99999999999999999999.7.1.AbCdEfGh-_012345.mac", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse("42.7.1796000000.AbCdEfGh-_012345", &back), -1);
	CU_ASSERT_EQUAL(ack_token_parse(NULL, &back), -1);
}

static void t_after(void)
{
	int64_t after;

	CU_ASSERT_EQUAL(after_parse(NULL, &after), 0);
	CU_ASSERT_EQUAL(after, -1);
	CU_ASSERT_EQUAL(after_parse("0", &after), 0);
	CU_ASSERT_EQUAL(after, 0);
	CU_ASSERT_EQUAL(after_parse("9223372036854775807", &after), 0);
	CU_ASSERT_EQUAL(after, INT64_MAX);
	CU_ASSERT_EQUAL(after_parse("9223372036854775808", &after), -1);
	CU_ASSERT_EQUAL(after_parse("-1", &after), -1);
	CU_ASSERT_EQUAL(after_parse("", &after), -1);
	CU_ASSERT_EQUAL(after_parse("0x10", &after), -1);
	CU_ASSERT_EQUAL(after_parse(" 5", &after), -1);
}

void suite_parsers(void)
{
	static const struct test_case cases[] = {
		{"query strings and forms", t_params},
		{"cookies", t_cookie},
		{"history cursor", t_cursor},
		{"acknowledge token", t_ack_token},
		{"websocket after", t_after},
		{NULL, NULL},
	};
	test_add_suite("parsers", NULL, NULL, cases);
}
