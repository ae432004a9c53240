/*
 * dispatch.c - one request through the fixed sequence of checks: body
 * size, route (404/405), identity (401), role (403), CSRF (403), content
 * type (415), body syntax (400), then the handler, or the same page kept
 * a moment ago (page_cache.h). Every refusal is the JSON error body on
 * API routes and an HTML page (or the way to /login) on page routes. One
 * access-log line per request.
 */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth_cache.h"
#include "http_stats.h"
#include "log.h"
#include "page_cache.h"
#include "read_db.h"

#define SESSION_COOKIE "gw_session"

static int is_page(const struct request *req)
{
	return req->route && (req->route->flags & ROUTE_PAGE);
}

static int changes_state(enum method m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One parameter of a media type at *p ("name=token" or name="quoted"),
 * moving *p past it. 1 when it names a charset other than UTF-8, 0 when
 * it is fine, -1 when it is malformed.
 */
static int foreign_charset(const char **p)
{
	const char *name = *p, *v, *end;
	size_t nlen, vlen;

	while (**p && **p != '=' && **p != ';' && !is_ows(**p))
		(*p)++;
	nlen = (size_t)(*p - name);
	if (nlen == 0 || **p != '=')
		return -1;
	v = ++(*p);
	if (*v == '"') {
		end = strchr(v + 1, '"');
		if (end == NULL)
			return -1;
		v++;
		vlen = (size_t)(end - v);
		*p = end + 1;
	} else {
		while (**p && **p != ';' && !is_ows(**p))
			(*p)++;
		vlen = (size_t)(*p - v);
	}
	if (nlen != 7 || strncasecmp(name, "charset", 7) != 0)
		return 0;
	return vlen == 5 && strncasecmp(v, "utf-8", 5) == 0 ? 0 : 1;
}

/*
 * Matches "type/subtype" ignoring case, with parameters; a charset
 * parameter must say UTF-8 (the only encoding goldwatch reads), and
 * malformed parameters refuse the type.
 */
static int content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	const char *p = ct + n;

	if (strncasecmp(ct, want, n) != 0)
		return 0;
	for (;;) {
		while (is_ows(*p))
			p++;
		if (*p == '\0')
			return 1;
		if (*p++ != ';')
			return 0;
		while (is_ows(*p))
			p++;
		if (*p == '\0')
			return 1;
		if (foreign_charset(&p) != 0)
			return 0;
	}
}

static int fail(struct request *req, int status, const char *code, const char *msg)
{
	if (is_page(req))
		return page_error(req, status, msg);
	return req_error(req, status, code, NULL, "%s", msg);
}

/* The database cannot serve now: try again in a moment (db_unavailable_now). */
static int db_unavailable(struct request *req)
{
	req_header(req, "Retry-After: 2");
	return fail(req, 503, "database_unavailable",
	    "the database is not reachable or not taking changes now; try again shortly");
}

/*
 * Finds who is asking: a bearer token wins over the cookie. Returns 0
 * (maybe anonymous), or an HTTP status to answer with.
 */
static int identify(struct request *req)
{
	const char *token = NULL;
	int bearer = 0, rc;

	if (req->authorization[0] != '\0') {
		if (strncasecmp(req->authorization, "Bearer ", 7) != 0)
			return fail(req, 401, "unauthorized",
			    "the Authorization header must be: Bearer <token>");
		token = req->authorization + 7;
		bearer = 1;
	} else {
		token = req_cookie(req, SESSION_COOKIE);
	}
	if (token == NULL || *token == '\0')
		return bearer ? fail(req, 401, "unauthorized", "empty bearer token") : 0;
	if (db_ensure(req->db) < 0)
		return db_unavailable(req);
	rc = auth_cache_lookup(req->db, token, req->cfg->auth_cache_ms, &req->who);
	if (rc < 0)
		return db_unavailable(req);
	if (rc == 0) {
		/* a stale cookie is just an anonymous visitor; a bad bearer is not */
		if (bearer)
			return fail(req, 401, "unauthorized", "the token is invalid or expired");
		return 0;
	}
	req->authenticated = 1;
	if (req->who.via_session)
		req->session_token = token;
	/* only a cookie session needs CSRF protection: browsers send cookies */
	if (bearer)
		req->who.csrf[0] = '\0';
	return 0;
}

/* A scrape from elsewhere: a bearer credential (an API token) only. */
static int check_scraper(struct request *req)
{
	if (!req->authenticated)
		return req_error(req, 401, "unauthorized", NULL,
		    "send Authorization: Bearer <token>, or scrape from an address in"
		    " GOLDWATCH_METRICS_ALLOW");
	if (req->authorization[0] == '\0')
		return req_error(req, 403, "forbidden", NULL, "%s",
		    "/metrics takes an API token (Authorization: Bearer), not a browser session,"
		    " from an address outside GOLDWATCH_METRICS_ALLOW");
	return 0;
}

static int check_csrf(struct request *req)
{
	const char *sent;

	if (!changes_state(req->method) || !req->authenticated ||
	    req->who.csrf[0] == '\0' || (req->route->flags & ROUTE_NO_CSRF))
		return 0;
	if (req->route->body == BODY_FORM)
		sent = req_form(req, "_csrf");
	else
		sent = req->csrf_header;
	if (sent == NULL || *sent == '\0')
		return fail(req, 403, "csrf_missing",
		    "this request needs the CSRF token (X-CSRF-Token header)");
	if (!auth_const_eq(sent, req->who.csrf))
		return fail(req, 403, "csrf_invalid", "the CSRF token does not match the session");
	return 0;
}

