/*
 * request.c - see request.h.
 */
#include "request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "log.h"

static const char *const method_names[METHOD__MAX] = {
	[M_GET] = "GET", [M_HEAD] = "HEAD", [M_POST] = "POST", [M_PUT] = "PUT",
	[M_PATCH] = "PATCH", [M_DELETE] = "DELETE", [M_OTHER] = "OTHER",
};

const char *method_str(enum method m)
{
	return m < METHOD__MAX ? method_names[m] : "OTHER";
}

static enum method parse_method(const char *m)
{
	for (int i = 0; i < M_OTHER; i++)
		if (strcmp(m, method_names[i]) == 0)
			return (enum method)i;
	return M_OTHER;
}

static const char *param(struct request *req, const char *name)
{
	const char *v = FCGX_GetParam(name, req->fcgx->envp);
	return v ? v : "";
}

/*
 * The request's id: nginx's $request_id (REQUEST_ID, fastcgi.conf), which
 * its access log shows too; a request that came without one (straight
 * over FastCGI) gets its own, so every error body and line has one.
 */
static void set_request_id(struct request *req)
{
	unsigned char raw[16];
	char hex[33];

	log_set_request(param(req, "REQUEST_ID"));
	if (log_request_id()[0])
		return;
	randombytes_buf(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), hex);
	log_set_request(hex);
}

void request_init(struct request *req, FCGX_Request *fcgx, const struct config *cfg,
    struct db *db)
{
	const char *uri, *q, *cl;
	int64_t len;

	memset(req, 0, sizeof(*req));
	req->pool = pool_new();
	req->fcgx = fcgx;
	req->cfg = cfg;
	req->db = db;
	req->primary = db;
	req->start_us = time_mono_us();
	buf_init(&req->resp_headers);
	buf_init(&req->resp_body);
	req->status = 500;

	req->method_name = pool_strdup(req->pool, param(req, "REQUEST_METHOD"));
	req->method = parse_method(req->method_name);
	uri = param(req, "REQUEST_URI");
	req->uri = pool_strdup(req->pool, uri);
	q = strchr(uri, '?');
	req->path = q ? pool_strndup(req->pool, uri, (size_t)(q - uri)) : pool_strdup(req->pool, uri);
	if (req->path[0] == '\0')
		req->path = "/";
	req->content_type = param(req, "CONTENT_TYPE");
	cl = param(req, "CONTENT_LENGTH");
	req->content_length = (*cl && parse_int64(cl, 0, INT64_MAX, &len) == 0) ? len : 0;
	req->cookies = param(req, "HTTP_COOKIE");
	req->authorization = param(req, "HTTP_AUTHORIZATION");
	req->csrf_header = param(req, "HTTP_X_CSRF_TOKEN");
	req->read_after = param(req, "HTTP_GOLDWATCH_READ_AFTER");
	req->remote_addr = param(req, "REMOTE_ADDR");
	req->accept_encoding = param(req, "HTTP_ACCEPT_ENCODING");
	req->https = strcasecmp(param(req, "HTTPS"), "on") == 0;
	set_request_id(req);
}

/* 0, or -1 if the query string is malformed (the caller answers 400). */
static int parse_query(struct request *req)
{
	int n = params_parse(req->pool, param(req, "QUERY_STRING"), &req->query);
	if (n < 0)
		return -1;
	req->nquery = (size_t)n;
	return 0;
}

