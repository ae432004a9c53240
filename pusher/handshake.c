/*
 * handshake.c - who may open a socket. At the HTTP upgrade, before any
 * WebSocket byte, the request must name /api/alerts/ws, carry a valid
 * ?after= if any, and a session cookie (gw_session) or ?token= of the
 * shape goldwatch gives out; with the cookie, an Origin of the site's own
 * (or none). Refusals are HTTP answers with the API's JSON error body, so
 * nginx and browsers see the status (401, not a dropped socket).
 *
 * Whether the database knows the credential is not asked here: lws must
 * answer the upgrade within this callback, and the lws thread never waits
 * on PostgreSQL. The socket opens and says nothing until check.c has the
 * answer; an unknown credential then gets 4001 instead of a 401.
 *
 * lws calls LWS_CALLBACK_HTTP_CONFIRM_UPGRADE, then (for the same wsi,
 * within the same call) FILTER_PROTOCOL_CONNECTION and ESTABLISHED; the
 * per-session data is allocated anew in between, so what the check learnt
 * waits in p->handoff for the socket it let through.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "after.h"
#include "auth.h"
#include "pusher.h"
#include "util.h"

#define SESSION_COOKIE "gw_session"

/*
 * Writes status with {"error":{"code","message"[,"field"]}}, and a 503
 * with Retry-After (PUSHER_RETRY_AFTER_S). 1, or -1.
 */
static int answer(struct lws *wsi, unsigned status, const char *code,
    const char *message, const char *field)
{
	static const char retry[] = PUSHER_RETRY_AFTER_S;
	unsigned char buf[LWS_PRE + 1024];
	unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf);
	json_t *err = json_pack("{ss ss}", "code", code, "message", message);
	json_t *body;
	char *text;
	size_t n;
	int rc = -1;

	if (field)
		json_object_set_new(err, "field", json_string(field));
	body = json_pack("{so}", "error", err);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	n = strlen(text);
	if (lws_add_http_common_headers(wsi, status, "application/json", n, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-store", 8, &p, end) ||
	    (status == 503 && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"retry-after:", (const unsigned char *)retry,
	    (int)sizeof(retry) - 1, &p, end)) ||
	    lws_finalize_http_header(wsi, &p, end) || (size_t)(end - p) < n)
		goto out;
	memcpy(p, text, n);
	p += n;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) ==
	    (int)(p - start))
		rc = 1;
out:
	free(text);
	return rc;
}

/*
 * The value of query argument name ("after="): 1 found (copied to out),
 * 0 absent, -1 too long for out. lws stops looking at the first argument
 * too long for its buffer, so the buffer holds a whole header block.
 */
static int query_arg(struct lws *wsi, const char *name, char *out, size_t outlen)
{
	char arg[4096];
	const char *v = lws_get_urlarg_by_name(wsi, name, arg, (int)sizeof(arg));

	if (v == NULL)
		return 0;
	if (strlen(v) >= outlen)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 1;
}

enum credential_kind { CRED_NONE, CRED_TOKEN, CRED_COOKIE };

/* The credential: ?token= wins over the cookie. */
static enum credential_kind credential(struct lws *wsi, char *out, size_t outlen)
{
	size_t len = outlen;
	int rc = query_arg(wsi, "token=", out, outlen);

	if (rc != 0)
		return rc > 0 && *out ? CRED_TOKEN : CRED_NONE;
	if (lws_http_cookie_get(wsi, SESSION_COOKIE, out, &len) == 0 && *out)
		return CRED_COOKIE;
	return CRED_NONE;
}

/*
 * A browser sends the cookie with a socket that a page of any site opens,
 * and says which site in Origin: a cookie is taken only from the site's
 * own origin (GOLDWATCH_BASE_URL), or without Origin (not a browser).
 * ?token= is not checked: a page of another site cannot know the token.
 * 1 when the request's Origin is foreign.
 */
static int foreign_origin(const struct pusher *p, struct lws *wsi)
{
	char sent[512], origin[sizeof(sent)];
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);

	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(sent) || lws_hdr_copy(wsi, sent, (int)sizeof(sent),
	    WSI_TOKEN_ORIGIN) < 0 || url_origin(sent, origin, sizeof(origin)) < 0)
		return 1;
	return strcmp(origin, p->origin) != 0;
}

/* ?after=ID: *after is -1 without it. 0, or -1 if it is not a whole number. */
static int after_arg(struct lws *wsi, int64_t *after)
{
	char v[32];
	int rc = query_arg(wsi, "after=", v, sizeof(v));

	*after = -1;
	return rc < 0 ? -1 : after_parse(rc > 0 ? v : NULL, after);
}

int handshake_confirm(struct pusher *p, struct lws *wsi, const char *upgrade)
{
	char path[64], token[AUTH_TOKEN_MAX + 16];
	enum credential_kind kind;
	int64_t after;

	p->handoff.wsi = NULL;
	p->stats.refused++;
	if (lws_hdr_copy(wsi, path, (int)sizeof(path), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(path, PUSHER_PATH) != 0)
		return answer(wsi, 404, "not_found", "live updates are at " PUSHER_PATH, NULL);
	if (upgrade == NULL || strcasecmp(upgrade, "websocket") != 0)
		return answer(wsi, 400, "bad_upgrade", "only WebSocket upgrades are served here",
		    NULL);
	if (after_arg(wsi, &after) < 0)
		return answer(wsi, 400, "invalid_parameter",
		    "after must be a whole number: the last event id seen", "after");
	kind = credential(wsi, token, sizeof(token));
	if (kind == CRED_NONE)
		return answer(wsi, 401, "unauthenticated",
		    "sign in first: the session cookie or ?token= is required", NULL);
	if (kind == CRED_COOKIE && foreign_origin(p, wsi))
		return answer(wsi, 403, "forbidden_origin",
		    "the session cookie is accepted only from this site's own pages", NULL);
	if (!p->feed.ready)
		return answer(wsi, 503, "service_unavailable",
		    "live updates are starting; try again shortly", NULL);
	/* the pings of open sockets go on; a new one could not be checked */
	if (p->feed.down)
		return answer(wsi, 503, "database_unavailable",
		    "the event log cannot be read now; try again shortly", NULL);
	if (!auth_token_wellformed(token)) {
		sodium_memzero(token, sizeof(token));
		return answer(wsi, 401, "unauthenticated",
		    "the session or token is unknown, expired or revoked", NULL);
	}
	p->stats.refused--;
	p->handoff.wsi = wsi;
	p->handoff.after = after;
	memcpy(p->handoff.token, token, strlen(token) + 1);
	sodium_memzero(token, sizeof(token));
	return 0;
}

int handshake_plain_http(struct lws *wsi)
{
	if (answer(wsi, 426, "upgrade_required",
	    "this endpoint speaks WebSocket only", NULL) < 0)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int handshake_claim(struct pusher *p, struct lws *wsi, struct handoff *out)
{
	if (p->handoff.wsi == NULL || p->handoff.wsi != wsi)
		return -1;
	*out = p->handoff;
	p->handoff.wsi = NULL;
	sodium_memzero(p->handoff.token, sizeof(p->handoff.token));
	return 0;
}
