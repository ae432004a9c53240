/*
 * test_tokens.c - managing credentials: the admin's list of API tokens
 * (never the secret), expiry, revoking (the token's WebSocket closed at
 * once), its last use kept at most once a minute; a user's sessions, seen
 * and ended by the user or an admin (their WebSockets closed too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"
#include "wsclient.h"

/* More than the API's auth cache (GOLDWATCH_AUTH_CACHE_MS, 1 s). */
#define PAST_CACHE_MS 1300

/* A new token of the admin named name: the secret (caller frees), *id. */
static char *new_token(const char *name, const char *extra, long long *id)
{
	char body[256];
	struct http_resp r;
	char *tok;

	snprintf(body, sizeof(body), "{\"name\":\"%s\"%s}", name, extra ? extra : "");
	r = api("POST", "/api/auth/tokens", fixture_users()->admin, body);
	EXPECT_STATUS(r, 201);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jstr(&r, "token"));
	tok = xstrdup(jstr(&r, "token"));
	*id = jint(&r, "id");
	http_free(&r);
	return tok;
}

/* The list's entry of token id (a new reference), or NULL. */
static json_t *listed(long long id, char **body_out)
{
	struct http_resp r = api("GET", "/api/auth/tokens", fixture_users()->admin, NULL);
	json_t *items, *it, *found = NULL;
	size_t i;

	EXPECT_STATUS(r, 200);
	items = jget(r.json, "items");
	CU_ASSERT_TRUE_FATAL(json_is_array(items));
	json_array_foreach(items, i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			found = json_incref(it);
	if (body_out)
		*body_out = xstrdup(r.body);
	http_free(&r);
	return found;
}

static int me_status(const char *token)
{
	struct http_resp r = api("GET", "/api/auth/me", token, NULL);
	int s = (int)r.status;

	http_free(&r);
	return s;
}

static void t_list(void)
{
	long long id, admin_id = SQL_INT0("SELECT id FROM users WHERE username = 'admin'");
	char *tok = new_token("listed", NULL, &id), *body = NULL;
	char ids[24], *hash;
	json_t *t;

	snprintf(ids, sizeof(ids), "%lld", id);
	hash = test_sql_str("SELECT token_hash FROM api_tokens WHERE id = $1::bigint", 1, TP(ids));
	t = listed(id, &body);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "name")), "listed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t, "role")), "admin");
	CU_ASSERT_EQUAL(json_integer_value(jget(t, "owner.id")), admin_id);
	CU_ASSERT_STRING_EQUAL(json_string_value(jget(t, "owner.username")), "admin");
	CU_ASSERT_TRUE(json_is_string(json_object_get(t, "created_at")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(t, "last_used_at")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(t, "expires_at")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(t, "active")));
	/* never the secret, nor its hash */
	CU_ASSERT_PTR_NULL(json_object_get(t, "token"));
	CU_ASSERT_PTR_NULL(strstr(body, tok));
	CU_ASSERT_PTR_NULL(strstr(body, tok + 4));
	CU_ASSERT_PTR_NULL(strstr(body, hash));
	CU_ASSERT_PTR_NULL(strstr(body, "token_hash"));
	json_decref(t);
	/* the list is the admin's */
	{
		struct http_resp r = api("GET", "/api/auth/tokens", fixture_users()->operator_, NULL);
		EXPECT_ERROR(r, 403, "forbidden");
		http_free(&r);
	}
	free(body);
	free(hash);
	free(tok);
}

/*
 * Token id was last used ago seconds before (-1: leave it); one request
 * with tok past the API's cache: 1 if last_used_at is now within 10 s.
 */
static int used_now_after(const char *tok, const char *id, int ago)
{
	char secs[16];

	snprintf(secs, sizeof(secs), "%d", ago);
	if (ago >= 0) {
		test_exec("UPDATE api_tokens SET last_used_at = now() - make_interval(secs => $2::int)"
		    " WHERE id = $1::bigint", 2, TP(id, secs));
		test_sleep_ms(PAST_CACHE_MS);
	}
	CU_ASSERT_EQUAL(me_status(tok), 200);
	return (int)SQL_INT("SELECT count(*) FROM api_tokens WHERE id = $1::bigint"
	    " AND last_used_at > now() - interval '10 seconds'", id);
}

