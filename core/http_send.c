/*
 * http_send.c - see http_send.h.
 */
#include "http_send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

struct answer {
	struct http_result *res;
	size_t len;
};

/* Keeps the first HTTP_ANSWER_CAP bytes; past them, stops reading. */
static size_t take_answer(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t got = size * n, room = HTTP_ANSWER_CAP - a->len;

	if (got > room) {
		memcpy(a->res->answer + a->len, data, room);
		a->len = HTTP_ANSWER_CAP;
		return 0;   /* the rest is not read: CURLE_WRITE_ERROR, status kept */
	}
	memcpy(a->res->answer + a->len, data, got);
	a->len += got;
	return got;
}

static struct curl_slist *header_list(const struct http_request *rq)
{
	struct curl_slist *h = NULL;
	const char *name;
	json_t *v;
	char line[1200];

	snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");
	json_object_foreach((json_t *)rq->headers, name, v) {
		snprintf(line, sizeof(line), "%s: %s", name, json_string_value(v));
		h = curl_slist_append(h, line);
	}
	return h;
}

int http_ok(const struct http_result *res)
{
	return res->status >= 200 && res->status < 300;
}

/* Why a transfer failed, in words without the URL's path. */
static void say_error(struct http_result *res, CURLcode rc, const char *errbuf)
{
	if (rc == CURLE_OK)
		res->error[0] = '\0';
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(res->error, sizeof(res->error), "timed out");
	else if (rc == CURLE_WRITE_ERROR && res->status)
		res->error[0] = '\0';   /* the answer was longer than we read: fine */
	else
		snprintf(res->error, sizeof(res->error), "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	if (!res->error[0] && res->status && !http_ok(res))
		snprintf(res->error, sizeof(res->error), "the receiver answered %ld", res->status);
}

/* A fresh handle for one transfer with res cleared; NULL (res says so). */
static CURL *transfer_start(struct http_result *res)
{
	CURL *c = curl_easy_init();

	memset(res, 0, sizeof(*res));
	if (c == NULL)
		snprintf(res->error, sizeof(res->error), "out of memory");
	return c;
}

int http_send(const struct config *cfg, const struct http_request *rq, struct http_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct answer a = {res, 0};
	struct curl_slist *h;
	int64_t t0 = time_mono_us();
	CURL *c = transfer_start(res);
	CURLcode rc;

	if (c == NULL)
		return -1;
	h = header_list(rq);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->http_connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->http_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "goldwatch");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	res->answer[a.len] = '\0';
	res->duration_us = time_mono_us() - t0;
	if (rc != CURLE_OK || !http_ok(res))
		say_error(res, rc, errbuf);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	/* an answer longer than the cap is still an answer */
	return (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && res->status)) && http_ok(res) ? 0 : -1;
}

int http_probe(const struct config *cfg, const char *url, struct http_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	int64_t t0 = time_mono_us();
	CURL *c = transfer_start(res);
	CURLcode rc;

	if (c == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* resolve, TCP and TLS, then stop: no request goes out */
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->http_connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->http_connect_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	res->duration_us = time_mono_us() - t0;
	if (rc != CURLE_OK)
		say_error(res, rc, errbuf);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}
