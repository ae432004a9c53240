/*
 * test_page_cache.c - a signed-in page kept a moment (cgi/page_cache.h):
 * the second request of a session is the kept page, gzipped, counted as a
 * hit; a change through the API, a rule or alert changed in the database
 * and the cache's age bound each end it; flashes, other sessions and
 * clients without gzip never get a kept page.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine.h"
#include "integration.h"
#include "metrics_scrape.h"
#include "testlib.h"
#include "util.h"

/* the stack's GOLDWATCH_PAGE_CACHE_MS: the default */
#define MAX_AGE_MS 1000

/* The page gunzipped (NULL when it is not gzip); caller frees. */
static char *gunzip(const struct http_resp *r)
{
	z_stream z = {0};
	struct buf out;
	char chunk[16384];
	int rc = Z_OK;

	if (r->len < 2 || (unsigned char)r->body[0] != 0x1f || inflateInit2(&z, 15 + 16) != Z_OK)
		return NULL;
	buf_init(&out);
	z.next_in = (Bytef *)r->body;
	z.avail_in = (uInt)r->len;
	while (rc == Z_OK) {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		buf_append(&out, chunk, sizeof(chunk) - z.avail_out);
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static double hits(void)
{
	struct http_resp r = scrape_as(NULL);
	double v = series(r.body ? r.body : "", "goldwatch_page_cache_requests_total",
	    "result=\"hit\"", NULL);

	http_free(&r);
	return v;
}

/* GET path as a browser signed in with session (gzip unless plain); the page as text. */
static char *cache_page_as(const char *session, const char *path, const char *accept, long *status)
{
	char cookie[512], enc[128];
	const char *h[] = {cookie, enc, NULL};
	struct http_resp r;
	char *ce, *text;

	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s", session);
	snprintf(enc, sizeof(enc), "Accept-Encoding: %s", accept ? accept : "identity");
	r = http_do("GET", path, h, NULL, 0);
	*status = r.status;
	ce = http_header(&r, "Content-Encoding");
	text = ce && strcmp(ce, "gzip") == 0 ? gunzip(&r) : xstrdup(r.body ? r.body : "");
	free(ce);
	http_free(&r);
	return text ? text : xstrdup("");
}

static char *page(const char *session, const char *path)
{
	long status;
	char *text = cache_page_as(session, path, "gzip, deflate, br", &status);

	CU_ASSERT_EQUAL(status, 200);
	return text;
}

static char *signed_in(char **csrf)
{
	return test_login("admin", test_env("GW_TEST_ADMIN_PASSWORD"), csrf);
}

static void t_second_is_kept(void)
{
	char *csrf = NULL, *s = signed_in(&csrf);
	double before = hits();
	char *first = page(s, "/rules?q=page-cache"), *second = page(s, "/rules?q=page-cache");

	/* the kept page is this session's, its CSRF token in its forms */
	CU_ASSERT_PTR_NOT_NULL(strstr(first, csrf));
	CU_ASSERT_STRING_EQUAL(first, second);
	CU_ASSERT_EQUAL(hits(), before + 1);
	free(first);
	free(second);
	free(s);
	free(csrf);
}

static void t_own_change_shows(void)
{
	char *s = signed_in(NULL), *before, *after;

	make_push_kpi("pc_value", 0);
	before = page(s, "/rules?q=pc-made");
	CU_ASSERT_PTR_NULL(strstr(before, "pc-made-by-api"));
	make_simple_rule("pc-made-by-api", "pc_value", "gt", 1, "");
	after = page(s, "/rules?q=pc-made");
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "pc-made-by-api"));
	free(before);
	free(after);
	free(s);
}

