/*
 * request.h - one FastCGI request: what was asked (parsed once, from the
 * FastCGI parameters, never from getenv) and what will be answered. A
 * struct request owns everything allocated for it in its pool; the worker
 * calls request_free() once per loop iteration.
 */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <fcgiapp.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "params.h"
#include "route.h"
#include "util.h"
#include "valid.h"

enum method {
	M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OTHER, METHOD__MAX
};

/* What body a route accepts. */
enum body_kind {
	BODY_NONE,  /* no body (GET, DELETE, POST without input) */
	BODY_JSON,  /* application/json */
	BODY_FORM,  /* application/x-www-form-urlencoded (pages) */
	BODY_KIND__MAX
};

struct route;

/*
 * The typed query parameters of a request: the gate (dispatch.c) fills
 * them from the route's query table (routes.c) before the handler runs;
 * a member a route's table does not name keeps its zero. Strings point
 * into the request's pool.
 */
struct query {
	const char *state, *severity, *kpi, *status, *category;
	const char *cursor;          /* the history's opaque cursor */
	const char *object_type, *object_id;
	int64_t rule_id;             /* 0: any */
	int64_t limit;
	int64_t before, after;       /* audit, events: ids, 0 = none */
	int64_t cursor_id;           /* the outbox's cursor (an id), 0 = none */
	int64_t since_us, until_us;
	int has_since, has_until;
	int enabled, has_enabled;
	int include_deleted;
};

struct request {
	struct pool *pool;
	FCGX_Request *fcgx;
	const struct config *cfg;
	struct db *db;             /* where the request reads and writes now */
	struct db *primary;        /* DATABASE_URL's server */
	struct db *replica;        /* GOLDWATCH_READ_DATABASE_URL's, or NULL (read_db.h) */
	int64_t start_us;

	/* the request */
	enum method method;
	const char *method_name;
	const char *path;          /* without the query string */
	const char *uri;           /* as asked: the path and the query string */
	struct kv *query;
	size_t nquery;
	struct kv *form;           /* BODY_FORM routes */
	size_t nform;
	const char *content_type;
	int64_t content_length;
	char *body;
	size_t body_len;
	json_t *json;              /* BODY_JSON routes: the parsed body */
	struct query q;            /* routes with a query table: typed parameters */
	const char *cookies;
	const char *authorization;
	const char *csrf_header;
	const char *read_after;    /* Goldwatch-Read-After: a change's commit position */
	const char *remote_addr;
	const char *accept_encoding;
	int https;

	/* routing and identity */
	const struct route *route;
	struct route_params params;
	struct principal who;
	int authenticated;
	const char *session_token; /* from the cookie or bearer, if a session */
	/* a page to keep in page_cache.h, under this key, read at this version */
	const char *page_key;
	int64_t page_version;

	/* the response */
	int status;
	const char *resp_type;
	struct buf resp_headers;
	struct buf resp_body;
};

/* Parses the FastCGI parameters; reads the body if it is within limit. */
void request_init(struct request *req, FCGX_Request *fcgx, const struct config *cfg,
    struct db *db);
/* Reads the body: 0, or -1 with an error response set (413, 400). */
int request_read_body(struct request *req);
/* Parses the body of a BODY_FORM route into req->form: 0 or -1. */
int request_parse_form(struct request *req);
void request_free(struct request *req);

/* Query and form parameters (already URL-decoded); NULL if absent. */
const char *req_query(const struct request *req, const char *key);
const char *req_form(const struct request *req, const char *key);
/* The value of cookie name, copied into the pool; NULL if absent. */
const char *req_cookie(struct request *req, const char *name);
/* A route parameter ({id}) as int64 (routes match only digits). */
int64_t req_param_id(const struct request *req, const char *name);
const char *req_param(const struct request *req, const char *name);

/*
 * Checks the query string against the route's table (struct vfield: name,
 * type, bounds, default; V_STRING, V_INT, V_BOOL "true"/"false", V_TIME)
 * into req->q. Returns 0, or the status after setting the 400 answer
 * (unknown_parameter, bad_parameter) that names the parameter. A route
 * without a table (the pages) reads its parameters itself.
 */
int request_query_decode(struct request *req, const struct vfield *f, size_t n);

/* Adds a response header line ("Name: value"). */
void req_header(struct request *req, const char *fmt, ...) GW_PRINTF(2, 3);

/*
 * Responses. Each sets status and body and returns the status, so a
 * handler can end with `return req_json(req, 200, obj);`.
 */
int req_json(struct request *req, int status, json_t *body); /* steals body */
/* A body already written as JSON text (takes the buffer). */
int req_json_text(struct request *req, int status, struct buf *text);
int req_error(struct request *req, int status, const char *code,
    const char *field, const char *fmt, ...) GW_PRINTF(5, 6);
int req_verror(struct request *req, const struct verror *e);
/* The same with "details" in the error (taken), e.g. what a 409 is about. */
int req_verror_details(struct request *req, const struct verror *e, json_t *details);
int req_html(struct request *req, int status, struct buf *html); /* takes html */
/* A body of media type (a static string) other than JSON or HTML (takes body). */
int req_text(struct request *req, int status, const char *type, struct buf *body);
int req_redirect(struct request *req, const char *location); /* 303 */
int req_no_content(struct request *req);

/* Forgets the response made so far, to make it again (read_db.h). */
void request_reset_response(struct request *req);

/* Writes status, headers and body to the FastCGI stream. */
void request_send(struct request *req);

const char *status_text(int status);
const char *method_str(enum method m);

#endif
