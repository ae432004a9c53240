/*
 * test_nginx.c - what nginx itself answers and writes, through raw sockets
 * against the test stack's nginx: its own errors (a NUL in the path, a
 * 100 KB URI, an oversized header or cookie, a bad chunked body,
 * Transfer-Encoding with Content-Length) are the JSON error body under
 * /api and an HTML page elsewhere; goldwatch-api or the pusher down is a
 * 503 with Retry-After; a client that trickles its header or body is cut
 * off within the bound; connections per address are limited; and no
 * credential reaches any log of the stack, the failing paths included;
 * pages, JSON, CSS and JS are gzipped for a client that accepts it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "integration.h"
#include "testlib.h"
#include "util.h"
#include "wsclient.h"

#define UPGRADE_HEADERS "Connection: Upgrade\r\nUpgrade: websocket\r\n" \
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

static int nginx_port(void)
{
	const char *u = strrchr(test_base_url(), ':');
	return u ? atoi(u + 1) : 0;
}

/* A TCP connection to the test stack's nginx, or -1. */
static int nginx_connect(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)nginx_port());
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Reads until the server closes or timeout_ms of silence; 1 if it closed. */
static int read_all(int fd, struct buf *b, int timeout_ms)
{
	char chunk[65536];
	struct pollfd p = {fd, POLLIN, 0};

	while (poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			return 1;
		buf_append(b, chunk, (size_t)n);
	}
	return 0;
}

/* Sends data as it is and parses the answer (status, headers, JSON body). */
static struct http_resp raw(const char *data, size_t len)
{
	struct http_resp r = {0};
	struct buf b;
	int fd = nginx_connect();
	const char *sep;