static void t_database_change_shows(void)
{
	char *s = signed_in(NULL), *before, *after;

	before = page(s, "/rules?q=pc-sql");
	CU_ASSERT_PTR_NULL(strstr(before, "pc-sql-rule"));
	/* a change no request of this process made: the read version moves */
	test_exec("WITH r AS (INSERT INTO alert_rules (name, kpi_key, condition, threshold, severity)"
	    " VALUES ('pc-sql-rule', 'pc_value', 'gt', 5, 'info') RETURNING id)"
	    " INSERT INTO rule_state (rule_id) SELECT id FROM r", 0, NULL);
	after = page(s, "/rules?q=pc-sql");
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "pc-sql-rule"));
	free(before);
	free(after);
	free(s);
}

static void t_age_bound(void)
{
	char *s = signed_in(NULL), *before, *kept, *after;
	double h;

	before = page(s, "/kpis");
	CU_ASSERT_PTR_NOT_NULL(strstr(before, "href=\"/kpis/pc_value\""));
	CU_ASSERT_PTR_NULL(strstr(before, "pc renamed"));
	/* a KPI renamed behind goldwatch's back moves no version */
	test_exec("UPDATE kpis SET name = 'pc renamed' WHERE key = 'pc_value'", 0, NULL);
	h = hits();
	kept = page(s, "/kpis");
	/* within the bound the kept page, as it was (a slow machine may be past it) */
	CU_ASSERT_TRUE(hits() != h + 1 || strcmp(kept, before) == 0);
	test_sleep_ms(MAX_AGE_MS + 200);
	after = page(s, "/kpis");
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "pc renamed"));
	free(before);
	free(kept);
	free(after);
	free(s);
}

static void t_never_kept(void)
{
	char *csrf_a = NULL, *csrf_b = NULL, *a = signed_in(&csrf_a), *b = signed_in(&csrf_b);
	char *pa = page(a, "/silences"), *pb = page(b, "/silences"), *plain, *refused;
	double h = hits();
	long status;

	/* another session gets its own page, never this one's token */
	CU_ASSERT_PTR_NOT_NULL(strstr(pb, csrf_b));
	CU_ASSERT_PTR_NULL(strstr(pb, csrf_a));
	/* no gzip asked, or gzip refused: rendered, plain */
	plain = cache_page_as(a, "/silences", "identity", &status);
	CU_ASSERT_EQUAL(status, 200);
	refused = cache_page_as(a, "/silences", "gzip;q=0, identity", &status);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(plain, "<!DOCTYPE html>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(refused, "<!DOCTYPE html>"));
	CU_ASSERT_EQUAL(hits(), h);
	free(pa);
	free(pb);
	free(plain);
	free(refused);
	free(a);
	free(b);
	free(csrf_a);
	free(csrf_b);
}

static void t_flash_not_kept(void)
{
	char cookie[600];
	const char *h[] = {cookie, "Accept-Encoding: gzip", NULL};
	char *s = signed_in(NULL), *kept = page(s, "/silences"), *text;
	double before = hits();
	struct http_resp r;

	/* the page after a form says what happened: rendered, the flash shown once */
	snprintf(cookie, sizeof(cookie), "Cookie: gw_session=%s; gw_flash=ok:Saved%%20it", s);
	r = http_do("GET", "/silences", h, NULL, 0);
	EXPECT_STATUS(r, 200);
	text = gunzip(&r);   /* nginx's gzip: goldwatch-api left it as rendered */
	CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "Saved it") : NULL);
	CU_ASSERT_EQUAL(hits(), before);
	free(text);
	http_free(&r);
	free(kept);
	free(s);
}

void suite_page_cache(void)
{
	static const struct test_case cases[] = {
		{"a session's second request is its kept page, gzipped", t_second_is_kept},
		{"a change through the API shows at once", t_own_change_shows},
		{"a rule changed in the database shows at once", t_database_change_shows},
		{"what moves no version shows within the age bound", t_age_bound},
		{"other sessions and clients without gzip never get a kept page", t_never_kept},
		{"a page with a flash is rendered, not kept", t_flash_not_kept},
		{NULL, NULL},
	};
	test_add_suite("page_cache", NULL, NULL, cases);
}