static int check_body(struct request *req)
{
	struct verror err;

	switch (req->route->body) {
	case BODY_JSON:
		if (req->body_len == 0 && (req->route->flags & ROUTE_BODY_OPTIONAL))
			return 0;
		if (!content_type_is(req->content_type, "application/json"))
			return fail(req, 415, "unsupported_media_type",
			    "send the body as application/json (UTF-8, the only charset read)");
		req->json = valid_json_body(req->body, req->body_len, &err);
		if (req->json == NULL)
			return req_verror(req, &err);
		return 0;
	case BODY_FORM:
		if (!content_type_is(req->content_type, "application/x-www-form-urlencoded"))
			return fail(req, 415, "unsupported_media_type",
			    "send the form as application/x-www-form-urlencoded (UTF-8)");
		if (request_parse_form(req) < 0)
			return fail(req, 400, "bad_form", "the form data is malformed");
		return 0;
	case BODY_NONE:
	case BODY_KIND__MAX:
		break;
	}
	return 0;
}

/* The answer of a request that passed the gate, from req->db. */
static int answer(struct request *req)
{
	int rc;

	/* a page this session saw a moment ago, while nothing on it changed */
	if ((rc = page_cache_serve(req)) != 0)
		return rc == 503 ? db_unavailable(req) : rc;
	rc = req->route->handler(req);
	/* a handler that lost the database mid-way, or met a lock held too
	 * long or a read-only server, answers 503, not 500 */
	if (rc == 500 && db_unavailable_now(req->db))
		return db_unavailable(req);
	return rc;
}

static int run(struct request *req)
{
	char allow[128];
	int status = 0, rc;

	if (request_read_body(req) < 0)
		return req->status;
	req->route = routes_find(req->method, req->path, &req->params, &status,
	    allow, sizeof(allow));
	if (req->route == NULL) {
		if (status == 405) {
			req_header(req, "Allow: %s", allow);
			return req_error(req, 405, "method_not_allowed", NULL,
			    "%s is not allowed here; allowed: %s", req->method_name, allow);
		}
		return req_error(req, 404, "not_found", NULL, "no such resource: %.200s",
		    req->path);
	}
	/* an allowed scraper needs no credential, nor the database to check one */
	if ((req->route->flags & ROUTE_SCRAPE) &&
	    addr_list_match(&req->cfg->metrics_nets, req->remote_addr))
		return req->route->handler(req);
	if ((rc = identify(req)) != 0)
		return rc;
	if ((req->route->flags & ROUTE_SCRAPE) && (rc = check_scraper(req)) != 0)
		return rc;
	if (req->route->role > ROLE_PUBLIC) {
		if (!req->authenticated) {
			/* back after signing in; a form is kept to be offered again */
			if (is_page(req))
				return page_signin_needed(req, req->route->body == BODY_FORM &&
				    content_type_is(req->content_type,
				    "application/x-www-form-urlencoded") && request_parse_form(req) == 0);
			return req_error(req, 401, "unauthorized", NULL,
			    "log in or send Authorization: Bearer <token>");
		}
		if (req->who.role < req->route->role)
			return fail(req, 403, "forbidden",
			    req->route->role == ROLE_ADMIN ? "this needs the admin role" :
			    req->route->role == ROLE_OPERATOR ? "this needs the operator role" :
			    "this needs a signed-in user");
	}
	/* form routes carry their CSRF token in the body: parse it first */
	if (req->route->body == BODY_FORM) {
		if ((rc = check_body(req)) != 0)
			return rc;
		if ((rc = check_csrf(req)) != 0)
			return rc;
	} else {
		if ((rc = check_csrf(req)) != 0)
			return rc;
		if ((rc = check_body(req)) != 0)
			return rc;
	}
	if (req->route->query &&
	    (rc = request_query_decode(req, req->route->query, req->route->nquery)) != 0)
		return rc;
	/* a read the replica may answer reads there; what it fails, the primary */
	read_db_choose(req);
	rc = answer(req);
	if (read_db_fall_back(req))
		rc = answer(req);
	return rc;
}

void dispatch(struct request *req)
{
	int64_t took_us;

	/* no wait on the database outlasts the request's deadline */
	db_set_deadline(req->db, req->start_us + req->cfg->deadline_ms * 1000);
	run(req);
	if (db_in_tx(req->primary))
		db_rollback(req->primary); /* a handler that returned mid-transaction */
	/* a change here may have ended or changed a credential: before the
	 * client hears of it, no thread answers from what it remembered */
	if (changes_state(req->method) && req->status < 400) {
		auth_cache_invalidate();
		page_cache_forget();
		read_db_mark(req);
	}
	page_cache_keep(req);
	read_db_finish(req);
	db_set_deadline(req->db, 0);
	if (req->status >= 400 && !is_page(req) && req->resp_type == NULL)
		req_error(req, req->status, "error", NULL, "%s", status_text(req->status));
	if (req->resp_type && strncmp(req->resp_type, "application/json", 16) == 0)
		req_header(req, "Cache-Control: no-store");
	request_send(req);
	took_us = time_mono_us() - req->start_us;
	http_stats_record(req->route, req->method, req->status, took_us);
	log_access(req->method_name, req->path, req->route ? req->route->pattern : NULL,
	    req->status, took_us,
	    req->authenticated ? req->who.username : "-");
}