static void t_last_used_cheap(void)
{
	long long id;
	char *tok = new_token("used", NULL, &id), ids[24];
	json_t *t;

	snprintf(ids, sizeof(ids), "%lld", id);
	CU_ASSERT_EQUAL(used_now_after(tok, ids, -1), 1);
	/* used 30 s ago: another request within the minute writes nothing */
	CU_ASSERT_EQUAL(used_now_after(tok, ids, 30), 0);
	/* a minute old: the next use moves it */
	CU_ASSERT_EQUAL(used_now_after(tok, ids, 61), 1);
	t = listed(id, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(json_is_string(json_object_get(t, "last_used_at")));
	json_decref(t);
	free(tok);
}

static void t_expires_at(void)
{
	const struct fixture_users *u = fixture_users();
	long long id;
	char *tok, ids[24], *soon = test_sql_str(
	    "SELECT to_char((now() + interval '2 days') AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", 0, NULL), extra[96];
	static const char *const bad[] = {
		"{\"name\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"}",
		"{\"name\":\"x\",\"expires_at\":\"tomorrow\"}",
		"{\"name\":\"x\",\"expires_at\":\"2999-01-01T00:00:00Z\",\"expires_days\":3}",
	};
	long long before = SQL_INT0("SELECT count(*) FROM api_tokens");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_resp r = api("POST", "/api/auth/tokens", u->admin, bad[i]);
		EXPECT_STATUS(r, 422);
		EXPECT_JSTR(r, "error.field", "expires_at");
		http_free(&r);
	}
	CU_ASSERT_EQUAL(SQL_INT0("SELECT count(*) FROM api_tokens"), before);
	snprintf(extra, sizeof(extra), ",\"expires_at\":\"%s\"", soon);
	tok = new_token("expiring", extra, &id);
	snprintf(ids, sizeof(ids), "%lld", id);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM api_tokens WHERE id = $1::bigint"
	    " AND expires_at = $2::timestamptz", ids, soon), 1);
	CU_ASSERT_EQUAL(me_status(tok), 200);
	/* once past its expiry it is refused like a revoked one */
	test_exec("UPDATE api_tokens SET expires_at = now() - interval '1 second'"
	    " WHERE id = $1::bigint", 1, TP(ids));
	test_sleep_ms(PAST_CACHE_MS);
	CU_ASSERT_EQUAL(me_status(tok), 401);
	free(soon);
	free(tok);
}

/* A socket opened with credential (a token in the query, or a session cookie). */
static struct ws_client *ws_with(const char *query, const char *cookie)
{
	struct ws_client *c = NULL;
	long status = 0;