int request_read_body(struct request *req)
{
	int64_t want = req->content_length;
	size_t got = 0;

	if (parse_query(req) < 0) {
		req_error(req, 400, "bad_query", NULL,
		    "the query string is malformed (bad escape, repeated or too many parameters)");
		return -1;
	}
	if (want > req->cfg->body_limit) {
		req_error(req, 413, "payload_too_large", NULL,
		    "the request body is over %lld bytes", (long long)req->cfg->body_limit);
		return -1;
	}
	req->body = pool_alloc(req->pool, (size_t)want + 1);
	while (got < (size_t)want) {
		int n = FCGX_GetStr(req->body + got, (int)((size_t)want - got), req->fcgx->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	if (got != (size_t)want) {
		req_error(req, 400, "short_body", NULL, "the request body ended early");
		return -1;
	}
	return 0;
}

int request_parse_form(struct request *req)
{
	int n = params_parse_form(req->pool, req->body, req->body_len, &req->form);

	if (n < 0)
		return -1;
	req->nform = (size_t)n;
	return 0;
}

void request_free(struct request *req)
{
	if (req->json)
		json_decref(req->json);
	buf_free(&req->resp_headers);
	buf_free(&req->resp_body);
	pool_free(req->pool);
	req->pool = NULL;
	log_set_request(NULL);
}

void request_reset_response(struct request *req)
{
	req->status = 0;
	req->resp_type = NULL;
	buf_reset(&req->resp_headers);
	buf_reset(&req->resp_body);
	req->page_key = NULL;
}

const char *req_query(const struct request *req, const char *key)
{
	return params_get(req->query, req->nquery, key);
}

const char *req_form(const struct request *req, const char *key)
{
	return params_get(req->form, req->nform, key);
}

const char *req_cookie(struct request *req, const char *name)
{
	return cookie_get(req->pool, req->cookies, name);
}

/* One parameter's text into its member of req->q: 0, or the 400 answered. */
static int query_value(struct request *req, const struct vfield *f, const char *v)
{
	void *m = valid_member(&req->q, f->at);
	int *has = valid_member(&req->q, f->has);
	int64_t i;

	switch (f->type) {
	case V_INT:
		if (parse_int64(v, f->min, f->max, &i) < 0)
			return req_error(req, 400, "bad_parameter", f->name,
			    "%s must be a whole number from %lld to %lld", f->name,
			    (long long)f->min, (long long)f->max);
		*(int64_t *)m = i;
		break;
	case V_TIME:
		if (time_parse_iso(v, (int64_t *)m) < 0)
			return req_error(req, 400, "bad_parameter", f->name,
			    "%s must be an ISO 8601 time with a zone, like 2026-11-26T10:00:00Z", f->name);
		break;
	case V_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return req_error(req, 400, "bad_parameter", f->name,
			    "%s must be true or false", f->name);
		*(int *)m = strcmp(v, "true") == 0;
		break;
	default:   /* V_STRING: its length and check, one message */
		if ((f->max > 0 && (strlen(v) > (size_t)f->max || !valid_text_line(v))) ||
		    (f->check && !f->check(v)))
			return req_error(req, 400, "bad_parameter", f->name, "%s %s", f->name,
			    f->what ? f->what : "is not valid");
		*(const char **)m = v;
		break;
	}
	if (has)
		*has = 1;
	return 0;
}

int request_query_decode(struct request *req, const struct vfield *f, size_t n)
{
	int rc;

	valid_defaults(f, n, &req->q);
	for (size_t i = 0; i < req->nquery; i++)
		if (valid_field(f, n, req->query[i].key) == NULL)
			return req_error(req, 400, "unknown_parameter", req->query[i].key,
			    "unknown query parameter %.64s", req->query[i].key);
	for (size_t i = 0; i < n; i++) {
		const char *v = req_query(req, f[i].name);
		if (v != NULL && (rc = query_value(req, &f[i], v)) != 0)
			return rc;
	}
	return 0;
}

int64_t req_param_id(const struct request *req, const char *name)
{
	const char *v = route_param(&req->params, name);
	return v ? strtoll(v, NULL, 10) : 0;
}

const char *req_param(const struct request *req, const char *name)
{
	return route_param(&req->params, name);
}

void req_header(struct request *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&req->resp_headers, fmt, ap);
	va_end(ap);
	buf_puts(&req->resp_headers, "\r\n");
}

int req_json(struct request *req, int status, json_t *body)
{
	char *s;

	req->status = status;
	req->resp_type = "application/json";
	buf_reset(&req->resp_body);
	s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(body);
	if (s == NULL) {
		req->status = 500;
		buf_puts(&req->resp_body,
		    "{\"error\":{\"code\":\"internal\",\"message\":\"response encoding failed\"}}");
		return 500;
	}
	buf_puts(&req->resp_body, s);
	free(s);
	return status;
}

/* The answer is body (taken over: *body is left empty). */
static int take_body(struct request *req, int status, const char *type, struct buf *body)
{
	req->status = status;
	req->resp_type = type;
	buf_free(&req->resp_body);
	req->resp_body = *body;
	buf_init(body);
	return status;
}

int req_text(struct request *req, int status, const char *type, struct buf *body)
{
	return take_body(req, status, type, body);
}

int req_json_text(struct request *req, int status, struct buf *text)
{
	return take_body(req, status, "application/json", text);
}

/* The error body; details (taken, may be NULL) says what it is about. */
static int error_body(struct request *req, int status, const char *code, const char *field,
    const char *msg, json_t *details)
{
	json_t *err = json_pack("{ss ss}", "code", code, "message", msg);

	if (field && *field)
		json_object_set_new(err, "field", json_string(field));
	if (details)
		json_object_set_new(err, "details", details);
	/* what a screenshot of the error needs to find its log lines */
	if (log_request_id()[0])
		json_object_set_new(err, "request_id", json_string(log_request_id()));
	return req_json(req, status, json_pack("{so}", "error", err));
}

int req_error(struct request *req, int status, const char *code,
    const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_body(req, status, code, field, msg, NULL);
}

int req_verror(struct request *req, const struct verror *e)
{
	return error_body(req, e->status, e->code, e->field, e->message, NULL);
}

int req_verror_details(struct request *req, const struct verror *e, json_t *details)
{
	return error_body(req, e->status, e->code, e->field, e->message, details);
}

int req_html(struct request *req, int status, struct buf *html)
{
	return take_body(req, status, "text/html; charset=utf-8", html);
}

int req_redirect(struct request *req, const char *location)
{
	req->status = 303;
	req->resp_type = NULL;
	buf_reset(&req->resp_body);
	req_header(req, "Location: %s", location);
	return 303;
}

int req_no_content(struct request *req)
{
	req->status = 204;
	req->resp_type = NULL;
	buf_reset(&req->resp_body);
	return 204;
}

const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Unknown";
	}
}

void request_send(struct request *req)
{
	struct buf head;

	buf_init(&head);
	buf_printf(&head, "Status: %d %s\r\n", req->status, status_text(req->status));
	if (req->resp_type)
		buf_printf(&head, "Content-Type: %s\r\n", req->resp_type);
	buf_printf(&head, "Content-Length: %lu\r\n", (unsigned long)req->resp_body.len);
	buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
	if (req->resp_headers.len)
		buf_append(&head, req->resp_headers.data, req->resp_headers.len);
	buf_puts(&head, "\r\n");
	FCGX_PutStr(head.data, (int)head.len, req->fcgx->out);
	if (req->method != M_HEAD && req->resp_body.len)
		FCGX_PutStr(req->resp_body.data, (int)req->resp_body.len, req->fcgx->out);
	buf_free(&head);
}