	CU_ASSERT_FATAL(fd >= 0);
	buf_init(&b);
	/* nginx may answer and close before taking it all: that is fine */
	(void)send(fd, data, len, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	read_all(fd, &b, 5000);
	close(fd);
	buf_putc(&b, '\0');
	if (b.len > 13 && strncmp(b.data, "HTTP/1.1 ", 9) == 0)
		r.status = strtol(b.data + 9, NULL, 10);
	sep = b.data ? strstr(b.data, "\r\n\r\n") : NULL;
	if (sep) {
		r.headers = xstrndup(b.data, (size_t)(sep - b.data) + 2);
		r.body = xstrdup(sep + 4);
		r.len = strlen(r.body);
		r.json = json_loads(r.body, 0, NULL);
	}
	buf_free(&b);
	return r;
}

static struct http_resp raw_str(const char *s)
{
	return raw(s, strlen(s));
}

/* The answer is the page kind wanted: JSON error body, or an HTML page. */
static void expect_kind(struct http_resp *r, int status, const char *code, const char *what)
{
	char *ct = http_header(r, "Content-Type");

	if (r->status != status || ct == NULL || (code ? strcmp(ct, "application/json") != 0 :
	    strncmp(ct, "text/html", 9) != 0))
		fprintf(stderr, "\n    %s: %ld %s, want %d %s\n", what, r->status, ct ? ct : "-",
		    status, code ? "JSON" : "HTML");
	if (code) {
		EXPECT_ERROR(*r, status, code);
		CU_ASSERT_STRING_EQUAL(ct ? ct : "-", "application/json");
	} else {
		EXPECT_STATUS(*r, status);
		CU_ASSERT_TRUE(ct && strncmp(ct, "text/html", 9) == 0);
		CU_ASSERT_TRUE(r->body && strstr(r->body, "<!DOCTYPE html>"));
	}
	free(ct);
}

/*
 * Requests nginx refuses itself. Each format takes the path, then the
 * filler (100 KB of 'a'; a precision takes part of it, %.0s none).
 */
static const struct {
	const char *fmt;
	int status;
	const char *code, *what;
} own_errors[] = {
	{"GET %s%%00x HTTP/1.1\r\nHost: h\r\n\r\n%.0s", 400, "bad_request", "NUL in the path"},
	{"GET %s?q=%s HTTP/1.1\r\nHost: h\r\n\r\n", 414, "uri_too_long", "100 KB URI"},
	{"GET %s HTTP/1.1\r\nHost: h\r\nX-Filler: %.20000s\r\n\r\n", 400,
	    "request_header_too_large", "20 KB header"},
	{"GET %s HTTP/1.1\r\nHost: h\r\nCookie: gw_session=%.40000s\r\n\r\n", 400,
	    "request_header_too_large", "40 KB cookie"},
	{"POST %s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n%.0s", 400,
	    "bad_request", "bad chunk size"},
	{"POST %s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"
	    "Content-Type: application/json\r\n\r\n0\r\n\r\n%.0s", 400, "bad_request",
	    "Transfer-Encoding with Content-Length"},
	{"GET %s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n%.0s", 501,
	    "not_implemented", "unknown transfer coding"},
};

static void t_own_errors(void)
{
	/* under /api: JSON; a page path and the WebSocket's path too */
	static const char *const paths[] = {"/api/alerts/rules", "/api/alerts/ws", "/rules"};
	char *filler = xcalloc(100 * 1024 + 1, 1);
	struct http_resp r;

	memset(filler, 'a', 100 * 1024);
	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
		int json = strncmp(paths[k], "/api/", 5) == 0;
		for (size_t i = 0; i < sizeof(own_errors) / sizeof(own_errors[0]); i++) {
			char *req = xasprintf(own_errors[i].fmt, paths[k], filler);
			char *what = xasprintf("%s, %s", own_errors[i].what, paths[k]);
			r = raw_str(req);
			expect_kind(&r, own_errors[i].status, json ? own_errors[i].code : NULL, what);
			http_free(&r);
			free(what);
			free(req);
		}
	}
	/* a 404 of nginx's own outside /api is its HTML page */
	r = raw_str("GET /static/no-such-file.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	expect_kind(&r, 404, NULL, "missing static file");
	http_free(&r);
	free(filler);
}

static void expect_503(const char *req, int json, const char *what)
{
	struct http_resp r = raw_str(req);
	char *retry = http_header(&r, "Retry-After");

	expect_kind(&r, 503, json ? "service_unavailable" : NULL, what);
	CU_ASSERT_STRING_EQUAL(retry ? retry : "(none)", "5");
	free(retry);
	http_free(&r);
}

/* goldwatch-api or the pusher down: 503 with Retry-After, not nginx's 502. */
static void t_upstream_down(void)
{
	const char *ws = "GET /api/alerts/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n" UPGRADE_HEADERS "\r\n";

	CU_ASSERT_EQUAL_FATAL(test_stack("api-stop"), 0);
	expect_503("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1, "API down");
	expect_503("POST /api/alerts/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Length: 0\r\n\r\n", 1, "API down, a POST");
	expect_503("GET /alerts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 0, "pages down");
	CU_ASSERT_EQUAL_FATAL(test_stack("api-start"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-stop"), 0);
	expect_503(ws, 1, "pusher down");
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-start"), 0);
}

/*
 * Sends head, then one byte of rest every gap_ms; returns the ms from the
 * start until nginx closed the connection (or -1 if it never did within
 * limit_ms).
 */
static long trickle(const char *head, const char *rest, int gap_ms, int limit_ms)
{
	int fd = nginx_connect();
	int64_t start = time_mono_us();
	struct buf b;
	long closed = -1;

	CU_ASSERT_FATAL(fd >= 0);
	buf_init(&b);
	(void)send(fd, head, strlen(head), MSG_NOSIGNAL);
	for (size_t i = 0; closed < 0 && (time_mono_us() - start) / 1000 < limit_ms; i++) {
		if (read_all(fd, &b, gap_ms) ||
		    (rest[i % strlen(rest)] && send(fd, rest + i % strlen(rest), 1, MSG_NOSIGNAL) < 0))
			closed = (long)((time_mono_us() - start) / 1000);
	}
	close(fd);
	buf_free(&b);
	return closed;
}

/*
 * A body that moves a byte every 5 s is cut off at the first 4 s pause; a
 * header trickled a byte a second is cut off at 10 s, however it moves.
 */
static void t_slow_clients_cut_off(void)
{
	long body = trickle("POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
	    "\"", 5000, 20000);
	long head = trickle("GET /api/health HTTP/1.1\r\n", "X-Slow: abcdefghijklmnopqrstuvwxyz\r\n",
	    1000, 20000);

	if (body < 0 || body > 5000 || head < 0 || head > 12000)
		fprintf(stderr, "\n    body cut off after %ld ms, header after %ld ms\n", body, head);
	CU_ASSERT_TRUE(body >= 3500 && body <= 5000);
	CU_ASSERT_TRUE(head >= 9500 && head <= 12000);
}

/* The connections being served per address are limited: the next gets 429. */
static void t_connections_per_address(void)
{
	const struct fixture_users *u = fixture_users();
	char *cookie = xasprintf("gw_session=%s", u->viewer);
	struct ws_client *ws[3];
	struct http_resp r;

	CU_ASSERT_EQUAL_FATAL(test_stack("nginx-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack_env("GOLDWATCH_CONN_LIMIT=3", "nginx-start"), 0);
	for (int i = 0; i < 3; i++) {
		ws[i] = ws_open(WS_NGINX, NULL, cookie, NULL);
		CU_ASSERT_PTR_NOT_NULL(ws[i]);
	}
	r = raw_str("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	expect_kind(&r, 429, "too_many_requests", "a fourth connection");
	http_free(&r);
	ws_free(ws[0]);
	test_sleep_ms(200);
	r = api("GET", "/api/health", NULL, NULL);
	EXPECT_STATUS(r, 200);
	http_free(&r);
	ws_free(ws[1]);
	ws_free(ws[2]);
	CU_ASSERT_EQUAL(test_stack("nginx-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(test_stack("nginx-start"), 0);
	free(cookie);
}

/* Files of the stack's log folder that contain needle. */
static int logs_holding(const char *needle)
{
	return test_system("grep -rqF -- '%s' '%s/log'", needle, test_env("GW_TEST_STACK")) == 0;
}

/*
 * Tokens sent in the query (the WebSocket's ?token=, an acknowledge link's
 * ?t=) and in a Referer reach no log of the stack, also when the request
 * fails (upstream down, body too large, bad request); the path stays.
 */
static void t_no_credentials_in_logs(void)
{
	const struct fixture_users *u = fixture_users();
	const char *secret_ack = "4.2.9999999999.NotARealNonce01.SecretAckMac";
	char *q = xasprintf("token=%s", u->viewer), *req;
	struct ws_client *c;
	struct http_resp r;
	char ref[256];
	const char *headers[] = {ref, NULL};

	c = ws_open(WS_NGINX, q, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(c);
	ws_free(c);
	req = xasprintf("GET /api/alerts/ws?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n" UPGRADE_HEADERS
	    "\r\n", q);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-stop"), 0);
	r = raw_str(req);
	EXPECT_STATUS(r, 503);
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(test_stack("pusher-start"), 0);
	free(req);
	req = xasprintf("/alerts/1/ack?t=%s", secret_ack);
	r = http_do("GET", req, NULL, NULL, 0);
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(test_stack("api-stop"), 0);
	r = http_do("GET", req, NULL, NULL, 0);
	EXPECT_STATUS(r, 503);
	http_free(&r);
	CU_ASSERT_EQUAL_FATAL(test_stack("api-start"), 0);
	snprintf(ref, sizeof(ref), "Referer: %s%s", test_base_url(), req);
	r = http_do("POST", "/alerts/1/ack", headers, "t=x", 3);
	http_free(&r);
	free(req);
	req = xasprintf("GET /api/alerts/ws%%00?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", q);
	r = raw_str(req);
	EXPECT_STATUS(r, 400);
	http_free(&r);
	free(req);
	req = xasprintf("POST /api/kpis?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Length: 5000000\r\n\r\n", q);
	r = raw_str(req);
	EXPECT_STATUS(r, 413);
	http_free(&r);
	free(req);
	test_sleep_ms(100);
	CU_ASSERT_FALSE(logs_holding(u->viewer));
	CU_ASSERT_FALSE(logs_holding("SecretAckMac"));
	CU_ASSERT_FALSE(logs_holding("NotARealNonce01"));
	/* what the logs keep: the path, and that a query was there */
	CU_ASSERT_TRUE(logs_holding("GET /api/alerts/ws?(query hidden)"));
	CU_ASSERT_TRUE(logs_holding("GET /alerts/1/ack?(query hidden)"));
	free(q);
}

/*
 * Compression: a page, the API's JSON, the CSS and the JS come gzipped
 * (with Vary) to a client that accepts gzip, and as they are to one that
 * does not; the gzipped page unpacks to the same page.
 */
static void t_compressed(void)
{
	const struct fixture_users *u = fixture_users();
	static const char *const paths[] = {"/", "/api/kpis", "/static/css/goldwatch.css",
	    "/static/js/goldwatch.js"};
	char *cookie = xasprintf("Cookie: gw_session=%s", u->viewer);
	const char *gz[] = {cookie, "Accept-Encoding: gzip", NULL};
	const char *plain[] = {cookie, NULL};

	for (size_t i = 0; i < GW_ARRAY_LEN(paths); i++) {
		struct http_resp r = http_do("GET", paths[i], gz, NULL, 0);
		char *ce = http_header(&r, "Content-Encoding"), *vary = http_header(&r, "Vary");

		EXPECT_STATUS(r, 200);
		if (ce == NULL || strcmp(ce, "gzip") != 0)
			fprintf(stderr, "\n    %s: Content-Encoding %s, want gzip\n", paths[i],
			    ce ? ce : "-");
		CU_ASSERT_STRING_EQUAL(ce ? ce : "-", "gzip");
		CU_ASSERT_TRUE(vary && strstr(vary, "Accept-Encoding"));
		/* the gzip magic bytes, not the text */
		CU_ASSERT_TRUE(r.len >= 2 && (unsigned char)r.body[0] == 0x1f &&
		    (unsigned char)r.body[1] == 0x8b);
		free(ce);
		free(vary);
		http_free(&r);
		r = http_do("GET", paths[i], plain, NULL, 0);
		EXPECT_STATUS(r, 200);
		ce = http_header(&r, "Content-Encoding");
		CU_ASSERT_PTR_NULL(ce);
		CU_ASSERT_TRUE(r.len > 1024 && r.body[0] != 0x1f);
		free(ce);
		http_free(&r);
	}
	free(cookie);
}

void suite_nginx(void)
{
	static const struct test_case cases[] = {
		{"nginx's own errors: JSON under /api, HTML elsewhere", t_own_errors},
		{"goldwatch-api or the pusher down: 503 with Retry-After", t_upstream_down},
		{"a trickling header or body is cut off within the bound", t_slow_clients_cut_off},
		{"connections per address are limited (429)", t_connections_per_address},
		{"no token or acknowledge key in any log", t_no_credentials_in_logs},
		{"pages, JSON, CSS and JS gzipped when accepted, plain when not", t_compressed},
		{NULL, NULL},
	};
	test_add_suite("nginx", NULL, NULL, cases);
}