	for (int i = 0; i < 50 && c == NULL; i++) {
		c = ws_open(WS_NGINX, query, cookie, &status);
		if (c == NULL && status != 502 && status != 503 && status != 0)
			break;
		if (c == NULL)
			test_sleep_ms(100);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static void t_revoke(void)
{
	const struct fixture_users *u = fixture_users();
	long long id, other_id;
	char *tok = new_token("revoked", NULL, &id), *other = new_token("bystander", NULL, &other_id);
	char *q = xasprintf("token=%s", tok), *q2 = xasprintf("token=%s", other);
	char path[64], ids[24];
	struct ws_client *ws = ws_with(q, NULL), *ws2 = ws_with(q2, NULL);
	struct http_resp r;
	json_t *t;

	snprintf(ids, sizeof(ids), "%lld", id);
	CU_ASSERT_EQUAL(me_status(tok), 200);
	snprintf(path, sizeof(path), "/api/auth/tokens/%lld", id);
	r = api("DELETE", path, u->operator_, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_TRUE(json_is_string(jget(r.json, "revoked_at")));
	CU_ASSERT_PTR_NULL(strstr(r.body ? r.body : "", tok + 4));
	http_free(&r);
	/* at once: the next request and the open socket */
	CU_ASSERT_EQUAL(me_status(tok), 401);
	CU_ASSERT_EQUAL(ws_wait_closed(ws, 3000, NULL, 0), 4001);
	CU_ASSERT_EQUAL(ws_wait_closed(ws2, 10, NULL, 0), -1);
	CU_ASSERT_EQUAL(me_status(other), 200);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"
	    " AND object_type = 'api_token' AND object_id = $1", ids), 1);
	t = listed(id, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(json_is_false(json_object_get(t, "active")));
	json_decref(t);
	/* twice, or a token that is not there: 404, nothing changes */
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	r = api("DELETE", "/api/auth/tokens/999999999", u->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"
	    " AND object_id = $1", ids), 1);
	ws_free(ws);
	ws_free(ws2);
	free(q);
	free(q2);
	free(tok);
	free(other);
}

static void t_sessions(void)
{
	const struct fixture_users *u = fixture_users();
	char *a, *b, *other, *cookie, path[64], ids[24];
	long long id;
	struct http_resp r;
	struct ws_client *ws;
	json_t *it;
	size_t i;
	int current = 0;

	test_user("sessioned", "sessioned-password-1", "viewer");
	test_user("nosy", "nosy-password-123", "operator");
	id = SQL_INT("SELECT id FROM users WHERE username = $1", "sessioned");
	snprintf(ids, sizeof(ids), "%lld", id);
	test_exec("DELETE FROM sessions WHERE user_id = $1::bigint", 1, TP(ids));
	a = test_login("sessioned", "sessioned-password-1", NULL);
	b = test_login("sessioned", "sessioned-password-1", NULL);
	other = test_login("nosy", "nosy-password-123", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	cookie = xasprintf("gw_session=%s", b);
	ws = ws_with(NULL, cookie);
	snprintf(path, sizeof(path), "/api/users/%lld/sessions", id);
	/* the user's own: both, the one asking marked current */
	r = api("GET", path, a, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 2);
	json_array_foreach(jget(r.json, "items"), i, it) {
		CU_ASSERT_TRUE(json_is_string(json_object_get(it, "created_at")));
		CU_ASSERT_TRUE(json_is_string(json_object_get(it, "expires_at")));
		CU_ASSERT_PTR_NOT_NULL(json_object_get(it, "last_seen_at"));
		CU_ASSERT_PTR_NULL(json_object_get(it, "token_hash"));
		current += json_is_true(json_object_get(it, "current"));
	}
	CU_ASSERT_EQUAL(current, 1);
	CU_ASSERT_PTR_NULL(strstr(r.body, a + 4));
	http_free(&r);
	/* another user may neither see nor end them; an admin may */
	r = api("GET", path, other, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	r = api("DELETE", path, other, NULL);
	EXPECT_ERROR(r, 403, "forbidden");
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(a), 200);
	r = api("GET", path, u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(json_array_size(jget(r.json, "items")), 2);
	http_free(&r);
	r = api("GET", "/api/users/999999999/sessions", u->admin, NULL);
	EXPECT_ERROR(r, 404, "not_found");
	http_free(&r);
	/* the user ends them all */
	r = api("DELETE", path, a, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "ended"), 2);
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(a), 401);
	CU_ASSERT_EQUAL(me_status(b), 401);
	CU_ASSERT_EQUAL(me_status(other), 200);
	CU_ASSERT_EQUAL(ws_wait_closed(ws, 3000, NULL, 0), 4001);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM audit_log WHERE action = 'user.sessions_end'"
	    " AND object_id = $1", ids), 1);
	/* an admin ends another user's */
	free(a);
	a = test_login("sessioned", "sessioned-password-1", NULL);
	r = api("DELETE", path, u->admin, NULL);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_EQUAL(jint(&r, "ended"), 1);
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(a), 401);
	ws_free(ws);
	free(cookie);
	free(a);
	free(b);
	free(other);
}

/* ------------------------------------------------------------------ */
/* the pages, as a browser without JavaScript uses them                */

struct browser {
	char *session, *csrf, cookie[256];
};

static void browser_login(struct browser *b, const char *user, const char *password)
{
	b->session = test_login(user, password, &b->csrf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->session);
	snprintf(b->cookie, sizeof(b->cookie), "Cookie: gw_session=%s", b->session);
}

static void browser_free(struct browser *b)
{
	free(b->session);
	free(b->csrf);
}

static struct http_resp page_get(const struct browser *b, const char *path)
{
	const char *h[] = {b->cookie, NULL};
	return http_do("GET", path, h, NULL, 0);
}

/* body without its _csrf; with_csrf 0 leaves it out (a forged form) */
static struct http_resp page_post(const struct browser *b, const char *path, const char *body,
    int with_csrf)
{
	const char *h[] = {b->cookie, "Content-Type: application/x-www-form-urlencoded", NULL};
	char *full = with_csrf ? xasprintf("_csrf=%s&%s", b->csrf, body) : xstrdup(body);
	struct http_resp r = http_do("POST", path, h, full, strlen(full));

	free(full);
	return r;
}

