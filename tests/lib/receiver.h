/*
 * receiver.h - a real HTTP receiver for the notification tests: listens on
 * 127.0.0.1 (a free port), records every request (method, path, headers,
 * body) and answers as told: a status, after a delay, or not at all (it
 * holds the connection open until the test moves on). One thread; HTTP/1.1
 * with Content-Length bodies, one request per connection.
 */
#ifndef GW_RECEIVER_H
#define GW_RECEIVER_H

#include <stddef.h>

struct rcv_request {
	char method[16];
	char path[1024];
	char *headers;      /* raw header lines */
	char *body;
	size_t len;
};

struct receiver;

/* Starts one; NULL if it cannot listen. */
struct receiver *receiver_start(void);
void receiver_stop(struct receiver *r);
int receiver_port(const struct receiver *r);
/* "http://127.0.0.1:PORT" + path into a static-free malloc'd string. */
char *receiver_url(const struct receiver *r, const char *path);

/* How the next requests are answered: status and body, after delay_ms; hang: never. */
void receiver_answer(struct receiver *r, int status, const char *body, int delay_ms, int hang);

/* Requests so far; waits up to timeout_ms for at least n. */
int receiver_wait(struct receiver *r, int n, int timeout_ms);
/* Request i (a copy the caller frees with rcv_request_free), or -1. */
int receiver_get(struct receiver *r, int i, struct rcv_request *out);
void rcv_request_free(struct rcv_request *q);
/* Requests so far at a path starting with prefix whose body has text (NULL: any). */
int receiver_count(struct receiver *r, const char *prefix, const char *text);
/* The value of header name in q (case-insensitive), malloc'd, or NULL. */
char *rcv_header(const struct rcv_request *q, const char *name);
/* Forgets the requests so far. */
void receiver_clear(struct receiver *r);

#endif
