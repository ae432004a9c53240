/*
 * http_send.h - one HTTP request to a contact point's receiver (a webhook,
 * a chat's API): only http and https, connect and total timeouts, no
 * redirects followed, the answer read up to a small cap. What it reports
 * never holds the URL's path or a header value (they may be secrets).
 */
#ifndef GW_HTTP_SEND_H
#define GW_HTTP_SEND_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"

#define HTTP_ANSWER_CAP 4096

struct http_request {
	const char *url;
	const char *method;         /* POST or PUT */
	const char *content_type;   /* "application/json" */
	const char *body;
	const json_t *headers;      /* {"Name": "value"} more to send, or NULL */
};

struct http_result {
	long status;                /* the answer's status, 0 when none came */
	char error[256];            /* why it failed, for people ("" when it did not) */
	char answer[HTTP_ANSWER_CAP + 1];   /* the first bytes of the answer */
	int64_t duration_us;
};

/* Whether rc says it was taken (2xx). */
int http_ok(const struct http_result *res);

/* Sends rq; fills res. 0 when the receiver answered 2xx, else -1 (res says why). */
int http_send(const struct config *cfg, const struct http_request *rq, struct http_result *res);

/* Resolves url's host and connects (TLS too for https) within
 * GOLDWATCH_HTTP_CONNECT_TIMEOUT_MS, sending no request: 0, or -1 (res->error
 * says why). */
int http_probe(const struct config *cfg, const char *url, struct http_result *res);

#endif
