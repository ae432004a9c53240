/*
 * wsclient.h - a small WebSocket client for the tests (libwebsockets, one
 * lws context per connection so that clients never service each other):
 * opens /api/alerts/ws through nginx (GW_TEST_URL) like a browser, or
 * straight to the pusher's unix socket (GOLDWATCH_PUSHER_SOCKET); queues
 * the text messages it receives; can stop reading, like a client that
 * falls behind; reports the handshake's HTTP status and the close code.
 */
#ifndef GW_WSCLIENT_H
#define GW_WSCLIENT_H

#include <jansson.h>
#include <stddef.h>

enum ws_via { WS_NGINX, WS_DIRECT };

struct ws_client;

/*
 * Opens /api/alerts/ws?query (query NULL or "" for none), sending cookie
 * ("name=value", or NULL) and the site's own Origin (GW_TEST_URL), like a
 * page of goldwatch. Returns the open client, or NULL when the
 * upgrade failed; *status (if non-NULL) gets the HTTP status of the
 * answer: 101 when open, 401 and the like when refused, 0 for no answer.
 */
struct ws_client *ws_open(enum ws_via via, const char *query, const char *cookie,
    long *status);
/* The same with another Origin ("https://elsewhere.example"), or none (NULL). */
struct ws_client *ws_open_origin(enum ws_via via, const char *query, const char *cookie,
    const char *origin, long *status);

/* The next text message (caller frees), or NULL after timeout_ms or on close. */
char *ws_recv(struct ws_client *c, int timeout_ms);
/* The same, parsed; NULL if none came or it is not JSON. */
json_t *ws_recv_json(struct ws_client *c, int timeout_ms);
/* Messages received and not yet taken. */
size_t ws_queued(const struct ws_client *c);

/* Stops (1) or resumes (0) reading the socket. */
void ws_pause(struct ws_client *c, int paused);

/* Sends a text (or, with binary, a binary) message. 0, or -1 if closed. */
int ws_send(struct ws_client *c, const char *data, size_t len, int binary);

/*
 * Waits up to timeout_ms for the connection to end, reading meanwhile (the
 * messages stay queued). Returns the close code the server sent,
 * 1006 when it ended without one, or -1 if it is still open. reason (may
 * be NULL) gets the close reason.
 */
int ws_wait_closed(struct ws_client *c, int timeout_ms, char *reason, size_t reasonlen);

/* Closes the connection (if open) and frees everything. */
void ws_free(struct ws_client *c);

#endif
