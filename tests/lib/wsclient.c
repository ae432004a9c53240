/*
 * wsclient.c - see wsclient.h. Everything runs in the calling thread: each
 * call services the client's own lws context until what it waits for has
 * happened or its time is up (a timer wakes lws_service() every tick).
 */
#include "wsclient.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util.h"

#define WS_TICK_US (10 * LWS_US_PER_MS)
#define WS_OPEN_TIMEOUT_MS 10000

struct ws_msg {
	struct ws_msg *next;
	char *text;
};

struct ws_client {
	struct lws_context *ctx;
	struct lws *wsi;
	struct ws_msg *head, **tail;
	size_t queued;
	struct buf partial;          /* a message arriving in fragments */
	char *cookie;
	unsigned char *tx;           /* a message waiting to be sent */
	size_t txlen;
	int tx_binary;
	long status;
	int open, ended;
	int close_code;
	char close_reason[128];
	lws_sorted_usec_list_t tick;
};

static void on_tick(lws_sorted_usec_list_t *sul)
{
	(void)sul;  /* only makes lws_service() return */
}

/* Records the status the server answered the upgrade with, if known yet. */
static void note_status(struct ws_client *c, struct lws *wsi)
{
	unsigned int s = lws_http_client_http_response(wsi);

	if (s)
		c->status = (long)s;
}

static int on_event(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ws_client *c = lws_context_user(lws_get_context(wsi));
	struct ws_msg *m;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (c->cookie) {
			unsigned char **p = in, *end = *p + len;
			if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_COOKIE,
			    (unsigned char *)c->cookie, (int)strlen(c->cookie), p, end))
				return -1;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		note_status(c, wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->open = 1;
		c->status = 101;
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		note_status(c, wsi);
		if (c->status == 0 && in) {
			/* lws names the status in its message for some refusals */
			const char *s = strstr(in, "HTTP/1.1 ");
			if (s)
				c->status = strtol(s + 9, NULL, 10);
		}
		c->ended = 1;
		c->wsi = NULL;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		buf_append(&c->partial, in, len);
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		m = xcalloc(1, sizeof(*m));
		m->text = buf_detach(&c->partial);
		*c->tail = m;
		c->tail = &m->next;
		c->queued++;
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *b = in;
			c->close_code = (b[0] << 8) | b[1];
			snprintf(c->close_reason, sizeof(c->close_reason), "%.*s",
			    (int)(len - 2), (const char *)b + 2);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->tx) {
			int n = lws_write(wsi, c->tx + LWS_PRE, c->txlen,
			    c->tx_binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
			free(c->tx);
			c->tx = NULL;
			if (n < 0)
				return -1;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->ended = 1;
		c->wsi = NULL;
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols ws_protocols[] = {
	{"goldwatch-test", on_event, 0, 65536, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}
};

/* Services c until done(c) or timeout_ms passed; returns done(c). */
static int pump(struct ws_client *c, int timeout_ms, int (*done)(const struct ws_client *))
{
	int64_t deadline = time_mono_us() + (int64_t)timeout_ms * 1000;

	while (!done(c) && time_mono_us() < deadline) {
		lws_sul_schedule(c->ctx, 0, &c->tick, on_tick, WS_TICK_US);
		if (lws_service(c->ctx, 0) < 0)
			break;
	}
	lws_sul_cancel(&c->tick);
	return done(c);
}

static int is_open_or_ended(const struct ws_client *c)
{
	return c->open || c->ended;
}

static int has_message(const struct ws_client *c)
{
	return c->head != NULL || c->ended;
}

static int has_ended(const struct ws_client *c)
{
	return c->ended;
}

static int tx_done(const struct ws_client *c)
{
	return c->tx == NULL || c->ended;
}

struct ws_client *ws_open(enum ws_via via, const char *query, const char *cookie,
    long *status)
{
	return ws_open_origin(via, query, cookie, test_base_url(), status);
}

struct ws_client *ws_open_origin(enum ws_via via, const char *query, const char *cookie,
    const char *origin, long *status)
{
	struct ws_client *c = xcalloc(1, sizeof(*c));
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	char *path, *address, host[64];
	int port = 0;

	c->tail = &c->head;
	buf_init(&c->partial);
	c->cookie = cookie ? xstrdup(cookie) : NULL;
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = ws_protocols;
	info.user = c;
	/* Origin exactly as given, as a browser sends it */
	info.options = LWS_SERVER_OPTION_JUST_USE_RAW_ORIGIN;
	c->ctx = lws_create_context(&info);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->ctx);
	if (via == WS_NGINX) {
		/* GW_TEST_URL is http://127.0.0.1:PORT */
		const char *u = strrchr(test_base_url(), ':');
		port = u ? atoi(u + 1) : 0;
		address = xstrdup("127.0.0.1");
		snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	} else {
		address = xasprintf("+%s", test_env("GOLDWATCH_PUSHER_SOCKET"));
		snprintf(host, sizeof(host), "localhost");
	}
	path = xasprintf("/api/alerts/ws%s%s", query && *query ? "?" : "", query ? query : "");
	memset(&ci, 0, sizeof(ci));
	ci.context = c->ctx;
	ci.address = address;
	ci.port = port;
	ci.path = path;
	ci.host = host;
	ci.origin = origin;
	ci.local_protocol_name = ws_protocols[0].name;
	ci.pwsi = &c->wsi;
	if (lws_client_connect_via_info(&ci) == NULL)
		c->ended = 1;
	pump(c, WS_OPEN_TIMEOUT_MS, is_open_or_ended);
	free(path);
	free(address);
	if (status)
		*status = c->status;
	if (!c->open) {
		ws_free(c);
		return NULL;
	}
	return c;
}

static char *take(struct ws_client *c)
{
	struct ws_msg *m = c->head;
	char *text;

	if (m == NULL)
		return NULL;
	c->head = m->next;
	if (c->head == NULL)
		c->tail = &c->head;
	c->queued--;
	text = m->text;
	free(m);
	return text;
}

char *ws_recv(struct ws_client *c, int timeout_ms)
{
	if (c->head == NULL && !c->ended)
		pump(c, timeout_ms, has_message);
	return take(c);
}

json_t *ws_recv_json(struct ws_client *c, int timeout_ms)
{
	char *text = ws_recv(c, timeout_ms);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return j;
}

size_t ws_queued(const struct ws_client *c)
{
	return c->queued;
}

void ws_pause(struct ws_client *c, int paused)
{
	if (c->wsi)
		lws_rx_flow_control(c->wsi, !paused);
}

int ws_send(struct ws_client *c, const char *data, size_t len, int binary)
{
	if (c->wsi == NULL || c->ended)
		return -1;
	free(c->tx);
	c->tx = xmalloc(LWS_PRE + len);
	memcpy(c->tx + LWS_PRE, data, len);
	c->txlen = len;
	c->tx_binary = binary;
	lws_callback_on_writable(c->wsi);
	pump(c, 2000, tx_done);
	return c->ended ? -1 : 0;
}

int ws_wait_closed(struct ws_client *c, int timeout_ms, char *reason, size_t reasonlen)
{
	if (!pump(c, timeout_ms, has_ended))
		return -1;
	if (reason)
		snprintf(reason, reasonlen, "%s", c->close_reason);
	return c->close_code ? c->close_code : 1006;
}

void ws_free(struct ws_client *c)
{
	char *m;

	if (c == NULL)
		return;
	lws_context_destroy(c->ctx);
	while ((m = take(c)) != NULL)
		free(m);
	buf_free(&c->partial);
	free(c->tx);
	free(c->cookie);
	free(c);
}
