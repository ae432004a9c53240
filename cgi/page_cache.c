/*
 * page_cache.c - see page_cache.h. A kept page is one read cache entry:
 * its Content-Type, a NUL, its header lines (Content-Encoding among
 * them), a NUL, and its gzipped body.
 */
#include "page_cache.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth.h"
#include "gzip.h"
#include "prom.h"
#include "read_cache.h"
#include "read_version.h"

#define KEY_MAX 600   /* a longer address is not kept */

static int64_t max_age_us;
/* moves with every change made here: a key holds the one it was read at */
static atomic_ulong generation = 1;
static atomic_ulong hits, misses;

void page_cache_init(int64_t max_age_ms)
{
	max_age_us = max_age_ms * 1000;
}

void page_cache_forget(void)
{
	atomic_fetch_add(&generation, 1);
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Whether the parameters of one Accept-Encoding element say q=0 (0.0, 0.000). */
static int refused(const char *p, const char *end)
{
	while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
		p = skip_ows(p + 1, end);
		if (end - p < 3 || strncasecmp(p, "q=", 2) != 0)
			continue;
		p += 2;
		if (*p++ != '0')
			return 0;
		if (p < end && *p == '.')
			p++;
		while (p < end && *p == '0')
			p++;
		return skip_ows(p, end) == end;
	}
	return 0;
}

/* Whether an Accept-Encoding list takes gzip: named (or "*") and not refused. */
static int takes_gzip(const char *list)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n;

		if (end == NULL)
			end = p + strlen(p);
		p = skip_ows(p, end);
		n = strcspn(p, " \t;,");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) || (n == 1 && *p == '*'))
			return !refused(p + n, end);
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/* Whether req's answer is one a page cache keeps: see page_cache.h. */
static int keepable(struct request *req)
{
	const char *flash;

	if (max_age_us <= 0 || !read_cache_enabled() || req->method != M_GET ||
	    !(req->route->flags & ROUTE_PAGE) || !req->authenticated ||
	    req->session_token == NULL || !takes_gzip(req->accept_encoding))
		return 0;
	flash = req_cookie(req, "gw_flash");
	return flash == NULL || *flash == '\0';
}

int page_cache_serve(struct request *req)
{
	char hash[AUTH_HASH_HEX], key[KEY_MAX + 128];
	struct buf kept;
	const char *headers, *body;
	int64_t version;
	int n;

	if (!keepable(req))
		return 0;
	auth_token_hash(req->session_token, hash);
	n = snprintf(key, sizeof(key), "page\x01%lu\x01%s\x01%s",
	    atomic_load(&generation), hash, req->uri);
	if (n < 0 || (size_t)n >= sizeof(key) || strlen(req->uri) > KEY_MAX)
		return 0;
	if (read_version(req->db, &version) < 0)
		return 503;
	buf_init(&kept);
	if (!read_cache_get(key, version, time_now_us(), &kept)) {
		buf_free(&kept);
		atomic_fetch_add(&misses, 1);
		req->page_key = pool_strdup(req->pool, key);
		req->page_version = version;
		return 0;
	}
	atomic_fetch_add(&hits, 1);
	headers = kept.data + strlen(kept.data) + 1;
	body = headers + strlen(headers) + 1;
	req->resp_type = pool_strdup(req->pool, kept.data);
	buf_puts(&req->resp_headers, headers);
	buf_reset(&req->resp_body);
	buf_append(&req->resp_body, body, kept.len - (size_t)(body - kept.data));
	buf_free(&kept);
	req->status = 200;
	return 200;
}

void page_cache_keep(struct request *req)
{
	struct buf gz, entry;

	if (req->page_key == NULL || req->status != 200 || req->resp_type == NULL ||
	    (req->resp_headers.len && strstr(req->resp_headers.data, "Set-Cookie:")))
		return;
	buf_init(&gz);
	if (gzip_buf(req->resp_body.data ? req->resp_body.data : "", req->resp_body.len, &gz) < 0) {
		buf_free(&gz);
		return;   /* sent as rendered, nginx compresses it */
	}
	req_header(req, "Content-Encoding: gzip");
	req_header(req, "Vary: Accept-Encoding");
	buf_init(&entry);
	buf_puts(&entry, req->resp_type);
	buf_putc(&entry, '\0');
	buf_append(&entry, req->resp_headers.data, req->resp_headers.len);
	buf_putc(&entry, '\0');
	buf_append(&entry, gz.data, gz.len);
	read_cache_put(req->page_key, req->page_version, time_now_us() + max_age_us,
	    entry.data, entry.len);
	buf_free(&entry);
	/* this answer goes as it is kept */
	buf_free(&req->resp_body);
	req->resp_body = gz;
}

void page_cache_write(struct buf *out, const char *instance)
{
	prom_family(out, "goldwatch_page_cache_requests_total", "counter",
	    "Signed-in page requests that could be answered from this API process's page"
	    " cache, by result: hit (served again, gzipped) or miss (rendered and kept).");
	prom_sample(out, "goldwatch_page_cache_requests_total",
	    (const char *[]){"instance", instance, "result", "hit", NULL},
	    (double)atomic_load(&hits));
	prom_sample(out, "goldwatch_page_cache_requests_total",
	    (const char *[]){"instance", instance, "result", "miss", NULL},
	    (double)atomic_load(&misses));
}
