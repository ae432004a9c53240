/*
 * wsclient.h - what the WebSocket load clients in bench/ share: sessions
 * made in the database as sign-ins make them, and one libwebsockets client
 * context on a libuv loop (lws' foreign loop: epoll, so that thousands of
 * sockets cost the client little), and connecting one socket to the
 * pusher, straight to its unix socket or through nginx.
 */
#ifndef GW_WSCLIENT_H
#define GW_WSCLIENT_H

#include <libwebsockets.h>
#include <uv.h>

#include "auth.h"
#include "config.h"

/*
 * n sessions for the user BENCH_USER (default admin) into tokens, and
 * one more into admin (unless NULL). 0, or -1 (said on stderr).
 */
int bench_sessions(const struct config *cfg, int n, char (*tokens)[AUTH_TOKEN_MAX],
    char *admin);

struct bench_ws {
	uv_loop_t loop;
	uv_timer_t tick;             /* wakes the loop at least every few ms */
	struct lws_context *ctx;
};

/* The loop and the client context for protocols (user: the context's). 0, or -1. */
int bench_ws_init(struct bench_ws *w, const struct lws_protocols *protocols, void *user);
/* Runs the loop once (returns when something happened, or at the tick). */
void bench_ws_run_once(struct bench_ws *w);
/* Closes every socket, the context and the loop. */
void bench_ws_free(struct bench_ws *w);

/* What a load client counts of its sockets' connections. */
struct bench_conns {
	int next;                    /* the next client to connect */
	int connecting, opened, failed, closed;
};

/*
 * The connection's part of a client protocol callback: counts opens,
 * failures and closes in k and keeps *open, the socket's flag. 1 when
 * reason was one of those, else 0.
 */
int bench_ws_count(struct bench_conns *k, int *open, enum lws_callback_reasons reason,
    const void *in);

/*
 * Opens a socket to /api/alerts/ws?token=token, to the unix socket path
 * when it is not NULL, else through nginx at url (http://HOST:PORT), with
 * protocol; userdata becomes its user. Counted in k: connecting, or
 * failed when it could not even start.
 */
void bench_ws_connect(struct bench_ws *w, struct bench_conns *k, const char *unix_path,
    const char *url, const char *token, const char *protocol, void *userdata);

#endif