static void t_tokens_page(void)
{
	struct browser admin, viewer;
	struct http_resp r;
	char *tok, *end, *hdr, path[64];
	long long id;

	browser_login(&admin, "admin", test_env("GW_TEST_ADMIN_PASSWORD"));
	browser_login(&viewer, "viewer1", PASSWORD_VIEWER);
	r = page_get(&viewer, "/tokens");
	EXPECT_STATUS(r, 403);
	http_free(&r);
	r = page_post(&admin, "/tokens", "name=page+token", 0);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM api_tokens WHERE name = $1", "page token"), 0);
	/* a refused form says why at the field */
	r = page_post(&admin, "/tokens", "name=", 1);
	EXPECT_STATUS(r, 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "id=\"err-name\">Enter a name for the token"));
	http_free(&r);
	/* made: shown once, on this answer only */
	r = page_post(&admin, "/tokens", "name=page+token&expires_days=30", 1);
	EXPECT_STATUS(r, 201);
	hdr = http_header(&r, "Cache-Control");
	CU_ASSERT_TRUE(hdr != NULL && strstr(hdr, "no-store") != NULL);
	free(hdr);
	tok = strstr(r.body, "value=\"gwt_");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
	tok = xstrdup(tok + 7);
	if ((end = strchr(tok, '"')) != NULL)
		*end = '\0';
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(tok), 200);
	id = SQL_INT("SELECT id FROM api_tokens WHERE name = $1", "page token");
	CU_ASSERT_EQUAL(SQL_INT("SELECT count(*) FROM api_tokens WHERE name = $1"
	    " AND expires_at > now() + interval '29 days'", "page token"), 1);
	/* listed without it; revoked from the page */
	r = page_get(&admin, "/tokens");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "page token"));
	CU_ASSERT_PTR_NULL(strstr(r.body, tok));
	http_free(&r);
	snprintf(path, sizeof(path), "/tokens/%lld/revoke", id);
	r = page_post(&admin, path, "confirm=1", 1);
	EXPECT_STATUS(r, 303);
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(tok), 401);
	free(tok);
	browser_free(&admin);
	browser_free(&viewer);
}

static void t_account_page(void)
{
	struct browser me, other, admin;
	char path[64], end_path[80], ids[24];
	struct http_resp r;
	char *loc;
	long long id;

	test_user("pager", "pager-password-12", "viewer");
	id = SQL_INT("SELECT id FROM users WHERE username = $1", "pager");
	snprintf(ids, sizeof(ids), "%lld", id);
	test_exec("DELETE FROM sessions WHERE user_id = $1::bigint", 1, TP(ids));
	browser_login(&other, "pager", "pager-password-12");
	browser_login(&me, "pager", "pager-password-12");
	browser_login(&admin, "admin", test_env("GW_TEST_ADMIN_PASSWORD"));
	r = page_get(&me, "/account");
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Your account"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "this one"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "Every user's sessions"));
	http_free(&r);
	/* someone else's: the admin's business only */
	snprintf(path, sizeof(path), "/users/%lld/sessions",
	    SQL_INT0("SELECT id FROM users WHERE username = 'viewer1'"));
	r = page_get(&me, path);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	snprintf(path, sizeof(path), "/users/%lld/sessions", id);
	r = page_get(&admin, path);
	EXPECT_STATUS(r, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Sessions of pager"));
	http_free(&r);
	/* ending one's own: every one, then the sign-in page */
	snprintf(end_path, sizeof(end_path), "/users/%lld/sessions/end", id);
	r = page_post(&me, end_path, "confirm=1", 0);
	EXPECT_STATUS(r, 403);
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(other.session), 200);
	r = page_post(&me, end_path, "confirm=1", 1);
	EXPECT_STATUS(r, 303);
	loc = http_header(&r, "Location");
	CU_ASSERT_STRING_EQUAL(loc ? loc : "", "/login");
	free(loc);
	http_free(&r);
	CU_ASSERT_EQUAL(me_status(me.session), 401);
	CU_ASSERT_EQUAL(me_status(other.session), 401);
	CU_ASSERT_EQUAL(me_status(admin.session), 200);
	browser_free(&me);
	browser_free(&other);
	browser_free(&admin);
}

void suite_tokens(void)
{
	static const struct test_case cases[] = {
		{"the admin lists tokens with owner and use, never the secret", t_list},
		{"last_used_at is written at most once a minute", t_last_used_cheap},
		{"expires_at: in the future or 422; expired is refused", t_expires_at},
		{"revoking a token refuses it and closes its WebSocket at once", t_revoke},
		{"a user's sessions: listed and ended by the user or an admin", t_sessions},
		{"the tokens page: make (shown once), list, revoke; CSRF", t_tokens_page},
		{"the account page and an admin's view of a user's sessions", t_account_page},
		{NULL, NULL},
	};
	test_add_suite("tokens", NULL, NULL, cases);
}
